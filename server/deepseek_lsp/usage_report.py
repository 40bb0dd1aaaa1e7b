"""What was spent, as the terminal's ``deepseek-lsp usage`` prints it and the editors show it:
apart from the language server's feature, so that the command loads the ledger alone (not
lsprotocol, httpx nor the model client: ~0.8 s of CPU it spent importing them to print a table)."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from .config import build_settings
from .console import counted
from .endpoint_settings import make_ledger
from .model.ledger import Ledger

log = logging.getLogger(__name__)


def format_usd(amount: float) -> str:
    """4 decimals, as the editors show it; a spend too small for them is not "$0.0000"."""
    if 0 < amount < 0.0001:
        return "<$0.0001"
    return f"${amount:.4f}"


def format_cost(totals: dict[str, Any]) -> str:
    """A scope's or model's cost (``Totals.as_dict``): requests of unknown cost are said, not
    passed off as $0 (a LiteLLM stream that told none read as a free request), and a figure
    estimated in part at list prices reads ``~$…``, not as the gateway's bill."""
    cost, unknown = totals.get("cost_usd", 0), totals.get("unknown_cost", 0)
    figure = f"~{format_usd(cost)}" if totals.get("estimated_usd") else format_usd(cost)
    if not unknown:
        return figure
    return f"{figure} + unknown" if cost else "cost unknown"


def approx(totals: dict[str, Any]) -> str:
    """"~" before the token figures of totals (``Totals.as_dict``) that count requests closed
    before their usage came (``estimated``): counted here, not reported by the provider, and
    read as DeepSeek's own count ("prompt hit 0 miss 77") where nothing said so."""
    return "~" if totals.get("estimated") else ""


def of_them_estimated(totals: dict[str, Any]) -> str:
    """After totals' request count, how many of them have estimated figures: " (3 estimated)"."""
    estimated = totals.get("estimated", 0)
    return f" ({estimated:,} estimated)" if estimated else ""


def cached(totals: dict[str, Any]) -> str:
    """The share of the prompts the provider's cache held (``Totals.as_dict``), after a scope's
    figures; nothing without a hit (a server that tells none, vLLM's, read "0 %" as a cache
    that failed)."""
    share = totals.get("cache_hit_share")
    return f", {approx(totals)}{round(share * 100)} % of the prompt from the provider's cache" if share else ""


def by_feature(features: dict[str, Any]) -> str:
    """What each feature's requests cost (a scope's ``features``): completions, their
    prefetches and reviews told apart."""
    return ", ".join(
        f"{name} {format_cost(t)} ({counted(t.get('requests', 0), 'request')})" for name, t in features.items()
    )


_TO_KNOW = (
    "For a LiteLLM proxy set litellm_settings: {include_cost_in_streaming_usage: true}, or give the"
    " model a price in the 'prices' setting"
)
#: What to do about requests of unknown cost, after the models' names.
UNKNOWN_COST_HINT = (
    "billed by a gateway that did not say what, for a model without a DeepSeek list price; not in"
    f" the totals nor the daily budget. {_TO_KNOW}"
)
#: What the token figures marked "~" are (the totals' ``estimated`` requests), after "~".
ESTIMATED_TOKENS_HINT = (
    "token figures that count requests closed before their usage came (a suggestion typed past,"
    " a review's file saved again, a time limit): the provider bills them by its own count, which"
    " it never sent; the server counted them, as cache hits the part of their prompt that prompts"
    " sent before shared"
)
#: What the estimated costs are and what to do about them, after the models' names.
ESTIMATED_COST_HINT = (
    "billed by a gateway that did not say what; estimated at DeepSeek's list price of the model for"
    f" their tokens, in the totals and the daily budget (~). {_TO_KNOW}"
)


def usage_summary(ledger: Ledger) -> dict[str, Any]:
    """The ledger's summary, with ``unknown_cost_hint`` (``estimated_cost_hint``) when
    requests are of unknown (estimated) cost, ``estimated_tokens_hint`` when some of its
    totals count requests whose figures are estimated: the editors show it as it is, so that
    one text says what to do."""
    out = ledger.summary()
    if any(out[scope]["total"].get("estimated") for scope in ("session", "today", "month")):
        out["estimated_tokens_hint"] = ESTIMATED_TOKENS_HINT
    if out["unknown_cost_models"]:
        out["unknown_cost_hint"] = UNKNOWN_COST_HINT
    if out["estimated_cost_models"]:
        out["estimated_cost_hint"] = ESTIMATED_COST_HINT
    return out


