"""Pathological prompts: text whose redaction once took seconds (a key press's wait in the
editor). The work is counted, not timed: the machine's load makes times noisy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from deepseek_lsp.privacy import REDACTED, redact, sections
from tests.cpu_time import ThreadCpu


class _CountingPattern:
    """A compiled pattern whose ``finditer`` counts the matches it yields."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.matches = 0

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        for m in self.pattern.finditer(text, *args):
            self.matches += 1
            yield m


class _CountingSearch(_CountingPattern):
    def search(self, text: str, *args: int) -> re.Match[str] | None:
        self.matches += 1
        return self.pattern.search(text, *args)


# A quote before them (``password "``) puts every ``{`` inside a string as the text read from
# its start has it: each section is then read from its own start.
@pytest.mark.parametrize("head", ["", 'password "'])
def test_unclosed_sections_on_one_line_are_read_once(monkeypatch: pytest.MonkeyPatch, head: str) -> None:
    # ``"api_key": {"x"`` repeated, 20 kB on one line, took 1.1 s: each section opened was read
    # on its own to the text's end (1,300 sections, 850,000 tokens read).
    counting = _CountingSearch(sections._BODY_TOKEN)
    monkeypatch.setattr(sections, "_BODY_TOKEN", counting)
    text = head + '"api_key": {"x"' * 1300
    redact(text)
    assert counting.matches <= 6 * 1300


def test_nested_secret_sections_still_redacted() -> None:
    text = '{"Jwt": {"Signing": {"Key": "k3y-Value-9f8e7d6c5b4a"}, "Key": "0th3r-Secret-1a2b3c4d"}, "Auth": {"Key": "thirdSecret-77aa88bb"\n'
    out = redact(text)
    assert "k3y-Value" not in out and "0th3r-Secret" not in out and "thirdSecret" not in out
    assert out.count(REDACTED) == 3


# ``<password>`` and blanks with no value: Maven's pattern for ``<password>{...}`` tried the
# blanks both as the text's indent and as a note before its ``{``, each split read to the end
# (20 kB of tabs: 0.78 s; 40 kB: 3 s). Linear, 40 kB is read in ~0.03 s: the bound is 15x that.
@pytest.mark.parametrize(("tag", "blank"), [("<password>", "\t"), ("<master>", " "), ('<password id="x">', " \t")])
def test_an_xml_secret_s_tag_before_a_long_run_of_blanks_is_read_in_linear_time(tag: str, blank: str) -> None:
    text = tag + blank * (40_000 // len(blank))
    with ThreadCpu() as cpu:
        redact(text)
        redact(text + "\n", keep_lines=True)
    assert cpu.seconds < 0.5, f"{cpu.seconds:.2f} s of CPU"


def test_maven_s_encrypted_passwords_are_still_redacted_after_blanks_and_a_note() -> None:
    for text in (
        "<password>\t\t{COQLCE6DU6GtcS5P=}</password>",
        "<password>\n\t\t{COQLCE6DU6GtcS5P=}\n</password>",
        "<password>Oleg reset this password on 2009-03-11, expires 2009-04-11\t{COQLCE6DU6GtcS5P=}</password>",
        "<master><![CDATA[  {jSMOWnoPFgsHVpMvz5VrIt5kRbzGpI8u+9EF1iFQyJQ=}]]></master>",
    ):
        assert "COQLCE6DU6GtcS5P" not in redact(text) and "jSMOWnoPFgsHVpMvz5" not in redact(text), text
