"""Tools' credentials in shapes no secret's name announces: in files the editor may open, not
excluded by default, Composer's ``auth.json`` (a token under the host's name in its
``gitlab-token`` and ``bearer`` sections), Yarn's ``.yarnrc.yml`` ``npmAuthIdent: "user:password"``
and Yarn 1's ``.yarnrc`` ``"//host/:_authToken" "…"``, conda's channel token (``/t/<token>/``);
and a session cookie (a login: whoever sends it is the user) copied from a browser into a curl
command, an HTTP file or a test. Each went out as written in a stdio session's FIM bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.privacy import redact
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
}


@pytest.mark.parametrize("name", FORMS)
def test_a_tool_s_credential_is_redacted(name: str) -> None:
    assert_only_secret_replaced(FORMS[name], SECRET)


async def test_tools_credentials_are_not_sent(tmp_path: Path) -> None:
    await assert_forms_not_sent(tmp_path, FORMS, SECRET, "notes.txt")


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
    ):
        assert redact(kept) == kept, kept


@pytest.mark.parametrize("unit", ["://x", '"//x/:_authToken ', "cookie -b ", "Cookie: a=b; ", "://conda/t/", '"bearer": {"a.b": "'])
def test_a_pathological_line_of_their_shapes_takes_linear_time(unit: str) -> None:
    """From each ``//`` of a long line, the ``_authToken`` search ran to the line's end (a
    20 kB line of ``://x``: 0.73 s of CPU, 0.10 before the pattern)."""
    assert_redacted_in_linear_time(unit, repeated(unit))


def test_a_long_word_of_conda_after_a_scheme_takes_linear_time() -> None:
    """conda's channel token: the host's ``[\\w.-]*conda[\\w.-]*`` tried every split of a word
    holding "conda" again and again (``://`` and 20 kB of ``conda``: 1.3 s of CPU; 100 kB: 33 s)."""
    assert_redacted_in_linear_time("conda host", "://" + repeated("conda") + " /t/")
    assert_only_secret_replaced("https://my.conda.host:8443/t/" + SECRET + "/channel\n", SECRET)
