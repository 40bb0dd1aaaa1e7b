"""More ways a secret could leave the machine (an audit of every path out): a secret typed or
pasted at the cursor, credentials in URLs without a user name, HTTP Basic credentials, the
default exclusions, and the SARIF report's code snippets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_lsp import privacy
from deepseek_lsp.config import DEFAULT_EXCLUDE
from deepseek_lsp.context import Snippet
from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, insert, lsp_session, open_doc, server_env

FIM = "/beta/completions"


def _count(text: str) -> int:
    return len(text) // 3 + 1


# -- a secret at the cursor ---------------------------------------------------------------------------


async def test_a_secret_pasted_between_auto_closed_quotes_is_not_sent(tmp_path: Path) -> None:
    """Editors close a quote as it is typed: ``password = "|"``. The user pastes the secret
    between the quotes and the suggestion is asked for right there, the closing quote after
    the cursor. The prompt ends inside the string, where no closing quote follows the value:
    the secret went out whole."""
    secret = "hunter2-Very-Secret-77"
    text = 'import db\n\n\ndef connect():\n    return db.connect(user="app", password="")\n'
    line, col = 4, len('    return db.connect(user="app", password="')
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: ", timeout=5", path=FIM)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False, "contextTimeoutMs": 2000}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/conn.py"
            open_doc(client, uri, text)
            insert(client, uri, 2, line, col, secret)
            await client.text_document_inline_completion_async(inline_params(uri, line, col + len(secret)))
    sent = [json.dumps(r.json) for r in fake.requests if r.path == FIM and r.json]
    assert sent, "a completion was asked for"
    assert all(secret not in body and secret[:12] not in body for body in sent)
    assert any('password=\\"[REDACTED]' in body for body in sent)


@pytest.mark.parametrize(
    ("prefix", "secret"),
    [
        ('conn = connect(password="', "hunter2hunter2"),
        ("SECRET_KEY = '", "django-insecure-abc123def456"),
        ('config = {"api_key": "', "k3y-0123456789abcdef"),
    ],
)
def test_a_secret_value_ending_at_the_cursor_is_redacted(prefix: str, secret: str) -> None:
    text = prefix + secret + '")\nnext_line = 1\n'
    doc = Document("file:///w/a.py", text)
    fim = build_fim_prompt(doc, len(prefix + secret), budget=2000, suffix_share=0.1, count=_count)
    assert secret not in fim.prompt and fim.prompt.endswith(prefix + REDACTED)

@pytest.mark.parametrize(
    ("text", "cursor_after", "secret"),
    [
        ('db.connect(password="hunter2-Very-Secret-77")\n', "hunter2-Very", "hunter2-Very-Secret-77"),
        ('PASSWORD = """\nhunter2-Very-Secret-77\n"""\n', "hunter2-Very", "hunter2-Very-Secret-77"),
        # Neither half of a key is one: each went out as it was.
        (f"boto3.client('s3', aws_access_key_id='AKIA{'Q' * 16}')\n", "AKIAQQQQ", "AKIA" + "Q" * 16),
        (f"client = Github('ghp_{'a1B2' * 9}')\n", "ghp_a1B2a1", "ghp_" + "a1B2" * 9),
    ],
)
def test_a_secret_the_cursor_is_inside_of_is_sent_in_neither_half(text: str, cursor_after: str, secret: str) -> None:
    """Editing a secret puts the cursor inside it: the part after the cursor went out with the
    suffix, and a token cut in two matched no pattern on either side."""
    cursor = text.index(cursor_after) + len(cursor_after)
    doc = Document("file:///w/a.py", "import os\n\n" + text + "\nprint(1)\n")
    fim = build_fim_prompt(doc, cursor + len("import os\n\n"), budget=2000, suffix_share=0.3, count=_count)
    sent = fim.prompt + "\n" + fim.suffix
    assert all(part not in sent for part in (secret[:8], secret[-8:])), (fim.prompt, fim.suffix)
    assert fim.prompt.endswith(REDACTED) and fim.suffix.endswith("\nprint(1)\n")


def test_an_unfinished_string_that_names_no_secret_stays() -> None:
    for text in ('greeting = "hello wor', 'password_prompt = input("Enter your pass', 'token_url = "https://example.com/oau'):
        assert redact(text) == text


# -- formats that went out as they were ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret", "shown"),
    [
        # A password without a user name: Redis' usual form, and Celery's broker URL.
        ('cache = redis.from_url("redis://:S3cretRedisPass@cache:6379/0")\n', "S3cretRedisPass", f"://:{REDACTED}@"),
        ('BROKER_URL = "amqp://:Rabb1tPassw0rd@mq:5672//"\n', "Rabb1tPassw0rd", f"://:{REDACTED}@"),
        # An ``@`` written unescaped in the password: drivers split at the last ``@``.
        ('MONGO = "mongodb+srv://admin:p@ssw0rd99@cluster0.example.net/app"\n', "ssw0rd99", f":{REDACTED}@"),
        ("DATABASE_URL=postgres://app:Sup3r@Secr3t@db:5432/app\n", "Secr3t", f":{REDACTED}@"),
    ],
)
def test_a_password_in_a_url_is_redacted_whatever_its_user_name_and_at_signs(text: str, secret: str, shown: str) -> None:
    out = redact(text)
    assert secret not in out and shown in out, out


def test_at_signs_after_a_url_with_a_password_stay() -> None:
    text = (
        'url = "https://bot:Tok3nValue@api.example.com/v1?notify=ops@example.com" + "team@example.com"\n'
        "see https://example.com/docs:intro and mail me@example.org\n"
    )
    out = redact(text)
    assert "Tok3nValue" not in out
    assert f"https://bot:{REDACTED}@api.example.com/v1?notify=ops@example.com" in out, out
    assert text.splitlines()[1] in out


@pytest.mark.parametrize(
    "text",
    [
        'key = paramiko.RSAKey.from_private_key_file(path, passphrase="correct horse battery")\n',
        "SSH_KEY_PASSPHRASE=correct-horse-battery\n",
        "ssl:\n  key_passphrase: correct-horse-battery\n",
    ],
)
def test_a_key_passphrase_is_redacted(text: str) -> None:
    out = redact(text)
    assert "correct" not in out and REDACTED in out, out


def test_code_that_only_asks_for_a_passphrase_stays() -> None:
    text = "passphrase = getpass.getpass()\nkey.decrypt(passphrase=passphrase)\n"
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        'headers = {"Authorization": "Basic dXNlcjpodW50ZXIyaHVudGVyMg=="}\n',
        "curl -H 'Authorization: Basic YWRtaW46UzNjcmV0UGFzczk5' https://api.example.com\n",
        'req.Header.Set("Authorization", "Basic ZGVwbG95OnRvcHNlY3JldDEyMw==")\n',
    ],
)
def test_http_basic_credentials_are_redacted(text: str) -> None:
    """``Basic`` credentials are ``user:password`` in base64: anyone decodes them."""
    out = redact(text)
    assert f"Basic {REDACTED}" in out, out
    assert "dXNlcj" not in out and "YWRtaW4" not in out and "ZGVwbG95" not in out


def test_the_word_basic_in_ordinary_code_and_prose_stays() -> None:
    text = (
        "# Basic authentication is configured below\n"
        "logging.basicConfig(level=logging.INFO)\n"
        'auth_type = "Basic"\n'
        "class BasicAuthentication(Base):\n"
        "    '''Basic usage: call configure() before anything else.'''\n"
    )
    assert redact(text) == text


# -- default exclusions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/home/u/proj/.envrc",  # direnv: ``export AWS_SECRET_ACCESS_KEY=...``
        "/home/u/proj/infra/terraform.tfvars",
        "/home/u/proj/infra/prod.auto.tfvars",
        "/home/u/proj/infra/terraform.tfstate",  # holds every resource's secrets in clear
        "/home/u/proj/infra/terraform.tfstate.backup",
        "/home/u/proj/.kube/config",
        "/home/u/proj/deploy/kubeconfig",
        "/home/u/proj/deploy/staging.kubeconfig",
        "/home/u/proj/keys/deploy.ppk",  # PuTTY private key
        "/home/u/proj/android/release.jks",
        "/home/u/proj/android/release.keystore",
        "/home/u/proj/.pgpass",
        "/home/u/proj/_netrc",  # .netrc as Windows names it
        "/home/u/proj/.git-credentials",
        "/home/u/proj/.htpasswd",
        "/home/u/.vault-token",  # the Vault CLI's login token
        "/home/u/proj/infra/prod.auto.tfvars.json",  # Terraform reads variables as JSON too
        "/home/u/.docker/config.json",  # registry logins, user:password in base64
        "/home/u/proj/deploy/service-account.json",  # a Google Cloud key: private_key and all
        "/home/u/proj/service-account-key.json",
        "/home/u/.kaggle/kaggle.json",  # Kaggle's API key, a bare "key"
        "/home/u/.config/gh/hosts.yml",
        "/home/u/.cargo/credentials.toml",
        "/home/u/.my.cnf",
        "/home/u/.s3cfg",
        "/home/u/.boto",
        "/home/u/.dockercfg",
        "/home/u/.cache/huggingface/token",
        "/home/u/proj/worker/.dev.vars",
        "/home/u/proj/func/local.settings.json",
        "/home/u/.config/rclone/rclone.conf",
        "/home/u/.terraformrc",
        "/home/u/Downloads/cookies.txt",  # a browser's cookies for curl, wget or yt-dlp: its logins
        "/home/u/proj/playwright/.auth/user.json",  # Playwright's storageState: a logged-in session
    ],
)
def test_files_of_well_known_secrets_are_excluded_by_default(path: str) -> None:
    assert privacy.is_excluded(path, DEFAULT_EXCLUDE), path
    assert privacy.is_excluded(Path(path).as_uri(), DEFAULT_EXCLUDE), path


def test_the_default_exclusions_leave_ordinary_files() -> None:
    ordinary = ("/p/main.tf", "/p/variables.tf", "/p/envrc.py", "/p/keystore.py", "/p/kube/deploy.yaml", "/p/netrc.py")
    for path in (*ordinary, "/p/config.json", "/p/docker/config.json", "/p/service_account.py", "/p/gh/hosts.py", "/p/settings.json", "/p/cookies.py", "/p/playwright/auth.spec.ts"):
        assert not privacy.is_excluded(path, DEFAULT_EXCLUDE), path


# -- reports ------------------------------------------------------------------------------------------


def test_a_sarif_report_quotes_no_secret_the_model_was_not_shown(tmp_path: Path) -> None:
    """A reviewer flags a hard-coded password, quoting it as it was shown the line:
    ``DB_PASSWORD = "[REDACTED]"``. The finding is placed on the real line, and the SARIF
    result's snippet (uploaded to code scanning, kept as a CI artifact) was cut from the file:
    the secret itself, which the prompt had hidden."""
    from deepseek_lsp.languages import LanguageRegistry
    from deepseek_lsp.review.answer import RawFinding
    from deepseek_lsp.review.findings import place_findings
    from deepseek_lsp.review.placing import Placer
    from deepseek_lsp.review.report import FileResult, to_json, to_text
    from deepseek_lsp.review.sarif import to_sarif

    secret = "hunter2-Very-Secret-77"
    text = f'import db\n\nDB_PASSWORD = "{secret}"\nconn = db.connect(password=DB_PASSWORD)\n'
    path = tmp_path / "settings.py"
    doc = Document(path.as_uri(), text, language=LanguageRegistry.load().get("python"))
    raw = RawFinding("critical", f'DB_PASSWORD = "{REDACTED}"', "Hard-coded password.", None, 0.9, 3)
    findings, _ = place_findings(Placer(doc), [(raw, (), "module level", "module")], min_confidence=0.5, min_severity="info")
    assert findings and doc.line_at(findings[0].start) == 2  # placed on the real line
    result = FileResult(str(path), doc, findings, units=1, units_asked=1)
    sarif = json.dumps(to_sarif([result], root=tmp_path))
    assert secret not in sarif
    assert f'DB_PASSWORD = \\"{REDACTED}\\"' in sarif  # the snippet still says what the line is
    assert secret not in to_json([result]) and secret not in to_text([result])


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


PEM_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n"
PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    "text",
    [
        # A Kubernetes TLS secret, and a kubeconfig: private keys as base64 of their PEM text.
        f"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {_b64(PEM_CERT)}\n  tls.key: {_b64(PEM_KEY)}\n",
        f"users:\n- name: admin\n  user:\n    client-certificate-data: {_b64(PEM_CERT)}\n    client-key-data: {_b64(PEM_KEY)}\n",
        f'SIGNING_KEY_B64 = "{_b64(PEM_KEY)}"\n',
    ],
)
def test_a_private_key_in_base64_is_redacted_and_a_certificate_stays(text: str) -> None:
    out = redact(text)
    assert _b64(PEM_KEY)[:40] not in out, out
    assert REDACTED in out
    assert _b64(PEM_CERT) in out or _b64(PEM_CERT) not in text  # a certificate is public


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('RUN echo "machine github.com login ci-bot password gh0Secret1234567" > /root/.netrc\n', "gh0Secret1234567"),
        ("printf 'machine api.heroku.com\\n  login me@example.com\\n  password 01234567-89ab-cdef' > ~/.netrc\n", "01234567-89ab-cdef"),
    ],
)
def test_netrc_lines_written_by_scripts_are_redacted(text: str, secret: str) -> None:
    """The .netrc file is excluded; the same lines written by a Dockerfile or a CI script were
    sent as they were."""
    out = redact(text)
    assert secret not in out and f"password {REDACTED}" in out, out


def test_prose_about_passwords_stays() -> None:
    text = (
        "# Password reset links are sent by email\n"
        "print('login failed: password incorrect')\n"
        "Login with your password below.\n"
    )
    assert redact(text) == text


# -- multi-line and interpolated literals -----------------------------------------------------------

LONG_SECRET = "hunter2-Very-Secret-77"


@pytest.mark.parametrize(
    "text",
    [
        f'password = """\n{LONG_SECRET}\n"""\nconnect(password)\n',
        f"    DB_PASSWORD: str = r'''\n        {LONG_SECRET}\n    '''\n",
        f"const apiKey = `\n  {LONG_SECRET}\n`;\n",
        f'password = (\n    """\n    {LONG_SECRET}\n    """\n)\n',
        f"const apiKey =\n  `\n  {LONG_SECRET}\n  `;\n",
        f"db:\n  password: |\n    {LONG_SECRET}\n  user: app\n",
        f"smtp:\n  pass: >-  # the app password\n\n    {LONG_SECRET}\n",
    ],
)
def test_a_secret_alone_on_the_lines_of_a_multi_line_string_is_redacted(text: str) -> None:
    """Written on the line after ``password = \"\"\"`` (or a template's backtick), the secret
    went out whole: the patterns looked for it on the name's line only."""
    out = redact(text, keep_lines=True)
    assert LONG_SECRET not in out and REDACTED in out, out
    before, after = text.split(LONG_SECRET)
    assert out == before + REDACTED + after, "the quotes and every line break stay where they were"


