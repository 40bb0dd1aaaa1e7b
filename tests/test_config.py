"""Settings merge in order, and a bad value falls back to its default with a message."""

from __future__ import annotations

import pytest

from deepseek_lsp.config import (
    DEFAULT_BASE_URL,
    DEFAULT_EXCLUDE,
    Settings,
    build_settings,
    mask_secret,
)
from deepseek_lsp.privacy import is_excluded


def test_defaults_without_anything() -> None:
    settings, problems = build_settings(env={})
    assert problems == []
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.effective_fim_base_url == f"{DEFAULT_BASE_URL}/beta"
    assert settings.completion.model == "deepseek-v4-flash"
    assert settings.review.model == "deepseek-v4-pro"
    assert settings.api_key == ""


def test_order_defaults_env_init_options_workspace() -> None:
    env = {"DEEPSEEK_API_KEY": "sk-env", "DEEPSEEK_BASE_URL": "http://127.0.0.1:9"}
    init = {"apiKey": "sk-init", "completion": {"model": "m-init", "maxPromptTokens": 1000}}
    workspace = [{"completion": {"model": "m-ws"}}]
    settings, problems = build_settings(init, workspace, env=env)
    assert problems == []
    assert settings.api_key == "sk-init"
    assert settings.base_url == "http://127.0.0.1:9"
    assert settings.completion.model == "m-ws"
    assert settings.completion.max_prompt_tokens == 1000  # kept from the earlier layer


def test_vscode_per_folder_list_and_neovim_table_shapes() -> None:
    vscode = [{"review": {"mode": "off"}}, {"review": {"minConfidence": 0.9}}]
    nvim = {"deepseek": {"review": {"mode": "onCommand"}}}
    s1, _ = build_settings(vscode, env={})
    assert (s1.review.mode, s1.review.min_confidence) == ("off", 0.9)
    s2, _ = build_settings(nvim, env={})
    assert s2.review.mode == "onCommand"


def test_invalid_values_fall_back_each_on_its_own() -> None:
    settings, problems = build_settings(
        {
            "backend": "telepathy",
            "completion": {"debounce": "soon", "maxPromptTokens": -5, "temperature": 0.2},
            "review": {"minConfidence": 7, "mode": "always"},
            "baseUrl": "not a url",
            "colour": "blue",
            "apiKey": 12345,
        },
        env={},
    )
    defaults = Settings()
    assert settings.backend == defaults.backend
    assert settings.completion.debounce == "adaptive"
    assert settings.completion.max_prompt_tokens == defaults.completion.max_prompt_tokens
    assert settings.completion.temperature == 0.2  # the valid neighbour survives
    assert settings.review.min_confidence == 0.5 and settings.review.mode == "onSave"
    # The one exception: DeepSeek's URL is not put in place of another the user named.
    assert settings.base_url == "not a url"
    joined = "\n".join(problems)
    assert "for 'baseUrl'; nothing is sent until it is corrected" in joined
    for word in ("backend", "debounce", "maxPromptTokens", "minConfidence", "mode", "baseUrl", "colour", "apiKey"):
        assert word in joined
    assert "12345" not in joined  # a rejected key value is never echoed


def test_fixed_debounce_and_language_switches() -> None:
    settings, problems = build_settings(
        {"completion": {"debounce": 0, "languages": {"markdown": False, "*": True}}}, env={}
    )
    assert problems == []
    assert settings.completion.debounce == 0
    assert not settings.language_enabled("markdown")
    assert settings.language_enabled("python")


def test_masking_never_shows_the_key() -> None:
    settings, _ = build_settings({"apiKey": "sk-0123456789abcdef"}, env={})
    shown = repr(settings) + str(settings.masked())
    assert "0123456789abcdef" not in shown
    proxied, _ = build_settings({"baseUrl": "https://bob:hunter2pass@proxy.example.com/v1"}, env={})
    assert "hunter2pass" not in repr(proxied) and "proxy.example.com/v1" in repr(proxied)
    assert mask_secret("") == "(not set)"


