"""The model's answer read leniently: its JSON (or what of it can be salvaged), each finding
validated and normalized (severity and confidence words, line hints, quoted code's fences and
line-number prefixes, diffs and "N/A" as suggestions) before it is placed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..console import CONTROL
from ..model.json_answer import FENCE, load_json_answer, unfence

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
    #: Its code is in none of the units it was said of (made up, or quoted from the context):
    #: kept with a unit's answer only to be counted as dropped again when the cache answers.
    unplaced: bool = False

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
        # The reviewed code is the model's input, so a pull request's comment can have it write
        # controls and bidirectional overrides: a terminal ran the escape sequences of a message
        # (colors, hidden text, OSC 52 setting the clipboard), an override reordered what was read.
        message = CONTROL.sub("", " ".join(message.split()))[:MAX_MESSAGE_CHARS]
        if not code.strip() or not message:
            return None
        suggestion = raw.get("suggestion")
        if not isinstance(suggestion, str) or _whole(suggestion) != suggestion:
            suggestion = None  # a fix must never write a broken character into the code
        elif set(CONTROL.findall(suggestion)) - set(code):
            suggestion = None  # nor a control or an override the code did not have
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


@dataclass
class ParsedAnswer:
    findings: list[RawFinding] = field(default_factory=list)
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
    if raw_items is None:
        raw_items = []
    if not isinstance(raw_items, list):
        return ParsedAnswer(problem="'findings' is not a list")
    findings = []
    invalid = 0
    for item in raw_items:
        finding = RawFinding.from_json(item)
        if finding is None:
            invalid += 1
        else:
            findings.append(finding)
    return ParsedAnswer(findings, None, invalid)


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
