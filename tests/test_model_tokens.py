"""Token counting with DeepSeek's tokenizer, and the estimate fallback."""

from __future__ import annotations

import base64
import hashlib
import textwrap
from pathlib import Path

import pytest

from deepseek_lsp.model import tokens
from deepseek_lsp.model.tokens import EstimateCounter, TokenCounter, default_counter

CODE = "def add(a, b):\n    return a + b  # 加法 ✓\n" * 20


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def test_tokenizer_file_ships_with_the_package() -> None:
    path = tokens.tokenizer_path()
    assert path.name == "tokenizer.json" and path.is_file()


def test_count(counter: TokenCounter) -> None:
    assert counter.count("") == 0
    n = counter.count(CODE)
    assert 0 < n < len(CODE)
    assert counter.count("hello world") == 2
    assert counter.exact


def test_estimate_counter() -> None:
    est = EstimateCounter()
    assert not est.exact
    assert est.count("x" * 10) == 3
    assert est.count("") == 0
    with pytest.raises(ValueError):
        EstimateCounter(0)


# What a file holds besides English and code: each counted about twice too low (emoji six
# times) by 0.3 tokens a character, so a prompt built before the tokenizer had loaded, or for a
# self-hosted model, ran to twice its budget.
_DENSE = {
    "chinese comment": "    # 计算每个用户的总金额，并在余额不足时返回错误信息\n" * 20,
    "japanese": "これは日本語のテキストです。トークナイザーの見積もりが正しいか確認します。\n" * 20,
    "korean": "이것은 한국어 텍스트입니다. 토크나이저의 추정이 정확한지 확인합니다.\n" * 20,
    "hex digest": "".join(f"{n:08x}9f3b2c7d1e4a6058" for n in range(0, 40_000_000, 499_999)),
    "bytecode": 'BYTECODE = "0x' + "6080604052348015600f57600080fd5b50" * 40 + '"\n',
    "base64": "data = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='\n" * 8,
    "uuids": "".join(f"id = '{n:08x}-4b2a-9c3d-8e7f-{n * 7919:012x}'\n" for n in range(60)),
    "emoji": "status = '✅ done 🎉 🚀 shipped 😀'\n" * 20,
}


@pytest.mark.parametrize("name", sorted(_DENSE))
def test_the_estimate_is_not_far_below_the_real_count(counter: TokenCounter, name: str) -> None:
    text = _DENSE[name]
    real, estimate = counter.count(text), EstimateCounter().count(text)
    assert estimate >= 0.7 * real, f"{name}: {estimate} estimated, {real} real"
    assert estimate <= 1.5 * real, f"{name}: {estimate} estimated, {real} real"


# Byte arrays and minified code, counted 0.63-0.75 times by characters: fitted by the estimate to
# the budget less LOADING_MARGIN (a fifth) while the tokenizer loads, prompts of them still went
# over the budget.
_PACKED = {
    "hex byte array": "".join(f"    0x{n % 251:02x}, 0x{n * 7 % 256:02X}, 0x{n * 13 % 256:02x}, 0x{n * 31 % 256:02x},\n" for n in range(150)),
    "decimal byte array": "".join(f"    {n % 251}, {n * 7 % 256}, {n * 13 % 256}, {n * 31 % 256}, {n * 3 % 256},\n" for n in range(150)),
    "bytes literal": "".join(f'    b"\\x{n % 251:02x}\\x{n * 7 % 256:02x}\\x{n * 13 % 256:02x}\\x{n * 31 % 256:02x}"\n' for n in range(150)),
    "hex dump": "".join(f"{n * 16:08x}  " + " ".join(f"{(n * 16 + i) * 37 % 256:02x}" for i in range(16)) + "\n" for n in range(60)),
    "minified javascript": "".join(
        f"var {a}=(l,t,e)=>{{if(!t.has(l))throw TypeError(\"Cannot \"+e)}};{a}.p=function(e){{return e?e.call(l):t.get(l)}},"
        f"{a}x={{}}.hasOwnProperty;try{{{a}x[e]=!0}}catch(n){{}}return typeof s==\"object\"&&s&&s.v===1?s.x:null;"
        for a in ("G", "I", "j", "x", "T", "Q", "W", "z", "Ke", "Rt")
    ),
}


