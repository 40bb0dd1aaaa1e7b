"""Terraform variables' defaults, their heredocs, and a ``variable`` block whose name is above
the text in sight."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Literal

from .assignments import _named_literal
from .lists import _ITEM, _KEY_AFTER, _list_item_spans, redact_list_items
from .sections import _redact_values
from .values import _ASSIGNED_NAME, _REFERENCE, REDACTED, Replacement, _line_start, _mixed_case

#: Terraform's ``variable "db_password" { default = "..." }``, the default on the block's first
#: line or a later one (nested blocks before it, one level). Over the whole text: the name may
#: be more lines above its default than the patterns look at around a name.
_TERRAFORM_DEFAULT = re.compile(
    r"""(?ix)((?-i:variable)(?<=\bvariable)[\ \t]+"?(""" + _ASSIGNED_NAME + r""")"?[\ \t]*\{
    (?:[^{}]|\{[^{}]*\})*?(?<![\w.-])(?-i:default)[\ \t]*=[\ \t]*)(")([^"\r\n]{6,}?)(?:"|\Z)"""
)
#: The same default as a heredoc (``default = <<EOT``, ``<<-EOT``) of one word: a block of text
#: (a policy, a script) is not a secret, as in YAML's block scalars.
_TERRAFORM_HEREDOC = re.compile(
    r"""(?ix)((?-i:variable)(?<=\bvariable)[\ \t]+"?(?:""" + _ASSIGNED_NAME + r""")"?[\ \t]*\{
    (?:[^{}]|\{[^{}]*\})*?(?<![\w.-])(?-i:default)[\ \t]*=[\ \t]*<<-?(\w+)[\ \t]*\r?\n[\ \t]*)
    ([^\s"'`{}]{6,})(?=[\ \t]*\r?\n[\ \t]*\2\b)"""
)
#: The same default as a list or a map (``default = ["…", "…"]``, ``default = {prod = "…"}``,
#: over lines): the name (group 1) and the items (group 2), each judged as a list's item.
_TERRAFORM_COLLECTION = re.compile(
    r"""(?ix)(?-i:variable)(?<=\bvariable)[\ \t]+"?(""" + _ASSIGNED_NAME + r""")"?[\ \t]*\{
    (?:[^{}]|\{[^{}]*\})*?(?<![\w.-])(?-i:default)[\ \t]*=[\ \t]*[\[{]([^\[\]{}]*)(?=[\]}]|\Z)"""
)
#: The patterns of a default that is one value.
_TERRAFORM_VALUES: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (_TERRAFORM_DEFAULT, _named_literal),
    (_TERRAFORM_HEREDOC, r"\1" + REDACTED),
)
_TERRAFORM: tuple[tuple[re.Pattern[str], Replacement], ...] = (*_TERRAFORM_VALUES, (_TERRAFORM_COLLECTION, redact_list_items))

# A prompt's window may start inside a ``variable`` block whose name is further above than the
# text looked at above it (a long description, validation blocks): its ``default`` then has no
# name to say what it is. Decided safely: kept, unless the block says the value is secret
# (``sensitive = true``, Terraform's own mark) or the value's own shape is a secret's. A
# default that is not secret-shaped in a block named ``db_password`` out of sight goes out
# (``"eu-west-1"``, ``"t3.medium"``, ``"Standard_D2s_v3"`` are what most defaults are).
#: A line at column 0 that is not a comment (a block's opener or closing brace in HCL), after
#: its line break: re skips to a literal ``\n`` 10x faster than it tries ``(?m)^`` everywhere.
_TOP_LEVEL_LINE = re.compile(r"\n[^\s#/]")
_HCL_DEFAULT = re.compile(r"""(?m)^([ \t]+default[ \t]*=[ \t]*")([^"\r\n]{6,}?)(?="|$)""")
_HCL_SENSITIVE = re.compile(r"(?m)^[ \t]+sensitive[ \t]*=[ \t]*true\b")
#: What passwords have and identifiers, versions (``1.2.3+build4``), regions, sizes and CIDRs
#: have not.
_PASSWORD_SYMBOL = re.compile(r"[!@#$%^&*~?]")
_EMAIL = re.compile(r"[^@\s]+@[\w-]+(?:\.[\w-]+)+")
_KEY_CHARACTERS = re.compile(r"[A-Za-z0-9+/=_-]{20,}")


