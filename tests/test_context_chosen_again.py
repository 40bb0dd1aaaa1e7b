"""The definitions kept for a site past their ``CONTEXT_REUSE_S``: the prompt's head (above the
cursor's window) is what DeepSeek's prefix cache serves, and a head changed for nothing is a
miss of the whole prompt. Chosen again with nothing new near the cursor, the same definitions
come in the same order (each file's in its own order, whatever name is nearest); a name half
typed brought its candidate's definition (``far|``: another file's ``far_helper``), which a
choice made again once the name is whole does not look up (not imported): it went from the
prompt 30 s later, the head changed. Kept while every name near the cursor was near when they
were chosen or is in them; a name pasted since (no word half typed) brings its definition."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from deepseek_lsp.completion import prompting
from deepseek_lsp.completion.request import Request
from tests.test_completion_units import _feature_for_prompts

NAMES = [f"step_{i}" for i in range(10)]
UTIL = "".join(
    f"def {n}(value, limit=10):\n    '''{n} doc.'''\n"
    + "".join(f"    value = value + {k}  # {k} of {n}\n" for k in range(12))
    + "    return value\n\n\n"
    for n in NAMES
)
OTHER = "def far_helper(value):\n    return value\n\n\nclass Far:\n    def far_member(self, n):\n        return n\n"
FILLER = "".join(f"def f{i}(a):\n    return a + {i}\n\n\n" for i in range(120))
# The imported names used in turn above the cursor, nearest last.
MAIN = (
    f"from util import {', '.join(NAMES)}\n\n\n{FILLER}def main(data):\n"
    + "".join(f"    data = {n}(data)\n    z = 0\n" for n in reversed(NAMES))
    + "    "
)


async def _heads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], pasted: str = "", then: str | None = None
) -> list[str]:
    """The prompt's head at each key of ``lines`` typed at the end of main.py, then after
    ``pasted`` in one change, then main.py's text made ``MAIN + then`` in one change (what was
    typed deleted), their ``CONTEXT_REUSE_S`` over at every request."""
    for name, text in {"util.py": UTIL, "other.py": OTHER, "main.py": MAIN}.items():
        (tmp_path / name).write_text(text)
    feature = _feature_for_prompts([tmp_path.as_uri()], time_box_ms=5000)
    for name in ("util.py", "other.py"):
        feature.symbols.add_file(tmp_path / name)
    docs = feature.services.documents
    uri = (tmp_path / "main.py").as_uri()
    doc = docs.open(uri, MAIN, "python", 1)
    feature.document_opened(doc)
    await asyncio.sleep(0.5)  # (the index built while the user pauses)
    feature.prompts.prompt(Request(doc, len(doc.data), False))
    monkeypatch.setattr(prompting, "CONTEXT_REUSE_S", 0.0)
    heads = []
    for line in lines:
        for key in line:
            docs.change(uri, doc.version + 1, [types.TextDocumentContentChangeWholeDocument(text=doc.text + key)])
            feature.document_changed(doc)
            fim = feature.prompts.prompt(Request(doc, len(doc.data), False))
            heads.append(fim.prompt[: fim.prompt.index("# Path: main.py")])
    for text in ([doc.text + pasted] if pasted else []) + ([MAIN + then] if then is not None else []):
        docs.change(uri, doc.version + 1, [types.TextDocumentContentChangeWholeDocument(text=text)])
        feature.document_changed(doc)
        fim = feature.prompts.prompt(Request(doc, len(doc.data), False))
        heads.append(fim.prompt[: fim.prompt.index("# Path: main.py")])
    return heads


async def test_chosen_again_with_nothing_new_near_the_cursor_the_head_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads = await _heads(tmp_path, monkeypatch, ["x = 1\n    ", "y = data + x\n    "])
    assert "# def step_0(value, limit=10):" in heads[0] and "# def step_9(value, limit=10):" in heads[0]
    assert all(h == heads[0] for h in heads), [i for i, h in enumerate(heads) if h != heads[0]]


async def test_a_definition_a_half_typed_name_brought_stays_once_the_name_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = "x = far_helper(data)\n    "
    heads = await _heads(tmp_path, monkeypatch, [line])
    assert "far_helper" not in heads[0]
    at_name = line.index("far_helper") + len("far")
    assert "# def far_helper(value):" in heads[at_name - 1], heads[at_name - 1]
    assert all(h == heads[at_name - 1] for h in heads[at_name:]), [
        i for i, h in enumerate(heads) if h != heads[at_name - 1] and i >= at_name
    ]


async def test_a_name_pasted_near_the_cursor_brings_its_definition_once_chosen_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Chosen again: whether the name's definition then comes is the look-up's to say.)"""
    chosen: list[int] = []
    real = prompting.gather_snippets
    monkeypatch.setattr(prompting, "gather_snippets", lambda *a: chosen.append(1) or real(*a))
    await _heads(tmp_path, monkeypatch, ["x = 1"])
    before = len(chosen)
    await _heads(tmp_path, monkeypatch, [], pasted="\n    y = step_9(x) + Far().far_member(x)\n    ")
    assert len(chosen) == before + 2, (before, chosen)  # (its first request, then the paste's)


async def test_a_definition_whose_name_the_user_deleted_goes_once_chosen_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``far_helper(data)`` typed (its definition brought), then the line deleted: every name
    near the cursor was near before, and the definition stayed in the prompt's head past
    ``CONTEXT_REUSE_S`` for as long as the user wrote there, the model asked to call it again."""
    heads = await _heads(tmp_path, monkeypatch, ["x = far_helper(data)\n    "], then="")
    assert "# def far_helper(value):" in heads[-2]
    assert "far_helper" not in heads[-1], heads[-1]


async def test_the_words_of_the_definitions_are_read_only_past_their_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What they were chosen for (the names near, the words of their text) is read once their
    while is over, not at every request that chooses them (~0.1 ms a new position)."""
    read: list[str] = []
    real = prompting._WORD

    class Counting:
        def findall(self, text: str) -> list[str]:
            read.append(text)
            return real.findall(text)

    monkeypatch.setattr(prompting, "_WORD", Counting())
    heads = await _heads(tmp_path, monkeypatch, [])  # chosen at the site, within their while
    assert heads == [] and read == []
    heads = await _heads(tmp_path, monkeypatch, ["x = 1\n    "])  # past it at each key
    assert read and all(h == heads[0] for h in heads)
