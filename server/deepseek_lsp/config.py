"""One typed settings object, merged from defaults < environment < initializationOptions < workspace/configuration.

Every value is checked on its own: an invalid one keeps its default and yields a message for the
user, so one typo never turns the whole configuration off. Keys are accepted in camelCase (what
editors send) and snake_case.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import os
import re
import types as pytypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from .key_shape import API_KEY_CHARS, HIDDEN_KEY, holds_key, key_shaped

SECTION = "deepseek"
DEFAULT_BASE_URL = "https://api.deepseek.com"

Backend = Literal["deepseek", "openai-suffix", "llamacpp-infill", "fim-template", "chat"]
#: A named FIM template ("deepseek-coder", "qwen2.5-coder", "starcoder2", "codellama", or an
#: alias such as "qwen") or a custom one holding ``{prefix}`` and ``{suffix}``; checked in
#: :func:`_sanity` (a fixed list refused both, and DeepSeek-Coder tokens went to another model).
FimTemplate = str
ReviewMode = Literal["onSave", "onCommand", "off"]
Severity = Literal["critical", "warning", "info"]
LogLevel = Literal["error", "warning", "info", "debug"]

DEFAULT_EXCLUDE = (
    "**/.env",
    "**/.env.*",
    "**/*.env",
    "**/*.pem",
    "**/*.key",
    "**/*.p12",
    "**/*.pfx",
    "**/id_rsa*",
    "**/id_dsa*",
    "**/id_ecdsa*",
    "**/id_ed25519*",
    "**/.netrc",
    "**/.npmrc",
    "**/.pypirc",
    "**/credentials",
    "**/credentials.json",
    "**/*credentials*.json",
    "**/secrets.*",
    "**/.aws/**",
    "**/.ssh/**",
    # direnv, Terraform variables and state (which holds every resource's secrets in clear),
    # Kubernetes client configs, PuTTY and Java key stores, PostgreSQL, Windows' .netrc, git's
    # credential store, Apache's password file.
    "**/.envrc",
    "**/*.tfvars",
    "**/*.tfvars.json",
    "**/*.tfstate",
    "**/*.tfstate.*",
    "**/.kube/**",
    "**/kubeconfig",
    "**/*.kubeconfig",
    "**/*.ppk",
    "**/*.jks",
    "**/*.keystore",
    "**/.pgpass",
    "**/_netrc",
    "**/.git-credentials",
    "**/.htpasswd",
    "**/.vault-token",  # the Vault CLI's login token
    # Docker's registry logins (``auths``), Google Cloud service account keys.
    "**/.docker/config.json",
    "**/service-account*.json",
    # Tools' own credential files: Kaggle's API key (a bare "key", which no pattern can tell
    # from code's), the GitHub CLI's and Cargo's tokens, the MySQL client's password, s3cmd's
    # and boto's AWS keys, the old Docker logins, Hugging Face's token, Cloudflare Wrangler's
    # secrets, Azure Functions' local settings, rclone's remotes, Terraform CLI's API tokens.
    "**/kaggle.json",
    "**/gh/hosts.yml",
    "**/.cargo/credentials.toml",
    "**/.my.cnf",
    "**/.s3cfg",
    "**/.boto",
    "**/.dockercfg",
    "**/huggingface/token",
    "**/.dev.vars",
    "**/local.settings.json",
    "**/rclone.conf",
    "**/.terraformrc",
    # A browser's cookies exported for curl (``-b cookies.txt``), wget or yt-dlp: its logins.
    "**/cookies.txt",
    # Playwright's saved logins (storageState: cookies and local storage's tokens), which its
    # documentation has kept in ``playwright/.auth``.
    "**/playwright/.auth/**",
)


@dataclass(frozen=True)
class CompletionSettings:
    enable: bool = True
    model: str = "deepseek-v4-flash"
    #: Per-language switch by LSP language id or grammar name; missing means enabled.
    languages: dict[str, bool] = field(default_factory=dict)
    #: "adaptive" (typing cadence minus backend latency) or a fixed delay in milliseconds.
    debounce: str | int = "adaptive"
    debounce_min_ms: int = 50
    debounce_max_ms: int = 600
    #: After this many backend requests in a row hung up on with no answer used (the model does
    #: not predict what is typed), the adaptive wait while typing stops subtracting the backend's
    #: latency until a suggestion is used again; 0 never.
    debounce_backoff: int = 3
    max_prompt_tokens: int = 2048
    #: Share of the cursor window's budget spent on text after the cursor. Suffix tokens come
    #: after the prefix in a FIM prompt, so they never hit the provider's prefix cache: keep the
    #: share small (the replay benchmark: 0.1 costs 25 % less than 0.25, accepting as much).
    suffix_share: float = 0.1
    context_timeout_ms: int = 80
    single_line_max_tokens: int = 48
    multi_line_max_tokens: int = 256
    temperature: float = 0.0
    invoked_choices: int = 3
    prefetch: bool = True
    cache: bool = True
    cache_size: int = 512
    cache_ttl_s: float = 600.0
    timeout_s: float = 5.0
    max_file_bytes: int = 1_000_000
    #: Workspace files whose definitions' names are indexed (nearest first) so that a member
    #: used near the cursor (``self.conn.send(``) brings its definition; 0 turns it off.
    workspace_index_files: int = 2000
    #: How often, in seconds, the indexed files are checked on disk (changed, deleted, new) when
    #: the editor does not watch files for the server (Neovim on Linux); 0 never.
    workspace_check_s: float = 30.0


@dataclass(frozen=True)
class ReviewSettings:
    mode: ReviewMode = "onSave"
    model: str = "deepseek-v4-pro"
    thinking: bool = False
    min_confidence: float = 0.5
    min_severity: Severity = "info"
    max_concurrency: int = 4
    max_retries: int = 3
    max_output_tokens: int = 4096
    timeout_s: float = 120.0
    #: An auto-save (the editor saving after a pause, or when focus leaves it) is reviewed
    #: once the file has seen no edit nor save for this long; a manual save at once.
    auto_save_delay_ms: int = 5000
    #: Saves of files with no grammar (SQL, Dockerfile, Makefile, HTML, CSS, TOML, YAML) are
    #: reviewed by the lines they changed (see review.changed_hunks).
    other_languages: bool = True


#: The dots IDNA reads as ".": ideographic, fullwidth and halfwidth ideographic.
_IDNA_DOTS = re.compile("[\u3002\uff0e\uff61]")


def deepseek_host(host: str) -> bool:
    """Whether ``host`` is DeepSeek's: deepseek.com or a host under it, not one whose name
    merely ends so (notdeepseek.com). Read as httpx sends it: a fully qualified name's
    trailing dot and IDNA's other dots reach DeepSeek all the same, and taken for another
    server's its FIM was asked under /v1/beta (a 404)."""
    host = _IDNA_DOTS.sub(".", host).lower().removesuffix(".")
    return host == "deepseek.com" or host.endswith(".deepseek.com")


