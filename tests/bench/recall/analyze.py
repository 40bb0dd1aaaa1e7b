"""Recall of the extra context in the recorded prompts: what each site needed (``needs``), whether
the extra context holds each definition, and a diagnosis of every miss by replaying the server's
own context steps in-process (names_near, import resolution, indexes, caps, token budget)."""

from __future__ import annotations

import collections
import functools
import re
import sys
import time
from pathlib import Path
from typing import Any

from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import ContextRequest, Indexer, Snippet, gather_snippets, names_near
from deepseek_lsp.context.lookup import _looked_up
from deepseek_lsp.documents import DocumentStore
from deepseek_lsp.imports import resolve_local_imports_cached
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model.tokens import default_counter
from deepseek_lsp.prompts import EXTRAS_SHARE, _fitting_snippets
from deepseek_lsp.workspace_symbols import WorkspaceSymbols
from tests.bench.recall.corpus import PROJECTS, Def, project_defs, site_text
from tests.bench.recall.needs import def_pattern, needed

REGISTRY = LanguageRegistry.load()
COUNT = default_counter().count
BUDGET = 2048
LANGUAGES = ("python", "typescript", "javascript")
KINDS = ("imported", "module_attr", "member")


@functools.cache
def workspace_symbols(root: Path, language: str) -> WorkspaceSymbols:
    """The workspace's symbol table as the server has it once its crawl is over (every file of
    ``language``'s family under ``root``, up to ``completion.workspaceIndexFiles``): the prompts
    served have its names (a member of a class the file never imports), and a replay without it
    missed them (email's and pygls's: 33 of 641 needs)."""
    symbols = WorkspaceSymbols(REGISTRY)
    for path in symbols.plan([root], DEFAULT_EXCLUDE, [root], language):
        for _step in symbols.index_steps(path):
            pass
    return symbols


def fitted(snippets: list[Snippet], comment: str) -> list[str]:
    """The texts of ``snippets`` a prompt holds at the extras' share of the budget, uncommented:
    the server's own choice (``_fitting_snippets``: by rank, the nearest name's definition first,
    one too long as a shorter form or its signature). Replayed in the order sent (by path), the
    definitions of files named later in the alphabet were counted cut, the nearest name's often."""
    blocks, _, _ = _fitting_snippets(snippets, comment, int(BUDGET * EXTRAS_SHARE), COUNT)
    lead = comment + " "
    return ["\n".join(line.removeprefix(lead) for line in block.split("\n")) for block in blocks]


def split_prompt(prompt: str, basename: str, comment: str) -> tuple[str, str]:
    """(extra context, the rest) of a prompt. The file's label is its path in the workspace
    (``email/_parseaddr.py``), or its name alone."""
    found = re.search(rf"\n\n{re.escape(comment)} Path: (?:[^\n]*/)?{re.escape(basename)}\n", prompt)
    if found is None:
        return "", prompt
    i = found.start()
    extras = prompt[:i]
    if not all(line.startswith(comment) for line in extras.split("\n")):
        return "", prompt
    return extras, prompt[i + 2:]


def uncomment(extras: str, comment: str) -> str:
    out = []
    for line in extras.split("\n"):
        if line.startswith(comment + " Path: "):
            out.append("")
            continue
        out.append(line[len(comment) + 1:] if line.startswith(comment + " ") else line[len(comment):])
    return "\n".join(out)


def window_of(doc_before: str, rest: str) -> str:
    """The part of the document before the cursor that the prompt holds."""
    starts = [0] + [m.end() for m in re.finditer("\n", doc_before)]
    for k in starts:
        if rest.endswith(doc_before[k:]):
            return doc_before[k:]
    return rest