@pytest.mark.parametrize(
    "text",
    [
        f"db:\n  password: |\n    {LONG_SECRET}\n    {LONG_SECRET[::-1]}\n  user: app\n",
        f"ssh:\n  secret: >-\n    {LONG_SECRET}\n    {LONG_SECRET[::-1]}\n    {LONG_SECRET[:12]}\n",
    ],
)
def test_a_yaml_secrets_block_wrapped_over_lines_is_redacted_whole(text: str) -> None:
    """A block scalar's value one word a line (a token wrapped as a secret store writes it):
    its first line was redacted, the rest went out as written."""
    out = redact(text, keep_lines=True)
    assert LONG_SECRET[::-1] not in out and LONG_SECRET[:12] not in out, out
    assert out.count("\n") == text.count("\n"), "every line break stays"
    assert out.startswith(text[: text.index(LONG_SECRET)] + REDACTED), out
    assert "user: app" in out or "user" not in text, "the entry after the block stays"


def test_a_yaml_secrets_block_of_text_keeps_its_lines() -> None:
    """A script or a policy under a secret's name is no secret: its lines of words stay."""
    text = "secret: |\n  echo hello world\n  make test now\n"
    assert redact(text) == text


def test_a_secret_in_a_triple_quoted_string_is_not_sent_with_the_cursor_below_it() -> None:
    text = f'import db\n\nPASSWORD = """\n{LONG_SECRET}\n"""\n'
    cursor = text.index('"""\n', text.index(LONG_SECRET))  # on the closing quotes' line
    doc = Document("file:///w/settings.py", text)
    fim = build_fim_prompt(doc, cursor, budget=2000, suffix_share=0.1, count=_count)
    assert LONG_SECRET not in fim.prompt + fim.suffix
    assert fim.prompt.endswith(f'PASSWORD = """\n{REDACTED}\n')


