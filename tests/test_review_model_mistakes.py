"""Mistakes real models make in a review answer, and what the user sees of them: each finding on
the code it is about, none lost, none shown as something it is not, and quick fixes that edit
only the code they are about."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.model import ModelClient
from deepseek_lsp.review.answer import RawFinding, parse_answer
from deepseek_lsp.review.engine import ReviewEngine
from deepseek_lsp.review.findings import place_findings
from deepseek_lsp.review.placing import Placer
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import settings_for

PYTHON = LanguageRegistry.load().get("python")
CHAT = "/chat/completions"

TWO_TRIES = textwrap.dedent(
    """\
    def run(a, b):
        try:
            a()
        except:
            pass
        try:
            b()
        except:
            pass
    """
)


def doc_of(text: str) -> Document:
    return Document("file:///project/mod.py", text, language=PYTHON)


def lines_of(doc: Document, findings: list[Any]) -> list[int]:
    return sorted(doc.line_at(f.start) + 1 for f in findings)


def item(line: int, code: str, message: str = "Bare except hides every error.", **more: Any) -> dict[str, Any]:
    return {"severity": "warning", "line": line, "code": code, "message": message, **more}


# -- where findings land --------------------------------------------------------------------------


async def test_the_same_finding_on_two_occurrences_with_early_line_numbers_keeps_both(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    """Two bare ``except:`` (lines 4 and 8), the model's line numbers two early (2 and 6): line 6
    is as near the first as the second, both were taken for the first, and the second finding
    was dropped as a repeat of the first (the place_findings fix was undone one step before)."""
    answer = {"findings": [item(2, "except:"), item(6, "except:")], "summary": "Two bare excepts."}
    fake_deepseek.script(json.dumps(answer), path=CHAT)
    doc = doc_of(TWO_TRIES)
    outcome = await engine.review(client, doc, settings_for(fake_deepseek))
    assert lines_of(doc, outcome.findings) == [4, 8]
    # Both are cached on their own lines: shown again from the cache, as they were.
    again = await engine.review(client, doc, settings_for(fake_deepseek))
    assert len(fake_deepseek.requests_to(CHAT)) == 1
    assert lines_of(doc, again.findings) == [4, 8]


# -- reading the answer ---------------------------------------------------------------------------

ANSWER_WITH_TRAILING_COMMAS = (
    '{"findings": [\n'
    '  {"severity": "warning", "line": 4, "code": "except:", "message": "Bare except hides every error."},\n'
    '  {"severity": "warning", "line": 8, "code": "except:", "message": "Bare except hides every error.",},\n'
    '],\n'
    '"summary": "Two bare excepts.",\n'
    "}"
)


def test_trailing_commas_in_an_answer_lose_no_finding() -> None:
    """JavaScript-style trailing commas (a server ignoring JSON mode, a small local model): the
    reader took the largest object it could read in the text, one finding, for the answer, and
    read "no findings" in it."""
    parsed = parse_answer(ANSWER_WITH_TRAILING_COMMAS)
    assert parsed.usable
    assert [f.line for f in parsed.findings] == [4, 8]
    # A comma inside a string stays.
    quoted = parse_answer('{"findings": [{"code": "f(a, ]", "message": "Odd, }",},]}')
    assert [(f.code, f.message) for f in quoted.findings] == [("f(a, ]", "Odd, }")]


def test_a_backslash_starting_no_json_escape_loses_no_finding() -> None:
    """A regex quoted as the code has it (one backslash before ``d`` in the JSON): the answer was
    not JSON, and the reader took one of its findings for the answer, which said "no findings"
    (cached as the review); the answer's valid escapes still mean what they say."""
    text = (
        '{"findings": [{"severity": "warning", "line": 2, "code": "x == None", "message": "A."},'
        ' {"severity": "warning", "line": 3, "code": "re.match(r\'\\d+\\.\', s)", "message": "B.\\tC",'
        ' "suggestion": "re.fullmatch(r\'\\\\d+\\.\', s)"}], "summary": "s"}'
    )
    assert "\\d+\\." in text and "\\\\d" in text  # the first is no JSON escape, the second is
    parsed = parse_answer(text)
    assert parsed.usable
    assert [(f.code, f.message, f.suggestion) for f in parsed.findings] == [
        ("x == None", "A.", None),
        ("re.match(r'\\d+\\.', s)", "B. C", "re.fullmatch(r'\\d+\\.', s)"),
    ]