def test_a_key_with_line_breaks_or_spaces_around_it_is_trimmed() -> None:
    # A CRLF .env file, or a paste with a trailing space: the key itself is fine.
    for raw in ("sk-0123456789abcdef\r\n", " sk-0123456789abcdef ", "sk-0123456789abcdef\n"):
        settings, problems = build_settings({}, env={"DEEPSEEK_API_KEY": raw})
        assert settings.api_key == "sk-0123456789abcdef"
        assert problems == []


def test_a_key_no_header_can_carry_is_refused_without_showing_it() -> None:
    # A pasted non-breaking or zero-width space: httpx could not even build the client.
    for raw in ("sk-0123\u200b456789abcdef", "sk-0123 456789abcdef", "sk-0123\u00a0456789abcdef"):
        settings, problems = build_settings({"apiKey": raw}, env={})
        assert settings.api_key == ""  # no key: the status says so, nothing is sent
        assert len(problems) == 1 and "API key" in problems[0]
        assert "456789abcdef" not in problems[0]


def test_neovims_empty_settings_table_is_no_settings() -> None:
    # An empty Lua table goes out as a JSON array: {"deepseek": []} from a setup() without settings.
    settings, problems = build_settings({"deepseek": []}, {"deepseek": []}, env={})
    assert problems == [] and settings == Settings()


def test_a_bad_value_in_a_later_layer_keeps_the_earlier_layers_good_one() -> None:
    """The layers were merged before any value was checked: a bad workspace value fell back
    to the built-in default, dropping a good one from the environment or initializationOptions
    (a typo in baseUrl sent the key to api.deepseek.com instead of the company proxy)."""
    env = {"DEEPSEEK_BASE_URL": "https://proxy.corp/v1", "DEEPSEEK_API_KEY": "sk-good0123456789"}
    init = {"completion": {"maxPromptTokens": 1500, "debounce": 120}}
    workspace = {
        "baseUrl": "proxy.corp",
        "apiKey": "sk-bad key",
        "completion": {"maxPromptTokens": 10, "debounce": "soonish", "suffixShare": 2},
    }
    settings, problems = build_settings(init, workspace, env=env)
    assert settings.base_url == "https://proxy.corp/v1"
    assert settings.api_key == "sk-good0123456789"
    assert (settings.completion.max_prompt_tokens, settings.completion.debounce) == (1500, 120)
    assert settings.completion.suffix_share == Settings().completion.suffix_share
    assert len(problems) == 5 and not any("sk-" in p for p in problems)
    assert any("'https://proxy.corp/v1'" in p for p in problems)  # says what it uses


def test_a_url_with_a_port_that_is_no_port_falls_back_with_a_message() -> None:
    """It passed the check, then made every request (and doctor) fail with httpx.InvalidURL."""
    env = {"DEEPSEEK_BASE_URL": "http://127.0.0.1:8080"}
    for bad in ("http://127.0.0.1:80x", "http://127.0.0.1:99999", "https://[::1"):
        settings, problems = build_settings({"baseUrl": bad, "fimBaseUrl": bad}, env=env)
        assert settings.base_url == "http://127.0.0.1:8080" and settings.fim_base_url == ""
        assert len(problems) == 2 and all("invalid URL" in p for p in problems)


def test_credentials_in_a_url_are_never_shown() -> None:
    url = "https://proxyuser:Pr0xyS3cret@proxy.corp:8443/v1"
    settings, _ = build_settings({"baseUrl": url}, env={})
    assert settings.base_url == url  # used as given
    masked = settings.masked()
    assert masked["base_url"] == "https://proxy.corp:8443/v1"
    assert masked["fim_base_url"] == "https://proxy.corp:8443/v1/beta"
    _, problems = build_settings({"baseUrl": "https://proxyuser:Pr0xyS3cret@proxy.corp:84x"}, env={})
    assert problems and not any("Pr0xyS3cret" in p for p in problems)


