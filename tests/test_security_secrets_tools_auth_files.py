"""Tools' credentials in shapes no secret's name announces: in files the editor may open, not
excluded by default, Composer's ``auth.json`` (a token under the host's name in its
``gitlab-token`` and ``bearer`` sections), Yarn's ``.yarnrc.yml`` ``npmAuthIdent: "user:password"``
and Yarn 1's ``.yarnrc`` ``"//host/:_authToken" "…"``, conda's channel token (``/t/<token>/``);
and a session cookie (a login: whoever sends it is the user) copied from a browser into a curl
command, an HTTP file or a test. Each went out as written in a stdio session's FIM bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import (
    assert_forms_not_sent,
    assert_only_secret_replaced,
    assert_redacted_in_linear_time,
    repeated,
)

SECRET = "Zq8xw3-S3cret-77"
FORMS = {
    "composer-gitlab-token": '{\n    "gitlab-token": {\n        "gitlab.example.com": "' + SECRET + '"\n    }\n}\n',
    "composer-bearer": '{\n    "bearer": {\n        "repo.example.org": "' + SECRET + '"\n    }\n}\n',
    "composer-one-line": '{"gitlab-oauth": {"gitlab.com": "' + SECRET + '"}}\n',
    "yarnrc-yml-ident": 'npmRegistries:\n  "https://npm.example.com":\n    npmAuthIdent: "deploy:' + SECRET + '"\n',
    "yarnrc-ident-bare": "npmAuthIdent: deploy:" + SECRET + "\n",
    "yarnrc-v1": 'registry "https://npm.example.com/"\n"//npm.example.com/:_authToken" "' + SECRET + '"\n',
    "conda-channel": "channels:\n  - https://conda.anaconda.org/t/" + SECRET + "/my-channel\n",
    "cookie-header": "Cookie: sessionid=" + SECRET + "\n",
    "cookie-pairs": "Cookie: theme=dark; connect.sid=" + SECRET + "; lang=en\n",
    "set-cookie": "Set-Cookie: PHPSESSID=" + SECRET + "; Path=/; HttpOnly\n",
    "curl-cookie-header": "curl -H 'Cookie: JSESSIONID=" + SECRET + "' https://app.example.com/api\n",
    "curl-b": 'curl -b "_session_id=' + SECRET + '" https://app.example.com/\n',
    "cookies-dict": 'cookies = {"sessionid": "' + SECRET + '"}\n',
    # A section of more hosts than the two lines after its name that were looked at: the third
    # host's token went out.
    "composer-oauth-hosts": '{\n    "github-oauth": {\n'
    + "".join(f'        "github{n}.example.com": "{SECRET}",\n' for n in range(4))
    + '        "github.com": "' + SECRET + '"\n    }\n}\n',
    "composer-bearer-hosts": '{"bearer": {\n'
    + "".join(f'    "repo{n}.example.org": "{SECRET}",\n' for n in range(4))
    + '    "repo.example.org": "' + SECRET + '"\n}}\n',
    # A session cookie after another (the first found was the only one redacted).
    "cookies-after-the-first": "Cookie: _ga=GA1.2.3; _session_id=" + SECRET + "; theme=dark; laravel_session=" + SECRET + "\n",
    "cookies-dict-two": 'cookies = {"sessionid": "' + SECRET + '", "remember_token": "' + SECRET + '"}\n',
    # Google's own example of a secret's value: piped into gcloud secrets, or a here-string.
    "gcloud-secret-piped": "echo -n '" + SECRET + "' | gcloud secrets create db-password --data-file=-\n",
    "gcloud-secret-printf": 'printf "%s" "' + SECRET + '" | gcloud secrets versions add api-key --data-file=-\n',
    "gcloud-secret-here-string": "gcloud secrets versions add api-key --data-file=- <<< '" + SECRET + "'\n",
    # HTTPie's config.json (its default options: an argument list), and a script's.
    "httpie-config-auth": '{"default_options": ["--style=fruity", "--auth=deploy:' + SECRET + '"]}\n',
    "httpie-list-auth": 'subprocess.run(["http", "--auth", "deploy:' + SECRET + '", "GET", url])\n',
    # A browser's cookies in Netscape's format (curl's -c, wget's, yt-dlp's), not named cookies.txt.
    "netscape-cookie": ".example.com\tTRUE\t/\tTRUE\t1767225600\tsessionid\t" + SECRET + "\n",
    "netscape-http-only": "#HttpOnly_.example.com\tFALSE\t/app\tFALSE\t0\tSID\t" + SECRET + "\n",
    # WordPress's login cookie (its name says no session), after its test cookie.
    "wordpress-logged-in": "Cookie: wordpress_test_cookie=WP%20Cookie%20check; wordpress_logged_in_5c0a1d="
    + SECRET + "\n",
    # A test's session set by its library: a call's name and value, an object's.
    "requests-cookie-set": 's.cookies.set("sessionid", "' + SECRET + '", domain="example.com")\n',
    "cypress-set-cookie": 'cy.setCookie("session_id", "' + SECRET + '")\n',
    "playwright-add-cookies": 'context.add_cookies([{"name": "sessionid", "value": "' + SECRET + '", "path": "/"}])\n',
    "puppeteer-set-cookie": 'await page.setCookie({ name: "connect.sid", value: "' + SECRET + '", domain: "localhost" });\n',
    # A cookie object over lines: Playwright's storageState file, a HAR's cookies, Selenium's
    # get_cookies() (its keys sorted: others between name and value), a YAML fixture's.
    "storage-state": '{\n  "cookies": [\n    {\n      "name": "sessionid",\n      "value": "' + SECRET
    + '",\n      "domain": "localhost",\n      "path": "/"\n    }\n  ]\n}\n',
    "selenium-cookies": "cookies = [\n    {\n        'domain': 'localhost',\n        'httpOnly': True,\n        'name': 'PHPSESSID',\n"
    "        'path': '/',\n        'sameSite': 'Lax',\n        'secure': False,\n        'value': '" + SECRET + "',\n    },\n]\n",
    "yaml-cookies": "cookies:\n  - name: laravel_session\n    value: " + SECRET + "\n",
    # Composer's COMPOSER_AUTH in escaped quotes (a command inside a JSON string, a Makefile's).
    "composer-auth-escaped": 'COMPOSER_AUTH="{\\"github-oauth\\": {\\"github.com\\": \\"' + SECRET + '\\"}}"\n',
}
#: A Compute Engine metadata server's (and a service account's) access token: ``ya29.c.``, a
#: dot in it where the ``ya29.`` pattern wanted its 20 characters.
METADATA_TOKEN = "ya29.c.c0ASRK0GZqW8xAbCdEf3GhIjKlMn0pQrStUvWxYz12_aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ"


@pytest.mark.parametrize("name", FORMS)
def test_a_tool_s_credential_is_redacted(name: str) -> None:
    assert_only_secret_replaced(FORMS[name], SECRET)


async def test_tools_credentials_are_not_sent(tmp_path: Path) -> None:
    await assert_forms_not_sent(tmp_path, FORMS, SECRET, "notes.txt")


async def test_a_metadata_server_s_access_token_is_not_sent(tmp_path: Path) -> None:
    forms = {
        "header": 'curl -s "$URL" -H "X-Goog-User-Project: p" --oauth2-bearer ' + METADATA_TOKEN + "\n",
        "call": 'client = storage.Client(credentials=Credentials("' + METADATA_TOKEN + '"))\n',
        "export": "export CLOUDSDK_AUTH_ACCESS_TOKEN=" + METADATA_TOKEN + "\n",
    }
    for text in forms.values():
        assert_only_secret_replaced(text, METADATA_TOKEN)
    await assert_forms_not_sent(tmp_path, forms, METADATA_TOKEN, "deploy.sh")


def test_a_composer_token_is_not_sent_from_a_window_below_its_section_s_name() -> None:
    """The window starts among the hosts, the section's name above it: each cursor's prompt."""
    text = '{\n    "github-oauth": {\n' + "".join(f'        "h{n}.example.com": "{SECRET}",\n' for n in range(60))
    text += '        "github.com": "' + SECRET + '"\n    }\n}\n'
    doc = Document("file:///w/auth.json", text)
    start = text.index('"h50.')
    for cursor in range(start, len(text) + 1, 7):
        fim = build_fim_prompt(doc, cursor, budget=300, suffix_share=0.3, count=lambda s: len(s) // 3 + 1)
        assert '"github-oauth"' not in fim.prompt, "the section's name is above the window"
        sent = fim.prompt + fim.suffix
        assert SECRET[:8] not in sent and SECRET[8:] not in sent, (cursor, sent)


def test_what_only_looks_like_them_stays() -> None:
    for kept in (
        '{\n    "bearer": {\n        "type": "http",\n        "scheme": "bearer"\n    }\n}\n',  # OpenAPI
        '{"gitlab-token": {"gitlab.com": {"username": "bob", "token": "%GITLAB_TOKEN%"}}}\n',
        "npmAuthIdent: ${NPM_AUTH_IDENT}\n",
        "Discussed at https://discourse.example.com/t/how-to-pin-a-channel/1234\n",
        '"//npm.example.com/:_authToken" "${NPM_TOKEN}"\n',
        "Cookie: theme=dark; lang=en\n",
        "Set-Cookie: session=; Max-Age=0\n",
        'cookies = {"sessionid": session_id}\n',
        "Cookie: sessionid=$SESSION_ID\n",
        "res.cookie('session', token, { httpOnly: true })\n",
        "# the session cookie is refreshed on every request\n",
        'Cookie: sessionid=$SESSION_ID; theme=dark; csrftoken=${CSRF}\n',
        "echo -n \"$DB_PASSWORD\" | gcloud secrets create db-password --data-file=-\n",
        "gcloud secrets versions add api-key --data-file=./key.txt\n",
        # A listing's page, not a credential (gcloud's and the AWS CLI's examples).
        '  $ {command} --labels="x" --page-token="ala9glealanal908"\n',
        "aws ec2 describe-instances --max-items 10 --starting-token abc123def456ghi789jkl\n",
        "aws logs filter-log-events --log-group-name g --next-token f9a8b7c6d5e4f3a2b1c0\n",
        '{"default_options": ["--auth-type=bearer", "--auth=$HTTPIE_AUTH"]}\n',
        ".example.com\tTRUE\t/\tFALSE\t1767225600\ttheme\tdark\n",
        ".example.com\tTRUE\t/\tFALSE\t1767225600\t_ga\tGA1\n",
        'cy.setCookie("session_id", sessionId)\n',
        'context.add_cookies([{"name": "sessionid", "value": session_id, "path": "/"}])\n',
        'page.setCookie({ name: "theme", value: "dark-2024-contrast" });\n',
        '"cookies": [\n  {\n    "name": "theme",\n    "value": "dark-2024-contrast"\n  }\n]\n',
        "cookies:\n  - name: sessionid\n    value: ${SESSION_ID}\n",
    ):
        assert redact(kept) == kept, kept


@pytest.mark.parametrize(
    "unit",
    [
        "://x", '"//x/:_authToken ', "cookie -b ", "Cookie: a=b; ", "://conda/t/", '"bearer": {"a.b": "', '"github-oauth": {',
        "Cookie: sessionid=abcdefgh1234567; ", "secrets versions add a --data-file=- <<< ", 'setCookie("session_id", "',
        '{"name": "sid", "value": "', "a\tTRUE\t/\tTRUE\t0\tx\t", "cookie\nname: x_auth\nvalue: a\n",
    ],
)
def test_a_pathological_line_of_their_shapes_takes_linear_time(unit: str) -> None:
    """From each ``//`` of a long line, the ``_authToken`` search ran to the line's end (a
    20 kB line of ``://x``: 0.73 s of CPU, 0.10 before the pattern)."""
    assert_redacted_in_linear_time(unit, repeated(unit))


