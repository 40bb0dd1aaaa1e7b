"""Terraform's JSON syntax (``*.tf.json``): a variable's ``default`` under a secret's name, as
its HCL form's (``variable "db_password" { default = "…" }``) has long been redacted."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import (
    SECRET,
    assert_not_in_prompts,
    assert_redacted,
    assert_redacted_in_linear_time,
    repeated,
)


@pytest.mark.parametrize(
    "text",
    [
        f'{{"variable": {{"db_password": {{"default": "{SECRET}"}}}}}}\n',
        # the default lines below its name, after its type, description and a nested object
        '{\n  "variable": {\n    "db_password": {\n      "type": "string",\n'
        '      "description": "The database admin password",\n      "validation": {"condition": "${length(var.db_password) > 8}"},\n'
        f'      "sensitive": true,\n      "default": "{SECRET}"\n    }},\n'
        '    "region": {\n      "default": "eu-west-1"\n    }\n  }\n}\n',
        f'{{\n  "variable": {{\n    "github_token": {{\n      "default" : "{SECRET}"\n    }}\n  }}\n}}\n',
    ],
)
def test_a_terraform_json_variable_s_default_secret_is_redacted(text: str) -> None:
    assert_redacted(text)


def test_terraform_json_defaults_that_are_no_secret_stay() -> None:
    text = (
        '{\n  "variable": {\n'
        '    "db_password": {\n      "type": "string",\n      "sensitive": true\n    },\n'
        '    "region": {\n      "default": "eu-west-1a"\n    },\n'
        '    "admin_password": {\n      "default": ""\n    },\n'
        '    "password_length": {\n      "default": 16\n    },\n'
        '    "api_token": {\n      "default": null\n    },\n'
        '    "token_type": {\n      "default": "bearer"\n    },\n'
        '    "db_password_ref": {\n      "default": "${var.db_password}"\n    },\n'
        '    "instance_type": {\n      "description": "Size of the token cache node",\n      "default": "t3.medium"\n    }\n'
        "  }\n}\n"
    )
    assert redact(text) == text


def test_a_terraform_json_default_is_not_in_a_completion_prompt() -> None:
    text = (
        '{\n  "provider": {"aws": {"region": "eu-west-1"}},\n  "variable": {\n    "db_password": {\n'
        '      "description": "Master password",\n      "type": "string",\n      "sensitive": true,\n'
        f'      "default": "{SECRET}"\n    }}\n  }},\n  "resource": {{\n    "aws_db_instance": {{\n'
        '      "db": {"password": "${var.db_password}"}\n    }\n  }\n}\n'
    )
    assert_not_in_prompts(text, '"resource"')


def test_a_window_starting_inside_a_terraform_json_variable_sends_no_default() -> None:
    """The variable's name above the prompt's window (redacted apart from it), more lines above
    than the seam between them: the default alone looks like nothing."""
    before = (
        '{\n  "variable": {\n    "db_password": {\n      "description": "Master",\n      "type": "string",\n'
        '      "sensitive": true,\n      "nullable": false,\n'
    )
    text = f'      "default": "{SECRET}"\n    }}\n  }}\n}}\n'
    assert redact(text, before=before) == text.replace(SECRET, REDACTED)


@pytest.mark.parametrize(
    "unit",
    ['"db_password": {"a": {}, ', '"token": {"token": {', '"token": {"x": "${a}", '],
)
def test_terraform_json_variables_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, repeated(unit))
