"""CPU time of the prompt stage alone (``build_fim_prompt``), in-process, at a new position and
while typing: what the server's whole-request figures (bench_request_cpu.py, bench_overhead.py)
cannot show on a busy host, where their spread is larger than a change to this stage.

The 10,000-line file of bench_overhead, its line counts kept in ``LineTokens`` as the server's
idle counting keeps them, the real tokenizer, redaction on:

* jumps: ``--jumps`` seeded line ends, each with 6 definitions of the file as snippets, chosen
  anew (the snippets' redaction misses its cache, as at a new position);
* typing: a line typed key by key into a copy of the file (edits applied as a client sends
  them), the same snippets at each key.

The redaction caches are emptied before each repetition; each figure is the least of
``--repeats`` (CPU time per prompt), printed for each phase, and again with ``redactSecrets``
off: the difference is what redaction costs a prompt.

    python tests/bench/bench_prompt_cpu.py [--jumps 150] [--repeats 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lsprotocol import types  # noqa: E402

from deepseek_lsp import prompts  # noqa: E402
from deepseek_lsp.context import Snippet  # noqa: E402
from deepseek_lsp.documents import Document  # noqa: E402
from deepseek_lsp.line_tokens import LineTokens  # noqa: E402
from deepseek_lsp.model.tokens import default_counter  # noqa: E402
from deepseek_lsp.privacy import redaction, triggers  # noqa: E402
from tests.bench.corpus import big_python_file  # noqa: E402

WORD = "result = compute_total"
SNIPPETS = 6


def _clear_redaction_caches() -> None:
    prompts._redacted_parts.clear()
    for cached in (redaction._line_matches, redaction._redacted_span, triggers._may_hold_secret):
        cached.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jumps", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    count = default_counter().count
    text = big_python_file(10_000)
    pool = [
        Snippet(path=f"pkg/m{i % 40}.py", text="def " + c.split("\n\n")[0] + "\n", kind="definition", rank=i % 7)
        for i, c in enumerate(text.split("\ndef ")[1:401])
    ]
    lines = text.split("\n")
    rnd = random.Random(args.seed)
    ends = [i for i, line in enumerate(lines) if line.strip() and not line.rstrip().endswith(":")]
    spots = rnd.sample(ends, args.jumps)
    jumps = [
        (len("\n".join(lines[: i + 1]).encode()), sorted(rnd.sample(pool, SNIPPETS), key=lambda s: s.path))
        for i in spots
    ]
    tokens = LineTokens()
    big = Document("file:///w/big.py", text)

    redact = True

    def build(doc: Document, offset: int, snippets: list[Snippet]) -> None:
        prompts.build_fim_prompt(
            doc, offset, budget=4096, suffix_share=0.25, count=count, snippets=snippets,
            line_comment="#", path="big.py", redact_secrets=redact, line_tokens=tokens.counter(doc, count),
        )

    def at_jumps() -> float:
        _clear_redaction_caches()
        start = time.process_time()
        for offset, snippets in jumps:
            build(big, offset, snippets)
        return (time.process_time() - start) / len(jumps) * 1000

    def typing() -> float:
        _clear_redaction_caches()
        doc = Document("file:///w/typed.py", text)
        line, snippets = spots[0] + 1, jumps[0][1]
        here = types.Position(line=line, character=0)
        doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=here, end=here), text="    \n"))
        build(doc, doc.line_start(line) + 4, snippets)  # the key before: its caches warm
        start = time.process_time()
        for k, key in enumerate(WORD):
            at = types.Position(line=line, character=4 + k)
            doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=key))
            build(doc, doc.line_start(line) + 5 + k, snippets)
        return (time.process_time() - start) / len(WORD) * 1000

    at_jumps(), typing()  # the tokenizer's counts of the file's lines, as idle counting leaves them
    jump_ms = min(at_jumps() for _ in range(args.repeats))
    typing_ms = min(typing() for _ in range(args.repeats))
    print(f"prompt CPU per request: new position {jump_ms:.3f} ms, typing {typing_ms:.3f} ms (least of {args.repeats})")
    redact = False
    bare_jump_ms = min(at_jumps() for _ in range(args.repeats))
    bare_typing_ms = min(typing() for _ in range(args.repeats))
    print(
        f"redaction's part: new position {jump_ms - bare_jump_ms:.3f} ms, typing {typing_ms - bare_typing_ms:.3f} ms"
        f" (redactSecrets off: {bare_jump_ms:.3f}, {bare_typing_ms:.3f})"
    )


if __name__ == "__main__":
    main()
