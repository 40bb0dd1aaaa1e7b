"""Package registries' credentials as users write them: Maven's encrypted passwords, Gradle's
publishing passwords, .npmrc's quoted ``_auth``, a token as a pip index URL's user. Each went
out; what only names one stays."""

from __future__ import annotations

import pytest

from deepseek_lsp import privacy
from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)

#: ``mvn --encrypt-password``'s output (Maven's docs' example) and a longer one.
MAVEN_SHORT = "COQLCE6DU6GtcS5P="
MAVEN_LONG = "jSMOWnoPFgsHVpMvz5VrIt5kRbzGpI8u+9EF1iFQyJQ="
#: ``user:Sup3r-S3cret-77`` in base64, as ``.npmrc``'s ``_auth`` holds it.
NPM_AUTH = "dXNlcjpTdXAzci1TM2NyZXQtNzc="


def assert_only_gone(text: str, secret: str) -> None:
    """``secret`` replaced, the rest of ``text`` as written, and the quick path finds it."""
    assert redact(text, keep_lines=True) == text.replace(secret, REDACTED)
    assert privacy.has_trigger(text)


# -- Maven ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"      <password>{{{MAVEN_SHORT}}}</password>\n", MAVEN_SHORT),
        (
            "  <servers>\n    <server>\n      <id>ossrh</id>\n      <username>deploy</username>\n"
            f"      <password>{{{MAVEN_LONG}}}</password>\n    </server>\n  </servers>\n",
            MAVEN_LONG,
        ),
        # As an IDE formats it, and with the note Maven's docs show before the braces.
        (f"<password>\n  {{{MAVEN_SHORT}}}\n</password>\n", MAVEN_SHORT),
        (f"<password>Oleg reset this password on 2009-03-11 {{{MAVEN_SHORT}}}</password>\n", MAVEN_SHORT),
        # Maven 4's, its cipher named first.
        (f"<password>{{[name=master,cipher=AES/GCM/NoPadding,version=4.0]{MAVEN_LONG}}}</password>\n", MAVEN_LONG),
        # settings-security.xml: the master password, which anyone decrypts (its key is Maven's).
        (f"<settingsSecurity>\n  <master>{{{MAVEN_LONG}}}</master>\n</settingsSecurity>\n", MAVEN_LONG),
    ],
)
def test_a_maven_encrypted_password_is_redacted_inside_its_braces(text: str, secret: str) -> None:
    """It went out whole: braces were taken for JSX's ``{value}``. The braces stay, so the model
    still reads an encrypted password."""
    assert_only_gone(text, secret)


def test_a_maven_encrypted_password_is_not_sent_in_a_prompt() -> None:
    text = "<settings>\n  <servers>\n    <server>\n" f"      <password>{{{MAVEN_LONG}}}</password>\n" "    </server>\n"
    for mark in ("    </server>", "</password>"):  # after the element; before its end tag
        assert_not_in_prompts(text, mark, secret=MAVEN_LONG)


@pytest.mark.parametrize(
    "code",
    [
        "<Password>{passwordValue}</Password>\n",
        "<password>{this.state.password}</password>\n",
        "<PasswordField>{props.token}</PasswordField>\n",
        "<master>{children}</master>\n",
    ],
)
def test_an_expression_in_braces_between_password_tags_stays(code: str) -> None:
    assert redact(code, keep_lines=True) == code


# -- Gradle ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # Groovy DSL: a setter called without ``=`` (nexus-publish's, the signing plugin's).
        f"nexusPublishing {{\n  repositories {{\n    sonatype {{\n      sonatypePassword '{SECRET}'\n",
        f'    signing.password "{SECRET}"\n',
        f"        setPassword '{SECRET}'\n",
        # With brackets: a setter's (Java's too), Kotlin DSL's ``Property.set``.
        f'            credentials.setPassword("{SECRET}")\n',
        f'        dataSource.setPassword("{SECRET}");\n',
        f'            password.set("{SECRET}") // for now\n',
        # gradle.properties, its key and value apart by a space.
        f"signing.keyId=24875D73\nsigning.password {SECRET}\nsigning.secretKeyRingFile=/home/u/.gnupg/secring.gpg\n",
        f"systemProp.https.proxyPassword {SECRET}\r\n",
        f"sonatypePassword {SECRET}\n",
    ],
)
def test_a_gradle_publishing_password_given_without_an_equals_sign_is_redacted(text: str) -> None:
    """Each went out whole: only ``NAME = 'X'``, ``NAME=X`` and ``password 'X'`` were known."""
    assert_redacted(text)


def test_a_gradle_password_is_not_sent_in_a_prompt() -> None:
    text = f"signing {{\n    sign publishing.publications\n}}\nsonatypePassword '{SECRET}'\nversion = '1.0'\n"
    assert_not_in_prompts(text, "version")


@pytest.mark.parametrize(
    "code",
    [
        "    sonatypePassword project.findProperty('sonatypePassword')\n",
        '    sonatypePassword System.getenv("SONATYPE_PASSWORD")\n',
        "    sonatypePassword ossrhPassword\n",
        "    signingPassword 'my-signing-password'\n",
        '        token = getToken("github-app-installation");\n',
        'getSecret("database-connection")\n',
        'apiToken "Enter your token:"\n',
        "password_encryption scram-sha-256\n",
        "auth-user-pass /etc/openvpn/creds.txt\n",
        "signing.secretKeyRingFile /home/u/.gnupg/secring.gpg\n",
        "systemProp.https.proxyPassword ${PROXY_PASSWORD}\n",
        "tokenLifetimeSeconds 3600\n",
        "passwordPolicy strict\n",
        # A Go struct's fields: a name and its type.
        "type Session struct {\n    apiKey int64\n    sessionToken float64\n\tAccessToken  uint32\n}\n",
        "        this.federatedTokenFilePath =\n            options.tokenFilePath;\n",
        "            (refreshAccessToken &&\n                response.refresh_token)\n",
        "    validatedRequest.attributeTokens ||\n        [];\n",
    ],
)
def test_what_only_names_a_gradle_password_stays(code: str) -> None:
    assert redact(code, keep_lines=True) == code


