"""Ordinary code the redactor took for secrets (found running it over the standard library and a
project's node_modules): a variable, a type, an expression or the next line's code after a name
(``self.token = nextchar``, ``Token = Ignore + PlainToken``, ``token: CancellationToken;``), a
sentence (``"pwd: expected bytes"``), a value about a secret (``token_type = 'phrase'``), a
format string, a placeholder (``http://joe:password@proxy``, ``--password my-password``).
And tools' password flags that went out: wget's ``--ftp-password X``, ``mosquitto_pub -P``,
``ipmitool -P``, PuTTY's ``-pw``, ``x11vnc -passwd``, ``lftp -u user,pass``, ``nmcli``,
wpa_supplicant's ``psk``, ``mysqladmin password``, Net-SNMP's ``-c``/``-A``/``-X``, ``sudo -S
<<<``, IOS's ``snmp-server host``, Juniper's ``set snmp community``."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)

# -- ordinary code ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # A variable, an attribute's or a tuple's target: code (Python's shlex, functools, logging).
        "self.token = nextchar\n",
        "this.secret = originalSecret\n",
        "cache_token = current_token\n",
        "exposed, token = result\n",
        "self.username, self.password = credentials\n",
        "self.passwd = password_mgr\n",
        "password = strict;\n",
        "let token = undefined;\n",
        "tokenize_module._tokenize = mock__tokenize\n",
        # An expression, a type (tokenize.py, email's parser, TypeScript declarations).
        "Token = Ignore + PlainToken\n",
        "PseudoToken = Whitespace + group(PseudoExtras, Number, Funny)\n",
        "TOKEN_ENDS = TSPECIALS | WSP\n",
        "export type ProgressToken = number | string;\n",
        "export type Opaque<Type, Token = unknown> = Type & Tagged<Token>;\n",
        "    readonly token: CancellationToken;\n",
        "sendProgress<P>(type: ProgressType<P>, token: ProgressToken, value: P): void;\n",
        "export declare const SemanticTokensFeature: Feature<_Languages, Shape>;\n",
        "  token: storedJwt,\n",
        "if(t===void 0||t.workDoneToken===void 0)return new Xc;\n",
        # The first word of the next line of code, after a line ending in a name and a colon.
        "if self.type == OP and self.string in EXACT_TOKEN_TYPES:\n    return EXACT_TOKEN_TYPES[self.string]\n",
        "if not have_password:\n    password = None\n",
        "if ilabel in c.tokens:\n    return c.tokens[itoken]\n",
        "for token in tokens:\n    continue\n",
        # A sentence, in a message or a comment.
        'raise TypeError("pwd: expected bytes, got %s" % type(pwd).__name__)\n',
        "# First pass: determine maximum length of long option names\n",
        " * communicate the premaster secret: either an RSA public key\n",
        # About a secret, not one: its kind, its format (email's parser, LSP's protocol).
        "    token_type = 'unstructured'\n",
        "mailbox.token_type = 'invalid-mailbox'\n",
        "export type TokenFormat = 'relative';\n",
        'PASSWORD_POLICY = "min-length-12"\n',
        # A format string's fields, a schema's type, fetch's mode, a mask.
        "credentials = '{0}:{1}'.format(user, passwd).encode()\n",
        'token_range = "%d,%d-%d,%d:" % (token.start + token.end)\n',
        '"server.token": "string",\n',
        'fetch(wasmBinaryFile, {credentials: "same-origin"})\n',
        'PASSWORD = "********"\n',
        '{"secret": "[Redacted]", "logme": "will be logged"}\n',
        # A placeholder of words where a password goes.
        'url = "http://joe:password@proxy.example.com/"\n',
        'url = "http://User:Pass@www.python.org:080/doc/"\n',
        "pino-redis -U redis://username:password@localhost:6379\n",
        "pino-loki --user my-username --password my-password\n",
        "  token: 'YOUR-TOKEN',\n",
        '# token = "your-token-here"\n',
    ],
)
def test_ordinary_code_is_not_redacted(code: str) -> None:
    """Each went out with ``[REDACTED]`` in it: the model saw broken code around the cursor. A
    secret on the line after stays redacted."""
    text = code + f'DB_PASSWORD = "{SECRET}"\n'
    assert redact(text, keep_lines=True) == text.replace(SECRET, REDACTED)


#: A lookalike above each secret below: the code stays, the secret goes.
CODE = "cache_token = current_token\n"


@pytest.mark.parametrize(
    "text",
    [
        f"DB_PASSWORD={SECRET}\n",
        f"password: {SECRET}\n",
        f"password:\n  {SECRET}\n",  # YAML's value on the next line, alone on it
        f"self.password = '{SECRET}'\n",
        f'token = "{SECRET}"\n',
        f"token_value = '{SECRET}'\n",
        f"DB_PASSWORD={SECRET} ./run.sh\n",
        f"export API_TOKEN={SECRET} && make deploy\n",
        f'url = "https://joe:{SECRET}@proxy.example.com/"\n',
        f"--password {SECRET}\n",
        f"token_type = 'Bearer'; token_value = '{SECRET}'\n",
    ],
)
def test_secrets_beside_the_lookalikes_are_still_redacted(text: str) -> None:
    assert_redacted(CODE + text)


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("ADMIN_PASSWORD=correcthorse\n", "correcthorse"),
        ("password: correcthorse\n", "correcthorse"),
        ("DB_PASSWORD=correct_horse\n", "correct_horse"),
        ("export TOKEN=abcdefgh; make\n", "abcdefgh"),
        ("password: hunterPass\n", "hunterPass"),
        ("PASSWORD = SuperSecret\n", "SuperSecret"),
    ],
)
def test_a_letters_only_value_in_a_config_file_is_still_redacted(line: str, value: str) -> None:
    """No digit, but no sign of code either (spaces around ``=`` and a variable's snake_case,
    a statement's ``;``, a camelCase name before a comma): a .env file's, a shell's, YAML's or an
    INI file's secret."""
    text = CODE + line
    assert redact(text) == CODE + line.replace(value, REDACTED)


# -- tools' password flags ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"wget --ftp-user=bob --ftp-password {SECRET} ftp://example.com/file\n",
        f"wget --http-user=bob --http-password '{SECRET}' https://example.com/file\n",
        f"wget --proxy-password {SECRET} https://example.com/file\n",
        f"mosquitto_pub -h broker -u sensor -P {SECRET} -t home/temp -m 21\n",
        f'mosquitto_sub -h broker -u sensor -P "{SECRET}" -t "home/#"\n',
        f"ipmitool -I lanplus -H 10.0.0.9 -U admin -P {SECRET} chassis status\n",
        f"pscp -pw {SECRET} backup.tar user@host:/tmp/\n",
        f"plink -ssh user@host -pw {SECRET} uptime\n",
        f"psftp.exe user@host -pw {SECRET}\n",
        f"x11vnc -passwd {SECRET} -display :0 -forever\n",
        f"lftp -u deploy,{SECRET} sftp://example.com\n",
        f'lftp -u "deploy,{SECRET}" -e "mirror -R dist /www; quit" ftp.example.com\n',
        f"nmcli dev wifi connect HomeNet password {SECRET}\n",
        f"nmcli connection modify HomeNet wifi-sec.psk {SECRET}\n",
        f'    psk="{SECRET}"\n',
        f"mysqladmin -u root password {SECRET}\n",
        f"mysqladmin --user=root --host=db password {SECRET}\n",
        f"snmpwalk -v2c -c {SECRET} 10.0.0.1\n",
        f"snmpget -v 2c -c {SECRET} router sysName.0\n",
        f"snmpbulkwalk -v2c -c{SECRET} 10.0.0.1 ifTable\n",
        f"sudo -S apt-get update <<< {SECRET}\n",
        f"sudo -S -u app systemctl restart app <<< '{SECRET}'\n",
        f"snmp-server host 10.0.0.5 version 2c {SECRET}\n",
        f"snmp-server host 10.0.0.5 traps {SECRET} udp-port 162\n",
        f"snmp-server host 10.0.0.5 {SECRET}\n",
        f"set snmp community {SECRET} authorization read-only\n",
        f'set snmp community "{SECRET}" clients 10.0.0.0/24\n',
    ],
)
def test_a_tools_password_flag_is_redacted(text: str) -> None:
    """The flag and the rest of the command stay (what the line is); the password went out."""
    assert_redacted(text)


