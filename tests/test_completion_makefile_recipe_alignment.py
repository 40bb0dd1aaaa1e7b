"""A Makefile recipe's continuation lines aligned after make's tab (a tab, then eight spaces:
pyenv's Makefile typed again in Neovim, noexpandtab and 'tabstop' 8): the model wrote them as
the file has them, and that alignment went a tab deeper (a tab read as four columns, the
spaces as a level of them: three tabs, eight columns right of the file's). The real server
over stdio against the fake DeepSeek server: the block asked right after an accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, open_doc
from tests.test_completion_e2e import accept, session

FIM = "/beta/completions"
URI = "file:///ws/Makefile"

pytestmark = pytest.mark.usefixtures("state_dir")

HEAD = "IMAGE = test-image\n\ntest-unit:\n"
TAIL = "\n\nclean:\n\trm -rf build\n"
FIRST = "\tdocker run \\"
ALIGNED = '\n\t\t--init \\\n\t\t-v $(PWD):/code:ro \\\n\t        $${CI+-e CI="$${CI}"} \\\n\t        $(INTERACTIVE) \\\n\t\t$(IMAGE) \\\n\t\ttest/run'


@pytest.mark.parametrize(
    "block",
    [
        ALIGNED,
        # Controls: recipe lines in tabs alone, and alignment after two tabs.
        "\n\t\t--init \\\n\t\t$(IMAGE) \\\n\t\ttest/run",
        '\n\t\t--init \\\n\t\t    $${CI+-e CI="$${CI}"} \\\n\t\t$(IMAGE)',
    ],
)
async def test_a_recipe_s_lines_aligned_after_its_tab_are_shown_as_written(tmp_path: Path, block: str) -> None:
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: FIRST if body["prompt"].endswith("test-unit:\n") else block, path=FIM)
        async with session(fake, tmp_path, {"debounce": 0, "prefetch": False, "cache": False}) as client:
            open_doc(client, URI, HEAD + TAIL, "make")
            line = HEAD.count("\n")
            first = (await client.text_document_inline_completion_async(inline_params(URI, line, 0))).items
            assert [i.insert_text for i in first] == [FIRST]
            await accept(client, URI, 2, line, 0, first[0])
            items = (await client.text_document_inline_completion_async(inline_params(URI, line, len(FIRST)))).items
            assert [i.insert_text for i in items] == [block]
