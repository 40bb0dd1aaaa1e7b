"""Secrets the command-line patterns mishandled or did not know: a password in escaped quotes
(a command inside a JSON string) or in single quotes (``'$ecret'``, a literal to a shell);
``zip -P``, ``7z -p``, ``sqlplus user/pass``, ``rabbitmqctl add_user``, ``chpasswd`` with a
password of words; a Terraform default below a heredoc's text at column 0, or in a block whose
description names a password; .netrc's ``password`` line, password hashes, WordPress's keys."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
)

# -- escaped and single quotes -------------------------------------------------------------------------

#: Commands whose password follows a flag, written as ``{value}`` (the quotes around it included).
COMMANDS = [
    "docker login -u ci -p {value} registry.example.com",
    "mysql -u root -p{value} app",
    "mysqldump -u root -p{value} app",
    "sshpass -p {value} ssh deploy@host",
    "redis-cli -h cache -a {value} ping",
    "app --password {value} --verbose",
    "mongosh -u admin -p {value} db",
    "ldapsearch -x -D cn=admin -w {value} -b dc=x",
    "openssl enc -aes-256-cbc -k {value} -in a -out b",
    "keytool -list -keystore ks.jks -storepass {value}",
    "zip -r -P {value} out.zip dir",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_password_in_escaped_quotes_is_redacted_and_the_quotes_stay(command: str) -> None:
    """Inside a JSON string the quotes are ``\\"``: the backslash went out as ``[REDACTED]`` and
    the password after it, whole."""
    text = '{"script": "' + command.format(value=f'\\"{SECRET}\\"') + '"}\n'
    assert_redacted(text)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_password_in_escaped_quotes_stays(command: str) -> None:
    """``-p \\"\\"`` (no password) came out as ``-p [REDACTED]"\\"[REDACTED]"``."""
    text = '{"script": "' + command.format(value='\\"\\"') + '"}\n'
    assert redact(text) == text


def test_a_user_and_password_in_escaped_quotes_are_redacted() -> None:
    text = (
        f'{{"script": "curl -fsS -u \\"ci:{SECRET}\\" https://example.com"}}\n'
        f'{{"script": "smbclient //fs/share -U \\"ci%{SECRET}\\" -c ls"}}\n'
        f'{{"env": "DB_PASSWORD=\\"{SECRET}\\" ./run.sh"}}\n'
        f'{{"script": "mysqldump --password=\\"{SECRET}\\" app"}}\n'
    )
    assert redact(text) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_single_quoted_dollar_is_a_password(command: str) -> None:
    """In single quotes a shell expands nothing: ``'$ecretPassw0rd'`` is the password, which
    went out; in double quotes or bare, ``$DB_PASSWORD`` is a variable and stays."""
    literal = command.format(value="'$ecretPassw0rd'") + "\n"
    variables = command.format(value='"$DB_PASSWORD"') + "\n" + command.format(value="$DB_PASSWORD") + "\n"
    assert redact(literal + variables) == literal.replace("$ecretPassw0rd", REDACTED) + variables


def test_single_quoted_dollars_in_user_and_piped_passwords_are_passwords() -> None:
    literal = "curl -u 'ci:$ecretPassw0rd' https://x\necho 'root:$ecretPassw0rd' | chpasswd\n"
    variables = 'curl -u "ci:$CI_PASSWORD" https://x\necho "root:$ROOT_PASSWORD" | chpasswd\n'
    assert redact(literal + variables) == literal.replace("$ecretPassw0rd", REDACTED) + variables


def test_command_lines_built_in_code_and_usage_lines_stay() -> None:
    """A field code fills in (``'{password}'``, ``'%s'``, ``"-p", pw``), a placeholder or a
    usage line's word is no password, in single quotes too."""
    kept = (
        "cmd = f\"sshpass -p '{password}' ssh {host}\"\n"
        "cmd = \"mysql -u root -p'%s' app\" % password\n"
        'subprocess.run(["mysql", "-u", "root", "-p", password])\n'
        'subprocess.run(["mysql", "-p%s" % password])\n'
        "docker login -u ci -p '<token>' registry.example.com\n"
        "redis-cli -a <password> ping\n"
        "sqlplus username/password@connect_identifier\n"
        "zip -P your_password out.zip file\n"
        "curl -u user: https://example.com\n"
    )
    text = kept + f"sqlplus app/{SECRET}@orcl\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


