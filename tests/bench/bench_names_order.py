"""Which names near the cursor get their definitions sent, replayed offline on the recall sites.

Reads a ``bench_context_recall.py --out`` file and the ``prompts.jsonl`` of the same run (its
workdir), and for each site with needs gathers the snippets in-process (no time box, the
8-snippet cap, the extras' share of a 2,048-token budget) under each variant, then counts the
needs whose definition is sent:

* ``nearest``: the server's order (``names_near``, nearest first) and its 24-name cap;
* ``uncapped``: the same names, no cap;
* ``called``: names followed by ``(`` near the cursor first, then the others, each nearest first;
* ``after-dot``: names after a ``.`` last;
* ``span3000``: ``names_near`` reading 3,000 bytes back, not 1,500;
* ``one-each``: one definition a name, not two.

Then, for each variant after the first, the needs it meets that the first does not (gained) and
those the first meets that it does not (lost), by site id and need: a variant's total can hide
losses; and the needs the first variant meets that the prompts served did not, and the reverse
(the server's time box, its window, a reuse of the snippets chosen before).

    python tests/bench/bench_names_order.py /tmp/deepseek-lsp-recall/recall.json [--variants nearest,uncapped]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.completion.prompting import cursor_names, cursor_snippets  # noqa: E402
from deepseek_lsp.context import ContextRequest, Indexer, enclosing_scopes, lookup, names_near  # noqa: E402
from deepseek_lsp.context import snippets as snippets_module  # noqa: E402
from deepseek_lsp.documents import Document, DocumentStore  # noqa: E402
from deepseek_lsp.model.tokens import default_counter  # noqa: E402
from deepseek_lsp.prompts import build_fim_prompt  # noqa: E402
from tests.bench.recall.analyze import DEFAULT_EXCLUDE, REGISTRY, fitted, workspace_symbols  # noqa: E402
from tests.bench.recall.corpus import site_text  # noqa: E402
from tests.bench.recall.needs import def_pattern  # noqa: E402

_CALLED = re.compile(rb"([A-Za-z_$][\w$]*)\s*\(")
_AFTER_DOT = re.compile(rb"\.([A-Za-z_$][\w$]*)")
Order = Callable[[Document, int, list[str]], list[str]]


def _near(doc: Document, offset: int, pattern: re.Pattern[bytes]) -> set[str]:
    return {m.group(1).decode() for m in pattern.finditer(doc.data[max(0, offset - 1500) : offset + 500])}


VARIANTS: dict[str, tuple[int, int, Order]] = {  # (names cap, definitions a name, order)
    "nearest": (24, 2, lambda doc, at, names: names),
    "uncapped": (10_000, 2, lambda doc, at, names: names),
    "called": (24, 2, lambda doc, at, names: sorted(names, key=lambda n: n not in _near(doc, at, _CALLED))),
    "after-dot": (24, 2, lambda doc, at, names: sorted(names, key=lambda n: n in _near(doc, at, _AFTER_DOT))),
    "span3000": (24, 2, lambda doc, at, names: names_near(doc.language, doc.tree, doc.data, at, span=3000)),
    "one-each": (24, 1, lambda doc, at, names: names),
}


def sent(doc: Document, offset: int, root: Path, store: DocumentStore, indexer: Indexer, names: list[str]) -> list[str]:
    """The texts of the snippets sent, as the server chooses them (``cursor_snippets``, with the
    workspace's symbol table crawled whole; no time box): of the first 8, those the extras'
    share holds."""
    assert doc.language is not None
    symbols = workspace_symbols(root, doc.language.name)
    req = ContextRequest(doc, offset, [], [], [root], DEFAULT_EXCLUDE, time.monotonic() + 30, open_uris=store, symbols=symbols)
    scopes = enclosing_scopes(doc.language, doc.tree, doc.data, offset)
    narrowest = build_fim_prompt(
        doc, offset, budget=2048, suffix_share=0.1, count=default_counter().count, scopes=scopes,
        line_comment=doc.language.spec.line_comment, narrowest=True,
    )  # fmt: skip
    seen = (narrowest.window_start, narrowest.window_end)
    return fitted(cursor_snippets(indexer, req, names, seen, scopes), doc.language.spec.line_comment or "#")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recall", help="bench_context_recall.py's --out file")
    parser.add_argument("--workdir", default=None, help="its --workdir (default: the file's folder)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    workdir = Path(args.workdir or Path(args.recall).parent)
    ws = workdir / "ws"
    rows = {r["id"]: r for r in map(json.loads, (workdir / "prompts.jsonl").open())}
    variants = [v for v in args.variants.split(",") if v]
    found = dict.fromkeys(variants, 0)
    met: dict[str, set[tuple[str, int]]] = {v: set() for v in variants}
    indexers: dict[str, Indexer] = {}
    total = 0
    sites: list[dict[str, Any]] = json.loads(Path(args.recall).read_text())["sites"]
    for site in (s for s in sites if s.get("needs")):
        row = rows[site["id"]]
        root = ws / row["project"]
        text = site_text(ws, row)
        lines = text.split("\n")
        offset = len("\n".join(lines[: row["line"]]).encode()) + (1 if row["line"] else 0) + row["col"]
        store = DocumentStore(REGISTRY)
        doc = store.open((root / row["file"]).as_uri(), text, row["language"], 1)
        indexer = indexers.setdefault(row["project"], Indexer(REGISTRY))
        nearest = cursor_names(doc, offset, enclosing_scopes(doc.language, doc.tree, doc.data, offset))
        patterns = [def_pattern(n["target"], row["language"] == "python") for n in site["needs"]]
        total += len(patterns)
        for variant in variants:
            cap, each, order = VARIANTS[variant]
            snippets_module.MAX_NAMES, lookup.MAX_PER_NAME, snippets_module.MAX_PER_NAME = cap, each, each
            texts = sent(doc, offset, root, store, indexer, order(doc, offset, nearest))
            hits = [i for i, p in enumerate(patterns) if any(p.search(t) for t in texts)]
            found[variant] += len(hits)
            met[variant].update((site["id"], i) for i in hits)
    print(f"{total} needs; definitions sent: " + ", ".join(f"{v} {n}" for v, n in found.items()))
    # A variant's gains may hide losses: the needs met by the first variant and not by another.
    first = variants[0]
    served = {(s["id"], i) for s in sites for i, n in enumerate(s.get("needs") or []) if n.get("found")}
    print(f"{first} vs the prompts served: met offline alone {sorted(met[first] - served)}; in the prompts alone {sorted(served - met[first])}")
    for v in variants[1:]:
        print(f"{v} vs {first}: +{len(met[v] - met[first])} -{len(met[first] - met[v])}: lost {sorted(met[first] - met[v])} gained {sorted(met[v] - met[first])}")


if __name__ == "__main__":
    main()
