"""Package managers' credentials in files the editor may open, not excluded by default: Composer's
``auth.json`` (a token under the host's name in its ``gitlab-token`` and ``bearer`` sections),
Yarn's ``.yarnrc.yml`` ``npmAuthIdent: "user:password"`` and Yarn 1's ``.yarnrc``
``"//host/:_authToken" "…"``, conda's channel token (``/t/<token>/``). Each went out as written
in a stdio session's FIM bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.test_security_secrets_sent_forms import fim_bodies

SECRET = "Zq8xw3-S3cret-77"
FORMS = {
    "composer-gitlab-token": '{\n    "gitlab-token": {\n        "gitlab.example.com": "' + SECRET + '"\n    }\n}\n',
    "composer-bearer": '{\n    "bearer": {\n        "repo.example.org": "' + SECRET + '"\n    }\n}\n',
    "composer-one-line": '{"gitlab-oauth": {"gitlab.com": "' + SECRET + '"}}\n',
    "yarnrc-yml-ident": 'npmRegistries:\n  "https://npm.example.com":\n    npmAuthIdent: "deploy:' + SECRET + '"\n',
    "yarnrc-ident-bare": "npmAuthIdent: deploy:" + SECRET + "\n",
    "yarnrc-v1": 'registry "https://npm.example.com/"\n"//npm.example.com/:_authToken" "' + SECRET + '"\n',
    "conda-channel": "channels:\n  - https://conda.anaconda.org/t/" + SECRET + "/my-channel\n",
}


@pytest.mark.parametrize("name", FORMS)
def test_a_tool_s_credential_is_redacted(name: str) -> None:
    text = FORMS[name]
    assert redact(text) == text.replace(SECRET, REDACTED)


async def test_tools_credentials_are_not_sent(tmp_path: Path) -> None:
    text = "".join(FORMS.values()) + "x = "
    fim = await fim_bodies(tmp_path, "notes.txt", text, "plaintext")
    assert fim
    assert not any(SECRET[:8] in body or SECRET[6:] in body for body in fim)


def test_what_only_looks_like_them_stays() -> None:
    for kept in (
        '{\n    "bearer": {\n        "type": "http",\n        "scheme": "bearer"\n    }\n}\n',  # OpenAPI
        '{"gitlab-token": {"gitlab.com": {"username": "bob", "token": "%GITLAB_TOKEN%"}}}\n',
        "npmAuthIdent: ${NPM_AUTH_IDENT}\n",
        "Discussed at https://discourse.example.com/t/how-to-pin-a-channel/1234\n",
        '"//npm.example.com/:_authToken" "${NPM_TOKEN}"\n',
    ):
        assert redact(kept) == kept, kept
