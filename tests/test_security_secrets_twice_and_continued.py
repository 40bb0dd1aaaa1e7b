"""Secrets the redactor still sent (round 19): a password and its confirmation in one
``printf`` or ``echo -e`` piped into ``smbpasswd -s`` or ``passwd --stdin``, curl's ``-u
name:X`` in a ``.curlrc`` or on a continuation line of a multi-line command, an ODBC password
with a ``{`` and a ``;`` inside its braces, an XML password on the line between its tags, in
CDATA, or in an element an attribute names (Hibernate's, Java's XML properties), a YAML anchor's
value; and YAML's anchors and aliases themselves, which went out as ``[REDACTED]``."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_not_in_prompts_at_each,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)

#: A Maven encrypted password (``mvn --encrypt-password``).
MAVEN_LIKE = "jSMOWnoPFgsHVpMvz5VrIt5kRbzGpI8u+9EF1iFQyJQ="

# -- twice, for a command that asks again -----------------------------------------------------------------

TWICE = [
    f"printf '%s\\n%s\\n' '{SECRET}' '{SECRET}' | smbpasswd -s -a deploy\n",
    f'printf "%s\\n%s" "{SECRET}" "{SECRET}" | sudo smbpasswd -a -s deploy\n',
    f"printf '%s\\n%s\\n' {SECRET} {SECRET} | passwd --stdin deploy\n",
    f"echo -e '{SECRET}\\n{SECRET}' | smbpasswd -s -a deploy\n",
    f'echo -e "{SECRET}\\n{SECRET}" | passwd --stdin deploy\n',
    f"echo -ne '{SECRET}\\n{SECRET}\\n' | smbpasswd -a -s deploy\n",
    f"printf '{SECRET}\\n{SECRET}\\n' | smbpasswd -s -a deploy\n",
]


@pytest.mark.parametrize("text", TWICE)
def test_both_copies_of_a_password_and_its_confirmation_are_redacted(text: str) -> None:
    """The first of printf's two arguments went out, and ``echo -e 'X\\nX'`` went whole (or
    as one ``[REDACTED]`` for both and the ``\\n`` between)."""
    assert_redacted(text)


@pytest.mark.parametrize("line", TWICE[::3])
def test_both_copies_are_not_in_a_completion_prompt(line: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + line + "echo done\n", "echo done")


def test_variables_given_twice_stay() -> None:
    kept = (
        'printf \'%s\\n%s\\n\' "$PW" "$PW" | smbpasswd -s -a deploy\n'
        'echo -e "$PW\\n$PW" | passwd --stdin deploy\n'
        "printf '%s\\n%s\\n' one two | sort\n"
        "echo -e 'a\\nb' | sort\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- curl's -u: a .curlrc's, a continued command's ---------------------------------------------------------

CURL = [
    f"-u bob:{SECRET}\n",
    f'--silent\n-u "bob:{SECRET}"\n',
    f"-U proxyuser:{SECRET}\n",
    f"curl -sS \\\n  -u bob:{SECRET} \\\n  https://api.example.com/\n",
    f"curl -sS \\\r\n  -H 'Accept: application/json' -u 'bob:{SECRET}' \\\r\n  https://api.example.com/\r\n",
    # Far below its ``curl``: more than the two lines after a trigger that were looked at.
    "curl -sS \\\n  -X POST \\\n  -H 'Accept: application/json' \\\n  -d @body.json \\\n"
    f"  -o out.json -u bob:{SECRET} \\\n  https://api.example.com/\n",
]


@pytest.mark.parametrize("text", CURL)
def test_curl_s_short_user_option_in_its_config_or_a_continued_command_is_redacted(text: str) -> None:
    """Each went out whole: only ``user = …`` and ``curl … -u`` on the ``curl`` line were known."""
    assert_redacted(text)


@pytest.mark.parametrize("text", CURL[3::2])
def test_a_continued_curl_s_password_is_not_in_a_completion_prompt(text: str) -> None:
    assert_not_in_prompts("#!/bin/sh\nset -e\n\n" + text + "echo done\n", "echo done")


def test_users_and_groups_and_variables_after_u_stay() -> None:
    kept = (
        "docker run \\\n  -u 1000:1000 \\\n  -u app:app \\\n  image\n"
        'curl -sS \\\n  -u "$API_USER:$API_PASSWORD" \\\n  https://api.example.com/\n'
        "-u bob\n"
        "curl -sS \\\n  -u bob https://api.example.com/\n"
        "echo -u bob:x\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- ODBC: a { with a ; in the braces -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "password"),
    [
        (f"conn = pyodbc.connect('DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=db;UID=sa;PWD={{a{{b;{SECRET}}};')\n", f"a{{b;{SECRET}"),
        (f'"Db": "Driver={{PostgreSQL}};Server=db;Uid=app;Password={{{{{SECRET};x}};Port=5432"\n', f"{{{SECRET};x"),
        (f"PWD={{{SECRET};x{{}};\n", f"{SECRET};x{{"),
    ],
)
def test_an_odbc_password_with_a_brace_and_a_semicolon_inside_its_braces_is_redacted(text: str, password: str) -> None:
    """A ``{`` inside (no escape needed: only ``}`` is doubled) ended the search for the braces'
    end, and the assignment's value ended at the ``;``: the password went out whole."""
    assert redact(text, keep_lines=True) == text.replace("{" + password + "}", "{" + REDACTED + "}")
    assert_not_in_prompts("# db\n\n" + text + "# end\n", "# end")


