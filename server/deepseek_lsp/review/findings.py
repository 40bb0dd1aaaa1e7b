"""The model's answer: parsed leniently, then each finding placed on the exact code it quotes.

Models miscount lines, so a finding's place comes from its ``code`` excerpt, found in the text
by the server (whitespace differences tolerated); ``line`` only picks between several
occurrences. A finding that cannot be placed is dropped rather than shown in the wrong place.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..documents import Document
from ..languages import LanguageError
from ..model.json_answer import FENCE, load_json_answer, unfence
from ..privacy import REDACTED

SEVERITIES = ("critical", "warning", "info")
_SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
# Words models use instead of ours; anything else unknown reads as "warning".
_SEVERITY_ALIASES = {
    "error": "critical",
    "high": "critical",
    "blocker": "critical",
    # The worst words were read as "warning": hidden by minSeverity "critical".
    "fatal": "critical",
    "severe": "critical",
    "security": "critical",
    "major": "warning",
    "medium": "warning",
    "minor": "info",
    "low": "info",
    "note": "info",
    "suggestion": "info",
    "style": "info",
    "hint": "info",
    # The mildest (and LSP's own "Information") were shown as warnings.
    "information": "info",
    "informational": "info",
    "nit": "info",
    "nitpick": "info",
    "trivial": "info",
    "optional": "info",
}
#: A confidence said in words (read as 1: "low" passed any minConfidence).
_CONFIDENCE_WORDS = {
    "very high": 0.95,
    "high": 0.9,
    "medium": 0.6,
    "moderate": 0.6,
    "low": 0.3,
    "very low": 0.1,
}
_LINE_PREFIX = re.compile(r"^[ \t]*\d+[ \t]*\| ?")
_IDENT = re.compile(r"\w")
_ELLIPSIS = re.compile(r"\.\.\.|…")
#: An excerpt shortened with an ellipsis may skip at most this many lines.
MAX_ELIDED_LINES = 60
MAX_MESSAGE_CHARS = 300


def severity_rank(severity: str) -> int:
    """0 for critical … 2 for info: lower is more severe."""
    return _SEVERITY_RANK.get(severity, len(SEVERITIES))


def at_least(severity: str, threshold: str) -> bool:
    return severity_rank(severity) <= severity_rank(threshold)


@dataclass(frozen=True)
class RawFinding:
    """One finding as the model gave it (validated and normalized, not yet placed)."""

    severity: str
    code: str
    message: str
    suggestion: str | None = None
    confidence: float = 1.0
    line: int | None = None  # 1-based hint

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "suggestion": self.suggestion,
            "confidence": self.confidence,
            "line": self.line,
        }

    @classmethod
    def from_json(cls, raw: Any) -> RawFinding | None:
        """Validate one item of the model's ``findings`` list (also reads our cached rows); an
        item that cannot be read is None, never an exception that ends the whole review."""
        try:
            return cls._from_json(raw)
        except (ValueError, TypeError, OverflowError, RecursionError):
            return None

    @classmethod
    def _from_json(cls, raw: Any) -> RawFinding | None:
        if not isinstance(raw, dict):
            return None
        code = raw.get("code")
        message = raw.get("message")
        if not isinstance(code, str) or not isinstance(message, str):
            return None
        # JSON may hold half an emoji ("\ud83d"): a lone surrogate no UTF-8 output can carry.
        message = _whole(message)
        code = clean_excerpt(code)
        message = " ".join(message.split())[:MAX_MESSAGE_CHARS]
        if not code.strip() or not message:
            return None
        suggestion = raw.get("suggestion")
        if not isinstance(suggestion, str) or _whole(suggestion) != suggestion:
            suggestion = None  # a fix must never write a broken character into the code
        elif suggestion:
            suggestion = _undiffed(clean_excerpt(suggestion), code)
            if _says_no_fix(suggestion, code):
                suggestion = None
        return cls(
            severity=_severity(raw.get("severity")),
            code=code,
            message=message,
            suggestion=suggestion or None,
            confidence=_confidence(raw.get("confidence")),
            line=_line(raw.get("line")),
        )


def _undiffed(suggestion: str, code: str) -> str:
    """The new lines of a suggestion written as a diff (``- old`` / ``+ new`` lines, as a
    review comment shows a change): applied as it was, the quick fix wrote both, markers and
    all, into the code. Only when its ``-`` lines are the quoted code: ``- item`` lines of a
    YAML list, or a ``-x`` expression, are code."""
    lines = suggestion.split("\n")
    content = [line for line in lines if line.strip()]
    if not content or not all(line[:1] in ("+", "-") for line in content):
        return suggestion
    # One marker width for all lines (``+ `` or ``+``), so indentation stays relative.
    width = 2 if all(line[1:2] in (" ", "") for line in content) else 1
    old = [line[width:] for line in content if line[0] == "-"]
    new = [line[width:] for line in lines if line[:1] == "+"]
    if not new or " ".join(" ".join(old).split()) != " ".join(code.split()):
        return suggestion
    return "\n".join(new)


#: What models write in ``suggestion`` when they have no fix (lowercased, without the quotes,
#: brackets and full stop around it).
_NO_FIX = frozenset(
    {
        "n/a", "na", "-", "--", "\u2013", "\u2014", "...", "\u2026", "tbd", "same", "unchanged",
        "not applicable", "no fix", "no fix needed", "no suggestion", "no suggestions",
        "no change", "no changes", "no change needed", "no changes needed", "see message",
    }
)  # fmt: skip
#: Also "no fix", unless the quoted code is a single word the value could stand for.
_NO_FIX_VALUES = frozenset({"none", "null", "nil"})


def _says_no_fix(suggestion: str, code: str) -> bool:
    """Whether the suggestion is a word for "no fix": applied, "N/A" replaced the code."""
    said = suggestion.strip().strip("`'\"()[]").strip().rstrip(".").strip().lower()
    if said in _NO_FIX:
        return True
    return said in _NO_FIX_VALUES and len(re.findall(r"\w+", code)) > 1


def _whole(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


#: Above any real file's length: a larger "line" is no hint at all.
MAX_LINE_HINT = 1_000_000_000


def _severity(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text in _SEVERITY_RANK:
        return text
    return _SEVERITY_ALIASES.get(text, "warning")


_FRACTION = re.compile(r"^([\d.]+)\s*(?:/|out of)\s*([\d.]+)$")


def _confidence(value: Any) -> float:
    # The rule: a missing confidence counts as 1. Percentages are read as such, and
    # so are a scale of ten ("confidence": 8, the model's 8 of 10, was 8 % and dropped under
    # the default minimum) and fractions ("8/10" was no confidence at all, so 1).
    if value is None or isinstance(value, bool):
        return 1.0
    word = " ".join(str(value).lower().split())
    if word in _CONFIDENCE_WORDS:
        return _CONFIDENCE_WORDS[word]
    try:
        fraction = _FRACTION.match(word)
        if fraction:
            number = float(fraction.group(1)) / float(fraction.group(2))
        elif word.endswith("%"):
            number = float(word[:-1]) / 100.0
        else:
            number = float(word)
            if number > 10.0:
                number /= 100.0
            elif number > 1.0:
                number /= 10.0
    except (ValueError, ZeroDivisionError):
        return 1.0
    if number != number:  # NaN
        return 1.0
    return min(1.0, max(0.0, number))


def _line(value: Any) -> int | None:
    # A hint only: anything that is not a plausible line number is no hint (1e999 is infinity
    # to the JSON reader, and int() of it raised out of the whole review).
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if 1 <= value < MAX_LINE_HINT else None
    if isinstance(value, str):
        m = re.match(r"\s*(\d{1,9})(?!\d)", value)
        return int(m.group(1)) if m and int(m.group(1)) >= 1 else None
    return None


def clean_excerpt(code: str) -> str:
    """Strip what models add around quoted code: Markdown fences and our ``123| `` prefixes."""
    code = code.replace("\r\n", "\n")
    m = FENCE.match(code)
    if m:
        code = m.group(1)
    lines = code.split("\n")
    content = [ln for ln in lines if ln.strip()]
    if content and all(_LINE_PREFIX.match(ln) for ln in content):
        lines = [_LINE_PREFIX.sub("", ln, count=1) for ln in lines]
    return "\n".join(lines).strip("\n")


# -- parsing the answer ---------------------------------------------------------------------------


@dataclass
class ParsedAnswer:
    findings: list[RawFinding] = field(default_factory=list)
    summary: str = ""
    #: None when the answer was a usable JSON object; else what was wrong with it.
    problem: str | None = None
    invalid_items: int = 0

    @property
    def usable(self) -> bool:
        """True when the answer can be trusted to be complete (cacheable)."""
        return self.problem is None


def parse_answer(content: str | None) -> ParsedAnswer:
    """Read the model's JSON; keep every valid finding of a partly valid or cut-off answer."""
    text = (content or "").strip()
    if not text:
        # JSON mode replaces output that is not JSON with blanks (finish_reason still "stop").
        return ParsedAnswer(problem="blank answer")
    text = unfence(text)
    data = load_json_answer(text)
    if isinstance(data, dict) and "findings" not in data and _FINDINGS_KEY.search(text):
        # The answer's object could not be read (two findings without a comma between them):
        # the largest object read in it was one of its findings, and the answer said "no
        # findings", cached as the unit's review.
        data = None
    if data is None:
        items, invalid = _salvage_items(text)
        return ParsedAnswer(items, problem="answer is not valid JSON", invalid_items=invalid)
    if isinstance(data, list):
        data = {"findings": data}
    if not isinstance(data, dict):
        return ParsedAnswer(problem="answer is not a JSON object")
    raw_items = data.get("findings")
    if raw_items is None:
        # Self-hosted models name the list as they like ("issues", "problems", "comments"): read
        # as no findings, their answer was cached as a clean review of the unit.
        raw_items = next((v for v in data.values() if _looks_like_findings(v)), None)
    summary = data.get("summary")
    summary = " ".join(summary.split()) if isinstance(summary, str) else ""
    if raw_items is None:
        raw_items = []
    if not isinstance(raw_items, list):
        return ParsedAnswer(summary=summary, problem="'findings' is not a list")
    findings = []
    invalid = 0
    for item in raw_items:
        finding = RawFinding.from_json(item)
        if finding is None:
            invalid += 1
        else:
            findings.append(finding)
    return ParsedAnswer(findings, summary, None, invalid)


