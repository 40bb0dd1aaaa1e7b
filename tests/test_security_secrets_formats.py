"""Secrets in formats no key name gives away: Kubernetes Secret manifests (``data:`` values under
neutral keys), webhook URLs (the URL is the credential), SendGrid and PyPI tokens, Docker's
``auth``; and the ordinary code around such formats, which must stay as it is."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from deepseek_lsp import privacy
from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import inline_params, lsp_session, open_doc, server_env

FIM = "/beta/completions"


def _count(text: str) -> int:
    return len(text) // 3 + 1


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


DB_PASSWORD = "Tr0ub4dor-and-3"
DOCKER = '{"auths":{"registry.example.com":{"auth":"' + b64("deploy:Regi5try-Pass") + '"}}}'

SECRET_MANIFEST = f"""apiVersion: v1
kind: Secret
metadata:
  name: app-credentials
  labels:
    app: web
type: Opaque
data:
  username: {b64("admin")}
  db-password: {b64(DB_PASSWORD)}
  .dockerconfigjson: {b64(DOCKER)}
  settings.ini: |
    {b64("[db]")}
    {b64("pass=" + DB_PASSWORD)}
stringData:
  api-endpoint-credential: {DB_PASSWORD}
  config.yaml: |
    url: https://api.example.com
    signing: {DB_PASSWORD}
