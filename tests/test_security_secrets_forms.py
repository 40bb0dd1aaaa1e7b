"""Secrets written without an assignment the patterns knew: a C macro, a name and its value as
two literals, a Kubernetes or ECS environment list, a key assigned to (``app.config[...]``),
SQL, a Dockerfile's ``ENV`` and PowerShell; and the ordinary code around such forms, which must
stay as it is (a false positive costs completion quality)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import SECRET, assert_not_in_prompts, assert_redacted


@pytest.mark.parametrize(
    "text",
    [
        f'#define DB_PASSWORD "{SECRET}"\n',
        f'#define API_TOKEN L"{SECRET}"  // wide, for the Windows API\n',
        f'#  define SMTP_PASS u8"{SECRET}"\n',
        f"#define SECRET_KEY '{SECRET}'\n",
        f'#ifndef DB_PASSWORD\n#define DB_PASSWORD "{SECRET}"\n#endif\n',
    ],
)
def test_a_secret_in_a_c_macro_is_redacted(text: str) -> None:
    """No ``=`` between the name and the value: it went out unless it had a known token's prefix."""
    assert_redacted(text)


def test_c_macros_that_are_not_secrets_stay() -> None:
    text = (
        "#define PASSWORD_MAX_LEN 64\n"
        '#define TOKEN_SEP ","\n'
        '#define PASSWORD_PROMPT "Enter password:"\n'
        "#ifndef TOKEN_H\n#define TOKEN_H\n"
        "#define API_KEY_LEN (32)\n"
        "#define DB_PASSWORD get_password()\n"
        # OpenSSL's headers: labels, not secrets
        '#define LN_userPassword         "userPassword"\n'
        '#define SN_id_smime_aa_timeStampToken  "id-smime-aa-timeStampToken"\n'
        '#define PEM_STRING_ECPRIVATEKEY "EC PRIVATE KEY"\n'
        '#define OSSL_KDF_PARAM_SECRET "secret" /* octet string */\n'
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        f'creds = ["password", "{SECRET}"]\n',
        f"creds = [('user', 'app'), ('password', '{SECRET}')]\n",
        f'os.environ.setdefault("DB_PASSWORD", "{SECRET}")\n',
        f'api_key = os.getenv("OPENAI_API_KEY", "{SECRET}")\n',
        f"define( 'DB_PASSWORD', '{SECRET}' );\n",  # WordPress' wp-config.php
        f'System.setProperty("javax.net.ssl.keyStorePassword", "{SECRET}");\n',
        f'headers.put("X-Api-Key", "{SECRET}");\n',
        f'os.Setenv("DB_PASSWORD", "{SECRET}")\n',
        f'config.set("db.password",\n           "{SECRET}")\n',
    ],
)
def test_a_name_and_its_secret_as_a_pair_of_literals_is_redacted(text: str) -> None:
    """A tuple, a list or a call's two arguments: the value went out."""
    assert_redacted(text)


def test_pairs_of_names_and_words_stay() -> None:
    """Two literals are less sure a name and its value than an assignment: names and words after
    a secret's name are code (found redacted in this project's own tests and editor scripts)."""
    text = (
        'fields = ("username", "password", "last_login")\n'
        'fields = ["password", "confirm_password"]\n'
        'choices = [("password", "Password"), ("token", "API token")]\n'
        'assert symbols.files_defining("reveal_token", "python") == []\n'
        "}, { needs: ['set-api-key', 'open-file'] });\n"
        's = s.replace("token", "REDACTED")\n'
        'parser.add_argument("--token", "-t")\n'
        'key = os.environ.get("API_KEY", "")\n'
        'getattr(settings, "SECRET_KEY", None)\n'
        "bad = os.path.join(os.path.dirname(__file__),\n    'tokenizedata',\n    'bad_coding2.py')\n"
        'for attr in ("symbol2number", "keywords",\n             "tokens", "symbol2label"):\n'
        'load_key(("private_key", "keys/id_ed25519"))\n'
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        # a Kubernetes Deployment's container
        f"      env:\n        - name: POSTGRES_USER\n          value: app\n"
        f"        - name: POSTGRES_PASSWORD\n          value: {SECRET}\n",
        f'    env:\n    - name: API_TOKEN\n      value: "{SECRET}"\n',
        # an ECS task definition
        f'"environment": [{{"name": "DB_PASSWORD", "value": "{SECRET}"}}]\n',
        f'"environment": [\n  {{\n    "name": "STRIPE_API_KEY",\n    "value": "{SECRET}"\n  }}\n]\n',
    ],
)
def test_a_secret_in_an_environment_list_is_redacted(text: str) -> None:
    """Its name and its value are two entries (``name:``, ``value:``): the value went out."""
    assert_redacted(text)