_FINDINGS_KEY = re.compile(r'"findings"\s*:\s*\[')


def _looks_like_findings(value: Any) -> bool:
    """A non-empty list of objects each with a message: findings under another name."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "message" in v for v in value)
    )


def _salvage_items(text: str) -> tuple[list[RawFinding], int]:
    """Complete finding objects from an answer cut short (``finish_reason: length``) or broken."""
    m = _FINDINGS_KEY.search(text)
    if not m:
        return [], 0
    decoder = json.JSONDecoder()
    pos = m.end()
    found: list[RawFinding] = []
    invalid = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] != "{":
            break
        try:
            item, pos = decoder.raw_decode(text, pos)
        except ValueError:
            break
        finding = RawFinding.from_json(item)
        if finding is None:
            invalid += 1
        else:
            found.append(finding)
    return found, invalid


# -- placing excerpts in the text -----------------------------------------------------------------


class _Normalized:
    """``text`` with whitespace squeezed (or removed) and a map back to original positions."""

    def __init__(self, text: str, *, remove: bool) -> None:
        chars: list[str] = []
        where: list[int] = []
        in_space = False
        for i, ch in enumerate(text):
            if ch.isspace():
                if not remove and not in_space and chars:
                    chars.append(" ")
                    where.append(i)
                in_space = True
                continue
            in_space = False
            chars.append(ch)
            where.append(i)
        self.text = "".join(chars)
        self.where = where

    @staticmethod
    def of(excerpt: str, *, remove: bool) -> str:
        return "".join(excerpt.split()) if remove else " ".join(excerpt.split())


class Placer:
    """Finds quoted code in one text. Build once per text, place many findings."""

    #: Occurrences looked at per search; a finding is looked for in its own unit first, so
    #: this bounds only the fallback over the whole text.
    MAX_CANDIDATES = 500

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        # As the bytes hold it (``doc.text`` replaces a lone surrogate with three characters,
        # and every offset after it came out 6 bytes off).
        self.text = doc.data.decode("utf-8", "surrogatepass")
        self._ascii = self.text.isascii()
        self._forms: dict[bool, _Normalized] = {}
        self._char_starts: list[int] | None = None

    def _form(self, remove: bool) -> _Normalized:
        if remove not in self._forms:
            self._forms[remove] = _Normalized(self.text, remove=remove)
        return self._forms[remove]

    def _line_chars(self) -> list[int]:
        """Where each line starts, in characters (bytes and characters differ past a non-ASCII
        one: converting by encoding the text up to an offset cost a pass over the file each,
        minutes for a generated file's thousands of findings)."""
        if self._char_starts is None:
            data, doc = self.doc.data, self.doc
            starts, chars, prev = [], 0, 0
            for line in range(doc.line_count):
                start = doc.line_start(line)
                chars += len(data[prev:start].decode("utf-8", "surrogatepass"))
                starts.append(chars)
                prev = start
            self._char_starts = starts
        return self._char_starts

    def _to_byte(self, char_offset: int) -> int:
        if self._ascii:
            return char_offset
        starts = self._line_chars()
        line = bisect.bisect_right(starts, char_offset) - 1
        part = self.text[starts[line] : char_offset]
        return self.doc.line_start(line) + len(part.encode("utf-8", "surrogatepass"))

    def _to_char(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        line = self.doc.line_at(byte_offset)
        part = self.doc.data[self.doc.line_start(line) : byte_offset]
        return self._line_chars()[line] + len(part.decode("utf-8", "surrogatepass"))

    def _lines_to_chars(self, first: int, last: int) -> tuple[int, int]:
        """Characters from the start of line ``first`` to the end of line ``last`` (0-based)."""
        return self._to_char(self.doc.line_start(first)), self._to_char(self.doc.line_start(last + 1))

    def occurrences(
        self, excerpt: str, within: tuple[int, int] | None = None
    ) -> list[tuple[int, int]]:
        """Byte spans of ``excerpt`` in the text (starting in the ``within`` character range):
        whitespace squeezed first, then ignored, then (for a long excerpt the model shortened
        with "..." or "…") from its head to its tail."""
        spans = self._verbatim(excerpt, within)
        if spans:
            return spans
        if _in_backticks(excerpt):
            return self.occurrences(_in_backticks(excerpt), within)
        if REDACTED in excerpt:
            # The model was shown the secret as the placeholder, and quotes it so.
            return self._around_secret(excerpt, within)
        if not _ELLIPSIS.search(excerpt):
            return spans
        parts = [p for p in _ELLIPSIS.split(excerpt) if p.strip()]
        if len(parts) < 2 or min(len("".join(p.split())) for p in (parts[0], parts[-1])) < 8:
            return []  # too little left to tell one place from another
        out = []
        for head_start, head_end in self._verbatim(parts[0], within):
            tail = next(iter(self._verbatim(parts[-1], self._below(head_end))), None)
            if tail is not None:
                out.append((head_start, tail[1]))
        return out

    def occurrences_on(
        self, excerpt: str, ranges: Iterable[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        """Byte spans of ``excerpt`` starting on the (0-based, inclusive) line ``ranges``."""
        return [
            span for lo, hi in ranges for span in self.occurrences(excerpt, self._lines_to_chars(lo, hi))
        ]

    def _below(self, byte_offset: int) -> tuple[int, int]:
        """From ``byte_offset`` to the end of the lines a quote may leave out after it."""
        limit = self.doc.line_at(byte_offset) + MAX_ELIDED_LINES
        return self._to_char(byte_offset), self._lines_to_chars(limit, limit)[1]

    def _around_secret(
        self, excerpt: str, within: tuple[int, int] | None
    ) -> list[tuple[int, int]]:
        parts = excerpt.split(REDACTED)
        head, tail = parts[0], parts[-1]
        if len("".join(head.split())) < 4:
            return []
        out = []
        for head_start, head_end in self._verbatim(head, within):
            if not tail.strip():  # the secret is the next token, to its end
                end, data = head_end, self.doc.data
                while data[end : end + 1] in (b" ", b"\t"):
                    end += 1
                while end < len(data) and not data[end : end + 1].isspace():
                    end += 1
                out.append((head_start, end))
                continue
            tails = self._verbatim(tail, self._below(head_end))
            tail_span = next((t for t in tails if t[0] > head_end), None)
            if tail_span is not None:
                out.append((head_start, tail_span[1]))
        return out

    def _verbatim(
        self, excerpt: str, within: tuple[int, int] | None = None
    ) -> list[tuple[int, int]]:
        for remove in (False, True):
            needle = _Normalized.of(excerpt, remove=remove)
            if not needle:
                return []
            form = self._form(remove)
            lo, hi = 0, len(form.text)
            if within is not None:
                # Occurrences that start in the range (they may end past it).
                lo = bisect.bisect_left(form.where, within[0])
                hi = min(bisect.bisect_left(form.where, within[1]) + len(needle) - 1, hi)
            spans = []
            pos = form.text.find(needle, lo, hi)
            while pos >= 0 and len(spans) < self.MAX_CANDIDATES:
                start = form.where[pos]
                end = form.where[pos + len(needle) - 1] + 1
                if self._on_token_boundaries(start, end):
                    spans.append((self._to_byte(start), self._to_byte(end)))
                pos = form.text.find(needle, pos + 1, hi)
            if spans:
                return spans
        return []

    def _on_token_boundaries(self, start: int, end: int) -> bool:
        # "x = 1" must not match inside "max = 10": an excerpt that starts or ends with a word
        # character must not continue a word of the text there.
        text = self.text
        if start > 0 and _IDENT.match(text[start]) and _IDENT.match(text[start - 1]):
            return False
        return not (end < len(text) and _IDENT.match(text[end - 1]) and _IDENT.match(text[end]))

    def place(
        self,
        excerpt: str,
        line_hint: int | None = None,
        prefer: Sequence[tuple[int, int]] = (),
        avoid: Container[tuple[int, int]] = (),
    ) -> tuple[int, int] | None:
        """The occurrence inside the ``prefer`` line ranges (0-based) nearest the 1-based hint,
        one not in ``avoid`` if there is one."""
        # The finding's own unit first: in a generated file with thousands of copies of the
        # quoted code, the whole text's first 500 left the later units' findings on earlier
        # units (then dropped as repeats), and each search went through the whole file.
        spans = self.occurrences_on(excerpt, prefer) or self.occurrences(excerpt)
        if not spans:
            return None

        def score(span: tuple[int, int]) -> tuple[int, int, int]:
            distance = abs(self.doc.line_at(span[0]) + 1 - line_hint) if line_hint else 0
            return (1 if span in avoid else 0, distance, span[0])

        return min(spans, key=score)


# -- placed findings ------------------------------------------------------------------------------


def fingerprint(code: str, message: str) -> str:
    """What "ignore this finding" remembers: the code and what was said about it."""
    code = _in_backticks(code) or code  # the same code, whether the model put it in backticks
    normalized = " ".join(code.split()) + "\x00" + " ".join(message.lower().split())
    return hashlib.sha256(normalized.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """A finding placed on the text: ``start``/``end`` are byte offsets in the current document."""

    id: str
    severity: str
    message: str
    code: str
    start: int
    end: int
    fix: str | None  # replacement for [start, end), indentation already adapted
    confidence: float
    unit: str
    fingerprint: str
    #: For a fix of several lines replacing one line's code: the whitespace before ``start`` on
    #: that line, which the fix's later lines are indented from (see ``adapt_fix``); else None.
    fix_base: str | None = None

    def moved(self, start: int, end: int) -> Finding:
        return replace(self, start=start, end=end)


def adapt_fix(
    doc: Document, start: int, end: int, excerpt: str, suggestion: str | None
) -> str | None:
    """The suggestion re-indented to where the excerpt was found.

    The range starts at the excerpt's first non-blank character, so the suggestion's first line
    loses its indentation. Later lines keep their indentation relative to the excerpt's (the
    model may have quoted the code dedented, or re-indented it), mapped onto the real one.
    """
    if suggestion is None or " ".join(suggestion.split()) == " ".join(excerpt.split()):
        return None
    if REDACTED in suggestion:
        return None  # applying it would write the placeholder over the user's real secret
    placed = doc.data[start:end].decode("utf-8", "replace")
    if _in_backticks(excerpt) and "".join(placed.split()) == "".join(_in_backticks(excerpt).split()):
        excerpt = _in_backticks(excerpt)  # found without the backticks the model put around it
    if "".join(placed.split()) != "".join(excerpt.split()):
        return None  # the quote was shortened ("..."): the replacement would not fit the span
    if _in_backticks(suggestion) and not _in_backticks(placed):
        suggestion = _in_backticks(suggestion)
    suggestion = _within_line(doc, start, end, placed, suggestion)
    if " ".join(suggestion.split()) == " ".join(excerpt.split()):
        return None
    if _repeats_neighbours(doc, start, end, excerpt, suggestion) or _breaks_its_line(doc, start, end, suggestion):
        return None
    lines = suggestion.split("\n")
    first_line = doc.line_at(start)
    quoted = excerpt.split("\n")
    # The suggestion's lines as indented as the quote's: the model copies the code with its
    # indentation (as the prompt shows it) and may write the suggestion from column 0, or the
    # other way round. Read in the quote's indentation, the fix put ``except OSError:`` of a
    # ``try:`` around an indented line at column 0, out of the function.
    q0, s0 = _indent_of(quoted[0]), _indent_of(lines[0])
    aligned = all(not line.strip() or line.startswith(s0) for line in lines)
    if q0 != s0 and lines[0].strip() and aligned:
        lines = [q0 + line[len(s0) :] if line.strip() else line for line in lines]
    k = next((i for i in range(1, len(quoted)) if quoted[i].strip()), None)
    if k is not None:
        model_base = _indent_of(quoted[k])
        # The document line that quoted line k is: found by its characters, not by counting
        # lines (the quote was matched with whitespace squeezed, and may leave out a blank
        # line: the fix then took a blank line's indentation and moved code out of its block).
        line = _line_of_nth_char(doc, start, placed, len("".join("\n".join(quoted[:k]).split())))
        if line is None:
            return None
        real_base = _indent_of(doc.line_text(line))
    else:
        model_base = _indent_of(quoted[0])
        before = doc.data[doc.line_start(first_line) : start].decode("utf-8", "replace")
        if before.strip() and any(line.strip() for line in lines[1:]):
            # Code stands before the quote on its line (``if path: data = read(path)``): no
            # indentation of the fix's later lines is right there, and the fix wrote
            # ``if path: try:`` (as ``_reindented`` withdraws it once code is typed there).
            return None
        real_base = before
    unit = real_base[:1] or _file_indent(doc)
    out = [lines[0].lstrip()]
    for line in lines[1:]:
        if not line.strip():
            out.append("")
            continue
        # Only the file's own indentation is kept as the model wrote it: a fix written with four
        # spaces a level for a tab-indented line (or with tabs in a file of spaces) was put in
        # as ``\t    return err``, indented with both.
        extra = _indent_of(line)[len(model_base) :]
        if (
            line.startswith(model_base)
            and len(_indent_of(line)) >= len(model_base)
            and (not unit or extra[:1] in ("", unit))
        ):
            out.append(real_base + line[len(model_base) :])
            continue
        # Measured in columns: the quote copied with the file's tabs and the suggestion written
        # with spaces, four spaces counted as four tabs (``try:`` five tabs deep for two).
        width = max(0, _columns(_indent_of(line)) - _columns(model_base) + _columns(real_base))
        tabs, spaces = divmod(width, _TAB_COLUMNS) if unit == "\t" else (0, width)
        indent = "\t" * tabs + " " * spaces
        out.append(indent + line.lstrip())
    # The document's own line break: a multi-line fix in a CRLF file left bare LFs in it. The
    # last line has none (no final newline, as Windows editors save by default): the line
    # before it tells.
    eol = doc.data[doc.line_end(first_line) : doc.line_end(first_line, with_eol=True)]
    if not eol and first_line > 0:
        eol = doc.data[doc.line_end(first_line - 1) : doc.line_end(first_line - 1, with_eol=True)]
    return (eol.decode() or "\n").join(out).rstrip()


def _within_line(doc: Document, start: int, end: int, placed: str, suggestion: str) -> str:
    """The part of a whole-line suggestion that replaces the quoted part of the line.

    Models quote the code a finding is about (``user == None``) and suggest the corrected line
    (``if user is None:``): put in place of the quote, the fix wrote ``if if user is None::``.
    A one-line suggestion that begins with the line's text before the quote and ends with its
    text after it is such a line; anything else is the replacement of the quote itself.
    """
    fix = suggestion.strip()
    if "\n" in placed or "\n" in fix:
        return suggestion
    line = doc.line_at(start)
    before = doc.data[doc.line_start(line) : start].decode("utf-8", "replace").strip()
    after = doc.data[end : doc.line_end(line)].decode("utf-8", "replace").strip()
    # One side alone must hold a word (``return``; not a lone ``)``, which a replacement of
    # ``len(x)`` in ``print(len(x))`` ends with too), and each must end at a word's edge.
    if not (before and after) and not _IDENT.search(before + after):
        return suggestion
    after = _code_after(doc, after, fix)
    middle = fix[len(before) : len(fix) - len(after)]
    if (
        middle.strip()
        and fix.startswith(before)
        and fix.endswith(after)
        and not (before and _IDENT.match(before[-1]) and _IDENT.match(middle[0]))
        and not (after and _IDENT.match(after[0]) and _IDENT.match(middle[-1]))
    ):
        return middle.strip()
    return suggestion


def _code_after(doc: Document, after: str, fix: str) -> str:
    """``after`` (the line's text after the quote), or its code before a trailing comment that
    the suggested line leaves out: models suggest the corrected line without its comment, and
    the suggestion was put in place of the quote whole (``if if row is None::  # no row``)."""
    if fix.endswith(after):
        return after
    spec = doc.language.spec if doc.language is not None else None
    for token in (spec.line_comment,) if spec is not None and spec.line_comment else ("#", "//"):
        at = after.find(token)
        if at >= 0 and fix.endswith(after[:at].rstrip()):
            return after[:at].rstrip()
    return after


_BACKTICKED = re.compile(r"(`{1,3})([^`]+)\1")


def _in_backticks(text: str) -> str:
    """The code inside Markdown's inline backticks wrapping all of ``text`` (models write
    ``"`x is None`"`` as they would in prose), else "". Not a template literal with a ``${``."""
    m = _BACKTICKED.fullmatch(text.strip())
    return m.group(2).strip() if m and "${" not in m.group(2) and m.group(2).strip() else ""


def _repeats_neighbours(doc: Document, start: int, end: int, excerpt: str, suggestion: str) -> bool:
    """Whether the suggestion holds a line of code next to the quote that the quote does not
    (the whole function rewritten for a finding on one of its lines, a ``with`` block taking
    in the next line): put in place of the quote, that line would be there twice."""
    quoted = {" ".join(line.split()) for line in excerpt.split("\n")}
    suggested = {" ".join(line.split()) for line in suggestion.split("\n")} - quoted
    if not suggested:
        return False
    first, last = doc.line_at(start), doc.line_at(max(start, end - 1))
    for line, step in ((first - 1, -1), (last + 1, 1)):
        while 0 <= line < doc.line_count and not doc.line_bytes(line).strip():
            line += step  # the nearest line of code that way
        if not 0 <= line < doc.line_count:
            continue
        text = " ".join(doc.line_text(line).split())
        # A line with a word: a lone ``}`` or ``)`` is in many a fix that adds a block.
        if _IDENT.search(text) and text in suggested:
            return True
    return False


def _breaks_its_line(doc: Document, start: int, end: int, fix: str) -> bool:
    """Whether a one-line fix turns its line, code that parses on its own, into code that does
    not: a corrected line that also rewrote the code before the quote (``f = open(path)``
    quoted as ``open(path)``, the suggestion ``with open(path) as f:``) was put in place of
    the quote, and wrote ``f = with open(path) as f:``. A line that does not parse alone (a
    block's header, part of a longer statement) tells nothing."""
    line = doc.line_at(start)
    if doc.language is None or "\n" in fix.strip() or doc.line_at(end) != line:
        return False
    try:
        parser = doc.language.shared_parser
    except LanguageError:
        return False
    head = doc.data[doc.line_start(line) : start].lstrip()
    tail = doc.data[end : doc.line_end(line)]

    def broken(code: bytes) -> bool:
        return parser.parse(head + code + tail).root_node.has_error

    return not broken(doc.data[start:end]) and broken(fix.strip().encode("utf-8", "surrogatepass"))


def _indent_before(data: bytes, offset: int) -> str | None:
    """The whitespace from the start of ``offset``'s line to it; None when code comes first."""
    head = data[data.rfind(b"\n", 0, offset) + 1 : offset]
    return None if head.strip() else head.decode("utf-8", "replace")


def _fix_base(doc: Document, start: int, end: int, fix: str | None) -> str | None:
    """``Finding.fix_base``: only a one-line quote's fix takes its later lines' indentation from
    the text before the code (a longer quote's from its own lines, which no edit leaves)."""
    if fix is None or "\n" not in fix or b"\n" in doc.data[start:end]:
        return None
    return _indent_before(doc.data, start)


def _reindented(finding: Finding, data: bytes, start: int) -> Finding:
    """``finding`` with its fix's later lines indented for its line as it is now: the user put
    the line in a new block, its code untouched, and the fix wrote ``try:`` in the block and
    ``except`` outside it. A fix that cannot be moved so is no longer offered."""
    old = finding.fix_base
    if old is None or finding.fix is None:
        return finding
    now = _indent_before(data, start)
    if now == old:
        return finding
    first, *rest = finding.fix.split("\n")
    if now is None or any(line.strip() and not line.startswith(old) for line in rest):
        return replace(finding, fix=None, fix_base=None)
    lines = [first] + [now + line[len(old) :] if line.strip() else line for line in rest]
    return replace(finding, fix="\n".join(lines), fix_base=now)


def _line_of_nth_char(doc: Document, start: int, placed: str, n: int) -> int | None:
    """The document line holding the non-whitespace character number ``n`` (from 0) of
    ``placed`` (the text at byte ``start``), when that character begins its line; else None."""
    seen = 0
    for i, ch in enumerate(placed):
        if ch.isspace():
            continue
        if seen == n:
            offset = start + len(placed[:i].encode("utf-8"))
            line = doc.line_at(offset)
            head = doc.data[doc.line_start(line) : offset]
            return line if not head.strip() else None
        seen += 1
    return None


_INDENTED = re.compile(rb"^[ \t]+\S", re.M)


def _file_indent(doc: Document) -> str:
    """What the file's first indented line of code is indented with ("" for none)."""
    m = _INDENTED.search(doc.data)
    return m.group()[:1].decode() if m else ""


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


#: Columns a tab stands for where a suggestion's indentation is measured against the file's.
_TAB_COLUMNS = 4


def _columns(indent: str) -> int:
    return len(indent.expandtabs(_TAB_COLUMNS))


@dataclass
class PlacementStats:
    placed: int = 0
    unplaced: int = 0
    low_confidence: int = 0
    below_severity: int = 0
    ignored: int = 0

    def add(self, other: PlacementStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _PlacedFromOtherLines:
    """The spans a finding's code was placed at for another line than ``hint`` (looked up per
    candidate: a list built per finding made a generated file's thousands quadratic)."""

    def __init__(self, placed: dict[tuple[int, int], set[int | None]], hint: int | None) -> None:
        self.placed, self.hint = placed, hint

    def __contains__(self, span: object) -> bool:
        hints = self.placed.get(span)  # type: ignore[call-overload]
        return bool(hints) and hints != {self.hint}


#: A finding with the line ranges and name of the unit it is about.
Located = tuple[RawFinding, Sequence[tuple[int, int]], str]


def place_findings(
    placer: Placer,
    found: Iterable[Located],
    *,
    min_confidence: float,
    min_severity: str,
    ignored: set[str] | frozenset[str] = frozenset(),
) -> tuple[list[Finding], PlacementStats]:
    """Place (finding, unit line ranges, unit name) triples; drop and count what cannot be shown."""
    stats = PlacementStats()
    out: list[Finding] = []
    taken: dict[str, int] = {}
    ids: set[str] = set()
    places: set[tuple[int, int, str]] = set()
    #: Where each fingerprint was placed, and from which line hints.
    placed_at: dict[str, dict[tuple[int, int], set[int | None]]] = {}
    for raw, prefer, unit_name in found:
        if raw.confidence < min_confidence:
            stats.low_confidence += 1
            continue
        if not at_least(raw.severity, min_severity):
            stats.below_severity += 1
            continue
        fp = fingerprint(raw.code, raw.message)
        if fp in ignored:
            stats.ignored += 1
            continue
        # The same finding said of another line is about another occurrence of the same code
        # (two bare ``except:`` in one function): with hints a few lines off, both took the
        # first and one was dropped as a repeat. Said of the same line, it is a repeat.
        spans = placed_at.setdefault(fp, {})
        span = placer.place(raw.code, raw.line, prefer, _PlacedFromOtherLines(spans, raw.line))
        if span is None:
            stats.unplaced += 1
            continue
        spans.setdefault(span, set()).add(raw.line)
        # Same fingerprint twice in a file (duplicated code): ids stay unique and stable.
        n = taken.get(fp, 0)
        taken[fp] = n + 1
        finding_id = fp[:12] if n == 0 else f"{fp[:12]}-{n}"
        if finding_id in ids or (span[0], span[1], raw.message) in places:
            continue  # two units' answers reported the same thing at the same place
        ids.add(finding_id)
        places.add((span[0], span[1], raw.message))
        stats.placed += 1
        fix = adapt_fix(placer.doc, span[0], span[1], raw.code, raw.suggestion)
        out.append(
            Finding(
                id=finding_id,
                severity=raw.severity,
                message=raw.message,
                code=raw.code,
                start=span[0],
                end=span[1],
                fix=fix,
                confidence=raw.confidence,
                unit=unit_name,
                fingerprint=fp,
                fix_base=_fix_base(placer.doc, span[0], span[1], fix),
            )
        )
    out.sort(key=lambda f: (f.start, severity_rank(f.severity)))
    return out, stats


# -- following edits ------------------------------------------------------------------------------


def follow_edits(
    findings: Iterable[Finding], edits: Sequence[Any], data: bytes | None = None
) -> tuple[list[Finding], bool]:
    """Move findings through edits (``Edit`` from documents); drop those whose code was touched.

    Returns the surviving findings and whether anything changed. Typing right before or right
    after a finding's code moves it or leaves it; any change inside the code removes it. With the
    new text (``data``), a finding whose fix now stands at its place is dropped too: editors
    may apply a fix as a minimal insertion next to the code rather than a replacement of it.
    """
    out: list[Finding] = []
    changed = False
    for finding in findings:
        followed = follow_one(finding, edits, data)
        changed = changed or followed is not finding
        if followed is not None:
            out.append(followed)
    return out, changed


def follow_one(finding: Finding, edits: Sequence[Any], data: bytes | None = None) -> Finding | None:
    """One finding through ``edits`` (see :func:`follow_edits`): None once its code was touched,
    else the finding, the same object when nothing about it changed."""
    start, end = finding.start, finding.end
    beside = False  # an edit ends right before the code or starts right after it
    for edit in edits:
        delta = edit.new_end_byte - edit.old_end_byte
        if edit.old_end_byte <= start:
            beside = beside or edit.old_end_byte == start
            start += delta
            end += delta
        elif edit.start_byte >= end:
            beside = beside or edit.start_byte == end
        else:
            return None
    # Only an edit beside the code can be a fix applied as an insertion: a fix that is a
    # start of the code (``import os`` for ``import os, sys``) "stood at its place" after
    # any keystroke anywhere, and the finding vanished unfixed.
    if beside and data is not None and finding.fix:
        fix = finding.fix.encode("utf-8")
        # Longer than the code: a fix inserted beside it. A shorter one is a start of the
        # code and "stands there" untouched (Enter after ``total = sum(rows) / 1`` dropped
        # the finding about the ``/ 1``).
        if len(fix) > end - start and (
            data[start : start + len(fix)] == fix  # inserted after the code
            or data[max(0, end - len(fix)) : end] == fix  # inserted before it
        ):
            return None
    if beside and data is not None and not _on_word_edges(data, start, end):
        # Typed onto the code's edge, the code is now part of a longer word (``safe_`` +
        # ``eval(value)``): kept, the finding marked part of a name and its fix gave
        # ``safe_ast.literal_eval(value)``.
        return None
    if (start, end) != (finding.start, finding.end):
        finding = finding.moved(start, end)
    if data is not None and finding.fix_base is not None:
        # A tab for four spaces moves nothing yet changes the line's indentation.
        finding = _reindented(finding, data, start)
    return finding


def follow_span(start: int, end: int, edits: Sequence[Any]) -> tuple[int, int]:
    """A byte span of code (a unit) through edits: moved by those before it, grown or shrunk
    by those inside it (it then holds what they wrote)."""
    for edit in edits:
        delta = edit.new_end_byte - edit.old_end_byte
        if edit.old_end_byte <= start and edit.start_byte < start:
            start += delta
            end += delta
        elif edit.start_byte == edit.old_end_byte == start and start < end:
            start += delta  # typed right before the code: not part of it
            end += delta
        elif edit.start_byte <= end:
            start = min(start, edit.start_byte)
            end = max(edit.new_end_byte, end + delta)
    return start, end


def with_kept(findings: Sequence[Finding], kept: Iterable[Finding]) -> list[Finding]:
    """``findings`` and the earlier ones of ``kept`` (already on the current text) that no new
    finding repeats; a kept one whose id a new one took gets the next free one."""
    out = list(findings)
    ids = {f.id for f in out}
    places = {(f.start, f.end, f.message) for f in out}
    for f in kept:
        if (f.start, f.end, f.message) in places:
            continue
        finding_id, n = f.id, 0
        while finding_id in ids:
            n += 1
            finding_id = f"{f.fingerprint[:12]}-{n}"
        ids.add(finding_id)
        places.add((f.start, f.end, f.message))
        out.append(f if finding_id == f.id else replace(f, id=finding_id))
    out.sort(key=lambda f: (f.start, severity_rank(f.severity)))
    return out


def _is_word_byte(b: int) -> bool:
    # Non-ASCII bytes count as word characters, as ``\w`` counts non-ASCII letters.
    return b >= 0x80 or chr(b).isalnum() or b == 0x5F


def _on_word_edges(data: bytes, start: int, end: int) -> bool:
    """Whether ``data[start:end]`` neither continues the word before it nor the one after it."""
    if 0 < start < len(data) and _is_word_byte(data[start - 1]) and _is_word_byte(data[start]):
        return False
    return not (0 < end < len(data) and _is_word_byte(data[end - 1]) and _is_word_byte(data[end]))