class Diagnoser:
    def __init__(self, ws: Path, project: str) -> None:
        self.root = ws / project
        self.indexer = Indexer(REGISTRY)

    def diagnose(self, site: dict[str, Any], need: dict[str, Any], text: str) -> dict[str, Any]:
        root = self.root
        lang_id = site["language"]
        store = DocumentStore(REGISTRY)
        doc = store.open((root / site["file"]).as_uri(), text, lang_id, 1)
        lines = text.split("\n")
        offset = len("\n".join(lines[: site["line"]]).encode()) + (1 if site["line"] else 0) + site["col"]
        lang = doc.language
        names = names_near(lang, doc.tree, doc.data, offset)
        own = self.indexer.for_document(doc)
        # As the server looks names up: no one-letter names or dunders, aliases followed; the
        # caps (names with a definition, snippets) are replayed by gather_snippets below.
        wanted = _looked_up(names, own.aliases)
        target, bound = need["target"], need["name"]
        info: dict[str, Any] = {"in_names": bound in names, "name_rank": names.index(bound) if bound in names else None,
                                "n_names": len(names), "in_wanted": target in wanted}
        sources = list(dict.fromkeys([*own.import_sources, *own.submodule_sources]))
        resolved = resolve_local_imports_cached(sources[:96], root / site["file"], [root], lang.name, lang.spec.imports)[:48]
        resolved_rel = [str(p.relative_to(root)) for p in resolved if p.is_relative_to(root)]
        info["resolved_files"] = len(resolved_rel)
        reached = [f for f in need["files"] if f in resolved_rel]
        info["def_file_resolved"] = bool(reached)
        indexed = []
        for f in reached:
            idx = self.indexer.for_file(root / f)
            if idx is not None and target in idx.definitions:
                indexed.append(f)
        info["def_indexed"] = bool(indexed)
        if need.get("source"):
            info["source_resolved"] = need["source"] in resolved_rel or need["source"] == site["file"]
        # the server's own gathering, without a time box, with and without the snippet cap
        symbols = workspace_symbols(root, lang.name)
        req = ContextRequest(doc, offset, [], [], [root], DEFAULT_EXCLUDE, time.monotonic() + 30, open_uris=store, symbols=symbols)
        pat = def_pattern(target, lang_id == "python")
        window = (max(0, offset - 6000), offset + 2000)
        capped = gather_snippets(self.indexer, req, window, names, max_snippets=8)
        info["in_capped"] = any(pat.search(s.text) for s in capped)
        uncapped = gather_snippets(self.indexer, req, window, names, max_snippets=10_000)
        info["in_uncapped"] = any(pat.search(s.text) for s in uncapped)
        info["n_uncapped"] = len(uncapped)
        # the token budget: does the block fit, given the others' ranks (as the server fits them)?
        fits = any(pat.search(t) for t in fitted(capped, lang.spec.line_comment)) if info["in_capped"] else None
        info["fits_budget"] = fits
        return info


_IMPORT_LINE = re.compile(r"^\s*(?:from\s+\S+\s+import\b|import\b|(?:const|let|var)\s+.*=\s*require\()")


def classify(need: dict[str, Any], diag: dict[str, Any], line: str) -> str:
    """The cause of a miss, from the diagnosis."""
    if _IMPORT_LINE.match(line):
        return "the import statement itself is being typed"
    if need.get("own_attribute"):
        return "the file's own attribute (the finder's member heuristic; not looked up)"
    # Through a barrel (``export *``, ``__init__``) the server follows the name where it looks
    # it up: the cause is what kept it out, as for a name imported directly (all such misses
    # were "re-exported", whatever kept them out: mostly names not near the cursor, or capped).
    via = ""
    if not diag["def_file_resolved"]:
        if need["kind"] == "member":
            return "member: class file not imported"
        if not diag.get("source_resolved"):
            return "import not resolved"
        via = "re-exported, "
    elif not diag["def_indexed"]:
        return "definition not indexed (query gap)"
    if not diag["in_names"]:
        if need["visible"]:
            return via + "in the window, beyond names_near's span (1500 B before, 500 B after)"
        return via + "only in the text to be typed (not near the cursor)"
    if not diag["in_wanted"]:
        return via + "not looked up (a dunder or a one-letter name)"
    if diag["in_capped"]:
        if diag["fits_budget"] is False:
            return via + "cut by the token budget (EXTRAS_SHARE)"
        return via + "found offline but not sent (time box / reuse)"
    if diag["in_uncapped"]:
        return via + "cut by the snippet cap (8)"
    if via:
        return via + "not reached (the names cap, or the barrel not followed to it)"
    return "cut by the names cap (24 names with a definition) or a name's 2 definitions"


def _snippet_heads(extras_raw: str, comment: str) -> list[str]:
    heads = []
    for block in re.split(rf"^{re.escape(comment)} Path: .*\n", extras_raw, flags=re.M)[1:]:
        code = [ln[len(comment) + 1:].strip() for ln in block.split("\n") if ln.strip() != comment]
        code = [c for c in code if c and not c.startswith("@")]
        m = re.search(r"(?:def|class|function|interface|type|const|let|var|enum)\s+\*?\s*([\w$]+)|^(?:(?:static|async|get|set|public|private|protected|export|default|abstract|override|readonly)\s+)*([\w$]+)\s*[<(]", code[0]) if code else None
        heads.append((m.group(1) or m.group(2)) if m else "?")
    return heads