def test_a_long_word_of_conda_after_a_scheme_takes_linear_time() -> None:
    """conda's channel token: the host's ``[\\w.-]*conda[\\w.-]*`` tried every split of a word
    holding "conda" again and again (``://`` and 20 kB of ``conda``: 1.3 s of CPU; 100 kB: 33 s)."""
    assert_redacted_in_linear_time("conda host", "://" + repeated("conda") + " /t/")
    assert_only_secret_replaced("https://my.conda.host:8443/t/" + SECRET + "/channel\n", SECRET)


#: Lists of name/value objects where a name a session cookie's could have (``AUTH_ENABLED``,
#: ``logged_in``) has a value that is no login: the value a few lines below belongs to the next
#: item (a YAML list's ``- name:``, a JavaScript ``{ name: … }``), which the cookie object's
#: pattern read as its own (a word "cookie" in view).
NAME_VALUE_LISTS = {
    "k8s-env": (
        "# the session cookie's settings are below\nspec:\n  containers:\n    - name: web\n      env:\n"
        '        - name: AUTH_ENABLED\n          value: "true"\n        - name: DB_HOST\n'
        '          value: "db-primary-01.internal"\n'
    ),
    "yaml-fixture": 'cookies:\n  - name: logged_in\n    value: "yes"\n  - name: build\n    value: "release-2024.11.3"\n',
    "js-fields": (
        "// the cookie banner's form\nconst fields = [\n  { name: \"oauth_provider\",\n    label: \"Provider\" },\n"
        '  { name: "isbn",\n    value: "978-3-16-148410-0" },\n];\n'
    ),
}