"""

SECRET_VALUES = [b64("admin"), b64(DB_PASSWORD), b64(DOCKER), b64("pass=" + DB_PASSWORD), DB_PASSWORD]


def leaked(text: str) -> list[str]:
    return [v for v in SECRET_VALUES if v in text]


# -- Kubernetes Secret manifests -----------------------------------------------------------------


def test_the_values_of_a_kubernetes_secret_are_redacted_and_its_shape_kept() -> None:
    out = redact(SECRET_MANIFEST, keep_lines=True)
    assert leaked(out) == [], out
    assert out.count("\n") == SECRET_MANIFEST.count("\n")
    # What tells the model what the file is stays: the keys, the metadata.
    for kept in ("kind: Secret", "  name: app-credentials", "    app: web", "  username: ", "  .dockerconfigjson: "):
        assert kept in out
    assert f"  db-password: {REDACTED}\n" in out


def test_a_tls_secret_keeps_its_certificate() -> None:
    """A certificate is public, as elsewhere (``LS0tLS1CRUdJTi...`` keys go, certificates stay)."""
    cert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----"
    text = (
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n"
        + "".join(f"    {line}\n" for line in cert.splitlines())
        + f"  ca.crt: {b64(cert)}\n  token: {DB_PASSWORD}\n"
    )
    out = redact(text)
    assert DB_PASSWORD not in out and f"  token: {REDACTED}" in out
    assert cert.splitlines()[1] in out and b64(cert) in out


def test_a_secret_listed_by_kubectl_has_its_data_before_its_kind() -> None:
    """``kubectl get secret -o yaml`` sorts the keys: ``data`` comes before ``kind``."""
    text = (
        f"apiVersion: v1\ndata:\n  password: {b64(DB_PASSWORD)}\n  user: {b64('admin')}\nkind: Secret\n"
        "metadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n"
        f'      {{"apiVersion":"v1","data":{{"password":"{b64(DB_PASSWORD)}"}},"kind":"Secret","metadata":{{"name":"db"}}}}\n'
        "  name: db\ntype: Opaque\n"
    )
    out = redact(text)
    assert leaked(out) == [], out
    assert "  name: db\n" in out

def test_a_secret_inside_a_list_or_a_task_is_redacted() -> None:
    """``kubectl get secrets -o yaml`` prints a ``kind: List`` whose items are the Secrets, and
    an Ansible task holds one under ``definition:``: their ``kind`` lines are indented, and
    every value went out."""
    config_map = "- apiVersion: v1\n  data:\n    region: eu-west-1\n  kind: ConfigMap\n"
    listed = (
        f"apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    password: {b64(DB_PASSWORD)}\n"
        f"    user: {b64('admin')}\n  kind: Secret\n  metadata:\n    name: db\n{config_map}"
        "kind: List\nmetadata:\n  resourceVersion: ''\n"
    )
    task = (
        "- name: store the password\n  kubernetes.core.k8s:\n    definition:\n      apiVersion: v1\n"
        f"      kind: Secret\n      stringData:\n        password: {DB_PASSWORD}\n      metadata:\n        name: db\n"
    )
    for text in (listed, task):
        out = redact(text, keep_lines=True)
        assert leaked(out) == [], out
        assert out.count("\n") == text.count("\n") and "name: db\n" in out
    assert config_map in redact(listed), "a ConfigMap's data is no secret"


def test_a_secret_in_json_is_redacted() -> None:
    text = json.dumps(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": {"config.json": b64(DOCKER)}},
        indent=2,
    )
    out = redact(text)
    assert leaked(out) == [] and '"name": "db"' in out, out


def test_only_the_secret_of_a_multi_document_file_is_redacted() -> None:
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: debug\n  region: eu-west-1\n"
    helm = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n"
        "  password: {{ .Values.password | b64enc | quote }}\n"
    )
    for eol in ("\n", "\r\n"):
        text = (config_map + "---\n" + SECRET_MANIFEST + "---\n" + helm).replace("\n", eol)
        out = redact(text)
        assert leaked(out) == []
        assert out.startswith(config_map.replace("\n", eol)), "a ConfigMap's data is no secret"
        assert out.endswith(helm.replace("\n", eol)), "a template names where the value comes from"


@pytest.mark.parametrize("line", [12, 10, 17, 19])
def test_no_value_of_a_secret_manifest_is_in_a_completion_prompt(line: int) -> None:
    """The prompt's window and its suffix are redacted apart: the ``kind: Secret`` line is in
    the window, the data entries after the cursor in the suffix (and the other way round)."""
    for text in (SECRET_MANIFEST, _kubectl_order(SECRET_MANIFEST)):
        doc = Document("file:///w/deploy/app-secret.yaml", text)
        offset = len("".join(text.splitlines(keepends=True)[:line])) + 4
        fim = build_fim_prompt(doc, offset, budget=2000, suffix_share=0.5, count=_count)
        assert leaked(fim.prompt + "\x00" + fim.suffix) == [], (fim.prompt, fim.suffix)


def test_no_value_is_sent_while_the_kind_line_is_typed() -> None:
    """The cursor in the middle of ``kind: Secret``: neither half says Secret on its own."""
    for text in (SECRET_MANIFEST, _kubectl_order(SECRET_MANIFEST)):
        doc = Document("file:///w/deploy/app-secret.yaml", text)
        offset = text.index("kind: Secret") + len("kind: Sec")
        fim = build_fim_prompt(doc, offset, budget=2000, suffix_share=0.5, count=_count)
        assert leaked(fim.prompt + "\x00" + fim.suffix) == [], (fim.prompt, fim.suffix)


def test_a_prompt_window_starting_inside_a_secrets_data_sends_no_value() -> None:
    """The ``kind: Secret`` line above the window: the values in it looked like any YAML's."""
    doc = Document("file:///w/deploy/app-secret.yaml", SECRET_MANIFEST)
    starts = set()
    for budget in range(20, 400, 5):
        fim = build_fim_prompt(doc, len(SECRET_MANIFEST), budget=budget, suffix_share=0.5, count=_count)
        starts.add(fim.window_start)
        assert leaked(fim.prompt) == [], (budget, fim.prompt)
    assert len([s for s in starts if s > SECRET_MANIFEST.index("data:")]) > 3, "windows started inside the data"


def _kubectl_order(manifest: str) -> str:
    head, _, rest = manifest.partition("kind: Secret\n")
    return head + rest + "kind: Secret\n"