def analyze(ws: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per site: needs with found/visible flags, and a diagnosis and cause per miss."""
    tables: dict[str, dict[str, list[Def]]] = {}
    diagnosers: dict[str, Diagnoser] = {}
    sites_out: list[dict[str, Any]] = []
    for row in rows:
        proj = row["project"]
        if proj not in tables:
            tables[proj] = project_defs(ws, proj)
            diagnosers[proj] = Diagnoser(ws, proj)
        python = row["language"] == "python"
        comment = "#" if python else "//"
        basename = row["file"].rsplit("/", 1)[-1]
        text = site_text(ws, row)
        before = text[: len("\n".join(text.split("\n")[: row["line"]])) + (1 if row["line"] else 0) + row["col"]]
        rec: dict[str, Any] = {"id": row["id"], "sample": row["sample"], "project": proj, "language": row["language"],
                               "file": row["file"], "line": row["line"], "cut": row["cut"], "needs": []}
        per: dict[str, dict[str, str] | None] = {}
        for tag in ("cold", "warm"):
            p = row[tag]
            if not p["prompt"]:
                per[tag] = None
                continue
            extras, rest = split_prompt(p["prompt"], basename, comment)
            per[tag] = {"extras": uncomment(extras, comment), "extras_raw": extras, "rest": rest,
                        "suffix": p["suffix"] or ""}
        w, cold = per["warm"], per["cold"]
        if w is None:
            rec["error"] = "no backend request"
            sites_out.append(rec)
            continue
        window = window_of(before, w["rest"])
        rec.update(prompt_tokens=COUNT(row["warm"]["prompt"]),
                   extras_tokens=COUNT(w["extras_raw"]) if w["extras_raw"] else 0,
                   suffix_tokens=COUNT(w["suffix"]), extras_empty=not w["extras_raw"],
                   n_snippets=w["extras_raw"].count(f"{comment} Path: "),
                   cold_extras_empty=cold is None or not cold["extras_raw"],
                   snippet_names=_snippet_heads(w["extras_raw"], comment))
        near_text = window + "\n" + w["suffix"]
        for need in needed(ws, row, tables[proj]):
            pat = def_pattern(need["target"], python)
            item = {**need, "found": bool(pat.search(w["extras"])),
                    "cold_found": bool(cold and pat.search(cold["extras"])),
                    "visible": bool(re.search(rf"(?<![\w$]){re.escape(need['name'])}(?![\w$])", near_text))}
            if not item["found"]:
                item["diag"] = diagnosers[proj].diagnose(row, need, text)
                item["cause"] = classify(item, item["diag"], row["typed_before"] + row["removed"])
            rec["needs"].append(item)
        sites_out.append(rec)
        print(f"\r  analyzed {len(sites_out)}/{len(rows)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return sites_out


# ---------------------------------------------------------------- figures
def recall(items: list[dict[str, Any]]) -> str:
    n = len(items)
    f = sum(i["found"] for i in items)
    return f"{f}/{n} = {f / n:.0%}" if n else "-"


def _vis(items: list[dict[str, Any]]) -> str:
    return (f"{recall(items):14} visible {recall([n for n in items if n['visible']]):14}"
            f" typed-only {recall([n for n in items if not n['visible']])}")


def report(sites: list[dict[str, Any]], title: str) -> None:
    """The figures of one sample (or of several together)."""
    ok = [s for s in sites if "error" not in s]
    print(f"\n== {title}: sites {len(sites)} (answered {len(ok)}), projects {len({s['project'] for s in sites})}")
    if not ok:
        return
    needs = [dict(n, project=s["project"], language=s["language"]) for s in ok for n in s["needs"]]
    print(f"overall        {_vis(needs)}   | cold (first request) {sum(n['cold_found'] for n in needs)}/{len(needs)}")
    print(f"  without the needs that are the file's own attributes   {_vis([n for n in needs if not n.get('own_attribute')])}")
    imp = [n for n in needs if n["kind"] != "member"]
    print(f"import-based   {_vis(imp)}")
    for lang in LANGUAGES:
        print(f"  {lang:12} {_vis([n for n in needs if n['language'] == lang])}")
    for kind in KINDS:
        print(f"  {kind:12} {_vis([n for n in needs if n['kind'] == kind])}")
    print("per project:")
    for proj in PROJECTS:
        sub = [n for n in needs if n["project"] == proj]
        ss = [s for s in ok if s["project"] == proj]
        if not ss:
            continue
        share = sum(s["extras_tokens"] for s in ss) / max(1, sum(s["prompt_tokens"] for s in ss))
        print(f"  {proj:10} sites {len(ss):3}  needs {len(sub):3}  recall {_vis(sub):60}"
              f" extras-empty {sum(s['extras_empty'] for s in ss):2}  extras share {share:.0%}")
    share = sum(s["extras_tokens"] for s in ok) / max(1, sum(s["prompt_tokens"] for s in ok))
    print(f"extras share of prompt tokens {share:.1%}; extras empty at {sum(s['extras_empty'] for s in ok)}/{len(ok)} sites "
          f"(cold: {sum(s['cold_extras_empty'] for s in ok)}); mean snippets {sum(s['n_snippets'] for s in ok) / len(ok):.1f}; "
          f"mean prompt tokens {sum(s['prompt_tokens'] for s in ok) / len(ok):.0f}")
    for lang in LANGUAGES:
        ls = [s for s in ok if s["language"] == lang]
        if ls:
            lshare = sum(s["extras_tokens"] for s in ls) / max(1, sum(s["prompt_tokens"] for s in ls))
            print(f"  {lang:12} extras empty {sum(s['extras_empty'] for s in ls)}/{len(ls)}, share {lshare:.1%}")
    names = [h for s in ok for h in s.get("snippet_names", [])]
    dunder = sum(1 for h in names if h.startswith("__") and h.endswith("__"))
    dup = sum(len(s["snippet_names"]) - len(set(s["snippet_names"])) for s in ok)
    full = sum(1 for s in ok if s["n_snippets"] >= 8)
    all_init = sum(1 for s in ok if s["snippet_names"] and all(h == "__init__" for h in s["snippet_names"]))
    print(f"snippets sent {len(names)}: dunder definitions (__init__ ...) {dunder} ({dunder / max(1, len(names)):.0%}), "
          f"2nd+ definition of a name already sent {dup} ({dup / max(1, len(names)):.0%}); sites with 8 snippets {full}; "
          f"sites whose snippets are all __init__ {all_init}")
    misses = [n for n in needs if not n["found"]]
    causes = collections.Counter(n["cause"] for n in misses)
    print("miss causes (warm):" if causes else "miss causes (warm): none")
    for c, k in causes.most_common():
        vis = sum(1 for n in misses if n["cause"] == c and n["visible"])
        kinds = dict(collections.Counter(n["kind"] for n in misses if n["cause"] == c))
        print(f"  {k:4} (visible {vis:3})  {c}   {kinds}")
    tb = [n for n in needs if n["found"] and not n["cold_found"]]
    print(f"found warm but not cold (time box on a first request): {len(tb)}")


def figures(sites: list[dict[str, Any]]) -> dict[str, Any]:
    """The headline numbers, for ``--out``."""
    ok = [s for s in sites if "error" not in s]
    needs = [dict(n, project=s["project"], language=s["language"]) for s in ok for n in s["needs"]]

    def rate(items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"found": sum(i["found"] for i in items), "needs": len(items),
                "recall": round(sum(i["found"] for i in items) / len(items), 4) if items else None}

    def block(items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"all": rate(items), "visible": rate([n for n in items if n["visible"]]),
                "typed_only": rate([n for n in items if not n["visible"]])}

    return {
        "sites": len(sites), "answered": len(ok),
        "overall": block(needs), "import_based": block([n for n in needs if n["kind"] != "member"]),
        "without_own_attributes": block([n for n in needs if not n.get("own_attribute")]),
        "per_language": {lang: block([n for n in needs if n["language"] == lang]) for lang in LANGUAGES},
        "per_kind": {k: block([n for n in needs if n["kind"] == k]) for k in KINDS},
        "per_project": {p: block([n for n in needs if n["project"] == p]) for p in PROJECTS
                        if any(s["project"] == p for s in ok)},
        "miss_causes": dict(collections.Counter(n["cause"] for n in needs if not n["found"]).most_common()),
        "extras_share": round(sum(s["extras_tokens"] for s in ok) / max(1, sum(s["prompt_tokens"] for s in ok)), 4),
        "extras_empty": sum(s["extras_empty"] for s in ok),
        "cold_extras_empty": sum(s["cold_extras_empty"] for s in ok),
    }