def test_fim_template_takes_names_aliases_and_custom_templates() -> None:
    """A fixed list refused an alias ("qwen") and a custom template, and DeepSeek-Coder's
    tokens were sent to another model."""
    for value in ("qwen2.5-coder", "qwen", "[SUFFIX]{suffix}[PREFIX]{prefix}"):
        settings, problems = build_settings({"fimTemplate": value}, env={})
        assert settings.fim_template == value and problems == []
    settings, problems = build_settings({"fimTemplate": "starcoder2"}, {"fimTemplate": "no-such"}, env={})
    assert settings.fim_template == "starcoder2"  # the earlier layer's good value stays
    assert problems and "no-such" in problems[0]


def test_the_environment_can_point_at_a_self_hosted_model() -> None:
    env = {
        "DEEPSEEK_BASE_URL": "http://127.0.0.1:8000/v1",
        "DEEPSEEK_BACKEND": "fim-template",
        "DEEPSEEK_FIM_TEMPLATE": "qwen2.5-coder",
        "DEEPSEEK_COMPLETION_MODEL": "Qwen/Qwen2.5-Coder-7B",
        "DEEPSEEK_REVIEW_MODEL": "Qwen/Qwen2.5-Coder-32B-Instruct",
    }
    settings, problems = build_settings(env=env)
    assert problems == []
    assert (settings.backend, settings.fim_template) == ("fim-template", "qwen2.5-coder")
    assert settings.completion.model == "Qwen/Qwen2.5-Coder-7B"
    assert settings.review.model == "Qwen/Qwen2.5-Coder-32B-Instruct"
    settings, problems = build_settings(env={"DEEPSEEK_BACKEND": "nope"})
    assert settings.backend == "deepseek" and "nope" in problems[0]


def test_a_language_switch_that_is_no_boolean_is_refused_with_a_message() -> None:
    """``{"markdown": "false"}`` (a string, as a YAML or JSON typo gives) read as true: completions
    stayed on in Markdown and nothing said why."""
    settings, problems = build_settings(
        {"completion": {"languages": {"markdown": False}}},
        [{"completion": {"languages": {"markdown": "false", "*": "no"}}}],
        env={},
    )
    assert not settings.language_enabled("markdown")  # the earlier layer's valid switch stays
    assert settings.language_enabled("python")
    assert len(problems) == 1 and "completion.languages" in problems[0]


def test_an_exclude_list_of_ones_own_adds_to_the_defaults() -> None:
    """``exclude: ["**/generated/**"]`` took the defaults' place: the project's ``.env`` and
    private keys were sent again, and nothing said so. A default goes only when named with ``!``."""
    settings, problems = build_settings({"exclude": ["**/generated/**"]}, env={})
    assert problems == []
    assert is_excluded("file:///w/.env", settings.exclude)
    assert is_excluded("file:///w/deploy/server.pem", settings.exclude)
    assert is_excluded("file:///w/generated/api.py", settings.exclude)
    assert not is_excluded("file:///w/app/secrets.py", build_settings({"exclude": ["!**/secrets.*"]}, env={})[0].exclude)
    assert is_excluded("file:///w/app/secrets.py", settings.exclude)
    # A single glob as a string, and the defaults written out again (VS Code's settings editor
    # copies them before adding one): the same list, nothing twice.
    assert build_settings({"exclude": "**/generated/**"}, env={})[0].exclude == settings.exclude
    both = build_settings({"exclude": [*DEFAULT_EXCLUDE, "**/generated/**"]}, env={})[0].exclude
    assert both == settings.exclude


