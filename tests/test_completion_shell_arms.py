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


#: A file whose arms end with their `;;` under their commands, a second `case` being written.
_ENDS = (
    '#!/bin/sh\ncase "$1" in\n    -v)\n        VERBOSE=1\n        ;;\n    -q)\n        QUIET=1\n        ;;\nesac\n'
    'case "$2" in\n    start)‸\nesac\n'
)


@pytest.mark.parametrize(
    ("text", "answer", "after"),
    [
        # The first arm of a case, its `;;` under its pattern: where every arm above puts it.
        (_ENDS, "\n        run\n    ;;", "\n        run\n        ;;"),
        (_ENDS, "\n        run\n        ;;", "\n        run\n        ;;"),
        # ... and the other way, in a file that puts it under the pattern.
        (_ENDS.replace("        ;;", "    ;;"), "\n        run\n        ;;", "\n        run\n    ;;"),
        # Control: a file of both styles keeps the model's.
        (_ENDS.replace("        ;;", "    ;;", 1), "\n        run\n    ;;", "\n        run\n    ;;"),
        (_ENDS.replace("        ;;", "    ;;", 1), "\n        run\n        ;;", "\n        run\n        ;;"),
    ],
)
async def test_a_case_s_first_arm_ends_as_the_file_s_arms_do(fake_deepseek, text: str, answer: str, after: str) -> None:
    got, _ = await accept_first(fake_deepseek, "shellscript", "sh", text, answer)
    assert got == text.replace("‸", after)


#: A case's first arm typed above the arms the case has already (no arm above it in the file).
_BELOW = '#!/bin/sh\ncase "$1" in\n    start)‸\n    stop)\n        halt\n        ;;\n    *)\n        usage\n        ;;\nesac\n'


@pytest.mark.parametrize(
    ("text", "answer", "after"),
    [
        # Its `;;` where the case's arms below put theirs (under their commands)...
        (_BELOW, "\n        run\n    ;;", "\n        run\n        ;;"),
        # ... or under their patterns.
        (_BELOW.replace("        ;;", "    ;;"), "\n        run\n        ;;", "\n        run\n    ;;"),
        # The case's arms below go before the file's arms above (a file of another style).
        (_ENDS.replace("start)‸\nesac", "start)‸\n    stop)\n        halt\n    ;;\nesac"),
         "\n        run\n        ;;", "\n        run\n    ;;"),
        # Control: the arms below mix both styles: the model's kept.
        (_BELOW.replace("        ;;", "    ;;", 1), "\n        run\n    ;;", "\n        run\n    ;;"),
        (_BELOW.replace("        ;;", "    ;;", 1), "\n        run\n        ;;", "\n        run\n        ;;"),
    ],
)
async def test_a_case_s_first_arm_ends_as_its_arms_below_do(fake_deepseek, text: str, answer: str, after: str) -> None:
    got, _ = await accept_first(fake_deepseek, "shellscript", "sh", text, answer)
    assert got == text.replace("‸", after)