# -- more commands -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"zip -P {SECRET} backup.zip db.sql\n",
        f"zip -r -e -P '{SECRET}' site.zip public/\n",
        f"unzip -o -P {SECRET} backup.zip -d /tmp/restore\n",
        f"7z a -p{SECRET} -mhe=on backup.7z data/\n",
        f"7za x -p'{SECRET}' backup.7z\n",
        f'7z x -p"{SECRET}" -o/tmp backup.7z\n',
        f"sqlplus scott/{SECRET}@orcl @schema.sql\n",
        f"sqlplus -s system/{SECRET}\n",
        f'sqlplus -L "app/{SECRET}@//db.example.com:1521/ORCLPDB1"\n',
        f"expdp system/{SECRET}@orcl directory=dumps dumpfile=app.dmp\n",
        f"rabbitmqctl add_user admin {SECRET}\n",
        f"rabbitmqctl change_password 'app' '{SECRET}'\n",
        f"docker exec rabbit rabbitmqctl add_user ci \"{SECRET}\"\n",
    ],
)
def test_a_password_given_to_an_archiver_or_a_database_client_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_those_commands_without_a_password_stay() -> None:
    kept = (
        "zip -r site.zip public/\n"
        "gzip -P 4 big.log\n"  # not zip
        "cp site.zip -P /tmp\n"
        'zip -P "$ZIP_PASSWORD" out.zip f\n'
        "unzip -P %ZIP_PASS% a.zip\n"
        "7z a -p out.7z secret/\n"  # asks for it
        '7z x -p"$ARCHIVE_PASSWORD" a.7z\n'
        "sqlplus / as sysdba\n"
        "sqlplus /nolog\n"
        "sqlplus -s app@orcl @x.sql\n"  # asks for it
        "sqlplus $DB_USER/$DB_PASS@$DB\n"
        'sqlplus "${DB_USER}/${DB_PASS}@db"\n'
        "rabbitmqctl add_user admin\n"  # reads it
        'rabbitmqctl add_user "$RABBIT_USER" "$RABBIT_PASS"\n'
        "rabbitmqctl list_users\n"
    )
    text = kept + f"zip -P {SECRET} out.zip f\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize(
    "text",
    [
        "echo 'root:Sup3r-S3cret-77 two words' | chpasswd\n",
        'RUN echo "app:Sup3r-S3cret-77 and more" | chpasswd\n',
    ],
)
def test_a_password_of_words_piped_into_chpasswd_is_redacted(text: str) -> None:
    """Quoted, the password may hold spaces: all after the first went out."""
    password = text.split(":", 1)[1].split("'" if "'" in text else '"', 1)[0]
    assert redact(text) == text.replace(password, REDACTED)


@pytest.mark.parametrize(
    "line",
    [
        f"zip -r -P '{SECRET}' backup.zip data/\n",
        f"sqlplus scott/{SECRET}@orcl @x.sql\n",
        f"rabbitmqctl add_user admin '{SECRET}'\n",
        f'{{"script": "docker login -p \\"{SECRET}\\" registry"}}\n',
        f"machine host\n  login ci\n  password {SECRET}\n",
    ],
)
def test_those_passwords_are_not_in_a_completion_prompt(line: str) -> None:
    """The cursor after the line, inside the password or just before it."""
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


# -- Terraform: heredoc text at column 0, a description ----------------------------------------------


