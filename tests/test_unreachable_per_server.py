"""Completions and reviews on two servers (``fimBaseUrl``'s and ``baseUrl``'s): one that cannot
be reached must not silence the other. A save's requests stop once one of them met their own
server unreachable, not once a completion met its server so."""

from __future__ import annotations

import asyncio

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, refused_url, server_env
from tests.review_support import generated_handlers, reviewer
from tests.test_review_lsp import save
from tests.test_unreachable_backoff import troubles

FUNCTIONS = 40


async def test_a_completion_server_down_does_not_stop_a_review_of_another(tmp_path) -> None:
    with refused_url() as fim_down, FakeDeepSeek() as chat:
        chat.responder(reviewer([]))
        chat.pause_after("findings")  # the save's first answer, held until a completion failed
        env = server_env(chat.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        settings = {
            "fimBaseUrl": fim_down,
            "completion": {"debounce": 0, "prefetch": False, "cache": False},
            "review": {"maxConcurrency": 1},
        }
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/handlers.py"
            open_doc(client, uri, generated_handlers(FUNCTIONS))
            save(client, uri)
            assert await chat.wait_paused_async()
            # Asked for meanwhile (Alt+\): its own server refuses the connection.
            result = await client.text_document_inline_completion_async(inline_params(uri, 6, 0, True))
            assert not result.items
            assert any("Cannot reach" in s["message"] for s in troubles(client)), client.statuses
            chat.resume()
            for _ in range(100):  # the file's 4 batches answered, or its review failed
                reviews = [r for r in chat.requests if r.path.endswith("/chat/completions")]
                if len(reviews) >= 4 or any("handlers.py" in s["message"] for s in troubles(client)):
                    break
                await asyncio.sleep(0.1)
            reviews = [r for r in chat.requests if r.path.endswith("/chat/completions")]
            # Every batch of the file reached the review's server (before: the first alone, the
            # others 'Cannot reach' the completion server's port).
            assert len(reviews) >= 4, (len(reviews), client.statuses)
            assert not [s for s in troubles(client) if "handlers.py" in s["message"]], troubles(client)


async def test_a_review_answered_by_the_server_back_ends_the_keys_wait(tmp_path) -> None:
    """The server back, a save's review is answered: the next key typed is asked at once (it
    waited out the rest of the back-off, up to 16 s, with the server answering meanwhile)."""
    from tests.harness import insert
    from tests.test_unreachable_backoff import FIM, resetting_listener

    settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False, "timeoutS": 2.0}}
    with resetting_listener() as down:
        port = down.port
        env = server_env(down.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path))
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/handlers.py"
            open_doc(client, uri, generated_handlers(1) + "\n" * 8)
            version, line = 2, 8

            async def key() -> list[str]:
                nonlocal version, line
                insert(client, uri, version, line, 0, "x")
                version, line = version + 1, line + 1
                result = await client.text_document_inline_completion_async(inline_params(uri, line - 1, 1))
                return [item.insert_text for item in result.items]

            # Three keys, each after the wait before it: the back-off grows to 8 s.
            for wait in (0.0, 1.2, 2.2):
                await asyncio.sleep(wait)
                await key()
            assert down.connects >= 3, down.connects
            down.close()
            with FakeDeepSeek(port=port) as fake:
                fake.responder(lambda body: "value_ok", path=FIM)
                fake.responder(reviewer([]), path="/chat/completions")
                save(client, uri)
                for _ in range(100):
                    if any(r.path == "/chat/completions" for r in fake.requests):
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)  # its answer read
                assert await key() == ["value_ok"], [r.path for r in fake.requests]
