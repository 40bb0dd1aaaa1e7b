"""A prompt's part cut out of a file (its window, its suffix) is redacted of the list items it
cuts through: the list's name is looked for on the lines above the cut, the nearest first, up to
the first line that is no item's. Those lines are read as they are asked for: every line of the
window and the 4 kB above it was read at each cut, more than half of the redaction of a prompt at
a new position (tests/bench/bench_prompt_cpu.py). Read either way, the same items are redacted."""

from __future__ import annotations

import random
import re

import pytest

from deepseek_lsp.privacy import lists
from deepseek_lsp.privacy.lists import redact_lists_across
from tests.test_redaction_worst import _CountingPattern


class _CountingMatches(_CountingPattern):
    """``_NAME_LINE`` counting the lines it takes, by ``finditer`` or by ``match``."""

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        found = self.pattern.match(text, *args)
        self.matches += found is not None
        return found


CODE = "".join(f"def handler_{i}(request):\n    return render(request, 'page_{i}.html')\n\n" for i in range(150))


def test_a_cut_below_plain_code_reads_the_line_above_it_not_the_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _CountingMatches(lists._NAME_LINE)
    monkeypatch.setattr(lists, "_NAME_LINE", counting)
    before = CODE  # ~10 kB of code above the cut, as a window and the 4 kB above it
    text = "def last(request):\n    return None\n"
    assert redact_lists_across(text, before, "") == text
    # Two cuts (the text's top and its end), a line or two each; every line above was taken before (602).
    assert counting.matches <= 6


ITEM_KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c"


def test_a_list_cut_far_below_its_name_still_has_its_items_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _CountingMatches(lists._NAME_LINE)
    monkeypatch.setattr(lists, "_NAME_LINE", counting)
    items = "".join(f'    "{ITEM_KEY}{i:03d}",\n' for i in range(40))
    before = CODE + "API_KEYS = [\n" + items
    text = f'    "{ITEM_KEY}999",\n]\n'
    out = redact_lists_across(text, before, "")
    assert ITEM_KEY not in out
    assert counting.matches <= 2 * (40 + 4)  # up through the items to the name, not past it


def _old_name_lines_up(text: str, line: int) -> list[int]:
    """The lines as they were found before: all at once, then the nearest first."""
    pattern = lists._NAME_LINE
    found = [m.start() + 1 for m in pattern.finditer(text, 0, line)]
    if text and pattern.match("\n" + text[: text.find("\n") + 1 or len(text)]) and 0 < line:
        found.insert(0, 0)
    return found[::-1]


LINES = [
    "API_KEYS = [", "api_keys:", "  prod:", '    - "k3y-Alpha-0011aa22"', '  "dev": "eu-we', "    '8f7e6d5c4b3a2f1e',",
    "[secrets]", "token = abcd1234efgh5678", "", "   ", "def f(x):", "    return x", "# note: {", "}", "]",
    "  - item", "\tvalue_1234567890abcdef", "@api_keys ~w|", "x = {", '  "key": "value",', "\r",
]


@pytest.mark.parametrize("seed", range(40))
def test_the_lines_are_those_found_before_in_the_same_order(seed: int) -> None:
    rnd = random.Random(seed)
    text = "\n".join(rnd.choice(LINES) for _ in range(rnd.randrange(1, 60)))
    starts = [0] + [m.end() for m in re.finditer("\n", text)] + [len(text)]
    for line in starts:
        assert list(lists._name_lines_up(text, line)) == _old_name_lines_up(text, line), (text, line)