def _secret_shaped(value: str) -> bool:
    """A password's shape (letters, digits and a symbol) or a generated key's; not words, an
    address, a template or a reference."""
    if any(ch.isspace() for ch in value) or "{" in value or _REFERENCE.fullmatch(value) or _EMAIL.fullmatch(value):
        return False
    has_letter_and_digit = any(ch.isalpha() for ch in value) and any(ch.isdigit() for ch in value)
    if len(value) >= 8 and has_letter_and_digit and _PASSWORD_SYMBOL.search(value):
        return True
    return has_letter_and_digit and _KEY_CHARACTERS.fullmatch(value) is not None and _mixed_case(value)


def _first_line_dropped(text: str) -> str:
    # Text above a window starts where a byte count fell, most often inside a line.
    nl = text.find("\n")
    return "" if nl < 0 else text[nl + 1 :]


def _top_level_line(text: str) -> int:
    """Where the first line of ``text`` at column 0 that is not a comment starts, or -1."""
    if text and text[0] not in " \t\r\n#/":
        return 0
    found = _TOP_LEVEL_LINE.search(text)
    return -1 if found is None else found.start() + 1


#: A heredoc's opener at its line's end (``description = <<EOT``, ``<<-EOT``), the text before
#: it on its line; and a line that is an upper-case word alone, a terminator (``EOT``), after its
#: line break (re skips to the ``\n``).
_HEREDOC_OPENER = re.compile(r"(?m)^([^\r\n]*?)<<-?([A-Za-z_]\w*)[ \t]*\r?$")
_LONE_WORD = re.compile(r"\n[ \t]*[A-Z][A-Z0-9_]*[ \t]*(?=\r?\n|\Z)")
_WORD_LINE = re.compile(r"(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*\r?$")
_COLUMN_0 = re.compile(r"(?m)^\S")
_DESCRIPTION_LINE = re.compile(r'(?m)^[ \t]+description[ \t]*=[ \t]*"([^"\r\n]*)"')
_DESCRIPTION_OPENER = re.compile(r"[ \t]*description[ \t]*=[ \t]*")
#: Words of a description that say the value is a password or a key (not ``secret`` or
#: ``token`` alone: "the secret's name", "token lifetime").
_NAMES_A_PASSWORD = re.compile(
    r"(?i)\b(?:pass(?:word|phrase|wd)|pass[ ]phrase|(?:api|access|auth|secret)[ _-]?(?:key|token))s?\b"
)


def _heredocs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with its heredocs' lines (text, terminator) that start at column 0 a space to the
    right (same length): at column 0 in a ``variable`` block (``description = <<EOT`` and its
    paragraphs) they were taken for lines outside any block. Lines above a lone upper-case word
    with no opener above it are the text of a heredoc opened above ``text``. And where the
    heredocs that describe are (a ``description``'s, or the one whose opener is unseen)."""
    spans: list[tuple[int, int]] = []
    described: list[tuple[int, int]] = []
    first = _HEREDOC_OPENER.search(text)
    limit = len(text) if first is None else first.start()
    lone = _LONE_WORD.search("\n" + text, 0, limit + 1)  # the first line may be the terminator
    at = 0
    if lone is not None:
        at = lone.end() - 1
        spans.append((0, at))
        described.append((0, at))
    while (opener := _HEREDOC_OPENER.search(text, at)) is not None:
        body = opener.end() + 1
        # Its own word closes it (not a pattern of each word: hundreds of words, compiled).
        at = next((m.end() for m in _WORD_LINE.finditer(text, body) if m.group(1) == opener.group(2)), len(text))
        spans.append((body, at))
        if _DESCRIPTION_OPENER.fullmatch(opener.group(1)):
            described.append((body, at))
    if not spans:
        return text, described
    out: list[str] = []
    done = 0
    for lo, hi in spans:
        out += [text[done:lo], _COLUMN_0.sub(" ", text[lo:hi])]
        done = hi
    out.append(text[done:])
    return "".join(out), described


#: What a block whose name is out of sight says of its ``default``: nothing, that it is
#: ``sensitive``, or (its description) that it is a password or a key.
_Signal = Literal["sensitive", "described"] | None


def _unseen_block(above: str, text: str, after: str) -> tuple[int, _Signal] | None:
    """Where the inside ends, in ``text`` (from a line's start), of a block that ``text`` starts
    inside of and whose opener is not in ``above`` (whole lines above it), and what the block
    says of its defaults; None if ``text`` starts inside no such block. Its inside ends at its
    closing ``}`` at column 0 (in ``text`` or in ``after``, what follows it), which tells the
    lines above it are an HCL block's. A heredoc's lines at column 0 are inside it."""
    if _terraform_block_start(above) >= 0:
        return None  # its opener is in sight (the patterns take it)
    rest = after if text.endswith("\n") else _first_line_dropped(after)
    if not any(part.startswith("}") or "\n}" in part for part in (text, rest)):
        return None  # no closing brace at column 0: most code, spared the heredoc search
    joined = f"{above}{text}\n{rest}"
    masked, described = _heredocs(joined) if "<<" in joined or _LONE_WORD.search(joined) else (joined, [])
    if _top_level_line(masked[: len(above)]) >= 0:
        return None  # no block is open
    inside = masked[len(above) : len(above) + len(text)]
    end = _top_level_line(inside)
    if end >= 0:
        closing = inside[end] == "}"
    else:
        end = len(text)
        tail = masked[len(above) + len(text) + 1 :]
        at = _top_level_line(tail)
        closing = at >= 0 and tail[at] == "}"
    if not closing:
        return None
    if _HCL_SENSITIVE.search(above) is not None or _HCL_SENSITIVE.search(text, 0, end) is not None:
        return end, "sensitive"
    seen = above + text[:end]
    heredoc_text = (joined[lo : min(hi, len(seen))] for lo, hi in described if lo < len(seen))
    descriptions = itertools.chain(heredoc_text, (m.group(1) for m in _DESCRIPTION_LINE.finditer(seen)))
    if any(_NAMES_A_PASSWORD.search(part) for part in descriptions):
        return end, "described"
    return end, None


#: A generated password's characters; a duration's (``720h0m0s``); lower-case words joined by
#: a hyphen (``prod-db-01``, ``eu-west-1``, ``ami-0c55b159cbfafe1f0``), a word and its version
#: (``postgres14``) or capitalised words and numbers (``WindowsServer2022Datacenter``): names.
_PASSWORD_CHARACTERS = re.compile(r"[A-Za-z0-9-]{8,}")
_DURATION = re.compile(r"(?:\d+[a-z]{1,3})+")
_JOINED_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]+\d+|(?:[A-Z][a-z]{2,}|\d+)+")


