"""A list of secrets under a secret's name: ``api_keys = ["…", "…"]`` (a tuple, a set, Go's
``[]string{…}``, a JSON array), YAML's ``tokens:`` then a ``- …`` line an item. Only the first
line's value was looked at, and a list is no value: every item went out. Each item is judged as
the name's value would be, and a list's items more strictly (a lexer's ``tokens = ('NAME',
'NUMBER')``, a list of fields' names, ``("password", "token")``, are words)."""

from __future__ import annotations

import re

from .assignments import _assigned
from .sections import _ABOVE_CHARS, _redact_values
from .values import _ASSIGNED_NAME, _SECRET_LIKE, REDACTED, _line_start, _mixed_case

#: A quoted item.
_LITERAL = r"""(?:"[^"\\\r\n]*"|'[^'\\\r\n]*')"""
#: What may come between the ``=`` and the bracket: a type or a constructor (Go's ``[]string``
#: and ``map[string]string``, C#'s ``new[]`` and ``new List<string>``, Rust's ``vec!`` and ``&``,
#: PHP's ``array``, PowerShell's ``@``, Kotlin's ``mapOf``, Java's ``Map.of``, Python's ``dict`` and
#: ``frozenset(`` before its set, Scala's ``Seq``, Dart's ``<String>``).
_CONSTRUCTOR = (
    r"""(?:\[\][\ \t]*[\w.]+|new(?:[\ \t]+[\w.]+(?:<[^<>\r\n]{0,60}>)?)?(?:\[\])?"""
    r"""|(?:mutable)?(?:list|set|array|map)Of|(?:List|Set|Map)\.of|Arrays\.asList|vec!|&|@|map\[[\w.]+\][\w.]+"""
    r"""|<[\w.?]+>|(?:frozenset|set|tuple|list|sorted)\((?=[\ \t]*[\[{])|array|dict|seq|vector|list|set)"""
)
#: A type written between the name and the ``=``: Python's, TypeScript's, Swift's, Kotlin's and
#: Rust's annotations (``: list[str]``, ``: [String]``, ``: [&str; 2]``), C's ``name[]``.
#: (Its blanks bounded, and the type begun by one of its own characters: a line of spaces after
#: ``api_key:`` was tried at each split, each try looking through the rest for an ``=``.)
_DECLARED_TYPE = r"""(?:\[[\w\ \t]{0,20}\]|[\ \t]{0,8}:[\ \t]{0,8}[^\s=:][^=\r\n]{0,60}?(?=[\ \t]{0,8}=[^=]))"""
#: A dictionary's key before its value (``"prod": "…"``, ``prod: "…"``, PHP's ``'prod' => '…'``,
#: HCL's ``prod = "…"``, Kotlin's ``"prod" to "…"``): the values are the secrets.
_KEY = r"""(?:(?:""" + _LITERAL + r"""|[\w$-]+)[\ \t]*(?::|=>|=|to(?=[\ \t]))[\ \t]*)?"""
#: A bracketed list of literals after a secret's name (group 1), its items (group 2) up to its
#: closing bracket or the text's end (a prompt's window), the last one cut there too. (The spaces
#: after an item are the next item's or the end's, a comma's only before it: taken by either,
#: the end was tried after each of them, seconds over a line of spaces.)
_BRACKET_LIST = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")["'\]]?(?:""" + _DECLARED_TYPE + r""")?[\ \t]*(?::=|=>|\+=|=|:)[\ \t]*(?:""" + _CONSTRUCTOR
    + r"""[\ \t]*)?[\[({]((?:\s*""" + _KEY + _LITERAL + r"""(?:[\ \t]*,)?(?:[\ \t]*(?://|\#)[^\r\n]*)?)+(?:\s*["'][^"'\\\r\n]*\Z)?)"""
    r"""(?=\s*(?:[\])}]|\Z))"""
)
#: YAML's list under a secret's name: the name (group 1) alone on its line, a ``- `` line an item.
_YAML_LIST = re.compile(
    r"""(?imx)^[\ \t]*(?:-[\ \t]+)?["']?(""" + _ASSIGNED_NAME + r""")["']?[\ \t]*:[\ \t]*(?:\#[^\r\n]*)?\r?\n"""
    r"""((?:[\ \t]*-[\ \t]+[^\r\n]*(?:\r?\n|\Z))+)"""
)
#: YAML's mapping under a secret's name (group 2) alone on its line, indented by group 1: its
#: lines more indented (group 3), ``prod: …`` and ``dev: …``, nested ones too. Each went out.
_YAML_MAP = re.compile(
    r"""(?imx)^([\ \t]*)(?:-[\ \t]+)?["']?(""" + _ASSIGNED_NAME + r""")["']?[\ \t]*:[\ \t]*(?:\#[^\r\n]*)?\r?\n"""
    r"""((?:(?:[\ \t]*(?:\#[^\r\n]*)?\r?\n)*\1[\ \t]+[^\s\#-][^\r\n]*(?:\r?\n|\Z))+)"""
)
#: A mapping's entry: its key (group 2) and its scalar (its quote, group 3; its text, group 4).
#: (Its spaces are the value's up to its last other character, as :data:`_YAML_ITEM`'s.)
_MAP_ENTRY = re.compile(
    r"""(?m)^[ \t]+(["']?)([\w.$/-]+)\1[ \t]*:[ \t]+(["']?)([^\s"'#\[{&*!|>](?:[^\r\n#]*[^\s#])?|(?<=["'])[^"'\r\n]*)\3[ \t]*(?:#[^\r\n]*)?$"""
)
#: A mapping's keys that say what its secret is, not hold it (a compose file's ``file:``, a
#: reference's ``name:`` and ``key:``, where it is served).
_NEUTRAL_KEYS = frozenset(
    ("name", "file", "path", "type", "kind", "namespace", "url", "host", "hostname", "port", "region", "issuer", "audience", "ttl", "version")
)
#: A TOML or INI table named for a secret (``[api_keys]``, ``[secrets.db]``, ``[[tokens]]``; the
#: name group 1) and its lines (group 2) up to the next table's: each ``prod = "…"`` went out.
_TABLE = re.compile(
    r"""(?imx)^[\ \t]*\[\[?[^\[\]\r\n]*?(""" + _ASSIGNED_NAME + r""")[^\[\]\r\n]*\]\]?[\ \t]*(?:[\#;][^\r\n]*)?\r?\n"""
    r"""((?:(?![\ \t]*\[)[^\r\n]*(?:\r?\n|\Z))+)"""
)
#: A table's entry: its key (group 2) and its value, quoted (its quote, group 3; its text, group
#: 4) or an INI file's bare one to its line's end (group 5; a comment after a blank cut off).
_TABLE_ENTRY = re.compile(
    r"""(?m)^[ \t]*(["']?)([\w.-]+)\1[ \t]*[=:][ \t]*(?:(["'])([^"'\r\n]*)\3|([^\s"'\[{\#;][^\r\n]*))"""
)
#: (From a run of blanks' first only: from each of them it was read to the run's end, 3 s over 20 kB.)
_INLINE_COMMENT = re.compile(r"(?<![ \t])[ \t]+[#;]")
#: A list of bare words under a secret's name (group 1), its words (group 2): Ruby's ``%w[…]``
#: and ``%i[…]`` (any bracket, over lines), Perl's ``qw(…)``, YAML's flow list ``[a, b]``, a
#: shell's array ``NAME=(a b)``.
_WORD_LIST = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")["'\]]?[\ \t]*(?:=|:|=>)[\ \t]*(?:%[wi]|qw[\ \t]*|(?<=:)[\ \t]*(?=\[)|(?<==)(?=\())"""
    r"""[\[({<]([^\[\](){}<>"'\r\n]*(?:\r?\n[^\[\](){}<>"'\r\n]*)*)(?=[\])}>]|\Z)"""
)
#: A comma list without brackets under a secret's name (group 1), its items (group 2), to its
#: line's end or a comment: a .env's, an INI's or a properties file's ``API_KEYS=a,b,c``. The
#: first item is the name's value (redacted already, as such); the others went out. An item
#: holds no ``=`` nor ``:`` (but base64's padding at its end): from each name of a line of
#: ``token=a,`` the items would have run to its end. Its first character a word's: a call's
#: arguments one a line end in ``**kwargs`` (``sandbox_token=self._token, **kwargs``).
_COMMA_ITEM = r"""(?:\[REDACTED\]|[\w+/.~-][^\s,"'`;:=()\[\]{}<>]*={0,2})"""
_COMMA_LIST = re.compile(
    r"""(?imx)(""" + _ASSIGNED_NAME + r""")["'\]]?[\ \t]*(?:=|:)[\ \t]*"""
    r"""(""" + _COMMA_ITEM + r"""(?:[\ \t]*,[\ \t]*""" + _COMMA_ITEM + r""")+)[\ \t]*,?(?=[\ \t]*(?:\#[^\r\n]*)?\r?$)"""
)
#: What a text holds for :data:`_WORD_LIST` to match, found far faster than its names (a second
#: pattern of every secret's name made each span's redaction a tenth slower).
WORD_LIST_OPENER = re.compile(r"%[wWiI]|qw|=\(|:[ \t]*\[")
#: A word of such a list (a YAML flow list's items are between commas).
_WORD = re.compile(r"[^\s,]+")
#: An item of a bracketed list (its quote, its text), the last one perhaps cut by the text's end.
_ITEM = re.compile(r"""(["'])([^"'\\\r\n]*)(?:\1|\Z)""")
#: What follows a dictionary's key, not a value.
_KEY_AFTER = re.compile(r"[ \t]*(?::|=>|=(?!=)|to[ \t])")
#: A YAML item: a scalar (its quote, its text); not a mapping (``- name: db``) nor a nested list.
#: (Its spaces are the value's up to its last other character: where either could take them, a
#: line of spaces was tried at each split, 6 s over 20 kB.)
_YAML_ITEM = re.compile(
    r"""(?m)^[ \t]*-[ \t]+(["']?)([^\s"'#\[{&*!|>-](?:[^\r\n#]*[^\s#])?|(?<=["'])[^"'\r\n]*)\1[ \t]*(?:#[^\r\n]*)?$"""
)
#: The shortest item judged: ``"("``, ``"+="``, a lexer's names are shorter than a key.
_MIN_ITEM = 8


