"""Kubernetes Secret manifests, whose values sit under neutral keys."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .sections import _ABOVE_CHARS, _redact_values
from .values import REDACTED, _is_template

# -- Kubernetes Secret manifests ---------------------------------------------------------------------
# Their ``data:`` (base64) and ``stringData:`` values sit under neutral keys (``username``,
# ``config.json``, ``.dockerconfigjson``) that no pattern above recognises: they went out whole.
_ANY_SECRET_KIND = re.compile(r"""^kind:[ \t]*["']?Secret\b""", re.M)
_KIND_LINE = re.compile(r"""^kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(?:#.*)?$""")
_DOC_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)")
# Greedy, no lazy part followed by optional spaces: a long line of spaces stays linear.
_TOP_KEY = re.compile(r"""^(?:"[^"]*"|'[^']*'|[^\s#'"-][^:#]*):(?:[ \t]|$)""")
_ENTRY = re.compile(r"""^([ \t]+(?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*):)(?=[ \t]|$)([ \t]*)(.*)$""")
_JSON_SECRET = re.compile(r'"kind"\s*:\s*"Secret"')
#: A JSON Secret's ``data`` or ``stringData`` object, its entries up to its ``}`` (or the text's end).
_JSON_DATA = re.compile(r'"(?:data|stringData)"\s*:\s*\{([^{}]*)')
#: An entry's value (group 1), cut by the text's end too.
_JSON_VALUE = re.compile(r'"(?:[^"\\\r\n]|\\.)*"\s*:\s*"((?:[^"\\\r\n]|\\.)*)(?:"|\Z)')


