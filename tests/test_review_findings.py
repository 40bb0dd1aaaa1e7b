"""Reading the model's answer leniently, placing excerpts exactly, and following edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp.documents import Document, Edit
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review.answer import RawFinding, clean_excerpt, parse_answer
from deepseek_lsp.review.findings import Finding, fingerprint, follow_edits, place_findings
from deepseek_lsp.review.fixes import adapt_fix
from deepseek_lsp.review.placing import Placer

DATA = Path(__file__).parent / "data" / "review"
PYTHON = LanguageRegistry.load().get("python")
INVENTORY = (DATA / "inventory.py").read_text()


def doc_of(text: str, encoding: str = "utf-16") -> Document:
    return Document("file:///w/mod.py", text, language=PYTHON, encoding=encoding)  # type: ignore[arg-type]


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


# -- parsing --------------------------------------------------------------------------------------


def test_parse_valid_answer_with_unknown_keys_and_missing_confidence() -> None:
    answer = {
        "findings": [
            {
                "severity": "critical",
                "line": 3,
                "code": "x = 1",
                "message": "Bad.",
                "suggestion": "x = 2",
                "confidence": 0.9,
                "category": "bug",
            },
            {"severity": "info", "line": "7", "code": "y()", "message": "Meh."},
        ],
        "summary": "Two things.",
        "extra": [1, 2],
    }
    parsed = parse_answer(json.dumps(answer))
    assert parsed.usable and parsed.invalid_items == 0
    first, second = parsed.findings
    assert (first.severity, first.line, first.suggestion, first.confidence) == (
        "critical",
        3,
        "x = 2",
        0.9,
    )
    assert (second.line, second.confidence, second.suggestion) == (7, 1.0, None)


def test_the_prompts_example_asks_only_for_what_the_reader_keeps() -> None:
    """Every output token costs three input misses: the answer the system prompt shows is read
    whole, each of its fields kept, and asks for nothing else (it asked for a "summary"
    sentence, which nothing showed, in every answer)."""
    from deepseek_lsp.review.prompt import SYSTEM_PROMPT

    shown = next(line for line in SYSTEM_PROMPT.splitlines() if line.startswith('{"findings"'))
    example = json.loads(shown)
    assert list(example) == ["findings"]
    parsed = parse_answer(shown)
    assert parsed.usable and parsed.invalid_items == 0
    (finding,) = parsed.findings
    (asked,) = example["findings"]
    assert set(asked) == set(finding.to_json())
    assert {key: finding.to_json()[key] for key in asked} == asked
    assert shown == json.dumps(example, separators=(",", ":"))  # written compactly, as the model should


@pytest.mark.parametrize("content", ["", "   \n  ", None])
def test_blank_answer_is_a_problem(content: str | None) -> None:
    parsed = parse_answer(content)
    assert not parsed.usable and parsed.findings == [] and parsed.problem == "blank answer"


def test_not_json_is_a_problem() -> None:
    parsed = parse_answer("I think the code is fine.")
    assert not parsed.usable and parsed.findings == []


def test_fenced_and_prose_wrapped_json_is_read() -> None:
    body = '{"findings": [{"severity": "warning", "code": "a", "message": "m"}], "summary": ""}'
    assert parse_answer(f"```json\n{body}\n```").findings[0].code == "a"
    assert parse_answer(f"Here is my review:\n{body}\nThanks").findings[0].code == "a"


def test_partly_valid_answer_keeps_its_valid_findings() -> None:
    answer = {
        "findings": [
            {"severity": "warning", "code": "ok()", "message": "fine"},
            {"severity": "warning", "message": "no code"},
            "not an object",
            {"severity": "loud", "code": "z", "message": 5},
            {"severity": "HIGH", "code": "q()", "message": "aliased severity", "confidence": "85%"},
        ]
    }
    parsed = parse_answer(json.dumps(answer))
    assert parsed.usable and parsed.invalid_items == 3
    assert [(f.code, f.severity) for f in parsed.findings] == [
        ("ok()", "warning"),
        ("q()", "critical"),
    ]
    assert parsed.findings[1].confidence == pytest.approx(0.85)


def test_cut_off_answer_salvages_complete_findings() -> None:
    text = (
        '{"findings": [{"severity": "warning", "code": "a()", "message": "one"}, '
        '{"severity": "info", "code": "b()", "message": "two"}, {"severity": "info", "code": "c('
    )
    parsed = parse_answer(text)
    assert not parsed.usable
    assert [f.code for f in parsed.findings] == ["a()", "b()"]


def test_findings_that_are_not_a_list() -> None:
    parsed = parse_answer('{"findings": "none", "summary": "ok"}')
    assert not parsed.usable and parsed.findings == []
    assert parse_answer('{"summary": "nothing to report"}').usable


def test_clean_excerpt_strips_line_prefixes_and_fences() -> None:
    assert clean_excerpt("12| if x:\n13|     y()") == "if x:\n    y()"
    assert clean_excerpt("```python\nfoo(1)\n```") == "foo(1)"
    # A prefix on only some lines is code, not our numbering.
    assert clean_excerpt("a = b | c\n1| x") == "a = b | c\n1| x"


# -- placement ------------------------------------------------------------------------------------


def test_place_exact_excerpt_ignoring_wrong_line_hint() -> None:
    doc = doc_of(INVENTORY)
    placer = Placer(doc)
    start, end = placer.place("return sum(i.price_cents for i in items) / len(items)", line_hint=3)
    assert doc.data[start:end].decode() == "return sum(i.price_cents for i in items) / len(items)"
    assert doc.line_at(start) + 1 == line_of(INVENTORY, "return sum(i.price_cents")


def test_place_tolerates_whitespace_differences_in_multiline_excerpts() -> None:
    doc = doc_of(INVENTORY)
    excerpt = (
        "if self.available(sku) > count:\n  self.reserved[sku] = self.reserved.get(sku,0) + count"
    )
    start, end = Placer(doc).place(excerpt)
    text = doc.data[start:end].decode()
    assert text.startswith("if self.available(sku) > count:") and text.endswith("+ count")
    assert "\n            self.reserved[sku]" in text


def test_place_picks_the_occurrence_nearest_the_hint_and_inside_the_unit() -> None:
    text = "def a():\n    x = load()\n    return x\n\n\ndef b():\n    x = load()\n    return x\n"
    doc = doc_of(text)
    placer = Placer(doc)
    first, second = placer.occurrences("x = load()")
    assert placer.place("x = load()", line_hint=8) == second
    assert placer.place("x = load()", line_hint=1) == first
    # The unit wins over the hint: b's lines are 5-7 (0-based).
    assert placer.place("x = load()", line_hint=1, prefer=[(5, 7)]) == second


def test_place_an_excerpt_shortened_with_an_ellipsis() -> None:
    doc = doc_of(INVENTORY)
    excerpt = 'def export_csv(items: list[Item], target: Path) -> None:\n    ...\n    log.info("exported %d items to %s", len(items), target)'
    start, end = Placer(doc).place(excerpt)
    placed = doc.data[start:end].decode()
    assert placed.startswith("def export_csv(") and placed.endswith("len(items), target)")
    assert adapt_fix(doc, start, end, excerpt, "def export_csv(): ...") is None
    # Too little around the ellipsis to know where it is.
    assert Placer(doc).place("x ... y") is None


def test_place_respects_word_boundaries() -> None:
    doc = doc_of("maximum = 10\nx = 1\n")
    start, _ = Placer(doc).place("x = 1")
    assert doc.line_at(start) == 1
    assert Placer(doc_of("maximum = 10\n")).place("mum = 1") is None


def test_place_gives_byte_offsets_with_non_ascii_text() -> None:
    text = "name = 'Zoë 🦊'\nvalue = compute(name)\n"
    doc = doc_of(text)
    start, end = Placer(doc).place("compute(name)")
    assert doc.data[start:end].decode() == "compute(name)"
    assert doc.range_of(start, end).start.character == len("value = ")


def test_unplaceable_low_confidence_below_severity_and_ignored_are_dropped_and_counted() -> None:
    doc = doc_of(INVENTORY)
    ignored_one = RawFinding("warning", "total = 0", "Use a float.")
    raws = [
        RawFinding(
            "critical",
            "f\"SELECT sku, name, quantity, price FROM items WHERE sku = '{sku}'\"",
            "SQL injection.",
            confidence=0.9,
        ),
        RawFinding("warning", "this code does not exist()", "Invented."),
        RawFinding("warning", "handle = open(target", "Leaked handle.", confidence=0.2),
        RawFinding("info", "log.info(", "Chatty.", confidence=0.9),
        ignored_one,
    ]
    found, stats = place_findings(
        Placer(doc),
        [(r, (), "u", "function") for r in raws],
        min_confidence=0.5,
        min_severity="warning",
        ignored=frozenset({fingerprint(ignored_one.code, ignored_one.message)}),
    )
    assert [f.message for f in found] == ["SQL injection."]
    assert (
        stats.placed,
        stats.unplaced,
        stats.low_confidence,
        stats.below_severity,
        stats.ignored,
    ) == (1, 1, 1, 1, 1)


def test_finding_ids_are_stable_and_unique() -> None:
    text = "def a():\n    x = load()\n\ndef b():\n    x = load()\n"
    doc = doc_of(text)
    raw = RawFinding("warning", "x = load()", "Unchecked.")
    found, _ = place_findings(
        Placer(doc),
        [(raw, ((0, 1),), "a", "function"), (raw, ((3, 4),), "b", "function")],
        min_confidence=0,
        min_severity="info",
    )
    assert len({f.id for f in found}) == 2
    again, _ = place_findings(
        Placer(doc),
        [(raw, ((0, 1),), "a", "function"), (raw, ((3, 4),), "b", "function")],
        min_confidence=0,
        min_severity="info",
    )
    assert [f.id for f in again] == [f.id for f in found]


# -- fixes ----------------------------------------------------------------------------------------


def test_adapt_fix_single_line() -> None:
    doc = doc_of(INVENTORY)
    start, end = Placer(doc).place("if row == None:")
    assert adapt_fix(doc, start, end, "if row == None:", "    if row is None:") == "if row is None:"
    assert (
        adapt_fix(doc, start, end, "if row == None:", "if  row == None:") is None
    )  # no real change


def test_a_fix_carrying_a_redaction_placeholder_is_not_offered() -> None:
    doc = doc_of("token = load()\n")
    start, end = Placer(doc).place("token = load()")
    assert adapt_fix(doc, start, end, "token = load()", 'token = load() or "[REDACTED]"') is None


def test_adapt_fix_reindents_a_dedented_multiline_suggestion() -> None:
    text = "class A:\n    def f(self):\n        if x:\n            y()\n"
    doc = doc_of(text)
    excerpt = "if x:\n    y()"  # quoted without the method's indentation
    start, end = Placer(doc).place(excerpt)
    fix = adapt_fix(doc, start, end, excerpt, "if x:\n    y()\nelse:\n    z()")
    assert fix == "if x:\n            y()\n        else:\n            z()"


def test_adapt_fix_keeps_correct_absolute_indentation() -> None:
    text = "def f():\n    a = 1\n    b = 2\n"
    doc = doc_of(text)
    excerpt = "    a = 1\n    b = 2"
    start, end = Placer(doc).place(excerpt)
    assert adapt_fix(doc, start, end, excerpt, "    a = 1\n    b = a + 1") == "a = 1\n    b = a + 1"


# -- following edits ------------------------------------------------------------------------------


def _finding(start: int, end: int) -> Finding:
    return Finding("id", "warning", "m", "code", start, end, None, 1.0, "u", "fp")


def test_follow_edits_moves_drops_and_keeps() -> None:
    f = _finding(100, 110)
    # Insert 5 bytes above: moves.
    (moved,), changed = follow_edits([f], [Edit(10, 10, 15)])
    assert (moved.start, moved.end, changed) == (105, 115, True)
    # Edit after: unchanged.
    (same,), changed = follow_edits([f], [Edit(200, 210, 205)])
    assert (same.start, same.end, changed) == (100, 110, False)
    # Typing right before or right after the code leaves it alone.
    assert follow_edits([f], [Edit(100, 100, 101)])[0][0].start == 101
    assert follow_edits([f], [Edit(110, 110, 112)])[0][0].end == 110
    # Any change inside drops it.
    assert follow_edits([f], [Edit(105, 106, 106)]) == ([], True)
    assert follow_edits([f], [Edit(90, 101, 90)]) == ([], True)
    # A sequence: delete above, then edit inside the moved span.
    assert follow_edits([f], [Edit(0, 10, 0), Edit(95, 96, 97)]) == ([], True)


def test_a_fix_applied_as_a_minimal_insertion_drops_the_finding() -> None:
    # Neovim sends the quick fix "return a / b" -> "return a / b if b else 0.0" as an insertion
    # right after the finding's code; the finding is about code that no longer stands there.
    old = b"    return a / b\n"
    new = b"    return a / b if b else 0.0\n"
    f = Finding("id", "warning", "m", "return a / b", 4, 16, "return a / b if b else 0.0", 1.0, "u", "fp")
    assert follow_edits([f], [Edit(16, 16, 30)], new) == ([], True)
    # Typing after the code that is not the fix keeps the finding.
    other = b"    return a / b  # todo\n"
    assert follow_edits([f], [Edit(16, 16, 24)], other)[0] == [f]
    assert old  # the text before the edit, for the reader


def test_a_fix_that_is_a_start_of_the_code_survives_typing_elsewhere() -> None:
    """``import os`` for ``import os, sys``: the fix "stood at the finding's place" after any
    keystroke anywhere in the file, and the finding vanished unfixed."""
    text = b"import os, sys\n\n\ndef g():\n    return 1\n"
    f = Finding("id", "warning", "'sys' is unused", "import os, sys", 0, 14, "import os", 1.0, "u", "fp")
    typed = text.replace(b"return 1", b"return 12")
    at = text.index(b"1\n", 20) + 1
    assert follow_edits([f], [Edit(at, at, at + 1)], typed)[0] == [f]
    # Enter right after the code is beside it; the fix (shorter than the code) is no insertion.
    divided = b"total = sum(rows) / 1\n"
    g = Finding("id", "info", "/ 1 does nothing", "total = sum(rows) / 1", 0, 21, "total = sum(rows)", 1.0, "u", "fp")
    entered = divided.replace(b"/ 1\n", b"/ 1\n\n")
    assert follow_edits([g], [Edit(21, 21, 22)], entered)[0] == [g]
    # Applied as a deletion of ", sys" (beside nothing, inside the code): gone.
    fixed = text.replace(b"import os, sys", b"import os")
    assert follow_edits([f], [Edit(9, 14, 9)], fixed) == ([], True)


@pytest.mark.parametrize(
    "line", ["1e999", "-1e999", "NaN", '"99999999999999999999999"', f'"{"9" * 5000}"', "1e300", "10000000000"]
)
def test_an_absurd_line_hint_is_no_hint_and_ends_nothing(line: str) -> None:
    """1e999 is infinity to the JSON reader: int() of it raised out of the parser, and the
    whole review of the save was lost (the command line exited 1, "findings found")."""
    item = f'{{"code": "x = 1", "message": "m", "line": {line}, "confidence": {line}}}'
    answer = f'{{"findings": [{item}]}}'
    parsed = parse_answer(answer)
    assert [(f.code, f.line) for f in parsed.findings] == [("x = 1", None)]


def test_a_fix_quoted_without_a_blank_line_keeps_its_code_in_its_block() -> None:
    """The quote is matched with whitespace squeezed; one that leaves out a blank line had its
    second line taken for the blank one, whose indentation is none: "Apply fix" moved the
    `if` and its body out of the function."""
    text = "def f(x):\n    y = g(x)\n\n    if y == None:\n        return 0\n    return y\n"
    doc = Document("file:///p/m.py", text, language=PYTHON)
    excerpt = "y = g(x)\nif y == None:\n    return 0"
    start, end = Placer(doc).place(excerpt, 2)
    fix = adapt_fix(doc, start, end, excerpt, "y = g(x)\nif y is None:\n    return 0")
    fixed = text[:start] + fix + text[end:]
    assert fixed == "def f(x):\n    y = g(x)\n    if y is None:\n        return 0\n    return y\n"


def test_typing_onto_the_edge_of_a_finding_s_code_drops_it() -> None:
    """``safe_`` typed before ``eval(value)``: the critical finding stayed on part of the new
    name, and its quick fix wrote ``safe_ast.literal_eval(value)``."""
    f = Finding("id", "critical", "m", "eval(value)", 11, 22, "ast.literal_eval(value)", 1.0, "u", "fp")
    renamed = b"    return safe_eval(value)\n"
    assert follow_edits([f], [Edit(11, 11, 16)], renamed) == ([], True)
    spaced = b"    return  eval(value)\n"  # not a word any more: kept, moved
    assert follow_edits([f], [Edit(11, 11, 12)], spaced)[0][0].start == 12
    g = Finding("id", "warning", "m", "total", 4, 9, None, 1.0, "u", "fp")
    longer = b"    totals = 1\n"  # a letter typed right after: part of another name now
    assert follow_edits([g], [Edit(9, 9, 10)], longer) == ([], True)
    assert follow_edits([g], [Edit(9, 9, 10)], b"    total. = 1\n")[0] == [g]


def test_a_multi_line_fix_in_a_crlf_file_uses_its_line_breaks() -> None:
    text = "def f(arr):\r\n    copy = arr.copy()\r\n    return copy\r\n"
    doc = doc_of(text)
    excerpt = "copy = arr.copy()"
    start, end = Placer(doc).place(excerpt)
    fix = adapt_fix(doc, start, end, excerpt, "copy = []\nfor x in arr:\n    copy.append(x)")
    assert fix == "copy = []\r\n    for x in arr:\r\n        copy.append(x)"


def test_the_same_finding_on_two_occurrences_keeps_both_when_hints_are_off() -> None:
    """Two bare ``except:`` four lines apart, both hints pointing near the first (the cached
    hints after blank lines were added, or a model counting lines wrong): one was dropped."""
    text = "def load(p):\n    try:\n        a()\n    except:\n        pass\n    try:\n        b()\n    except:\n        pass\n"
    doc = doc_of(text)
    raw = [RawFinding("warning", "except:", "Bare except.", None, 0.9, line) for line in (4, 5)]
    found = [(r, [(0, 8)], "load", "function") for r in raw]
    placed, _ = place_findings(Placer(doc), found, min_confidence=0.5, min_severity="info")
    assert sorted(doc.line_at(f.start) + 1 for f in placed) == [4, 8]
    # The same finding said twice of one line is one finding.
    twice = [(raw[0], [(0, 8)], "load", "function"), (raw[0], [(0, 8)], "load", "function")]
    assert len(place_findings(Placer(doc), twice, min_confidence=0.5, min_severity="info")[0]) == 1


def test_placed_byte_offsets_count_a_lone_surrogate_as_its_three_bytes() -> None:
    doc = doc_of("label = '\ud83d'\nresult = eval(user_input)\n")
    start, end = Placer(doc).place("eval(user_input)")
    assert doc.data[start:end] == b"eval(user_input)"


def test_a_fix_applied_as_an_insertion_before_the_code_drops_the_finding() -> None:
    """Neovim's incremental sync sends a quick fix as the smallest edit: ``fetch(url)`` becoming
    ``await fetch(url)`` is "await " inserted before the code. The finding was kept on the fixed
    code, and its fix would then have written ``await await fetch(url)``."""
    old = b"async def load(url):\n    data = fetch(url)\n"
    start = old.index(b"fetch(url)")
    end = start + len(b"fetch(url)")
    finding = Finding(
        "id", "critical", "Coroutine is never awaited.", "fetch(url)", start, end, "await fetch(url)", 1.0, "load", "fp"
    )
    new = old.replace(b"fetch(url)", b"await fetch(url)")
    survivors, _ = follow_edits([finding], [Edit(start, start, start + 6)], new)
    assert survivors == []
    # Text typed before the code that is not the fix leaves the finding where it was.
    typed = old.replace(b"fetch(url)", b"(fetch(url)")
    survivors, _ = follow_edits([finding], [Edit(start, start, start + 1)], typed)
    assert [typed[f.start : f.end] for f in survivors] == [b"fetch(url)"]


def test_a_finding_quoting_a_redacted_secret_lands_on_the_secret_line() -> None:
    """The model is shown a hard-coded key as ``[REDACTED]`` and quotes the line so: the finding
    lands on the real line (it was dropped as not found), and offers no fix that would write the
    placeholder into the code."""
    text = 'import requests\n\nAPI_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"\n\n\ndef get(url):\n    return url\n'
    doc = doc_of(text)
    placer = Placer(doc)
    spans = placer.occurrences('API_KEY = "[REDACTED]"')
    assert [doc.data[a:b].decode() for a, b in spans] == ['API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"']
    spans = placer.occurrences("API_KEY = [REDACTED]")  # the placeholder the rest of the token
    assert [doc.data[a:b].decode() for a, b in spans] == ['API_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"']
    assert placer.occurrences('OTHER = "[REDACTED]"') == []


def test_half_an_emoji_in_an_answer_is_mended_in_the_message_and_drops_the_fix() -> None:
    """``\\ud83d`` in the JSON is a lone surrogate no UTF-8 output carries: the command line's
    text report failed on it after the review was paid for."""
    answer = (
        '{"findings": [{"severity": "warning", "line": 2, "code": "if row == None:", '
        '"message": "Compare with None using is \\ud83d", "suggestion": "if row is None: # \\ud83d", '
        '"confidence": 0.9}], "summary": "ok"}'
    )
    parsed = parse_answer(answer)
    [raw] = parsed.findings
    raw.message.encode("utf-8")
    assert raw.message.startswith("Compare with None using is") and not raw.suggestion


def test_a_multi_line_fix_is_re_indented_with_its_line_or_withdrawn() -> None:
    """A one-line quote's fix of several lines is indented for its line as reviewed: it follows
    the line's new indentation (tabs too), and is withdrawn once code stands before it on the
    line (``if path: data = read(path)``), where no indentation of its later lines is right."""
    text = "def load(path):\n    data = read(path)\n"
    raw = RawFinding("warning", "data = read(path)", "May fail.", "try:\n    data = read(path)\nexcept OSError:\n    data = None")
    (finding,), _ = place_findings(Placer(doc_of(text)), [(raw, [(0, 1)], "load", "function")], min_confidence=0, min_severity="info")
    assert finding.fix == "try:\n        data = read(path)\n    except OSError:\n        data = None"
    line = text.index("    data")
    tabbed = text.replace("    data", "\tdata").encode()
    (moved,), changed = follow_edits([finding], [Edit(line, line + 4, line + 1)], tabbed)
    assert changed and moved.fix == "try:\n\t    data = read(path)\n\texcept OSError:\n\t    data = None"
    typed = text.replace("    data", "    if path: data").encode()
    (moved,), _ = follow_edits([finding], [Edit(line + 4, line + 4, line + 13)], typed)
    assert typed[moved.start : moved.end] == b"data = read(path)" and moved.fix is None
    # Typing elsewhere leaves the fix as it was.
    (same,), _ = follow_edits([finding], [Edit(0, 0, 1)], b"#" + text.encode())
    assert same.fix == finding.fix


def test_a_multi_line_fix_is_not_offered_for_code_after_other_code_on_its_line() -> None:
    """The quoted line follows other code on its line (a one-line ``if``): the fix of several
    lines was put in place of the quote all the same, and wrote ``if path: try:``, code Python
    does not compile. A one-line fix of such code still is."""
    text = "def load(path):\n    if path: data = read(path)\n    return data\n"
    wrap = RawFinding("warning", "data = read(path)", "May fail.", "try:\n    data = read(path)\nexcept OSError:\n    data = None")
    one_line = RawFinding("warning", "read(path)", "Not a str.", "read(str(path))")
    found, _ = place_findings(
        Placer(doc_of(text)), [(wrap, [(0, 2)], "load", "function"), (one_line, [(0, 2)], "load", "function")], min_confidence=0, min_severity="info"
    )
    assert [(text[f.start : f.end], f.fix) for f in found] == [
        ("data = read(path)", None),
        ("read(path)", "read(str(path))"),
    ]