#: How AWS's documentation's example keys end (``AKIAIOSFODNN7EXAMPLE``, ``wJalrXUtnFEMI/K7MDENG/
#: bPxRfiCYEXAMPLEKEY``): a secret scanner's rules list them as what it must not report.
_DOCUMENTED_EXAMPLE = ("EXAMPLE", "EXAMPLEKEY")
#: How a path or a JSON pointer starts (a schema's ``"SecretConfig": {"$ref": "#/definitions/…"}``).
_PATH_STARTS = ("#/", "./", "../", "/")
#: A password's symbols (not a name's joints, ``-``, ``_``, ``.``, nor a flag's ``+``).
_PASSWORD_SYMBOL = re.compile(r"[!@#$%^&*~?=]")


def _secret_item(name: str, quote: str, value: str) -> bool:
    """Whether ``value``, an item of a list named ``name``, is a secret: as the name's value would
    be, and shaped as one: 8 characters or more, no space, with digits in mixed case, four
    digits or a password's symbol (pygments' ``token_variants = ['+i6t-not-inline', …]`` are names)."""
    if len(value) < _MIN_ITEM or _SECRET_LIKE.search(value) is None or any(ch.isspace() for ch in value):
        return False
    if value.endswith(_DOCUMENTED_EXAMPLE):
        return False
    if value.startswith(_PATH_STARTS):
        return False
    digits = sum(ch.isdigit() for ch in value)
    if not (digits >= 4 or (digits and _mixed_case(value)) or _PASSWORD_SYMBOL.search(value)):
        return False
    if quote and ": " in value:
        return False
    whole = f"{quote}{value}{quote}"
    return _assigned(whole, name, "", quote or None, value if quote else None, None if quote else value) != whole


