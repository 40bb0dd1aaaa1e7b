"""An Ollama whose usage counts only what its cache did not hold (some versions'
``prompt_eval_count``) keeps its cache across the language server's restarts: the first prompt
counted after one may read as a few tokens, no count of the prompt at all."""

from __future__ import annotations

import pytest

from deepseek_lsp.model.prompt_read import PromptReading
from tests.fake_deepseek import FakeDeepSeek
from tests.test_selfhosted_prompt_read import _asked, as_ollama, completed_in_a_session

pytestmark = pytest.mark.usefixtures("state_dir")


async def test_prompts_after_a_restart_at_a_cached_ollama_are_still_read_whole(fake_deepseek: FakeDeepSeek) -> None:
    """The editor restarted (Ollama kept the model and its cache): the first prompt's count,
    its cache's leftover (some 1 % of it), was taken for the server's ratio, and every later
    prompt was fitted to the whole budget, past the 1,024-token context: Ollama cut its start
    again, the file's imports and the code above lost without a word (4 of 4 cut)."""
    as_ollama(fake_deepseek, num_ctx=1024)
    fake_deepseek.counts_uncached = True
    for _ in range(2):  # a session, then the editor restarted
        before = len(_asked(fake_deepseek))
        await completed_in_a_session(fake_deepseek, 5, pause=0.05)
        # The first is sent before the context is known (and cut), as ever; none after it.
        _, *later = _asked(fake_deepseek)[before:]
        assert [r.read for r in later] == [f"{r.json['prompt']}\x00{r.json['suffix']}" for r in later]


@pytest.mark.parametrize("read", [0, 3])
def test_a_count_no_tokenizer_gives_is_no_ratio(read: int) -> None:
    """A fully cached prompt's count (0: Ollama leaving prompt_eval_count out) was kept as the
    ratio, and the next prompt's room divided by zero."""
    reading = PromptReading(contexts={"m": 2048})
    reading.counted("m", 600, read)
    assert reading.ratios == {}
    assert reading.room("m", 4096, 256) == int(2048 * 0.85) - 256
    reading.counted("m", 600, 630)
    assert 1.0 < reading.ratios["m"] < 1.1