# -- pip: a token as an index URL's user -----------------------------------------------------------------

#: Gemfury's shape (mixed case and digits) and an Azure DevOps PAT's (lower case, base32).
PIP_TOKEN = "Xy7kQp2LmN9vRt4WzB6d"
AZURE_PAT = "uuyq6hgwkdqtrqrmxjgwpbw3ea5xvjk7ffcn4wkq7shv4jjvb3ka"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"pip install --index-url https://{PIP_TOKEN}@pypi.fury.io/acme/ acme-tools\n", PIP_TOKEN),
        (f"[global]\nindex-url = https://{PIP_TOKEN}@pypi.example.com/simple\n", PIP_TOKEN),
        (f"--extra-index-url https://{AZURE_PAT}@pkgs.dev.azure.com/acme/_packaging/feed/pypi/simple/\nrequests==2.32.3\n", AZURE_PAT),
        (f"PIP_INDEX_URL=https://{PIP_TOKEN}@pypi.example.com/simple\n", PIP_TOKEN),
        (f"git clone https://{PIP_TOKEN}@github.com/acme/private.git\n", PIP_TOKEN),
    ],
)
def test_a_token_as_an_index_urls_user_is_redacted(text: str, secret: str) -> None:
    """A token without a ``:`` after it went out whole (only ``user:password@`` was known)."""
    assert_only_gone(text, secret)


def test_a_token_as_an_index_urls_user_is_not_sent_in_a_prompt() -> None:
    text = f"# requirements.txt\n--index-url https://{PIP_TOKEN}@pypi.example.com/simple\nrequests==2.32.3\n"
    assert_not_in_prompts(text, "requests", secret=PIP_TOKEN)


@pytest.mark.parametrize(
    "code",
    [
        "git clone ssh://git@github.com/acme/app.git\n",
        "--index-url https://VssSessionToken@pkgs.dev.azure.com/acme/_packaging/feed/pypi/simple/\n",
        "git clone https://build-bot-01@github.com/acme/app.git\n",
        "git clone https://svc_deploy_user_2024@github.com/acme/app.git\n",
        "url = 'https://jenkinsBuildUser2@ci.example.com/job/'\n",
        "https://john.doe1984@example.com/\n",
        "see https://20240101123000000@archive.example.com/\n",
    ],
)
def test_a_users_name_in_a_url_stays(code: str) -> None:
    """A name, a number: no token (artifacts-keyring's ``VssSessionToken`` is a fixed word)."""
    assert redact(code, keep_lines=True) == code


# -- .npmrc ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f'_auth="{NPM_AUTH}"\n',
        f"  _auth = '{NPM_AUTH}'\r\n",
        f'registry=https://registry.example.com/\n//registry.example.com/:_auth="{NPM_AUTH}"\n',
        f"//registry.example.com/:_auth={NPM_AUTH}\r\n",
        # Echoed into the file by a Dockerfile or a CI step.
        f"RUN echo '//registry.example.com/:_auth=\"{NPM_AUTH}\"' >> ~/.npmrc\n",
        f'      - run: echo "_auth={NPM_AUTH}" >> .npmrc\n',
    ],
)
def test_an_npmrc_auth_in_quotes_is_redacted(text: str) -> None:
    """npm reads the value inside the quotes: that form went out whole (and any form in a file
    with Windows line endings, or echoed into one)."""
    assert_only_gone(text, NPM_AUTH)


def test_code_naming_an_npm_auth_stays() -> None:
    code = "_auth = make_auth()\nprintf '_auth=%s\\n' \"$NPM_AUTH\" > .npmrc\nrequest._auth = credentials\n"
    assert redact(code, keep_lines=True) == code


@pytest.mark.parametrize(
    "text",
    [
        '//registry.example.com/:_authToken="Sup3r-S3cret-77"\n',
        "//registry.example.com/:_authToken=Sup3r-S3cret-77\n",
        "//registry.example.com/:_password='Sup3r-S3cret-77'\n",
    ],
)
def test_an_npmrc_auth_token_quoted_or_not_is_redacted(text: str) -> None:
    assert_only_gone(text, "Sup3r-S3cret-77")


# -- time -------------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "password tags with braces": repeated("<password>{a"),
    "master tags": repeated("<master>{"),
    "maven notes": "<password>" + repeated("a {"),
    "maven ciphers": repeated("<password>{[a"),
    "quoted npm auths": repeated('_auth="aaaaaaaa'),
    "echoed npm auths": repeated('echo "_auth=aaaaaaaa'),
    "npm auths in a word": repeated("x_auth="),
    "groovy setters": repeated("a.password 'aaaaaa"),
    "setter calls": repeated("setPassword(\"aaaaaaa "),
    "kotlin sets": repeated("password.set(\"a"),
    "spaced properties": "a.password " + repeated("a1"),
    "dotted keys": repeated("a."),
    "url users": repeated("://" + "a1" * 8),
    "url users run together": "://" + repeated("a1"),
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_redacting_a_pathological_line_takes_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