async def test_a_kubernetes_secret_being_edited_is_not_sent(tmp_path: Path) -> None:
    """End to end: a suggestion asked for in the middle of a Secret's ``data:`` block."""
    lines = SECRET_MANIFEST.splitlines()
    line = lines.index(f"  username: {b64('admin')}")
    with FakeDeepSeek() as fake:
        fake.responder(lambda body: "", path=FIM)
        fake.api_key = "sk-test-0123456789"
        env = server_env(fake.url, api_key=fake.api_key, state_dir=str(tmp_path))
        settings = {"completion": {"debounce": 0, "prefetch": False}}
        async with lsp_session(env, settings=settings) as client:
            uri = "file:///ws/deploy/app-secret.yaml"
            open_doc(client, uri, SECRET_MANIFEST, language="yaml")
            await client.text_document_inline_completion_async(inline_params(uri, line, len(lines[line]), invoked=True))
    sent = [json.dumps(r.json) for r in fake.requests if r.path == FIM and r.json]
    assert sent, "a completion was asked for"
    assert all(leaked(body) == [] for body in sent), sent


# -- tokens and URLs that are credentials themselves -----------------------------------------------------

SLACK = "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/Xy12abCD34efGH56ijKL78mn"
DISCORD = "https://discord.com/api/webhooks/123456789012345678/" + "aB3_dE-6" * 8
SENDGRID = "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"
SAS_URL = (
    "https://acct.blob.core.windows.net/backups/db.dump?sv=2022-11-02&ss=b&srt=o&sp=r"
    "&se=2030-01-01T00:00:00Z&spr=https&sig=q1W2e3R4t5Y6u7I8o9P0aSdFgHjKlZxCvBnM%2Bq1W2e3R%3D"
)
PYPI = "pypi-AgEIcHlwaS5vcmcCJDU1MTNmNzYwLTI0MjMtNDYyZi1iZWE3LTk0ZjI3YmU5YjNjZAACKlszLCJhYmMiXQAABiBxyz0"


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (f'requests.post("{SLACK}", json={{"text": msg}})\n', SLACK.rsplit("services/", 1)[1], "https://hooks.slack.com/services/"),
        (f"notify:\n  webhook: {SLACK}\n", "T0ABCDEF1/B0ABCDEF2", "hooks.slack.com"),
        (f'hook = Webhook.from_url("{DISCORD}")\n', "aB3_dE-6", "discord.com/api/webhooks/123456789012345678/"),
        (f'sg = SendGridAPIClient("{SENDGRID}")\n', SENDGRID, "SendGridAPIClient("),
        (f"twine upload -u __token__ -p {PYPI} dist/*\n", PYPI[5:], "twine upload -u __token__ -p "),
        (f"python -m twine upload --password {PYPI} dist/*\n", PYPI[5:], "--password "),
        (f"cfg = '{DOCKER}'\n", b64("deploy:Regi5try-Pass"), '"auth":"'),
        (f'blob = BlobClient.from_blob_url("{SAS_URL}")\n', "q1W2e3R4t5Y6u7I8o9P0", "&sig="),
        (f'SAS = "{SAS_URL.split("?")[1]}"\n', "q1W2e3R4t5Y6u7I8o9P0", "&sig="),
    ],
)
def test_credentials_that_no_key_name_announces_are_redacted(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out and REDACTED in out, out
    assert kept in out


@pytest.mark.parametrize(
    "text",
    [
        # nodemailer's transport, as its documentation writes it
        'nodemailer.createTransport({ host: "smtp.example.com", auth: { user: "me@example.com", pass: "Mai1-App-Pass" } });\n',
        "services:\n  app:\n    environment:\n      SMTP_PASS: Mai1-App-Pass\n",
        "environment:\n  - DB_PASS=Mai1-App-Pass\n",
        'DB_CONFIG = {"user": "app", "pass": "Mai1-App-Pass"}\n',
        "mongo:\n  user: app\n  pass: Mai1-App-Pass\n",
    ],
)
def test_a_password_named_pass_is_redacted(text: str) -> None:
    out = redact(text)
    assert "Mai1-App-Pass" not in out and REDACTED in out, out


def test_a_secret_under_a_yaml_key_naming_secrets_is_redacted_and_the_keys_stay() -> None:
    """The first key under ``credentials:`` was taken for its value and redacted: the password
    after it went out, and the model saw ``secrets:\n  [REDACTED]`` in every compose file."""
    for parent in ("credentials", "secrets", "auth_token"):
        text = f"{parent}:\n  password: {DB_PASSWORD}\n  username: admin\n"
        assert redact(text) == text.replace(DB_PASSWORD, REDACTED)
    text = (
        "secrets:\n  db_password:\n    file: ./db_password.txt\n"
        "credentials:\n  username: admin\n"
        "secret:\n  enabled: true\n"
    )
    assert redact(text) == text


def test_ordinary_code_near_these_formats_stays() -> None:
    text = (
        "msg.SG.send(msg)  # a field named SG\n"
        'SG.ROUTE = "SG.default"\n'
        'sha256 = "d2a84f4b8b650937ec8f73cd8be2c74add5a911ba64df27458ed8229da804a26"\n'
        'integrity = "sha512-3PjWYnmHMxGt1ZfmA2vEcQT40uPWzr6ZqNWbc5xZbRDDrVN1fl6Ae2F0E2r3g8y3FyKHMYTTr1pRKe6sV+Bk3g=="\n'
        'uuid = "123e4567-e89b-12d3-a456-426614174000"\n'
        'version = "pypi-release"\n'
        'docs = "https://api.slack.com/messaging/webhooks"\n'
        "sig = inspect.signature(fn)\nverify(sig=sig, key=public_key_pem)\n"
        'proxy = {"auth": "basic", "auth_type": "none"}\n'
        'registry = {"auth": "YWRtaW4="}  # base64 of a word with no colon\n'
        "data:\n  username: admin\n  password_hint: ask the admin\n"
        "try:\n    run()\nexcept OSError:\n    pass\n"
        "bypass = cache_disabled\nPASSENGER_LIMIT = 123456\ncompass: heading_north\n"
        "pass: boolean;\nif (pass) { pass = false; }\n"
    )
    assert redact(text) == text


HEX32 = "0123456789abcdef" * 2


@pytest.mark.parametrize(
    "token",
    [
        "GOCSPX-" + "aB3dE_6hIj9kLm2nOp5qRs8t",  # Google OAuth client secret
        "ya29." + "a0AfB_byC3dE6fGh9iJk2lMn5oPq8rSt1uVw4xYz7",  # Google access token
        "1//0" + "gAbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_aB",  # Google refresh token
        "SK" + HEX32,  # Twilio API key
        "key-" + HEX32,  # Mailgun
        "shpat_" + HEX32,  # Shopify
        "ATATT3" + "xFfGF0" + "aB3dE_6hIj9kLm2nOp5qRs8tUv1wXy4zA7" * 2 + "=0A1B2C3D",  # Atlassian
        "dapi" + HEX32,  # Databricks
        "dop_v1_" + HEX32 * 2,  # DigitalOcean
    ],
)
def test_well_known_prefixed_tokens_are_redacted(token: str) -> None:
    """Each went out whole unless the name it was assigned to gave it away."""
    for text in (f'client = Client("{token}")\n', f"  - deploy --auth {token} --region eu\n"):
        out = redact(text)
        assert token[8:] not in out and REDACTED in out, out
        assert privacy.has_trigger(text) or "SK" in text, "the quick path finds it"
        rest = text.split(token)
        assert out == rest[0] + REDACTED + rest[1], "the code around it stays"


def test_code_that_only_looks_like_those_prefixes_stays() -> None:
    text = (
        "TASK_ID = compute(1)\nif key_len:\n    monkey-patch\n"
        "ratio = 1//0x10\ndapi_client = make_client()\nschema = 'ya29.docs'\n"
        f"checksum = 'sha256-{HEX32}'\n"
    )
    assert redact(text) == text


# -- passwords on command lines ---------------------------------------------------------------------

CLI_PASSWORD = "S3cret-Pa55"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"curl -u admin:{CLI_PASSWORD} https://api.example.com\n", "curl -u admin:"),
        (f'curl -fsS --user "deploy:{CLI_PASSWORD}" -o out.tgz "$URL"\n', '--user "deploy:'),
        (f"\tmysql -h db -u root -p{CLI_PASSWORD} app < schema.sql\n", "-u root -p"),
        (f'  - run: mysqldump -uroot -p"{CLI_PASSWORD}" app > dump.sql\n', '-uroot -p"'),
        (f"sshpass -p {CLI_PASSWORD} ssh deploy@host ./release.sh\n", "sshpass -p "),
        (f"RUN docker login -u ci -p '{CLI_PASSWORD}' registry.example.com\n", "docker login -u ci -p '"),
        (f"backup-tool --user ops --password {CLI_PASSWORD} --target s3\n", "--password "),
        (f"gpg --batch --passphrase {CLI_PASSWORD} -d secrets.gpg\n", "--passphrase "),
    ],
)
def test_a_password_on_a_command_line_is_redacted(text: str, kept: str) -> None:
    """Shell scripts, Makefiles, CI steps and Dockerfiles: the value after the flag went out."""
    out = redact(text)
    assert CLI_PASSWORD not in out and REDACTED in out, out
    assert kept in out and out == text.replace(CLI_PASSWORD, REDACTED)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"redis-cli -h cache -p 6379 -a {CLI_PASSWORD} FLUSHALL\n", "-p 6379 -a "),
        (f"openssl enc -aes-256-cbc -salt -k {CLI_PASSWORD} -in db.sql -out db.enc\n", "-salt -k "),
        (f"openssl rsa -in key.pem -passin pass:{CLI_PASSWORD} -out plain.pem\n", "-passin pass:"),
        (f"htpasswd -b -c /etc/nginx/.htpasswd admin {CLI_PASSWORD}\n", "/etc/nginx/.htpasswd admin "),
        (f"htpasswd -nbB admin '{CLI_PASSWORD}' > users\n", "-nbB admin '"),
        (f'os.system("htpasswd -b -C 12 users.txt ops {CLI_PASSWORD}")\n', 'ops [REDACTED]")'),
        (f"mongosh --host db -u root -p {CLI_PASSWORD} admin\n", "-u root -p "),
        (f"ldapsearch -x -D cn=admin,dc=ex -w {CLI_PASSWORD} -b dc=ex\n", "dc=ex -w "),
        (f"smbclient //files/share -U backup%{CLI_PASSWORD} -c ls\n", "-U backup%"),
        (f"net use Z: \\\\files\\share /user:CORP\\backup {CLI_PASSWORD} /persistent:no\n", "/user:CORP\\backup "),
    ],
)
def test_a_password_given_to_other_clients_on_a_command_line_is_redacted(text: str, kept: str) -> None:
    """Redis, OpenSSL, htpasswd, MongoDB, LDAP, Samba and Windows shares: the password after
    each one's own flag (or in its own place) went out."""
    out = redact(text)
    assert CLI_PASSWORD not in out and kept in out, out
    assert out == text.replace(CLI_PASSWORD, REDACTED)
    assert privacy.has_trigger(text), "the quick path finds it"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f'subprocess.run(["mysql", "-uroot", "-p{CLI_PASSWORD}", "app"])\n', '"-p'),
        (f"subprocess.check_call(['backup-tool', '--password', '{CLI_PASSWORD}'])\n", "'--password', '"),
        (f'args = ["-fsS", "-u", "deploy:{CLI_PASSWORD}", url]\n', '"-u", "deploy:'),
        (f'spawn("gh-sync", ["--token", "{CLI_PASSWORD}", "--repo", repo]);\n', '["--token", "'),
        (f'cmd = [\n    "vault-tool",\n    "--client-secret",\n    "{CLI_PASSWORD}",\n]\n', '"--client-secret",\n    "'),
    ],
)
def test_a_password_in_an_argument_list_is_redacted(text: str, kept: str) -> None:
    """The same flags, each argument quoted in a list (``subprocess.run``, Node's ``spawn``)."""
    out = redact(text)
    assert CLI_PASSWORD not in out and kept in out, out
    assert out == text.replace(CLI_PASSWORD, REDACTED)
    assert privacy.has_trigger(text), "the quick path finds it"