def test_a_default_below_heredoc_text_at_column_0_is_redacted() -> None:
    """The window starting inside a ``description`` heredoc whose lines start at column 0, the
    ``variable`` line above it: those lines were taken for top-level ones (no block open), and
    a ``sensitive`` default below them went out."""
    before = "x" * 40 + "\n  validation {\n    condition = length(var.x) > 8\n  }\n  description = <<EOT\n"
    text = f'Master credentials of the database.\nRotated monthly.\nEOT\n  sensitive = true\n  default = "{SECRET}"\n}}\n'
    assert redact(text, before=before) == text.replace(SECRET, REDACTED)
    # Past the heredoc's terminator a line at column 0 is one: Python's ``default = ...`` below
    # it is no block's.
    python = '  script = <<EOT\nrun\nEOT\ndef f():\n    default = "Xq7!fP2#rL9vKt"\n    return default\n}\n'
    assert redact(python, before="x\n") == python


def test_a_default_below_heredoc_text_whose_opener_is_out_of_sight_is_redacted() -> None:
    before = "x\nThe credentials of the database, rotated\n"
    text = f'monthly by the ops team.\nEOT\n  sensitive = true\n  default = "{SECRET}"\n}}\n'
    assert redact(text, before=before) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize("value", ["hunter2pass99", "S3cretPass", "Tr0ub4dor3"])
def test_a_default_described_as_a_password_far_below_its_name_is_redacted(value: str) -> None:
    """The ``variable`` line out of sight, the description in sight says what the default is:
    a word of letters and digits went out, not shaped like a password (no symbol)."""
    block = f'  description = "Master password of the RDS instance"\n  type = string\n  default = "{value}"\n}}\n'
    assert redact(block, before="x\n") == block.replace(value, REDACTED)
    heredoc = f'  description = <<-EOT\n    The admin password.\n  EOT\n  default = "{value}"\n}}\n'
    assert redact(heredoc, before="x\n") == heredoc.replace(value, REDACTED)


@pytest.mark.parametrize(
    "value",
    [
        "eu-west-1", "t3.medium", "Standard_D2s_v3", "10.0.0.0/16", "ami-0c55b159cbfafe1f0",
        "WindowsServer2022Datacenter", "ops2@example.com", "720h0m0s", "prod-db-password",
        "/prod/db/password", "postgres14",
    ],
)  # fmt: skip
def test_ordinary_defaults_stay_though_the_description_names_a_password(value: str) -> None:
    """Names, sizes, durations, paths, addresses: what a default is, even in a block about a
    password (its length, rotation, where it is kept); a password beside them goes. A
    description that names no password keeps a word of letters and digits as before."""
    block = (
        f'  description = "Where the master password is kept"\n  default = "{value}"\n'
        '  other   = 1\n  default = "hunter2pass99"\n}\n'
    )
    assert redact(block, before="x\n") == block.replace("hunter2pass99", REDACTED)
    undescribed = '  description = "Engine of the database"\n  default = "hunter2pass99"\n}\n'
    assert redact(undescribed, before="x\n") == undescribed


