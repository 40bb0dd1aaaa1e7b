"""What a review at a small Ollama context ends saying where it left a unit unsent for its size
(review.fitting): the progress's last word (what Neovim's statusline, fidget and VS Code's
notification show) and the status, against the fake answering as Ollama."""

from __future__ import annotations

from typing import Any

import pytest

from deepseek_lsp.review import feature
from tests.fake_deepseek import FakeDeepSeek
from tests.review_support import reviewer
from tests.test_backend_pause import DOC, RULE, Reviewing
from tests.test_selfhosted_prompt_read import BIG, _reviewing_at_ollama, as_ollama

pytestmark = pytest.mark.usefixtures("state_dir")


def _last_words(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    words: list[str] = []
    end = feature._Progress.end

    def recording(self: Any, message: str) -> None:
        words.append(message)
        end(self, message)

    monkeypatch.setattr(feature._Progress, "end", recording)
    return words


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # Its one function too large: nothing sent, nothing read from the cache either.
        (BIG, "incomplete (1 of 1 units not reviewed); 0 findings"),
        # find reviewed (its finding shown), big not: neither failed nor whole.
        (DOC + "\n\n" + BIG, "incomplete (1 of 2 units not reviewed); 1 finding"),
    ],
    ids=["alone", "beside-another"],
)
async def test_a_review_leaving_a_unit_unsent_for_the_context_ends_saying_so(
    fake_deepseek: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch, text: str, said: str
) -> None:
    """A file whose only function is too large for a 2,048-token Ollama ended "incomplete; 0
    findings shown, from the cache" (nothing was read from the cache), and one whose other
    function was reviewed ended "incomplete; 1 finding shown", the words of a review whose
    requests all failed."""
    words = _last_words(monkeypatch)
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.responder(reviewer([RULE]), path="/v1/chat/completions")
    async with Reviewing(fake_deepseek) as r:
        await _reviewing_at_ollama(r, fake_deepseek)
        r.services.documents.open("file:///ws/a.py", text, "python", 1)
        result = await r.run("file:///ws/a.py")
        (problem,) = result["problems"]
        assert "function big" in problem
        assert words and words[-1].split(",")[0] == said, words
        # The status names the file and why, as the problem says.
        assert r.statuses[-1].kind == "Warning" and "function big" in r.statuses[-1].message