def test_an_exclude_written_as_one_string_is_taken_and_told() -> None:
    """A string where a list is asked for was taken without a word: a comma list written in it
    (``"**/gen/**, private/"``) is one glob that matches nothing, and nothing said so."""
    settings, problems = build_settings({"exclude": "**/gen/**, private/"}, env={})
    assert settings.exclude == (*DEFAULT_EXCLUDE, "**/gen/**, private/")  # the user's glob is kept
    assert problems == [
        "'exclude' is a list of globs; the text \"**/gen/**, private/\" is taken as one glob: "
        'write ["**/gen/**, private/"], or one glob a list item'
    ]


@pytest.mark.parametrize("glob", ["**", "/", "*", "**/*", "/**", "**/"])
@pytest.mark.parametrize("as_list", [True, False])
def test_an_exclusion_of_every_file_is_not_used_and_told(glob: str, as_list: bool) -> None:
    """``"**"`` or ``"/"`` excluded every file: no suggestion anywhere, and nothing said why."""
    settings, problems = build_settings({"exclude": [glob, "**/gen/**"] if as_list else glob}, env={})
    assert not is_excluded("file:///w/app/main.py", settings.exclude)
    assert is_excluded("file:///w/.env", settings.exclude)
    assert is_excluded("file:///w/gen/api.py", settings.exclude) == as_list
    told = [p for p in problems if "excludes every file" in p]
    assert told == [
        f"'{glob}' in 'exclude' excludes every file, so nothing would be completed or reviewed; it is not used "
        "(to turn completions off: 'completion.enable' false)"
    ], problems


def test_an_exclusion_of_most_files_is_used() -> None:
    settings, problems = build_settings({"exclude": ["*.*", "/home/**", "src/"]}, env={})
    assert problems == []
    assert is_excluded("file:///w/app/main.py", settings.exclude)


def test_taking_out_an_exclusion_that_is_no_default_is_told() -> None:
    settings, problems = build_settings({"exclude": ["!**/*.secret"]}, env={})
    assert settings.exclude == DEFAULT_EXCLUDE
    assert len(problems) == 1 and "'!**/*.secret' in 'exclude' names no default exclusion" in problems[0]


def test_what_the_client_settings_repeat_leaves_the_initialization_options() -> None:
    """The Neovim plugin's and Helix's copy goes (a key taken out later is back to its
    default); what only the initializationOptions give (VS Code's key) stays."""
    from deepseek_lsp.config import without_repeats

    init = {"deepseek": {"apiKey": "sk-init-0123456789", "review": {"mode": "off", "min_severity": "warning"}}}
    pulled = [{"review": {"mode": "off", "minSeverity": "critical"}}]
    rest = without_repeats(init, pulled)
    assert rest == {"apiKey": "sk-init-0123456789", "review": {"min_severity": "warning"}}
    settings, _ = build_settings(rest, [{"review": {}}], env={})
    assert (settings.api_key, settings.review.mode) == ("sk-init-0123456789", "onSave")
    assert without_repeats(init, None) == init["deepseek"]
    assert without_repeats(None, pulled) is None


def test_a_number_written_as_a_string_is_taken_as_the_number() -> None:
    """A hand-edited settings file or a Lua table often quotes numbers: ``dailyBudgetUsd: "5"``
    was refused with "using 0.0", and the user believed a budget of $5 was set."""
    settings, problems = build_settings(
        {"dailyBudgetUsd": "5", "completion": {"cacheSize": " 100 ", "debounce": "150"}, "review": {"minConfidence": "0.8"}},
        env={},
    )
    assert problems == []
    assert settings.daily_budget_usd == 5.0
    assert (settings.completion.cache_size, settings.completion.debounce) == (100, 150)
    assert settings.review.min_confidence == 0.8
    for word in ("five", "nan", "-2"):
        settings, problems = build_settings({"dailyBudgetUsd": word}, env={})
        assert settings.daily_budget_usd == 0.0 and len(problems) == 1, (word, problems)


