"""fim-template's check of a model's FIM tokens (a prompt of the template's markers alone,
counted by the server) against real tokenizers' counts: read as the model's tokens, each
marker is one token (and a start-of-text token, and the spaces CodeLlama's template writes
between them); read as text by a model of another family, each is several. The BPE tokenizer
at hand (DeepSeek V4's, 128k tokens: Qwen's is of that kind, 151k) has DeepSeek Coder's markers
as tokens and reads the others as text; a smaller vocabulary (CodeLlama's 32k) splits text
finer, into more tokens."""

from __future__ import annotations

import re

import pytest
from tokenizers import Tokenizer

from deepseek_lsp.model.backends import FIM_TEMPLATES, render_fim_template
from deepseek_lsp.model.prompt_read import read_as_text, template_markers
from deepseek_lsp.model.tokens import tokenizer_path

#: Each family's count of its own markers alone, as its server reads the probe: one token a
#: marker, a start-of-text token where its tokenizer adds one (DeepSeek Coder, CodeLlama), and
#: CodeLlama's "<PRE>  <SUF> <MID>": SentencePiece's '▁<PRE>', '▁', '▁<SUF>', '▁<MID>'.
AS_TOKENS = {"deepseek-coder": 3 + 1, "qwen2.5-coder": 3, "starcoder2": 3, "codellama": 1 + 4}


@pytest.fixture(scope="module")
def bpe() -> Tokenizer:
    return Tokenizer.from_file(str(tokenizer_path()))


@pytest.mark.parametrize("name", sorted(FIM_TEMPLATES))
def test_a_model_s_own_fim_tokens_are_not_taken_for_text(name: str, bpe: Tokenizer) -> None:
    markers = template_markers(FIM_TEMPLATES[name].text)
    assert not read_as_text(markers, AS_TOKENS[name])
    if name == "deepseek-coder":  # (the tokenizer at hand has them: measured, not assumed)
        probe = render_fim_template(FIM_TEMPLATES[name].text, "", "")
        assert len(bpe.encode(probe, add_special_tokens=False).ids) + 1 == AS_TOKENS[name]


@pytest.mark.parametrize("name", sorted(set(FIM_TEMPLATES) - {"deepseek-coder"}))
def test_another_family_s_markers_read_as_text_are_told(name: str, bpe: Tokenizer) -> None:
    """Qwen's, StarCoder's and CodeLlama's markers as the probe sends them, read as text by a
    128k BPE (no start-of-text token counted: the least a server would say)."""
    probe = render_fim_template(FIM_TEMPLATES[name].text, "", "")
    read = len(bpe.encode(probe, add_special_tokens=False).ids)
    print(f"{name}: {probe!r} read as {read} tokens of text")
    assert read_as_text(template_markers(FIM_TEMPLATES[name].text), read)


def test_deepseek_coder_s_markers_read_as_text_by_a_tokenizer_without_them(bpe: Tokenizer) -> None:
    """DeepSeek Coder's markers at a Qwen or StarCoder model: the same tokenizer with its
    special tokens' text split as any text's (the full-width bars and '▁' are several bytes)."""
    probe = render_fim_template(FIM_TEMPLATES["deepseek-coder"].text, "", "")
    read = sum(len(bpe.encode(part, add_special_tokens=False).ids) for part in re.findall(r"<|｜|[^<｜]+", probe))
    print(f"deepseek-coder as text: {read} tokens or more")
    assert read_as_text(template_markers(FIM_TEMPLATES["deepseek-coder"].text), read)