@pytest.mark.parametrize(
    "text",
    [
        f'DB_PASSWORD = (\n    "{LONG_SECRET}"\n)\n',
        f'password = \\\n    "{LONG_SECRET}"\n',
        f"const apiKey =\n  ('{LONG_SECRET}');\n",
    ],
)
def test_a_secret_on_the_line_below_its_name_in_brackets_is_redacted(text: str) -> None:
    """Black wraps a long string in brackets on the next lines; it went out whole."""
    out = redact(text, keep_lines=True)
    assert out == text.replace(LONG_SECRET, REDACTED)


@pytest.mark.parametrize(
    "text",
    [
        f'PASSWORD = (\n    "{LONG_SECRET[:9]}"\n    "{LONG_SECRET[9:18]}"\n    "{LONG_SECRET[18:]}"\n)\n',
        f'token = "{LONG_SECRET[:9]}" "{LONG_SECRET[9:]}"\n',
        f'API_KEY = "{LONG_SECRET[:9]}" \\\n    "{LONG_SECRET[9:]}"\n',
        f'static const char *api_key = "{LONG_SECRET[:9]}"\n    "{LONG_SECRET[9:]}";\n',
        f"api_key = ('{LONG_SECRET[:9]}'\n           '{LONG_SECRET[9:]}')\n",
    ],
)
def test_a_secret_written_as_adjacent_literals_is_redacted_whole(text: str) -> None:
    """Implicit concatenation (a long secret wrapped by a formatter, C's adjacent literals):
    the first part was redacted, the others went out."""
    out = redact(text, keep_lines=True)
    assert REDACTED in out and not any(part in out for part in (LONG_SECRET[9:18], LONG_SECRET[18:])), out
    assert out.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    "text",
    [
        f'docker login -p "{LONG_SECRET}" "registry.example.com"\n',
        f'curl -u "deploy:{LONG_SECRET}" "https://api.example.com/v1/items"\n',
        f"sshpass -p '{LONG_SECRET}' 'ssh' 'deploy@db.example.com'\n",
    ],
)
def test_a_commands_arguments_after_a_redacted_password_stay(text: str) -> None:
    """A shell's quoted arguments are words apart, not one literal in parts: the registry, the
    URL, the command after the password went out as ``[REDACTED]``."""
    assert redact(text, keep_lines=True) == text.replace(LONG_SECRET, REDACTED)