def test_a_findings_list_missing_a_comma_is_salvaged_not_read_as_no_findings() -> None:
    """Two findings without a comma between them: the answer read as a clean review (usable,
    so cached), and both findings were lost for good."""
    text = (
        '{"findings": [{"severity": "critical", "line": 4, "code": "except:", "message": "A."}'
        ' {"severity": "warning", "line": 8, "code": "pass", "message": "B."}], "summary": "s"}'
    )
    parsed = parse_answer(text)
    assert not parsed.usable
    assert [f.message for f in parsed.findings] == ["A.", "B."]


@pytest.mark.parametrize("key", ["issues", "problems", "comments"])
def test_findings_under_another_name_are_read_not_taken_for_a_clean_review(key: str) -> None:
    """A self-hosted model naming its list as it likes: read as "no findings" (usable, so
    cached as the unit's review), every finding lost. A list of something else is not taken."""
    text = json.dumps({key: [{"severity": "warning", "line": 4, "code": "except:", "message": "Bare except."}]})
    assert [f.message for f in parse_answer(text).findings] == ["Bare except."]
    assert parse_answer(json.dumps({"findings": [], "notes": [{"message": "x"}]})).findings == []
    assert parse_answer(json.dumps({"tags": ["a"], "summary": "ok"})).findings == []


async def test_an_answer_with_trailing_commas_is_not_cached_as_a_clean_review(
    fake_deepseek: FakeDeepSeek, client: ModelClient, engine: ReviewEngine
) -> None:
    fake_deepseek.script(ANSWER_WITH_TRAILING_COMMAS, path=CHAT)
    doc = doc_of(TWO_TRIES)
    settings = settings_for(fake_deepseek)
    outcome = await engine.review(client, doc, settings)
    assert lines_of(doc, outcome.findings) == [4, 8]
    # The next save does not show a cached "nothing found".
    assert lines_of(doc, engine.cached_findings(doc, settings)[0]) == [4, 8]


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("Information", "info"),
        ("informational", "info"),
        ("nit", "info"),
        ("nitpick", "info"),
        ("trivial", "info"),
        ("fatal", "critical"),
        ("severe", "critical"),
        ("security", "critical"),
    ],
)
def test_severity_words_models_use_keep_their_meaning(word: str, severity: str) -> None:
    """Unknown words read as "warning": a nit was shown as a Warning, and a "severe" finding
    was hidden by minSeverity "critical"."""
    (raw,) = parse_answer(json.dumps({"findings": [item(4, "except:", severity=word)]})).findings
    assert raw.severity == severity


@pytest.mark.parametrize(("word", "shown"), [("low", False), ("very low", False), ("High", True), ("medium", True)])
def test_a_confidence_in_words_is_weighed_against_min_confidence(word: str, shown: bool) -> None:
    """``"confidence": "low"`` read as 1: shown whatever review.minConfidence (0.5) said."""
    parsed = parse_answer(json.dumps({"findings": [item(4, "except:", confidence=word)]}))
    doc = doc_of(TWO_TRIES)
    found = [(raw, [(0, 8)], "run", "function") for raw in parsed.findings]
    placed, stats = place_findings(Placer(doc), found, min_confidence=0.5, min_severity="info")
    assert bool(placed) is shown and stats.low_confidence == (0 if shown else 1)


# -- quick fixes ----------------------------------------------------------------------------------


def apply(doc: Document, finding: Any) -> str:
    return (doc.data[: finding.start] + finding.fix.encode() + doc.data[finding.end :]).decode()


