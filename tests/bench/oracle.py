"""The fake DeepSeek server as an oracle for the typing replay, in its own process.

It answers every completion request with the *true* missing text at the cursor: it finds where
the request's text before the cursor ends inside one of the replay sites of the original file
(checking that the text after the cursor matches too) and answers with the original text from
there to the end of the span, i.e. what an ideal fill-in-the-middle model would write. The fake
then applies the request's ``stop`` and ``max_tokens`` like a real server, and its latency
(``--ttft`` to the first token, ``--per-token`` per 4-character chunk).

Both wire formats are answered from the same oracle: DeepSeek FIM (``prompt``/``suffix``, our
server) and Tabby's ``/v1/completions`` (``segments.prefix``/``segments.suffix``, tabby-agent).
A Tabby server generates at most 64 tokens by default (``max_decoding_tokens``), so Tabby answers
are capped there.

The fake runs in a separate process so that its threads never compete with the replay's client
for the GIL; the client reads the recorded requests through the fake's control API at the end.

    python -m tests.bench.oracle --seed 1 --sites 24 [--ttft 0.15] [--per-token 0.008]
    python -m tests.bench.oracle --answer "x = 1"       # a fixed answer (overhead benchmark)
    python -m tests.bench.oracle --mispredict 0.5        # a wrong answer for half the states

``--mispredict SHARE`` answers text the user does not type (the true text behind ``zq_``) for
that share of the states asked about, drawn from a hash of the seed and the text around the
cursor: the same state is mispredicted in every run and every column, whatever the timing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fake_deepseek import CHARS_PER_TOKEN, FakeDeepSeek  # noqa: E402

FIM_PATH = "/beta/completions"
TABBY_PATH = "/v1/completions"
TABBY_MAX_DECODING_TOKENS = 64
TAILS = (400, 160, 60)
#: What a mispredicted answer starts with: no site's text does, so nobody types through it.
WRONG_START = "zq_"


class Oracle:
    def __init__(self, spans: list[tuple[str, int, int]], *, mispredict: float = 0.0, seed: int = 1) -> None:
        #: (original text, offset where the span starts, offset where it ends)
        self.spans = spans
        self.misses = 0
        self.mispredict = mispredict
        self.seed = seed

    @classmethod
    def for_sites(cls, seed: int, count: int, mispredict: float = 0.0) -> Oracle:
        from tests.bench.corpus import replay_sites

        spans = []
        for site in replay_sites(seed, count):
            start = len(site.before)
            spans.append((site.file.text, start, start + len(site.typed)))
        return cls(spans, mispredict=mispredict, seed=seed)

    def wrong_here(self, before: str, after: str) -> bool:
        """Whether the model gets this state wrong: a hash, not the request's order, decides."""
        if self.mispredict <= 0.0:
            return False
        key = f"{self.seed}\0{before[-300:]}\0{after[:64]}".encode("utf-8", "surrogatepass")
        draw = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") / 2**64
        return draw < self.mispredict

    def answer(self, before: str, after: str) -> str:
        text = self.middle(before, after)
        return WRONG_START + text if text and self.wrong_here(before, after) else text

    def middle(self, before: str, after: str) -> str:
        """The original text from the cursor to the end of its span, or '' when not found."""
        head = after[:64]
        for n in TAILS:
            tail = before[-n:]
            if not tail:
                break
            for text, start, end in self.spans:
                if head and text[end : end + len(head)] != head:
                    continue
                idx = text.rfind(tail, max(0, start - len(tail)), end)
                if idx >= 0:
                    return text[idx + len(tail) : end]
        self.misses += 1
        return ""

    def fim(self, body: dict[str, Any]) -> str:
        return self.answer(str(body.get("prompt") or ""), str(body.get("suffix") or ""))

    def tabby(self, body: dict[str, Any]) -> str:
        seg = body.get("segments") or {}
        text = self.answer(str(seg.get("prefix") or ""), str(seg.get("suffix") or ""))
        return text[: TABBY_MAX_DECODING_TOKENS * CHARS_PER_TOKEN]


class OracleProcess:
    """Runs this module as a child process; ``url``, ``requests()``, ``stop()``."""

    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc = proc
        self.url = url

    @classmethod
    async def start(cls, *args: str) -> OracleProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bench.oracle", *args,
            cwd=str(ROOT), stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        if "listening on" not in line:
            raise RuntimeError(f"oracle did not start: {line!r}")
        return cls(proc, line.split()[-1])

    async def requests(self) -> list[dict[str, Any]]:
        import httpx

        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.get(f"{self.url}/_fake/requests")
            return response.json()  # type: ignore[no-any-return]

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The replay oracle (a fake DeepSeek/Tabby).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sites", type=int, default=24)
    parser.add_argument("--answer", help="answer every request with this text instead")
    parser.add_argument("--ttft", type=float, default=0.0)
    parser.add_argument("--per-token", type=float, default=0.0)
    parser.add_argument("--mispredict", type=float, default=0.0,
                        help="share of states answered with text the user does not type (0-1)")
    args = parser.parse_args(argv)

    fake = FakeDeepSeek(api_key=None)
    if args.answer is not None:
        fixed = args.answer
        fake.responder(lambda body: fixed, path=FIM_PATH)
        fake.responder(lambda body: fixed, path=TABBY_PATH)
    else:
        oracle = Oracle.for_sites(args.seed, args.sites, args.mispredict)
        fake.responder(oracle.fim, path=FIM_PATH)
        fake.responder(oracle.tabby, path=TABBY_PATH)
    fake.set_latency(args.ttft, args.per_token)
    fake.start()
    print(f"oracle listening on {fake.url}", flush=True)
    fake.serve_until_signalled()
    return 0


if __name__ == "__main__":
    sys.exit(main())

