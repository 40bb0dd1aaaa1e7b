"""Secrets in forms redaction missed, checked where it matters: in every body the fake DeepSeek
received over a stdio session (the current file's window, a review of it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from deepseek_lsp.privacy import redact, split_at_secret
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env, type_and_ask

FIM = "/beta/completions"


@asynccontextmanager
async def session_on(
    tmp_path: Path, name: str, text: str, language: str = "python"
) -> AsyncIterator[tuple[Any, str, FakeDeepSeek]]:
    """A session on ``text`` open as ``name`` in a workspace of its own, with no debounce, the
    fake's FIM answering: the client, the document's URI and the fake."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / name).write_text(text)
    uri = (ws / name).as_uri()
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            open_doc(client, uri, text, language)
            yield client, uri, fake


async def fim_bodies(tmp_path: Path, name: str, text: str, language: str) -> list[str]:
    """The FIM bodies sent for one completion asked at the end of ``text``, open as ``name``."""
    async with session_on(tmp_path, name, text, language) as (client, uri, fake):
        lines = text.splitlines()
        result = await client.text_document_inline_completion_async(
            inline_params(uri, len(lines) - 1, len(lines[-1]), invoked=True)
        )
        assert result.items
    return [json.dumps(r.json, ensure_ascii=False) for r in fake.requests if r.json and r.path == FIM]


#: Unquoted values with a dot: Azure's client secrets (``~`` and ``.`` in each), a password with
#: a dot and a symbol, a generated key with dots.
DOTTED = {
    "azure": "Xy98Q~aB.cDeFgHiJkLmNoPqRsTuVwXyZ0123456",
    "symbol": "p4ss.w0rd!",
    "generated": "aB3cD4.eF5_gH6-iJ7kL8mN9oP0qR1sT2uV3",
}
DEPLOY = f"""#!/bin/sh
export AZURE_TENANT_ID=contoso.onmicrosoft.com
export AZURE_CLIENT_SECRET={DOTTED['azure']}
export DB_PASSWORD={DOTTED['symbol']}
export SIGNING_KEY={DOTTED['generated']}
export TLS_KEY=certs/server.key
export CACHE_TOKEN_HOST=cache.internal
./run.sh --tenant "$AZURE_TENANT_ID"
"""


async def test_an_unquoted_secret_with_a_dot_is_not_sent(tmp_path: Path) -> None:
    """Each went out as written: a dot made the value code (``settings.SECRET_KEY``), but an
    Azure client secret has one, and a ``~``. A file's path and a host stay."""
    fim = await fim_bodies(tmp_path, "deploy.sh", DEPLOY, "shellscript")
    assert fim
    for name, secret in DOTTED.items():
        assert not any(secret in body for body in fim), name
    assert all("TLS_KEY=certs/server.key" in body and "CACHE_TOKEN_HOST=cache.internal" in body for body in fim)


def test_a_dotted_name_in_a_secret_s_place_stays() -> None:
    """An attribute, a path, a version, a dotted name with digits: code or a place, no secret."""
    kept = (
        "secret_key = settings.SECRET_KEY\n"
        "token=self.token2.value\n"
        "SSH_KEY=~/.ssh/id.rsa\n"
        "API_KEY=config.v1.key\n"
        "password: 1.2.3\n"
        "const clientSecretNotEmpty = !!this.config.auth.clientSecret;\n"
        "const idTokenClaims = account?.idTokenClaims;\n"
    )
    assert redact(kept) == kept


#: Credential files of tools, each holding a secret no pattern knows by its line alone (Kaggle's
#: ``"key"``), or a token with the user's name and hosts around it.
CREDENTIAL_FILES = {
    ".kaggle/kaggle.json": '{"username": "jdoe", "key": "3f2a9c0d1e4b5a6978c1d2e3f4a5b6c7"}\n',
    ".config/gh/hosts.yml": "github.com:\n    user: jdoe-MARKER-GH\n    git_protocol: https\n",
    ".my.cnf": "[client]\nuser = dbadmin-MARKER-MYCNF\nhost = db.internal\n",
    ".cargo/credentials.toml": '[registries.corp]\nindex = "MARKER-CARGO"\n',
    ".dev.vars": "ACCOUNT_ID=MARKER-DEVVARS\n",
}
MAIN = 'from helpers import visible_helper\n\n\ndef main():\n    shown = visible_helper()\n    result = \n'