def test_argument_lists_and_commands_without_a_password_stay() -> None:
    text = (
        'subprocess.run(["docker", "exec", "-u", "1000:1000", name])\n'
        'subprocess.run(["docker", "exec", "-u", "www-data:www-data", name])\n'
        'subprocess.run(["mysql", "-p", "-h", host])\n'
        'run(["tool", "--password", password, "--token", os.environ["TOKEN"]])\n'
        'run(["tool", "--no-password", "--token", "-"])\n'
        'args = ["--password", "PASSWORD", "--token", "${TOKEN}"]\n'
        "redis-cli -a \"$REDIS_PASSWORD\" ping\n"
        "openssl enc -d -aes-256-cbc -kfile key.txt -in db.enc\n"
        "htpasswd -c /etc/nginx/.htpasswd admin  # asks for it\n"
        "htpasswd -b /etc/nginx/.htpasswd admin \"$ADMIN_PASSWORD\"\n"
        "mongosh -u root -p --authenticationDatabase admin\n"
        "ldapsearch -x -W -D cn=admin -b dc=ex\n"
        "smbclient //files/share -U backup -c ls\n"
        "net use Z: \\\\files\\share /user:CORP\\backup * /persistent:no\n"
        "from OpenSSL import crypto\n"
    )
    assert redact(text) == text


