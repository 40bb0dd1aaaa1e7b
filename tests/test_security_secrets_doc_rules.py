"""Each rule docs/redaction.md lists that no test held in the form the page gives: written
here as the page writes it, with a FAKE secret (``S``) where the page has ``…``."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact

S = "Zq8xw3-S3cret-77"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "9f8e7d6c5b4a3928" * 2

REDACTED_FORMS = {
    "pip-index-url-token": "pip install --index-url https://" + S + "@pypi.example.com/simple pkg\n",
    "encryption-key": "ENCRYPTION_KEY=" + S + "\n",
    "flask-secret-key": "app.config['SECRET_KEY'] = \"" + S + "\"\n",
    "environ-item": 'os.environ["API_KEY"] = "' + S + '"\n',
    "environ-setdefault": 'os.environ.setdefault("API_KEY", "' + S + '")\n',
    "dockerfile-env": "ENV DB_PASSWORD " + S + "\n",
    "makefile-default": "DB_PASSWORD ?= " + S + "\n",
    "docker-login-stdin": 'echo "' + S + '" | docker login --username deploy --password-stdin\n',
    "setx": "setx DB_PASSWORD " + S + "\n",
    "set-environment-variable": '[Environment]::SetEnvironmentVariable("DB_PASSWORD", "' + S + '", "User")\n',
    "mysql-p": "mysql -u root -p" + S + " app\n",
    "oc-login": "oc login -u developer -p " + S + " https://api.example.com:6443\n",
    "schtasks-rp": "schtasks /create /tn backup /tr backup.cmd /ru admin /rp " + S + "\n",
    "gh-secret-body": "gh secret set API_KEY --body " + S + "\n",
    "smbclient-u": "smbclient //fs.example.com/share -U deploy%" + S + "\n",
    "auth-token-flag": "sentry-cli --auth-token " + S + " releases list\n",
    "npm-config-auth-token": "npm config set //registry.example.com/:_authToken " + S + "\n",
    "git-config-github-token": "git config --global github.token " + S + "\n",
    "dotnet-user-secrets": 'dotnet user-secrets set "Db:Password" "' + S + '"\n',
    "poetry-http-basic": "poetry config http-basic.internal deploy " + S + "\n",
    "mc-alias-set": "mc alias set minio https://minio.example.com admin " + S + "\n",
    "net-user": "net user deploy " + S + " /add\n",
    "chpasswd": 'echo "deploy:' + S + '" | chpasswd\n',
    "vault-login": "vault login " + S + "\n",
    "impdp": "impdp scott/" + S + "@orcl directory=dp dumpfile=app.dmp\n",
    "rman-target": "rman target sys/" + S + "@orcl\n",
    "oracle-userid": "exp userid=scott/" + S + " file=app.dmp\n",
    "sqlplus-connect": "CONNECT scott/" + S + "\n",
    "jdbc-oracle-thin": 'url = "jdbc:oracle:thin:scott/' + S + '@db.example.com:1521:orcl"\n',
    "rabbitmqctl-add-user": "rabbitmqctl add_user deploy " + S + "\n",
    "psftp-pw": "psftp -pw " + S + " deploy@files.example.com\n",
    "pgpass": "db.example.com:5432:app:deploy:" + S + "\n",
    "smtplib-login": 'server.login("me", "' + S + '")\n',
    "superagent-auth": 'request.get(url).auth("me", "' + S + '")\n',
    "pdo": '$db = new PDO($dsn, "root", "' + S + '");\n',
    "go-plain-auth": 'auth := smtp.PlainAuth("", "me", "' + S + '", host)\n',
    "mysqldb-connect": 'db = MySQLdb.connect(host, user, "' + S + '", db)\n',
    "ftplib-ftp": 'ftp = FTP(host, user, "' + S + '")\n',
    "phpredis-auth": '$redis->auth("' + S + '");\n',
    "phpredis-auth-acl": '$redis->auth(["user", "' + S + '"]);\n',
    "dotnet-authentication-google-key": '{"Authentication": {"Google": {"Key": "' + S + '"}}}\n',
    "curl-user-in-list": 'subprocess.run(["curl", "--user", "deploy:' + S + '", url])\n',
    "httpie-auth-item": '{"default_options": ["--auth=deploy:' + S + '"]}\n',
    "gcloud-secrets-create": 'echo -n "' + S + '" | gcloud secrets create NAME --data-file=-\n',
    "passphrase-between-tags": "<password>correct horse battery staple</password>\n",
}
#: Where the secret is not ``S`` (a passphrase of words, a Twilio pair, a secret in parts).
OTHER_SECRETS = {
    "passphrase-between-tags": ("correct horse battery staple",),
    "twilio-client": (TWILIO_TOKEN,),
}
REDACTED_FORMS["twilio-client"] = 'client = Client("' + TWILIO_SID + '", "' + TWILIO_TOKEN + '")\n'


@pytest.mark.parametrize("name", REDACTED_FORMS)
def test_a_form_the_page_lists_is_redacted(name: str) -> None:
    text = REDACTED_FORMS[name]
    expected = text
    for secret in OTHER_SECRETS.get(name, (S,)):
        expected = expected.replace(secret, REDACTED)
    assert redact(text) == expected


def test_a_secret_in_parts_in_rspec_s_let_is_redacted_whole() -> None:
    out = redact('let(:password) { "pass" + "word123" }\n')
    assert "word123" not in out and "pass" + '"' not in out, out


KEPT = (
    "var token: String? = null\n",
    "password = cached ?: fetch()\n",
    'styles = {Token: "bold #000080"}\n',
    "'password' => 'required|string|min:8',\n",
    "password = 'xxx'\n",
    '{"LockToken": "opaquelocktoken:5f2c1b7e-8d3a-4e6f-9a0b"}\n',
    'token_placement = "header"\n',
    "SEC_E_INVALID_TOKEN: Final = -2146893048\n",
    'tokenKey = "com.example.app.token"\n',
    'conn = f"DRIVER={{ODBC Driver 18}};UID=sa;PWD={{{pw}}}"\n',
    "const conn = `DRIVER=x;UID=sa;PWD={${pw}}`;\n",
    "export DB_PASSWORD=$(cat /run/secrets/db_password)\n",
    "      POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}\n",
    'password = "abc" + suffix\n',
)


@pytest.mark.parametrize("text", KEPT)
def test_what_the_page_says_stays_is_sent_as_written(text: str) -> None:
    assert redact(text) == text