def _table_value(name: str, entry: re.Match[str]) -> tuple[int, int] | None:
    """The span of the value of a table's ``entry`` where it is a secret (the table named
    ``name``), else None."""
    if entry.group(2).lower() in _NEUTRAL_KEYS:
        return None
    if entry.group(3) is not None:
        quote, start, value = entry.group(3), entry.start(4), entry.group(4)
    else:
        quote, start, value = "", entry.start(5), _INLINE_COMMENT.split(entry.group(5), 1)[0].rstrip()
    return (start, start + len(value)) if _secret_item(name, quote, value) else None


def _list_item_spans(found: re.Match[str]) -> list[tuple[int, int]]:
    """The (start, end) spans of the secret items of the list ``found`` (a list pattern's match:
    the name, group 1, and the items, group 2), in its text."""
    name, text = found.group(1), found.string
    if found.re is _TABLE:
        return [span for m in _TABLE_ENTRY.finditer(text, *found.span(2)) if (span := _table_value(name, m))]
    if found.re is _YAML_MAP or found.re is _YAML_MAP_LINE:
        return [
            m.span(4)
            for m in _MAP_ENTRY.finditer(text, *found.span(3))
            if m.group(2).lower() not in _NEUTRAL_KEYS and _secret_item(found.group(2), m.group(3), m.group(4))
        ]
    if found.re is _YAML_LIST or found.re is _YAML_LIST_LINE:
        spans = []
        for m in _YAML_ITEM.finditer(text, *found.span(2)):
            value = m.group(2).rstrip()
            if ": " not in value and _secret_item(name, m.group(1), value):
                spans.append((m.start(2), m.start(2) + len(value)))
        return spans
    if found.re is _WORD_LIST or found.re is _COMMA_LIST:
        return [m.span() for m in _WORD.finditer(text, *found.span(2)) if _secret_item(name, "", m.group())]
    return [
        m.span(2)
        for m in _ITEM.finditer(text, *found.span(2))
        if _secret_item(name, m.group(1), m.group(2)) and not _KEY_AFTER.match(text, m.end())
    ]