# -- XML ------------------------------------------------------------------------------------------------------

XML = [
    f"<server>\n  <id>nexus</id>\n  <username>deploy</username>\n  <password>\n    {SECRET}\n  </password>\n</server>\n",
    f"<password>\r\n    {SECRET}\r\n</password>\r\n",
    f"<password><![CDATA[{SECRET}]]></password>\n",
    f'<property name="hibernate.connection.password">{SECRET}</property>\n',
    f'<entry key="db.password">{SECRET}</entry>\n',
    f'<entry key="api.token"><![CDATA[{SECRET}]]></entry>\n',
]


@pytest.mark.parametrize("text", XML)
def test_an_xml_password_between_lines_in_cdata_or_named_by_an_attribute_is_redacted(text: str) -> None:
    """Each went out whole: only ``<password>X</password>`` on one line was known."""
    assert_redacted(text)


@pytest.mark.parametrize("text", XML[::3])
def test_an_xml_password_is_not_in_a_completion_prompt(text: str) -> None:
    assert_not_in_prompts("<settings>\n" + text + "<!-- end -->\n", "<!-- end -->")


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        (f"<password>{SECRET}</password>\n", "</password>"),
        (f'<entry key="db.password">{SECRET}</entry>\n', "</entry>"),
        (f'<add key="DbPassword" value="{SECRET}"/>\n', '"/>'),
        (XML[0], "</password>"),
        (XML[0], "  </password>"),
    ],
)
def test_an_xml_password_is_not_sent_with_the_cursor_before_its_end_tag(text: str, mark: str) -> None:
    """An editor that closes tags leaves the cursor there as the password is typed: the window
    ended with the password, the end tag that says what it is began the suffix, and neither
    half alone was a secret: it went out."""
    assert_not_in_prompts("<settings>\n" + text + "<!-- end -->\n", mark)


@pytest.mark.parametrize(
    "text",
    [
        f"<password>\n\n    {SECRET}\n</password>\n",
        f"<password>\n    {SECRET}\n\n  </password>\n",
        f"<server>\n  <password>\n\n    {SECRET}\n\n  </password>\n</server>\n",
        f'<entry key="db.password">\n\n  <![CDATA[{SECRET}]]>\n\n</entry>\n',
    ],
)
def test_an_xml_password_with_blank_lines_around_it_is_redacted(text: str) -> None:
    """Only one line break was allowed between the tags and the text: with a blank line (a
    formatter's, a hand-edited settings.xml's) the password went out whole."""
    assert_redacted(text)
    assert_not_in_prompts("<settings>\n" + text + "<!-- end -->\n", "<!-- end -->")