def print_usage(as_json: bool = False) -> int:
    settings, problems = build_settings()
    ledger = make_ledger(settings, read_only=True)
    summary = usage_summary(ledger)
    ledger.close()
    log.debug("usage read from %s", summary["path"] or "no ledger")
    # Totals read from no file are no totals: "$0" must not pass for "nothing spent".
    unread = summary["path"] is None
    # A budget variable refused is told: silently, the budget line was just missing.
    for problem in [*problems, *summary["problems"]]:
        print(f"deepseek-lsp usage: {problem}", file=sys.stderr)
    if as_json:
        json.dump(_dollars_rounded({k: v for k, v in summary.items() if k != "session"}), sys.stdout, indent=2)
        print()
        return 1 if unread else 0
    # The day is UTC's, as the budget's and the editors' ("Today (2026-06-02, UTC)"): west of
    # Greenwich, in the evening, "today" was tomorrow's date with no word why.
    today = f"{summary['today']['day']}, UTC"
    for scope, label in (("today", today), ("month", summary["month"]["month"])):
        data = summary[scope]
        total = data["total"]
        print(f"{scope} ({label}): {format_cost(total)}, {counted(total.get('requests', 0), 'request')}{of_them_estimated(total)}{cached(total)}")
        for model, t in data["models"].items():
            # Thousands grouped, as the editors show them: a month's 1234567 was read digit by digit.
            mark = approx(t)
            print(
                f"  {model:<24} {format_cost(t)}  requests {t.get('requests', 0):,}{of_them_estimated(t)}"
                f"  prompt hit {mark}{t.get('cache_hit_tokens', 0):,} miss {mark}{t.get('cache_miss_tokens', 0):,}"
                f"  output {mark}{t.get('output_tokens', 0):,}"
            )
        if features := data.get("features"):
            print(f"  by feature: {by_feature(features)}")
    # Unread, nothing spent would be claimed and the whole budget called remaining.
    if (budget := summary["budget"]) and not unread:
        under_way = budget["under_way_usd"]
        more = f", up to {format_usd(under_way)} more in requests under way" if under_way > 0 else ""
        spent = format_usd(budget["spent_today_usd"])
        if budget.get("estimated_usd"):
            spent = f"~{spent} ({format_usd(budget['estimated_usd'])} of it estimated)"
        print(
            f"daily budget: {format_usd(budget['daily_usd'])}, spent {spent}{more},"
            f" remaining {format_usd(budget['remaining_usd'])}"
        )
    if summary["unpriced_models"]:
        print(f"models without a price (counted as $0): {', '.join(summary['unpriced_models'])}")
    if estimated := summary.get("estimated_cost_models"):
        print(f"cost estimated for requests to {', '.join(estimated)}: {summary['estimated_cost_hint']}")
    if unknown := summary.get("unknown_cost_models"):
        print(f"cost unknown for requests to {', '.join(unknown)}: {summary['unknown_cost_hint']}")
    if hint := summary.get("estimated_tokens_hint"):
        print(f"estimated (~): {hint}")
    print(f"ledger: {summary['path'] or 'none could be read (see above)'}")
    return 1 if unread else 0


#: Decimals of a dollar figure ``usage --json`` prints: a millionth of a millionth, below any
#: token's price, above the float sums' noise (three requests' 2.385e-05 each: 7.154999999999999e-05).
USD_DECIMALS = 12


def _dollars_rounded(value: Any, key: str = "") -> Any:
    """``value`` with each ``*_usd`` figure in it rounded to :data:`USD_DECIMALS`."""
    if isinstance(value, dict):
        return {k: _dollars_rounded(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dollars_rounded(v, key) for v in value]
    if isinstance(value, float) and key.endswith("_usd"):
        return round(value, USD_DECIMALS)
    return value
