"""Secrets in forms the patterns did not know: Oracle's logons in SQL*Plus and RMAN scripts
(``CONNECT scott/...@orcl``), ``sqlldr``, ``rman``, ``exp``/``imp`` and ``userid=``, a JDBC URL's;
network devices' configurations (Cisco's ``enable secret``, ``username ... password``, SNMP
communities, Juniper's ``encrypted-password`` and ``## SECRET-DATA``, pre-shared keys); Redis's
``requirepass``, a .pgpass line, a password piped into ``sudo -S``."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import (
    LINE_SIZE,
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)

# -- Oracle ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"CONNECT scott/{SECRET}@orcl\n",
        f"connect scott/{SECRET}\n",
        f"conn app/{SECRET}@//db.example.com:1521/ORCLPDB1\n",
        f"CONN system/{SECRET} AS SYSDBA\n",
        f"connect sys/{SECRET}@prod as sysdba;\n",
        f'CONNECT app/"{SECRET}"@orcl\n',  # Oracle's own quotes, for a password with symbols
        f"SQL> connect hr/{SECRET}@xe\n",
        f"CONNECT TARGET sys/{SECRET}@prod;\n",  # an RMAN script
        f"connect catalog rman/{SECRET}@rcat\n",
        f'proc = subprocess.run(["sqlplus", "-s", "/nolog"], input="connect app/{SECRET}@orcl\\n@run.sql\\n")\n',
        f"sqlldr userid=scott/{SECRET} control=load.ctl log=load.log\n",
        f"sqlldr scott/{SECRET}@orcl control=load.ctl\n",
        f"sqlldr control=load.ctl USERID=scott/{SECRET}@orcl\n",
        f"rman target sys/{SECRET}@prod\n",
        f"rman target / catalog rman/{SECRET}@rcat cmdfile=backup.rman\n",
        f"exp userid=scott/{SECRET}@orcl file=scott.dmp owner=scott\n",
        f"imp scott/{SECRET} file=scott.dmp full=y\n",
        f"exp system/{SECRET}@orcl full=y file=full.dmp\n",
        f"expdp parfile=exp.par userid=system/{SECRET}\n",
        f"USERID=system/{SECRET}@orcl\n",  # a parameter file's line
        f'url = "jdbc:oracle:thin:scott/{SECRET}@//db.example.com:1521/ORCLPDB1"\n',
        f"spring.datasource.url=jdbc:oracle:thin:app/{SECRET}@db:1521:ORCL\n",
    ],
)
def test_an_oracle_logon_is_redacted(text: str) -> None:
    """The user and the database stay (what the line is); the password went out whole."""
    assert_redacted(text)


def test_rmans_two_logons_are_both_redacted() -> None:
    text = f"rman target sys/{SECRET}@prod catalog rman/{SECRET}@rcat\n"
    assert redact(text) == f"rman target sys/{REDACTED}@prod catalog rman/{REDACTED}@rcat\n"


def test_oracle_logons_without_a_password_and_prose_stay() -> None:
    """The operating system's logon, a substitution variable, a shell's, the manual's words, a
    logon asked for; and lines that only look like one: prose, arithmetic."""
    kept = (
        "connect / as sysdba\n"
        "CONNECT &&app_user/&&app_password@&&tns_alias\n"
        "CONNECT username/password@connect_identifier\n"
        "conn ${DB_USER}/${DB_PASS}@${DB}\n"
        "connect scott\n"
        "CONNECT scott@orcl\n"
        "Connect client/server apps over TLS.\n"
        "connect to/from the primary database in the next step\n"
        "sock.connect(host/port)\n"
        "rman target /\n"
        "rman target $TARGET_CONNECT catalog $CATALOG_CONNECT\n"
        "sqlldr control=load.ctl\n"
        "sqlldr userid=$ORA_USER/$ORA_PASS control=x.ctl\n"
        "exp a/b\n"
        "y = exp x/2\n"
        "imp total/count\n"
        "userid=/ file=x.dmp\n"
        'url = "jdbc:oracle:thin:@db.example.com:1521/ORCLPDB1"\n'
    )
    text = kept + f"CONNECT scott/{SECRET}@orcl\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


def test_an_oracle_logon_is_not_in_a_completion_prompt() -> None:
    script = (
        "WHENEVER SQLERROR EXIT FAILURE\n"
        f"CONNECT app_owner/{SECRET}@ORCLPDB1\n"
        "SET SERVEROUTPUT ON\n"
        "@migrations/001_init.sql\n"
    )
    assert_not_in_prompts(script, "SET SERVEROUTPUT")


# -- network devices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        f"enable secret {SECRET}",
        f"enable password {SECRET}",
        f"enable secret level 15 {SECRET}",
        f"enable algorithm-type scrypt secret {SECRET}",
        f"username admin password 0 {SECRET}",
        f"username admin privilege 15 secret {SECRET}",
        f"username ops privilege 15 algorithm-type sha256 secret {SECRET}",
        f" password 7 {SECRET}",  # a ``line vty 0 4`` block's
        f"Router(config)# enable secret {SECRET}",
        f"tacacs-server key 7 {SECRET}",
        f"radius-server host 10.0.0.5 auth-port 1812 key {SECRET}",
        f" neighbor 192.0.2.1 password 7 {SECRET}",
        f" key-string 7 {SECRET}",
        f" ip ospf authentication-key {SECRET}",
        f" ip ospf message-digest-key 1 md5 7 {SECRET}",
        f"crypto isakmp key {SECRET} address 203.0.113.5",
        f"crypto isakmp key 6 {SECRET} hostname peer.example.com",
        f" pre-shared-key local 0 {SECRET}",
        f" ikev1 pre-shared-key {SECRET}",
        f'      pre-shared-key ascii-text "{SECRET}"; ## SECRET-DATA',
        f'set security ike policy p1 pre-shared-key ascii-text "{SECRET}"',
        f'            encrypted-password "{SECRET}"; ## SECRET-DATA',
        f'set system root-authentication encrypted-password "{SECRET}"',
        f'        secret "{SECRET}"; ## SECRET-DATA',
        f'    authentication-key "{SECRET}";',
        f"snmp-server community {SECRET} RO 10",
        f"rocommunity {SECRET} 10.0.0.0/8",
        f"com2sec readonly default {SECRET}",
        f'    - "snmp-server community {SECRET} RW"',  # an Ansible task's lines
        f"      - enable secret {SECRET}",
    ],
)
def test_a_network_devices_password_key_or_community_is_redacted(line: str) -> None:
    assert_redacted("!\nhostname edge-1\n" + line + "\n!\n")


@pytest.mark.parametrize(
    "line, value",
    [
        ("enable password 7 {}", "0822455D0A16"),  # type 7: decoded with a published table
        ("enable secret 5 {}", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0"),  # MD5-crypt, cracked offline
        ("username admin password 0 {}", "Cisco123"),
        ("username admin privilege 15 secret 9 {}", "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM"),
        ('encrypted-password "{}";', "$6$9tJzQn0e$GzC3nXq8bTQk1rJqH0lS2m8vLr9e5cF1yO7aZ3xW4uVbN6sD2pK"),
        ('secret "{}"; ## SECRET-DATA', "$9$dObCtuOIESrvMEc"),  # Juniper's $9$: reversible
    ],
)
def test_a_device_hash_or_reversible_password_is_redacted(line: str, value: str) -> None:
    """A ``$`` starts a hash here, not a variable (on a command line ``$1$...`` was kept)."""
    text = line.format(value) + "\n"
    assert redact(text) == line.format(REDACTED) + "\n"


def test_default_snmp_communities_variables_and_prose_stay() -> None:
    """``public`` and ``private``, the defaults every scanner tries first, are no secret: kept,
    a review can point them out. A template's or a variable's value, and prose about the
    commands (the value not the line's last word), stay too."""
    kept = (
        "snmp-server community public RO\n"
        "snmp-server community private RW\n"
        "rocommunity public default\n"
        "com2sec notConfigUser default public\n"
        "enable secret {{ vault_enable_secret }}\n"
        "  - enable secret $ENABLE_SECRET\n"
        "username {{ item.name }} privilege 15 secret {{ item.secret }}\n"
        "username admin password <password>\n"
        "username and password are required\n"
        "enable password authentication in the settings first\n"
        "- enable secret scanning\n"  # a word, its type not given: prose's
        "enable password protection\n"
        "The pre-shared-key statement sets the key.\n"
        "password 7 is the weak type\n"
        "key-string\n"
        'pre-shared-key ascii-text "$PSK";\n'
    )
    text = kept + f"enable secret {SECRET}\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


def test_a_device_configuration_secret_is_not_in_a_completion_prompt() -> None:
    config = f"hostname edge-1\n!\nenable secret 9 {SECRET}\n!\nusername ops privilege 15 secret 0 {SECRET}\n!\nline vty 0 4\n"
    assert_not_in_prompts(config, "line vty")


# -- Redis, .pgpass, sudo -S ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"requirepass {SECRET}\n",
        f"masterauth {SECRET}\n",
        f"    command: redis-server --requirepass {SECRET} --appendonly yes\n",
        f'redis-cli CONFIG SET requirepass "{SECRET}"\n',
        f"db.example.com:5432:app:app_user:{SECRET}\n",
        f"*:*:*:postgres:{SECRET}\n",
        f'echo "db:5432:app:app:{SECRET}" > ~/.pgpass\n',
        f"RUN echo 'localhost:6432:*:pgbouncer:{SECRET}' >> /root/.pgpass\n",
        f'printf "localhost:5432:app:app:{SECRET}\\n" >> ~/.pgpass\n',
        f"echo {SECRET} | sudo -S apt-get update\n",
        f"echo '{SECRET}' | sudo -kS systemctl restart app\n",
        f'echo "{SECRET}" | sudo -E -S make install\n',
    ],
)
def test_a_redis_pgpass_or_sudo_password_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_their_variables_placeholders_and_lookalikes_stay() -> None:
    """A variable passed on, the manual's fields, and colon-separated values that are no
    .pgpass line: an IPv6 or MAC address, a time; ``sudo`` without ``-S`` reads no password."""
    kept = (
        "requirepass $REDIS_PASSWORD\n"
        "    command: redis-server --requirepass ${REDIS_PASSWORD}\n"
        'echo "db:5432:app:app:$PGPASSWORD" > ~/.pgpass\n'
        "hostname:port:database:username:password\n"
        "*:*:*:*:password\n"
        "addr = fe80:0:0:0:0:0:0:1\n"
        "mac = 00:1a:2b:3c:4d:5e\n"
        "at 12:30:45:120\n"
        "stamp = 2024:01:31:12:30\n"
        "nobody:*:-2:-2:Unprivileged User:/var/empty:/usr/bin/false\n"  # a passwd line
        "daemon:*:1:1:System Services:/var/root:/usr/bin/false\n"
        'echo "$SUDO_PASSWORD" | sudo -S true\n'
        "echo 1 | sudo tee /proc/sys/net/ipv4/ip_forward\n"
        'echo "deb https://x stable main" | sudo tee -a /etc/apt/sources.list\n'
        "echo y | sudo -s\n"
    )
    text = kept + f"requirepass {SECRET}\n"
    assert redact(text) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize(
    "line",
    [
        f"requirepass {SECRET}\n",
        f"echo 'db:5432:app:app:{SECRET}' > ~/.pgpass\n",
        f"echo '{SECRET}' | sudo -S ls\n",
    ],
)
def test_those_are_not_in_a_completion_prompt(line: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


# -- time -----------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "connect users": repeated("connect a/"),
    "connect lines without an end": repeated("\nCONNECT a/b c"),
    "a connect password without an end": "connect a/" + "b" * LINE_SIZE + " x",
    "quoted connects": repeated('"conn a/'),
    "rman targets": repeated("rman target a/"),
    "rman words": repeated("rman "),
    "userid values": repeated("userid=a/"),
    "exp logons": repeated("exp a/b "),
    "imp users": repeated("imp a/"),
    "jdbc logons": repeated("jdbc:oracle:thin:a/"),
    "username words": "username a" + repeated(" b") + " password",
    "usernames": repeated("username a password b c "),
    "enable secrets": repeated("enable secret "),
    "type 7 passwords": repeated("password 7 "),
    "tacacs hosts": "tacacs-server host a" + repeated(" b"),
    "pre-shared-key options": repeated("pre-shared-key local "),
    "secret-data quotes": repeated('"a"'),
    "snmp communities": repeated("snmp-server community a "),
    "com2sec words": repeated("com2sec a b "),
    "requirepass words": repeated("requirepass "),
    "pgpass fields": repeated("a:5432:"),
    "pgpass lines without an end": repeated("a:1:b:c:d:"),
    "pgpass escapes": "a:1:b:c:" + repeated("\\:"),
    "echo pipes into sudo": repeated("echo a | sudo -k "),
    "echoes before sudo": repeated("echo ") + "| sudo -S",
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