async def test_tools_credential_files_are_sent_as_no_context(tmp_path: Path) -> None:
    """Open in other tabs and just edited (recent edits are context), none of them is sent: Kaggle's
    API key went out whole, and the others' users and hosts with their tokens redacted."""
    ws = tmp_path / "ws"
    files = {**CREDENTIAL_FILES, "helpers.py": 'def visible_helper():\n    return "VISIBLE_MARKER"\n', "main.py": MAIN}
    for name, text in files.items():
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_text(text)
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "value_ok", path=FIM)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 2000}}
        async with lsp_session(env, settings=settings, root=str(ws)) as client:
            for name in [*CREDENTIAL_FILES, "helpers.py"]:
                uri = (ws / name).as_uri()
                open_doc(client, uri, files[name], "plaintext")
                insert(client, uri, 2, 0, 0, "# EDITED-MARKER\n" if name != ".kaggle/kaggle.json" else " ")
            main = (ws / "main.py").as_uri()
            open_doc(client, main, MAIN)
            result = await client.text_document_inline_completion_async(inline_params(main, 5, 13, invoked=True))
            assert result.items
    fim = [json.dumps(r.json, ensure_ascii=False) for r in fake.requests if r.json and r.path == FIM]
    assert fim and any("VISIBLE_MARKER" in body for body in fim)  # the control
    for body in fim:
        assert "3f2a9c0d" not in body and "MARKER-" not in body, body[:300]


#: GitLab's tokens besides the personal, deploy, runner, pipeline trigger and OAuth ones, and
#: Slack's client and cookie tokens, passed bare (no name that says secret next to them).
PREFIXED = {
    "gitlab-runner-registration": "GR1348941aBcDeFgHiJkLmNo12345",
    "gitlab-ci-job": "glcbt-64_aBcDeFgHiJkLmNo12345",
    "gitlab-feed": "glft-aBcDeFgHiJkLmNo12345",
    "gitlab-incoming-mail": "glimt-aBcDeFgHiJkLmNo12345xy",
    "gitlab-agent": "glagent-aBcDeFgHiJkLmNo12345xyzABCDEFGHIJKLMNOPQRSTUV",
    "gitlab-scim": "glsoat-aBcDeFgHiJkLmNo12345",
    "gitlab-runner-auth-routable": "glrtr-aBcDeFgHiJkLmNo12345",
    "gitlab-feature-flags": "glffct-aBcDeFgHiJkLmNo12345",
    "slack-client": "xoxc-1234567890-1234567890-aBcDeFgHiJk",
    "slack-cookie": "xoxd-aBcDeFgHiJkLmNoPqRsTuVwXyZ0123",
}


async def passed_bare(tmp_path: Path, call: str, tokens: dict[str, str]) -> list[str]:
    """The FIM bodies for a Python file passing each of ``tokens`` to ``call`` with its name, a
    line each; none holds any of them (their last 12 characters)."""
    text = "".join(f'{call}("{name}", "{token}")\n' for name, token in tokens.items()) + "done = "
    fim = await fim_bodies(tmp_path, "client.py", text, "python")
    assert fim
    for name, token in tokens.items():
        assert not any(token[-12:] in body for body in fim), name
    return fim


async def test_gitlab_and_slack_tokens_of_every_kind_are_not_sent(tmp_path: Path) -> None:
    fim = await passed_bare(tmp_path, "register", PREFIXED)
    assert all('register(\\"gitlab-feed\\", \\"[REDACTED]\\")' in body for body in fim)  # JSON's quotes


