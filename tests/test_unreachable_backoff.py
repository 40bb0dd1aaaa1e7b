"""A backend that cannot be reached (nothing listening, a firewall's reset, no route) is asked
seldom while it stays so: the keys typed wait out a growing back-off instead of each opening a
connection that fails, the status says so once, a suggestion the user asks for always tries, and
the first key after the back-off, once the backend is back, is answered."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env

FIM = "/beta/completions"
LINE = "result = compute("  # a typed line: 16 keys, each asking (no debounce)
SETTINGS = {"completion": {"debounce": 0, "prefetch": False, "cache": False, "timeoutS": 2.0}}


class ResettingListener:
    """A port that resets every connection it is offered (a firewall's reject, a server going
    down): unlike a closed port, its connects can be counted."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connects = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connects += 1
            # SO_LINGER 0: closed with a reset, as a refusing host's kernel answers.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(5)


@contextlib.contextmanager
def resetting_listener() -> Iterator[ResettingListener]:
    listener = ResettingListener()
    try:
        yield listener
    finally:
        listener.close()


async def type_line(client, uri: str, version: int, line: int, text: str) -> list[list[str]]:
    """Type ``text`` at the start of ``line`` key by key, asking after each; what was shown."""
    shown = []
    for i, ch in enumerate(text):
        insert(client, uri, version + i, line, i, ch)
        result = await client.text_document_inline_completion_async(inline_params(uri, line, i + 1))
        shown.append([item.insert_text for item in result.items])
    return shown


def troubles(client) -> list[dict]:
    return [s for s in client.statuses if s["kind"] in ("Warning", "Error")]


async def test_a_line_typed_while_the_backend_is_unreachable_opens_few_connections(tmp_path) -> None:
    with resetting_listener() as down:
        env = server_env(down.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=SETTINGS) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "\n\n\n")
            before = down.connects  # the start-up's look at the server
            shown = await type_line(client, uri, 2, 0, LINE)
            assert all(items == [] for items in shown)
            per_line = down.connects - before
            # Before: 17 (each key's request, and the first key's model look-up); after: 1.
            assert per_line <= 4, per_line
            # Said once: one Warning, no pop-up per key.
            assert len(troubles(client)) == 1, troubles(client)
            assert sum(1 for m in client.messages if "connect" in m.message.lower()) <= 1
            # Asked for (Alt+\), a suggestion tries at once whatever the back-off.
            asked = down.connects
            result = await client.text_document_inline_completion_async(inline_params(uri, 0, len(LINE), True))
            assert not result.items
            assert down.connects > asked
            # A second line, typed in the back-off that grew: at most one more try.
            again = down.connects
            await type_line(client, uri, 2 + len(LINE), 1, LINE)
            assert down.connects - again <= 2, down.connects - again


async def test_the_backend_back_is_asked_again_by_the_keys_typed(tmp_path) -> None:
    with resetting_listener() as down:
        port = down.port
        env = server_env(down.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=SETTINGS) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "\n" * 40)
            await type_line(client, uri, 2, 0, LINE)
            down.close()
            with FakeDeepSeek(port=port) as fake:
                fake.responder(lambda body: "value_ok)", path=FIM)
                version, line = 2 + len(LINE), 1

                async def served() -> bool:
                    # A key typed now and then, as a user does: none is asked for.
                    nonlocal version, line
                    insert(client, uri, version, line, 0, "x")
                    version, line = version + 1, line + 1
                    result = await client.text_document_inline_completion_async(inline_params(uri, line - 1, 1))
                    return [item.insert_text for item in result.items] == ["value_ok)"]

                # Within the back-off's longest wait (16 s) and a key's time.
                end = asyncio.get_running_loop().time() + 25.0
                while not await served():
                    assert asyncio.get_running_loop().time() < end, "never asked again"
                    await asyncio.sleep(0.5)
                assert client.statuses[-1]["kind"] == "Normal", client.statuses[-1]


async def test_a_proxy_refusing_the_connections_is_asked_seldom_too(tmp_path) -> None:
    """HTTPS_PROXY names a proxy that resets every connection: the keys typed wait out the same
    back-off, and the status names the proxy, once."""
    with resetting_listener() as proxy:
        no_proxy = {name: "" for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy")}
        env = server_env(
            "https://models.example.test/v1", api_key=DEFAULT_KEY, state_dir=str(tmp_path),
            HTTPS_PROXY=proxy.url, https_proxy=proxy.url, **no_proxy,
        )
        async with lsp_session(env, settings=SETTINGS) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "\n\n\n")
            before = proxy.connects
            shown = await type_line(client, uri, 2, 0, LINE)
            assert all(items == [] for items in shown)
            assert proxy.connects - before <= 4, proxy.connects - before
            (told,) = troubles(client)
            assert "proxy" in told["message"].lower(), told


async def test_a_save_while_the_backend_is_unreachable_stops_its_other_requests(tmp_path) -> None:
    """A file of 40 functions is several requests: each went on to its own retries against a
    backend none of them reached (19-27 connects per save); once one met it, no other
    request of the review is sent, nor retried."""
    from tests.review_support import generated_handlers
    from tests.test_review_lsp import save

    with resetting_listener() as down:
        env = server_env(down.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings={"completion": {"enable": False}}) as client:
            uri = "file:///ws/handlers.py"
            open_doc(client, uri, generated_handlers(40))
            before = down.connects
            save(client, uri)
            failed = None
            for _ in range(200):
                failed = next((s for s in troubles(client) if "handlers.py" in s["message"]), None)
                if failed is not None:
                    break
                await asyncio.sleep(0.1)
            assert failed is not None and "Cannot reach 127.0.0.1" in failed["message"], client.statuses
            await asyncio.sleep(2.0)  # nothing more goes out after the failure is told
            # The first tries of the requests at once (4), one's retries (2), a model look-up:
            # 6-7 here (19-27 before).
            assert down.connects - before <= 10, down.connects - before


@pytest.mark.parametrize("where", ["refused", "dropped"])
async def test_a_closed_port_or_a_dropped_connect_is_asked_once_a_line(tmp_path, refused: str, where: str) -> None:
    """A port nothing listens on, and a connect a firewall drops (each key waited out its whole
    time limit): the requests sent to the backend for a 16-key line (17 before)."""
    from tests.harness import _to_dict
    from tests.test_review_first_answer import hanging_connection

    with contextlib.ExitStack() as stack:
        url = refused if where == "refused" else stack.enter_context(hanging_connection())
        env = server_env(url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {"completion": {**SETTINGS["completion"], "timeoutS": 1.0}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/f.py"
            open_doc(client, uri, "\n\n\n")
            await type_line(client, uri, 2, 0, LINE)
            counts = _to_dict(await client.protocol.send_request_async("deepseek/completionStats", {}))
            assert counts["requests"] == len(LINE) and counts["backendRequests"] <= 2, counts
            assert len(troubles(client)) == 1, troubles(client)