@pytest.mark.parametrize(
    "text",
    [
        f'docker login --password="{LONG_SECRET}" "registry.example.com"\n',
        f"mysql --user=app --password='{LONG_SECRET}' 'appdb'\n",
        f'az login --service-principal --password="{LONG_SECRET}" "--tenant" "contoso.onmicrosoft.com"\n',
        f'subprocess.run("psql --token=\'{LONG_SECRET}\' \'prod\'", shell=True)\n',
    ],
)
def test_the_next_argument_after_a_flag_s_quoted_value_stays(text: str) -> None:
    """``--password="X" "registry"``: the ``=`` form of a flag, its value quoted, then the
    command's next argument: that argument went out as ``[REDACTED]`` too, and the model saw a
    command with its registry or database gone."""
    assert redact(text, keep_lines=True) == text.replace(LONG_SECRET, REDACTED)


def test_literals_next_to_a_redacted_one_but_not_part_of_it_stay() -> None:
    text = (
        f'API_KEY = "{LONG_SECRET}"\n"""The key of the mail service."""\n'
        f'creds = {{"token": "{LONG_SECRET}", "user": "deploy-bot"}}\n'
        f'API_TOKEN = "{LONG_SECRET}"  # "eu-west-1"\n'
    )
    out = redact(text)
    assert LONG_SECRET not in out
    assert all(kept in out for kept in ('"""The key of the mail service."""', '"deploy-bot"', '"eu-west-1"')), out