def test_snmp_v3s_two_passphrases_are_both_redacted() -> None:
    text = f"snmpwalk -v3 -u admin -l authPriv -a SHA -A {SECRET} -x AES -X {SECRET} 10.0.0.1\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


def test_a_wpa_supplicant_derived_key_is_redacted() -> None:
    """``psk=`` and 64 hex digits: the key derived from the passphrase, as good as it."""
    key = "4f1c" * 16
    text = f'network={{\n    ssid="HomeNet"\n    psk={key}\n}}\n'
    assert redact(text) == text.replace(key, REDACTED)


def test_the_tools_variables_defaults_and_prompts_stay() -> None:
    """A variable passed on, a placeholder, the defaults ``public``/``private``, a flag that
    asks for the password (or reads it from the environment), SNMPv3's user name."""
    kept = (
        "wget --ftp-password $FTP_PASSWORD ftp://example.com/f\n"
        "wget --ask-password https://example.com/f\n"
        'mosquitto_pub -h broker -u sensor -P "$MQTT_PASSWORD" -t t -m 1\n'
        "ipmitool -I lanplus -H 10.0.0.9 -U admin -E chassis status\n"
        "plink -pw %PUTTY_PW% user@host uptime\n"
        "x11vnc -storepasswd ~/.vnc/passwd\n"
        "x11vnc -rfbauth ~/.vnc/passwd -display :0\n"
        "lftp -u deploy sftp://example.com\n"
        "lftp -u deploy,$LFTP_PASSWORD sftp://example.com\n"
        'nmcli dev wifi connect HomeNet password "$WIFI_PASSWORD"\n'
        "nmcli --ask dev wifi connect HomeNet\n"
        "mysqladmin -u root -p status\n"
        "mysqladmin -u root password\n"
        "snmpwalk -v2c -c public 10.0.0.1\n"
        "snmpwalk -v2c -c $COMMUNITY 10.0.0.1\n"
        "snmpwalk -v3 -u admin -l authNoPriv -a SHA -A $AUTH_PASS 10.0.0.1\n"
        'sudo -S apt-get update <<< "$SUDO_PASSWORD"\n'
        "snmp-server host 10.0.0.5 version 3 priv admin\n"
        "snmp-server host 10.0.0.5 public\n"
        "set snmp community public authorization read-only\n"
        "set snmp location lab\n"
        "The psk is derived from the passphrase.\n"
    )
    text = kept + f"x11vnc -passwd {SECRET}\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize(
    "line",
    [
        f"mosquitto_pub -h broker -u sensor -P {SECRET} -t t -m 1\n",
        f"snmpwalk -v2c -c {SECRET} 10.0.0.1\n",
        f"sudo -S apt-get update <<< '{SECRET}'\n",
        f"set snmp community {SECRET} authorization read-only\n",
    ],
)
def test_those_are_not_in_a_completion_prompt(line: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


# -- time -----------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "ftp-password flags": repeated("--ftp-password "),
    "mosquitto flags": "mosquitto_pub" + repeated(" -P"),
    "mosquitto commands": repeated("mosquitto_pub -u "),
    "ipmitool commands": repeated("ipmitool -U a "),
    "plink flags": "plink" + repeated(" -pw"),
    "plink commands": repeated("plink -pw"),
    "x11vnc commands": repeated("x11vnc -passwd"),
    "mysqladmin words": "mysqladmin" + repeated(" password"),
    "lftp users": repeated("lftp -u a,"),
    "nmcli words": "nmcli" + repeated(" password"),
    "psk lines": repeated('\npsk="'),
    "snmp tools": repeated("snmpwalk -c "),
    "snmp flags": "snmpwalk" + repeated(" -A"),
    "sudo flags": repeated("sudo -S "),
    "sudo without a here-string": "sudo -S" + repeated(" a"),
    "here-strings": "sudo -S a" + repeated(" <<<"),
    "snmp-server hosts": repeated("\nsnmp-server host a version 2c "),
    "set snmp communities": repeated("\nset snmp community "),
    "tokens assigned variables": repeated("token = a_b; "),
    "tokens and operators": repeated("token = abcdef + "),
    "names ending lines": repeated("token:\n"),
    "colons then words": repeated("pwd: word "),
    "self tokens": repeated("self.token = nextchar "),
    "format strings": repeated("token = '%s:%s' "),
    "placeholder passwords in URLs": repeated("http://user:password@"),
    "metadata names": repeated("token_type = 'x' "),
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