@pytest.mark.parametrize(
    ("text", "last"),
    [
        (f"<password>\n    {SECRET}\n\n</password>\n", "</password>"),
        (f"<password>\n\n    {SECRET}\n\n</password>\n", "</password>"),
        (f"<password>\n  {SECRET}\n\n\n\n\n\n</password>\n", "</password>"),
        (f'<entry key="db.password"><![CDATA[{SECRET}]]>\n\n</entry>\n', "</entry>"),
        (f"<password>\n  {{{MAVEN_LIKE}}}\n\n</password>\n", "</password>"),
        (f'password = """\n\n{SECRET}\n\n"""\n', '\n"""'),
    ],
)
def test_a_password_with_blank_lines_before_what_says_what_it_is_is_not_sent_at_the_cursor(text: str, last: str) -> None:
    """The cursor at the end tag (or in the closing quotes) with blank lines between it and the
    value, or between the value and its name: only the line above the cursor was looked at for
    a value its end tag tells, and blank lines counted in the four lines looked at around the
    cursor, pushing the name (``<password>``) out of them: the password went out."""
    secret = MAVEN_LIKE if MAVEN_LIKE in text else SECRET
    first = "<entry" if text.startswith("<entry") else text.split("\n")[0]
    assert_not_in_prompts_at_each("<settings>\n" + text + "<!-- end -->\n", first, last, secret)


def test_xml_that_holds_no_password_stays() -> None:
    kept = (
        '<label name="password">Password</label>\n'
        '<Field name="password">{value}</Field>\n'
        '<entry key="db.password">${db.password}</entry>\n'
        "<password>\n  <value>x</value>\n</password>\n"
        '<property name="hibernate.connection.username">deploy_user</property>\n'
    )
    assert redact(kept, keep_lines=True) == kept


# -- YAML anchors -----------------------------------------------------------------------------------------------

ANCHORED = [
    f"x-db-password: &db_password {SECRET}\n",
    f'x-db-password: &db_password "{SECRET}"\n',
    f"    POSTGRES_PASSWORD: &pg '{SECRET}' # shared with the app\n",
]


@pytest.mark.parametrize("text", ANCHORED)
def test_a_secret_under_a_yaml_anchor_is_redacted(text: str) -> None:
    """The anchor took the value's place: the value went out (and a quoted one's anchor as
    ``[REDACTED]``)."""
    assert_redacted(text)
    assert_not_in_prompts("services:\n" + text + "  db:\n", "  db:")


def test_yaml_anchors_and_aliases_stay() -> None:
    """A name for a value given elsewhere, not one: each went out as ``[REDACTED]``."""
    kept = (
        "x-secrets: &secrets\n  a: b\n"
        "x-db-password: &db_password\n"
        "      POSTGRES_PASSWORD: *db_password\n"
        "      password: &pw ${DB_PASSWORD}\n"
    )
    assert redact(kept, keep_lines=True) == kept


# -- time -----------------------------------------------------------------------------------------------

PATHOLOGICAL = {
    "printf twice": repeated("printf '%s\\n%s\\n' a "),
    "printf twice piped": repeated("printf '%s\\n%s' a b |"),
    "echo flags": "echo" + repeated(" -ne"),
    "continued curl lines": "curl" + repeated(" \\\n -H x"),
    "continued curls": repeated("curl \\\n"),
    "u options": repeated("\n-u a:"),
    "odbc braces with braces and semicolons": repeated("PWD={a{;"),
    "odbc nested openings": "PWD={" + repeated("a{;"),
    "xml elements named by attributes": repeated('<a key="password" '),
    "xml opening tags": repeated("<password>"),
    "xml text lines": "<password>" + repeated(" \n"),
    "xml blank lines after text": repeated("<password>\n\nSup3r-S3cret\n\n \n"),
    "xml tags and blank lines": repeated("<password>\n \n"),
    "yaml anchors": repeated("password: &a "),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_lines_are_redacted_in_linear_time(name: str) -> None:
    assert_redacted_in_linear_time(name, PATHOLOGICAL[name])
