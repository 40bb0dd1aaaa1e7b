"""A byte order mark (U+FEFF) first in a file, as an editor that keeps it sends the text: it is
no code, so it is not sent to the model (it came after the prompt's path line, or first in a
prompt's imports, where no file has one), and the suggestion goes where the cursor is, the
mark still counted in the positions the editor gave."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

BOM = "\ufeff"
FAR = "".join(f"def f{n}(x):\n    return x + {n}\n\n\n" for n in range(400))


@pytest.mark.parametrize(
    "text",
    [
        f"{BOM}import o‸\n",
        f"{BOM}import os\n\ndef f(x):\n    return x‸\n",
        # The window starts below the imports: they go on top of the prompt.
        f"{BOM}import os\n\n\n{FAR}def g(x):\n    return x‸\n",
        f"{BOM}‸",
    ],
    ids=["on-its-line", "below-it", "imports-above-the-window", "empty-file"],
)
async def test_a_byte_order_mark_is_not_sent_and_positions_stay(fake_deepseek, text: str) -> None:
    answer = "s" if "import o‸" in text else " + 1"
    got, body = await accept_first(fake_deepseek, "python", "py", text, answer)
    assert got == text.replace("‸", answer)
    assert body is not None
    assert BOM not in body["prompt"] and BOM not in body["suffix"]


async def test_a_mark_inside_the_file_is_its_text(fake_deepseek) -> None:
    """A U+FEFF elsewhere (a string's zero-width no-break space) is the code's: sent as it is."""
    text = f's = "{BOM}"\nt = ‸\n'
    got, body = await accept_first(fake_deepseek, "python", "py", text, "1")
    assert got == text.replace("‸", "1")
    assert body is not None and f'"{BOM}"' in body["prompt"]
