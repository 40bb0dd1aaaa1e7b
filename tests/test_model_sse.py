"""SSE decoding and stream chunk interpretation, on bytes as DeepSeek sends them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_lsp.model.errors import MalformedResponse, ServerError
from deepseek_lsp.model.sse import ChunkAccumulator, SSEDecoder
from deepseek_lsp.model.types import Usage

USAGE = {
    "prompt_tokens": 100,
    "completion_tokens": 5,
    "total_tokens": 105,
    "prompt_tokens_details": {"cached_tokens": 64},
    "prompt_cache_hit_tokens": 64,
    "prompt_cache_miss_tokens": 36,
}


def fim_chunk(text: str, finish: str | None = None, usage: dict | None = None) -> str:
    obj: dict = {
        "id": "x",
        "object": "text_completion",
        "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}],
    }
    if usage is not None:
        obj["usage"] = usage
    return "data: " + json.dumps(obj, ensure_ascii=False) + "\n\n"


def usage_chunk(usage: dict) -> str:
    return "data: " + json.dumps({"id": "x", "choices": [], "usage": usage}) + "\n\n"


SEPARATE = (
    ": keep-alive\n\n"
    + fim_chunk("def ")
    + ": keep-alive\n\n"
    + fim_chunk("foo():", "stop")
    + usage_chunk(USAGE)
    + "data: [DONE]\n\n"
)
INLINE = fim_chunk("def ") + fim_chunk("foo():", "stop", USAGE) + "data: [DONE]\n\n"


def run(raw: bytes, dialect: str = "text", splits: list[int] | None = None) -> tuple:
    dec = SSEDecoder()
    acc = ChunkAccumulator(dialect)  # type: ignore[arg-type]
    cuts = sorted(set(splits or []))
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    deltas = []
    for piece in pieces:
        for data in dec.feed(piece):
            deltas.append(acc.feed(data))
    for data in dec.flush():
        deltas.append(acc.feed(data))
    return acc, [d for d in deltas if d], dec


def test_separate_usage_chunk_with_empty_choices() -> None:
    acc, deltas, dec = run(SEPARATE.encode())
    assert deltas == ["def ", "foo():"]
    assert acc.text == "def foo():"
    assert acc.finish_reason == "stop"
    assert acc.usage == Usage(100, 5, 64, 36)
    assert acc.done
    assert dec.comments == 2


def test_usage_on_last_content_chunk() -> None:
    acc, deltas, _ = run(INLINE.encode())
    assert deltas == ["def ", "foo():"]
    assert acc.usage == Usage(100, 5, 64, 36)
    assert acc.finish_reason == "stop"
    assert acc.done


def test_done_marks_end_and_later_data_is_ignored() -> None:
    raw = fim_chunk("a", "stop") + "data: [DONE]\n\n" + fim_chunk("ignored")
    acc, deltas, _ = run(raw.encode())
    assert deltas == ["a"]
    assert acc.done


def test_blank_lines_and_crlf() -> None:
    raw = ("\r\n\r\n: keep-alive\r\n\r\n" + fim_chunk("x", "stop").replace("\n", "\r\n")).encode()
    acc, deltas, dec = run(raw)
    assert deltas == ["x"]
    assert dec.comments == 1
    assert not acc.done  # no [DONE] yet, but a finish reason
    assert acc.finish_reason == "stop"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(SEPARATE.encode()) - 1), max_size=12))
def test_any_chunking_gives_the_same_result(splits: list[int]) -> None:
    raw = (SEPARATE.replace("\n", "\r\n") + "data: [DONE]\r\n\r\n").encode()
    acc, _, dec = run(raw, splits=splits)
    assert acc.text == "def foo():"
    assert acc.usage == Usage(100, 5, 64, 36)
    assert dec.comments == 2


def test_multibyte_text_split_inside_a_character() -> None:
    raw = fim_chunk("日本語 ✓", "stop").encode()
    cut = raw.index("本".encode()) + 1
    acc, _, _ = run(raw, splits=[cut])
    assert acc.text == "日本語 ✓"


def test_multiline_data_joined_per_spec() -> None:
    dec = SSEDecoder()
    assert dec.feed(b"data: a\ndata: b\n\n") == ["a\nb"]
    assert dec.feed(b"event: x\nid: 1\nretry: 5\ndata:c\n\n") == ["c"]


def test_unterminated_last_event_is_kept() -> None:
    dec = SSEDecoder()
    assert dec.feed(b'data: {"a": 1}') == []
    assert dec.flush() == ['{"a": 1}']


def test_only_choice_index_zero_counts() -> None:
    acc = ChunkAccumulator("text")
    data = {"choices": [{"index": 1, "text": "other"}, {"index": 0, "text": "mine"}]}
    assert acc.feed(json.dumps(data)) == "mine"


def test_missing_and_null_fields_are_tolerated() -> None:
    acc = ChunkAccumulator("chat")
    assert acc.feed(json.dumps({"choices": None})) == ""
    assert acc.feed(json.dumps({"choices": [{"delta": {"content": None}}]})) == ""
    assert acc.feed(json.dumps({"choices": [{"delta": {}, "finish_reason": None}]})) == ""
    assert acc.feed(json.dumps({"usage": None, "choices": []})) == ""
    assert acc.usage is None


@pytest.mark.parametrize(
    "reason", ["stop", "length", "content_filter", "tool_calls", "insufficient_system_resource"]
)
def test_finish_reasons_are_reported(reason: str) -> None:
    acc, _, _ = run(fim_chunk("x", reason).encode())
    assert acc.finish_reason == reason


def test_chat_dialect_content_and_reasoning() -> None:
    def chunk(delta: dict, finish: str | None = None) -> str:
        body = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return "data: " + json.dumps(body) + "\n\n"

    raw = (
        chunk({"role": "assistant", "content": None})
        + chunk({"reasoning_content": "think", "content": None})
        + chunk({"content": "Hel"})
        + chunk({"content": "lo"})
        + chunk({"content": ""}, "stop")
        + usage_chunk(USAGE)
        + "data: [DONE]\n\n"
    )
    acc, deltas, _ = run(raw.encode(), "chat")
    assert deltas == ["Hel", "lo"]
    assert acc.reasoning == "think"
    assert acc.finish_reason == "stop"
    assert acc.usage is not None and acc.usage.cache_hit_tokens == 64


def test_non_streaming_chat_body_fed_whole() -> None:
    acc = ChunkAccumulator("chat")
    body = {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}
        ],
        "usage": USAGE,
    }
    assert acc.feed("\n\n\n" + json.dumps(body)) == "{}"
    assert acc.finish_reason == "stop"


def test_llamacpp_stream() -> None:
    raw = (
        'data: {"index":0,"content":"ret","stop":false,"tokens_predicted":1}\n\n'
        'data: {"index":0,"content":"urn","stop":false,"tokens_predicted":2}\n\n'
        'data: {"index":0,"content":"","stop":true,"stop_type":"limit","tokens_predicted":2,'
        '"tokens_evaluated":300,"timings":{"cache_n":256,"prompt_n":44,"predicted_n":2}}\n\n'
    )
    acc, deltas, _ = run(raw.encode(), "llamacpp")
    assert deltas == ["ret", "urn"]
    assert acc.done
    assert acc.finish_reason == "length"
    assert acc.usage == Usage(300, 2, 256, 44)


def test_llamacpp_stream_without_tokens_evaluated_counts_the_cached_prompt_too() -> None:
    """timings.prompt_n is the part of the prompt evaluated anew: taken for the whole prompt,
    a completion that reused 1000 cached tokens was recorded as a 20-token prompt, all hits."""
    raw = (
        'data: {"index":0,"content":"x","stop":false}\n\n'
        'data: {"index":0,"content":"","stop":true,"stop_type":"eos",'
        '"timings":{"cache_n":1000,"prompt_n":20,"predicted_n":1}}\n\n'
    )
    acc, _, _ = run(raw.encode(), "llamacpp")
    assert acc.usage == Usage(1020, 1, 1000, 20)


def test_bad_json_raises_malformed() -> None:
    acc = ChunkAccumulator("text")
    with pytest.raises(MalformedResponse) as info:
        acc.feed('{"choices": [')
    assert info.value.kind == "bad_json"
    with pytest.raises(MalformedResponse):
        acc.feed("[1, 2]")


def test_error_object_in_stream_raises() -> None:
    acc = ChunkAccumulator("text")
    with pytest.raises(ServerError, match="boom"):
        acc.feed(json.dumps({"error": {"message": "boom", "type": "api_error"}}))


def test_usage_shapes() -> None:
    assert Usage.from_api(USAGE) == Usage(100, 5, 64, 36)
    only_details = {
        "prompt_tokens": 10,
        "completion_tokens": 1,
        "prompt_tokens_details": {"cached_tokens": 4},
    }
    assert Usage.from_api(only_details) == Usage(10, 1, 4, 6)
    bare = {"prompt_tokens": 10, "completion_tokens": 2}
    assert Usage.from_api(bare) == Usage(10, 2, 0, 10)
    hit_miss_only = {"prompt_cache_hit_tokens": 3, "prompt_cache_miss_tokens": 7}
    assert Usage.from_api(hit_miss_only) == Usage(10, 0, 3, 7)
    reasoning = {
        "prompt_tokens": 1,
        "completion_tokens": 9,
        "completion_tokens_details": {"reasoning_tokens": 8},
    }
    assert Usage.from_api(reasoning).reasoning_tokens == 8
    assert Usage.from_api({"prompt_tokens": "junk"}) == Usage()