def redact_list_items(match: re.Match[str]) -> str:
    """A pattern's replacement: the match (a list) with its secret items redacted."""
    text, at = match.string, match.start()
    out: list[str] = []
    done = at
    for start, end in _list_item_spans(match):
        out += [text[done:start], REDACTED]
        done = end
    return "".join(out) + text[done : match.end()] if out else match.group(0)


#: A list's patterns, one-line patterns whose text (a span) :mod:`.triggers` takes to a list's end.
LIST_PATTERNS = (
    (_BRACKET_LIST, redact_list_items),
    (_YAML_LIST, redact_list_items),
    (_WORD_LIST, redact_list_items),
    (_COMMA_LIST, redact_list_items),
    (_YAML_MAP, redact_list_items),
    (_TABLE, redact_list_items),
)

#: A line that may be an item of a list: a literal first, YAML's ``- ``, or an indented key of a
#: YAML mapping (``  prod: …``, ``  prod:``).
_ITEM_LINE = re.compile(r"""[ \t]*(?:["']|-[ \t])|[ \t]+["']?[\w.$/-]+["']?[ \t]*:(?=[ \t]|\r?\n|\Z)""")


#: The list patterns from a line's start (its name anywhere on the line).
_BRACKET_LIST_LINE = re.compile(r"[^\r\n]*?" + _BRACKET_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_YAML_LIST_LINE = re.compile(_YAML_LIST.pattern, re.I | re.M | re.X)
_YAML_MAP_LINE = re.compile(_YAML_MAP.pattern, re.I | re.M | re.X)
#: How many lines above a seam a list's name is looked for (the text above is 4 kB at most).
_LIST_LINES = 256


def _seam_item_spans(text: str, seam: int) -> list[tuple[int, int]]:
    """The (start, end) spans of the secret items of the list ``seam`` (a position in ``text``)
    is inside of: its name on the line above its items' lines (those from the seam's line up),
    looked for there alone: a search of every list in the 4 kB above a window and the window
    (a Python file's docstring lines start as an item's) took 10 ms."""
    line = _line_start(text, seam)
    for _ in range(_LIST_LINES):
        if line == 0:
            return []
        above = _line_start(text, line - 1)
        if text[above:line].strip() and not _ITEM_LINE.match(text, above):
            for pattern in (_BRACKET_LIST_LINE, _YAML_LIST_LINE, _YAML_MAP_LINE):
                found = pattern.match(text, above)
                if found is not None and found.end() >= seam:
                    return _list_item_spans(found)
            return []
        line = above
    return []


def may_continue_list(text: str, before: str, after: str) -> bool:
    """Whether ``text`` may start inside a list whose name is in ``before`` (its first line that
    is not blank, or the line the seam cuts, an item's), or end inside one, ``after`` going on
    with it (its last line an item's, the cursor inside it)."""
    if after and _ITEM_LINE.match(text, _line_start(text, len(text.rstrip("\r\n")))):
        return True
    if not before:
        return False
    seam = before[_line_start(before, len(before)) :] + text[: text.find("\n") + 1 or len(text)]
    return _ITEM_LINE.match(seam) is not None or _ITEM_LINE.match(text.lstrip("\r\n")) is not None


def redact_lists_across(text: str, before: str, after: str) -> str:
    """``text`` with the secret items redacted of a list it starts or ends inside of (``before``
    and ``after`` the text around it, where its name and the rest of a cut item are)."""
    lo = len(before[-_ABOVE_CHARS:])
    hi = lo + len(text)

    def seams(joined: str) -> list[tuple[int, int]]:
        return sorted({*_seam_item_spans(joined, lo), *_seam_item_spans(joined, hi)})

    return _redact_values(text, before, after, seams)
