"""A cursor inside a line (renaming a word, editing a value): the suffix starts with the rest of
the line, a word cut in two (``do|cker login -u ci -p …``, ``"github-|oauth": {``,
``de|fault = [...]``), and the rest read as no command, no section's name, no default: the
secret on that line or below it went out with the suffix. And CloudFormation's ``NoEcho``
parameters: a cursor inside one's default, and one written as a flow mapping."""

from __future__ import annotations

import pytest

from deepseek_lsp.documents import Document
from deepseek_lsp.privacy import REDACTED, redact
from deepseek_lsp.prompts import build_fim_prompt

A, B = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg"
#: Enough rules between a variable's name and its default that the name is out of the window.
_VALIDATIONS = "".join(f'  validation {{\n    condition     = length(var.x) > {n}\n    error_message = "Rule {n}."\n  }}\n' for n in range(50))


def _count(text: str) -> int:
    return len(text) // 3 + 1


@pytest.mark.parametrize(
    ("path", "text", "cut"),
    [
        ("deploy.sh", f"#!/bin/sh\nset -eu\ndocker login -u ci -p {A} registry.example.com\ndocker push app\n", "do"),
        ("auth.json", '{\n    "github-oauth": {\n' + f'        "github.com": "{A}",\n        "ghe.example.com": "{B}"\n' + "    }\n}\n", '"github-'),
        ("state.json", '{\n  "cookies": [\n    {\n      "name": "sessionid",\n' + f'      "value": "{A}",\n      "domain": "localhost"\n    }}\n  ]\n}}\n', '"cooki'),
        ("vars.tf", 'variable "db_passwords" {\n  type = list(string)\n' + _VALIDATIONS + f'  default = ["{A}", "{B}"]\n}}\n', "  de"),
    ],
)
def test_a_cursor_inside_a_line_s_word_sends_no_secret_after_it(path: str, text: str, cut: str) -> None:
    doc = Document(f"file:///w/app/{path}", text)
    cursor = text.index(cut) + len(cut)
    for budget in (160, 2000):
        fim = build_fim_prompt(doc, cursor, budget=budget, suffix_share=0.3, count=_count)
        sent = fim.prompt + fim.suffix
        assert A[:8] not in sent and B[:8] not in sent, (budget, fim.suffix)


CFN = (
    "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env:\n    Type: String\n    Default: prod\n"
    f"  MasterUser:\n    Type: String\n    NoEcho: true\n    Default: {A}\n"
    f"  AdminLogin:\n    NoEcho: 'true'\n    Type: String\n    Default: '{B}'\n"
)


def test_a_cursor_inside_a_no_echo_parameter_s_default_sends_neither_half() -> None:
    """``Default: Fk8d7|s6Gh…`` under ``NoEcho: true``: the value ran from the window into the
    suffix, was neither's alone, and both halves went out."""
    doc = Document("file:///w/app/template.yaml", CFN)
    for secret in (A, B):
        for cursor in range(CFN.index(secret), CFN.index(secret) + len(secret) + 1):
            fim = build_fim_prompt(doc, cursor, budget=2000, suffix_share=0.3, count=_count)
            sent = fim.prompt + fim.suffix
            assert not any(secret[i : i + 6] in sent for i in range(len(secret) - 5)), (cursor, sent)


@pytest.mark.parametrize(
    "line",
    [
        f"  DBPassword: {{Type: String, NoEcho: true, Default: {A}}}\n",
        f"  DBPassword: {{NoEcho: 'true', Type: String, Default: '{A}', MinLength: 8}}\n",
        f'  DBPassword: {{ Default: "{A}" , NoEcho: true }}\n',
    ],
)
def test_a_no_echo_parameter_written_as_a_flow_mapping_sends_no_default(line: str) -> None:
    """``DBPassword: {Type: String, NoEcho: true, Default: …}`` on one line: only a ``NoEcho``
    at a line's start was read, and the default went out, the whole template redacted."""
    text = "Parameters:\n  Env: {Type: String, Default: prod}\n" + line + "Resources: {}\n"
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED), out
