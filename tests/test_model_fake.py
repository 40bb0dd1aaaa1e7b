"""The fake DeepSeek server itself: wire format, prefix cache, auth, Tabby, control API, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.fake_deepseek import DEFAULT_KEY, FakeDeepSeek, PrefixCache

AUTH = {"Authorization": f"Bearer {DEFAULT_KEY}"}
ROOT = Path(__file__).resolve().parent.parent


def sse_payloads(text: str) -> list[str]:
    return [line[len("data: ") :] for line in text.splitlines() if line.startswith("data: ")]


def test_prefix_cache_rounds_to_64_token_units() -> None:
    cache = PrefixCache()
    base = "a" * 1000  # 250 tokens at 4 chars per token
    assert cache.hit_tokens("m", base + "X") == 0
    # 1000 common chars = 250 tokens -> 192 tokens (3 units of 64).
    assert cache.hit_tokens("m", base + "Y") == 192
    assert cache.hit_tokens("other-model", base + "Z") == 0
    assert cache.hit_tokens("m", "b" + base) == 0  # a change at token 0 kills the hit
    assert cache.hit_tokens("m", "a" * 100) == 0  # 25 tokens: less than one unit


def test_fim_stream_wire_format(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.script("abcdefghij")
    body = {
        "model": "deepseek-flash",
        "prompt": "x",
        "suffix": "y",
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    r = httpx.post(f"{fake_deepseek.url}/beta/completions", json=body, headers=AUTH)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    payloads = sse_payloads(r.text)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == "abcdefghij"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["prompt_cache_miss_tokens"] >= 1
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert "usage" not in chunks[-2]


def test_inline_usage_and_keepalive_comments(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.set_usage_shape("inline")
    fake_deepseek.fault("stall", seconds=0.05, interval=0.01)
    body = {"model": "deepseek-flash", "prompt": "x", "stream": True}
    r = httpx.post(f"{fake_deepseek.url}/completions", json=body, headers=AUTH)
    assert ": keep-alive" in r.text
    chunks = [json.loads(p) for p in sse_payloads(r.text)[:-1]]
    assert chunks[-1]["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_auth_error_body_shape(fake_deepseek: FakeDeepSeek) -> None:
    r = httpx.post(
        f"{fake_deepseek.url}/chat/completions", json={}, headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code == 401
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert fake_deepseek.requests[-1].headers["authorization"] == "<redacted>"
    assert not fake_deepseek.requests[-1].authorized


def test_validation_errors(fake_deepseek: FakeDeepSeek) -> None:
    url = fake_deepseek.url
    r = httpx.post(
        f"{url}/beta/completions",
        json={"model": "m", "prompt": "x", "stream_options": {}},
        headers=AUTH,
    )
    assert r.status_code == 400
    r = httpx.post(
        f"{url}/chat/completions",
        json={
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}],
            "response_format": {"type": "json_object"},
        },
        headers=AUTH,
    )
    assert r.status_code == 400 and "json" in r.json()["error"]["message"]
    prefix_msgs = [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": "y", "prefix": True},
    ]
    r = httpx.post(
        f"{url}/chat/completions", json={"model": "m", "messages": prefix_msgs}, headers=AUTH
    )
    assert r.status_code == 400
    r = httpx.post(
        f"{url}/beta/chat/completions", json={"model": "m", "messages": prefix_msgs}, headers=AUTH
    )
    assert r.status_code == 200
    r = httpx.post(f"{url}/chat/completions", content=b"{not json", headers=AUTH)
    assert r.status_code == 400
    r = httpx.post(f"{url}/nowhere", json={}, headers=AUTH)
    assert r.status_code == 404


def test_status_fault_with_retry_after(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.fault("status", count=2, status=429, retry_after=3)
    for _ in range(2):
        r = httpx.get(f"{fake_deepseek.url}/models", headers=AUTH)
        assert r.status_code == 429 and r.headers["retry-after"] == "3"
    assert httpx.get(f"{fake_deepseek.url}/models", headers=AUTH).status_code == 200


def test_a_fault_for_one_prompt_spares_the_requests_before_it(fake_deepseek: FakeDeepSeek) -> None:
    """A key's request the next key supersedes (or a prefetch) took a test's one 402, meant for
    the request after it (the Neovim e2e's 402 step, at load)."""
    url = f"{fake_deepseek.url}/beta/completions"
    httpx.post(f"{fake_deepseek.url}/_fake/fault", json={"kind": "status", "status": 402, "prompt_end": "zzz"})

    def asked(prompt: str) -> int:
        return httpx.post(url, json={"model": "m", "prompt": prompt}, headers=AUTH).status_code

    assert [asked("x = 1\nzz"), asked("x = 1\nzzz"), asked("x = 1\nzzz")] == [200, 402, 200]
    assert [r.faults for r in fake_deepseek.requests] == [[], ["status"], []]


def test_responder_stop_and_max_tokens(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.responder(
        lambda body: body["prompt"].upper() + "\nsecond line", path="/v1/completions"
    )
    body = {"model": "m", "prompt": "abc", "stop": ["\n"], "max_tokens": 50}
    r = httpx.post(f"{fake_deepseek.url}/v1/completions", json=body, headers=AUTH)
    choice = r.json()["choices"][0]
    assert choice["text"] == "ABC" and choice["finish_reason"] == "stop"
    body = {"model": "m", "prompt": "abcdefghijkl", "max_tokens": 1}
    choice = httpx.post(f"{fake_deepseek.url}/v1/completions", json=body, headers=AUTH).json()[
        "choices"
    ][0]
    assert choice["text"] == "ABCD" and choice["finish_reason"] == "length"
    # Other paths keep the default answer.
    r = httpx.post(f"{fake_deepseek.url}/beta/completions", json=body, headers=AUTH)
    assert r.json()["choices"][0]["text"] == "retu"


def test_tabby_api(fake_deepseek: FakeDeepSeek) -> None:
    health = httpx.get(f"{fake_deepseek.url}/v1/health", headers=AUTH)
    assert health.status_code == 200 and "model" in health.json()
    fake_deepseek.responder(lambda body: body["segments"]["prefix"][-3:], path="/v1/completions")
    body = {"language": "python", "segments": {"prefix": "def foo", "suffix": ""}}
    r = httpx.post(f"{fake_deepseek.url}/v1/completions", json=body, headers=AUTH)
    out = r.json()
    assert out["id"].startswith("cmpl-")
    assert out["choices"] == [{"index": 0, "text": "foo"}]


def test_llamacpp_stream_has_no_done(fake_deepseek: FakeDeepSeek) -> None:
    fake_deepseek.script("hello")
    body = {"input_prefix": "a", "input_suffix": "b", "n_predict": 10, "stream": True}
    r = httpx.post(f"{fake_deepseek.url}/infill", json=body, headers=AUTH)
    payloads = sse_payloads(r.text)
    assert "[DONE]" not in payloads
    last = json.loads(payloads[-1])
    assert last["stop"] is True and "timings" in last and last["tokens_evaluated"] >= 1
    assert httpx.get(f"{fake_deepseek.url}/health", headers=AUTH).json() == {"status": "ok"}


def test_control_api(fake_deepseek: FakeDeepSeek) -> None:
    url = fake_deepseek.url
    assert httpx.post(f"{url}/_fake/script", json={"answers": ["scripted"]}).json() == {"ok": True}
    httpx.post(f"{url}/_fake/fault", json={"kind": "status", "status": 503, "count": 1})
    assert (
        httpx.post(
            f"{url}/completions", json={"model": "m", "prompt": "x"}, headers=AUTH
        ).status_code
        == 503
    )
    r = httpx.post(f"{url}/completions", json={"model": "m", "prompt": "x"}, headers=AUTH)
    assert r.json()["choices"][0]["text"] == "scripted"
    recorded = httpx.get(f"{url}/_fake/requests").json()
    assert [r["status"] for r in recorded] == [503, 200]
    assert recorded[0]["faults"] == ["status"]
    httpx.post(f"{url}/_fake/reset")
    assert httpx.get(f"{url}/_fake/requests").json() == []
    assert httpx.post(f"{url}/_fake/fault", json={"kind": "bogus"}).status_code == 400


def test_standalone_process(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"answers": ["from the script"], "latency": {"ttft": 0.0}}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_deepseek", "--port", "0", "--script", str(script)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("fake-deepseek listening on http://127.0.0.1:")
        url = line.split()[-1]
        r = httpx.post(f"{url}/beta/completions", json={"model": "m", "prompt": "x"}, headers=AUTH)
        assert r.json()["choices"][0]["text"] == "from the script"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        rest = proc.stdout.read()  # what follows the first line, buffered with it or not
        proc.stdout.close()
    assert proc.returncode == 0
    # The key it expects was in no output, its --help only "expected API key": a user trying
    # deepseek-lsp against it read the source to find it.
    assert f"DEEPSEEK_BASE_URL={url} DEEPSEEK_API_KEY={DEFAULT_KEY} deepseek-lsp doctor" in rest, rest


def test_standalone_process_prints_no_key_it_was_given() -> None:
    """A key given with --key is the caller's: the editors' e2e runs fail when any log of theirs
    holds it, and the fake's own hint line put it in fake.log."""
    given = "sk-e2e-abcdef0123456789"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_deepseek", "--port", "0", "--key", given],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("fake-deepseek listening on http://127.0.0.1:")
        hint = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        rest = proc.stdout.read()
        proc.stdout.close()
    assert "deepseek-lsp doctor" in hint and "DEEPSEEK_API_KEY=<the --key given>" in hint, hint
    assert given not in hint + rest


def test_bad_fault_arguments() -> None:
    fake = FakeDeepSeek()
    with pytest.raises(ValueError):
        fake.fault("nope")
    with pytest.raises(ValueError):
        fake.fault("status")