def _json_secret_values(joined: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the values under the ``data`` and ``stringData`` of a JSON
    Secret in ``joined``."""
    if _JSON_SECRET.search(joined) is None:
        return []
    return [
        value.span(1)
        for data in _JSON_DATA.finditer(joined)
        for value in _JSON_VALUE.finditer(joined, *data.span(1))
        if value.group(1)
    ]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


#: "-----BEGIN CERTIFICATE" as written and in base64: a TLS secret's ``tls.crt`` and ``ca.crt``
#: are public (and tell the model what the secret is).
_CERTIFICATE = ("-----BEGIN CERTIFICATE", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS")


def _yaml_docs(lines: list[str]) -> list[list[int]]:
    docs: list[list[int]] = [[]]
    for i, line in enumerate(lines):
        if _DOC_SEPARATOR.match(line.rstrip("\r\n")):
            docs.append([])
        else:
            docs[-1].append(i)
    return docs


def _kind(bodies: Iterable[str]) -> str | None:
    for body in bodies:
        m = _KIND_LINE.match(body.rstrip("\r\n"))
        if m:
            return m.group(1)
    return None


def _seams(text: str, before: str, after: str) -> tuple[str, str]:
    """Where ``text`` meets the text around it: a word (``Secret``) may be cut there."""
    return before[-64:] + text[:64], text[-64:] + after[:64]


class _Manifest:
    """A walk through the lines of a Kubernetes Secret, redacting its data values."""

    def __init__(self, top: str | None = None, entry: int | None = None) -> None:
        self.top = top  # the top-level key the walk is under
        self.entry = entry  # the indentation of the data entry whose value may go on
        self.public = False  # that value is a certificate

    def line(self, body: str) -> str:
        """``body`` (a line without its line break), redacted."""
        if not body.strip() or body.lstrip().startswith("#"):
            return body
        indent = _indent(body)
        if indent == 0:
            self.top = body.split(":", 1)[0].strip() if _TOP_KEY.match(body) else None
            self.entry = None
            return body
        if self.top not in ("data", "stringData"):
            return body
        if self.entry is not None and indent > self.entry:
            # A block scalar's lines (``key: |``), or a value continued on the next lines.
            self.public = self.public or body.lstrip().startswith(_CERTIFICATE)
            return body if self.public or _is_template(body) else body[:indent] + REDACTED
        m = _ENTRY.match(body)
        if m is None:
            return body
        self.entry = indent
        value = m.group(3).rstrip()
        self.public = value.startswith(_CERTIFICATE)
        if not value or self.public or _is_template(value) or value.startswith(("|", ">", "#")):
            return body
        return m.group(1) + (m.group(2) or " ") + REDACTED


# A Secret inside another document: a ``kind: List``'s items (what ``kubectl get secrets -o
# yaml`` prints), an Ansible task's ``definition:``. Its keys start at the column of its ``kind``.
_NESTED_SECRET_KIND = re.compile(r"""^([ \t]*-[ \t]+|[ \t]+)kind:[ \t]*["']?Secret["']?[ \t]*(?:#.*)?$""", re.M)


def _redact_nested_secrets(text: str) -> str:
    """The data values of the Secrets in ``text`` whose ``kind`` line is indented."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for m in _NESTED_SECRET_KIND.finditer(text):
        col = len(m.group(1))
        at = starts.index(m.start())
        first = at
        while first > 0:
            body = lines[first - 1].rstrip("\r\n")
            if body.strip() and _indent(body) < col:
                item = body.lstrip(" \t")
                if item.startswith("-") and _indent(body) + len(item) - len(item[1:].lstrip(" \t")) == col:
                    first -= 1  # the list item's first line: ``- apiVersion: v1``
                break
            first -= 1
        last = at + 1
        while last < len(lines) and (not lines[last].strip() or _indent(lines[last]) >= col):
            last += 1
        walk = _Manifest()
        for i in range(first, last):
            body = lines[i].rstrip("\r\n")
            eol = lines[i][len(body) :]
            lines[i] = body[:col] + walk.line(body[col:]) + eol
    return "".join(lines)


def secret_manifest_head(data: bytes, above_start: int, above: str, window: str) -> str:
    """``above`` (the text of ``data`` from ``above_start`` to a prompt's window) with the
    ``kind`` line and the top-level key of the YAML document it is part of put before it, when
    that is a Kubernetes Secret whose ``kind`` line is further up: a window starting among
    ``data:`` entries more than ``above`` below it sent their values. Looked for only when the
    window starts with an entry (``  password: c2VjcmV0``) and ``above`` names no kind."""
    first = window.split("\n", 1)[0]
    if not above or not first[:1].isspace() or _ENTRY.match(first) is None or "kind:" in above:
        return above
    start = data.rfind(b"\n---", 0, above_start) + 1  # the document's first line
    at = start if data.startswith(b"kind:", start) else data.find(b"\nkind:", start, above_start) + 1
    if at == 0:
        return above
    # To the end of the line ``above`` starts inside of: its tail alone would pass for a key.
    end = data.find(b"\n", above_start)
    lines = data[at : end if end >= 0 else above_start].decode("utf-8", "ignore").splitlines()
    if _kind(lines[:1]) != "Secret":
        return above
    # The walk only needs the last top-level key (``data:``); ``above``'s first line, cut, is dropped.
    top = next((line for line in reversed(lines) if line[:1] not in ("", " ", "\t", "#")), "")
    cut = above if data[above_start - 1 : above_start] in (b"\n", b"") else above.split("\n", 1)[-1]
    return f"{lines[0]}\n{top}\n{cut}"


def _redact_secret_manifests(text: str, before: str = "", after: str = "") -> str:
    """The values under a Kubernetes Secret's ``data:`` and ``stringData:``, in YAML (each
    document, ``---`` apart) or JSON. ``before`` and ``after`` are the text around ``text`` (a
    prompt's window and suffix are redacted apart): a manifest's ``kind`` line may be in the
    other one, and the line ``before`` ends in goes on in ``text``."""
    # A prompt's window and suffix (its ``"kind": "Secret"`` in one, its data in the other) too.
    if any('"Secret"' in part for part in (text, before[-_ABOVE_CHARS:], after)):
        text = _redact_values(text, before, after, _json_secret_values, below_chars=len(after))
    if "kind:" in text and _NESTED_SECRET_KIND.search(text):
        text = _redact_nested_secrets(text)
    # Most texts naming "Secret" are code (``SecretStr``): a line search spares them the walk.
    parts = (text, before, after, *_seams(text, before, after))
    if not any("Secret" in part and _ANY_SECRET_KIND.search(part) for part in parts):
        return text
    lines = text.splitlines(keepends=True)
    docs = _yaml_docs(lines)
    before_lines = before.splitlines(keepends=True)
    after_lines = after.splitlines(keepends=True)
    # The line the cursor is on, when ``before`` is a prompt's window: it goes on in ``text``
    # (and the last line of a window goes on in ``after``).
    partial = before_lines.pop() if before_lines and not before.endswith(("\n", "\r")) else ""
    before_doc = [before_lines[i] for i in _yaml_docs(before_lines)[-1]] if before_lines else []
    after_doc = [after_lines[i] for i in _yaml_docs(after_lines)[0]] if after_lines else []
    walk = _Manifest()
    for body in before_doc:
        walk.line(body.rstrip("\r\n"))
    for n, doc in enumerate(docs):
        if n:
            walk = _Manifest()
        bodies = [lines[i] for i in doc]
        if n == 0:
            bodies[:1] = [*before_doc, partial + bodies[0]] if bodies else [*before_doc, partial]
        if n == len(docs) - 1 and not text.endswith(("\n", "\r")):
            bodies[-1:] = [bodies[-1] + after_doc[0], *after_doc[1:]] if bodies and after_doc else bodies[-1:]
        elif n == len(docs) - 1:
            bodies += after_doc
        if _kind(bodies) != "Secret":
            continue
        for i in doc:
            line = lines[i]
            body = line.rstrip("\r\n")
            eol = line[len(body) :]
            if i == 0 and partial:
                whole = partial + body
                out = walk.line(whole)
                # The value began before ``text`` (and is redacted there too): none of it here.
                lines[i] = (out[len(partial) :] if out.startswith(partial) else REDACTED) + eol
            else:
                lines[i] = walk.line(body) + eol
    return "".join(lines)


# -- CloudFormation parameters marked NoEcho -----------------------------------------------------------
# ``NoEcho: true`` is the template's own word that a parameter is secret (the console masks it),
# whatever its name (``MasterUser``, ``AdminLogin``): its ``Default`` went out as written.
#: (Group 1 a YAML line's indent; group 2 a YAML flow mapping's ``{`` or ``,`` before it, on
#: one line: ``DBPassword: {Type: String, NoEcho: true, Default: …}``.)
_NO_ECHO = re.compile(
    r"""(?m)^([ \t]*)NoEcho[ \t]*:[ \t]*["']?true\b|([{,])[ \t]*NoEcho[ \t]*:[ \t]*["']?true\b|"NoEcho"[ \t]*:[ \t]*"?true\b""", re.I
)
_YAML_DEFAULT = re.compile(r"""(?m)^[ \t]*Default[ \t]*:[ \t]*(?:(?P<q>["'])([^"'\r\n]+)(?P=q)|([^\s"'#!&*|>{\[](?:[^\r\n#]*[^\s#])?))[ \t]*(?:#[^\r\n]*)?\r?$""")
_JSON_DEFAULT = re.compile(r'"Default"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\.)+)"')
_FLOW_DEFAULT = re.compile(r"""[{,][ \t]*Default[ \t]*:[ \t]*(?:(?P<q>["'])([^"'\r\n]+)(?P=q)|([^\s"',{}\[\]#!&*|>](?:[^,{}\r\n]*[^\s,{}])?))""")
#: How far from ``NoEcho`` its parameter's other entries are looked for: a parameter is a few lines.
_PARAMETER_CHARS = 2048


def _no_echo_yaml_span(text: str, at: int, indent: int) -> tuple[int, int]:
    """The lines of the YAML mapping the ``NoEcho`` line at ``at`` is an entry of: those around it
    indented as far, up to a line indented less."""
    lo = at
    while lo > 0 and at - lo < _PARAMETER_CHARS:
        above = text.rfind("\n", 0, lo - 1) + 1
        line = text[above : lo - 1]
        if line.strip() and (len(line) - len(line.lstrip(" \t"))) < indent:
            break
        lo = above
    hi = at
    while hi < len(text) and hi - at < _PARAMETER_CHARS:
        nl = text.find("\n", hi)
        end = len(text) if nl < 0 else nl + 1
        line = text[hi:end].rstrip("\r\n")
        if hi > at and line.strip() and (len(line) - len(line.lstrip(" \t"))) < indent:
            break
        hi = end
    return lo, hi


def _unclosed(text: str, at: int, step: int, opening: str, closing: str) -> int:
    """From ``at`` by ``step``, where the first ``opening`` not closed on the way is (or the
    end of the look: :data:`_PARAMETER_CHARS` away, or the text's)."""
    depth = 0
    stop = max(-1, at - _PARAMETER_CHARS) if step < 0 else min(len(text), at + _PARAMETER_CHARS)
    for i in range(at, stop, step):
        if text[i] == opening:
            if depth == 0:
                return i
            depth -= 1
        elif text[i] == closing:
            depth += 1
    return max(stop, 0)


def _no_echo_json_span(text: str, at: int) -> tuple[int, int]:
    """The JSON object the ``"NoEcho"`` entry at ``at`` is in: from its unclosed ``{`` before it to
    the ``}`` closing it (strings' braces aside: a parameter's are none)."""
    return _unclosed(text, at - 1, -1, "{", "}"), _unclosed(text, at, 1, "}", "{")


def may_hold_no_echo(text: str, before: str, after: str) -> bool:
    """Whether ``text`` or the text around it near enough may mark a parameter ``NoEcho``."""
    return "NoEcho" in text or "NoEcho" in before[-_PARAMETER_CHARS:] or "NoEcho" in after[:_PARAMETER_CHARS]


def redact_no_echo_defaults(text: str, before: str = "", after: str = "") -> str:
    """``text`` with the ``Default`` of each CloudFormation parameter marked ``NoEcho`` redacted
    (YAML and JSON templates); not a dynamic reference (``{{resolve:secretsmanager:…}}``) nor a
    template's ``${…}``. ``before`` and ``after``: the text around it (a prompt's window and its
    suffix), where the ``NoEcho`` of a ``Default`` in ``text`` may be."""
    head = before[-_PARAMETER_CHARS:]
    head = head[head.find("\n") + 1 :] if len(before) > _PARAMETER_CHARS else head
    lo_text, hi_text = len(head), len(head) + len(text)
    joined = head + text + after[:_PARAMETER_CHARS]
    spans: list[tuple[int, int]] = []
    read = 0
    for found in _NO_ECHO.finditer(joined):
        if found.start() < read:
            continue  # its parameter's entries were read (thousands of ``NoEcho`` lines: once)
        if found.group(1) is not None:
            lo, hi = _no_echo_yaml_span(joined, found.start(), len(found.group(1)))
            pattern = _YAML_DEFAULT
        elif found.group(2) is not None:
            lo, hi = _no_echo_json_span(joined, found.start() + (found.group(2) == "{"))
            pattern = _FLOW_DEFAULT
        else:
            lo, hi = _no_echo_json_span(joined, found.start())
            pattern = _JSON_DEFAULT
        read = hi
        for m in pattern.finditer(joined, lo, hi):
            group = m.lastindex or 0  # the value's: quoted or bare
            # Its part in ``text``: a cursor inside the value cuts it between the window and the
            # suffix, and each half went out.
            start, end = max(m.start(group), lo_text), min(m.end(group), hi_text)
            if start < end and not _is_template(m.group(group)):
                spans.append((start - lo_text, end - lo_text))
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end in sorted(set(spans)):
        if start >= done:
            out += [text[done:start], REDACTED]
            done = end
    return "".join(out) + text[done:]
