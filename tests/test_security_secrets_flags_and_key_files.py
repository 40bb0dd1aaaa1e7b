"""Secrets the redactor still sent (round 18): a tool's password after options that take a value
(``sudo -u app -S … <<< …``), tools that take it as a positional word (``x11vnc -storepasswd
PASS FILE``, ``mosquitto_passwd -b FILE USER PASS``), NetworkManager's WEP keys and 802.1X
passwords."""

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

# -- tools' passwords ----------------------------------------------------------------------------------------

TOOLS = [
    f"sudo -u app -S systemctl restart app <<< {SECRET}\n",
    f"sudo -u app -H -S make install <<< '{SECRET}'\n",
    f'sudo -g wheel -S ls /root <<< "{SECRET}"\n',
    f"sudo --user=app -S ls <<< {SECRET}\n",
    f"sudo -p '' -S -u app ls <<< {SECRET}\n",
    f"echo {SECRET} | sudo -u app -S ls /root\n",
    f"echo '{SECRET}' | sudo -p '' -S apt-get update\n",
    f"x11vnc -storepasswd {SECRET} ~/.vnc/passwd\n",
    f"x11vnc -storepasswd '{SECRET}' /etc/x11vnc.pass\n",
    f"mosquitto_passwd -b /etc/mosquitto/passwd sensor {SECRET}\n",
    f"mosquitto_passwd -c -b passwd sensor '{SECRET}'\n",
    f"mosquitto_passwd -I 101 -b passwd sensor {SECRET}\n",
    f"nmcli con modify Home wifi-sec.key-mgmt none wifi-sec.wep-key0 {SECRET}\n",
    f"nmcli connection modify Home 802-11-wireless-security.wep-key2 '{SECRET}'\n",
    f"nmcli con mod Home wifi-sec.leap-password {SECRET}\n",
    f"nmcli con mod Work 802-1x.private-key-password {SECRET}\n",
    f"nmcli con mod Work 802-1x.phase2-private-key-password {SECRET}\n",
    f"nmcli con mod Mobile gsm.password {SECRET}\n",
]


@pytest.mark.parametrize("text", TOOLS)
def test_a_tools_password_is_redacted(text: str) -> None:
    """The command and its options stay (what the line does); the password went out."""
    assert_redacted(text)


@pytest.mark.parametrize("line", TOOLS[::4])
def test_a_tools_password_is_not_in_a_completion_prompt(line: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


def test_what_asks_for_the_password_or_names_it_stays() -> None:
    """No password on the line: the tool asks for it (one word after ``-storepasswd``, no
    ``-b``), or a variable names it."""
    kept = (
        "sudo -u app systemctl restart app\n"
        'sudo -u app -S ls <<< "$SUDO_PASSWORD"\n'
        "x11vnc -storepasswd ~/.vnc/passwd\n"
        "x11vnc -storepasswd\n"
        "mosquitto_passwd -c /etc/mosquitto/passwd sensor\n"
        "mosquitto_passwd -U /etc/mosquitto/passwd\n"
        'mosquitto_passwd -b passwd sensor "$MQTT_PASSWORD"\n'
        "nmcli con mod Home wifi-sec.wep-key-type key\n"
        "nmcli con mod Home wifi-sec.wep-key0 $WEP_KEY\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- flags ----------------------------------------------------------------------------------------------

FLAGS = [
    f"az storage blob upload --account-name acct --account-key {SECRET} -f app.zip\n",
    f"aws secretsmanager create-secret --name prod/db --secret-string {SECRET}\n",
    f"meilisearch --master-key '{SECRET}' --env production\n",
    f"mytool --api-key {SECRET} --region eu\n",
    f'cli login --client-secret "{SECRET}" --client-id 42\n',
    f"minio-client --access-key admin --secret-key {SECRET}\n",
    f"kubectl --token {SECRET} get pods\n",
    f"gitlab-runner register --url https://gitlab.example.com --registration-token {SECRET}\n",
    f"keycloak --admin-password {SECRET}\n",
    f"./configure-db --db-password '{SECRET}'\n",
    f"psexec \\\\host -u admin -p {SECRET} cmd\n",
    f"cqlsh -u cassandra -p {SECRET} db1 9042\n",
    f"rabbitmqadmin -u admin -p {SECRET} list queues\n",
    f"twine upload -u bob -p {SECRET} dist/*\n",
    f"conan remote login myremote bob -p {SECRET}\n",
    f"dotnet nuget add source https://x/index.json -n x -u bob -p {SECRET} --store-password-in-clear-text\n",
    f"oc login -u admin -p {SECRET} https://api.cluster:6443\n",
    f"schtasks /create /tn Backup /tr backup.bat /sc daily /ru admin /rp {SECRET}\n",
    f"schtasks /query /s host /u admin /p {SECRET}\n",
    f"winrs -r:host -u:admin -p:{SECRET} ipconfig\n",
    f"unrar x -p{SECRET} backup.rar\n",
    f"rar a -hp{SECRET} backup.rar data/\n",
    f"gh secret set DB_PASSWORD --body {SECRET}\n",
    f'gh secret set DB_PASSWORD -b"{SECRET}" --repo org/app\n',
]


@pytest.mark.parametrize("text", FLAGS)
def test_a_secret_flags_value_is_redacted(text: str) -> None:
    assert_redacted(text)


@pytest.mark.parametrize("line", FLAGS[::5])
def test_a_secret_flags_value_is_not_in_a_completion_prompt(line: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


def test_flags_that_name_count_or_ask_stay() -> None:
    """A variable, a setting's ``name=value``, a count, a word of prose, a flag that asks."""
    kept = (
        "mytool --api-key $API_KEY --region eu\n"
        'az storage blob upload --account-key "$(az storage account keys list -o tsv)"\n'
        "docker build --secret id=npmrc,src=$HOME/.npmrc .\n"
        "docker service create --secret db_password_v2 app\n"
        "llm --max-tokens 256 --token-limit 4096\n"
        "pass the --api-key option to authenticate\n"
        "rar a -p backup.rar data/\n"
        "unrar x -p- backup.rar\n"
        "schtasks /create /tn Backup /ru admin /rp * /sc daily\n"
        "gh secret set DB_PASSWORD < secret.txt\n"
        "psexec \\\\host -u admin cmd\n"
        "wget --ask-password https://example.com/f\n"
        "vault login --no-token https://vault.example.com\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- time -----------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "sudo options with values": "sudo" + repeated(" -u a"),
    "sudo commands with values": repeated("sudo -u a -S "),
    "piped sudo options": "echo a | sudo" + repeated(" -u a"),
    "storepasswd flags": "x11vnc" + repeated(" -storepasswd"),
    "mosquitto_passwd words": "mosquitto_passwd -b" + repeated(" a"),
    "nmcli wep keys": "nmcli" + repeated(" wifi-sec.wep-key0"),
    "secret flags": repeated("--api-key "),
    "prefixed flags": "--" + repeated("a-"),
    "password flags": repeated("--admin-password "),
    "psexec commands": repeated("psexec -u a "),
    "psexec flags": "psexec" + repeated(" -p"),
    "schtasks flags": "schtasks" + repeated(" /rp"),
    "winrs flags": repeated("winrs -p:"),
    "rar flags": "rar" + repeated(" -hp"),
    "gh secret set": repeated("gh secret set a -b"),
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
