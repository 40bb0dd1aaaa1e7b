"""Reviews at an Ollama that neither port 11434 nor the completion server's warm-up names:
on another port, from the command line, or while completions go to another server. Ollama cut
each review's prompt from its start (the review's instructions) without a word; the review
server is now asked what it is (its model list), once per base URL, and reviews fitted."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from deepseek_lsp.config import Settings
from deepseek_lsp.endpoint_settings import endpoint_config
from deepseek_lsp.model import ModelClient, prompt_read
from deepseek_lsp.model.ledger import Ledger
from tests.fake_deepseek import FakeDeepSeek
from tests.harness import cli_command
from tests.review_support import reviewer
from tests.selfhosted_stdio import LOCAL_MODEL
from tests.test_backend_pause import DOC, RULE, Reviewing
from tests.test_selfhosted_prompt_read import BIG, _whole_chat, as_ollama

pytestmark = pytest.mark.usefixtures("state_dir")
CHAT = "/v1/chat/completions"


@pytest.mark.parametrize(("proxied", "deepseek_key"), [(False, False), (False, True), (True, False)])
def test_the_command_line_fits_reviews_to_an_ollama_on_another_port(
    fake_deepseek: FakeDeepSeek, tmp_path: Path, proxied: bool, deepseek_key: bool
) -> None:
    """``deepseek-lsp review`` at an Ollama of 2,048 tokens on a port of its own, or behind the
    environment's proxy: no warm-up named it, its review requests were sent whole and cut (the
    instructions lost, and with them the findings). Its model list, asked once for the run,
    names it: requests fitted, the function no request holds named with the way out. A
    DeepSeek key (completions at DeepSeek) goes with none of it."""
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.server, fake_deepseek.api_key = "ollama", None
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(DOC.replace("find", f"find_{name}") + BIG)
    settings = tmp_path / "settings.json"
    # (behind the proxy, the fake answering for a host never resolved)
    base = "http://ollama.internal:8080/v1" if proxied else f"{fake_deepseek.url}/v1"
    chosen: dict[str, object] = {"backend": "chat", "baseUrl": base, "review": {"model": LOCAL_MODEL}, "allowHttp": True}
    if deepseek_key:
        chosen["fimBaseUrl"] = "https://api.deepseek.com/beta"
    settings.write_text(json.dumps(chosen))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_LSP_STATE_DIR"] = str(tmp_path / "state")
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        env.pop(name, None)
    if proxied:
        env["HTTP_PROXY"] = fake_deepseek.url
    if deepseek_key:
        env["DEEPSEEK_API_KEY"] = "sk-deepseek-0123456789abcdef"
    command, env = cli_command(["review", "a.py", "b.py", "--settings", str(settings), "--fail-on", "never"], env)
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    said = done.stdout + done.stderr
    assert done.returncode == 2 and "some reviews did not complete" in done.stderr, said  # (big's)
    sent = fake_deepseek.requests_to(CHAT)
    assert sent and [q.read for q in sent] == [_whole_chat(q) for q in sent], "a review's prompt was cut"
    assert not any("def big" in _whole_chat(q) for q in sent)
    assert said.count("function big") == 2 and "OLLAMA_CONTEXT_LENGTH" in said and "(2,048 tokens)" in said
    assert said.count("Compare with None") == 2  # the instructions read: each file's finding
    # The functions not sent are not the cache's: the closing line said "2 of 4 units from the cache".
    assert "0 of 4 units from the cache" in said and "2 units too large for the server's context" in said, said
    assert len(fake_deepseek.requests_to("/v1/models")) == 1  # asked once for the run
    assert not any("authorization" in {h.lower() for h in r.headers} for r in fake_deepseek.requests)
    assert all(r.proxied == proxied for r in fake_deepseek.requests)


async def test_the_editor_fits_reviews_to_an_ollama_while_completions_go_elsewhere(fake_deepseek: FakeDeepSeek) -> None:
    """Completions at llama-server (its warm-up is its /health), reviews at an Ollama on another
    port: nothing named the review server, and every review's prompt was cut. Now it is asked."""
    as_ollama(fake_deepseek, num_ctx=2048)
    fake_deepseek.responder(reviewer([RULE]), path=CHAT)
    async with Reviewing(fake_deepseek) as r:
        old = r.services.settings
        new = replace(
            old, backend="llamacpp-infill", base_url=f"{fake_deepseek.url}/v1", fim_base_url="http://127.0.0.1:9",
            review=replace(old.review, model=LOCAL_MODEL),
        )
        r.services.settings = new
        r.usage.settings_changed(old, new)
        r.review.settings_changed(old, new)
        r.services.documents.open("file:///ws/a.py", DOC + BIG, "python", 1)
        result = await r.run("file:///ws/a.py")
        sent = fake_deepseek.requests_to(CHAT)
        assert sent and [q.read for q in sent] == [_whole_chat(q) for q in sent], "a review's prompt was cut"
        assert result["findings"] == 1
        (problem,) = result["problems"]
        assert "function big" in problem and "OLLAMA_CONTEXT_LENGTH" in problem


@pytest.mark.parametrize("base", ["https://api.deepseek.com", "https://api.deepseek.com/v1"])
async def test_deepseek_is_not_asked_what_it_is(base: str, tmp_path: Path) -> None:
    """DeepSeek's API is DeepSeek: a review there asks no model list before it."""
    asked: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(404)

    config = endpoint_config(Settings(base_url=base, api_key="sk-test-0123456789"))
    async with ModelClient(config, Ledger(tmp_path / "usage.db"), transport=httpx.MockTransport(record)) as client:
        assert await prompt_read.review_room(client, "deepseek-v4-pro", 4096) is None
    assert asked == []


def test_the_units_too_large_are_named_as_the_reports_name_them(tmp_path: Path) -> None:
    """The code outside definitions too large for the server's context was "module module
    level", a long class's part "class Large, part 2", where the JSON and SARIF reports name
    them by the module (``pkg.store``) and the class; each is named so, found by its line."""
    from deepseek_lsp.model.prompt_read import ReviewRoom
    from deepseek_lsp.review.fitting import too_large_text
    from deepseek_lsp.review.units import Unit

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    units = [
        (Unit("module", "module level, part 2", ((40, 90),), "x"), 9000),
        (Unit("class", "Large, part 2", ((120, 300),), "x"), 9000),
        (Unit("method", "Large.last", ((310, 400),), "x"), 9000),
    ]
    said = too_large_text(units, "qwen", ReviewRoom(2048, 2048, "Ollama"), str(tmp_path / "pkg" / "store.py"))
    assert said.startswith(
        "module pkg.store (line 41, some 9,000 tokens), class Large (line 121, some 9,000 tokens), "
        "method Large.last (line 311, some 9,000 tokens) not reviewed"
    ), said