@pytest.mark.parametrize("name", sorted(_PACKED))
def test_a_prompt_of_packed_text_fitted_by_the_estimate_keeps_to_its_budget(counter: TokenCounter, name: str) -> None:
    from deepseek_lsp.completion.prompting import LOADING_MARGIN

    text = _PACKED[name]
    real, estimate = counter.count(text), tokens.LOADING_ESTIMATE.count(text)
    assert estimate * LOADING_MARGIN >= real, f"{name}: {estimate} estimated, {real} real"
    assert estimate <= 1.3 * real, f"{name}: {estimate} estimated, {real} real"


_BLOB = base64.b64encode(b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(200))).decode()
# Base64, inlined as a data URI, a PEM body or a JWT: the estimate counted it 0.72-0.74 of its
# tokens (pieces as long as words), and a prompt of it fitted while the tokenizer loads went over
# its budget.
_BASE64 = {
    "one line": f"ICON = '{_BLOB}'\n",
    "data uri": f'<img src="data:image/png;base64,{_BLOB}">\n',
    "pem body": "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(_BLOB, 64)) + "\n-----END CERTIFICATE-----\n",
    "url-safe": f"TOKEN = '{base64.urlsafe_b64encode(base64.b64decode(_BLOB)).decode()}'\n",
    "python strings": "".join(f'    "{line}"\n' for line in textwrap.wrap(_BLOB, 76)),
}


@pytest.mark.parametrize("name", sorted(_BASE64))
def test_base64_is_estimated_at_its_count(counter: TokenCounter, name: str) -> None:
    text = _BASE64[name]
    real, estimate = counter.count(text), EstimateCounter().count(text)
    # (0.9: a line break and quotes every 64-76 characters are a few tokens more.)
    assert 0.9 * real <= estimate <= 1.2 * real, f"{name}: {estimate} estimated, {real} real"