@pytest.mark.parametrize(
    ("code", "suggestion", "fixed"),
    [
        # The whole line suggested for the part quoted.
        ("user == None", "if user is None:", "    if user is None:"),
        ("len(user)", "return len(user or [])", "        return len(user or [])"),
        # The quoted part's own replacement is left as it is.
        ("user == None", "user is None", "    if user is None:"),
        ("len(user)", "len(user or [])", "        return len(user or [])"),
        ("total", "return_value", "    return return_value"),
    ],
)
def test_a_whole_line_suggestion_for_part_of_the_line_fixes_the_line(
    code: str, suggestion: str, fixed: str
) -> None:
    """The model quotes ``user == None`` and suggests the corrected line: the quick fix wrote
    ``if if user is None::``."""
    text = "def f(user):\n    if user == None:\n        return len(user)\n    return total\n"
    doc = doc_of(text)
    raw = RawFinding("warning", code, "Problem.", suggestion)
    (finding,), _ = place_findings(Placer(doc), [(raw, [(0, 3)], "f", "function")], min_confidence=0, min_severity="info")
    line = doc.line_at(finding.start)
    assert apply(doc, finding).split("\n")[line] == fixed


def place_one(text: str, code: str, suggestion: str, line: int | None = None) -> tuple[Document, Any]:
    doc = doc_of(text)
    raw = RawFinding.from_json({"severity": "warning", "code": code, "message": "Problem.", "suggestion": suggestion, "line": line})
    assert raw is not None
    (finding,), _ = place_findings(Placer(doc), [(raw, [(0, text.count("\n"))], "f", "function")], min_confidence=0, min_severity="info")
    return doc, finding


OPENS = "def read_all(path):\n    fh = open(path)  # closed by the caller\n    return fh.read()\n"


@pytest.mark.parametrize(
    ("code", "suggestion", "fixed"),
    [
        # The corrected line rewrites the code before the quote as well: no place for it.
        ("open(path)", "with open(path) as fh:", None),
        # Replacements of the quote that begin or end with more code are fixes all the same.
        ("open(path)", "io.open(path)", "    fh = io.open(path)  # closed by the caller"),
        ("open(path)", "open(path, encoding='utf-8')", "    fh = open(path, encoding='utf-8')  # closed by the caller"),
        ("fh.read()", "await fh.read()", "    return await fh.read()"),
    ],
)
def test_a_suggested_line_that_does_not_fit_in_place_of_the_quote_offers_no_fix(
    code: str, suggestion: str, fixed: str | None
) -> None:
    """The model quotes ``open(path)`` and suggests the line rewritten as a ``with``: the quick
    fix put it in place of the quote and wrote ``fh = with open(path) as fh:``, a line of code
    that was fine turned into one that does not parse."""
    doc, finding = place_one(OPENS, code, suggestion)
    if fixed is None:
        assert finding.fix is None
    else:
        assert apply(doc, finding).split("\n")[doc.line_at(finding.start)] == fixed


FUNCTION = "def f(user):\n    if user == None:\n        return 1\n    return 2\n"


@pytest.mark.parametrize(
    "suggestion",
    [
        # The whole function, corrected.
        "def f(user):\n    if user is None:\n        return 1\n    return 2",
        # The line and the next one, which the quote does not hold.
        "if user is None:\n    return 1",
    ],
)
def test_a_suggestion_holding_the_code_around_the_quote_offers_no_fix_that_repeats_it(suggestion: str) -> None:
    """The model quotes one line and suggests the function it is in: the quick fix put a second
    ``def f(user):`` inside the first, and its last lines twice."""
    doc, finding = place_one(FUNCTION, "if user == None:", suggestion)
    assert doc.data[finding.start : finding.end] == b"if user == None:"
    assert finding.fix is None or apply(doc, finding).count("return 1") == 1
    assert finding.fix is None or apply(doc, finding).count("def f(user):") == 1


def test_a_fix_that_adds_lines_around_its_code_is_still_offered() -> None:
    doc, finding = place_one(FUNCTION, "return 2", "log(user)\nreturn 2")
    assert apply(doc, finding) == FUNCTION.replace("    return 2", "    log(user)\n    return 2")


@pytest.mark.parametrize(
    "suggestion",
    ["- if user == None:\n+ if user is None:", "-if user == None:\n+if user is None:"],
)
def test_a_suggestion_written_as_a_diff_fixes_with_its_new_lines(suggestion: str) -> None:
    """``- old`` / ``+ new`` as a review comment shows a change: the quick fix wrote both lines,
    markers and all, into the code."""
    doc, finding = place_one(FUNCTION, "if user == None:", suggestion)
    assert apply(doc, finding) == FUNCTION.replace("user == None", "user is None")