def test_a_refused_value_says_what_is_expected_and_what_is_used_instead() -> None:
    _, problems = build_settings({"dailyBudgetUsd": -1}, env={})
    assert problems == ["invalid value -1 for 'dailyBudgetUsd' (a number, 0 or more); using the default 0 (no budget)"]
    _, problems = build_settings({"dailyBudgetUsd": 3}, {"dailyBudgetUsd": "three"}, env={})
    assert problems == ["invalid value 'three' for 'dailyBudgetUsd' (a number, 0 or more); using 3, as set before"]
    _, problems = build_settings({"review": {"mode": "onsave"}, "completion": {"prefetch": "no"}}, env={})
    assert problems == [
        "invalid value 'onsave' for 'review.mode' (one of 'onSave', 'onCommand', 'off'); using the default 'onSave'",
        "invalid value 'no' for 'completion.prefetch' (true or false); using the default true",
    ]
    # Not the thirty-odd default globs spelled out in a popup.
    _, problems = build_settings({"exclude": ["**/gen/**", 1]}, env={})
    assert problems == ['invalid value ["**/gen/**", 1] for \'exclude\' (a list of strings); using the default exclusions']


def test_a_value_that_is_not_text_is_quoted_as_the_settings_write_it() -> None:
    """JSON (settings.json, --settings) and Lua write true, null and {"python": false}: the
    message read Python's True and {'python': 'no'}, a notation no settings file uses."""
    _, problems = build_settings({"completion": {"debounce": True, "languages": {"python": "no"}, "cacheTtlS": [1]}}, env={})
    assert sorted(p.split(" for ")[0] for p in problems) == [
        "invalid value [1]", "invalid value true", 'invalid value {"python": "no"}',
    ], problems


def test_a_text_setting_cleared_in_the_settings_editor_is_not_set() -> None:
    """VS Code stores a text field the user emptied as "": the base URL became "" (every
    feature off, DEEPSEEK_BASE_URL ignored) and the models "" (requests for no model)."""
    env = {"DEEPSEEK_BASE_URL": "https://proxy.corp/v1"}
    cleared = {"baseUrl": "", "fimTemplate": " ", "completion": {"model": ""}, "review": {"model": ""}}
    settings, problems = build_settings({"completion": {"model": "m-init"}}, cleared, env=env)
    assert problems == []
    assert settings.base_url == "https://proxy.corp/v1"
    assert (settings.completion.model, settings.review.model) == ("m-init", Settings().review.model)
    assert settings.fim_template == Settings().fim_template
    # Empty is what these mean by default: the FIM base derived from baseUrl.
    settings, _ = build_settings({"fimBaseUrl": "https://fim.corp"}, {"fimBaseUrl": ""}, env=env)
    assert settings.effective_fim_base_url == "https://proxy.corp/v1/beta"
    # A key field cleared in the editor leaves the environment's key, not none at all.
    settings, problems = build_settings({"apiKey": " "}, env={"DEEPSEEK_API_KEY": "sk-from-env-0123456789"})
    assert settings.api_key == "sk-from-env-0123456789" and problems == []


def test_a_timeout_or_token_limit_of_zero_is_refused_with_a_message() -> None:
    """VS Code's settings editor took ``completion.timeoutS: 0`` (its minimum): every request
    was abandoned at once, and the status blamed the model server for not answering in time."""
    settings, problems = build_settings(
        {"completion": {"timeoutS": 2, "singleLineMaxTokens": 32}},
        {"completion": {"timeoutS": 0, "singleLineMaxTokens": 0}, "review": {"timeoutS": 0, "maxOutputTokens": 0}},
        env={},
    )
    assert (settings.completion.timeout_s, settings.completion.single_line_max_tokens) == (2.0, 32)
    assert (settings.review.timeout_s, settings.review.max_output_tokens) == (120.0, 4096)
    assert problems == [
        "'completion.timeoutS' must be more than 0; using 2",
        "'completion.singleLineMaxTokens' must be more than 0; using 32",
        "'review.timeoutS' must be more than 0; using 120",
        "'review.maxOutputTokens' must be more than 0; using 4096",
    ]