def test_environment_lists_without_a_literal_secret_stay() -> None:
    text = (
        "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n"
        "              name: db\n              key: password\n"
        '        - name: DB_PASSWORD\n          value: "{{ .Values.db.password }}"\n'
        "        - name: DB_PASSWORD\n          value: $(POSTGRES_PASSWORD)\n"
        "        - name: DB_PASSWORD_FILE\n          value: /run/secrets/db\n"
        "        - name: LOG_LEVEL\n          value: debugging\n"
        "hostname: DB_PASSWORD\nvalue: abcdefgh\n"
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        f"app.config['SECRET_KEY'] = '{SECRET}'\n",  # Flask
        f'os.environ["OPENAI_API_KEY"] = "{SECRET}"\n',
        f'settings["db"]["password"] = "{SECRET}"\n',
        f"$_ENV['DB_PASSWORD'] = '{SECRET}';\n",
        f'ENV["API_TOKEN"] = "{SECRET}"\n',  # Ruby
        f'static const char api_key[] = "{SECRET}";\n',
        f'const API_KEY: &str = "{SECRET}";\n',  # Rust
        f"const API_KEY: &'static str = \"{SECRET}\";\n",
    ],
)
def test_a_secret_assigned_to_a_key_or_an_array_is_redacted(text: str) -> None:
    """The name in a subscript's quotes, or before ``[]``, or typed ``&str``: it went out."""
    assert_redacted(text)


def test_a_key_assigned_code_stays() -> None:
    text = (
        'env["DEEPSEEK_API_KEY"] = api_key\n'
        'credentials["password"] = container_registry_password\n'
        'config["apiKey"] = substituted_api_key\n'
        'if key in ["token"]: return None\n'
        'if d["token"] == "abcdefgh": pass\n'
    )
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        f"CREATE USER 'app'@'%' IDENTIFIED BY '{SECRET}';\n",
        f"create user app identified by '{SECRET}';\n",
        f"ALTER USER postgres WITH PASSWORD '{SECRET}';\n",
        f"CREATE ROLE app LOGIN ENCRYPTED PASSWORD '{SECRET}';\n",
        f'cur.execute("ALTER ROLE app WITH PASSWORD \'{SECRET}\'")\n',
        f"ENV DB_PASSWORD {SECRET}\n",  # a Dockerfile's form without "="
        f'ENV API_TOKEN "{SECRET}"\n',
        f'$pw = ConvertTo-SecureString "{SECRET}" -AsPlainText -Force\n',
        f"$pw = ConvertTo-SecureString -String '{SECRET}' -AsPlainText -Force\n",
        f'$c = [pscredential]::new("app", (ConvertTo-SecureString -AsPlainText -Force "{SECRET}"))\n',
    ],
)
def test_a_password_in_sql_a_dockerfile_or_powershell_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_sql_dockerfiles_and_powershell_without_a_literal_secret_stay() -> None:
    text = (
        "cur.execute(f\"CREATE USER {user} WITH PASSWORD '{password}'\")\n"
        "cur.execute(\"ALTER USER app WITH PASSWORD '%s'\", (pw,))\n"
        "CREATE USER app IDENTIFIED BY :pw;\n"
        'msg = "Enter your password " + name + " now"\n'
        "echo 'Wrong password ' . $user . ' given';\n"
        "ENV DB_PASSWORD $DB_PASSWORD\n"
        "ENV DB_PASSWORD_FILE=${SECRETS}/db\n"
        "$pw = ConvertTo-SecureString $plain -AsPlainText -Force\n"
        '$pw = Read-Host "Password" -AsSecureString\n'
        '$password = Read-Host "Password" -AsSecureString\n'
        "$token = Get-AzAccessToken @params\n"  # @azure/identity's script
        '#define LN_userPassword         "userPassword"\n'
    )
    assert redact(text) == text


