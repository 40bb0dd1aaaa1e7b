"""Secrets the redactor still sent (round 19): a password and its confirmation in one
``printf`` or ``echo -e`` piped into ``smbpasswd -s`` or ``passwd --stdin``, curl's ``-u
name:X`` in a ``.curlrc`` or on a continuation line of a multi-line command, an ODBC password
with a ``{`` and a ``;`` inside its braces."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)

# -- twice, for a command that asks again -----------------------------------------------------------------

TWICE = [
    f"printf '%s\\n%s\\n' '{SECRET}' '{SECRET}' | smbpasswd -s -a deploy\n",
    f'printf "%s\\n%s" "{SECRET}" "{SECRET}" | sudo smbpasswd -a -s deploy\n',
    f"printf '%s\\n%s\\n' {SECRET} {SECRET} | passwd --stdin deploy\n",
    f"echo -e '{SECRET}\\n{SECRET}' | smbpasswd -s -a deploy\n",
    f'echo -e "{SECRET}\\n{SECRET}" | passwd --stdin deploy\n',
    f"echo -ne '{SECRET}\\n{SECRET}\\n' | smbpasswd -a -s deploy\n",
    f"printf '{SECRET}\\n{SECRET}\\n' | smbpasswd -s -a deploy\n",
]


@pytest.mark.parametrize("text", TWICE)
def test_both_copies_of_a_password_and_its_confirmation_are_redacted(text: str) -> None:
    """The first of printf's two arguments went out, and ``echo -e 'X\\nX'`` went whole (or
    as one ``[REDACTED]`` for both and the ``\\n`` between)."""
    assert_redacted(text)


@pytest.mark.parametrize("line", TWICE[::3])
def test_both_copies_are_not_in_a_completion_prompt(line: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


def test_variables_given_twice_stay() -> None:
    kept = (
        'printf \'%s\\n%s\\n\' "$PW" "$PW" | smbpasswd -s -a deploy\n'
        'echo -e "$PW\\n$PW" | passwd --stdin deploy\n'
        "printf '%s\\n%s\\n' one two | sort\n"
        "echo -e 'a\\nb' | sort\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- time -----------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "printf twice": repeated("printf '%s\\n%s\\n' a "),
    "printf twice piped": repeated("printf '%s\\n%s' a b |"),
    "echo flags": "echo" + repeated(" -ne"),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_lines_are_redacted_in_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