#: A password under the names ``pw`` and ``pswd`` are short for (Go's ``pw :=``, ``DB_PW=``).
SHORT_NAMED = {"go": "Xq7-Lp2-Zz9-Wm4", "env": "Hq4-Rt8-Yy1-Kc6", "camel": "Bv3-Nm5-Qq2-Jd8", "pswd": "Tz6-Ws1-Ee7-Gf3"}
SHORT_NAMES = f"""package main

func connect() {{
\tpw := "{SHORT_NAMED['go']}"
\tadminPw = "{SHORT_NAMED['camel']}"
\tpswd := "{SHORT_NAMED['pswd']}"
\t// DB_PW={SHORT_NAMED['env']}
\tdb := open(user, pw)
\tdb."""


async def test_a_password_under_a_short_name_is_not_sent(tmp_path: Path) -> None:
    fim = await fim_bodies(tmp_path, "main.go", SHORT_NAMES, "go")
    assert fim
    for name, secret in SHORT_NAMED.items():
        assert not any(secret in body for body in fim), name
    assert all("db := open(user, pw)" in body for body in fim)


def test_code_under_a_short_name_stays() -> None:
    kept = "pw = sync_playwright().start()\npw := getPassword()\nadminPw = pw\nwidth = pw * 2\n"
    assert redact(kept) == kept


async def test_a_key_pasted_in_two_pieces_is_sent_in_neither(tmp_path: Path) -> None:
    """The first piece (``sk-`` and 19 more of a DeepSeek key) matched no pattern yet, which wants
    the whole key: it went out at the cursor. The second piece makes the whole key, redacted."""
    key = "sk-3f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
    ws = tmp_path / "ws"
    ws.mkdir()
    text = 'from openai import OpenAI\n\nclient = OpenAI("")\n'
    (ws / "app.py").write_text(text)
    uri = (ws / "app.py").as_uri()
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: ", base_url=URL", path=FIM)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path / "state"))
        async with lsp_session(env, settings={"completion": {"debounce": 0, "prefetch": False}}, root=str(ws)) as client:
            open_doc(client, uri, text)
            await type_and_ask(client, uri, 2, len('client = OpenAI("'), [key[:22], key[22:]])
    fim = [json.dumps(r.json) for r in fake.requests if r.json and r.path == FIM]
    assert fim
    for body in fim:
        assert key[3:11] not in body and key[-8:] not in body, body[:400]


def test_a_name_shaped_like_a_key_s_start_stays_at_the_cursor() -> None:
    """Only a key's prefix with letters and digits after it is taken for a key being typed."""
    for window in ('ds = load("hf_dataset_v2', "const skin = sk-button", "npm_config_cache", "x = ghp_"):
        assert split_at_secret(window, "\n") == (window, "\n")
    assert split_at_secret('c = OpenAI("sk-3f9e8d7c', '6b5a")\n') == ('c = OpenAI("[REDACTED]', '")\n')


async def typed_fim_prompts(tmp_path: Path, name: str, text: str, line: int, at: int, pieces: list[str]) -> list[dict]:
    """The FIM requests' bodies made as ``pieces`` are typed at ``line``/``at`` of ``name``, one
    suggestion asked for after each."""
    async with session_on(tmp_path, name, text) as (client, uri, fake):
        await type_and_ask(client, uri, line, at, pieces)
    return [r.json for r in fake.requests if r.json and r.path == FIM]


async def test_a_key_typed_at_the_end_of_a_file_is_sent_in_no_piece(tmp_path: Path) -> None:
    """A new file's last line, no newline after it and no autopair's quote: with nothing after
    the cursor the key typed there in pieces was looked at by no rule, and went out."""
    key = "sk-3f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"
    text = 'curl https://example.invalid/v1 -H "Authorization: Bearer '
    bodies = await typed_fim_prompts(tmp_path, "call.sh", text, 0, len(text), [key[:14], key[14:22]])
    assert bodies
    for body in bodies:
        assert key[3:11] not in json.dumps(body), json.dumps(body)[-300:]