def test_a_bad_value_from_the_environment_names_its_variable() -> None:
    """The editor said "invalid URL for 'baseUrl'" and the user's editor settings had none:
    the typo was in DEEPSEEK_BASE_URL, which no message named."""
    env = {
        "DEEPSEEK_BASE_URL": "api.deepseek.com",
        "DEEPSEEK_BACKEND": "ollama",
        "DEEPSEEK_API_KEY": "sk-0123 456789abcdef",
        "DEEPSEEK_REVIEW_MODEL": "qwen",
    }
    settings, problems = build_settings({"fimBaseUrl": "fim.corp"}, env=env)
    assert settings.review.model == "qwen"
    assert [p.split(":")[0] for p in problems[:3]] == ["DEEPSEEK_BACKEND", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL"]
    # The editor's: DeepSeek's FIM URL is not put in place of the server it names.
    assert problems[3].startswith(
        "invalid URL 'fim.corp' for 'fimBaseUrl' (no scheme: write 'https://fim.corp'); nothing is sent until it is corrected"
    )
    assert not any("456789abcdef" in p for p in problems)


def test_neovims_empty_tables_inside_the_settings_are_empty_objects() -> None:
    """An empty Lua table goes out as []: ``completion = {}`` (its options commented out),
    ``languages = {}`` or ``prices = {}`` (the defaults, as the README gives them) each popped
    a warning up at every start."""
    settings, problems = build_settings(
        {"deepseek": {"completion": [], "review": {"mode": "off"}, "prices": []}},
        {"deepseek": {"completion": {"languages": []}}},
        env={},
    )
    assert problems == []
    assert settings.review.mode == "off"
    assert (settings.completion, settings.prices) == (Settings().completion, {})


def test_an_invalid_url_is_not_replaced_by_deepseeks_when_another_server_was_named() -> None:
    """``ftp://llm.corp/v1`` (or a mistyped port) fell back to https://api.deepseek.com: the
    code, and the key meant for the team's server, went to DeepSeek. The URL is kept, the model
    client refuses it, and nothing is sent until it is corrected."""
    from deepseek_lsp.model import ConfigError
    from deepseek_lsp.usage_feature import endpoint_config

    for given in ({"baseUrl": "ftp://llm.corp/v1"}, {"baseUrl": "http://10.0.0.5:80x/v1"}, {"fimBaseUrl": "llm.corp:8080"}):
        settings, problems = build_settings({**given, "apiKey": "team-gateway-key"}, env={})
        assert "api.deepseek.com" not in settings.effective_fim_base_url
        (problem,) = problems
        assert "nothing is sent until it is corrected" in problem, problem
        with pytest.raises(ConfigError):
            endpoint_config(settings)
    # Where DeepSeek was meant (a scheme left out), its URL is what the user wanted.
    settings, (problem,) = build_settings({"baseUrl": "api.deepseek.com"}, env={})
    assert settings.base_url == DEFAULT_BASE_URL and "using 'https://api.deepseek.com'" in problem
    # And another server the user named in a layer below is used in its place, as before.
    settings, _ = build_settings({"baseUrl": "ftp://llm.corp/v1"}, env={"DEEPSEEK_BASE_URL": "https://llm.corp/v1"})
    assert settings.base_url == "https://llm.corp/v1"


@pytest.mark.parametrize(
    ("given", "deepseek_meant"),
    [
        ("https://notdeepseek.com:80x/v1", False),  # a gateway whose name ends in DeepSeek's
        ("https://api.deepseek.com.corp.example:80x/v1", False),
        ("https://gw.example:80x/deepseek.com/v1", False),  # DeepSeek's name in the path only
        ("https://api.deepseek.com:443x", True),  # DeepSeek's own host, its port mistyped
        ("api.deepseek.com/v1", True),
        ("https://api.deepseek.com.:443x", True),  # a fully qualified name's dot
        ("https://api.deepseek.com@gw.example:80x/v1", False),  # userinfo: the host is gw's
    ],
)
def test_an_invalid_url_falls_back_to_deepseek_s_only_where_its_host_is_deepseek_s(
    given: str, deepseek_meant: bool
) -> None:
    """Any invalid URL with "deepseek.com" in it fell back to https://api.deepseek.com: a
    mistyped port of a gateway at notdeepseek.com sent the code, and the gateway's key, to
    DeepSeek. Its host decides, as for the names in messages."""
    settings, (problem,) = build_settings({"baseUrl": given, "apiKey": "team-gateway-key"}, env={})
    assert (settings.base_url == DEFAULT_BASE_URL) is deepseek_meant, problem
    assert ("nothing is sent until it is corrected" in problem) is not deepseek_meant, problem


def test_an_unknown_setting_names_the_nearest_known_one_as_the_user_spells_them() -> None:
    """"unknown setting 'review.minSeverty' ignored" sent a new user to the README's table to
    find the typo; the nearest setting is named, camelCase or snake_case as written."""
    _, problems = build_settings({"review": {"minSeverty": "warning"}, "dailyBudgetUSD": 5}, env={})
    assert problems == [
        "unknown setting 'review.minSeverty' ignored; did you mean 'review.minSeverity'?",
        "unknown setting 'dailyBudgetUSD' ignored; did you mean 'dailyBudgetUsd'?",
    ]
    _, problems = build_settings({"review": {"max_ouptut_tokens": 100}}, env={})
    assert problems == ["unknown setting 'review.max_ouptut_tokens' ignored; did you mean 'review.max_output_tokens'?"]
    # Nothing near: no guess.
    _, problems = build_settings({"colour": "blue"}, env={})
    assert problems == ["unknown setting 'colour' ignored"]


@pytest.mark.parametrize(
    ("raw", "env", "said"),
    [
        # pasted where a setting's name goes: the key shape alone hides it
        ({"sk-0a1b2c3d4e5f60718293a4b5c6d7e8f9": True}, {}, "unknown setting '(hidden: it looks like a key)' ignored"),
        (
            {"review": {"Zq8Wn3Rt6Yp1Lm5K": "x"}},
            {},
            "unknown setting 'review.(hidden: it looks like a key)' ignored",
        ),
        # the configured key itself, however it is shaped (a self-hosted server's short one)
        ({"apiKey": "local-secret", "local-secret": True}, {}, "unknown setting '(hidden: it looks like a key)' ignored"),
        ({"hunter2hunter": 1}, {"DEEPSEEK_API_KEY": "hunter2hunter"}, "unknown setting '(hidden: it looks like a key)' ignored"),
    ],
)
def test_an_api_key_written_as_a_setting_s_name_is_not_quoted(raw: dict, env: dict, said: str) -> None:
    """A key pasted as a name (``{"sk-…": true}``, the key alone in a Lua table) was quoted back
    in the pop-up, the log and doctor, with a nearest name guessed for it."""
    _, problems = build_settings(raw, env=env)
    assert problems == [said]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ({"completion": {"temperature": 3.5}}, "invalid value 3.5 for 'completion.temperature' (at most 2); using the default 0"),
        (
            {"review": {"maxOutputTokens": 10_000_000}},
            "invalid value 10000000 for 'review.maxOutputTokens' (at most 393216); using the default 4096",
        ),
    ],
)
def test_a_temperature_or_review_output_limit_above_the_apis_is_refused(raw: dict, said: str) -> None:
    """Taken as they were: every completion a 400 (DeepSeek takes temperatures of 0 to 2), or a
    review asking for more tokens than any model writes, and the settings said nothing."""
    settings, problems = build_settings(raw, env={})
    assert problems == [said]
    assert (settings.completion.temperature, settings.review.max_output_tokens) == (0.0, 4096)
    # The bounds themselves are taken.
    settings, problems = build_settings({"completion": {"temperature": 2}, "review": {"maxOutputTokens": 393216}}, env={})
    assert problems == [] and (settings.completion.temperature, settings.review.max_output_tokens) == (2.0, 393216)


