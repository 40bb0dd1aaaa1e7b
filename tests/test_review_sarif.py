"""SARIF 2.1.0 and JSON reports, checked against the official SARIF schema (draft-04)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.languages import LanguageRegistry
from deepseek_lsp.review.answer import RawFinding
from deepseek_lsp.review.findings import place_findings
from deepseek_lsp.review.placing import Placer
from deepseek_lsp.review.report import EXCLUDED, FileResult, to_json, to_text
from deepseek_lsp.review.sarif import to_sarif
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import Rule, reviewer
from tests.test_review_cli import CHAT, run
from tests.test_review_cli import project as cli_project

DATA = Path(__file__).parent / "data" / "review"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
PYTHON = LanguageRegistry.load().get("python")
#: The project of tests/test_review_cli.py: app/inventory.py and app/util.js, one commit on main.
project = cli_project
TEXT = (
    "greeting = '🦊 Zoë'; value = compute(greeting)\nif value == None:\n    raise SystemExit(1)\n"
)


def result(tmp_path: Path, name: str = "src/mod.py") -> FileResult:
    path = tmp_path / name
    doc = Document(path.as_uri(), TEXT, language=PYTHON)
    raws = [
        (
            RawFinding("info", "compute(greeting)", "Result unchecked.", None, 0.9, 1),
            (),
            "module level",
            "module",
        ),
        (
            RawFinding("critical", "if value == None:", "Use is.", "if value is None:", 0.9, 2),
            (),
            "module level",
            "module",
        ),
    ]
    findings, stats = place_findings(Placer(doc), raws, min_confidence=0.5, min_severity="info")
    return FileResult(
        str(path),
        doc,
        findings,
        stats,
        units=1,
        units_asked=1,
        errors=["the model's answer was blank"],
    )


def test_sarif_is_valid_and_uses_utf16_columns(tmp_path: Path) -> None:
    log = to_sarif([result(tmp_path)], root=tmp_path, model="deepseek-v4-pro")
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (run,) = log["runs"]
    info = next(r for r in run["results"] if r["ruleId"] == "deepseek-review/info")
    region = info["locations"][0]["physicalLocation"]["region"]
    prefix = "greeting = '🦊 Zoë'; value = "
    assert region["startColumn"] == len(prefix.encode("utf-16-le")) // 2 + 1
    assert region["endColumn"] - region["startColumn"] == len("compute(greeting)")
    assert info["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "src/mod.py",
        "uriBaseId": "SRCROOT",
    }
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][info["ruleIndex"]] == info["ruleId"]
    critical = next(r for r in run["results"] if r["level"] == "error")
    assert (
        critical["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
        == "if value is None:"
    )
    assert critical["partialFingerprints"]["deepseekFinding/v1"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert (
        invocation["toolExecutionNotifications"][0]["message"]["text"]
        == "the model's answer was blank"
    )


def test_sarif_outside_the_root_uses_absolute_uris(tmp_path: Path) -> None:
    log = to_sarif([result(tmp_path)], root=tmp_path / "elsewhere")
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert uri == (tmp_path / "src" / "mod.py").as_uri()


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    """Raw paths cut a URI at '#' and read '%41' as 'A': code scanning found no such file."""
    names = ["src dir/issue #12.py", "src dir/50%41.py", "caf\udce9.py"]  # the last: Latin-1 bytes
    log = to_sarif([result(tmp_path, n) for n in names], root=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"src%20dir/issue%20%2312.py", "src%20dir/50%2541.py", "caf%E9.py"}
    for uri in uris:  # read back as a URI reference: the whole name, no fragment
        parts = urlsplit(uri)
        assert not parts.fragment
        assert unquote(parts.path, errors="surrogateescape") in names


def test_a_file_left_unreviewed_is_named_in_the_sarif_log(tmp_path: Path) -> None:
    """Too large or binary: the text report said so, the SARIF log (all code scanning sees)
    had nothing, and the changed file read as reviewed and clean."""
    empty = Document((tmp_path / "x.py").as_uri(), "")
    skipped = [
        FileResult(str(tmp_path / "big.py"), empty, skipped="larger than 2000000 bytes"),
        FileResult(str(tmp_path / "conf.py"), empty, skipped=EXCLUDED),  # the user's own choice
    ]
    log = to_sarif(skipped, root=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (invocation,) = log["runs"][0]["invocations"]
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"] == "not reviewed: larger than 2000000 bytes"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "big.py"
    assert invocation["executionSuccessful"] is True


def test_empty_run_is_valid() -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(to_sarif([]))


def test_json_and_text_reports(tmp_path: Path) -> None:
    r = result(tmp_path)
    report = json.loads(to_json([r]))
    (item,) = report["files"]
    assert [f["severity"] for f in item["findings"]] == ["info", "critical"]
    assert item["findings"][1]["line"] == 2 and item["findings"][1]["column"] == 1
    assert item["findings"][0]["column"] == len("greeting = '🦊 Zoë'; value = ") + 1  # code points
    assert item["errors"] == ["the model's answer was blank"]
    text = to_text([r])
    assert f"{r.path}:2:1: critical: Use is." in text and "fix: if value is None:" in text
    assert "error: the model's answer was blank" in text


def test_the_same_finding_twice_in_a_file_gets_two_fingerprints(tmp_path: Path) -> None:
    """Code scanning takes results with equal fingerprints for one alert: ``if row == None:``
    flagged in two functions showed as one. The first keeps the plain fingerprint (alerts of
    earlier runs stay matched); neither depends on its line."""
    text = "def a(row):\n    if row == None:\n        return 1\n\n\ndef b(row):\n    if row == None:\n        return 2\n"
    path = tmp_path / "m.py"
    doc = Document(path.as_uri(), text, language=PYTHON)
    raws = [
        (RawFinding("warning", "if row == None:", "Use is.", "if row is None:", 0.9, line), (), unit, "function")
        for line, unit in ((2, "a"), (7, "b"))
    ]
    findings, stats = place_findings(Placer(doc), raws, min_confidence=0.5, min_severity="info")
    assert len(findings) == 2 and findings[0].fingerprint == findings[1].fingerprint
    log = to_sarif([FileResult(str(path), doc, findings, stats, units=2, units_asked=2)], root=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    prints = [r["partialFingerprints"]["deepseekFinding/v1"] for r in log["runs"][0]["results"]]
    assert prints == [findings[0].fingerprint, findings[0].fingerprint + ":2"]


def test_a_findings_logical_location_has_its_units_kind_from_a_run_and_from_its_record(
    project: Path, fake_deepseek: FakeDeepSeek, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every finding's ``logicalLocations`` said ``"kind": "member"``: a function, a class's own
    code and the module's were all "members" to a SARIF viewer. SARIF 2.1.0 §3.33.7's kinds:
    a function ``function``, a method ``member`` (its class in ``fullyQualifiedName``), a
    class ``type``, the code outside definitions ``module``. A second run, its units from the
    file's record without a parse, says the same."""
    methods = "".join(f"    def m{i}(self, row):\n        return row + {i}\n\n" for i in range(40))
    (project / "app" / "kinds.py").write_text(
        "import os\nLIMIT = eval('3')  # module\n\n\n"
        "def helper(row):\n    return eval(row)  # function\n\n\n"
        "class Small:\n    size = eval('1')  # class\n\n\n"
        "class Large:\n" + methods + "    def last(self, row):\n        return eval(row)  # method\n"
    )
    fake_deepseek.responder(reviewer([Rule("eval(")]), path=CHAT)
    kinds = {"module": ("module", None), "function": ("function", None), "class": ("type", None),
             "method": ("member", "Large.last")}
    for _ in range(2):
        code, out, err = run(capsys, "app/kinds.py", "--format", "sarif", "--fail-on", "never")
        assert code == 0, err
        log = json.loads(out)
        jsonschema.Draft4Validator(SCHEMA).validate(log)
        text = (project / "app" / "kinds.py").read_text().splitlines()
        found = {}
        for r in log["runs"][0]["results"]:
            line = text[r["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
            [logical] = r["locations"][0]["logicalLocations"]
            found[line.rsplit("# ", 1)[1]] = (logical["kind"], logical.get("fullyQualifiedName"))
        assert found == kinds, found
    assert len(fake_deepseek.requests_to(CHAT)) >= 1


def _module_finding(tmp_path: Path, name: str, language: str, unit: str, kind: str) -> FileResult:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEXT)
    doc = Document(path.as_uri(), TEXT, language=LanguageRegistry.load().get(language))
    raw = RawFinding("warning", "if value == None:", "Use is.", None, 0.9, 2)
    findings, stats = place_findings(Placer(doc), [(raw, (), unit, kind)], min_confidence=0.5, min_severity="info")
    return FileResult(str(path), doc, findings, stats, units=1, units_asked=1)


def _module_findings(tmp_path: Path) -> list[FileResult]:
    """A finding in a package's modules' own code, a package's, a script's, a JavaScript
    file's and a long class's part."""
    for package in ("pkg", "pkg/sub"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    return [
        _module_finding(tmp_path, "pkg/sub/store.py", "python", "module level", "module"),
        _module_finding(tmp_path, "pkg/sub/cache.py", "python", "module level, part 2", "module"),
        _module_finding(tmp_path, "pkg/__init__.py", "python", "module level", "module"),
        _module_finding(tmp_path, "scripts/run_all.py", "python", "module level", "module"),
        _module_finding(tmp_path, "web/util.js", "javascript", "module level", "module"),
        _module_finding(tmp_path, "pkg/large.py", "python", "Large, part 2", "class"),
    ]


def test_a_module_level_finding_is_located_in_the_module_it_names(tmp_path: Path) -> None:
    """The code outside definitions was the logical location named "module level" in every
    file: a SARIF viewer grouping results by logical location put all files' module code under
    one entry. SARIF 2.1.0 §3.33.4's ``name`` is the construct's identifier: a Python module's
    name (the packages holding it, by their ``__init__.py``, in ``fullyQualifiedName``), a
    package's ``__init__.py`` the package's; another language's module its file's stem. A long
    module or class cut in parts is still that module or class, not "Large, part 2"."""
    log = to_sarif(_module_findings(tmp_path), root=tmp_path)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    found = [r["locations"][0]["logicalLocations"] for r in log["runs"][0]["results"]]
    assert found == [
        [{"name": "store", "fullyQualifiedName": "pkg.sub.store", "kind": "module"}],
        [{"name": "cache", "fullyQualifiedName": "pkg.sub.cache", "kind": "module"}],
        [{"name": "pkg", "kind": "module"}],
        [{"name": "run_all", "kind": "module"}],
        [{"name": "util", "kind": "module"}],
        [{"name": "Large", "kind": "type"}],
    ]


def test_the_json_report_names_a_findings_unit_as_the_sarif_log_does(tmp_path: Path) -> None:
    """SARIF named a module's own code by its module while the JSON report of the same run
    still said "module level" in every file, and "Large, part 2" for a long class's part: a CI
    script reading one format or the other grouped the same findings differently. The JSON
    ``unit`` is the SARIF logical location's fully qualified name (its name where that is all
    it has), a method with its class."""
    results = [
        *_module_findings(tmp_path),
        _module_finding(tmp_path, "pkg/last.py", "python", "Large.last", "method"),
        _module_finding(tmp_path, "pkg/run.py", "python", "run", "function"),
    ]
    units = [f["unit"] for file in json.loads(to_json(results))["files"] for f in file["findings"]]
    sarif = [
        (loc := r["locations"][0]["logicalLocations"][0]).get("fullyQualifiedName", loc["name"])
        for r in to_sarif(results, root=tmp_path)["runs"][0]["results"]
    ]
    assert units == sarif == [
        "pkg.sub.store", "pkg.sub.cache", "pkg", "run_all", "util", "Large", "Large.last", "run"
    ]
