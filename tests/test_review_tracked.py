"""Findings followed key by key (review/tracked.py) against following them all anew after each
key: the same findings, at the same places, with the same diagnostics, and the editor told the
same thing."""

from __future__ import annotations

import random

from lsprotocol import types

from deepseek_lsp.documents import Document
from deepseek_lsp.review.findings import Finding, follow_edits
from deepseek_lsp.review.publishing import as_diagnostic
from deepseek_lsp.review.tracked import Change, TrackedFindings
from tests.review_support import PYTHON

LINES = ["def f(x):", "    data = read(path)", "    return é + data", "", "\tvalue = x  # ünï", "pass"]


def _finding(n: int, text: bytes, start: int, end: int, *, fix: str | None = None, base: str | None = None) -> Finding:
    code = text[start:end].decode("utf-8", "replace")
    return Finding(f"id{n}", ("critical", "warning", "info")[n % 3], f"m{n}", code, start, end, fix, 0.9, "u", f"fp{n}", base)


def _findings(rng: random.Random, text: bytes) -> list[Finding]:
    """Short findings on words, some with a multi-line fix; a few long ones over many lines,
    whose start is far before the others they hold."""
    out = []
    starts = [i for i in range(len(text)) if text[i : i + 1].isalpha() and (i == 0 or not text[i - 1 : i].isalnum())]
    for n, start in enumerate(rng.sample(starts, min(len(starts), 60))):
        end = start
        while end < len(text) and text[end : end + 1] not in (b"\n", b" "):
            end += 1
        line_start = text.rfind(b"\n", 0, start) + 1
        head = text[line_start:start]
        fix, base = None, None
        if n % 4 == 0 and not head.strip():
            fix, base = "try:\n" + head.decode() + "    pass\n" + head.decode() + "except OSError:\n    pass", head.decode()
        elif n % 4 == 1:
            fix = text[start:end].decode("utf-8", "replace") + " or 0"
        out.append(_finding(n, text, start, end, fix=fix, base=base))
    for n in range(3):
        start = rng.choice(starts[: len(starts) // 2])
        end = text.find(b"\n", start + rng.randrange(200, 900))
        if end > start:
            out.append(_finding(100 + n, text, start, end))
    return out


def _edit(rng: random.Random, text: str) -> tuple[int, int, str]:
    at = rng.randrange(len(text) + 1)
    kind = rng.randrange(7)
    if kind == 0:
        return at, at, rng.choice(["x", "é", "_", " ", "\t"])
    if kind == 1:
        return at, at, "\n"
    if kind == 2:
        return at, at, "# a\n# b\n"
    if kind == 3:  # a line joined to the next (Backspace at a line's start)
        nl = text.find("\n", at)
        return (nl, nl + 1, "") if nl >= 0 else (at, at, "y")
    if kind == 4:  # a character replaced by one of another width ("é" over "ab")
        return at, min(len(text), at + 2), "é"
    if kind == 5:  # a fix typed right after a word
        return at, at, " or 0"
    return at, min(len(text), at + rng.randrange(1, 12)), ""


def _position(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return types.Position(line=line, character=len(text[offset - column : offset].encode("utf-16-le")) // 2)


def _said(d: types.Diagnostic) -> tuple[object, ...]:
    return (d.data, d.message, d.severity)


def _run(seed: int, *, publish_every: int) -> None:
    rng = random.Random(seed)
    text = "\n".join(rng.choice(LINES) for _ in range(400)) + "\n"
    doc = Document("file:///t.py", text, language=PYTHON)
    full = _findings(rng, doc.data)
    tracked = TrackedFindings(full)
    full = tracked.findings()  # in the order shown

    def make(f: Finding) -> types.Diagnostic:
        return as_diagnostic(doc, f)

    shown = tracked.diagnostics(make)
    moved = False  # since the last publish
    for step in range(300):
        start, end, new = _edit(rng, text)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=_position(text, start), end=_position(text, end)), text=new
        )
        edit = doc.apply_change(change)
        text = text[:start] + new + text[end:]
        assert edit.start_line >= 0
        told = tracked.follow(edit, doc.data, make)
        moved = moved or told is Change.MOVED
        full, _ = follow_edits(full, [edit], doc.data)
        if step % 5 == 0:  # a code action asked for at the key (its findings only settle)
            lo, hi = sorted((start, start + rng.randrange(40)))
            lo, hi = len(text[:lo].encode()), len(text[:hi].encode())
            assert tracked.about((), lo, hi) == [f for f in full if f.start <= hi and lo <= f.end], (seed, step)
        if told is not Change.CHANGED and step % publish_every:
            # Left to a later publish: only moves, never a finding gone or saying otherwise.
            assert [_said(make(f)) for f in full] == [_said(d) for d in shown], (seed, step)
            continue
        assert tracked.findings() == full, (seed, step)
        now = tracked.diagnostics(make)
        assert now == [make(f) for f in full], (seed, step)
        if told is not Change.CHANGED:
            assert [_said(d) for d in now] == [_said(d) for d in shown], (seed, step)
        if told is not Change.CHANGED and not moved:
            assert [d.range for d in now] == [d.range for d in shown], (seed, step)
        if publish_every == 1 and [d.range for d in now] != [d.range for d in shown]:
            assert told is not Change.NONE, (seed, step)
        moved = False
        shown = now


def test_followed_key_by_key_as_all_anew() -> None:
    """Long findings reaching over others from far before an edit, overlapping ones, fixes whose
    indentation follows their line, columns changed with no byte moved: all as a full
    recomputation has them, after each of 300 keys."""
    for seed in range(6):
        _run(seed, publish_every=1)


def test_followed_with_diagnostics_read_now_and_then() -> None:
    """The offset owed by the findings after the keys settled in any order: keys here and
    there, diagnostics read every few keys (as the deferred publishes read them)."""
    for seed in range(6, 12):
        _run(seed, publish_every=7)


def test_an_edit_inside_a_long_finding_far_below_its_start_drops_it() -> None:
    """Only the findings starting near a key are looked at again; one whose code starts many
    findings before the key and reaches past it is among them."""
    text = "".join(f"x{n} = {n}\n" for n in range(200)).encode()
    doc = Document("file:///t.py", text.decode(), language=PYTHON)
    long = _finding(0, text, 0, text.index(b"x150"))
    short = [_finding(n, text, text.index(f"x{n} ".encode()), text.index(f"x{n} ".encode()) + len(f"x{n}")) for n in range(1, 200)]
    tracked = TrackedFindings([long, *short])
    tracked.diagnostics(lambda f: as_diagnostic(doc, f))
    at = text.index(b"= 120")
    edit = doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=120, character=5), end=types.Position(line=120, character=5)),
            text="1",
        )
    )
    assert edit.start_byte == at
    assert tracked.follow(edit, doc.data, lambda f: as_diagnostic(doc, f)) is Change.CHANGED
    assert "id0" not in {f.id for f in tracked.findings()}
    assert len(tracked) == 199