def _password_like(value: str) -> bool:
    """Whether ``value``, in a block whose description names a password or a key, is one though
    not shaped like a password (``hunter2pass99``, ``S3cretPass``): a word of letters and digits;
    not a name, a size (``Standard_D2s_v3``, ``t3.medium``), a duration, a path or an address."""
    return (
        _PASSWORD_CHARACTERS.fullmatch(value) is not None
        and any(ch.isalpha() for ch in value)
        and any(ch.isdigit() for ch in value)
        and _JOINED_NAME.fullmatch(value) is None
        and _DURATION.fullmatch(value) is None
    )


def _unseen_secret(signal: _Signal, value: str) -> bool:
    """Whether ``value``, a default (or its item) in a block whose name is out of sight, is redacted."""
    return signal == "sensitive" or _secret_shaped(value) or (signal == "described" and _password_like(value))


def _unseen_default(signal: _Signal) -> Callable[[re.Match[str]], str]:
    """The replacement of an ``_HCL_DEFAULT`` match in a block whose name is out of sight."""

    def replace(match: re.Match[str]) -> str:
        return match.group(1) + REDACTED if _unseen_secret(signal, match.group(2)) else match.group(0)

    return replace


#: A ``default`` that is a list or a map (``default = ["…"]``, ``default = {prod = "…"}``, over
#: lines): its items (group 1) to its closing bracket or the text's end.
_HCL_COLLECTION = re.compile(r"(?m)^[ \t]+default[ \t]*=[ \t]*[\[{]([^\[\]{}]*)(?=[\]}]|\Z)")
#: The same opened at the end of a text and not closed there (the window below holds its items).
_OPEN_COLLECTION = re.compile(r"default[ \t]*=[ \t]*[\[{][^\[\]{}]*\Z")


def may_continue_default(before: str) -> bool:
    """Whether ``before`` ends inside a ``default``'s list or map (its last ``default``'s)."""
    at = before.rfind("default")
    return at >= 0 and _OPEN_COLLECTION.match(before, at) is not None


def _unseen_items(above: str, inside: str, signal: _Signal, head: int) -> str:
    """``inside`` (a block's inside from a line's start, ``above`` the block's lines above it)
    with the secret items of its list and map defaults redacted: only a plain ``default =
    "…"`` was, and a list's or a map's went out. Not those in its first ``head`` characters
    (the text before's last line: redacted with it)."""
    seen = above + inside
    lo = len(above)
    out: list[str] = []
    done = lo
    for found in _HCL_COLLECTION.finditer(seen):
        if found.end() <= lo + head:
            continue
        for item in _ITEM.finditer(seen, *found.span(1)):
            if item.start(2) >= lo + head and not _KEY_AFTER.match(seen, item.end()) and _unseen_secret(signal, item.group(2)):
                out += [seen[done : item.start(2)], REDACTED]
                done = item.end(2)
    return "".join(out) + seen[done:] if out else inside


