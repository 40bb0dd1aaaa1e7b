"""Secrets whose name is far from their value: a Composer section of many hosts in a long
``composer.json`` (its name more than 4 kB above the prompt's window), a cookie object pretty-printed
with many fields (its name on one line, its value ten lines below). Each went out as written in
the FIM bodies the fake DeepSeek received over stdio."""

from __future__ import annotations

from pathlib import Path

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt
from tests.secret_forms import assert_redacted_in_linear_time, repeated
from tests.test_security_secrets_sent_forms import fim_bodies

SECRET = "Zq8xw3-S3cret-77"


def _composer_json(hosts: int) -> str:
    """A project's composer.json whose config holds a GitHub OAuth section of ``hosts`` mirrors."""
    return (
        '{\n  "name": "acme/shop",\n  "config": {\n    "sort-packages": true,\n    "github-oauth": {\n'
        + "".join(f'      "mirror{n}.example.com": "{SECRET}{n:03}",\n' for n in range(hosts))
        + '      "github.com": "'
        + SECRET
        + '"\n    }\n  }\n}\n'
    )


async def test_a_composer_token_far_below_its_section_s_name_is_not_sent(tmp_path: Path) -> None:
    """300 hosts (16 kB): the window and the 4 kB above it were all hosts' lines, the section's
    name out of sight, and 64 tokens went out."""
    text = _composer_json(300)
    fim = await fim_bodies(tmp_path, "composer.json", text, "json")
    assert fim
    assert '"github-oauth"' not in fim[-1], "the section's name is far above the window"
    assert all(SECRET not in body and SECRET[:8] not in body for body in fim), fim[-1][:300]
    assert all("mirror299.example.com" in body for body in fim), "the hosts' names stay"


def test_a_composer_token_is_not_sent_from_any_window_far_below_its_section() -> None:
    """Each cursor's prompt: the window and the suffix (the suffix's tokens too)."""
    text = _composer_json(400)
    doc = Document("file:///w/composer.json", text)
    for cursor in range(text.index('"mirror150.'), len(text) + 1, 97):
        fim = build_fim_prompt(doc, cursor, budget=1200, suffix_share=0.5, count=lambda s: len(s) // 3 + 1)
        sent = fim.prompt + fim.suffix
        assert SECRET[:8] not in sent and SECRET[8:] not in sent, (cursor, sent[:300])


def test_a_closed_section_far_above_leaves_the_hosts_below_it() -> None:
    """A section closed before the window: the objects after it are no tokens (a lock file's
    ``"dist": {"url": …}`` after a short ``"bearer"`` section above)."""
    above = '{\n  "bearer": {\n    "repo.example.org": "' + SECRET + '"\n  },\n'
    filler = "".join(f'  "pkg{n}": {{"mirror.example.com": "release-{n:04}-build-77"}},\n' for n in range(200))
    text = above + filler + '  "last": {"mirror.example.com": "release-9999-build-77"}\n}\n'
    doc = Document("file:///w/composer.lock", text)
    fim = build_fim_prompt(doc, len(text) - 3, budget=600, suffix_share=0.3, count=lambda s: len(s) // 3 + 1)
    assert "release-9999-build-77" in fim.prompt
    assert REDACTED not in fim.prompt + fim.suffix


#: Puppeteer's page.cookies() saved with its keys sorted (``json.dumps(…, sort_keys=True)``):
#: ten fields between ``name`` and ``value``. No word "cookie" in the file.
PUPPETEER_SORTED = (
    "[\n  {\n"
    '    "domain": "shop.example.com",\n    "expires": 1767225600.5,\n    "httpOnly": true,\n'
    '    "name": "connect.sid",\n    "partitionKey": null,\n    "path": "/",\n    "priority": "Medium",\n'
    '    "sameParty": false,\n    "sameSite": "Lax",\n    "secure": true,\n    "session": false,\n'
    '    "size": 82,\n    "sourcePort": 443,\n    "sourceScheme": "Secure",\n'
    '    "value": "' + SECRET + '"\n  }\n]\n'
)
#: A HAR's cookie with Chrome's extra fields, and a YAML fixture's, more than six lines apart.
HAR_COOKIE = (
    '{"log": {"entries": [{"request": {"cookies": [\n  {\n    "name": "PHPSESSID",\n'
    '    "path": "/",\n    "domain": "shop.example.com",\n    "expires": "2026-12-31T00:00:00.000Z",\n'
    '    "httpOnly": true,\n    "secure": true,\n    "sameSite": "Lax",\n    "priority": "High",\n'
    '    "value": "' + SECRET + '"\n  }\n]}}]}}\n'
)
YAML_COOKIE = (
    "cookies:\n  - name: laravel_session\n    domain: shop.example.com\n    path: /\n    expires: 1767225600\n"
    "    httpOnly: true\n    secure: true\n    sameSite: Lax\n    priority: High\n    value: " + SECRET + "\n"
)


def test_a_cookie_object_over_many_lines_is_redacted() -> None:
    for text in (PUPPETEER_SORTED, HAR_COOKIE, YAML_COOKIE):
        assert redact(text) == text.replace(SECRET, REDACTED), text


async def test_a_cookie_object_over_many_lines_is_not_sent(tmp_path: Path) -> None:
    fim = await fim_bodies(tmp_path, "session.json", PUPPETEER_SORTED + HAR_COOKIE + YAML_COOKIE + "x = ", "json")
    assert fim
    assert all(SECRET[:8] not in body and SECRET[8:] not in body for body in fim), fim[-1]
    assert all("sourceScheme" in body for body in fim)


def test_the_next_object_s_value_stays_after_many_fields() -> None:
    """A cookie object without a value, then another object's: that value is no cookie's."""
    text = (
        '"cookies": [\n  {\n    "name": "sessionid",\n    "path": "/",\n    "httpOnly": true\n  },\n'
        '  {\n    "name": "theme",\n' + "".join(f'    "f{n}": {n},\n' for n in range(9)) + '    "value": "dark-2024-contrast"\n  }\n]\n'
    )
    assert redact(text) == text
    kept = "- name: sessionid\n" + "".join(f"  note{n}: line {n}\n" for n in range(40)) + "  value: release-2024-build-77\n"
    assert redact("cookies:\n" + kept) == "cookies:\n" + kept, "too far below to be its value"


def test_a_long_run_of_cookie_names_takes_linear_time() -> None:
    assert_redacted_in_linear_time("cookie names", "cookie\n" + repeated('"name": "sid",\n"a": 1,\n'))