@pytest.mark.parametrize("name", ["OutMultiEdgeDataView", "hasOneOrMoreJsAndNoTsFiles", "getElementsByTagNameNS"])
def test_a_long_camel_case_name_is_no_base64_blob(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    text = f"view = {name}(graph)\n" * 40
    estimate = EstimateCounter().count(text)
    monkeypatch.setattr(tokens, "BLOB_TOKENS_PER_CHAR", 0.3)  # no run counted as a blob
    assert EstimateCounter().count(text) == estimate


def test_the_estimate_of_code_and_prose_stays_close(counter: TokenCounter) -> None:
    for text in (Path(tokens.__file__).read_text(), tokens.__doc__ or ""):
        assert 0.9 <= EstimateCounter().count(text) / counter.count(text) <= 1.3


def test_default_counter_is_a_process_singleton() -> None:
    assert default_counter() is default_counter()
    assert isinstance(default_counter(), TokenCounter)
    # Instances share the one loaded tokenizer.
    assert TokenCounter()._tok is TokenCounter()._tok


def test_default_counter_falls_back_to_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_default", None)
    monkeypatch.setattr(tokens, "_tokenizer", None)

    def broken() -> None:
        raise FileNotFoundError("gone")

    monkeypatch.setattr(tokens, "tokenizer_path", broken)
    assert isinstance(tokens.default_counter(), EstimateCounter)


_LOAD_RSS = """
import ctypes, sys
from deepseek_lsp.heap import fix_mmap_threshold, trim
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
fix_mmap_threshold()  # as the server runs
import tokenizers, json  # the modules' own memory is not the tokenizer's
from deepseek_lsp.model.tokens import TokenCounter
trim()
before = rss_mb()
counter = TokenCounter()
trim()
print(rss_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_loaded_tokenizer_keeps_no_parse_of_its_file_resident() -> None:
    """The Rust library's own parse of the 6 MB file (each merge a string, split and looked up)
    left its temporaries between the vocabulary's strings: ~6 MB of pages glibc could not hand
    back (41 MB resident for the tokenizer, 35.7 MB built from Python's parse of the file)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _LOAD_RSS], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 38.5


def test_the_tokenizer_counts_as_the_files_own_loader_does(counter: TokenCounter) -> None:
    """Built from Python's parse of ``tokenizer.json``, it reads text token for token as the
    library's ``Tokenizer.from_file`` does: code, prose, CJK, emoji, digits, the special tokens."""
    tokenizers = pytest.importorskip("tokenizers")
    reference = tokenizers.Tokenizer.from_file(str(tokens.tokenizer_path()))
    texts = [
        CODE,
        Path(tokens.__file__).read_text(encoding="utf-8"),
        "<｜begin▁of▁sentence｜>x<｜fim▁hole｜> 数据 größe 🙂 <｜place▁holder▁no▁3｜>\n",
        "0x1f2a 12345678901 ünïcödé\r\n\t  données — «quoted» ¿qué? Привет мир",
        "  \t\r\n\n\n" + "x" * 300,
    ]
    for text in texts:
        assert counter._tok.encode(text, add_special_tokens=False).ids == reference.encode(text, add_special_tokens=False).ids


@pytest.mark.parametrize(
    ("merges", "library_says"),
    [(["abc"], "Merges text file invalid"), ([["a", "b", "c"]], "MergeType"), ([1], "MergeType")],
)
def test_a_tokenizer_file_with_a_malformed_merge_is_named_with_the_librarys_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, merges: list, library_says: str
) -> None:
    """A merge that is no pair ("abc", three halves, a number) was read by Python first: the log
    said 'DeepSeek tokenizer unavailable (not enough values to unpack (expected 2, got 1))',
    naming neither the file nor what is wrong in it."""
    spec = {
        "version": "1.0", "added_tokens": [], "normalizer": None, "pre_tokenizer": None,
        "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2}, "merges": merges},
    }
    path = tmp_path / "tokenizer.json"
    path.write_text(__import__("json").dumps(spec), encoding="utf-8")
    monkeypatch.setattr(tokens, "_default", None)
    monkeypatch.setattr(tokens, "_tokenizer", None)
    monkeypatch.setattr(tokens, "tokenizer_path", lambda: path)
    with caplog.at_level("WARNING", logger=tokens.__name__):
        assert isinstance(tokens.default_counter(), EstimateCounter)
    said = caplog.text
    assert str(path) in said and library_says in said and "unpack" not in said, said


# Code DeepSeek's tokenizer counts by its pre-tokenizer's pieces: the estimate while it loads
# must come near both ways, or the prompt fitted by it is too small or over the budget.
_PIECED = {
    "c constants": "".join(f"\tUVERBS_ATTR_CREATE_FLOW_ACTION_ESP_HANDLE_{i},\n#define SONYPI_EVENT_FAST_UP_{i}\t{i}\n" for i in range(100)),
    "indented python": "".join(f"                if self._values[{i}] is None:\n                    return default\n" for i in range(100)),
    "docstring": '    """' + "Return the value of the named option, or the default when it is not set.\n    " * 60 + '"""\n',
}


@pytest.mark.parametrize("name", sorted(_PIECED))
def test_the_loading_estimate_counts_code_near_its_tokens(counter: TokenCounter, name: str) -> None:
    from deepseek_lsp.completion.prompting import LOADING_MARGIN

    text = _PIECED[name]
    real = counter.count(text)
    estimate = sum(tokens.LOADING_ESTIMATE.count(line) for line in text.splitlines(keepends=True))
    assert real <= estimate * LOADING_MARGIN, f"{name}: {estimate} estimated, {real} real"
    assert estimate <= 1.15 * real, f"{name}: {estimate} estimated, {real} real"
