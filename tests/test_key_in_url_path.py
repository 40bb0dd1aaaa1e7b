"""A key pasted into the base URL as a path segment (``https://gateway/v1/sk-…``, the key glued
on with a slash where a space was meant, or a gateway that takes it in its path) is never shown:
doctor's configuration and endpoint lines, the language server's messages and log, all go
through ``safe_url``, which left the path as it was (the key shown three times in a doctor
report pasted into an issue), though it masks the apiKey setting itself."""

from __future__ import annotations

from typing import Any

from deepseek_lsp.model.errors import safe_url
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import server_env
from tests.test_cli import doctor

KEY = "sk-" + "b" * 24 + "1234"


def test_a_key_in_the_path_is_not_shown() -> None:
    assert KEY not in (safe_url(f"https://gateway.example/v1/{KEY}/chat/completions") or "")
    assert safe_url(f"https://gateway.example/v1/{KEY}") == "https://gateway.example/v1/(key hidden)"


def test_ordinary_path_segments_are_still_shown() -> None:
    """A deployment's or a model's name in the path is what a user checks for a typo."""
    for url in (
        "https://corp.openai.azure.com/openai/deployments/gpt4o-prod-EastUS2",
        "https://gateway.ai.cloudflare.com/v1/023e105f4ecef8ad9ca31a8372d0c353/my-gateway/deepseek",
        "http://127.0.0.1:8000/v1/skills-2024-08-06-service",
    ):
        assert safe_url(url) == url


def test_doctor_never_prints_a_key_pasted_into_the_base_url(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    with FakeDeepSeek(api_key=None) as fake:
        env = server_env(f"{fake.url}/v1/{KEY}", state_dir=str(tmp_path))
        code, out, err = doctor(monkeypatch, capsys, env)
    assert code == 1
    assert KEY not in out + err and "b" * 24 not in out + err, [
        line for line in (out + err).splitlines() if "b" * 8 in line
    ]
    assert "/v1/(key hidden)" in out
