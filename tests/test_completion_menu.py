"""The text of completion-menu items (completion/menu.py)."""

from __future__ import annotations

import re

from deepseek_lsp.completion import menu


def test_label_is_the_first_line_with_text() -> None:
    assert menu.label("compute(a, b)") == "compute(a, b)"
    assert menu.label("\n    diff = a - b\n    return diff") == "diff = a - b …"
    assert menu.label("  \n ") == ""
    assert menu.label("x" * 200) == "x" * 59 + "…"


def test_labels_fit_a_terminals_menu_and_stay_distinct() -> None:
    """Neovim's popup menu is as wide as its widest label: a long first line with the line
    where a second choice differs made a 163-character label, a screen-wide menu. With the
    kind and the detail beside it, a label fits an 80-column terminal."""
    call = "result = compute_the_weighted_average_of(samples, weights, normalise=True)"
    choices = [f"{call}\n{line}" for line in ("return result", "log.debug(result)", "return None")]
    taken: dict[str, str] = {}
    for text in choices:
        taken[menu.distinct_label(text, taken)] = text
    labels = list(taken)
    assert len(labels) == 3, labels
    assert all(len(label) <= 60 for label in labels), labels
    assert all(label.startswith("result = compute_the") for label in labels), labels
    # Where the choices differ is in the label, not cut off.
    assert labels[1].endswith("log.debug(result)") and labels[2].endswith("return None"), labels


def test_labels_of_wide_characters_fit_the_terminals_menu_too() -> None:
    """A Chinese comment's characters take two columns each: cut at 60 characters, its label
    was 110 columns wide, a screen-wide menu again; an emoji joined of several code points is
    not cut in two."""
    import unicodedata

    def columns(text: str) -> int:
        wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
        return len(text) + wide - sum(unicodedata.combining(c) > 0 or c == "\u200d" for c in text)

    comment = "# 计算用户的平均分数并且返回结果，如果没有数据则返回零以避免除以零的错误发生在这里"
    assert columns(menu.label(comment + "\nreturn x")) <= 60
    assert menu.label(comment + "\nreturn x").startswith("# 计算用户的平均分数")
    taken: dict[str, str] = {}
    for text in (f"{comment}\nreturn x", f"{comment}\nreturn None"):
        taken[menu.distinct_label(text, taken)] = text
    assert len(taken) == 2 and all(columns(label) <= 60 for label in taken), list(taken)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one glyph, five code points
    cut = menu.label("x" * 57 + family + " and more")
    assert cut.endswith("…") and (family in cut or "\u200d" not in cut), cut
    assert menu.label("# café 東京") == "# café 東京"  # short: whole


def test_labels_with_tabs_or_flags_fit_the_terminals_menu() -> None:
    """Neovim's popup menu shows a tab in a label as two spaces: counted as one column, a C
    line whose comment is aligned with tabs made a label wider than 60 columns. A flag is two
    regional indicators, one glyph: it is not cut in two (half a flag is a letter in a box)."""
    import unicodedata

    def pum_columns(text: str) -> int:
        return sum(2 if c == "\t" or unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    line = "int count_of_the_samples_read = 0;\t\t\t\t\t\t\t\t// the samples read so far"
    assert pum_columns(menu.label(line + "\nreturn 0;")) <= 60
    assert menu.label(line).startswith("int count_of_the_samples_read = 0;\t")
    flag = "\U0001f1eb\U0001f1f7"  # France: two code points, one glyph
    for at in range(55, 60):
        cut = menu.label("x" * at + flag * 3 + " and more")
        assert cut.rstrip("…").replace(flag, "").count("\U0001f1eb") == 0, (at, cut)


def test_snippet_text_is_escaped_and_relative_to_the_cursor_line() -> None:
    assert menu.as_snippet("f'${x}' \\ y", "    ") == "f'\\${x\\}' \\\\ y"
    text = "for x in xs:\n        total += x\n    return total"
    assert menu.as_snippet(text, "    ") == "for x in xs:\n    total += x\nreturn total"
    # A line indented less than the cursor line cannot be said relative to it (the client
    # would put it one level too deep): the snippet stops before it.
    assert menu.as_snippet("return total\n\ndef count(self):\n    return 1", "        ") == "return total"
    assert menu.as_snippet("a\n\tb", "") == "a\n\tb"
    assert menu.as_snippet("a\n    \n    b", "    ") == "a\n\nb"  # blank lines carry no indentation


def test_line_breaks_are_lf() -> None:
    assert menu.lf("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_the_documentation_fence_is_longer_than_any_in_the_text() -> None:
    assert menu.documentation("x = 1").value == "```\nx = 1\n```"
    # A fence of the text's own (a README's example) does not close the one around it.
    text = "Run:\n```sh\nmake\n```"
    assert menu.documentation(text).value == f"````\n{text}\n````"
    assert menu.documentation("s = `a` + ````b````").value.startswith("`````\n")


def neovim_word(text: str, label: str, insert_text: str | None, typed: str) -> str:
    """What Neovim 0.11's menu (vim.lsp.completion) puts into the line while a snippet item is
    selected, ``typed`` being the word typed before the cursor: its label, or the keyword
    ``insertText`` starts with when that is the shorter (lengths in bytes, snippet escapes
    read; a keyword as 'iskeyword' has it, no ``$``), or the filter text when that word does
    not start with what is typed."""
    shown = (text if insert_text is None else insert_text).replace("\\", "")
    word = label
    if len(shown.encode()) < len(label.encode()):
        word = re.match(r"\w*", shown).group(0)  # type: ignore[union-attr]
    return word if word.startswith(typed) else menu.first_line(text)


def test_a_selected_item_puts_no_cut_label_into_the_line() -> None:
    """Neovim's menu puts the selected item's word into the line, and it stays there when the
    menu is left without <C-y> (<Esc>, a key typed on): a label cut with '…' or followed by
    '…' (more lines) was that word, its '…' left in the code and the rest lost. Such an item's
    word is the keyword it starts with; an item whose label is its line keeps the line."""
    long_line = "totals = [compute(x, y) for x, y in pairs if x is not None and y > 0]"
    jquery = "$el.find('li').each((i, li) => render(li, options, state, cache, x))"
    cases = [
        (long_line, "tot", "totals"),
        ("if x < 0:\n    return 0\nreturn x", "", "if"),
        ("# 计算用户的平均分数并且返回结果，" + "如果没有数据则返回零以避免除以零的错误发生在这里", "", ""),
        (jquery, "$el", jquery),  # the keyword ('$' none) is not what is typed: the filter text
        ("\nreturn diff", "", ""),
        ("total = compute(a, b)", "to", "total = compute(a, b)"),
    ]
    for text, typed, word in cases:
        own = menu.label(text)
        got = neovim_word(text, own, menu.selected_word(text, own), typed)
        assert got == word and "…" not in got and text.startswith(got), (text, own, got)
