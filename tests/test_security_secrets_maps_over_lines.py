"""Maps and arrays of keys under a secret's name written over lines, or with bare values: R's
``list(`` a key a line (a prompt's window starting among its items sent them), Clojure's maps
(``(def api-keys {:prod "…" :dev "…"})``, over lines, below the name, a keyword's) and bash's
associative arrays (``declare -A API_KEYS=([prod]=… # comment``, bare or quoted, over lines)."""

from __future__ import annotations

import pytest

from deepseek_lsp.privacy import REDACTED, redact
from tests.secret_forms import assert_none_sent_at_each, assert_redacted_in_linear_time, repeated

A, B, C = "Fk8d7s6Gh2Jq0Lw3Xy9Q", "Qz1Xc4Vb7Nm0Pa5Sd8Fg", "Wm3Rt8Yp1Lk6Hd0Sa4Zx"

FORMS = {
    "R list over lines": ("keys.R", f'api_keys <- list(\n  prod = "{A}",\n  dev = "{B}",\n  qa = "{C}"\n)\nprint(1)\n'),
    "Elixir attribute over lines": ("keys.ex", f'@api_keys [\n  "{A}",\n  "{B}",\n  "{C}"\n]\n'),
    "Clojure map": ("keys.clj", f'(def api-keys {{:prod "{A}" :dev "{B}" :qa "{C}"}})\n(println 1)\n'),
    "Clojure map, commas": ("keys.clj", f'(def api-keys {{:prod "{A}", :dev "{B}", :qa "{C}"}})\n(println 1)\n'),
    "Clojure map over lines": (
        "keys.clj",
        f'(def api-keys {{:prod "{A}"\n               :dev "{B}"\n               :qa "{C}"}})\n(println 1)\n',
    ),
    "Clojure map below its name": ("keys.clj", f'(def ^:private api-keys\n  {{:prod "{A}"\n   :dev "{B}"\n   :qa "{C}"}})\n'),
    "Clojure keyword's map": (
        "keys.clj",
        f'(def config\n  {{:api-keys {{:prod "{A}"\n              :dev "{B}"\n              :qa "{C}"}}}})\n',
    ),
    "Clojure keyword's map, words before": ("keys.clj", f'(def config\n  {{:api-tokens {{:prod "{A}" :dev "{B}" :qa "{C}"}}}})\n'),
    "bash map, the cursor in a key below": (
        "keys.sh",
        f'declare -A API_TOKENS=(\n  [prod]="{A}"\n  [dev]="{B}"\n  [qa]="{C}"\n  [ci]=Lp2Kd9Ws7Qx4Vn1Bz6Hj\n)\n',
    ),
    "bash map, bare values": ("keys.sh", f"declare -A API_KEYS=([prod]={A} [dev]={B} [qa]={C})\necho 1\n"),
    "bash map, comments": ("keys.sh", f"declare -A API_KEYS=([prod]={A} # main\n  [dev]={B} # dev\n  [qa]={C}\n)\necho 1\n"),
    "bash map, quoted, comments": (
        "keys.sh",
        f'declare -A API_KEYS=([prod]="{A}" # main\n  [dev]="{B}" # dev\n  [qa]="{C}"\n)\necho 1\n',
    ),
    "bash map over lines": ("keys.sh", f'declare -A API_KEYS=(\n  [prod]="{A}"\n  [dev]="{B}"\n  [qa]="{C}"\n)\necho 1\n'),
    "bash map over lines, bare": ("keys.sh", f"declare -A API_KEYS=(\n  [prod]={A}\n  [dev]={B}\n  [qa]={C}\n)\necho 1\n"),
    "bash array, a comment": ("keys.sh", f"API_KEYS=(\n  {A} # main\n  {B}\n  {C}\n)\necho 1\n"),
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_no_key_of_such_a_map_is_sent(form: str) -> None:
    path, text = FORMS[form]
    out = redact(text, keep_lines=True)
    assert out == text.replace(A, REDACTED).replace(B, REDACTED).replace(C, REDACTED).replace("Lp2Kd9Ws7Qx4Vn1Bz6Hj", REDACTED), out
    # The cursor at each place, a window or a suffix starting among the keys.
    assert_none_sent_at_each(path, text, (A, B, C), (400, 160, 30, 24))


@pytest.mark.parametrize(
    "text",
    [
        '(def token-kinds {:ident "identifier" :kw "keyword" :str "string-literal"})\n',  # words
        '(def api-keys {:prod (System/getenv "PROD_KEY")\n               :dev (System/getenv "DEV_KEY")})\n',
        '(ns app (:require [clojure.string :as str]))\n(def api-key-names {:prod "PROD_API_KEY"})\n',
        "declare -A API_KEYS=([prod]=$PROD_KEY [dev]=${DEV_KEY} [qa]=\"$QA_KEY\")\n",  # variables
        "declare -A TOKEN_TYPES=([access]=bearer [refresh]=opaque)\n",
        'api_keys <- list(\n  prod = Sys.getenv("PROD_KEY"),\n  dev = Sys.getenv("DEV_KEY")\n)\n',
        'settings <- list(\n  title = "Quarterly report",\n  author = "Ops team"\n)\n',
    ],
)
def test_names_calls_and_variables_in_such_maps_are_sent(text: str) -> None:
    assert redact(text, keep_lines=True) == text


@pytest.mark.parametrize("unit", [':a "b" ', ":a ", "[p]=x ", "[p]=", "# c\n", " ", "\n", '{:k "', "(def api-keys\n"])
def test_such_maps_are_read_in_linear_time(unit: str) -> None:
    assert_redacted_in_linear_time(unit, "(def api-keys {" + repeated(unit))
    assert_redacted_in_linear_time(unit, "declare -A API_KEYS=(" + repeated(unit))
    assert_redacted_in_linear_time(unit, "api_keys <- list(\n" + repeated(unit))