def _unseen_block_defaults(text: str, before: str, after: str) -> str:
    """``text`` with the ``default``s redacted of a block it starts inside of whose opener is in
    neither ``text`` nor ``before`` (see above). ``before``'s last line goes on in ``text``."""
    cut = _line_start(before, len(before))
    head = before[cut:]
    whole = head + text
    above = _first_line_dropped(before[:cut])
    found = _unseen_block(above, whole, after)
    if found is None:
        return text
    end, signal = found
    out = _HCL_DEFAULT.sub(_unseen_default(signal), _unseen_items(above, whole[:end], signal, len(head))) + whole[end:]
    # A value begun in ``before`` (the cursor inside it) is split_at_secret's to redact.
    return out[len(head) :] if out.startswith(head) else text


def _open_default(joined: str, seam: int) -> re.Match[str] | None:
    """The list or map ``default`` (an :data:`_HCL_COLLECTION` match) that ``seam`` is inside
    of, or None."""
    at = joined.rfind("default", 0, seam)
    if at < 0:
        return None
    found = _HCL_COLLECTION.match(joined, _line_start(joined, at))
    return found if found is not None and found.start(1) <= seam <= found.end(1) else None


def _default_item_spans(joined: str, seam: int) -> list[tuple[int, int]]:
    """The (start, end) spans of the secret items of the list or map ``default`` that ``seam``
    is inside of: judged by the name of its ``variable`` where that is in ``joined``, else by
    what the block says and the items' shapes (see :func:`_unseen_block`)."""
    found = _open_default(joined, seam)
    if found is None:
        return []
    line = _line_start(joined, found.start())
    block = _terraform_block_start(joined[:line])
    if block >= 0:
        named = _TERRAFORM_COLLECTION.match(joined, block)
        return _list_item_spans(named) if named is not None and named.start(2) == found.start(1) else []
    first = joined.find("\n") + 1  # the text above starts where a byte count fell: whole lines
    # Items to the end of what is seen (a suffix cut among them) are a block's not closed yet.
    closing = "\n}" if found.end(1) == len(joined) else ""
    unseen = _unseen_block(joined[first:line], joined[line:], closing) if 0 < first <= line else None
    if unseen is None or found.end() > line + unseen[0]:
        return []
    signal = unseen[1]
    return [
        item.span(2)
        for item in _ITEM.finditer(joined, *found.span(1))
        if not _KEY_AFTER.match(joined, item.end()) and _unseen_secret(signal, item.group(2))
    ]


#: :data:`REDACTED` without its brackets.
_REDACTED_WORD = REDACTED.replace("[", "_").replace("]", "_")


def _ends_in_default(text: str) -> bool:
    """Whether ``text`` ends inside a ``default``'s list or map (its items redacted already or not)."""
    at = text.rfind("default")
    return at >= 0 and _OPEN_COLLECTION.match(text[at:].replace(REDACTED, _REDACTED_WORD)) is not None


def may_hold_open_default(text: str, before: str) -> bool:
    """Whether ``text`` starts or ends inside a ``default``'s list or map (see
    :func:`redact_defaults_across`)."""
    if _ends_in_default(before) or _ends_in_default(text):
        return True
    # The seam inside the ``default = [`` line (``def|ault = [``): its items all after it.
    seam = before[before.rfind("\n") + 1 :] + text[: text.find("\n") + 1 or len(text)]
    return "default" in seam and _ends_in_default(seam)


def redact_defaults_across(text: str, before: str, after: str) -> str:
    """``text`` with the secret items redacted of a ``default``'s list or map it starts or ends
    inside of, whose ``default = [`` line is in ``before`` (and its ``variable`` line there or
    out of sight): a prompt's window or suffix starting among the items sent all but those in its
    first lines, and the item the cursor is inside went out in two halves, each too short to
    look like a secret."""
    lo, hi = len(before), len(before) + len(text)

    def spans(joined: str) -> list[tuple[int, int]]:
        # The items redacted already (the window's, before the suffix) end a list at their ``[``:
        # read as a word of the same length, the items after them are still the list's.
        joined = joined.replace(REDACTED, _REDACTED_WORD)
        return sorted({*_default_item_spans(joined, lo), *_default_item_spans(joined, hi)})

    return _redact_values(text, before, after, spans, above_chars=len(before), below_chars=len(after))


def _terraform_block_start(text: str) -> int:
    """Where the last ``variable`` of ``text`` first on its line is, or -1."""
    at = len(text)
    while (at := text.rfind("variable", 0, at)) >= 0:
        if not text[_line_start(text, at) : at].strip():
            return at
    return -1