def test_code_in_brackets_below_a_secret_name_stays() -> None:
    text = 'DB_PASSWORD = (\n    os.environ["DB_PASSWORD"]\n)\ntoken = (\n    session_token\n)\n'
    assert redact(text) == text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_PASSWORD = (\n", f'    "{LONG_SECRET}"\n)\n'),
        ('password = """\n', f'{LONG_SECRET}\n"""\n'),
        ("api_key =\n", f"    '{LONG_SECRET}'\n"),
    ],
)
def test_a_prompt_window_starting_below_a_secret_name_sends_no_value(name: str, value: str) -> None:
    """The window's first line is the value, its name above the window: alone it looked like
    nothing. Every window start is tried; those between the name and the value matter."""
    head = "".join(f"setting_{i} = load({i})\n" for i in range(31))
    tail = "".join(f"other_{i} = load({i})\n" for i in range(30))
    text = head + name + value + tail
    doc = Document("file:///w/settings.py", text)
    value_at = len((head + name).encode())
    starts = set()
    for budget in range(100, 1200, 10):
        fim = build_fim_prompt(doc, len(text), budget=budget, suffix_share=0.5, count=_count)
        starts.add(fim.window_start)
        assert LONG_SECRET not in fim.prompt, (budget, fim.prompt)
    assert value_at in starts, "a window started at the value's line"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_PASSWORD = (", f'\n    "{LONG_SECRET}"\n)\n'),
        ('password = """', f'\n{LONG_SECRET}\n"""\n'),
        ("api_key =", f"\n    '{LONG_SECRET}'\n"),
    ],
)
def test_a_secret_below_the_cursor_on_its_name_line_is_not_sent_in_the_suffix(name: str, value: str) -> None:
    """The cursor at the end of the name's line: the value on the next line went out whole with
    the suffix, redacted apart from the window that names it."""
    text = f"import os\n\n{name}{value}print(1)\n"
    doc = Document("file:///w/settings.py", text)
    fim = build_fim_prompt(doc, text.index(name) + len(name), budget=2000, suffix_share=0.5, count=_count)
    assert fim.prompt.endswith(name)
    assert fim.suffix == value.replace(LONG_SECRET, REDACTED) + "print(1)\n"


