"""A backend that takes the connection and never answers (a hung server, a proxy holding the
request), with a review and completions under way at once: what the editor shows is said in
words a user acts on, one status per feature, and never carries the key."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from tests import harness
from tests.harness import eventually, inline_params, lsp_session, open_doc, server_env
from tests.test_reliability_review_faults import reviews_done, save

KEY = "sk-stalled0123456789abcdef"
#: A gateway's password, written into the base URL as some gateways take it.
PASSWORD = "gw-pass-0123456789"
URI = "file:///ws/app.py"
DOC = "def total(items):\n    return sum(items)\n\n\ndef mean(items):\n    \n"


@contextlib.contextmanager
def stalled_server() -> Iterator[str]:
    """A URL whose server accepts each connection, reads what comes, and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = listener.accept()
                held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


async def test_a_stalled_backend_with_a_review_and_completions_at_once_is_told_plainly(tmp_path: Path) -> None:
    """Completions asked while a save's review waits on a server that took both connections and
    says nothing: each feature's status says which server did not answer and what to do, once,
    and neither the key nor the gateway's password in the base URL is in anything shown or logged."""
    with stalled_server() as url:
        port = url.rsplit(":", 1)[1]
        base = url.replace("http://", f"http://gateway:{PASSWORD}@")
        env = server_env(base, api_key=KEY, state_dir=str(tmp_path))
        settings = {
            "review": {"mode": "onSave", "maxRetries": 1, "timeoutS": 4},
            "completion": {"debounce": 0, "prefetch": False, "cache": False, "timeoutS": 1.5},
        }
        async with lsp_session(env, settings=settings) as client:
            open_doc(client, URI, DOC)
            before = reviews_done(client)
            save(client, URI)
            answers = []
            for _ in range(3):
                result = await client.text_document_inline_completion_async(inline_params(URI, 5, 4))
                answers.append([item.insert_text for item in result.items])
            assert answers == [[], [], []]
            assert await eventually(lambda: reviews_done(client) == before + 1, timeout=30)
            troubles = [s for s in client.statuses if s["kind"] != "Normal"]
            by_feature = {s["feature"]: s["message"] for s in troubles}
            assert sorted(s["feature"] for s in troubles) == ["completion", "review"], troubles
            assert all(s["kind"] == "Warning" for s in troubles), troubles
            server = f"127.0.0.1:{port}"
            assert server in by_feature["completion"] and "did not answer" in by_feature["completion"]
            # The limit in force and the setting that sets it: "in time" left the user guessing
            # which of the timeouts to raise, and by how much.
            assert "did not answer within 1.5 s (completion.timeoutS)" in by_feature["completion"], troubles
            review = by_feature["review"]
            assert review.startswith("review of app.py failed") and server in review and "Save again" in review
            assert "did not answer within 4 s (review.timeoutS)" in review, review
            told = [m.message for m in client.messages if "did not answer" in m.message]
            assert told and all(re.search(r"within [\d.]+ s \((completion|review)\.timeoutS\)", m) for m in told), told
            said = [s["message"] for s in client.statuses] + [m.message for m in client.messages]
            said += [m.message for m in client.log_messages]
            assert not [m for m in said if KEY in m or PASSWORD in m]
            state = harness._to_dict(await client.protocol.send_request_async("deepseek/debugState", {}))
            assert state["documents"] == 1