def test_where_a_secret_is_kept_and_an_elided_value_stay() -> None:
    """Docker's ``_FILE`` variables name where a secret is mounted, and an ellipsis is a usage
    line's placeholder: each went out as ``[REDACTED]``. A secret under such a name still goes."""
    text = (
        "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password\n"
        "      - DB_PASSWORD_FILE=/run/secrets/db\n"
        "_TOKEN_PATH = 'latest/api/token'\n"
        "tokenPath: ./secrets/token.txt\n"
        "SECRETS_DIR=C:\\app\\secrets\n"
        "backup-tool --password … --target s3\n"
        "backup-tool --password ... --target s3\n"
    )
    assert redact(text) == text
    assert_redacted(f"DB_PASSWORD_FILE={SECRET}\n")


def test_htpasswd_in_prose_stays_and_on_a_command_line_goes() -> None:
    """The word after the command was taken for the password: "to" in a README's sentence."""
    prose = (
        "Use `htpasswd -b users admin` to add users.\n"
        "Run htpasswd -b users admin then restart nginx.\n"
        "The htpasswd -b flag takes the password from the command line.\n"
        "passwords on command lines (`htpasswd -b`, `ldapsearch -w`, `--password …`)\n"
    )
    assert redact(prose) == prose
    for command in (
        f"Run `htpasswd -b users admin {SECRET}` to add admin.\n",
        f"htpasswd -b users admin {SECRET} # the admin\n",
        f"htpasswd -nbB admin {SECRET} > users\n",
        f"RUN htpasswd -bc /etc/nginx/.htpasswd admin {SECRET} && nginx -t\n",
    ):
        assert redact(command) == command.replace(SECRET, REDACTED), command


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        (f'#include <stdio.h>\n#define DB_PASSWORD "{SECRET}"\n\nint main(void) {{\n    return 0;\n}}\n', "return 0"),
        (f"env:\n  - name: DB_PASSWORD\n    value: {SECRET}\n  - name: MODE\n    value: prod\n", "prod"),
        (f"app = Flask(__name__)\napp.config['SECRET_KEY'] = '{SECRET}'\n\n\n@app.get('/')\ndef index():\n    pass\n", "pass"),
    ],
)
def test_no_such_secret_is_in_a_completion_prompt(text: str, mark: str) -> None:
    """Through the prompt (its window redacted around the lines known clean), the cursor after
    the secret, inside it, or on the line below its name."""
    assert_not_in_prompts(text, mark)


@pytest.mark.parametrize(
    ("before", "text"),
    [
        ("env:\n  - name: DB_PASSWORD\n", f"    value: {SECRET}\n  - name: MODE\n    value: prod\n"),
        ('config.set("db.password",\n', f'           "{SECRET}")\n'),
    ],
)
def test_a_window_starting_between_a_name_and_its_value_sends_no_value(before: str, text: str) -> None:
    """The name above the prompt's window (redacted apart from it): the value alone looks like nothing."""
    assert redact(text, before=before) == text.replace(SECRET, REDACTED)
