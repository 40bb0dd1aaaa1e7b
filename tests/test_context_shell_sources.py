"""A shell script's functions from the file it sources from its own folder: the real server
over stdio against the fake DeepSeek server. Found by a scripted Neovim session typing shell:
``. "$(dirname "$0")/lib.sh"`` (or ``${BASH_SOURCE%/*}``, ``${0%/*}``), the way scripts
source a file beside them whatever the working directory, was no path to the import lookup
(a ``$`` in it): below a call of its ``retry_command`` the prompt had nothing of lib.sh, where
with ``. ./lib.sh`` it had the function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek
from tests.harness import lsp_session, open_doc, server_env
from tests.test_workspace_symbols import prompt_at_end, write

LIB = (
    "#!/bin/bash\n"
    "retry_command() {\n"
    "\tlocal tries=$1\n"
    "\tshift\n"
    '\tuntil "$@"; do\n'
    "\t\ttries=$((tries - 1))\n"
    '\t\t[ "$tries" -gt 0 ] || return 1\n'
    "\tdone\n"
    "}\n"
)


@pytest.mark.parametrize(
    "line",
    [
        ". ./lib/retry.sh",
        '. "$(dirname "$0")/lib/retry.sh"',
        "source $(dirname $0)/lib/retry.sh",
        'source "$(dirname "${BASH_SOURCE[0]}")/lib/retry.sh"',
        'source "${BASH_SOURCE%/*}/lib/retry.sh"',
        '. "${0%/*}/lib/retry.sh"',
        'source "$(cd "$(dirname "$0")" && pwd)/lib/retry.sh"',
    ],
)
async def test_a_file_sourced_from_the_script_s_folder_is_in_the_prompt(tmp_path: Path, line: str) -> None:
    root = tmp_path / "ws"
    text = f'#!/bin/bash\n{line}\n\ndeploy() {{\n\techo "deploying $1"\n\tretry_command make "$1"\n\t'
    write(root, {"bin/lib/retry.sh": LIB, "bin/deploy.sh": text})
    with FakeDeepSeek() as fake:
        fake.script("exit 0")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "bin/deploy.sh").as_uri()
            open_doc(client, uri, text, "sh")
            await prompt_with(client, fake, uri, text, "retry_command() {")



async def prompt_with(client: Any, fake: FakeDeepSeek, uri: str, text: str, control: str) -> str:
    """The prompt at the end of ``text`` once it has ``control`` (a file's the script sources
    as well): on a loaded machine the first request's time box may cut the imports short, and a
    prompt without the file tested would prove nothing."""
    for _ in range(5):
        prompt = await prompt_at_end(client, fake, uri, text)
        if control in prompt:
            return prompt
    raise AssertionError(f"{control!r} never in the prompt: {prompt!r}")


@pytest.mark.parametrize(
    ("line", "where"),
    [
        # Out of the workspace: another project's, or the user's own, file.
        ('. "$(dirname "$0")/../../outside/retry.sh"', "outside/retry.sh"),
        ('source "${BASH_SOURCE%/*}/../../outside/retry.sh"', "outside/retry.sh"),
        # In it, but excluded by the default globs (secrets.*). (A .env file is in no language
        # whose definitions a prompt takes: it was not sent even where it could be read.)
        ('. "$(dirname "$0")/../secrets.sh"', "ws/secrets.sh"),
    ],
)
async def test_a_file_sourced_from_the_script_s_folder_outside_or_excluded_is_never_sent(
    tmp_path: Path, line: str, where: str
) -> None:
    """The script's folder and ``..`` lead anywhere: a file out of the workspace or excluded is
    not read for the prompt, as for any other import (imports/readable.py); the file sourced
    beside it is (the control)."""
    root = tmp_path / "ws"
    secret = LIB.replace("local tries=$1", "local token=sk-live-123456")
    control = LIB.replace("retry_command", "notify_team")
    text = (
        f'#!/bin/bash\n. "$(dirname "$0")/lib/notify.sh"\n{line}\n\ndeploy() {{\n'
        '\tnotify_team "deploying $1"\n\tretry_command make "$1"\n\t'
    )
    write(tmp_path, {where: secret})
    write(root, {"bin/deploy.sh": text, "bin/lib/notify.sh": control})
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "exit 0")
        env = server_env(fake.url, api_key=DEFAULT_KEY, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "cache": False}}
        async with lsp_session(env, settings=settings, root=str(root)) as client:
            uri = (root / "bin/deploy.sh").as_uri()
            open_doc(client, uri, text, "sh")
            prompt = await prompt_with(client, fake, uri, text, "notify_team() {")
    assert "sk-live-123456" not in prompt and "retry_command() {" not in prompt
