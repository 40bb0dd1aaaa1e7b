"""No secret ever leaves the machine, end to end over stdio against the fake DeepSeek.

* Excluded files (open in another tab, imported, edited recently) are never in any prompt the
  fake receives, neither completions' nor reviews' (with a non-excluded control file that is).
* Secret-looking strings in a document (a PEM private key block, an AWS key, a GitHub token, an
  ``Authorization: Bearer`` header, ``.env``-style ``DB_PASSWORD=...``) are redacted from FIM
  and chat prompts alike.
* A distinctive API key appears nowhere after a session with failures (401 whose body echoes
  the key, 500, a stall) and debug logging: not in the log file, window/logMessage,
  window/showMessage, deepseek/status, the usage SQLite file nor the review cache file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests import harness
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import (
    eventually,
    inline_params,
    insert,
    lsp_session,
    open_doc,
    server_env,
    settings_applied,
)
from tests.review_support import Rule, reviewer

FIM = "/beta/completions"
CHAT = "/chat/completions"


def bodies(fake: FakeDeepSeek, path: str | None = None) -> list[str]:
    return [json.dumps(r.json, ensure_ascii=False) for r in fake.requests if r.json and (path is None or r.path == path)]


def read(path: Path) -> str:
    return path.read_text()


def save(client: Any, uri: str) -> None:
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))


def reviews_done(client: Any) -> int:
    return sum(isinstance(r, types.WorkDoneProgressEnd) for rs in client.progress_reports.values() for r in rs)


# -- excluded files -----------------------------------------------------------------------------------

MAIN = """from .secrets import leak_source
from .helpers import visible_helper


def main(rows):
    token = leak_source()
    shown = visible_helper()
    if rows == None:
        return token
    result =\x20
"""


async def test_excluded_files_are_in_no_prompt_completion_or_review(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "config").mkdir(parents=True)
    files = {
        # Excluded by the default globs (**/secrets.*, **/.env, **/credentials.json).
        "secrets.py": 'def leak_source():\n    return "EXCLUDED_MARKER_SECRETS"\n',
        ".env": "API_TOKEN=EXCLUDED_MARKER_DOTENV\n",
        "config/credentials.json": '{"password": "EXCLUDED_MARKER_CREDS"}\n',
        # A control that is not excluded: its definition must show up, or the test proves nothing.
        "helpers.py": 'def visible_helper():\n    return "VISIBLE_MARKER_HELPERS"\n',
        "main.py": MAIN,
    }
    for name, text in files.items():
        (ws / name).write_text(text)
    uri = {name: (ws / name).as_uri() for name in files}
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.responder(reviewer([Rule("if rows == None:", "warning", "Use is None.")]), path=CHAT)
        env = server_env(fake.url, api_key="sk-test-0123456789", state_dir=str(tmp_path / "state"))
        fake.api_key = "sk-test-0123456789"
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "onSave"}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            # The excluded files are open in other tabs and were just edited (recent edits are
            # context too).
            for name in ("secrets.py", ".env", "config/credentials.json", "helpers.py"):
                lang = {"py": "python", "json": "json"}.get(name.rsplit(".", 1)[-1], "plaintext")
                open_doc(client, uri[name], files[name], lang)
            insert(client, uri["secrets.py"], 2, 1, 4, "# EXCLUDED_MARKER_EDIT\n    ")
            insert(client, uri[".env"], 2, 1, 0, "DB_URL=EXCLUDED_MARKER_DOTENV_EDIT\n")
            insert(client, uri["helpers.py"], 2, 1, 4, "# VISIBLE_MARKER_EDIT\n    ")
            open_doc(client, uri["main.py"], MAIN)
            line = MAIN.splitlines().index("    result = ")
            result = await client.text_document_inline_completion_async(inline_params(uri["main.py"], line, 13, invoked=True))
            assert result.items
            # A review of main.py (imported signatures come from the files on disk).
            save(client, uri["main.py"])
            assert await eventually(lambda: reviews_done(client) == 1, timeout=15)
            # The excluded files themselves: asking in them or saving them sends nothing.
            for name in ("secrets.py", ".env"):
                result = await client.text_document_inline_completion_async(inline_params(uri[name], 0, 3, invoked=True))
                assert not result.items
                save(client, uri[name])
            answer = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="deepseek.reviewFile", arguments=[uri["secrets.py"]])
            )
            assert "excluded" in answer["reason"]
            # Something after the saves, so that any review they started would have been sent.
            await client.text_document_inline_completion_async(inline_params(uri["main.py"], line, 13))

    fim, chat = bodies(fake, FIM), bodies(fake, CHAT)
    assert fim and len(chat) == 1
    everything = "\n".join(fim + chat)
    assert "EXCLUDED_MARKER" not in everything
    assert "secrets.py" not in everything and "credentials" not in everything and ".env" not in everything
    # The control: the same kinds of context from a non-excluded file did reach the prompts.
    assert any("VISIBLE_MARKER_HELPERS" in b for b in fim)
    assert any("VISIBLE_MARKER_EDIT" in b for b in fim)
    assert "def visible_helper():  # helpers.py" in chat[0]


async def test_a_file_excluded_mid_session_is_sent_no_more(tmp_path: Path) -> None:
    """Adding a glob to ``exclude`` while the user types takes effect at the next request: the
    definitions already chosen for the cursor's window (kept for the provider's prefix cache)
    are chosen again, without the newly excluded file (it was sent for up to 30 s more)."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "helpers.py").write_text('def visible_helper():\n    return "VISIBLE_MARKER_HELPERS"\n')
    main = "from .helpers import visible_helper\n\n\ndef main():\n    shown = visible_helper()\n    result = \n"
    (ws / "main.py").write_text(main)
    uri = (ws / "main.py").as_uri()
    line = main.splitlines().index("    result = ")
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        # A generous time box: on a loaded machine the 80 ms one ran out before the definitions.
        settings: dict[str, Any] = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 2000}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            open_doc(client, uri, main)
            for version, glob in ((2, None), (3, "**/helpers.py")):
                if glob:
                    client.set_configuration({"deepseek": {**settings, "exclude": [glob]}})
                    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
                    assert await eventually(lambda: any("helpers.py" in m.message for m in client.log_messages))
                insert(client, uri, version, line, 13 + version - 2, "x")
                before = len(fake.requests)
                result = await client.text_document_inline_completion_async(
                    inline_params(uri, line, 13 + version - 1, invoked=True)
                )
                assert result.items
                sent = [json.dumps(r.json) for r in fake.requests[before:] if r.path == FIM]
                assert sent and all(("VISIBLE_MARKER_HELPERS" in b) == (glob is None) for b in sent)


