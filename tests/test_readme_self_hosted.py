"""Each settings example of README.md's "Self-hosted backends" works as written.

A new user copies the block for their server into the editor's settings; each one is run here
through ``deepseek-lsp doctor --settings`` against the fake server answering as that server
(its paths, its model list), only its address changed to the fake's: a block with a setting
the server no longer knows, a wrong backend for that server or a model it does not list fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.fake_deepseek import FakeDeepSeek
from tests.test_cli import doctor
from tests.test_fim_key_host import PROXY_VARS

ROOT = Path(__file__).resolve().parents[1]
#: The server each example's backend is written for.
SERVER_OF_BACKEND = {"openai-suffix": "ollama", "fim-template": "vllm", "llamacpp-infill": "llamacpp"}


def self_hosted_examples() -> list[dict[str, Any]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Self-hosted backends\n", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def test_the_section_has_an_example_for_ollama_vllm_and_llama_cpp() -> None:
    backends = sorted(example.get("backend", "deepseek") for example in self_hosted_examples())
    assert backends == sorted(SERVER_OF_BACKEND), backends


def at(url: str, fake: FakeDeepSeek) -> str:
    """``url`` with the fake's host and port, its path kept (``/v1`` or none)."""
    parts, own = urlsplit(url), urlsplit(fake.url)
    return urlunsplit(parts._replace(scheme=own.scheme, netloc=own.netloc))


@pytest.mark.parametrize("example", self_hosted_examples(), ids=lambda e: e.get("backend", "deepseek"))
def test_each_example_passes_doctor_against_its_server(
    example: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    models = {part["model"] for part in (example.get("completion", {}), example.get("review", {})) if "model" in part}
    with FakeDeepSeek(api_key=None) as fake:  # no key, as these servers start
        fake.server = SERVER_OF_BACKEND[example["backend"]]
        fake.models = sorted(models) or ["qwen2.5-coder-7b-instruct-q8_0.gguf"]
        settings = {**example, **{k: at(example[k], fake) for k in ("baseUrl", "fimBaseUrl") if k in example}}
        path = tmp_path / "settings.json"
        path.write_text(json.dumps(settings), encoding="utf-8")
        for name in PROXY_VARS:
            monkeypatch.delenv(name, raising=False)
        code, out, err = doctor(monkeypatch, capsys, {"DEEPSEEK_LSP_STATE_DIR": str(tmp_path)}, "--settings", str(path))
    assert code == 0 and out.rstrip().endswith("all good"), out + err