@pytest.mark.parametrize(
    ("comment", "edited"),
    [
        ("#", f'DB_PASSWORD = """\n{LONG_SECRET}\n"""\n'),
        ("//", f"const apiKey = `\n\n  {LONG_SECRET}\n`;\n"),
        ("--", f"api_key = '''\n{LONG_SECRET}'''\n"),
    ],
)
def test_a_secret_in_a_multi_line_string_of_another_file_is_not_sent(comment: str, edited: str) -> None:
    """Another file's lines (a recent edit) go as comments: the mark before the secret's line
    hid it from the pattern, and it went out."""
    edit = Snippet(path="settings.py", text=edited, kind="recent-edit")
    doc = Document("file:///w/app.py", "import os\n\ndef main():\n    ret")
    fim = build_fim_prompt(
        doc, len(doc.data), budget=2048, suffix_share=0.1, count=_count, snippets=[edit], line_comment=comment, path="app.py"
    )
    assert LONG_SECRET not in fim.prompt and REDACTED in fim.prompt, fim.prompt
    assert fim.prompt.endswith("def main():\n    ret")

@pytest.mark.parametrize(
    "text",
    [
        'password_prompt = """Enter password:"""\n',
        'password_prompt = """\nEnter password:\n"""\n',
        'PASSWORD_ERROR = "Wrong password, try again"\n',
        "TOKEN_HELP = 'Paste your API token here.'\n",
        'def check(password):\n    """\n    Compares the password with its hash.\n    """\n',
        'PASSWORD_QUERY = """\nSELECT password_hash FROM users WHERE id = %s\n"""\n',
        'password = """\n{password}\n"""\n',
        'PASSWORD_HELP = (\n    """\n    Enter the password\n    """\n)\n',
        "policy:\n  password_rules: |\n    at least 12 characters\n",
        "creds:\n  token: |\n    {{ .Values.token }}\n",
    ],
)
def test_text_about_a_secret_in_quotes_stays(text: str) -> None:
    """A prompt's or a message's words name the secret without being one: they went out as
    ``[REDACTED]``, and the model completed the next message from nothing."""
    assert redact(text, keep_lines=True) == text