@pytest.mark.parametrize("name", NAME_VALUE_LISTS)
def test_the_next_item_s_value_in_a_list_of_names_and_values_stays(name: str) -> None:
    assert redact(NAME_VALUE_LISTS[name]) == NAME_VALUE_LISTS[name]


async def test_a_deployment_s_next_env_value_is_sent_as_written(tmp_path: Path) -> None:
    """Over stdio: the host below ``AUTH_ENABLED``'s ``"true"`` went out as ``[REDACTED]``."""
    from tests.test_security_secrets_sent_forms import fim_bodies

    text = NAME_VALUE_LISTS["k8s-env"] + "        - name: LOG_LEVEL\n          value: "
    fim = await fim_bodies(tmp_path, "deploy.yaml", text, "yaml")
    assert fim
    assert all("db-primary-01.internal" in body for body in fim), [b[b.find("DB_HOST") :][:60] for b in fim]


@pytest.mark.parametrize(
    "kept",
    [
        'response.set_cookie("author_name", "john_smith_1984")\n',
        "Cookie: theme=dark; author=jane_doe_1984\n",
        "await page.setCookie({ name: 'authority', value: 'login.example2.com' });\n",
        "cookies:\n  - name: author\n    value: jane_doe_1984\n",
    ],
)
def test_an_author_s_cookie_stays(kept: str) -> None:
    """A cookie's name with "auth" in it was a login's (``auth_token``, ``oauth_state``): an
    ``author``'s or an ``authority``'s is not, and its value went out as ``[REDACTED]``."""
    assert redact(kept) == kept


@pytest.mark.parametrize(
    "kept",
    [
        'app.config.update(SESSION_COOKIE_NAME="sid", REMEMBER_COOKIE_NAME="remember_token_v2")\n',
        'cookie_opts = {"httponly": True, "remember": "remember_for_30_days"}\n',
        'COOKIE_PREFIX = "myapp"; AUTH_BACKEND = "accounts.backends.EmailBackend2"\n',
        'cookie_consent = {"banner": "x", "auth_mode": "saml2_redirect_v1"}\n',
    ],
)
def test_a_setting_named_after_cookies_stays(kept: str) -> None:
    """A name that starts with the word (``COOKIE_NAME``, ``cookie_opts``) is a setting's, not a
    cookie's call (``setCookie(``, ``set_cookie(``, ``cookie_jar.set(``): the values after it
    on its line went out as ``[REDACTED]``."""
    assert redact(kept) == kept


def test_a_cookie_jar_s_session_is_redacted() -> None:
    assert_only_secret_replaced('cookie_jar.set("sessionid", "' + SECRET + '")\n', SECRET)
    assert_only_secret_replaced('jar = http.cookiejar.CookieJar(); jar.set("sessionid", "' + SECRET + '")\n', SECRET)
