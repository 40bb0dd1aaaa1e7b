"""A shell `case` arm's pattern alone on its line (`*)`, `-v|--verbose)`), the cursor at its end:
its commands come below, asked as a block (a line was asked, the model's commands on the next
line were cut to nothing and nothing was shown). The completion feature in-process against the
fake DeepSeek server."""

from __future__ import annotations

import pytest

from tests.completing import accept_first

TEXT = '#!/bin/sh\nfor ARG\ndo\n    case "$ARG" in\n    -*)\n        OPTIONS="$ARG"\n        ;;\n    *)‸\n    esac\ndone\n'


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (TEXT, '\n        FILES="$FILES $ARG"\n        ;;'),
        # The arms a level in from their `case`, and the `esac` not typed yet.
        (
            TEXT.replace("\n    -*)\n        OPTIONS=\"$ARG\"\n        ;;\n    *)", "\n        -*)\n            OPTIONS=\"$ARG\"\n            ;;\n        *)")
            .replace("    esac\n", ""),
            '\n            FILES="$FILES $ARG"\n            ;;\n    esac',
        ),
    ],
)
async def test_the_commands_of_an_arm_are_shown_at_its_pattern_s_end(fake_deepseek, text: str, answer: str) -> None:
    after, _ = await accept_first(fake_deepseek, "shellscript", "sh", text, answer)
    assert after == text.replace("‸", answer)
