"""A list of secrets under a secret's name: ``api_keys = ["…", "…"]`` (a tuple, a set, Go's
``[]string{…}``, a JSON array), YAML's ``tokens:`` then a ``- …`` line an item. Only the first
line's value was looked at, and a list is no value: every item went out. Each item is judged as
the name's value would be, and a list's items more strictly (a lexer's ``tokens = ('NAME',
'NUMBER')``, a list of fields' names, ``("password", "token")``, are words)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .assignments import _assigned
from .sections import _BELOW_CHARS, _redact_values
from .values import (
    _ASSIGNED_NAME,
    _SECRET_LIKE,
    REDACTED,
    _line_start,
    _mixed_case,
    random_letters,
    random_mixed_letters,
)

#: A quoted item.
_LITERAL = r"""(?:"[^"\\\r\n]*"|'[^'\\\r\n]*')"""
#: What may come between the ``=`` and the bracket: a type or a constructor (Go's ``[]string``
#: and ``map[string]string``, C#'s ``new[]`` and ``new List<string>``, Rust's ``vec!`` and ``&``,
#: PHP's ``array``, PowerShell's ``@``, Kotlin's ``mapOf``, Java's ``Map.of``, Python's ``dict`` and
#: ``frozenset(`` before its set, Scala's ``Seq``, Dart's ``<String>``, R's ``c``), or the quote of
#: a string holding JSON (``'["…", "…"]'``, ``json.loads('[…]')``, ``JSON.parse('{…}')``).
_CONSTRUCTOR = (
    r"""(?:\[\][\ \t]*[\w.]+|new(?:[\ \t]+[\w.]+(?:<[^<>\r\n]{0,60}>)?)?(?:\[\])?"""
    r"""|(?:mutable)?(?:list|set|array|map)Of|(?:List|Set|Map)\.of|Arrays\.asList|vec!|&|@|map\[[\w.]+\][\w.]+"""
    r"""|<[\w.?]+>|(?:frozenset|set|tuple|list|sorted)\((?=[\ \t]*[\[{])|array|dict|seq|vector|list|set|c(?=\()"""
    r"""|(?:json\.loads|JSON\.parse|json_decode)\([\ \t]*["'`]|["'`](?=[\[{]))"""
)
#: A type written between the name and the ``=``: Python's, TypeScript's, Swift's, Kotlin's and
#: Rust's annotations (``: list[str]``, ``: [String]``, ``: [&str; 2]``), C's ``name[]``.
#: (Its blanks bounded, and the type begun by one of its own characters: a line of spaces after
#: ``api_key:`` was tried at each split, each try looking through the rest for an ``=``.)
_DECLARED_TYPE = r"""(?:\[[\w\ \t]{0,20}\]|[\ \t]{0,8}:[\ \t]{0,8}[^\s=:][^=\r\n]{0,60}?(?=[\ \t]{0,8}=[^=]))"""
#: A dictionary's key before its value (``"prod": "…"``, ``prod: "…"``, PHP's ``'prod' => '…'``,
#: HCL's ``prod = "…"``, Kotlin's ``"prod" to "…"``, bash's ``[prod]="…"``, Clojure's keyword
#: ``:prod "…"``, a blank its only separator): the values are the secrets.
_KEY = r"""(?:(?:(?:""" + _LITERAL + r"""|:?[\w$-]+|\[[\w$.-]+\])[\ \t]*(?::|=>|=|to(?=[\ \t]))|:[\w$.-]+[\ \t])[\ \t]*)?"""
#: Comment lines between a list's items (``# staging``, ``// the CI one``), each after a line
#: break: a comment on an item's own line is the item's (taken by either, a line of ``"a", # x``
#: items was read twice over at each of them), and its text runs to the line's end.
_COMMENT_LINES = r"""(?:[\ \t]*\r?\n\s*(?://|\#)[^\r\n]*(?=\r?\n|\Z))*"""
#: A YAML anchor or tag after a name's colon (``api_keys: &keys``, ``secrets: !!map``).
_YAML_PROPERTIES = r"""(?:[\ \t]+[&!][^\s\#]*)*"""
#: A bracketed list of literals after a secret's name (group 1), its items (group 2) up to its
#: closing bracket or the text's end (a prompt's window), the last one cut there too, or a key
#: (``  ten|ant3: '…'``, the cursor in its name: the window's values all went out). (The spaces
#: after an item are the next item's or the end's, a comma's only before it: taken by either,
#: the end was tried after each of them, seconds over a line of spaces.)
_BRACKET_ITEMS = (
    r"""[\[({]((?:""" + _COMMENT_LINES + r"""\s*""" + _KEY + _LITERAL
    + r"""(?:[\ \t]*[,;])?(?:[\ \t]*(?://|\#)[^\r\n]*)?)+(?:\s*""" + _KEY + r"""["'][^"'\\\r\n]*\Z|\s*(?::[\w$-]*|[\w$-]+)(?:[\ \t]*(?::|=>?))?[\ \t]*\Z)?"""
    # Or its first item alone, cut there (a suffix ending inside it: ``API_KEYS = {"prod": "Fk8d7s6G``).
    r"""|\s*""" + _KEY + r"""["'][^"'\\\r\n]*\Z)"""
    r"""(?=""" + _COMMENT_LINES + r"""\s*(?:[\])}]|\Z))"""
)
_BRACKET_LIST = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")["'\]]?(?:""" + _DECLARED_TYPE + r""")?[\ \t]*(?::=|=>|\+=|<-|=|:)[\ \t]*(?:""" + _CONSTRUCTOR
    + r"""[\ \t]*)?""" + _BRACKET_ITEMS
)
#: What stands before a list's name in place of an ``=``: Clojure's ``(def`` (``^:private``
#: perhaps, words before the secret's: ``api-``), Erlang's ``-define(``, a keyword's ``:``.
_DEF_LEAD = r"""\(def(?:once)?[\ \t]+(?:\^:?[\w-]+[\ \t]+)?(?:[a-z0-9]+-){0,4}|-define\([\ \t]*|(?<![\w:-]):(?:[a-z0-9]+-){0,4}"""
#: Elixir's module attribute (``@api_keys ["…", "…"]``), Clojure's ``(def api-keys […])``, its
#: map (``(def api-keys {:prod "…"})``, ``^:private`` before the name, the map on the line below;
#: a keyword's, ``{:api-tokens {:prod "…"}}``: words before the secret's, ``api-``, too) and Erlang's ``-define(API_KEYS, […])``: its name and
#: its value, no ``=``.
_ATTRIBUTE_LIST = re.compile(
    r"""(?ix)(?:(?<![\w@])@|""" + _DEF_LEAD + r""")(""" + _ASSIGNED_NAME
    + r""")(?:[\ \t]*,[\ \t]*|[\ \t]+|[\ \t]*\r?\n[\ \t]*)(?=[\[{])""" + _BRACKET_ITEMS
)
#: YAML's list under a secret's name: the name (group 1) alone on its line, a ``- `` line an item.
#: (Blank and comment lines between its items are its own: the items below one went out.)
_YAML_LIST = re.compile(
    r"""(?imx)^[\ \t]*(?:-[\ \t]+)?["']?(""" + _ASSIGNED_NAME + r""")["']?[\ \t]*:""" + _YAML_PROPERTIES
    + r"""[\ \t]*(?:\#[^\r\n]*)?\r?\n((?:(?:[\ \t]*(?:\#[^\r\n]*)?\r?\n)*[\ \t]*-[\ \t]+[^\r\n]*(?:\r?\n|\Z))+)"""
)
#: YAML's mapping under a secret's name (group 2) alone on its line, indented by group 1: its
#: lines more indented (group 3), ``prod: …`` and ``dev: …``, nested ones too. Each went out.
_YAML_MAP = re.compile(
    r"""(?imx)^([\ \t]*)(?:-[\ \t]+)?["']?(""" + _ASSIGNED_NAME + r""")["']?[\ \t]*:""" + _YAML_PROPERTIES
    + r"""[\ \t]*(?:\#[^\r\n]*)?\r?\n((?:(?:[\ \t]*(?:\#[^\r\n]*)?\r?\n)*\1[\ \t]+(?:-[\ \t]+)?[^\s\#-][^\r\n]*(?:\r?\n|\Z))+)"""
)
#: A mapping's entry: its key (group 2) and its scalar (its quote, group 3; its text, group 4).
#: (Its spaces are the value's up to its last other character, as :data:`_YAML_ITEM`'s.)
_MAP_ENTRY = re.compile(
    r"""(?m)^[ \t]+(?:-[ \t]+)?(["']?)([\w.$/-]+)\1[ \t]*:[ \t]+(["']?)([^\s"'#\[{&*!|>](?:[^\r\n#]*[^\s#])?|(?<=["'])[^"'\r\n]*)\3[ \t]*(?:#[^\r\n]*)?\r?$"""
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
#: 4; TOML's ``"""…"""`` too; cut by the text's end, a window's whose cursor is inside it) or an
#: INI file's bare one to its line's end (group 5; a comment after a blank cut off).
_TABLE_ENTRY = re.compile(
    r"""(?m)^[ \t]*(["']?)([\w.-]+)\1[ \t]*[=:][ \t]*(?:("{3}|'{3}|["'])([^"'\r\n]*)(?:\3|\Z)|([^\s"'\[{\#;][^\r\n]*))"""
)
#: (From a run of blanks' first only: from each of them it was read to the run's end, 3 s over 20 kB.)
_INLINE_COMMENT = re.compile(r"(?<![ \t])[ \t]+[#;]")
#: A list of bare words under a secret's name (group 1), its words (group 2): Ruby's ``%w[…]``
#: and ``%i[…]`` (any bracket, over lines), Perl's ``qw(…)``, YAML's flow list ``[a, b]`` and
#: flow mapping ``{prod: a, dev: b}`` (on its line, an entry's ``: `` in it: not an f-string's
#: ``token: {params.token!r}``), a shell's array ``NAME=(a b)``. (Its closing brace the next brace:
#: looked for to the line's end, from each name of a line of ``"api_key": {"x"``, 1 s over 100 kB.)
_WORD_LIST = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")["'\]]?[\ \t]*(?:=|:|=>)[\ \t]*(?:%[wi]|qw[\ \t]*|(?<=:)[\ \t]*(?=\[|\{[^\r\n{}:]*:[\ \t][^\r\n{}]*\})|(?<==)(?=\())"""
    r"""[\[({<]((?:[^\[\](){}<>"'\r\n]|\[REDACTED\])*(?:\r?\n(?:[^\[\](){}<>"'\r\n]|\[REDACTED\])*)*)(?=[\])}>]|\Z)"""
)
#: A comma list without brackets under a secret's name (group 1), its items (group 2), to its
#: line's end or a comment: a .env's, an INI's or a properties file's ``API_KEYS=a,b,c`` (or
#: ``a;b;c``, as a .env's lists are written too). The
#: first item is the name's value (redacted already, as such); the others went out. An item
#: holds no ``=`` nor ``:`` (but base64's padding at its end): from each name of a line of
#: ``token=a,`` the items would have run to its end. Its first character a word's: a call's
#: arguments one a line end in ``**kwargs`` (``sandbox_token=self._token, **kwargs``).
#: (A trailing comma's blanks are the end's alone: taken by either, the end was tried from each
#: of them, 8 s over 20 kB of blanks before an INI's ``;`` comment, which ends a list too.)
_COMMA_ITEM = r"""(?:\[REDACTED\]|[\w+/.~-][^\s,"'`;:=()\[\]{}<>]*={0,2})"""
_COMMA_LIST = re.compile(
    r"""(?imx)(""" + _ASSIGNED_NAME + r""")["'\]]?[\ \t]*(?:=|:)[\ \t]*"""
    r"""(""" + _COMMA_ITEM + r"""(?:[\ \t]*[,;][\ \t]*""" + _COMMA_ITEM + r""")+)(?:[\ \t]*,)?(?=[\ \t]*(?:\#[^\r\n]*|(?<=[\ \t]);[^\r\n]*)?\r?$)"""
)
#: A shell's associative array under a secret's name (group 1), its entries (group 2): bash's
#: ``declare -A API_KEYS=([prod]=… [dev]=…)``, its values bare or quoted, over lines, a ``#``
#: comment after an entry or on its own line. A bare value was no literal: every one went out.
#: (Each entry starts with its ``[``, a comment with its ``#``: one way to read its blanks.)
_SHELL_MAP = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")=\(((?:\s*(?:\#[^\r\n]*|\[[\w$.@:-]+\]=(?:"[^"\\\r\n]*(?:"|\Z)|'[^'\\\r\n]*(?:'|\Z)|[^\s"'()\#]*)))+)"""
    r"""(?=\s*(?:\)|\[[\w$.@:-]*\]?\Z|\Z))"""  # (or a key cut by the text's end: the cursor in it)
)
#: An entry of :data:`_SHELL_MAP`'s: its key, its quote (group 1), its value (group 2).
_SHELL_ENTRY = re.compile(r"""\[[\w$.@:-]+\]=(["']?)([^\s"'()\#]*|(?<=["'])[^"'\\\r\n]*)""")
#: A line of one XML element (``<key>…</key>``, ``<add key="prod" value="…"/>``), a comment or
#: nothing, to its line break: a child's line of an element named for secrets (:data:`_XML_LIST`,
#: and :mod:`.triggers`' span of its lines).
XML_CHILD_LINE = (
    r"""[ \t]*(?:(?:<!--[^\r\n]*-->|<[\w.:-]+(?:[ \t][^<>\r\n]*)?>[^<>\r\n]*</[\w.:-]+>|<[\w.:-]+[ \t][^<>\r\n]*/>)[ \t]*)?"""
)
#: An XML element named for a secret (group 1: ``<apiKeys>``, ``<tokens>``) alone on its line,
#: and its children's lines below it (group 2), one element each: ``<key>…</key>``, .NET's
#: ``<add key="prod" value="…"/>``, comments and blank lines between. Each child's text went out.
_XML_LIST = re.compile(
    r"""(?ix)<(""" + _ASSIGNED_NAME + r""")(?:\s[^<>]*)?>[\ \t]*\r?\n"""
    r"""((?:""" + XML_CHILD_LINE + r"""(?:\r?\n|\Z))+"""
    # (Or a child cut by the text's end, a prompt's: the cursor inside its text or its tag.)
    r"""(?:[\ \t]*<[\w.:-]+(?:(?:[\ \t][^<>\r\n]*)?>[^<>\r\n]*(?:</?[\w.:-]*)?|[\ \t][^<>\r\n]*)\Z)?)"""
)
#: A child of :data:`_XML_LIST`'s: its text (group 2), or its ``value`` attribute's (its quote
#: group 3, its text group 4).
_XML_CHILD = re.compile(r"""(?i)(?<=>)()([^<>\r\n]*)(?=</|<?\Z)|\bvalue[ \t]*=[ \t]*(["'])([^"'<>\r\n]*)(?:\3|\Z)""")
#: Perl's ``qw/…/`` (slashes, no bracket) under a secret's name (group 1), its words (group 2).
_SLASH_WORD_LIST = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")[\ \t]*=[\ \t]*qw[\ \t]*/([^/"'\r\n]*(?:\r?\n[^/"'\r\n]*)*)(?=/|\Z)"""
)
#: Elixir's word-list sigil under a secret's name (group 1), its words (group 2): a module
#: attribute's ``@api_keys ~w(…)`` (no ``=``), ``api_keys = ~w[…]``, a keyword's ``api_keys:
#: ~W{…}``; any of its eight delimiters, over lines (a bracket's words may hold ``/`` and ``|``,
#: a ``/``'s ``|``: each closed by its own; a ``|``'s or a ``/``'s words a line went out).
#: Every word went out.
_SIGIL_WORD_LIST = re.compile(
    r"""(?ix)(""" + _ASSIGNED_NAME + r""")["'\]]?[\ \t]*(?:(?:=>|=|:)[\ \t]*)?~w[\[({</|"']"""
    r"""((?<=[\[({<])(?:[^\[\](){}<>]|\[REDACTED\])*(?=[\])}>]|\Z)|(?<=/)[^/"']*(?=/|\Z)|(?<=\|)[^|"']*(?=\||\Z)"""
    r"""|(?<=")[^"']*(?="|\Z)|(?<=')[^'"]*(?='|\Z))"""
)
#: A heredoc or a multi-line string under a secret's name (group 1), its lines of one word each
#: (group 2): a shell's ``API_KEYS=$(cat <<EOF`` and ``read -r -d '' API_KEYS <<'EOF'``, Ruby's
#: ``<<~KEYS``, PHP's ``<<<'KEYS'``, Python's ``API_KEYS = """``, then a key a line (a string's
#: first on the quotes' line, its last before the closing ones: ``"""k1`` … ``k3""".split()``). A heredoc of one
#: line is the name's value (``configs._HEREDOC_VALUE``); every line of a longer one went out.
#: Its terminator is a word too, judged as the keys are (``EOF`` is none); the lines must be all
#: of the heredoc (see :func:`_heredoc_whole`).
_HEREDOC_LIST = re.compile(
    r"""(?imx)^[\ \t]*(?:read\b[^\r\n<]*?[\ \t]|(?:export|local|readonly|declare)[\ \t]+|\$)?["']?(""" + _ASSIGNED_NAME
    + r""")["']?(?:[\ \t]*(?::?=|:|<-)[\ \t]*(?:\$\([\ \t]*cat[\ \t]+)?|[\ \t]+(?=<<))"""
    r"""(?:<<[-~<]?[\ \t]*(?:'\w+'|"\w+"|\w+)[^\r\n]{0,40}?[\ \t]*\\?\r?\n|(?:\"\"\"|''')(?:[\ \t]*\\(?=\r?\n))?)"""
    r"""((?:[\ \t]*(?:[^\s"'`{}()\#][^\s"'`{}()]*[\ \t]*)?(?:\r?\n|\Z))+"""
    # (A string's last word on its closing quotes' line: ``"""k1`` then ``k3""".split()``.)
    r"""(?:[\ \t]*[^\s"'`{}()\#][^\s"'`{}()]*[\ \t]*(?=\"\"\"|'''))?)"""
)
#: What a text holds for :data:`_HEREDOC_LIST` to match.
HEREDOC_OPENER = re.compile(r"<<|\"\"\"|'''")
#: What a text holds for :data:`_SIGIL_WORD_LIST` to match.
SIGIL_OPENER = re.compile(r"~[wW]")
#: What a text holds for :data:`_WORD_LIST` to match, found far faster than its names (a second
#: pattern of every secret's name made each span's redaction a tenth slower).
WORD_LIST_OPENER = re.compile(r"%[wWiI]|qw|=\(|:[ \t]*[\[{]")
#: A word of such a list (a YAML flow list's items are between commas, a .env's by ``;`` too).
_WORD = re.compile(r"[^\s,;]+")
#: An item of a bracketed list (its quote, its text), the last one perhaps cut by the text's end.
_ITEM = re.compile(r"""(["'])([^"'\\\r\n]*)(?:\1|\Z)""")
#: What follows a dictionary's key, not a value (a blank then Clojure's next keyword, ``"…" :dev``,
#: follows a value).
_KEY_AFTER = re.compile(r"[ \t]*(?:=>|=(?!=)|to[ \t])|:|[ \t]+:(?![\w$.-])")
#: A YAML item: a scalar (its quote, its text); not a mapping (``- name: db``) nor a nested list.
#: (Its spaces are the value's up to its last other character: where either could take them, a
#: line of spaces was tried at each split, 6 s over 20 kB.) Its ``\r?$``: ``(?m)$`` is only before
#: a ``\n``, and a YAML list saved with CRLF sent every item.
_YAML_ITEM = re.compile(
    r"""(?m)^[ \t]*-[ \t]+(["']?)([^\s"'#\[{&*!|>-](?:[^\r\n#]*[^\s#])?|(?<=["'])[^"'\r\n]*)\1[ \t]*(?:#[^\r\n]*)?\r?$"""
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


#: A name's lower-case run (``Name`` of ``OpenAIApiKeyName2``): a random key in capitals has none.
_LOWER_RUN = re.compile(r"[a-z]{3}")


def _random_capitals(value: str, digits: int) -> bool:
    """Whether ``value`` is a key of capitals and a digit or two (``FKNIRJHUB0ZXSORIFIQW``, as
    several vendors' are): 16 letters and digits or more, no name's lower-case run nor ``_``
    (``STRIPE_SECRET_KEY``). Neither mixed in case nor four digits, such keys were sent."""
    return digits > 0 and len(value) >= 16 and value.isalnum() and value.isascii() and _LOWER_RUN.search(value) is None


@lru_cache(maxsize=4096)
def _secret_item(name: str, quote: str, value: str) -> bool:
    """Whether ``value``, an item of a list named ``name``, is a secret: as the name's value would
    be, and shaped as one: 8 characters or more, no space, with digits in mixed case, four
    digits or a password's symbol (pygments' ``token_variants = ['+i6t-not-inline', …]`` are names)."""
    letters = random_letters(value) or random_mixed_letters(value)
    if len(value) < _MIN_ITEM or (_SECRET_LIKE.search(value) is None and not letters) or any(ch.isspace() for ch in value):
        return False
    if value.endswith(_DOCUMENTED_EXAMPLE):
        return False
    if value.startswith(_PATH_STARTS):
        return False
    digits = sum(ch.isdigit() for ch in value)
    if not (
        digits >= 4 or (digits and _mixed_case(value)) or _PASSWORD_SYMBOL.search(value) or _random_capitals(value, digits) or letters
    ):
        return False
    if quote and ": " in value:
        return False
    whole = f"{quote}{value}{quote}"
    return _assigned(whole, name, "", quote or None, value if quote else None, None if quote else value) != whole


#: A heredoc's terminator as its opener names it (``<<~KEYS``, ``<<<'KEYS'``, ``<<"EOF"``).
_HEREDOC_DELIMITER = re.compile(r"""<<[-~<]?[ \t]*['"]?(\w+)""")


def _heredoc_whole(found: re.Match[str]) -> bool:
    """Whether the lines of one word of ``found`` (a :data:`_HEREDOC_LIST` match) are all of its
    heredoc or string: its terminator the last of them (a string's closing quotes the line
    below), or the text's end inside it or them (a prompt's). A script's first line alone
    (``user_data_secret = <<EOF`` then ``#!/bin/bash``, ``echo hello``) was taken for a key."""
    text, end = found.string, found.end(2)
    if not text[end:].strip():
        return True
    delimiter = _HEREDOC_DELIMITER.search(text, found.start(), found.start(2))
    if delimiter is None:
        rest = text[end:].lstrip(" \t")
        # (Or the quotes cut by the text's end: the cursor among them.)
        return rest.startswith(('"""', "'''")) or rest in ('"', '""', "'", "''")
    words = found.group(2).split()
    return bool(words) and words[-1].rstrip(";") == delimiter.group(1)


def _table_value(name: str, entry: re.Match[str]) -> tuple[int, int] | None:
    """The span of the value of a table's ``entry`` where it is a secret (the table named
    ``name``), else None."""
    if entry.group(2).lower() in _NEUTRAL_KEYS:
        return None
    if entry.group(3) is not None:
        quote, start, value = entry.group(3)[0], entry.start(4), entry.group(4)
    else:
        quote, start, value = "", entry.start(5), _INLINE_COMMENT.split(entry.group(5), 1)[0].rstrip()
    return (start, start + len(value)) if _secret_item(name, quote, value) else None


def _list_item_spans(found: re.Match[str], lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) spans of the secret items of the list ``found`` (a list pattern's match:
    the name, group 1, and the items, group 2), in its text; only those on the lines from ``lo``
    to ``hi`` where given (a seam's list is thousands of entries, of which a prompt's text
    holds a few: each judged, twice a request, 1 -> 13 ms)."""
    name, text = found.group(1), found.string

    def lines(group: int) -> tuple[int, int]:
        start, end = found.span(group)
        if lo:
            start = max(start, _line_start(text, lo))
        if hi is not None and (nl := text.find("\n", hi, end)) >= 0:
            end = nl
        return start, end

    if found.re is _TABLE or found.re is _TABLE_LINE:
        return [span for m in _TABLE_ENTRY.finditer(text, *lines(2)) if (span := _table_value(name, m))]
    if found.re is _YAML_MAP or found.re is _YAML_MAP_LINE:
        return [
            m.span(4)
            for m in _MAP_ENTRY.finditer(text, *lines(3))
            if m.group(2).lower() not in _NEUTRAL_KEYS and _secret_item(found.group(2), m.group(3), m.group(4))
        ]
    if found.re is _YAML_LIST or found.re is _YAML_LIST_LINE:
        spans = []
        for m in _YAML_ITEM.finditer(text, *lines(2)):
            value = m.group(2).rstrip()
            if ": " not in value and _secret_item(name, m.group(1), value):
                spans.append((m.start(2), m.start(2) + len(value)))
        return spans
    if found.re is _HEREDOC_LIST and not _heredoc_whole(found):
        return []
    if found.re is _XML_LIST or found.re is _XML_LIST_LINE:
        spans = []
        for m in _XML_CHILD.finditer(text, *lines(2)):
            quote, group = (m.group(3), 4) if m.group(3) else ("", 2)
            value = m.group(group).strip()
            start = m.start(group) + len(m.group(group)) - len(m.group(group).lstrip())
            if _secret_item(name, quote, value):
                spans.append((start, start + len(value)))
        return spans
    if found.re is _SHELL_MAP or found.re is _SHELL_MAP_LINE:
        return [m.span(2) for m in _SHELL_ENTRY.finditer(text, *lines(2)) if _secret_item(name, m.group(1), m.group(2))]
    if found.re in _WORD_LISTS:
        return [m.span() for m in _WORD.finditer(text, *lines(2)) if _secret_item(name, "", m.group())]
    items = [m for m in _ITEM.finditer(text, *lines(2)) if not _KEY_AFTER.match(text, m.end())]
    secret = [_secret_item(name, m.group(1), m.group(2)) for m in items]
    if sum(secret) >= 2 and sum(secret) * 2 >= len(secret):
        # A list of keys: an item shaped as one of them is one too, a key whose letters alone did
        # not tell it (a random key of letters looks like a word one time in fifty), and one a
        # prompt's text cuts (``"kQwErTy`` at its end: too short to be judged alone).
        secret = [is_secret or _sibling_key(m) for m, is_secret in zip(items, secret, strict=True)]
    return [m.span(2) for m, is_secret in zip(items, secret, strict=True) if is_secret]


#: An item of a list of keys shaped as a key (no space nor a name's punctuation).
_KEY_SHAPE = re.compile(r"[A-Za-z0-9+/=_-]+")


def _sibling_key(item: re.Match[str]) -> bool:
    """Whether ``item``, of a list most of whose items are keys, is one: a key's characters alone,
    8 of them at least, or fewer where the text ends inside it (a prompt's suffix cut it)."""
    value = item.group(2)
    cut = item.end() == item.end(2) == len(item.string)
    return (len(value) >= _MIN_ITEM or (cut and bool(value))) and _KEY_SHAPE.fullmatch(value) is not None


def redact_list_items(match: re.Match[str]) -> str:
    """A pattern's replacement: the match (a list) with its secret items redacted."""
    text, at = match.string, match.start()
    out: list[str] = []
    done = at
    for start, end in _list_item_spans(match):
        out += [text[done:start], REDACTED]
        done = end
    return "".join(out) + text[done : match.end()] if out else match.group(0)


#: A TOML dotted key whose first parts name a secret (``api_keys.prod = "…"`` under another
#: table, ``[app]``): the name (group 1), the quote (group 2) and the value (group 3). The
#: key's last part (``prod``) named no secret, and the value went out.
_DOTTED_ENTRY = re.compile(
    r"""(?imx)^[\ \t]*(?:[\w-]+\.){0,4}(""" + _ASSIGNED_NAME + r""")(?:\.[\w-]+){1,4}[\ \t]*=[\ \t]*(["'])([^"'\r\n]*)\2"""
)


def _redact_dotted_value(match: re.Match[str]) -> str:
    """A pattern's replacement: the entry with its value redacted where it is a secret."""
    if not _secret_item(match.group(1), match.group(2), match.group(3)):
        return match.group(0)
    start, end = match.span(3)
    text, at = match.string, match.start()
    return text[at:start] + REDACTED + text[end : match.end()]


#: A list's patterns, one-line patterns whose text (a span) :mod:`.triggers` takes to a list's end.
LIST_PATTERNS = (
    (_BRACKET_LIST, redact_list_items),
    (_ATTRIBUTE_LIST, redact_list_items),
    (_YAML_LIST, redact_list_items),
    (_WORD_LIST, redact_list_items),
    (_COMMA_LIST, redact_list_items),
    (_YAML_MAP, redact_list_items),
    (_TABLE, redact_list_items),
    (_DOTTED_ENTRY, _redact_dotted_value),
    (_HEREDOC_LIST, redact_list_items),
    (_SHELL_MAP, redact_list_items),
    (_XML_LIST, redact_list_items),
)

#: A line that may be an item of a list: a literal first, YAML's ``- ``, an indented key of a
#: YAML mapping (``  prod: …``, ``  prod:``), a hash's (``  prod => …``, Ruby's ``  :prod => …``),
#: R's and a call's keyword (``  prod = "…"``), Clojure's (``  :prod "…"``, the map's ``{`` before
#: its first), bash's (``  [prod]=…``), an XML element's (``<key>…</key>``, ``<add … />``), a comment between items (a window starting at one sent the
#: items below it), or a word list's words (``%w[``, ``qw(``, ``~w(``; a heredoc's, at column 0
#: too; a YAML flow list's, its comma after them; a shell array's, a comment after them; a
#: string's last, its closing quotes after it), of 8 characters or more, a digit or a capital
#: after a small letter among them (a key cut by the cursor, ``FkpwYvkD|…``), or redacted already
#: (a window the cursor's secret was split off from).
_ITEM_LINE = re.compile(
    r"""[ \t]*(?:["']|-[ \t]|//|\#)|[ \t]+:?["']?[\w.$/-]+["']?[ \t]*(?::|=>)(?=[ \t]|\r?\n|\Z)|[ \t]+[\w.$-]+[ \t]*=[ \t]*["']"""
    r"""|[ \t]*(?:\{[ \t]*)?:[\w.$-]+[ \t]+["']|[ \t]*\[[\w$.@:-]+\]=|[ \t]*<(?:[\w.:-]+(?:[ \t][^<>\r\n]*)?>[^<>\r\n]*(?:</|<?\Z)|[\w.:-]+[ \t][^<>\r\n]*(?:/>|\Z)|!--)"""
    r"""|[ \t]*(?![ \t])(?=[^\r\n]*(?:\d|\[REDACTED\]|[a-z][A-Z]))(?:\[REDACTED\]|[\w+/=.~-]{8,})(?:[ \t]+(?:\[REDACTED\]|[\w+/=.~-]{8,}))*(?:,?(?:[ \t]+\#[^\r\n]*)?[ \t]*\r?|["']{1,3}[^\r\n]*)(?=\n|\Z)"""
)


#: Patterns tried before the assignments' (which took ``qw/`` or ``~w|`` and the first word as
#: the name's value, and the list was no longer one).
LEADING_LIST_PATTERNS = ((_SLASH_WORD_LIST, redact_list_items), (_SIGIL_WORD_LIST, redact_list_items))

#: The list patterns from a line's start (its name anywhere on the line).
_BRACKET_LIST_LINE = re.compile(r"[^\r\n]*?" + _BRACKET_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_ATTRIBUTE_LIST_LINE = re.compile(r"[^\r\n]*?" + _ATTRIBUTE_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_YAML_LIST_LINE = re.compile(_YAML_LIST.pattern, re.I | re.M | re.X)
_YAML_MAP_LINE = re.compile(_YAML_MAP.pattern, re.I | re.M | re.X)
_TABLE_LINE = re.compile(_TABLE.pattern, re.I | re.M | re.X)
_WORD_LIST_LINE = re.compile(r"[^\r\n]*?" + _WORD_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_SIGIL_WORD_LIST_LINE = re.compile(r"[^\r\n]*?" + _SIGIL_WORD_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_SLASH_WORD_LIST_LINE = re.compile(r"[^\r\n]*?" + _SLASH_WORD_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_XML_LIST_LINE = re.compile(r"[^\r\n]*?" + _XML_LIST.pattern.removeprefix("(?ix)"), re.I | re.X)
_SHELL_MAP_LINE = re.compile(r"[^\r\n]*?" + _SHELL_MAP.pattern.removeprefix("(?ix)"), re.I | re.X)
#: The patterns of lists of bare words, whose items :data:`_WORD` finds.
_WORD_LISTS = frozenset(
    (
        *(_WORD_LIST, _COMMA_LIST, _SLASH_WORD_LIST, _SIGIL_WORD_LIST, _HEREDOC_LIST),
        *(_WORD_LIST_LINE, _SIGIL_WORD_LIST_LINE, _SLASH_WORD_LIST_LINE),
    )
)
#: A line a list's name may be on: one that is no item's, or one that opens a list by its last
#: character (``"api_keys": {``, a nested ``prod:``, a keyword's ``api_keys: ~w/``: an item's too,
#: so passed over on the way up).
#: (After its line break: re skips to a ``\n`` far faster than it tries ``(?m)^`` everywhere.)
_NAME_LINE = re.compile(r"\n(?:(?!" + _ITEM_LINE.pattern + r")[ \t]*\S|[^\r\n]*(?:[\[{(:]|~[wW][/|\"'])[ \t]*\r?(?=\n|\Z))")


#: Lists of bare words from their name's line (``API_KEYS = %w[``, ``@api_keys ~w(``).
_WORD_LIST_LINES = (_WORD_LIST_LINE, _SIGIL_WORD_LIST_LINE, _SLASH_WORD_LIST_LINE, _SHELL_MAP_LINE, _HEREDOC_LIST)
#: What a line opening a list of words over lines holds: ``%w[``, ``qw(``, ``~w(``, ``=(``, YAML's
#: ``: [``, a heredoc's ``<<`` or a multi-line string's quotes.
_WORD_LIST_SIGN = re.compile(r"%[wWiI]|qw|~[wW]|=\(|:[ \t]*\[|<<|\"\"\"|'''")


#: A secret's name (``API_KEYS``), on a line that opens a list.
_SECRET_NAME = re.compile(_ASSIGNED_NAME, re.I | re.X)


#: A list's name and its opening bracket (``API_KEYS = [``, ``"api_keys":[``, ``const apiKeys =
#: new[] {``, JSON's in a string: ``API_KEYS = '{``), on a line whose items go on past a seam.
_LIST_HEAD = re.compile(
    r"(?:" + _ASSIGNED_NAME + r""")["'\]]?[\ \t]*(?::=|=>|\+=|<-|=|:)[^\r\n\[({"']{0,40}["'`]?[\[({]"""
    # Or an attribute's, a ``def``'s, a keyword's (``@api_keys [``, ``(def api-keys {``).
    r"""|(?:@|""" + _DEF_LEAD + r""")(?:""" + _ASSIGNED_NAME + r""")[\ \t,]+[\[{]""",
    re.I | re.X,
)
#: A quote, or a shell's map entry's ``]=`` (its values bare): a seam with none near it is among
#: no list's items (the line's list is looked for only where one is).
_QUOTE = re.compile(r"""["']|\]=""")
#: What may come between a list's opening bracket and a seam among its items on one line, read
#: backwards from the seam (the text reversed): literals, the blanks and commas between them, a
#: dictionary's keys and what follows them (``"prod": ``, ``prod => ``, Kotlin's ``to``, bash's
#: ``[prod]=``). Each alternative starts with its own characters: one pass, however long the line.
_REVERSED_ITEMS = re.compile(r"""(?:[ \t,;]+|"[^"\\\r\n]*"|'[^'\\\r\n]*'|[=:>]+|[\w$-]+|\][\w$.-]+\[)*""")
#: The part of an item a seam cuts, reversed: its characters up to its opening quote.
_REVERSED_CUT_ITEM = re.compile(r"""[^"'\\\r\n]*["']""")
#: How far before its opening bracket a list's name is looked for (a type, a constructor between:
#: ``const apiKeys: ReadonlyArray<string> = new Array<string>(``).
_HEAD_REACH = 200


def _one_line_list(text: str, line: int, cut: int) -> tuple[re.Match[str], str] | None:
    """The list named for a secret whose items run on ``text``'s line starting at ``line`` from its
    name past ``cut``, and the quote of its item ``cut`` is inside of ("" where it is between
    two), else None. Its name is found from ``cut``, back through the items to their bracket:
    wherever it is on the line (a minified file's, kilobytes in) and however far the items run
    (a window starting 4 kB past its name). Only the first 256 characters of a line were looked
    at: each name of a minified line tried cost 25 ms a prompt."""
    back = text[line:cut][::-1]
    for quote in ("", None):
        at = 0
        if quote is None:  # ``cut`` inside an item: back to its opening quote first
            inside = _REVERSED_CUT_ITEM.match(back)
            if inside is None:
                break
            at, quote = inside.end(), back[inside.end() - 1]
        bracket = cut - _REVERSED_ITEMS.match(back, at).end() - 1
        if bracket < line or text[bracket] not in "[({":
            continue
        for head in _LIST_HEAD.finditer(text, max(line, bracket - _HEAD_REACH), bracket + 1):
            for pattern in (_BRACKET_LIST, _ATTRIBUTE_LIST, _SHELL_MAP):
                listed = pattern.match(text, head.start())
                if listed is not None and listed.end() >= cut:
                    return listed, quote
    return None


def open_line_list_head(data: bytes, above_start: int) -> str:
    """What goes before the text looked at above a prompt's window where that text starts
    (``above_start``) among the items of a list named for a secret on one line, its name further
    back on the line: the name and its bracket (``API_KEYS = [``), then the quote of the item it
    starts inside of, or an empty item where it starts between two (so the text reads on as the
    list's items). "" elsewhere. A window starting more than 4 kB into such a list (thousands of
    keys on a line, a minified file's) sent every key in it."""
    if above_start <= 0 or data[above_start - 1 : above_start] in (b"\n", b"\r"):
        return ""
    line = data.rfind(b"\n", 0, above_start) + 1
    text = data[line:above_start].decode("utf-8", "ignore")
    one = _one_line_list(text, 0, len(text))
    if one is None:
        return ""
    listed, quote = one
    return text[listed.start() : listed.start(2)] + (quote or '""')


#: What a line naming an attribute's list holds (``@api_keys``, ``(def``, ``-define(``, a keyword's
#: ``:api-keys``).
_ATTRIBUTE_SIGN = re.compile(r"@|\(def|-define\(|(?<![\w:-]):[a-z]", re.I)


#: A TOML or INI table's entry's line (``prod = "…"``, ``prod: …``).
_TABLE_ENTRY_LINE = re.compile(r"""[ \t]*["']?[\w.-]+["']?[ \t]*[=:]""")


def _list_at(text: str, start: int, seam: int, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]] | None:
    """The secret items' spans of the list whose name is on the line at ``start`` and whose items
    run to ``seam`` at least, or None where that line names no such list."""
    end = text.find("\n", start)
    if end < 0:
        end = len(text)
    for pattern in (_BRACKET_LIST_LINE, _YAML_LIST_LINE, _YAML_MAP_LINE, _TABLE_LINE, _ATTRIBUTE_LIST_LINE, _XML_LIST_LINE):
        # (An attribute's name and an XML element's looked for only on a line that may hold
        # one: each such pattern is tried from each position of the line.)
        if pattern is _ATTRIBUTE_LIST_LINE and _ATTRIBUTE_SIGN.search(text, start, end) is None:
            continue
        if pattern is _XML_LIST_LINE and not text[start:end].rstrip().endswith(">"):
            continue
        found = pattern.match(text, start)
        if found is not None and found.end() >= seam:
            return _list_item_spans(found, lo, hi)
    if _WORD_LIST_SIGN.search(text, start, end) is None:
        return None  # (each pattern from each name of a long line of JSON cost as much as all the others)
    for pattern in _WORD_LIST_LINES:
        found = pattern.match(text, start)
        if found is not None and found.end() >= seam:
            return _list_item_spans(found, lo, hi)
    return None


def _table_at(text: str, line: int, seam: int, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """The secret values' spans of the TOML or INI table ``seam`` is inside of (its header the
    last line above ``line`` starting with ``[``: its entries, at column 0, are no item lines)."""
    at = text.rfind("\n[", 0, line) + 1
    if at == 0 and not text.startswith("["):
        return []
    found = _TABLE_LINE.match(text, at)
    return _list_item_spans(found, lo, hi) if found is not None and found.end() >= seam else []


def _seam_item_spans(text: str, seam: int, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) spans of the secret items of the list ``seam`` (a position in ``text``)
    is inside of: its name on the seam's line, or on the line above its items' lines (those
    from the seam's line up), looked for there alone: a search of every list in the 4 kB above
    a window and the window (a Python file's docstring lines start as an item's) took 10 ms."""
    line = _line_start(text, seam)
    if (one := _one_line_list(text, line, seam)) is not None:
        return _list_item_spans(one[0], lo, hi)  # its name anywhere on the seam's line
    if (own := _list_at(text, line, seam, lo, hi)) is not None:
        return own  # ``api_keys:|`` (the cursor at its end), its items all after the seam
    # The lines above that may name it, the nearest first: an item's line opening one
    # (``"api_keys": {``, a nested ``prod:``), else the first line that is no item's.
    for above in _name_lines_up(text, line):
        item = _ITEM_LINE.match(text, above) is not None
        found = _list_at(text, above, seam, lo, hi)
        if found is not None:
            return found
        if not item:
            return _table_at(text, above + 1, seam, lo, hi) if "[" in text else []
    return []


def _name_lines_up(text: str, line: int) -> Iterator[int]:
    """The starts of the lines above ``line`` that ``_NAME_LINE`` takes, the nearest first, found
    one line at a time as they are asked for: the search stops at the nearest line that is no
    list item's, mostly the line above. All of them found at once (one pass over the window and
    the 4 kB above it at each of a prompt part's two seams) took more than half of a prompt's
    redaction at a new position: 2.1-2.3 -> 0.9-1.0 ms (tests/bench/bench_prompt_cpu.py)."""
    at = text.rfind("\n", 0, line)
    while at >= 0:
        if _NAME_LINE.match(text, at, line):
            yield at + 1
        at = text.rfind("\n", 0, at)
    if text and 0 < line and _NAME_LINE.match("\n" + text[: text.find("\n") + 1 or len(text)]):
        yield 0  # the text's first line, with no line break before it


def may_continue_list(text: str, before: str, after: str) -> bool:
    """Whether ``text`` may start inside a list whose name is in ``before`` (its first line that
    is not blank, or the line the seam cuts, an item's), or end inside one, ``after`` going on
    with it (its last line an item's, the cursor inside it)."""
    last = _line_start(text, len(text.rstrip("\r\n")))
    if after and (_ITEM_LINE.match(text, last) or (_TABLE_ENTRY_LINE.match(text, last) and "\n[" in before + text)):
        return True
    if not before:
        return False
    seam = before[_line_start(before, len(before)) :] + text[: text.find("\n") + 1 or len(text)]
    first = text.lstrip("\r\n")
    if _ITEM_LINE.match(seam) is not None or _ITEM_LINE.match(first) is not None:
        return True
    if seam.rstrip()[-1:] in ("[", "{", "(") and _SECRET_NAME.search(seam) is not None:
        return True  # the seam inside a list's name line (``API_KEYS =| [``): its items all below
    cut = len(seam) - len(text[: text.find("\n") + 1 or len(text)])
    if _QUOTE.search(seam, max(0, cut - 64), cut + 64) and _one_line_list(seam, 0, cut):
        return True  # the seam among a list's items on one line (a 10 kB line of keys)
    # A TOML or INI table's entries (at column 0, no item's lines) below its header.
    entry = _TABLE_ENTRY_LINE.match(seam) or _TABLE_ENTRY_LINE.match(first) or seam.lstrip().startswith("[")
    return bool(entry) and "\n[" in "\n" + before


def redact_lists_across(text: str, before: str, after: str) -> str:
    """``text`` with the secret items redacted of a list it starts or ends inside of (``before``
    and ``after`` the text around it, where its name and the rest of a cut item are)."""
    # The whole text before (a suffix's is the window, up to ~8 kB, and the 4 kB above it): a
    # list's name at the window's top was out of the last 4 kB a suffix was read with.
    lo = len(before)
    hi = lo + len(text)

    def seams(joined: str) -> list[tuple[int, int]]:
        # Only the items on the text's lines are judged: those around it are not redacted here.
        return sorted({*_seam_item_spans(joined, lo, lo, hi), *_seam_item_spans(joined, hi, lo, hi)})

    # Whole lines of the text after: an entry it cuts (``"dev": "eu-we``) ended no list.
    below = after.rfind("\n", 0, _BELOW_CHARS) + 1 or _BELOW_CHARS
    return _redact_values(text, before, after, seams, above_chars=len(before), below_chars=below)


#: How far above the text looked at above a prompt's window the names of what it is inside of are
#: looked for (:func:`open_list_head`): the same bound as a Composer section's.
_HEAD_SEARCH_BYTES = 65536
#: A TOML or INI table's header line (bytes).
_TABLE_HEADER = re.compile(rb"[ \t]*\[\[?[^\[\]\r\n]*\]\]?[ \t]*(?:[#;][^\r\n]*)?\r?$")


def open_list_head(data: bytes, above_start: int, *, tables: bool = False) -> str:
    """The lines, from up to 64 kB further up, that name what ``data`` (a YAML or JSON document;
    ``tables``: a TOML or INI one) is inside of at ``above_start`` (where the text looked at above
    a prompt's window starts), each less indented than the one below it (``api_keys:``, then
    ``  prod:``; ``"api_keys": {``), or the last table's header (``[api_keys]``); "" where that
    text starts at column 0 outside a table, or with its names. The window and the 4 kB above
    it were all a long mapping's entries, and their values went out."""
    if above_start <= 0:
        return ""
    lo = max(0, above_start - _HEAD_SEARCH_BYTES)
    start = above_start if data[above_start - 1 : above_start] == b"\n" else data.find(b"\n", above_start) + 1
    if start <= 0:
        return ""
    if tables:
        at = data.rfind(b"\n[", lo, start - 1) + 1
        if at == 0 and not (lo == 0 and data.startswith(b"[")):
            return ""
        end = data.find(b"\n", at)
        header = data[at : end if end >= 0 else len(data)]
        return header.decode("utf-8", "ignore").rstrip("\r") + "\n" if _TABLE_HEADER.match(header) else ""
    end = data.find(b"\n", start)
    first = data[start : end if end >= 0 else len(data)]
    indent = len(first) - len(first.lstrip(b" \t"))
    if indent == 0:
        return ""
    heads: list[bytes] = []
    # Every line less indented than the first, found in one pass of the 64 kB; the names are
    # those each less indented than the one below it, the nearest first. (A pass a name, up a
    # staircase of 350 levels each one space in, read the 64 kB 350 times: 20 ms a request.)
    above = start
    for found in reversed(list(_less_indented(indent).finditer(data, max(lo - 1, 0), start))):
        if len(found.group(1)) < indent:
            above = found.start() + 1
            heads.append(data[above : data.find(b"\n", above, start)].rstrip(b"\r"))
            indent = len(found.group(1))
            if indent == 0:
                break
    if indent > 0 and lo == 0 and data[:1] not in (b" ", b"\t", b"\r", b"\n", b"#", b""):
        end = data.find(b"\n", 0, above)
        heads.append(data[: end if end >= 0 else above].rstrip(b"\r"))  # the document's first line
    return "".join(line.decode("utf-8", "ignore") + "\n" for line in reversed(heads))


@lru_cache(maxsize=64)
def _less_indented(indent: int) -> re.Pattern[bytes]:
    """A line (after its line break) indented less than ``indent`` (its indent group 1), not blank
    nor a comment."""
    return re.compile(rb"\n([ \t]{0,%d})(?=[^\s#])" % (indent - 1))
