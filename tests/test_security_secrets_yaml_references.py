"""YAML values that name where a secret is, not it: a CI step's ``.netrc`` line given a shell
variable, Symfony's ``%env(...)%``, Ansible Vault's tag, Google Cloud's secret resource names, a
sample's ``please change me``. Each went out as ``[REDACTED]`` (real YAML files on this machine:
GitHub workflows, gcloud's command help), the model shown no value to go on from."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact

KEPT = {
    "netrc-variable": '      - run: echo "machine github.com login $GITHUB_ACTOR password $GITHUB_TOKEN" > ~/.netrc\n',
    "netrc-braces": '      - run: echo "machine github.com login x password ${GITHUB_TOKEN}" > ~/.netrc\n',
    "symfony-env": "    password: '%env(DB_PASSWORD)%'\n",
    "ansible-vault": "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n",
    "gcp-secret-flag": "  --secret=projects/my-project/secrets/my-secret/versions/1 \\\n",
    "gcp-secret-version": "  --validation-shared-key='secret_version=projects/PROJECT/secrets/SECRET/versions/VERSION'\n",
    "placeholder-phrase": "  password: please change me\n",
    "github-actions": "        password: ${{ secrets.REGISTRY_PASSWORD }}\n",
    "permissions": "permissions:\n  id-token: write\n  contents: read\n",
}


@pytest.mark.parametrize("name", KEPT)
def test_a_reference_to_a_secret_stays(name: str) -> None:
    assert redact(KEPT[name]) == KEPT[name]


def test_the_secrets_beside_them_are_still_redacted() -> None:
    for text, secret in (
        ('echo "machine github.com login x password Zq8xw3-S3cret" > ~/.netrc\n', "Zq8xw3-S3cret"),
        ("    password: '%Zq8xw3-S3cret%'\n", "%Zq8xw3-S3cret%"),
        ("  password: correct horse battery staple\n", "correct horse battery staple"),
        ("  --secret=Zq8xw3-S3cret-77 \\\n", "Zq8xw3-S3cret-77"),
    ):
        assert redact(text) == text.replace(secret, REDACTED), text


def test_ansible_s_unsafe_literal_is_redacted_and_tags_naming_a_value_stay() -> None:
    """``!unsafe`` marks a literal Ansible must not template: the tag went out as [REDACTED] and
    the password after it as written."""
    text = "password: !unsafe 'Zq8xw3%S3cret'\n"
    assert redact(text) == "password: !unsafe '[REDACTED]'\n"
    for kept in ("password: !secret db_password\n", "  SecretString: !GetAtt Secret.Value\n", "api_key: !ENV ${API_KEY}\n"):
        assert redact(kept) == kept