def test_command_lines_without_a_password_stay() -> None:
    text = (
        "mkdir -p build/out\n"
        'mysql -u root -p"$MYSQL_ROOT_PASSWORD" -h "${DB_HOST}" app\n'
        "mysql -u root -p app  # asks for it\n"
        'curl -u "$API_USER:$API_PASS" https://api.example.com\n'
        "curl --user ${{ secrets.USER }}:${{ secrets.PASS }} https://x\n"
        "docker run -u 1000:1000 image\n"
        'echo "$TOKEN" | docker login -u ci --password-stdin registry.example.com\n'
        "sshpass -f ~/.pw ssh host\n"
        "  --password PASSWORD   the account's password\n"
        "tool --password <password>\n"
        'parser.add_argument("--password", help="the password")\n'
    )
    assert redact(text) == text


def test_a_window_starting_among_a_secrets_data_far_below_its_kind_sends_no_value() -> None:
    """A large entry (a kubeconfig, a bundle of certificates) between ``kind: Secret`` and the
    prompt's window: more than the lines looked at above it, and the entries below went out."""
    big = b64("x" * 6000)
    text = (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  bundle.json: {big}\n"
        f"  username: {b64('admin')}\n  .dockerconfigjson: {b64(DOCKER)}\n"
    )
    doc = Document("file:///w/k8s/secret.yaml", text)
    for cursor in (len(text) - 1, text.index("  .dockerconfigjson")):  # the values in the suffix too
        fim = build_fim_prompt(doc, cursor, budget=200, suffix_share=0.5, count=_count)
        assert fim.window_start > text.index("bundle.json") + 4096, "the window starts below the big entry"
        sent = fim.prompt + fim.suffix
        assert b64("admin") not in sent and b64(DOCKER) not in sent, sent
        assert "  username: " in sent and "  .dockerconfigjson: " in sent, "the keys stay"


def test_an_indented_map_far_below_an_ordinary_manifest_stays() -> None:
    config = "\n".join(f"  key{i}: {b64(str(i) * 40)}" for i in range(200))
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n{config}\n"
    doc = Document("file:///w/k8s/config.yaml", text)
    fim = build_fim_prompt(doc, len(text) - 1, budget=200, suffix_share=0.1, count=_count)
    assert REDACTED not in fim.prompt and "key199: " + b64("199" * 40)[:20] in fim.prompt
