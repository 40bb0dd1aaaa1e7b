"""The API key and code only travel encrypted and only to a verified server.

* A non-loopback ``http://`` base URL is refused with one clear status and not a single request
  (not even the warm-up), and accepted once the user sets ``allowHttp``. The "remote" host is
  ``127.1``: the server's loopback check recognises only ``localhost`` and canonical addresses,
  so it treats ``127.1`` as remote, while the traffic, once allowed, still goes to 127.0.0.1.
* TLS certificates are verified: an HTTPS fake on 127.0.0.1 with a self-signed certificate is
  refused (certificate verify failed: one clear status, no suggestion, no HTTP request), and the
  same fake works when its certificate is trusted (``SSL_CERT_FILE``), so the refusal is the
  verification and nothing else.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"
SETTINGS: dict[str, Any] = {"completion": {"debounce": 0, "prefetch": False, "timeoutS": 3.0}}


async def ask(client: Any, uri: str = "file:///ws/f.py") -> list[str]:
    result = await client.text_document_inline_completion_async(inline_params(uri, 0, 4, invoked=True))
    return [i.insert_text for i in result.items]


async def test_plain_http_to_a_remote_host_is_refused_unless_allowed(tmp_path: Path) -> None:
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        url = f"http://127.1:{fake.port}"
        env = server_env(url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=SETTINGS) as client:
            open_doc(client, "file:///ws/f.py", "x = \n")
            assert await ask(client) == []
            errors = [s for s in client.statuses if s["kind"] == "Error"]
            assert len(errors) == 1 and "Refusing plain http:// to 127.1" in errors[0]["message"], client.statuses
            assert "allowHttp" in errors[0]["message"]
            assert sum("Refusing plain http://" in m.message for m in client.messages) == 1
            assert fake.requests == []  # nothing at all was sent, not even the warm-up
            # A review is refused the same way.
            client.text_document_did_save(
                types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri="file:///ws/f.py"))
            )
            assert await ask(client) == []
            assert fake.requests == []

            # The user allows plain HTTP for this trusted network: now it is used.
            client.set_configuration({"deepseek": {**SETTINGS, "allowHttp": True}})
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            assert await eventually(lambda: client.statuses[-1]["kind"] == "Normal"), client.statuses
            assert await ask(client) == ["value_ok"]
            assert fake.requests_to(FIM)


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def _serve_tls(fake: FakeDeepSeek, cert: Path, key: Path) -> None:
    """Turn the running fake into an HTTPS server (same port, same listening descriptor)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = fake._server
    assert server is not None
    # The handshake happens in accept(); a client that rejects the certificate makes it raise
    # an SSLError (an OSError), which socketserver ignores.
    server.socket = ctx.wrap_socket(server.socket, server_side=True)


async def test_tls_certificates_are_verified(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        _serve_tls(fake, cert, key)
        url = f"https://127.0.0.1:{fake.port}"
        env = server_env(url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "a"))
        for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            env.pop(name, None)
        async with lsp_session(env, settings=SETTINGS) as client:
            open_doc(client, "file:///ws/f.py", "x = \n")
            for _ in range(3):
                assert await ask(client) == []
            troubles = [s for s in client.statuses if s["kind"] in ("Warning", "Error")]
            assert len(troubles) == 1, client.statuses
            assert "certificate verify failed" in troubles[0]["message"].lower(), troubles
            assert "Cannot reach 127.0.0.1" in troubles[0]["message"]
            assert sum("certificate" in m.message.lower() for m in client.messages) == 1
        assert fake.requests == []  # no HTTP request ever got through the handshake

        # The control: the very same server, its certificate trusted, answers.
        env = server_env(url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "b"), SSL_CERT_FILE=str(cert))
        async with lsp_session(env, settings=SETTINGS) as client:
            open_doc(client, "file:///ws/f.py", "x = \n")
            assert await ask(client) == ["value_ok"]
            assert not [s for s in client.statuses if s["kind"] in ("Warning", "Error")]
        assert fake.requests_to(FIM)


async def test_a_ca_bundle_that_cannot_be_read_is_told_and_the_server_keeps_running(tmp_path: Path) -> None:
    """``SSL_CERT_FILE`` naming a file that is not there (a company CA bundle moved, a typo):
    the server died at its start, the editor saying only that it exited."""
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        missing = tmp_path / "corp-ca.pem"
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path), SSL_CERT_FILE=str(missing))
        async with lsp_session(env, settings=SETTINGS) as client:
            open_doc(client, "file:///ws/f.py", "x = \n")
            assert await ask(client) == []
            assert await eventually(lambda: any(s["kind"] == "Error" for s in client.statuses), timeout=10)
            error = next(s for s in client.statuses if s["kind"] == "Error")
            assert f"SSL_CERT_FILE={missing}" in error["message"], error
            assert "No such file" in error["message"], error
        assert fake.requests == []