@pytest.mark.parametrize(
    ("raw", "said", "used"),
    [
        (
            {"completion": {"multiLineMaxTokens": 100_000}},
            "invalid value 100000 for 'completion.multiLineMaxTokens' (at most 4096, what a DeepSeek "
            "completion writes); using 4096",
            ("completion", "multi_line_max_tokens", 4096),
        ),
        (
            {"completion": {"singleLineMaxTokens": 5000}},
            "invalid value 5000 for 'completion.singleLineMaxTokens' (at most 4096, what a DeepSeek "
            "completion writes); using 4096",
            ("completion", "single_line_max_tokens", 4096),
        ),
        (
            {"connectTimeoutS": 120},
            "invalid value 120 for 'connectTimeoutS' (at most 30, a connection not made by then "
            "will not be); using 30",
            ("", "connect_timeout_s", 30.0),
        ),
    ],
)
def test_a_completion_output_limit_or_connect_timeout_past_its_bound_is_taken_at_the_bound(
    raw: dict, said: str, used: tuple[str, str, float]
) -> None:
    """multiLineMaxTokens 100000 went out as max_tokens (a 400 from DeepSeek, whose completions
    write 4K at most; a huge bill from a server of one's own), and connectTimeoutS 120 held the
    warm-up (and the re-warms behind it) two minutes against a dropped connect; nothing said.
    The user asked for much: the most there is comes closest, said."""
    settings, problems = build_settings(raw, env={})
    assert problems == [said]
    section, name, value = used
    assert getattr(getattr(settings, section) if section else settings, name) == value
    # The bounds themselves are taken, unsaid.
    bounds = {"connectTimeoutS": 30, "completion": {"multiLineMaxTokens": 4096, "singleLineMaxTokens": 4096}}
    settings, problems = build_settings(bounds, env={})
    assert problems == [] and settings.completion.multi_line_max_tokens == 4096 and settings.connect_timeout_s == 30


