"""An XML element named for secrets whose children are its keys, one a line (``<apiKeys>`` then
``<key>…</key>`` lines, .NET's ``<add key="prod" value="…"/>`` under such a section, ``<tokens>``
of ``<token name="…">…</token>``): each child's text went out, as any element's does. A user
of an editor's assistant expects them kept as ``<password>…</password>``'s text is; the text of
elements under any other name, and words, names and variables under such a name, stay."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_none_sent_at_each, assert_redacted_in_linear_time, repeated

A, B, C = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg", "Wm3Rt8Yp1Lk6Hd0Sa4Zx"

FORMS = {
    "keys": ("keys.xml", f"<config>\n  <apiKeys>\n    <key>{A}</key>\n    <key>{B}</key>\n    <key>{C}</key>\n  </apiKeys>\n</config>\n"),
    "app.config's adds": (
        "app.config",
        f'<configuration>\n  <apiKeys>\n    <add key="prod" value="{A}"/>\n    <!-- dev -->\n'
        f'    <add key="dev" value="{B}" />\n\n    <add key="qa" value="{C}"/>\n  </apiKeys>\n</configuration>\n',
    ),
    "tokens with attributes": (
        "tokens.xml",
        f'<tokens env="prod">\n  <token name="a">{A}</token>\n  <token name="b">{B}</token>\n  <token name="c">{C}</token>\n</tokens>\n',
    ),
    "CRLF": ("keys.xml", f"<secrets>\r\n  <value>{A}</value>\r\n  <value>{B}</value>\r\n  <value>{C}</value>\r\n</secrets>\r\n"),    # A blank after the tag: a CRLF line's last three characters, `` \r\n``, held no ``>``, and
    # the children past the two lines below it went out.
    "CRLF, a blank after the tag": (
        "keys.xml",
        f"<secrets> \r\n  <value>{A}</value>\r\n  <!-- b -->\r\n  <value>{B}</value>\r\n  <value>{C}</value>\r\n</secrets>\r\n",
    ),
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_no_key_of_an_element_of_keys_is_sent(form: str) -> None:
    path, text = FORMS[form]
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED).replace(C, REDACTED), out
    # The cursor at each place, inside a key or its end tag, a window or suffix among them.
    assert_none_sent_at_each(path, text, (A, B, C), (400, 160, 30, 24))


@pytest.mark.parametrize(
    "text",
    [
        "<tokens>\n  <item>IDENTIFIER</item>\n  <item>NUMBER_LITERAL</item>\n</tokens>\n",  # a grammar's
        '<secrets>\n  <secret name="db" file="./secrets/db.txt"/>\n</secrets>\n',
        '<apiKeys>\n  <add key="prod" value="${PROD_API_KEY}"/>\n  <add key="dev" value="%DEV_KEY%"/>\n</apiKeys>\n',
        "<passwordPolicy>\n  <minLength>12</minLength>\n  <requireDigits>true</requireDigits>\n</passwordPolicy>\n",
        # Not named for a secret: a build's versions and checksums.
        "<dependency>\n  <version>2.17.1</version>\n  <sha1>Fk8d7s6Gh2Jq0Lw3Xy9Q</sha1>\n</dependency>\n",
    ],
)
def test_what_is_no_element_of_keys_stays(text: str) -> None:
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize("unit", ["<k>a</k>\n", " ", "\n", "<!-- -->", "<a b", "<k>", "<apiKeys>\n"])
def test_elements_of_keys_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, "<apiKeys>\n" + repeated(unit))