# -- secret-looking strings in a sent document ----------------------------------------------------

PEM_BODY = "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"
SECRETS = {
    "pem": PEM_BODY,
    "aws": "AKIAIOSFODNN7REALKEY",
    "github": "ghp_R3alL00kingT0kenABCDEFGHIJKLMNOPQRST",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0cGF5bG9hZA.S1gNatur3Value",
    "password": "hunter2-Very-Secret",
    "dotenv": "s3cr3t-Stripe-Value-99",
}
SECRET_DOC = f'''import requests

PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----
{PEM_BODY}
AAAAB3NzaC1yc2EAAAADAQABAAABAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3S
-----END RSA PRIVATE KEY-----"""


def fetch(rows):
    aws_key = "{SECRETS['aws']}"
    gh = "{SECRETS['github']}"
    headers = {{"Authorization": "Bearer {SECRETS['bearer']}"}}
    env_line = "DB_PASSWORD={SECRETS['password']}"
    if rows == None:
        return requests.get("https://example.invalid", headers=headers)
    return\x20
'''
DOTENV_STYLE = f"""# deployment settings
export DB_HOST=db.internal
export STRIPE_SECRET_KEY={SECRETS['dotenv']}
export DB_PASSWORD={SECRETS['password']}
"""


async def test_secret_looking_strings_are_redacted_from_fim_and_chat_prompts(tmp_path: Path) -> None:
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.responder(reviewer([Rule("if rows == None:", "warning", "Use is None.")]), path=CHAT)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key="sk-test-0123456789", state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False}, "review": {"mode": "onSave"}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/fetch.py"
            open_doc(client, uri, SECRET_DOC)
            line = SECRET_DOC.splitlines().index("    return ")
            result = await client.text_document_inline_completion_async(inline_params(uri, line, 11, invoked=True))
            assert result.items
            save(client, uri)
            assert await eventually(lambda: reviews_done(client) == 1, timeout=15)
            # A shell file of .env-style assignments (not excluded by name).
            sh = "file:///ws/deploy.sh"
            open_doc(client, sh, DOTENV_STYLE, "shellscript")
            result = await client.text_document_inline_completion_async(inline_params(sh, 4, 0, invoked=True))
    fim, chat = bodies(fake, FIM), bodies(fake, CHAT)
    assert fim and chat
    for name, value in SECRETS.items():
        for body in fim + chat:
            assert value not in body, (name, body[:200])
    assert all("[REDACTED]" in b for b in chat)
    assert any("[REDACTED]" in b and "fetch.py" in b for b in fim)
    assert any("STRIPE_SECRET_KEY=[REDACTED]" in b for b in fim)
    # The code around the secrets still reads naturally.
    assert "Bearer [REDACTED]" in chat[0] and "DB_PASSWORD=[REDACTED]" in chat[0]