def test_debounce_bounds_out_of_order_name_both_settings_in_full() -> None:
    """Each bound by its whole key, as configurations write it and editors find it: the bare
    'debounceMaxMs' is no setting of its own (VS Code's pop-up made a link of the one, not the
    other)."""
    bounds = {"debounceMinMs": 700, "debounceMaxMs": 600}
    settings, problems = build_settings({"completion": bounds}, env={})
    assert problems == [
        "'completion.debounceMinMs' exceeds 'completion.debounceMaxMs'; using 50 and 600"
    ]
    assert (settings.completion.debounce_min_ms, settings.completion.debounce_max_ms) == (50, 600)


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ({"backend": "qwen2.5-coder-1.5b-instruct"}, "'qwen2.5-coder-1.5b-instruct'"),
        ({"fimTemplate": "llama3.1:8b-instruct-q4_K_M"}, "'llama3.1:8b-instruct-q4_K_M'"),
        ({"baseUrl": "localhost:11434/v1"}, "'localhost:11434/v1'"),
        ({"completion": {"debounce": "fast"}}, "'fast'"),
    ],
)
def test_a_mistyped_name_or_address_is_still_quoted_as_typed(raw: dict, quoted: str) -> None:
    """Only a value shaped like a key is hidden: a model's name or a host typed in the wrong
    place is shown, for the user to see what went wrong."""
    _, problems = build_settings(raw)
    assert len(problems) == 1 and quoted in problems[0], problems