def test_a_described_default_far_below_its_name_is_not_in_a_completion_prompt() -> None:
    notes = "".join(f"Line {i} of the notes on the admin password, at column 0.\n" for i in range(200))
    text = (
        f'variable "admin" {{\n  description = <<EOT\n{notes}EOT\n  type = string\n  default = "hunter2pass99"\n}}\n\n'
        'resource "aws_db_instance" "db" {\n  password = var.admin\n}\n'
    )
    for cursor in (text.index("resource"), text.index("hunter2pass99") + 5, len(text)):
        fim = build_fim_prompt(Document("file:///w/main.tf", text), cursor, budget=2000, suffix_share=0.3, count=lambda t: len(t) // 3 + 1)
        sent = fim.prompt + fim.suffix
        assert 'variable "admin"' not in sent, "the name is out of sight"
        assert "hunter2" not in sent and "pass99" not in sent, (cursor, sent)


def test_the_arn_of_a_secret_stays() -> None:
    """Where the secret is kept: its service's name was taken for a secret's, the rest for its
    value (``arn:aws:secretsmanager:[REDACTED]``)."""
    kept = (
        'secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-db-AbCdEf"\n'
        "  - arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:app\n"
    )
    text = kept + f"secretsmanager_token: {SECRET}\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


# -- .netrc lines, password hashes, WordPress keys -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"machine api.example.com\n  login ci\n  password {SECRET}\n",
        f"machine git.example.com\nlogin ci password {SECRET}\n",
    ],
)
def test_a_netrc_password_on_a_line_of_its_own_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_prose_and_code_with_a_password_line_stay() -> None:
    kept = "password hashing\n    password = get_password()\npassword $NETRC_PASSWORD\npassword <token>\n"
    text = kept + f"password {SECRET}\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize(
    "text",
    [
        f'password =\n  "{SECRET}"\n',  # Ruby, Lua: the value on the line below the =
        f'    password =\n        "{SECRET}";\n',  # JavaScript, C, Go: an assignment in a function
        f"x = 1\npassword = \n  '{SECRET}'\n",
        f"  password :\n    {SECRET}\n",
    ],
)
def test_a_password_assigned_on_the_line_below_is_no_netrc_line(text: str) -> None:
    """``password =`` alone on its line was read as .netrc's ``password X`` with ``=`` its
    password: the ``=`` went as the secret and the value on the line below was sent."""
    assert_redacted(text)
    assert_not_in_prompts(text, "password")


@pytest.mark.parametrize(
    "text",
    [
        f'password <- "{SECRET}"\n',  # R
        f'db <- dbConnect(drv, user = "app")\napi_key <<- "{SECRET}"\n',
        f'@token ||= "{SECRET}"\n',  # Ruby
        f'config.ApiKey ??= "{SECRET}";\n',  # C#, JavaScript, PHP
        f'password <-\n  "{SECRET}"\n',
    ],
)
def test_a_secret_assigned_by_r_or_a_default_operator_is_redacted(text: str) -> None:
    """R's ``<-`` and ``<<-``, Ruby's ``||=``, ``??=``: no separator the assignment pattern
    knew, the literal went out as written."""
    assert_redacted(text)
    assert_not_in_prompts(text, SECRET[:3])


def test_code_assigned_by_r_or_a_default_operator_stays() -> None:
    kept = 'password <- Sys.getenv("DB_PASSWORD")\n@token ||= fetch_token(client)\ntokens <- -1\nif (token <-limit) {}\n'
    assert redact(kept) == kept


@pytest.mark.parametrize(
    "text",
    [
        f'# password =\n#     "{SECRET}"\nconnect()\n',  # code commented out
        f"# db:\n#   password:\n#     {SECRET}\n",  # a YAML file's lines commented out
        f"/*\n * password:\n *   {SECRET}\n */\n",
        f'// const apiKey =\n//   "{SECRET}";\n',
    ],
)
def test_a_value_below_its_name_in_commented_out_lines_is_redacted(text: str) -> None:
    """The value on the line below its name, both commented out: the next line's comment mark
    stood between them, and the value went out (in a window, and in a snippet of such lines)."""
    assert_redacted(text)
    assert_not_in_prompts(text, SECRET[:3])


def test_a_comment_below_a_commented_name_stays() -> None:
    kept = "# password:\n# at least 8 chars\n# token =\n#   get_token()\n"
    assert redact(kept) == kept