async def test_a_style_class_named_like_a_key_s_start_is_sent_as_typed(tmp_path: Path) -> None:
    """SpinKit's spinner classes (sk-circle1 ... sk-circle12, sk-cube1 ...) typed in a class
    attribute went out as [REDACTED], the model shown no class to go on from."""
    text = '<div class="sk-circle">\n  <div class="sk-circle1 sk-child"></div>\n  <div class="\n</div>\n'
    bodies = await typed_fim_prompts(tmp_path, "spinner.html", text, 2, len('  <div class="'), ["sk-circle2"])
    assert bodies
    for body in bodies:
        assert "[REDACTED]" not in json.dumps(body) and 'class=\\"sk-circle2' in json.dumps(body), json.dumps(body)[-400:]


def test_a_selector_s_class_named_like_a_key_s_start_stays_at_the_cursor() -> None:
    for window in (".sk-circle .sk-circle2", "<div className={'spinner sk-cube1", "<span class='sk-rect3"):
        assert split_at_secret(window, ":before {\n") == (window, ":before {\n")
    assert split_at_secret('<meta class="x" content="sk-3f9e8d7c', '">') == ('<meta class="x" content="[REDACTED]', '">')


#: Keys known by their vendor's prefix alone (the gitleaks and detect-secrets shapes), and
#: those with no prefix but a shape of their own (Discord's, Telegram's), passed bare.
def _chars(n: int) -> str:
    return ("Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv" * 3)[:n]


BARE = {
    "groq": "gsk_" + _chars(52),
    "xai": "xai-" + _chars(80),
    "replicate": "r8_" + _chars(37),
    "perplexity": "pplx-" + _chars(48),
    "nvidia": "nvapi-" + _chars(64),
    "notion": "ntn_" + "12345678901" + _chars(35),
    "langsmith": "lsv2_pt_" + "0123456789abcdef0123456789abcdef_0123456789",
    "linear": "lin_api_" + _chars(40),
    "docker": "dckr_pat_" + _chars(27),
    # Doppler's service token names its config (dev, prd): dp.st.prd. and the secret.
    "doppler-service": "dp.st.prd." + _chars(43),
    "discord-bot": "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
    "telegram-bot": "123456789:AA" + _chars(33),
}


async def test_vendors_keys_passed_bare_are_not_sent(tmp_path: Path) -> None:
    """Each went out as written: no name beside it said secret, no pattern knew its prefix."""
    fim = await passed_bare(tmp_path, "connect", BARE)
    assert all('connect(\\"groq\\", \\"[REDACTED]\\")' in body for body in fim)
    assert all('connect(\\"telegram-bot\\", \\"123456789:[REDACTED]\\")' in body for body in fim)


def test_names_like_a_vendor_s_key_stay() -> None:
    """Names, model names and attribute chains that start or look like one are code."""
    for code in (
        'client = Groq(model="llama-3.1-8b-instant")  # gsk_ keys from the console\n',
        'model = "pplx-7b-online"\nmodels = ["r8_model", "xai-sdk", "nvapi-client"]\n',
        "value = Object.getOwnPropertyDescriptor.someVeryLongPropertyNameHereXYZ\n",
        "NgModuleFactoryLoaderHelpers.config.resolveComponentFactoryResolverX\n",
        'tg = "chat:AAAA"\n',
    ):
        assert redact(code) == code


#: A passphrase, words with no digit, where a password's value is written.
PASSPHRASES = {
    "ini": ("[smtp]\nhost = mail.internal\npassword = correct horse battery staple\nport = 25\n", "horse battery"),
    "env": ("DB_HOST=db\nDB_PASSWORD=purple monkey dishwasher\nDB_PORT=5432\n", "monkey dishwasher"),
    "yaml": ("db:\n  host: db\n  password: tangerine walrus orbit\n  port: 5432\n", "walrus orbit"),
    "note": ("# wifi password:\n#   velvet lantern cascade\nssid = 'home'\n", "lantern cascade"),
    "run-together": ("# password:\ncorrecthorsebatterystaple\nssid = 'home'\n", "correcthorsebattery"),
    # A password manager's passphrase, its words capitalised; a comment after an INI value.
    "capitalised": ("[smtp]\npassword = Correct Horse Battery Staple\nport = 25\n", "Horse Battery"),
    "ini-comment": ("[wifi]\npassword = velvet lantern cascade  ; home\nssid = home\n", "lantern cascade"),
    "env-comment": ("WIFI_PASSWORD=velvet lantern cascade # home\nSSID=home\n", "lantern cascade"),
}