def test_a_secret_made_of_words_is_redacted_though_it_names_a_secret() -> None:
    """Flask's quick start: the words name a secret and are one."""
    assert redact("app.secret_key = 'super secret key'\n") == f"app.secret_key = '{REDACTED}'\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('api_key = f"{prefix}XyZ9aBcD3fGh1jK"\n', f'api_key = f"{{prefix}}{REDACTED}"\n'),
        ('token = f"sk-{org}9aBcD3fGh1jKlMnOpQ"\n', f'token = f"sk-{{org}}{REDACTED}"\n'),
        ('password = F"{user}:hunter22"\n', f'password = F"{{user}}:{REDACTED}"\n'),
        ('var apiKey = $"{env}:XyZ9aBcD3fGh1jK";\n', f'var apiKey = $"{{env}}:{REDACTED}";\n'),  # C#
        ("const apiKey = `${prefix}XyZ9aBcD3fGh1jK`;\n", f"const apiKey = `${{prefix}}{REDACTED}`;\n"),
    ],
)
def test_the_secret_in_an_interpolated_string_goes_and_its_interpolations_stay(text: str, expected: str) -> None:
    """An f-string's literal part went out whole (the ``f`` was no prefix the patterns knew);
    a template's was redacted with the code around it."""
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "const token = `Bearer ${accessToken}`;\n",
        'headers["token"] = f"Bearer {access_token}"\n',
        'POSTGRES_PASSWORD: "${DB_PASSWORD}"\n',
        'token_url = f"{BASE_URL}/oauth2/token"\n',
        'secret_name = f"{project}-db-password"\n',
        "DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@db:5432/app\n",
        'url = f"postgres://{user}:{password}@{host}/db"\n',
        "psql postgres://app:$PGPASSWORD@db/app\n",
    ],
)
def test_interpolations_that_only_name_a_secret_stay(text: str) -> None:
    """Where the value comes from is code: it went out as ``[REDACTED]``, names and all."""
    assert redact(text) == text


@pytest.mark.parametrize(
    "token",
    ["gldt-" + "Ab3dEf6hIj9kLm2nOp5q", "glrt-" + "t1_Ab3dEf6hIj9kLm2nOp5q", "glptt-" + "0123456789abcdef01234567"],
)
def test_gitlab_deploy_runner_and_trigger_tokens_are_redacted(token: str) -> None:
    text = f"docker login -u deploy -p {token} registry.gitlab.com\n"
    out = redact(text)
    assert token[6:] not in out and f"-p {REDACTED} registry" in out, out
