"""Placing a finding's quoted code in the text.

Models miscount lines, so a finding's place comes from its ``code`` excerpt, found in the text
by the server (whitespace differences tolerated); ``line`` only picks between several
occurrences.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container, Iterable, Sequence

from ..documents import Document
from ..privacy import REDACTED
from .prompt import _redacted_lines

_IDENT = re.compile(r"\w")
_ELLIPSIS = re.compile(r"\.\.\.|…")
#: An excerpt shortened with an ellipsis may skip at most this many lines.
MAX_ELIDED_LINES = 60


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
        # Where the prompt showed the quote: a placeholder read as any text ran from a
        # ``token = ""`` line to the secret's below, the finding (and its fix) there.
        return [(s, e) for s, e in out if quotes_as_prompted(self.doc, s, e, excerpt)]

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


_BACKTICKED = re.compile(r"(`{1,3})([^`]+)\1")


def _in_backticks(text: str) -> str:
    """The code inside Markdown's inline backticks wrapping all of ``text`` (models write
    ``"`x is None`"`` as they would in prose), else "". Not a template literal with a ``${``."""
    m = _BACKTICKED.fullmatch(text.strip())
    return m.group(2).strip() if m and "${" not in m.group(2) and m.group(2).strip() else ""


def _as_prompted(doc: Document, start: int, end: int) -> str | None:
    """The text from byte ``start`` to ``end`` as the review's prompt showed it, its secrets
    redacted (the whole text's redaction, as the prompt's); None where a redaction runs past
    either end (the span cuts a secret)."""
    first, last = doc.line_at(start), doc.line_at(max(start, end - 1))
    lines = _redacted_lines(doc)[first : last + 1]
    head = doc.data[doc.line_start(first) : start].decode("utf-8", "replace")
    tail = doc.data[end : max(end, doc.line_end(last))].decode("utf-8", "replace")
    if len(lines) != last - first + 1 or not lines[0].startswith(head) or not lines[-1].endswith(tail):
        return None
    shown = "\n".join(lines)
    return shown[len(head) : len(shown) - len(tail)]


#: A placeholder and the quotes around it, which a model quoting the line may leave out.
_QUOTED_PLACEHOLDER = re.compile(r"""["'`]?""" + re.escape(REDACTED) + r"""["'`]?""")


def quotes_as_prompted(doc: Document, start: int, end: int, excerpt: str) -> bool:
    """Whether ``excerpt``, holding redaction placeholders, is the text from byte ``start`` to
    ``end`` as the review's prompt showed it (whitespace, and quotes around a placeholder, aside)."""
    return _squeezed(_as_prompted(doc, start, end)) == _squeezed(excerpt)


def _squeezed(text: str | None) -> str | None:
    """``text`` without whitespace, its placeholders' quotes aside."""
    return None if text is None else _QUOTED_PLACEHOLDER.sub(REDACTED, "".join(text.split()))