@pytest.mark.parametrize(
    "text",
    [
        "# password:\n@dataclass_with_extra\nclass Login:\n",  # a decorator
        '# The password:\n    """Base class for task-specific provider helpers."""\n',  # a docstring
        '# token:\n        "_requirements": [],\n',  # a dict's key
        "# password:\n    'GRID-FACTOR-HORIZONT',\n",  # a list's word
        "# secret:\nfoo_bar_baz\n",  # an identifier alone
        "// api key:\n@Component\n",
        "# password:\n    'v2',\n",  # too short to be one
        "# password:\n(r'\\.(Activate|After2|'\n",  # a regex's part: more code on its line
    ],
)
def test_code_below_a_comment_ending_in_a_secret_s_name_stays(text: str) -> None:
    """A comment ending in ``password:`` (a heading, a sentence) and a line of code below it: that
    line was taken for the password and went out as ``[REDACTED]`` (2,351 of 20,000 lines of the
    venv's Python, each put below ``# password:``)."""
    assert redact(text) == text
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize(
    "text",
    [
        f"# password:\n{SECRET}\n",  # a note's value alone on the line below
        f'# staging token:\n    "{SECRET}",\n',  # a list's literal alone on its line
        f"// apiKey:\n  '{SECRET}';\n",
    ],
)
def test_a_value_alone_below_a_comment_naming_it_is_redacted(text: str) -> None:
    """What the line below a commented name holds when it looks like a value: a word with a digit,
    alone on its line (a list's comma, a statement's semicolon after it)."""
    assert_redacted(text)
    assert_not_in_prompts(text, SECRET[:3])


@pytest.mark.parametrize(
    "text, hashed",
    [
        ("admin:{}\n", "$apr1$ruca84Hq$mbjdMZBAG.KWn7vfN/SNK/"),
        ("ci:{}\n", "$2y$05$H9bKqG7Nq3LxYwYd8uPZxO7nQ0X2sYzGk1VbQW4rJcHk0eFQ9tG3e"),
        ("root:{}:19000:0:99999:7:::\n", "$6$rounds=5000$saltsalt$q1w2e3r4t5y6u7i8o9p0aSdFgHjKlZxCvBnM./"),
        ("bob:{}\n", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="),
        ("  - traefik.http.middlewares.auth.basicauth.users=admin:{}\n", "$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/"),
    ],
)
def test_a_password_hash_after_its_user_is_redacted(text: str, hashed: str) -> None:
    """Cracked offline (unsalted ``{SHA}`` in seconds): an htpasswd or shadow line written in a
    script or a compose file went out, though the files themselves are excluded."""
    code = 'crypt.crypt(word, "$6$" + salt)\nif hashed.startswith("$2b$"):\nprefix = "{SHA}"\n'  # schemes
    assert redact(code + text.format(hashed)) == code + text.format(REDACTED)


def test_wordpress_keys_and_salts_are_redacted_and_the_sample_stays() -> None:
    """64 random characters (spaces and symbols: no assignment pattern took them) that sign
    WordPress's login cookies."""
    salt = "a:Kx%8b!z(W3^@f~Lq#M0]pY>j+Ee*T6r|V1uG&n5cHs-N{2_dRw,O7i/o9kJ<Z;S"
    sample = "define( 'NONCE_SALT', 'put your unique phrase here' );\n"
    text = sample + f"define('AUTH_KEY',         '{salt}');\ndefine( \"SECURE_AUTH_SALT\", \"{salt}\" );\n"
    assert redact(text) == text.replace(salt, REDACTED)


# -- time ---------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "a line of zip -P": "zip -P " * 3000,
    "a line of 7z -p": "7z a -p" * 3000,
    "a line of sqlplus options": "sqlplus -s " * 2000,
    "a line of sqlplus users": "sqlplus a/" * 2500,
    "a line of rabbitmqctl": "rabbitmqctl add_user a " * 1000,
    "a chpasswd password of spaces": "echo 'a:" + "b " * 12000,
    "password words": "password " * 3000,
    "users and hash schemes": "a:$apr1$" * 3000,
    "WordPress openers": "define('AUTH_KEY', '" * 1200,
    "escaped quotes after docker login": 'docker login -p \\"' + "\\a" * 13000,
    "heredoc openers in a block": "  default = <<EOT\n" * 1500 + "}\n",
    "heredoc openers of distinct words": "".join(f"  default = <<W{i}\n" for i in range(1500)) + "}\n",
    "lone words in a block": '  default = "abcdefgh"\nEOT\n' * 1000 + "}\n",
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