# -- the API key ---------------------------------------------------------------------------------------

KEY = "dsk_LeakCanary_93f1c0ffee42d00d"  # shaped like no known key: only the server's own list hides it


@pytest.fixture
def debug_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "server.log"
    monkeypatch.setattr(harness, "SERVER", [*harness.SERVER, "--log-level", "debug", "--log-file", str(path)])
    return path


async def test_the_api_key_appears_nowhere(tmp_path: Path, debug_log: Path) -> None:
    state = tmp_path / "state"
    with FakeDeepSeek(api_key=KEY) as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.responder(reviewer([Rule("if rows == None:", "warning", "Use is None.")]), path=CHAT)
        env = server_env(fake.url, api_key=KEY, state_dir=str(state))
        settings: dict[str, Any] = {
            "completion": {"debounce": 0, "prefetch": False, "timeoutS": 30},
            "review": {"mode": "onSave", "maxRetries": 1, "timeoutS": 30},
            "logLevel": "debug",
            "apiKey": KEY,  # through workspace/configuration as well as the environment
        }
        async with lsp_session(env, settings=settings, init_options={"apiKey": KEY, "logLevel": "debug"}) as client:

            async def completion_deadline(seconds: float) -> None:
                settings["completion"]["timeoutS"] = seconds
                pulled = client.pulled  # type: ignore[attr-defined]
                client.set_configuration({"deepseek": settings})
                client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
                assert await eventually(lambda: client.pulled > pulled, timeout=30)  # type: ignore[attr-defined]
                await settings_applied(client, pulls=client.pulled)  # type: ignore[attr-defined]

            uri = "file:///ws/f.py"
            open_doc(client, uri, "def f(rows):\n    if rows == None:\n        return 1\n    x = \n")
            # A success, then failures: a server error, a stall past the deadline, and a 401 whose
            # body echoes the key (servers do that). The deadline is 1 s for the stall alone: for
            # all, at load 25 an answer meant to come (the success, the 500, the 401) missed it.
            ok = await client.text_document_inline_completion_async(inline_params(uri, 3, 8, invoked=True))
            assert ok.items
            for n, (fault, params) in enumerate((("status", {"status": 500}), ("stall", {"seconds": 3}))):
                if fault == "stall":
                    await completion_deadline(1.0)
                fake.fault(fault, count=1, path=FIM, **params)
                insert(client, uri, 2 + n, 3, 8 + n, "y")
                await client.text_document_inline_completion_async(inline_params(uri, 3, 9 + n))
            assert any("stall" in r.faults for r in fake.requests_to(FIM))
            await completion_deadline(30)
            fake.fault("status", count=2, path=CHAT, status=500)
            save(client, uri)
            assert await eventually(lambda: reviews_done(client) == 1, timeout=15)
            fake.fault("status", count=None, path=FIM, status=401, message=f"Authentication Fails, your api key: {KEY} is invalid")
            insert(client, uri, 4, 3, 10, "z")
            await client.text_document_inline_completion_async(inline_params(uri, 3, 11, invoked=True))
            assert await eventually(lambda: any(s["kind"] == "Error" for s in client.statuses)), (client.statuses, [(r.path, r.status, r.faults) for r in fake.requests])
            usage = await client.protocol.send_request_async("deepseek/usage", {})
            debug_state = await client.protocol.send_request_async("deepseek/debugState", {})
            shown = [m.message for m in client.messages]
            logged = [m.message for m in client.log_messages]
            statuses = list(client.statuses)
    # Something of each kind was produced, or the checks below would prove nothing.
    log_text = read(debug_log)
    assert "DEBUG" in log_text and "500" in log_text
    assert logged and any("401" in s["message"] for s in statuses)
    assert any("401" in m for m in shown)
    files = [p for p in state.iterdir() if p.is_file()]
    assert any(p.name.startswith("usage.sqlite3") for p in files)
    assert any(p.name.startswith("review-cache.sqlite") for p in files)
    places: dict[str, bytes] = {
        "log file": log_text.encode(),
        "window/logMessage": "\n".join(logged).encode(),
        "window/showMessage": "\n".join(shown).encode(),
        "deepseek/status": json.dumps(statuses).encode(),
        "deepseek/usage": repr(usage).encode(),
        "deepseek/debugState": repr(debug_state).encode(),
    }
    for p in files:  # the SQLite files with their -wal and -shm companions
        places[p.name] = p.read_bytes()
    for where, data in places.items():
        assert KEY.encode() not in data, where
        assert KEY[4:20].encode() not in data, where  # nor a recognisable part of it
    # The requests did carry the key (the fake checked it), so it was in use all along.
    assert any(r.authorized and r.status == 200 for r in fake.requests)


