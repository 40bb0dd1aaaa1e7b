""":func:`redact`, and a secret the cursor cuts: the seams between a prompt's window and the
text around it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from .configs import PREFILTERS, block_scalar_continued, ini_value_continued
from .lists import may_continue_list, redact_lists_across
from .literals import PatternTable
from .manifests import _redact_secret_manifests, _seams, may_hold_no_echo, redact_no_echo_defaults
from .markdown import may_continue_markdown, redact_markdown_across
from .passphrases import PASSPHRASE_PATTERNS, words_after
from .patterns import _PATTERNS
from .sections import (
    may_hold_cookie_objects,
    may_hold_host_tokens,
    may_hold_json_default,
    may_hold_section_key,
    redact_cookie_objects,
    redact_host_tokens,
    redact_json_defaults,
    redact_section_keys,
)
from .terraform import (
    _HCL_DEFAULT,
    _TERRAFORM,
    _TERRAFORM_VALUES,
    _terraform_block_start,
    _unseen_block,
    _unseen_block_defaults,
    _unseen_default,
    may_continue_default,
    may_hold_open_default,
    redact_defaults_across,
)
from .triggers import (
    _KEY_BLOCK_PATTERNS,
    _apply,
    _continued,
    _keeping_lines,
    _may_hold_secret,
    _suspect_spans,
)
from .values import _SENDGRID, _TWILIO, _TWILIO_AUTH, REDACTED, Replacement, _line_start
from .vendor_keys import TYPED_VENDOR_KEYS


def redact(
    text: str,
    *,
    keep_lines: bool = False,
    clean: Sequence[tuple[int, int]] = (),
    before: str = "",
    after: str = "",
) -> str:
    """Replace secret-looking strings; code that only names a secret (``api_key = get()``) stays.

    ``keep_lines``: a secret spanning several lines (a private key block) leaves as many line
    breaks behind, so the line numbers of the rest of the text do not move. Redact whole texts,
    never line by line: a key block's base64 lines look like nothing on their own.

    ``clean``: (start, end) ranges of whole lines of ``text`` (each starts at a line start and
    ends after a line break or at the end) that :func:`has_trigger` found nothing in: the
    search for triggers skips them (a prompt window is mostly lines checked before). Secrets
    after a trigger elsewhere are still found in them.

    ``before`` and ``after``: the text around ``text`` when it is redacted apart from it (a
    prompt's window and suffix), which may say what ``text`` is part of (a Kubernetes Secret).
    """
    if "\n" not in text and "\r" in text.rstrip("\r"):
        # A text whose lines end in "\r" alone (a classic Mac file; LSP's line break too): every
        # pattern reads lines by "\n", and the whole text was one line no secret's was. Read
        # with "\n" for "\r" (the same positions), the line breaks given back.
        return redact(
            text.replace("\r", "\n"),
            keep_lines=keep_lines,
            clean=clean,
            before=before.replace("\r", "\n") if "\n" not in before else before,
            after=after.replace("\r", "\n") if "\n" not in after else after,
        ).replace("\n", "\r")
    redacted = text
    if "PRIVATE KEY" in redacted:
        redacted = _apply(_PATTERNS[:_KEY_BLOCK_PATTERNS], redacted, keep_lines)
    if "SG." in redacted:
        redacted = _apply(((_SENDGRID, REDACTED),), redacted, keep_lines)
    if "SK" in redacted:
        redacted = _apply(((_TWILIO, REDACTED),), redacted, keep_lines)
    if "AC" in redacted:
        redacted = _apply(((_TWILIO_AUTH, r"\1" + REDACTED),), redacted, keep_lines)
    if "variable" in redacted:
        redacted = _apply(_TERRAFORM, redacted, keep_lines)
    if "default" in redacted or "default" in before[_line_start(before, len(before)) :] or may_continue_default(before):
        redacted = _unseen_block_defaults(redacted, before, after)
    if may_hold_open_default(redacted, before):
        redacted = redact_defaults_across(redacted, before, after)
    if may_hold_json_default(redacted, before):
        redacted = redact_json_defaults(redacted, before, after)
    if may_hold_section_key(redacted, before):
        redacted = redact_section_keys(redacted, before, after)
    if may_hold_host_tokens(redacted, before):
        redacted = redact_host_tokens(redacted, before, after)
    if may_hold_cookie_objects(redacted, before):
        redacted = redact_cookie_objects(redacted, before, after)
    if may_continue_list(redacted, before, after):
        redacted = redact_lists_across(redacted, before, after)
    if may_continue_markdown(redacted, before, after):
        redacted = redact_markdown_across(redacted, before, after)
    if may_hold_no_echo(redacted, before, after):
        redacted = redact_no_echo_defaults(redacted, before, after)
    if any("Secret" in part for part in (redacted, before, after, *_seams(redacted, before, after))):
        redacted = _redact_secret_manifests(redacted, before, after)
    if before:
        redacted = block_scalar_continued(redacted, before, keep_lines)
        redacted = ini_value_continued(redacted, before, keep_lines)
        redacted = _value_below_name(redacted, before)
        redacted = _parts_continued(redacted, before)
        if "PRIVATE KEY" in before or "PRIVATE KEY" in before[-64:] + redacted[:64]:
            redacted = _key_block_continued(redacted, before, keep_lines)
    if redacted != text:
        clean = ()  # the ranges were positions in the text before these went
    text = redacted
    low = text.lower()
    if len(low) != len(text):
        # A few characters lower-case to two ("İ"): positions in the lowered text would not be
        # positions in the text. Rare enough to pay for the whole-text patterns.
        return _concatenated(_SINGLE.apply(text, keep_lines))
    spans = _suspect_spans(low, clean)
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for begin, end in spans:
        out.append(text[done:begin])
        span = text[begin:end]
        out.append(_redacted_span(span, keep_lines) if len(span) <= _SPAN_KEPT_CHARS else _SINGLE.apply(span, keep_lines))
        done = end
    out.append(text[done:])
    return _concatenated("".join(out))


#: A private key block's BEGIN line.
_KEY_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
#: A key block's base64 from where a text starts inside it: the rest of the line it starts in,
#: whole lines of it (after line breaks or a literal's ``\n`` escapes), and a short last line
#: right before the END line.
_KEY_TAIL = re.compile(
    r"[A-Za-z0-9+/=]*(?:(?:\r?\n|\\[nr])[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*)*"
    r"(?:(?:\r?\n|\\[nr])[ \t]*[A-Za-z0-9+/=]{1,15}(?=[ \t]*(?:\r?\n|\\[nr])[ \t]*-----END))?"
)


def _key_block_continued(text: str, before: str, keep_lines: bool) -> str:
    """``text`` with its leading key material redacted where ``before`` ends inside a private key
    block (its BEGIN line there, or cut by the seam, and no END line after it). A prompt's suffix
    starting in a key whose END line is past its end (a 4096-bit key is ~3,200 characters) has
    neither line, and went out as written."""
    lo = max(0, len(before) - 64)
    cut = len(before) - lo
    start = None
    for m in _KEY_BEGIN.finditer(before[lo:] + text[:64]):
        if m.start() < cut < m.end():
            start = m.end() - cut  # the seam cuts the BEGIN line: the key starts after it
    if start is None:
        at = before.rfind("PRIVATE KEY")
        begin = before.rfind("-----BEGIN", 0, at) if at >= 0 else -1
        if begin < 0 or not _KEY_BEGIN.match(before, begin) or "-----END" in before[begin:]:
            return text
        start = 0
    tail = _KEY_TAIL.match(text, start)
    if tail is None or sum(ch.isalnum() for ch in tail.group()) < 16:
        return text
    breaks = "\n" * tail.group().count("\n") if keep_lines else ""
    return text[:start] + REDACTED + breaks + text[tail.end() :]


#: The one-line patterns, each run only over a span holding a word it needs.
_SINGLE = PatternTable(_PATTERNS[_KEY_BLOCK_PATTERNS:], PREFILTERS)
#: The longest span (a line holding a trigger and the two after it) whose redaction is kept.
_SPAN_KEPT_CHARS = 4096


@lru_cache(maxsize=256)
def _redacted_span(span: str, keep_lines: bool) -> str:
    """The one-line patterns applied to ``span``, kept by its text: a prompt window's spans are
    the same from one key to the next but the cursor's, and every pattern ran over each again."""
    return _SINGLE.apply(span, keep_lines)


#: A literal written right after a redacted one, with only spaces and line breaks between:
#: implicit concatenation (``PASSWORD = (\n    "part1"\n    "part2"\n)``, ``"abc" "def"``, a ``\`` between),
#: one secret in parts, of which only the first was redacted. Not a triple-quoted docstring,
#: nor the next entry's key of a map (HCL's ``"dev" = "…"`` on the line below).
_CONCATENATED = re.compile(r"""\[REDACTED\](["'])((?:[\s\\]+\1(?!\1)[^"'\r\n]+(?:\1(?![ \t]*(?::|=(?!=)))|\Z))+)""")
_CONCATENATED_PART = re.compile(r"""([\s\\]+["'])[^"'\r\n]+""")


#: A command line's flag before a literal (``docker login -p "..."``, ``--password="..."``): the
#: literals after it are the command's next arguments (``"registry.example.com"``), not parts of
#: the flag's value.
_FLAG_BEFORE = re.compile(r"(?<!\S)--?[A-Za-z][\w-]*(?:[ \t]+|=)\Z")


def _joined_literals(match: re.Match[str]) -> str:
    text, at = match.string, match.start()
    line = _line_start(text, at)
    opening = text.rfind(match.group(1), line, at)
    # No quote before the secret on its line: the one after it opens a literal, it closes none
    # (``AKIA...' '`` went out as ``[REDACTED]'[REDACTED]``).
    if opening < 0 or _FLAG_BEFORE.search(text, max(line, opening - 64), opening):
        return match.group(0)
    return REDACTED + match.group(1) + _CONCATENATED_PART.sub(r"\1" + REDACTED, match.group(2))


def _concatenated(text: str) -> str:
    if REDACTED not in text:
        return text
    return _CONCATENATED.sub(_joined_literals, text)


#: Lines of a prompt's window and of its suffix looked at around the cursor for a secret it is
#: inside of: a value may come a line or two after its name (see :func:`_suspect_spans`).
_SEAM_LINES = 4


#: Characters of each side looked at, at most, where lines are long (a name and what comes
#: between it and its value are shorter): in a minified file's one line, "the last four lines"
#: were the whole prompt window and the 4 kB above it, and every pattern ran over them twice a
#: keystroke (66 ms a key at the end of a 330 kB line).
_SEAM_CHARS = 256
#: Where a value written after the seam may end: it is read to there, never cut inside (the
#: rest of a long value would go out as it is).
_VALUE_END = re.compile(r"""[\s"'`;,)\]}>]""")
#: How far that end is looked for: no secret is longer (a data URL's base64 has no end).
_VALUE_MAX_CHARS = 8192


def _last_lines_start(text: str) -> int:
    """Where the last ``_SEAM_LINES`` lines of ``text`` start, blank lines not counted (and the
    command they continue, after ``\\``: ``curl`` five lines above its ``-u``), or its last
    ``_SEAM_CHARS`` characters where those lines are longer."""
    floor = len(text) - _SEAM_CHARS
    lo = len(text)
    lines = 0
    # Blank lines between a name and its value, or a value and its end tag, pushed the name out
    # of sight (``<password>``, blank, value, blank, cursor at ``</password>``): it went out.
    while lines < _SEAM_LINES and lo > max(floor, 0):
        start = _line_start(text, lo - 1)
        lines += bool(text[start:lo].strip())
        lo = start
    while lo > max(floor, 0) and _continued(text, lo):
        lo = _line_start(text, lo - 1)
    return max(lo, floor)


def _first_lines_end(text: str) -> int:
    """Where the first ``_SEAM_LINES`` lines of ``text`` end (after their line break), blank
    lines not counted up to ``_SEAM_CHARS`` characters of them, or where the word
    ``_SEAM_CHARS`` characters in ends, where those lines are longer."""
    hi = 0
    lines = 0
    while lines < _SEAM_LINES:
        nl = text.find("\n", hi, hi + _SEAM_CHARS + 1)
        if nl < 0:
            if len(text) - hi <= _SEAM_CHARS:
                return len(text)
            far = min(len(text), hi + _VALUE_MAX_CHARS)
            end = _VALUE_END.search(text, hi + _SEAM_CHARS, far)
            return far if end is None else end.start()
        # An end tag after blank lines (``X|``, blank lines, ``</password>``) says what X is.
        lines += bool(text[hi:nl].strip()) or nl >= _SEAM_CHARS
        hi = nl + 1
    return hi


def _replaced_across(
    joined: str,
    cut: int,
    patterns: Sequence[tuple[re.Pattern[str], Replacement]] | None = None,
    *,
    across: bool = True,
    told_after: bool = False,
) -> Iterator[tuple[re.Match[str], str]]:
    """The matches of ``patterns`` (the one-line ones by default) in ``joined`` that run across
    ``cut`` (where two texts redacted apart meet) with what replaces each, where that differs
    from the match. ``told_after``: also those ending before ``cut``, on its line or the one
    above, known a secret only by what follows it (``<password>X`` then ``</password>``);
    ``across``: False for those alone."""
    line = _line_start(joined, max(0, _line_start(joined, cut) - 1))
    found = _line_matches(joined) if patterns is None else ((p, r, p.finditer(joined)) for p, r in patterns)
    for pattern, replacement, matches in found:
        for m in matches:
            if m.start() >= cut:
                break
            if m.end() > cut and not across:
                continue
            if m.end() <= cut and not (told_after and _near(joined, m.end(), line) and _told_after(pattern, m, cut)):
                continue
            out = _keeping_lines(replacement)(m)
            if out != m.group(0):
                yield m, out


@lru_cache(maxsize=32)
def _line_matches(
    joined: str,
) -> tuple[tuple[re.Pattern[str], Replacement, tuple[re.Match[str], ...]], ...]:
    """The one-line patterns that match in ``joined``, each with its matches, in order. The
    seam at the cursor is searched by ``split_at_secret`` and again, the same text, by the
    suffix's redaction (``_value_below_name``), and the seam above the window at each key
    while the window's start stays: every pattern ran over them each time."""
    return tuple(
        (pattern, replacement, matches)
        for pattern, replacement in _SINGLE.for_text(joined)
        if ((needs := PREFILTERS.get(pattern)) is None or needs.search(joined) is not None)
        and (matches := tuple(pattern.finditer(joined)))
    )


def _near(joined: str, end: int, line: int) -> bool:
    """Whether a value ending at ``end`` is on the line above the cursor's (``line`` its start)
    or below, or only blank lines (and a CDATA's or Maven's braces' end) come between: the end
    tag of ``<password>X`` may come after blank lines, where the value went out."""
    return end >= line or not joined[end:line].strip(" \t\r\n]>}")


def _told_after(pattern: re.Pattern[str], m: re.Match[str], cut: int) -> bool:
    """Whether ``m`` (ending at or before ``cut``) is not found in the text before ``cut`` alone:
    its pattern looked past ``cut`` (an end tag, a closing brace)."""
    alone = pattern.match(m.string, m.start(), cut)
    return alone is None or alone.end() != m.end()


def _value_below_name(text: str, before: str) -> str:
    """``text`` with its first lines redacted where they hold the value of a secret named at the
    end of ``before``: a prompt's window starting between ``password = (`` and its value on the
    next line sent the value alone, which looks like nothing on its own."""
    lo = _last_lines_start(before)
    hi = _first_lines_end(text)
    # The word that says what the value is may follow it: ``echo | sudo -S`` after the cursor.
    found = _value_below(before[lo:], text, hi, None) if _may_hold_secret(before[lo:] + text[:hi]) else None
    if found is None and "variable" in before and (block := _terraform_block_start(before)) >= 0:
        found = _value_below(before[block:], text, hi, _TERRAFORM)
    return text if found is None else found


def _value_below(
    tail: str, text: str, hi: int, patterns: Sequence[tuple[re.Pattern[str], Replacement]] | None
) -> str | None:
    joined = tail + text[:hi]
    cut = len(tail)
    for m, out in _replaced_across(joined, cut, patterns):
        name = joined[m.start() : cut]
        # Only a value wholly in ``text``, after a name and separator that stay as written, or
        # as the text before redacts them alone: a secret in parts (``"Sup3r" + "S3cret"``),
        # the first part's redacted there, and the cursor before the second sent that one.
        if not out.startswith(name):
            name = _apply(_PATTERNS[_KEY_BLOCK_PATTERNS:] if patterns is None else patterns, name, False)
        if out.startswith(name):
            return out[len(name) :] + joined[m.end() :] + text[hi:]
        # ``tail`` ending between a passphrase's words (``password = correct |horse``, a window
        # starting on its second line): redacted alone, the space after its last word stays.
        bare = name.rstrip(" \t")
        if bare.endswith(REDACTED) and out.startswith(bare):
            return out[len(bare) :] + joined[m.end() :] + text[hi:]
        # Or inside a word of it, or on its next line (``password: >``, ``    c|orrect horse``):
        # the name's text alone is no passphrase, and its words after ``tail`` went out.
        if (rest := words_after(m, cut)) is not None:
            return rest + joined[m.end() :] + text[hi:]
    return None


#: A quote near a text's start: a literal's end, or the next part's start, may be there.
_QUOTE_NEAR = re.compile(r"""["']""")


def _parts_continued(text: str, before: str) -> str:
    """``text`` with its first literals redacted where they go on with a secret written in parts
    that ``before`` ends inside of or after (``DB_PASSWORD = ("correct ho|rse "`` then ``"battery
    staple")`` on the next line, the cursor in the first part, after it or before the second):
    the parts after the cursor went out, a literal alone."""
    if _QUOTE_NEAR.search(text, 0, 64) is None:
        return text
    tail = before[_last_lines_start(before) :]
    if not _may_hold_secret(tail) and REDACTED not in tail:
        return text
    hi = _first_lines_end(text)
    alone = _concatenated(_SINGLE.apply(tail, False))
    if REDACTED not in alone:
        return text
    joined = _concatenated(_SINGLE.apply(tail + text[:hi], False))
    if not joined.startswith(alone) or joined[len(alone) :] == text[:hi]:
        return text
    return joined[len(alone) :] + text[hi:]


def split_at_secret(window: str, suffix: str) -> tuple[str, str]:
    """``window`` and ``suffix`` (the text before and after the cursor, redacted apart) with a
    secret the cursor is inside of replaced, before the cursor. Each half alone looked like no
    secret (``AKIAQQQQ`` and ``QQQQQQQQQQQQ`` both went out), or the part after the cursor went
    out with the suffix (``-Secret-77"`` of a password being edited). And one the cursor is
    right after, that only what follows says is a secret: ``<password>X|</password>``, where an
    editor that closes tags leaves the cursor as the password is typed."""
    if not window or not suffix:
        # At the file's end (no newline after, no autopair's closer) a key is typed too.
        found = _typed_key(window, suffix) if window else None
        return (window, suffix) if found is None else found
    # Between words the cursor is inside no secret: only one it is after is looked for.
    inside = not (window[-1].isspace() or suffix[0].isspace())
    lo = _last_lines_start(window)
    hi = _first_lines_end(suffix)
    joined = window[lo:] + suffix[:hi]
    found = None
    if _may_hold_secret(joined):
        found = _split_across(window, suffix, lo, hi, None, across=inside)
        if found is None and not inside:
            # Between a passphrase's words the cursor is inside it: the window's first words went
            # as a value of their own, and the suffix's alone were no secret (``password = correct
            # |horse battery staple`` sent ``horse battery staple``).
            found = _split_across(window, suffix, lo, hi, PASSPHRASE_PATTERNS)
    if found is None:
        found = _typed_key(window, suffix)
    if not inside:
        return (window, suffix) if found is None else found
    # A default's line, or a heredoc's below it: the cursor in ``<<EOT\nSup3r|-S3cret\nEOT``.
    line = _line_start(window, len(window))
    if found is None and "default" in window[lo:]:
        block = _terraform_block_start(window)
        if block >= 0:
            # A list's or map's item is redact's (see ``redact_defaults_across``): split here, the
            # items after the cursor were put before it.
            found = _split_across(window, suffix, block, hi, _TERRAFORM_VALUES)
        elif "default" in window[line:] and (unseen := _unseen_block(window[:line], window[line:] + suffix[:hi], suffix[hi:])):
            found = _split_across(window, suffix, line, hi, ((_HCL_DEFAULT, _unseen_default(unseen[1])),))
    return (window, suffix) if found is None else found


#: A key's own prefix and what is typed of it, a digit among it, ending at the cursor: typed or
#: pasted in pieces, a piece went out until the whole key matched its pattern (a DeepSeek key's
#: ``sk-`` and 19 more). Only at the cursor: anywhere else such a word is all there is of it.
#: (After ``hf_``, ``npm_`` and the like only letters and digits: ``hf_dataset_v2`` is a name.)
_TYPED_KEY = re.compile(
    r"(?<![\w-])(?:(?:sk-|github_pat_|glpat-|gldt-|glrt-|xox[abcdeprs]-|pypi-)(?=[\w-]*\d)[\w-]{4,}"
    r"|(?:[sr]k_(?:live|test)_|gh[pousr]_|hf_|npm_|whsec_|AKIA|ASIA|AIza)(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{4,}|"
    + TYPED_VENDOR_KEYS
    + r")\Z"
)
_KEY_CHARS = re.compile(r"[\w-]+")
#: Before a style's class name, no key: a selector's ``.`` or a ``class``/``className`` value
#: (SpinKit's ``sk-circle1``, ``sk-cube1`` typed there went out as [REDACTED], its word cut).
_CLASS_NAME_BEFORE = re.compile(r"(?:\.|\bclass(?:Name)?\s*=\s*\{?[\"'`][^\"'`\n]*)\Z")
#: How far back from the cursor a key being typed is looked for: no key is longer.
_TYPED_KEY_CHARS = 256


def _typed_key(window: str, suffix: str) -> tuple[str, str] | None:
    """``window`` with the key being typed at its end replaced, and the rest of that word taken
    from ``suffix`` (the cursor inside it); None where none is."""
    typed = _TYPED_KEY.search(window, max(0, len(window) - _TYPED_KEY_CHARS))
    if typed is None or _CLASS_NAME_BEFORE.search(window, max(0, typed.start() - _TYPED_KEY_CHARS), typed.start()):
        return None
    rest = _KEY_CHARS.match(suffix)
    return window[: typed.start()] + REDACTED, suffix[rest.end() :] if rest else suffix


def _split_across(
    window: str,
    suffix: str,
    lo: int,
    hi: int,
    patterns: Sequence[tuple[re.Pattern[str], Replacement]] | None,
    *,
    across: bool = True,
) -> tuple[str, str] | None:
    joined = window[lo:] + suffix[:hi]
    cut = len(window) - lo
    for m, out in _replaced_across(joined, cut, patterns, across=across, told_after=True):
        if m.end() <= cut:  # wholly before the cursor: the suffix stays as it is
            return window[:lo] + joined[: m.start()] + out + joined[m.end() : cut], suffix
        # What the replacement ends with as the match does (a closing quote) stays after the cursor.
        keep = 0
        while keep < min(len(out), m.end() - cut) and out[-1 - keep] == joined[m.end() - 1 - keep]:
            keep += 1
        head = joined[: m.start()] + out[: len(out) - keep]
        return window[:lo] + head, joined[m.end() - keep :] + suffix[hi:]
    return None
