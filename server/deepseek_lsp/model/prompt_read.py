"""What a self-hosted completion server reads of the prompts it is sent, learnt from it once it
answered one. Two leave part of a prompt out without a word:

* Ollama cuts a prompt longer than the model's context (``num_ctx``: 4096 tokens by default,
  2048 before 0.6; ``OLLAMA_CONTEXT_LENGTH``) from its start: the file's imports and the code
  above the cursor go first. Its ``GET /api/ps`` tells the context each model was loaded with
  (``context_length``); prompts are fitted to it. An Ollama without it is judged by its usage:
  ``prompt_tokens`` well short of what was sent is the count it kept (once: a prompt fitted to
  it, read whole, may look short too, the estimate here being no tokenizer).
* SGLang started without ``--completion-template`` takes FIM's ``suffix`` and leaves it out:
  the model writes blind to the code below the cursor; so does llama-server's
  ``/v1/completions`` (its FIM is ``/infill``). Asked once with a one-token prompt and a known
  suffix: its usage counts the suffix or not.

Prompts fitted to Ollama's context are counted as Ollama counts them once it answered some:
the estimate here is no tokenizer of its model. Reviews are fitted to it too (review.fitting).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from ..timeouts import within
from . import litellm_routes
from .backends import render_fim_template, resolve_fim_template
from .errors import ModelError, provider_name, server_named
from .stream import ModelStream
from .types import FimRequest, Usage

if TYPE_CHECKING:
    from .client import ModelClient

log = logging.getLogger(__name__)

#: A prompt read short: fewer than this share of its tokens as counted here. The estimate is
#: 0.65 to 1.5 times a tokenizer's count (byte arrays to Russian; 1.0-1.2 for code): a prompt
#: read whole may look a third short. Only an Ollama without /api/ps's context is judged so.
READ_SHORT = 0.5
#: An Ollama without ``/api/ps``'s context: a prompt read short to fewer tokens than this says
#: too little of its context to fit prompts to.
LEAST_CONTEXT = 512
#: The share of the server's context a prompt is fitted to, the answer's room aside, until the
#: server's own count of a prompt tells how the estimate here compares: its tokenizer may count
#: more, and the FIM template adds its own tokens.
CONTEXT_USED = 0.85
#: The tokens a FIM template adds around prompt and suffix, kept aside once the ratio is known.
TEMPLATE_TOKENS = 16
#: The server's count of a prompt against the estimate here: the largest it was taken (the
#: estimate is 0.65 to 1.5 times a tokenizer's count, and varies so from one stretch of a file
#: to the next), and this much more for a prompt not yet seen. The largest ever, not of recent
#: prompts: an Ollama counting only what its cache did not hold (some versions) tells less
#: than a prompt's tokens, and fitted to that a prompt would run past the context.
RATIO_MARGIN = 1.08
#: A prompt this short (estimated) tells little of the ratio: the template's tokens weigh in.
LEAST_COUNTED = 128
#: The least ratio a count of a whole prompt gives: the estimate counts at most 1.5 times a
#: tokenizer's count. Less is a count of what the server's cache did not hold (an Ollama kept
#: its cache across the editor's restart: 0 or some 1 % of the prompt): taken for the ratio,
#: every later prompt was fitted far past the context (or the room divided by zero).
LEAST_RATIO = 0.6
#: The least a fitted prompt keeps (the cursor's own lines).
LEAST_ROOM = 128
#: A review's prompt read to this share of the server's context or more filled it: cut.
FILLED = 0.95
#: The servers whose /v1/completions may take ``suffix`` and leave it out.
SUFFIX_PROBED = ("SGLang", "llama.cpp")
#: A model reading fim-template's markers (3) as this many tokens and more reads them as text.
MARKERS_AS_TEXT = 2
#: The servers whose /v1/completions read the prompt as sent, its count the markers' alone
#: (Ollama wraps it in the model's own template: ChatML's tokens counted with them).
RAW_COMPLETIONS = ("vLLM", "SGLang", "llama.cpp")
#: What _asking names a check of fim-template's markers by, and a suffix probe at LiteLLM.
TEMPLATE = "template"
ROUTE_SUFFIX = "route-suffix"
#: SGLang's probe: one token of prompt, and a suffix of some 64 tokens that its usage counts or not.
PROBE_SUFFIX = "\n" + " ".join(f"v{i}" for i in range(64))
PROBE_S = 10.0
#: How often a context prompts are fitted to is asked again: the user, told how, may have
#: restarted Ollama with a larger one (prompts fitted to the old one cannot show it).
CONTEXT_RECHECK_S = 300.0
#: How soon a context the server told is asked again after a prompt read short: the model was
#: reloaded with a smaller one (another app's num_ctx, a restart) and every prompt lost its
#: start until the recheck. Not at every answer: an Ollama counting only what its cache did
#: not hold reads every prompt short.
SHORT_RECHECK_S = 30.0
#: The servers that cut a prompt past the model's context without a word: Ollama, and LiteLLM's
#: proxy in front of one (its /model/info tells; its usage is Ollama's count).
CUTTING = ("Ollama", "LiteLLM")


@dataclass
class PromptReading:
    """What the completion server (one client's) was learnt to read of prompts."""

    #: Each model's context at the server (tokens), once the server told it or cut a prompt.
    contexts: dict[str, int] = field(default_factory=dict)
    #: When (time.monotonic) the server was last asked about each model (see :func:`learn`).
    asked: dict[str, float] = field(default_factory=dict)
    #: The models whose context the server told (not one learnt from a prompt read short).
    served: set[str] = field(default_factory=set)
    #: The models whose told context is a ceiling alone (LiteLLM's max_input_tokens for an
    #: Ollama route) and no count was kept below it: a prompt read short tells the context.
    ceilings: set[str] = field(default_factory=set)
    #: The models whose context is the count a prompt read short kept (learnt once).
    kept: set[str] = field(default_factory=set)
    #: The models LiteLLM routes to an Ollama, and those of them probed for FIM's suffix.
    ollama_routes: set[str] = field(default_factory=set)
    route_probed: set[str] = field(default_factory=set)
    #: The context and prompt budget the user was last told of, by model (told once each).
    told: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Each review model's context at the review server (None: not told), and when told.
    review_contexts: dict[str, int | None] = field(default_factory=dict)
    review_asked: dict[str, float] = field(default_factory=dict)
    #: The review models whose told context is a ceiling alone (as ``ceilings``), and those whose
    #: context is the count a review's prompt read short below it kept (as ``kept``).
    review_ceilings: set[str] = field(default_factory=set)
    review_kept: set[str] = field(default_factory=set)
    #: The models fim-template's markers were checked for (see _template_unread).
    templates: set[str] = field(default_factory=set)
    #: Per model, the largest ratio of the server's count of a prompt read whole to the
    #: estimate here.
    ratios: dict[str, float] = field(default_factory=dict)

    def counted(self, model: str, estimated: int | None, read: int, context: int | None = None) -> None:
        """The server counted ``read`` tokens of a prompt of ``estimated`` here: its ratio is
        kept where the prompt was read whole (short of the model's known context, a
        completion's unless ``context`` is given: a review's, not cut) and counted whole (not a
        cache's leftover: see LEAST_RATIO). One ratio a model, completions' and reviews'."""
        context = context or self.contexts.get(model)
        if context and estimated and estimated >= LEAST_COUNTED and LEAST_RATIO * estimated <= read < FILLED * context:
            self.ratios[model] = max(read / estimated, self.ratios.get(model, 0.0))

    def due(self, model: str) -> bool:
        """Whether to ask about ``model``: never asked, or a context fitted to a while ago."""
        at = self.asked.get(model)
        return at is None or (model in self.contexts and time.monotonic() - at >= CONTEXT_RECHECK_S)

    def room(self, model: str, budget: int, answer_tokens: int) -> int:
        """The prompt tokens a request for ``model`` may take: ``budget`` (the settings'),
        less where the server's context (the answer's ``answer_tokens`` inside it) is smaller."""
        context = self.contexts.get(model)
        if context is None:
            return budget
        return max(LEAST_ROOM, min(budget, self.fitted(model, context, answer_tokens)))

    def fitted(self, model: str, context: int, answer_tokens: int) -> int:
        """The prompt tokens (counted here) a context of ``context`` holds with an answer of
        ``answer_tokens``: by the server's own count where one was learnt, else by a share."""
        ratio = self.ratios.get(model)
        if ratio is None:
            return int(context * CONTEXT_USED) - answer_tokens
        return int((context - answer_tokens - TEMPLATE_TOKENS) / (ratio * RATIO_MARGIN))


def note(client: ModelClient, req: FimRequest, usage: Usage | None) -> None:
    """Every answer's count of its prompt, kept where it tells how the server counts (see
    :meth:`PromptReading.counted`)."""
    if usage is not None:
        client.prompt_reading.counted(req.model, req.estimated_prompt_tokens, usage.prompt_tokens)


def to_learn(client: ModelClient, req: FimRequest, usage: Usage | None) -> bool:
    """Whether :func:`learn` has anything to ask after ``req`` was answered (a check for every
    answer, before a task is made for it)."""
    return _asking(client, req, usage) is not None


def _asking(client: ModelClient, req: FimRequest, usage: Usage | None) -> str | None:
    """The server :func:`learn` asks after ``req`` (``"Ollama"``, one of SUFFIX_PROBED), or None: one
    rule for the check and the asking, which had each their copy of it."""
    reading: PromptReading = client.prompt_reading
    server = server_named(client.config.fim_base)
    if server in CUTTING and (reading.due(req.model) or _short_unfitted(reading, req, usage) or _short_served(reading, req, usage)):
        return server
    if server in SUFFIX_PROBED and _sends_suffix(client, req) and req.model not in reading.asked:
        return server
    if req.model in reading.ollama_routes and _sends_suffix(client, req) and req.model not in reading.route_probed:
        # (LiteLLM's text completion to Ollama builds /api/generate's prompt alone: asked only
        # of such routes, a probe to a paid upstream being a billed request)
        return ROUTE_SUFFIX
    if server in RAW_COMPLETIONS and client.backend.name == "fim-template" and req.model not in reading.templates:
        return TEMPLATE
    return None


def _short_unfitted(reading: PromptReading, req: FimRequest, usage: Usage | None) -> bool:
    """A prompt read short where no context is known for its model yet, or a ceiling alone
    (not asked again for SHORT_RECHECK_S: see _short_served)."""
    if not _read_short(req, usage):
        return False
    if req.model not in reading.contexts:
        return True
    at = reading.asked.get(req.model)
    return req.model in reading.ceilings and (at is None or time.monotonic() - at >= SHORT_RECHECK_S)


def _short_served(reading: PromptReading, req: FimRequest, usage: Usage | None) -> bool:
    """A prompt read short at a context the server told, not asked again for SHORT_RECHECK_S."""
    at = reading.asked.get(req.model)
    return (
        req.model in reading.served and _read_short(req, usage) and at is not None and time.monotonic() - at >= SHORT_RECHECK_S
    )


def _sends_suffix(client: ModelClient, req: FimRequest) -> bool:
    # (fim-template puts the suffix in the prompt, between the model's own tokens)
    return client.backend.name == "openai-suffix" and bool(req.suffix)


def _read_short(req: FimRequest, usage: Usage | None) -> bool:
    return _short(req.estimated_prompt_tokens, usage)


def _short(sent: int | None, usage: Usage | None) -> bool:
    """Whether a prompt of ``sent`` tokens (estimated here) was read short (see READ_SHORT)."""
    read = usage.prompt_tokens if usage is not None else 0
    return bool(sent and read and read < READ_SHORT * sent)


async def learn(client: ModelClient, req: FimRequest, usage: Usage | None, budget: int, answer_tokens: int) -> str | None:
    """After ``req`` was answered (``usage``), what the user is told once of how its server
    reads prompts of ``budget`` tokens plus an answer of ``answer_tokens``, or None."""
    reading: PromptReading = client.prompt_reading
    url = client.config.fim_base
    server = _asking(client, req, usage)
    if server in CUTTING:
        short = _short_unfitted(reading, req, usage)
        reading.asked[req.model] = time.monotonic()
        _, context, ceiling = await _cutting_listing(client, req.model, url, server)
        if ceiling and context is not None and req.model in reading.kept:
            context = min(context, reading.contexts[req.model])  # (the count kept below it stays)
        elif context is not None and not ceiling:
            reading.served.add(req.model)
        kept = usage.prompt_tokens if usage is not None else 0
        if short and kept >= LEAST_CONTEXT and (context is None or (ceiling and req.model not in reading.kept and kept < context)):
            context = kept
            reading.kept.add(req.model)
        (reading.ceilings.add if ceiling and req.model not in reading.kept else reading.ceilings.discard)(req.model)
        if context is None:
            return None
        # Kept where it holds the prompts too: the budget raised past it later (the settings'
        # maxPromptTokens) is fitted at once; forgotten, each prompt lost its start for good,
        # read to the context not being "read short".
        reading.contexts[req.model] = context
        note(client, req, usage)
        if reading.room(req.model, budget, answer_tokens) >= budget or reading.told.get(req.model) == (context, budget):
            return None
        reading.told[req.model] = (context, budget)
        return (
            f"{provider_name(url)} runs {req.model} with a context of {context:,} tokens, less than a "
            f"completion's prompt ({budget:,}, completion.maxPromptTokens) and answer ({answer_tokens:,}): "
            "Ollama drops what does not fit from the prompt's start (the file's imports, the code above the "
            "cursor) without a word. Prompts are now fitted to it; for more, start Ollama with "
            "OLLAMA_CONTEXT_LENGTH=8192 (or PARAMETER num_ctx 8192 in the model's Modelfile"
            + (", or num_ctx: 8192 in LiteLLM's litellm_params of the model)." if server == "LiteLLM" else ").")
        )
    if server in SUFFIX_PROBED or server == ROUTE_SUFFIX:
        reading.route_probed.add(req.model)
        if server != ROUTE_SUFFIX:
            reading.asked[req.model] = time.monotonic()
        if await _reads_suffix(client, req.model) is False:
            return suffix_left_out(url)
    if server == TEMPLATE:
        reading.templates.add(req.model)
        return await _template_unread(client, req.model)
    return None


async def _template_unread(client: ModelClient, model: str) -> str | None:
    """What the user is told where the server's ``model`` reads fim-template's markers as text
    (no FIM tokens of that family): a prompt of the markers alone counts more than their number."""
    probe = FimRequest(prompt="", suffix="", max_tokens=1, stop=[], model=model, feature="probe")
    template = resolve_fim_template(client.config.fim_template)
    if template is None:
        return None
    markers = template_markers(template.text)
    read = await _counted(client, probe, "".join(markers))
    if read is None or not read_as_text(markers, read):
        return None
    return (
        f"{provider_name(client.config.fim_base)} runs {model} without the FIM tokens of fimTemplate "
        f"'{client.config.fim_template}' (its {len(markers)} markers read as {read} tokens of text): the model "
        "reads them as code, and its suggestions are guesses. Set fimTemplate to the model's own "
        "(deepseek-coder, qwen2.5-coder, starcoder2, codellama), or serve a code model trained for "
        "fill-in-the-middle."
    )


def template_markers(template: str) -> list[str]:
    """The FIM markers a template writes around prefix and suffix."""
    return [m for m in (p.strip() for p in render_fim_template(template, "\x00", "\x00").split("\x00")) if m]


def read_as_text(markers: list[str], read: int) -> bool:
    """Whether a server's count (``read``) of a prompt of ``markers`` alone (the template with
    no prefix nor suffix) tells they are text to its model, not its FIM tokens: one token each,
    a start-of-text token and the spaces CodeLlama's template puts between them come to 5 at
    most; read as text they came to 11 (CodeLlama's) to 21 (Qwen's) in a real BPE tokenizer
    (tests/test_selfhosted_fim_markers.py)."""
    return read > MARKERS_AS_TEXT * len(markers) + 1  # (+1: a start-of-text token)


async def review_cut(client: ModelClient, model: str, usage: list[Usage]) -> str | None:
    """What the user is told once where Ollama (the review server) cut a review's prompt: its
    usage read the model's whole context (asked of /api/ps once), the review's instructions
    dropped first, and its answers came back unusable with no word of why; else None."""
    read = max((u.prompt_tokens for u in usage), default=0)
    if not read or await client.server_at(client.config.base) not in CUTTING:
        return None
    context = await _review_context(client, model)
    if context is None or read < FILLED * context:
        return None
    return (
        f"{provider_name(client.config.base)} runs {model} with a context of {context:,} tokens, and a "
        f"review's prompt filled it ({read:,} read): Ollama drops what does not fit from the prompt's "
        "start (the review's instructions) without a word. Start Ollama with OLLAMA_CONTEXT_LENGTH=16384 "
        "(or PARAMETER num_ctx in the model's Modelfile) for reviews of files this size."
    )


def review_counted(client: ModelClient, model: str, room: ReviewRoom, estimated: int, usage: Usage | None) -> None:
    """A review request's count of its prompt (``estimated`` here), kept as a completion's is
    (see :meth:`PromptReading.counted`): the next review's room is fitted by it, and so are
    completions of the same model (before, reviews were fitted by a share of the context
    alone, and a unit the context held was named not reviewed at every save)."""
    reading = client.prompt_reading
    if usage is None:
        return
    reading.counted(model, estimated, usage.prompt_tokens, room.context)
    if not _short(estimated, usage):
        return
    if model in reading.review_ceilings and usage.prompt_tokens >= LEAST_CONTEXT:
        # Below a ceiling alone (LiteLLM's max_input_tokens for an Ollama route: the model's
        # own 32,768 where Ollama loaded it with 2,048), the count kept is the context, as a
        # completion's is: fitted to the ceiling, every review's prompt lost its start.
        reading.review_contexts[model] = usage.prompt_tokens
        reading.review_kept.add(model)
        reading.review_ceilings.discard(model)
        return
    # Read short at the context the server told: the model was reloaded with a smaller one (see
    # SHORT_RECHECK_S). Asked again at once (by review_cut after this review, and for the next
    # one's room), as a completion's is: every review's prompts lost their start until the
    # context was asked again, 5 minutes on.
    at = reading.review_asked.get(model)
    if at is not None and time.monotonic() - at >= SHORT_RECHECK_S:
        del reading.review_asked[model]


@dataclass(frozen=True)
class ReviewRoom:
    """What a review request may take at its server: ``tokens`` of prompt (counted here), of
    a ``context`` its server (``server``, as the user is told of it) holds."""

    tokens: int
    context: int
    server: str


#: A review's answer at a small context: a quarter of it at most (a clean unit's is some 20
#: tokens, a finding 55), not review.maxOutputTokens (4,096: more than many a context).
REVIEW_ANSWER_SHARE = 0.25


async def review_room(
    client: ModelClient, model: str, max_output_tokens: int, within: float | None = None
) -> ReviewRoom | None:
    """The room a review request for ``model`` has at the review server, where it cuts a
    longer prompt (Ollama, its context known); None where any prompt is read whole, or the
    server does not tell its context. ``within``: the review request's time limit, which
    bounds the look at the server."""
    if await client.server_at(client.config.base, within) not in CUTTING:
        return None
    context = await _review_context(client, model)
    if context is None:
        return None
    answer = min(max_output_tokens, int(context * REVIEW_ANSWER_SHARE))
    tokens = client.prompt_reading.fitted(model, context, answer)
    return ReviewRoom(tokens, context, provider_name(client.config.base))


async def _review_context(client: ModelClient, model: str) -> int | None:
    """``model``'s context at the review server, asked again after CONTEXT_RECHECK_S as a
    completion's is: Ollama restarted with another OLLAMA_CONTEXT_LENGTH loads it so."""
    reading: PromptReading = client.prompt_reading
    at = reading.review_asked.get(model)
    if at is None or time.monotonic() - at >= CONTEXT_RECHECK_S:
        server = server_named(client.config.base)
        listed, context, ceiling = await _cutting_listing(client, model, client.config.base, server)
        kept = reading.review_contexts.get(model) if model in reading.review_kept else None
        if not ceiling:
            reading.review_kept.discard(model)
        elif kept is not None and context is not None:
            context = min(context, kept)  # (the count kept below the ceiling stays)
        (reading.review_ceilings.add if ceiling and model not in reading.review_kept else reading.review_ceilings.discard)(model)
        reading.review_contexts[model] = context
        # Not listed, asked again at the next review (or after this one): /api/ps lists the
        # models loaded, and a review's first request is what loads its model. Listed with no
        # context (Ollama before 0.12), it tells none until upgraded: asked twice a review.
        # LiteLLM's /model/info lists its configuration, loaded or not: one that answered
        # nothing of use (a 500, a web page) tells no more at the next review (asked twice a
        # review, a proxy's /model/info of 10 s held each review that long).
        if listed or server == "LiteLLM":
            reading.review_asked[model] = time.monotonic()
    return reading.review_contexts.get(model)


def suffix_probe(model: str) -> FimRequest:
    """A completion of one token whose usage tells whether the server reads its suffix (see
    :func:`reads_suffix`); a server refusing ``suffix`` refuses it too."""
    return FimRequest(prompt="#", suffix=PROBE_SUFFIX, max_tokens=1, stop=[], model=model, feature="probe")


def reads_suffix(prompt_tokens: int) -> bool:
    """Whether a server whose usage counted ``prompt_tokens`` for :func:`suffix_probe` read its
    suffix (some 64 tokens and more) and not its one-token prompt alone."""
    return prompt_tokens >= len(PROBE_SUFFIX.split()) // 2


def suffix_left_out(url: str) -> str:
    """What the user is told of the server at ``url`` leaving FIM's suffix out."""
    if server_named(url) == "LiteLLM":
        return (
            f"{provider_name(url)} leaves out the code after the cursor (FIM's suffix) on its way to Ollama "
            "(its text completion sends Ollama the prompt alone), and the model writes blind to the code below. "
            "Set fimBaseUrl to the Ollama itself (http://HOST:11434/v1) for completions."
        )
    if server_named(url) == "llama.cpp":
        return (
            f"{provider_name(url)} leaves out the code after the cursor (FIM's suffix) at /v1/completions, and "
            "the model writes blind to the code below: llama-server's fill-in-the-middle is /infill. Set the "
            "backend setting to 'llamacpp-infill' (or to 'fim-template' with fimTemplate naming the model's FIM tokens)."
        )
    return (
        f"{provider_name(url)} leaves out the code after the cursor (FIM's suffix), and the model writes "
        "blind to the code below: SGLang does unless started with --completion-template (deepseek_coder, "
        "qwen_coder or star_coder, the model's). Start it so, or set the backend setting to 'fim-template' "
        "with fimTemplate naming the model's FIM tokens."
    )


async def _cutting_listing(client: ModelClient, model: str, base: str, server: str | None) -> tuple[bool, int | None, bool]:
    """Whether the server at ``base`` (one of CUTTING) tells of ``model`` (an Ollama lists it
    as loaded; LiteLLM lists where it routes it), the context it tells for it, if any, and
    whether that is a ceiling alone (see litellm_routes)."""
    if server == "LiteLLM":
        # (/model/info under the base: LiteLLM serves it at its root and under /v1 alike)
        routes = await _got_json(client, f"{base.rstrip('/')}/model/info")
        route = litellm_routes.ollama_context(routes, model)
        if route.routed:
            client.prompt_reading.ollama_routes.add(model)
        return routes is not None, route.context, route.ceiling
    return (*await _ollama_listing(client, model, base), False)


async def _got_json(client: ModelClient, url: str) -> Any:
    """The JSON of a 200 to ``GET url``, or None (no answer, another status, no JSON)."""
    client.in_use(+1)
    try:
        response = await within(client.http.get(url), PROBE_S)
        return response.json() if response.status_code == 200 else None
    except (ModelError, httpx.HTTPError, ValueError, asyncio.TimeoutError) as exc:
        log.debug("the server told nothing of the model's context: %s", exc)
        return None
    finally:
        client.in_use(-1)


async def _ollama_listing(client: ModelClient, model: str, base: str) -> tuple[bool, int | None]:
    """Whether the Ollama at ``base`` lists ``model`` as loaded in ``GET /api/ps``, and the
    context it tells for it (0.12 on; None before)."""
    root = base.rstrip("/").removesuffix("/v1")
    body = await _got_json(client, f"{root}/api/ps")
    loaded: Any = body.get("models") if isinstance(body, dict) else None
    name = ollama_name(model)
    for m in loaded if isinstance(loaded, list) else ():
        if isinstance(m, dict) and name in {ollama_name(n) for n in (m.get("name"), m.get("model")) if isinstance(n, str)}:
            context = m.get("context_length")
            return True, context if isinstance(context, int) and context > 0 else None
    return False, None


def ollama_name(model: str) -> str:
    """``model`` as Ollama tells one model's names apart: without case (``Qwen2.5-Coder:7B`` is
    ``qwen2.5-coder:7b``), its default registry and namespace left out
    (``registry.ollama.ai/library/``), and a name without a tag its ``:latest`` (as Ollama's own
    examples write it: ``qwen2.5-coder``), as /api/ps lists it."""
    name = model.strip().lower().removeprefix("http://").removeprefix("https://")
    name = name.removeprefix("registry.ollama.ai/").removeprefix("library/")
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


async def _reads_suffix(client: ModelClient, model: str) -> bool | None:
    """Whether the server's model reads FIM's suffix: its usage of a one-token prompt with a
    suffix of some 64 tokens counts them, or not; None if it does not tell."""
    read = await _counted(client, suffix_probe(model), PROBE_SUFFIX)
    return None if read is None else reads_suffix(read)


async def _counted(client: ModelClient, probe: FimRequest, text: str) -> int | None:
    """The server's count of ``probe``'s prompt (``text`` as counted here, should it not tell:
    the ledger's), answered with one token; None if it does not tell."""
    call = client.backend.fim(client.config, probe)
    deadline = asyncio.get_running_loop().time() + PROBE_S
    try:
        # In the ledger as any request the server counts (the suffix probe's ~65 tokens were left out).
        stream = ModelStream(
            client, call, model=probe.model, feature="probe", max_tokens=1, deadline=deadline,
            prompt_tokens=lambda counter: counter.count(text) + 1,
        )
        async with stream:
            async for _ in stream:
                pass
    except ModelError as exc:
        log.debug("the probe failed: %s", exc)
        return None
    usage = stream.result.usage
    return usage.prompt_tokens if usage is not None and usage.prompt_tokens else None