def test_a_multi_line_diff_suggestion_keeps_its_indentation() -> None:
    code = "if user == None:\n    return 1"
    suggestion = "- if user == None:\n-     return 1\n+ if user is None:\n+     log(user)\n+     return 1"
    doc, finding = place_one(FUNCTION, code, suggestion)
    assert apply(doc, finding) == FUNCTION.replace(
        "if user == None:\n        return 1", "if user is None:\n        log(user)\n        return 1"
    )


def test_code_whose_lines_start_with_a_dash_is_no_diff() -> None:
    """A YAML list's or an expression's ``-`` is code (no ``-`` lines that are the quote)."""
    text = "def f(a, b):\n    return (\n        -a\n        +b\n    )\n"
    doc, finding = place_one(text, "-a\n+b", "-b\n+a")
    assert apply(doc, finding) == text.replace("-a\n        +b", "-b\n        +a")


@pytest.mark.parametrize(
    ("code", "suggestion"),
    [
        ("if user == None:", "`if user is None:`"),
        ("`if user == None:`", "`if user is None:`"),
        ("```if user == None:```", "if user is None:"),
    ],
)
def test_code_and_suggestions_in_markdown_backticks(code: str, suggestion: str) -> None:
    """Backticks as in prose around the code or the fix: the finding was lost (the quote is
    nowhere in the file), or the quick fix wrote the backticks into the code."""
    doc, finding = place_one(FUNCTION, code, suggestion)
    assert apply(doc, finding) == FUNCTION.replace("user == None", "user is None")
    # Ignored once, it stays ignored whether the next answer quotes it in backticks or not.
    assert finding.fingerprint == place_one(FUNCTION, "if user == None:", suggestion)[1].fingerprint


def test_a_template_literal_keeps_its_backticks() -> None:
    text = "function f(name) {\n  return `Hi ` + name;\n}\n"
    doc = Document("file:///project/mod.js", text, language=LanguageRegistry.load().get("javascript"))
    raw = RawFinding("info", "`Hi ` + name", "Use a template.", "`Hi ${name}`")
    (finding,), _ = place_findings(Placer(doc), [(raw, [(0, 2)], "f", "function")], min_confidence=0, min_severity="info")
    assert apply(doc, finding) == text.replace("`Hi ` + name", "`Hi ${name}`")


# -- "no fix" and confidence written other ways ----------------------------------------------------


@pytest.mark.parametrize(
    "placeholder", ["N/A", "n/a", "None", "null", "(none)", "-", "No change needed.", "No suggestion", "`N/A`"]
)
def test_a_suggestion_that_says_there_is_no_fix_offers_no_fix(placeholder: str) -> None:
    """A model that fills ``suggestion`` with "N/A" (or "None", "No change needed") when it
    has no fix: "Apply DeepSeek fix" replaced ``if row == None:`` with ``N/A``."""
    text = "def f(row):\n    if row == None:\n        return 1\n"
    _, finding = place_one(text, "if row == None:", placeholder, line=2)
    assert finding.fix is None


def test_a_one_word_fix_of_a_one_word_excerpt_is_still_a_fix() -> None:
    """``None`` (or ``null``) is code where the quoted code is a value of its own."""
    text = "def f():\n    return null\n"
    doc, finding = place_one(text, "null", "None", line=2)
    assert apply(doc, finding) == "def f():\n    return None\n"


@pytest.mark.parametrize(
    ("said", "read"),
    [("8/10", 0.8), ("4/5", 0.8), ("8 out of 10", 0.8), (8, 0.8), ("9", 0.9), (10, 1.0), (85, 0.85),
     ("85%", 0.85), ("7%", 0.07), (0.3, 0.3), ("3 / 10", 0.3), ("1/0", 1.0)],
)  # fmt: skip
def test_a_confidence_out_of_ten_or_as_a_fraction_is_read_as_such(said: Any, read: float) -> None:
    """The prompt asks for 0 to 1; a model answering on a scale of ten ("confidence": 8) had
    its finding read as 8 % sure and dropped under the default minConfidence of 0.5, and
    "8/10" was read as no confidence given at all (1.0), shown even with a high minimum."""
    raw = RawFinding.from_json({"code": "x = 1", "message": "Problem.", "confidence": said})
    assert raw is not None and raw.confidence == pytest.approx(read)