def beta_base(base: str) -> str:
    """DeepSeek's beta base (FIM, chat prefix completion) for an API base. On DeepSeek's own
    host ``/v1`` is an alias of the root, which OpenAI clients are told to use, and the beta
    features live at the root's ``/beta`` only (``/v1/beta/completions`` is no endpoint). A
    proxy's paths are its own: kept as written. A base that is the beta base already (DeepSeek's
    FIM guide gives OpenAI clients ``base_url="https://api.deepseek.com/beta"``) stays as it is:
    ``/beta/beta/completions`` is no endpoint anywhere."""
    base = base.rstrip("/")
    if base.endswith("/beta"):
        return base
    try:
        host = urlsplit(base).hostname or ""
    except ValueError:
        host = ""
    on_deepseek = deepseek_host(host)
    if on_deepseek and base.endswith("/v1"):
        base = base[: -len("/v1")]
    return f"{base}/beta"


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    #: FIM base; empty means ``{base_url}/beta`` for the deepseek backend, else ``base_url``.
    fim_base_url: str = ""
    api_key: str = field(default="", repr=False)
    #: ``fimBaseUrl``'s server's own key; ``api_key`` is not sent to another host's server.
    fim_api_key: str = field(default="", repr=False)
    backend: Backend = "deepseek"
    fim_template: FimTemplate = "deepseek-coder"
    allow_http: bool = False
    #: Seconds a connection to the model server (TCP, TLS, a proxy's tunnel) may take; a
    #: request's own time limit still bounds it (``completion.timeoutS``).
    connect_timeout_s: float = 5.0
    completion: CompletionSettings = field(default_factory=CompletionSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    redact_secrets: bool = True
    #: Per-model prices per 1M tokens; merged over the built-in table by the model client.
    prices: dict[str, Any] = field(default_factory=dict)
    daily_budget_usd: float = 0.0  # 0 = no budget
    log_level: LogLevel = "info"

    @property
    def effective_fim_base_url(self) -> str:
        if self.fim_base_url:
            return self.fim_base_url.rstrip("/")
        base = self.base_url.rstrip("/")
        return beta_base(base) if self.backend == "deepseek" else base

    def masked(self) -> dict[str, Any]:
        """The settings as a dict with the API key masked, and the URLs without credentials
        (``https://user:password@proxy``), for ``doctor`` and logs."""
        from .model.errors import safe_url  # the model package imports this module

        data = dataclasses.asdict(self)
        data["api_key"] = mask_secret(self.api_key)
        data["fim_api_key"] = mask_secret(self.fim_api_key)
        data["base_url"] = safe_url(self.base_url)
        data["fim_base_url"] = safe_url(self.effective_fim_base_url)
        return data

    def __repr__(self) -> str:
        # A proxy URL may carry user:password: a repr in a traceback or a log shows neither.
        return f"Settings({self.masked()!r})"

    def language_enabled(self, *names: str | None) -> bool:
        langs = self.completion.languages
        for name in names:
            if name and name in langs:
                return bool(langs[name])
        return bool(langs.get("*", True))


def mask_secret(secret: str) -> str:
    if not secret:
        return "(not set)"
    if len(secret) < 12:
        return "****"
    return f"{secret[:3]}…{secret[-4:]}"


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower().replace("-", "_")


def camel(name: str) -> str:
    """A field's name as the editors and the README spell it (``max_output_tokens`` is
    ``maxOutputTokens``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_fields(obj: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` (``dataclasses.asdict(obj)`` or the like) with the names of ``obj``'s fields in
    camelCase, as the README and the editors write them; the keys of values that are the user's
    own (``completion.languages``, ``prices``) stay as they are."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        value, inner = data[f.name], getattr(obj, f.name)
        out[camel(f.name)] = camel_fields(inner, value) if dataclasses.is_dataclass(inner) else value
    return out


def _unknown(path: str, key: str, known: Sequence[str], keys: frozenset[str] = frozenset()) -> str:
    """The message for a setting no field has, with the nearest one's name when there is one
    (``review.minSeverty``: the typo alone sent the user to the README's table), spelt as the
    user spelt theirs. A name that is a key (shaped as one, or one of ``keys``, those
    configured) is not quoted, nor guessed at: a key pasted as a name went to the pop-up."""
    if key_shaped(key) or key.strip() in keys:
        return f"unknown setting '{path}{HIDDEN_KEY}' ignored"
    said = f"unknown setting '{path}{key}' ignored"
    wanted = snake(key)
    # Two letters swapped first: difflib alone took "modle" for "mode", not "model".
    close = [name for name in known if sorted(name) == sorted(wanted)]
    close = close or difflib.get_close_matches(wanted, known, n=1)
    if not close:
        return said
    name = close[0] if "_" in key else camel(close[0])
    return f"{said}; did you mean '{path}{name}'?"


# Field types whose values are checked by shape; other annotations are checked by isinstance.
def _check(value: Any, annotation: Any) -> tuple[bool, Any]:
    origin = get_origin(annotation)
    if origin is Literal:
        return (value in get_args(annotation), value)
    if origin in (Union, pytypes.UnionType):
        for arg in get_args(annotation):
            ok, conv = _check(value, arg)
            if ok:
                return True, conv
        return False, value
    if annotation is bool:
        return (isinstance(value, bool), value)
    if annotation is int:
        if isinstance(value, bool):
            return False, value
        value = _number(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return (isinstance(value, int) and value >= 0, value)
    if annotation is float:
        value = _number(value)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        return (ok, float(value) if ok else value)
    if annotation is str:
        return (isinstance(value, str), value)
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        return (ok, tuple(value) if ok else value)
    if origin is dict:
        if value == []:
            value = {}  # Neovim's empty Lua table (see _merge)
        if not isinstance(value, Mapping):
            return False, value
        # Values checked too: ``{"markdown": "false"}`` is no switch (a non-empty string is true).
        item = get_args(annotation)[1]
        ok = item is Any or all(_check(v, item)[0] for v in value.values())
        return (ok, dict(value) if ok else value)
    return (True, value)


def _merge(
    obj: Any, raw: Mapping[str, Any], path: str, problems: list[str], keys: frozenset[str] = frozenset()
) -> Any:
    hints = get_type_hints(type(obj))
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        name = snake(str(key))
        if name not in known:
            problems.append(_unknown(path, str(key), list(known), keys))
            continue
        if value is None or _blank(value, known[name]):
            continue
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if value == []:
                # Neovim sends an empty Lua table as []: ``completion = {}`` (its options all
                # commented out) was "must be an object", a warning at every start.
                continue
            if isinstance(value, Mapping):
                changes[name] = _merge(current, value, f"{path}{key}.", problems, keys)
            else:
                problems.append(f"setting '{path}{key}' must be an object; using the default")
            continue
        ok, converted = _check(value, hints[name])
        if ok and isinstance(value, str) and get_origin(hints[name]) is tuple:
            # Kept (it is the user's exclusion), but a comma list written in it is one glob.
            shown = _shown(value) if holds_key(value) else json.dumps(value)  # as settings.json spells it
            problems.append(
                f"'{path}{key}' is a list of globs; the text {shown} is taken as one glob: "
                f"write [{shown}], or one glob a list item"
            )
        if ok:
            changes[name] = converted
        else:
            shown = "(hidden)" if name in SECRET_SETTINGS else _shown(value)
            problems.append(
                f"invalid value {shown} for '{path}{key}' ({_expected(name, hints[name])}"
                f"{_backend_hint(name, value)}); using {_describe(current, name, known[name])}"
            )
    return replace(obj, **changes) if changes else obj


def _blank(value: Any, spec: dataclasses.Field[Any]) -> bool:
    """An empty string for a setting whose default is none: not set, as null is. VS Code's
    settings editor stores a text field the user cleared as ``""``: an emptied ``baseUrl``
    turned every feature off ("base_url must be an http(s) URL"), ignoring DEEPSEEK_BASE_URL,
    and an emptied ``completion.model`` sent requests for no model. An emptied ``apiKey``
    likewise: it left no key at all, DEEPSEEK_API_KEY ignored (every request a 401)."""
    if not isinstance(value, str) or value.strip() or not isinstance(spec.default, str):
        return False
    return bool(spec.default) or spec.name in SECRET_SETTINGS


def _number(value: Any) -> Any:
    """A number written as a string (``"5"``, what a hand-edited settings file or a Lua table
    often holds) as the number; anything else as it is. Refused, ``dailyBudgetUsd: "5"`` left
    the budget off with "using 0.0", which read as a budget of nothing."""
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    return value


#: Expected values a type alone does not say.
_EXPECTED = {"debounce": "'adaptive' or a delay in milliseconds, 0 or more"}
#: What 0 means where it is no ordinary quantity.
_ZERO_MEANS = {
    "daily_budget_usd": "no budget",
    "cache_size": "no cache",
    "workspace_index_files": "off",
    "workspace_check_s": "never",
    "auto_save_delay_ms": "at once",
}


#: The backend each self-hosted server's completions take, by the server's name in lower case
#: without spaces (what a user writes for ``backend``, what doctor's model list names).
SERVER_BACKENDS = {
    "ollama": "openai-suffix",
    "sglang": "openai-suffix",
    "lmstudio": "openai-suffix",
    # LiteLLM's proxy routes /v1/completions (prompt and suffix), never DeepSeek's
    # /beta/completions: with the deepseek backend every completion was a 404, doctor all good.
    "litellm": "openai-suffix",
    "vllm": "fim-template",
    "llama.cpp": "llamacpp-infill",
    "llamacpp": "llamacpp-infill",
    "llama-cpp": "llamacpp-infill",
    "llama-server": "llamacpp-infill",
}


def server_backend(server: str) -> str | None:
    """The backend for ``server`` ("Ollama", "LM Studio", "llama-server"), or None."""
    return SERVER_BACKENDS.get(server.strip().lower().replace(" ", ""))


def _backend_hint(name: str, value: Any) -> str:
    """For ``backend`` written as a server's name ("ollama"): the one that server takes, which
    the list of backends alone left to a table further down the README."""
    backend = server_backend(value) if name == "backend" and isinstance(value, str) else None
    return f"; '{backend}' for {value}" if backend else ""


def _expected(name: str, annotation: Any) -> str:
    if name in _EXPECTED:
        return _EXPECTED[name]
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(v) for v in get_args(annotation))
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number, 0 or more"
    if annotation is float:
        return "a number, 0 or more"
    if origin is tuple:
        return "a list of strings"
    if origin is dict:
        return "an object of true/false values" if get_args(annotation)[1] is bool else "an object"
    return "a string"


def _describe(value: Any, name: str, spec: dataclasses.Field[Any]) -> str:
    """The value used instead, saying whether it is the default (a lower layer may have set it)."""
    if name == "api_key":
        return "the previous key" if value else "no key"
    if name == "exclude" and value == DEFAULT_EXCLUDE:
        shown = "exclusions"
    elif isinstance(value, bool):
        shown = json.dumps(value)  # as the settings file spells it
    elif isinstance(value, (int, float)):
        shown = _number_text(value) + (f" ({_ZERO_MEANS[name]})" if value == 0 and name in _ZERO_MEANS else "")
    else:
        shown = repr(value)
    default = spec.default_factory() if spec.default_factory is not dataclasses.MISSING else spec.default
    return f"the default {shown}" if value == default else f"{shown}, as set before"


def _number_text(value: float) -> str:
    """A number as a settings file spells it: ``:g`` showed 1000000 (maxFileBytes' default)
    as "1e+06", which reads as no setting the user knows."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return f"{value:g}"


#: Longer than this, an auto-saved file would in effect never be reviewed (ten minutes).
MAX_AUTO_SAVE_DELAY_MS = 600_000
#: The temperatures of an explicit request's choices after the first (at the settings' own):
#: more than these were never asked for, so a larger ``invokedChoices`` did nothing, unsaid.
EXTRA_CHOICE_TEMPERATURES = (0.6, 0.9)
MAX_INVOKED_CHOICES = 1 + len(EXTRA_CHOICE_TEMPERATURES)



#: Settings with which nothing can succeed at 0: each request timed out at once, the status
#: blaming the model server ("did not answer in time"), or asked for no tokens at all.
_MORE_THAN_ZERO = (
    ("completion", "timeout_s", "completion.timeoutS"),
    ("completion", "single_line_max_tokens", "completion.singleLineMaxTokens"),
    ("completion", "multi_line_max_tokens", "completion.multiLineMaxTokens"),
    ("review", "timeout_s", "review.timeoutS"),
    ("review", "max_output_tokens", "review.maxOutputTokens"),
    # 0 reviewed one request at a time, unsaid (the engine takes at least one).
    ("review", "max_concurrency", "review.maxConcurrency"),
    # Every connect timed out at once: "Cannot reach" a server that was up.
    ("", "connect_timeout_s", "connectTimeoutS"),
)


#: Upper bounds the API sets: above them every request was refused with a 400 (temperature:
#: DeepSeek takes 0 to 2) or asked for more than any DeepSeek model writes (V4: 384K tokens).
_AT_MOST = (
    ("completion", "temperature", 2.0),
    ("review", "max_output_tokens", 384 * 1024),
)


def _at_most(settings: Settings, problems: list[str], previous: Settings) -> Settings:
    """Each of :data:`_AT_MOST` above its bound keeps what the layers below gave, said with the
    setting, the value refused and the one used."""
    for section, name, limit in _AT_MOST:
        part = getattr(settings, section)
        value = getattr(part, name)
        if value <= limit:
            continue
        kept = getattr(getattr(previous, section), name)
        spec = next(f for f in fields(part) if f.name == name)
        problems.append(
            f"invalid value {_number_text(value)} for '{section}.{camel(name)}' (at most "
            f"{_number_text(limit)}); using {_describe(kept, name, spec)}"
        )
        settings = replace(settings, **{section: replace(part, **{name: kept})})
    return settings


#: What a DeepSeek completion (FIM) writes at most: past it each request was a 400, or a huge
#: bill from a server of one's own.
MAX_COMPLETION_TOKENS = 4096
#: A connection not made in this long will not be (Linux gives up a SYN at ~2 min): 120 held
#: the warm-up, and the re-warms after a pause behind it, two minutes against a dropped connect.
MAX_CONNECT_TIMEOUT_S = 30.0

#: Upper bounds past which the bound itself is used: the user asked for much, and the most
#: there is comes closest (where :data:`_AT_MOST` keeps the layer below). Each with why.
_TAKEN_AT_MOST = (
    ("completion", "single_line_max_tokens", MAX_COMPLETION_TOKENS, "what a DeepSeek completion writes"),
    ("completion", "multi_line_max_tokens", MAX_COMPLETION_TOKENS, "what a DeepSeek completion writes"),
    ("", "connect_timeout_s", MAX_CONNECT_TIMEOUT_S, "a connection not made by then will not be"),
)


def _taken_at_most(settings: Settings, problems: list[str]) -> Settings:
    """Each of :data:`_TAKEN_AT_MOST` above its bound is used at it, said with the setting,
    the value and why."""
    for section, name, limit, why in _TAKEN_AT_MOST:
        part = getattr(settings, section) if section else settings
        value = getattr(part, name)
        if value <= limit:
            continue
        where = f"{section}.{camel(name)}" if section else camel(name)
        bound = type(value)(limit)
        problems.append(
            f"invalid value {_number_text(value)} for '{where}' (at most {_number_text(limit)}, {why}); "
            f"using {_number_text(bound)}"
        )
        bounded = replace(part, **{name: bound})
        settings = replace(settings, **{section: bounded}) if section else bounded
    return settings


def _sanity(settings: Settings, problems: list[str], previous: Settings) -> Settings:
    """Cross-field checks that a type alone cannot express. A value that fails keeps what the
    layers below gave (``previous``, itself checked): a bad workspace setting does not undo the
    environment's good one."""
    c, p = settings.completion, previous.completion
    fixes: dict[str, Any] = {}
    if isinstance(c.debounce, str) and c.debounce != "adaptive":
        ok, delay = _check(c.debounce, int)
        if ok:
            fixes["debounce"] = delay
        else:
            problems.append(
                f"invalid value {_shown(c.debounce)} for 'completion.debounce' ({_EXPECTED['debounce']}); "
                f"using {p.debounce!r}"
            )
            fixes["debounce"] = p.debounce
    if not 0.0 <= c.suffix_share <= 0.9:
        problems.append(f"'completion.suffixShare' must be between 0 and 0.9; using {p.suffix_share}")
        fixes["suffix_share"] = p.suffix_share
    if c.max_prompt_tokens < 64:
        problems.append(f"'completion.maxPromptTokens' must be at least 64; using {p.max_prompt_tokens}")
        fixes["max_prompt_tokens"] = p.max_prompt_tokens
    if c.debounce_min_ms > c.debounce_max_ms:
        problems.append(
            f"'completion.debounceMinMs' exceeds 'completion.debounceMaxMs'; using "
            f"{p.debounce_min_ms} and {p.debounce_max_ms}"
        )
        fixes["debounce_min_ms"] = p.debounce_min_ms
        fixes["debounce_max_ms"] = p.debounce_max_ms
    if c.invoked_choices > MAX_INVOKED_CHOICES:
        problems.append(
            f"'completion.invokedChoices' must be at most {MAX_INVOKED_CHOICES}; using {p.invoked_choices}"
        )
        fixes["invoked_choices"] = p.invoked_choices
    if fixes:
        settings = replace(settings, completion=replace(c, **fixes))
    r = settings.review
    if not 0.0 <= r.min_confidence <= 1.0:
        problems.append(
            f"'review.minConfidence' must be between 0 and 1; using {previous.review.min_confidence}"
        )
        settings = replace(settings, review=replace(r, min_confidence=previous.review.min_confidence))
    r = settings.review
    if r.auto_save_delay_ms > MAX_AUTO_SAVE_DELAY_MS:
        problems.append(
            f"'review.autoSaveDelayMs' must be at most {MAX_AUTO_SAVE_DELAY_MS}; "
            f"using {previous.review.auto_save_delay_ms}"
        )
        settings = replace(settings, review=replace(r, auto_save_delay_ms=previous.review.auto_save_delay_ms))
    settings = _at_most(settings, problems, previous)
    settings = _taken_at_most(settings, problems)
    for section, name, where in _MORE_THAN_ZERO:
        part = getattr(settings, section) if section else settings
        if getattr(part, name) <= 0:
            kept = getattr(getattr(previous, section) if section else previous, name)
            problems.append(f"'{where}' must be more than 0; using {_number_text(kept)}")
            kept_part = replace(part, **{name: kept})
            settings = replace(settings, **{section: kept_part}) if section else kept_part
    for name, what in SECRET_SETTINGS.items():
        settings = _checked_key(settings, previous, name, what, problems)
    from .model.backends import resolve_fim_template  # the model package imports this module
    from .model.endpoint import is_deepseek_host
    from .model.errors import safe_url

    if resolve_fim_template(settings.fim_template) is None:
        problems.append(
            f"unknown FIM template {_shown(settings.fim_template)} for 'fimTemplate' (a name such as "
            f"'qwen2.5-coder', or a template holding {{prefix}} and {{suffix}}); using "
            f"{previous.fim_template!r}"
        )
        settings = replace(settings, fim_template=previous.fim_template)

    for name, key in (("base_url", "baseUrl"), ("fim_base_url", "fimBaseUrl")):
        url = getattr(settings, name)
        if url != url.strip():
            # As for the key: a CRLF .env file or a paste leaves a "\r" (every request then
            # failed in httpx, silently) or spaces ("/v1%20/completions": 404; a leading one
            # made the URL invalid, and DeepSeek's was used instead).
            url = url.strip()
            settings = replace(settings, **{name: url})
        if url and not _valid_url(url):
            fallback = getattr(previous, name)
            # DeepSeek's URL in place of a server the user named (``ftp://llm.corp``, a port
            # mistyped) sent their code, and the key meant for that server, to DeepSeek: the
            # URL is kept, and the model client refuses it (nothing is sent) until corrected.
            instead = fallback or (settings.base_url if name == "fim_base_url" else "")
            if is_deepseek_host(instead or DEFAULT_BASE_URL) and not _names_deepseek(url):
                problems.append(
                    f"invalid URL {_shown(url, url=True)} for '{key}'{_scheme_hint(url)}; nothing is sent "
                    "until it is corrected (DeepSeek's is not used in its place: your code would go "
                    "to a server you did not name)"
                )
                continue
            problems.append(
                f"invalid URL {_shown(url, url=True)} for '{key}'{_scheme_hint(url)}; using "
                f"{repr(safe_url(fallback)) if fallback else 'the default'}"
            )
            settings = replace(settings, **{name: fallback})
    return settings


#: The settings holding a key, never shown, each with how its messages name it.
SECRET_SETTINGS = {"api_key": "the API key", "fim_api_key": "the completion server's key ('fimApiKey')"}


def _shown(value: Any, url: bool = False) -> str:
    """``value`` as a problem quotes it: a problem is shown, logged and listed for a health
    check, and quoted a key pasted into another setting with it."""
    if holds_key(value):
        return HIDDEN_KEY
    if url:
        from .model.errors import safe_url  # the model package imports this module

        return repr(safe_url(value))
    if isinstance(value, str):
        return repr(value)
    # As JSON and Lua write it (true, null, {"python": false}), not Python's True and None.
    return json.dumps(value, ensure_ascii=False, default=str)


def _checked_key(settings: Settings, previous: Settings, name: str, what: str, problems: list[str]) -> Settings:
    key = getattr(settings, name).strip()  # a CRLF .env file or a paste leaves line breaks and spaces
    if key and not API_KEY_CHARS.fullmatch(key):
        # Never echoed: the message says what is wrong, not what the key is.
        problems.append(
            f"{what} contains spaces or characters outside ASCII, which an HTTP header cannot "
            "carry; it is not used" + ("" if not getattr(previous, name) else " (the previous one is)")
        )
        key = getattr(previous, name)
    return replace(settings, **{name: key}) if key != getattr(settings, name) else settings


#: An invalid URL's host, as far as it can be told: after a scheme (maybe mistyped, "https:/")
#: and userinfo, up to a port, path, query or space.
_LOOSE_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:/+)?(?:[^@/\s]*@)?([^/:?#\s]+)", re.IGNORECASE)


def _names_deepseek(url: str) -> bool:
    """Whether an invalid ``url`` was meant for DeepSeek: its host is deepseek.com or under it
    (a scheme left out, a port mistyped). "deepseek.com" anywhere in it sent a gateway's
    (notdeepseek.com:80x) code and key to DeepSeek in its place."""
    found = _LOOSE_HOST.match(url.strip())
    return found is not None and deepseek_host(found.group(1).lower())


def _scheme_hint(url: str) -> str:
    """For a URL written without its scheme (``localhost:11434/v1``, as Ollama's docs print
    addresses): the URL as it should be written, http:// for this machine, else https://."""
    from .model.errors import safe_url  # the model package imports this module

    if "://" in url or re.search(r"\s", url) or key_shaped(url) or not _valid_url(f"https://{url}"):
        return ""  # (a key pasted here reads as a host name: never quoted back)
    host = urlsplit(f"https://{url}").hostname or ""
    local = host == "localhost" or host == "::1" or host.startswith("127.")
    return f" (no scheme: write {safe_url(('http://' if local else 'https://') + url)!r})"


def _valid_url(url: str) -> bool:
    # No space anywhere: "https://gateway/v1 <key>" (the URL and its key pasted together) was
    # taken, the key put into every request's address and every "cannot reach" message.
    if not re.fullmatch(r"https?://[^/\s]+\S*", url):
        return False
    try:
        urlsplit(url).port  # noqa: B018 - raises for ":80x", ":99999" or "[::1" unclosed
    except ValueError:
        return False
    return True


def read_settings_file(path: str) -> dict[str, Any]:
    """A settings layer from a JSON file (``--settings``), written as an editor sends them:
    ``{"backend": "chat", "review": {"model": "..."}}``, optionally under ``"deepseek"``.
    Raises ValueError with a message fit for the terminal."""
    try:
        # utf-8-sig: Windows PowerShell 5 (``Out-File -Encoding utf8``) and older Notepad
        # start the file with a byte order mark, which json refuses ("Unexpected UTF-8 BOM").
        with open(path, encoding="utf-8-sig") as f:
            data = json.load(f)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object of settings")
    return data


#: The settings the environment gives. The backend, template and models are enough to point
#: the terminal and CI review at a self-hosted model, which has no editor to send settings
#: (the CLI's --settings file takes any of them).
ENV_SETTINGS = {
    "DEEPSEEK_API_KEY": "apiKey",
    "DEEPSEEK_BASE_URL": "baseUrl",
    "DEEPSEEK_FIM_BASE_URL": "fimBaseUrl",
    "DEEPSEEK_FIM_API_KEY": "fimApiKey",
    "DEEPSEEK_BACKEND": "backend",
    "DEEPSEEK_FIM_TEMPLATE": "fimTemplate",
    "DEEPSEEK_COMPLETION_MODEL": "completion.model",
    "DEEPSEEK_REVIEW_MODEL": "review.model",
    # ``deepseek-lsp usage`` has no editor to pass the budget nor a settings file: it showed
    # no budget at all (the CLI review keeps it too, settings file or not).
    "DEEPSEEK_DAILY_BUDGET_USD": "dailyBudgetUsd",
    # A CI job reviewing through a plain-http server on another host (a gateway on the build
    # network) had to write a settings file for this one switch.
    "DEEPSEEK_ALLOW_HTTP": "allowHttp",
}

#: What a variable may say for true or false; anything else is refused, naming the variable.
_SWITCH_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    out: dict[str, Any] = {}
    for variable, key in ENV_SETTINGS.items():
        if env.get(variable):
            *sections, name = key.split(".")
            node = out
            for section in sections:
                node = node.setdefault(section, {})
            value = env[variable]
            if isinstance(getattr(Settings(), snake(name), None), bool):
                value = _SWITCH_WORDS.get(value.strip().lower(), value)
            node[name] = value
    return out


def _naming_variables(problems: list[str]) -> list[str]:
    """The environment's problems, each naming its variable: "invalid URL for 'baseUrl'" sent
    the user to the editor's settings, which had no baseUrl (DEEPSEEK_BASE_URL had a typo)."""
    out = []
    for problem in problems:
        named = [
            variable
            for variable, key in ENV_SETTINGS.items()
            if f"'{key}'" in problem or (key == "apiKey" and "API key" in problem)
        ]
        out.append(f"{named[0]}: {problem}" if named else problem)
    return out


def unwrap_section(value: Any) -> Mapping[str, Any] | None:
    """Accept what clients send: a table, ``{deepseek: table}``, or a per-folder list of those."""
    value = _plain(value)
    if isinstance(value, (list, tuple)):
        merged: dict[str, Any] = {}
        for item in value:
            part = unwrap_section(item)
            if part:
                merged = _deep_update(merged, part)
        return merged
    if isinstance(value, Mapping):
        inner = value.get(SECTION)
        if isinstance(inner, Mapping):
            return inner
        if isinstance(inner, (list, tuple)):
            # Neovim encodes an empty Lua table as [] ({"deepseek": []} for no settings).
            return unwrap_section(inner) or {}
        return value
    return None


def _plain(value: Any) -> Any:
    """JSON-like data from whatever the protocol layer structured it into."""
    if hasattr(value, "_asdict"):
        value = value._asdict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def without_repeats(base: Any, client: Any) -> dict[str, Any] | None:
    """``base`` (initializationOptions) less the values the client's settings repeat as they are.

    Neovim's plugin and Helix send one table both as initializationOptions and as the settings
    pulled later. Kept as the layer under every pull, the copy brought back a setting the user
    took out (``setup()`` again without it): it kept its old value, not its default, until the
    editor was restarted. A value only the initializationOptions give (VS Code's API key) stays."""
    section, other = unwrap_section(base), unwrap_section(client)
    if section is None or not other:
        return None if section is None else dict(section)
    theirs = {snake(str(k)): v for k, v in other.items()}
    out: dict[str, Any] = {}
    for key, value in section.items():
        name = snake(str(key))
        if name not in theirs:
            out[key] = value
        elif isinstance(value, Mapping) and isinstance(theirs[name], Mapping):
            rest = without_repeats(value, theirs[name])
            if rest:
                out[key] = rest
        elif value != theirs[name]:
            out[key] = value
    return out


def _deep_update(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _deep_update(dict(out[k]), v)
        else:
            out[k] = v
    return out


def build_settings(
    *layers: Any, env: Mapping[str, str] | None = None
) -> tuple[Settings, list[str]]:
    """Defaults < environment < each layer in order. Returns the settings and the problems found."""
    problems: list[str] = []
    settings = Settings()
    parts = (from_environment(env), *(unwrap_section(layer) for layer in layers))
    keys = _configured_keys(parts)
    # Layer by layer, each checked on its own: a value refused keeps the one below it.
    for index, part in enumerate(parts):
        if part:
            found: list[str] = []
            settings = _sanity(_merge(settings, part, "", found, keys), found, settings)
            problems.extend(_naming_variables(found) if index == 0 else found)
    exclude = with_default_exclusions(settings.exclude, problems)
    if exclude != settings.exclude:
        settings = replace(settings, exclude=exclude)
    return settings, problems


def _configured_keys(parts: Sequence[Any]) -> frozenset[str]:
    """The keys (``apiKey``, ``fimApiKey``) any layer gives, whatever their shape: one written
    again as a setting's name is not quoted (see :func:`_unknown`)."""
    return frozenset(
        value.strip()
        for part in parts
        if isinstance(part, Mapping)
        for name, value in part.items()
        if snake(str(name)) in SECRET_SETTINGS and isinstance(value, str) and value.strip()
    )


#: The settings a folder of a multi-root workspace may set for its own files (VS Code's
#: ``"scope": "resource"``): whether its files get suggestions and reviews. The rest (endpoint,
#: key, models, budget, exclusions) are the window's: a folder's ``.vscode/settings.json`` of a
#: cloned project must not send the key and the code to another endpoint.
FOLDER_SETTINGS: dict[str, tuple[str, ...]] = {
    "completion": ("enable", "languages"),
    "review": ("mode", "otherLanguages"),
}


def folder_part(section: Any) -> dict[str, Any]:
    """The :data:`FOLDER_SETTINGS` of a folder's settings (camelCase or snake_case), the rest dropped."""
    table = unwrap_section(section)
    out: dict[str, Any] = {}
    if not table:
        return out
    for group, keys in FOLDER_SETTINGS.items():
        values = table.get(group)
        if not isinstance(values, Mapping):
            continue
        kept = {key: values[form] for key in keys for form in dict.fromkeys((key, snake(key))) if form in values}
        if kept:
            out[group] = kept
    return out


def with_default_exclusions(globs: Sequence[str], problems: list[str] | None = None) -> tuple[str, ...]:
    """The user's exclusions added to the defaults, less the defaults named with ``!``.

    A list of one's own (``["**/generated/**"]``) used to take the defaults' place: ``.env``
    files and private keys were sent again, with nothing said. ``!**/secrets.*`` takes that
    default out (a project whose ``secrets.py`` is ordinary code)."""
    dropped = {g[1:] for g in globs if g.startswith("!")}
    own = [g for g in globs if not g.startswith("!") and g not in DEFAULT_EXCLUDE]
    everything: list[str] = []
    if own:
        # Here, and only for globs of one's own: the privacy package loads the redaction
        # patterns, which the commands reading only the settings (``usage``) must not wait for.
        from .privacy.paths import excludes_everything

        everything = [g for g in own if excludes_everything(g)]
    for glob in everything:
        if problems is not None:
            problems.append(
                f"'{glob}' in 'exclude' excludes every file, so nothing would be completed or reviewed; "
                "it is not used (to turn completions off: 'completion.enable' false)"
            )
    for glob in sorted(dropped - set(DEFAULT_EXCLUDE)):
        if problems is not None:
            problems.append(
                f"'!{glob}' in 'exclude' names no default exclusion; the defaults are "
                + ", ".join(DEFAULT_EXCLUDE)
            )
    kept = [g for g in DEFAULT_EXCLUDE if g not in dropped]
    return tuple(dict.fromkeys([*kept, *(g for g in globs if not g.startswith("!") and g not in everything)]))