@pytest.mark.parametrize("name", PASSPHRASES)
async def test_a_passphrase_of_words_is_not_sent(tmp_path: Path, name: str) -> None:
    """An INI or .env line's first word went out as [REDACTED] and the rest as written; a YAML
    value or a note's line of words went out whole, taken for prose, and a word with no digit
    below a commented name (only one with a digit was taken for its value)."""
    text, words = PASSPHRASES[name]
    fim = await fim_bodies(tmp_path, "settings.txt", text + "x = ", "plaintext")
    assert fim
    assert not any(words in body for body in fim), name


def test_prose_after_a_password_s_name_stays() -> None:
    """Sentences, code and headings: a word among them no passphrase has."""
    for text in (
        "# password: must be at least eight characters\n",
        "# password: see the vault\n",
        "  password: the user's password\n",
        "# Password: Reset Password Link\n",
        "password = secret if x else y\n",
        "# password:\n# Returns the hashed password\n",
        "# password:\nreturn hashed value\n",
        "PASS: pass through mode\n",
        "  password: Mot de passe\n",  # a form's label, in a locale's YAML
        # nsswitch.conf's sources of the passwd database (every Linux system's /etc).
        "passwd:         files systemd\ngroup:          files systemd\n",
        "passwd:     sss files systemd\n",
        "passwd: files ldap\n",
    ):
        assert redact(text) == text


def test_a_vendor_s_key_typed_in_pieces_is_cut_at_the_cursor() -> None:
    """Known by its prefix while typed (a digit among it), as an OpenAI key is; a model's name
    after the same prefix stays."""
    assert split_at_secret('k = "gsk_aB3dE5', '"\n') == ('k = "[REDACTED]', '"\n')
    assert split_at_secret('x = "nvapi-Ab1Cd2', '"\n') == ('x = "[REDACTED]', '"\n')
    assert split_at_secret('model = "pplx-70b', '-online"\n') == ('model = "pplx-70b', '-online"\n')


async def test_names_after_a_vendor_s_prefix_typed_at_the_cursor_are_sent_as_typed(tmp_path: Path) -> None:
    """A numeric library's ``r8_uniform_01`` (the r8_ family of routines) and a model's id
    ``xai-grok-3`` typed went out as [REDACTED], the model shown no call to go on from: only
    what the vendor's key holds (Replicate's letters and digits, xAI's no ``-``) is a key's."""
    text = "def sample(seed):\n    v1 = \n"
    bodies = await typed_fim_prompts(tmp_path, "draw.py", text, 1, len("    v1 = "), ["r8_uniform_0", "1"])
    assert bodies
    for body in bodies:
        assert "[REDACTED]" not in json.dumps(body) and "v1 = r8_uniform_0" in body["prompt"], body["prompt"][-200:]


def test_a_vendor_s_prefix_before_a_name_stays_at_the_cursor() -> None:
    for window, suffix in (
        ('MODELS = [{id: "xai-grok-3', '", vendor: "xAI"}]\n'),
        ("      x = r8_log_10", " ( x )\n"),
        ("    r = r8_uniform_01", "\n"),
    ):
        assert split_at_secret(window, suffix) == (window, suffix)
    assert split_at_secret('t = "r8_CqKFF1Ux', '"\n') == ('t = "[REDACTED]', '"\n')
    assert split_at_secret('t = "xai-Ab1Cd2Ef', '"\n') == ('t = "[REDACTED]', '"\n')
