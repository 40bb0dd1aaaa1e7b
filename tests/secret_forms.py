"""What the tests of secrets written in particular forms share: a secret, and the two checks
each form gets (redacted alone, keeping the code around it; absent from a completion prompt)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from deepseek_lsp import privacy
from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.cpu_time import ThreadCpu

SECRET = "Sup3r-S3cret-77"


def _count(text: str) -> int:
    return len(text) // 3 + 1


def assert_redacted(text: str) -> None:
    """Only the secret goes: the code around it, which tells the model what the line is, stays."""
    out = redact(text, keep_lines=True)
    assert out == text.replace(SECRET, REDACTED), out
    assert privacy.has_trigger(text), "the quick path finds it"


def assert_not_in_prompts(text: str, mark: str, secret: str = SECRET) -> None:
    """Through a completion prompt (its window redacted around the lines known clean), the cursor
    at ``mark``, inside the secret, or just before it: neither half of it is sent."""
    doc = Document("file:///w/app.src", text)
    for cursor in (text.index(mark), text.index(secret) + 5, text.index(secret) - 1):
        fim = build_fim_prompt(doc, cursor, budget=2000, suffix_share=0.3, count=_count)
        sent = fim.prompt + fim.suffix
        assert secret[:5] not in sent and secret[5:] not in sent, (cursor, sent)


def assert_not_in_prompts_at_each(text: str, first: str, last: str, secret: str = SECRET) -> None:
    """As :func:`assert_not_in_prompts`, the cursor at each place from just before ``first``
    to the end of ``last`` (a secret's element, its end tag after blank lines)."""
    doc = Document("file:///w/app.src", text)
    start = text.index(first)
    for cursor in range(max(0, start - 1), text.index(last, start) + len(last) + 1):
        fim = build_fim_prompt(doc, cursor, budget=2000, suffix_share=0.3, count=_count)
        sent = fim.prompt + fim.suffix
        assert secret[:5] not in sent and secret[5:] not in sent, (cursor, sent)


def assert_none_sent_at_each(path: str, text: str, secrets: Sequence[str], budgets: Sequence[int] = (400, 24)) -> None:
    """No end (8 characters) of any of ``secrets`` in a completion prompt of ``text`` (a file
    named ``path``), the cursor at each place, a window and suffix of each budget (a small one
    starts the window, or ends the suffix, among the secrets)."""
    doc = Document(f"file:///w/app/{path}", text)
    for cursor in range(len(text) + 1):
        for budget in budgets:
            fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
            sent = fim.prompt + fim.suffix
            assert not [s for s in secrets if s[:8] in sent or s[-8:] in sent], (cursor, budget, sent)


#: The size of a pathological line: a quadratic pattern takes seconds over it, a linear one a
#: tenth of a second at most (every pattern runs over a line holding a trigger).
LINE_SIZE = 20_000


def repeated(unit: str) -> str:
    """``unit`` again and again, to :data:`LINE_SIZE`."""
    return unit * (LINE_SIZE // len(unit))


def assert_redacted_in_linear_time(name: str, text: str, *, split: bool = True) -> None:
    """Redacting a pathological text (quadratic patterns took seconds on such lines) stays well
    under half a second, whole and (``split``) as a window's text with the rest around it.

    The thread's CPU time is what is measured: a quadratic pattern costs seconds of it, while
    wall-clock time also counted the other processes of a busy machine (this check failed at
    random, for the code before a change too, under a load of 8)."""
    with ThreadCpu() as cpu:
        redact(text, keep_lines=True)
        if split:
            half = len(text) // 2
            redact(text[half:], before=text[:half], after=text)
    assert cpu.seconds < 0.5, f"{name}: {cpu.seconds:.2f} s of CPU"


def assert_only_secret_replaced(text: str, secret: str) -> None:
    """``text`` redacted is ``text`` with ``secret`` replaced, and nothing else."""
    assert redact(text) == text.replace(secret, REDACTED), text


async def assert_forms_not_sent(tmp_path: Path, forms: dict[str, str], secret: str, name: str = "notes.txt") -> None:
    """Every form in one file, a completion asked below them over stdio: no half of ``secret``
    in any FIM body the fake DeepSeek received."""
    from tests.test_security_secrets_sent_forms import fim_bodies

    fim = await fim_bodies(tmp_path, name, "".join(forms.values()) + "x = ", "plaintext")
    assert fim
    half = len(secret) // 2
    assert not any(secret[:half] in body or secret[half:] in body for body in fim)
