"""What a bare ``self.|`` (``this.|``) brings of the members its class inherits, on real projects.

Sites: in the recall projects' Python and TypeScript files (``bench_context_recall.py --workdir``),
lines inside a class's method that start with ``self.NAME`` or ``this.NAME`` where ``NAME`` is
defined in no line of the file and by some other file of the project (an inherited member, as
far as text tells: an independent finder). The rest of the line after the dot is removed and
the cursor put there. The snippets are chosen offline as the server chooses them
(``bench_names_order.sent``: ``cursor_snippets``, the workspace's symbol table, the extras'
share of a 2,048-token budget) with the classes the class inherits from and without them
(``bases_at_cursor`` left out), and a site's need is met where a snippet sent holds ``NAME``'s
definition or its line in a class's outline. Prints the needs met each way, the snippets' CPU.

    python tests/bench/bench_self_dot.py [--workdir /tmp/deepseek-lsp-recall] [--sites 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deepseek_lsp.completion.prompting import cursor_names  # noqa: E402
from deepseek_lsp.context import Indexer, enclosing_scopes  # noqa: E402
from deepseek_lsp.context import snippets as snippets_module  # noqa: E402
from deepseek_lsp.documents import DocumentStore  # noqa: E402
from tests.bench.bench_names_order import sent  # noqa: E402
from tests.bench.recall.analyze import REGISTRY, workspace_symbols  # noqa: E402
from tests.bench.recall.corpus import PROJECTS  # noqa: E402

LANGUAGES = {".py": "python", ".ts": "typescript"}
_USE = {"python": re.compile(r"^(\s+)self\.([A-Za-z_]\w*)"), "typescript": re.compile(r"^(\s+)this\.([A-Za-z_$][\w$]*)")}


def _defined(name: str, language: str) -> re.Pattern[str]:
    if language == "python":
        return re.compile(rf"^\s*(?:async\s+)?def\s+{name}\s*\(|^\s*{name}\s*[:=]|self\.{name}\s*[:=][^=]", re.M)
    return re.compile(rf"^\s*(?:(?:public|private|protected|static|readonly|async|get|set|abstract|override)\s+)*{re.escape(name)}\s*[(:=<?!]", re.M)


def sites(root: Path, count: int, rng: random.Random) -> list[tuple[Path, str, int, str]]:
    """(file, text cut after the dot, offset, member) for up to ``count`` sites of ``root``."""
    files = sorted(p for p in root.rglob("*") if p.suffix in LANGUAGES and p.is_file() and "test" not in p.name)
    texts = {p: p.read_text(errors="replace") for p in files}
    found: list[tuple[Path, str, int, str]] = []
    for path in rng.sample(files, len(files)):
        language = LANGUAGES[path.suffix]
        text = texts[path]
        lines = text.split("\n")
        for i in rng.sample(range(len(lines)), len(lines)):
            m = _USE[language].match(lines[i])
            if m is None:
                continue
            name = m.group(2)
            pattern = _defined(name, language)
            if pattern.search(text) or not any(pattern.search(t) for p, t in texts.items() if p != path and p.suffix == path.suffix):
                continue
            cut = "\n".join([*lines[:i], lines[i][: m.end(1) + 5]])
            found.append((path, cut + "\n" + "\n".join(lines[i + 1 :]), len(cut.encode()), name))
            break
        if len(found) >= count:
            break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="/tmp/deepseek-lsp-recall")
    parser.add_argument("--sites", type=int, default=40, help="sites per project (one a file at most)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ws = Path(args.workdir) / "ws"
    keep = snippets_module.bases_at_cursor
    met = {"without bases": 0, "with bases": 0}
    cpu: dict[str, list[float]] = {k: [] for k in met}
    total = 0
    per_site: dict[str, list[bool]] = {k: [] for k in met}
    for project, (language, *_rest) in PROJECTS.items():
        root = ws / project
        if language not in ("python", "typescript") or not root.is_dir():
            continue
        workspace_symbols(root, language)  # (built once, as the server's crawl)
        found = sites(root, args.sites, random.Random(f"{args.seed}:{project}"))
        got = dict.fromkeys(met, 0)
        indexer = Indexer(REGISTRY)  # warm after a site's first choice, as the server's
        for path, text, offset, name in found:
            store = DocumentStore(REGISTRY)
            doc = store.open(path.as_uri(), text, language, 1)
            assert doc.language is not None and doc.tree is not None
            names = cursor_names(doc, offset, enclosing_scopes(doc.language, doc.tree, doc.data, offset))
            need = re.compile(rf"(?<![\w$]){re.escape(name)}\s*[(:=<?!]")
            for variant in met:
                snippets_module.bases_at_cursor = keep if variant == "with bases" else (lambda *_a, **_k: [])
                sent(doc, offset, root, store, indexer, names)
                started = time.process_time()
                texts = sent(doc, offset, root, store, indexer, names)
                cpu[variant].append(time.process_time() - started)
                hit = any(need.search(t) for t in texts)
                got[variant] += hit
                per_site[variant].append(hit)
        total += len(found)
        for variant in met:
            met[variant] += got[variant]
        print(f"{project}: {len(found)} sites, " + ", ".join(f"{v} {n}" for v, n in got.items()), flush=True)
    snippets_module.bases_at_cursor = keep
    print(f"{total} sites; inherited member's definition sent: " + ", ".join(f"{v} {n}" for v, n in met.items()))
    pairs = list(zip(per_site["without bases"], per_site["with bases"], strict=True))
    print(f"with bases: gained {sum(b and not a for a, b in pairs)}, lost {sum(a and not b for a, b in pairs)}")
    print("snippets' CPU a site (files read before), median ms: "
          + ", ".join(f"{v} {statistics.median(c) * 1000:.1f}" for v, c in cpu.items() if c))


if __name__ == "__main__":
    main()
