"""Secrets by their shape in what the server says: its log (file, ``window/logMessage``), an
error's text shown to the user (a status, a pop-up) and the review CLI's output. Only the
configured keys, ``sk-`` keys and bearer tokens were scrubbed: a GitHub token a proxy echoed in
its error, a password in an exception's text, went out as written."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from deepseek_lsp.log import SECRETS, SecretFilter
from deepseek_lsp.model.stream import provider_message
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import eventually, inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PASSWORD = "Zq8xw3-S3cret-77"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
AWS = "AKIA" + "Q3EGRIYFQ7T2XH5K"
#: Each secret as a message may carry it, and what of it must not be in the scrubbed text.
SAID = {
    "github": (f"upstream said: bad credentials for {GITHUB}", GITHUB[4:20]),
    "assignment": (f'ValueError: could not parse password = "{PASSWORD}"', PASSWORD),
    "url": (f"cannot reach https://deploy:{PASSWORD}@llm.internal/v1", PASSWORD),
    "jwt": (f"token rejected: {JWT}", JWT[40:80]),
    "aws": (f"signing with {AWS} failed", AWS),
    "pem": ("key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n", "MIIEvQIBADANBgkqhkiG9w0"),
}
#: Messages with no secret, as written (a scrub that changed them would hide what went wrong).
PLAIN = (
    "completion request failed: Cannot reach 127.0.0.1:54881: nothing is listening there.",
    "configuration: {'base_url': 'http://127.0.0.1:41675', 'api_key': 'sk-…6789', 'fim_api_key': '(not set)'}",
    "review of /w/app/settings.py: 3 findings (password hashing, token expiry)",
    "tokens: 1,234 prompt, 56 completion; max_tokens 128",
)


def test_every_secret_shape_is_scrubbed_from_log_records() -> None:
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(handler.format(record))  # type: ignore[method-assign]
    handler.addFilter(SecretFilter())
    logger = logging.getLogger("deepseek_lsp.test_scrub")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for text, _ in SAID.values():
            logger.warning("%s", text)
        try:
            raise RuntimeError(SAID["github"][0])
        except RuntimeError:
            logger.exception("failed")
        for text in PLAIN:
            logger.warning(text)
    finally:
        logger.removeHandler(handler)
    logged = "\n".join(records)
    for name, (_, secret) in SAID.items():
        assert secret not in logged, name
    assert all(text in logged for text in PLAIN)


def test_a_provider_s_error_and_the_cli_s_scrub_drop_every_secret_shape() -> None:
    for name, (text, secret) in SAID.items():
        body = json.dumps({"error": {"message": text}}).encode()
        assert secret not in (provider_message(body) or ""), name
        assert secret not in SECRETS.scrub(text), name


async def test_a_token_a_proxy_echoes_in_its_error_is_not_shown(tmp_path: Path) -> None:
    """A proxy in front of the completion server refusing the request (400) with the token it
    was given in its message: the status and the pop-up quoted it."""
    with FakeDeepSeek() as fake:
        fake.api_key = "sk-test-0123456789"
        fake.fault("status", count=None, path=FIM, status=400, message=f"gateway: token {GITHUB} has no access to this model")
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}, "logLevel": "debug"}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "x = 1\ny = \n")
            await client.text_document_inline_completion_async(inline_params(uri, 1, 4, invoked=True))
            assert await eventually(lambda: any("gateway" in (s.get("message") or "") for s in client.statuses), timeout=10), client.statuses
            said = json.dumps(
                [list(client.statuses), [m.message for m in client.messages], [m.message for m in client.log_messages]]
            )
    assert "gateway" in said
    assert GITHUB[4:20] not in said