def test_a_prompt_window_starting_inside_a_key_block_sends_none_of_it() -> None:
    """The cursor window may begin in the middle of a key block (its BEGIN line cut off)."""
    from deepseek_lsp.documents import Document
    from deepseek_lsp.languages import LanguageRegistry
    from deepseek_lsp.prompts import build_fim_prompt

    body = [f"{i:02d}" + PEM_BODY[:62] for i in range(60)]
    text = 'KEY = """-----BEGIN EC PRIVATE KEY-----\n' + "\n".join(body) + '\n-----END EC PRIVATE KEY-----"""\nx = '
    lang = LanguageRegistry.load().get("python")
    doc = Document("file:///ws/k.py", text, language=lang)
    for budget in (64, 200, 600, 2000):
        fim = build_fim_prompt(doc, len(text), budget=budget, suffix_share=0.25, count=lambda s: len(s) // 4,
                               path="k.py", redact_secrets=True)
        assert fim.window_start > 0 or budget == 2000  # the window did start inside the block
        assert not any(line[:20] in fim.prompt for line in body), budget


async def _prompts_after_a_recent_edit(tmp_path: Path, name: str, text: str, line: int, edit: str) -> list[str]:
    """The FIM bodies the fake receives for a completion in main.py once ``edit`` is typed at
    ``line`` of ``name`` (holding ``text``): a recent edit, sent with the lines around it."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / name).write_text(text)
    (ws / "main.py").write_text(MAIN)
    uri = {n: (ws / n).as_uri() for n in (name, "main.py")}
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        env = server_env(fake.url, api_key="sk-test-0123456789", state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            open_doc(client, uri[name], text)
            insert(client, uri[name], 2, line, 0, edit)
            open_doc(client, uri["main.py"], MAIN)
            row = MAIN.splitlines().index("    result = ")
            await client.text_document_inline_completion_async(inline_params(uri["main.py"], row, 13, invoked=True))
    return bodies(fake, FIM)


async def test_a_recent_edit_starting_at_a_secrets_value_sends_no_value(tmp_path: Path) -> None:
    """A recent edit is sent with the lines around it: where they start at a value whose name
    is on the line above, outside them (``DB_PASSWORD = (`` then the value), the value went out
    as written, nothing in the snippet naming it a password."""
    settings_py = 'import os\nDEBUG = False\nDB_PASSWORD = (\n    "hunter2-Sup3r-S3cret"\n)\na = 1\nb = 2\nc = 3\nd = 4\n'
    # Four lines below the value: the edit's lines start at the value, its name above.
    fim = await _prompts_after_a_recent_edit(tmp_path, "settings.py", settings_py, 7, "EDIT_MARKER = 0\n")
    # The control: the edit's lines did go in the prompt, the value's line with them.
    assert any("EDIT_MARKER" in b and "#     " in b for b in fim), fim
    assert not any("hunter2-Sup3r" in b for b in fim), fim


async def test_a_recent_edit_starting_inside_a_yaml_secrets_block_sends_none_of_it(tmp_path: Path) -> None:
    """A ``password: |`` block whose value is wrapped over lines (a long token, a key's base64
    as a secret store writes it): only its first line was redacted, and a recent edit whose
    lines start at the second line sent it as written (one of two lines -> none)."""
    config = "db:\n  host: x\n  password: |\n    hunter2Sup3rLine1aaaa\n    S3cretLineTwoXxyyzz\n  port: 5\na: 1\nb: 2\nc: 3\nd: 4\ne: 5\n"
    # Four lines below the value's second line: the edit's lines start there.
    fim = await _prompts_after_a_recent_edit(tmp_path, "config.yaml", config, 8, "EDIT_MARKER: 0\n")
    # The control: the edit's lines did go in the prompt, the entry after the block with them.
    assert any("EDIT_MARKER" in b and "#   port: 5" in b for b in fim), fim
    assert not any("S3cretLineTwo" in b or "hunter2Sup3r" in b for b in fim), fim
