"""Price table: peak windows, costs, configuration with fallbacks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from deepseek_lsp.model.prices import DEFAULT_PRICES, PriceTable, Rates

UTC = timezone.utc
# 2026-06-01 is a Monday.
MON = datetime(2026, 6, 1, tzinfo=UTC)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return MON + timedelta(days=day_offset, hours=hour, minutes=minute)


@pytest.mark.parametrize(
    ("when", "peak"),
    [
        (at(0, 0, 59), False),
        (at(0, 1, 0), True),
        (at(0, 3, 59), True),
        (at(0, 4, 0), False),
        (at(0, 5, 30), False),
        (at(0, 6, 0), True),
        (at(4, 9, 59), True),  # Friday
        (at(0, 10, 0), False),
        (at(0, 12, 0), False),
        (at(5, 2, 0), False),  # Saturday
        (at(6, 7, 0), False),  # Sunday
    ],
)
def test_peak_windows(when: datetime, peak: bool) -> None:
    assert PriceTable().is_peak(when) is peak


def test_peak_window_in_other_timezone_is_converted() -> None:
    cest = timezone(timedelta(hours=2))
    # 04:30 in UTC+2 is 02:30 UTC, Monday: peak.
    assert PriceTable().is_peak(datetime(2026, 6, 1, 4, 30, tzinfo=cest))


def test_default_costs() -> None:
    table = PriceTable()
    off, peak = at(0, 12), at(0, 2)
    m = 1_000_000
    assert table.cost("deepseek-flash", m, 0, 0, off) == pytest.approx(0.003)
    assert table.cost("deepseek-flash", 0, m, 0, off) == pytest.approx(0.15)
    assert table.cost("deepseek-flash", 0, 0, m, off) == pytest.approx(0.60)
    assert table.cost("deepseek-flash", m, m, m, peak) == pytest.approx(0.006 + 0.30 + 1.20)
    assert table.cost("deepseek-v4-flash", 0, m, 0, peak) == pytest.approx(0.30)
    assert table.cost("deepseek-v4-pro", m, m, m, off) == pytest.approx(0.022 + 0.66 + 1.98)
    assert table.cost("DeepSeek-V4-Pro", m, m, m, peak) == pytest.approx(0.044 + 1.32 + 3.96)
    assert table.cost("deepseek-v4-pro", 1000, 2000, 300, off) == pytest.approx(
        (1000 * 0.022 + 2000 * 0.66 + 300 * 1.98) / 1e6
    )


def test_unknown_model_costs_zero_and_is_flagged() -> None:
    table = PriceTable()
    assert table.cost("qwen2.5-coder:7b", 10, 10, 10, at(0, 2)) == 0.0
    assert not table.known("qwen2.5-coder:7b")
    assert table.known("deepseek-flash")


def test_from_config_valid() -> None:
    table = PriceTable.from_config(
        {
            "models": {
                "deepseek-flash": {
                    "off_peak": {"cache_hit": 0.0028, "cache_miss": 0.14, "output": 0.28},
                    "peak": [0.0056, 0.28, 0.56],
                },
                "my-model": {"off_peak": {"hit": 1, "miss": 2, "output": 3}},
                "my-alias": "deepseek-v4-pro",
            },
            "peak_windows": [{"start": "22:00", "end": "02:00", "days": "sat-sun"}],
        }
    )
    assert table.messages == []
    assert table.lookup("deepseek-flash").off_peak == Rates(0.0028, 0.14, 0.28)  # type: ignore[union-attr]
    # Flat price: no peak given.
    assert table.cost("my-model", 0, 1_000_000, 0, at(5, 23)) == pytest.approx(2)
    assert table.lookup("my-alias") == DEFAULT_PRICES["deepseek-v4-pro"]
    # Custom window across midnight, weekends only.
    assert table.is_peak(at(5, 23)) and table.is_peak(at(6, 1, 30))
    assert not table.is_peak(at(0, 2))


def test_from_config_falls_back_per_entry_with_messages() -> None:
    table = PriceTable.from_config(
        {
            "models": {
                "deepseek-flash": {"off_peak": {"cache_hit": "cheap"}},
                "deepseek-v4-pro": {"off_peak": [1, 2]},
                "ghost": {"peak": [1, 2, 3]},
                "alias": "nowhere",
                "fine": [0.1, 0.2, -1],
            },
            "peak_windows": [{"start": "25:00", "end": "02:00"}],
        }
    )
    assert table.lookup("deepseek-flash") == DEFAULT_PRICES["deepseek-flash"]
    assert table.lookup("deepseek-v4-pro") == DEFAULT_PRICES["deepseek-v4-pro"]
    assert not table.known("ghost") and not table.known("fine") and not table.known("alias")
    assert len(table.messages) == 6
    joined = "\n".join(table.messages)
    assert "deepseek-flash" in joined and "default price" in joined
    assert "ghost" in joined and "$0" in joined
    assert "peak_windows" in joined
    assert table.peak_windows == PriceTable().peak_windows


def test_from_config_garbage() -> None:
    assert PriceTable.from_config(None).messages == []
    assert PriceTable.from_config(["x"]).messages  # type: ignore[arg-type]
    assert PriceTable.from_config({"models": 3}).messages


def test_from_config_takes_camel_case_like_every_other_setting() -> None:
    """The settings' keys may be camelCase (VS Code's style); in prices only snake_case was read,
    so ``offPeak`` was "missing" and the model cost its default or $0."""
    camel = PriceTable.from_config(
        {
            "models": {
                "My-Model": {"offPeak": {"cacheHit": 1, "cacheMiss": 2, "output": 3}, "peak": [2, 4, 6]},
            },
            "peakWindows": [{"start": "22:00", "end": "02:00", "days": "sat-sun"}],
        }
    )
    assert camel.messages == []
    assert camel.lookup("my-model").off_peak == Rates(1, 2, 3)  # type: ignore[union-attr]
    assert camel.lookup("my-model").peak == Rates(2, 4, 6)  # type: ignore[union-attr]
    assert camel.is_peak(at(5, 23)) and not camel.is_peak(at(0, 2))


@pytest.mark.parametrize(
    "models",
    [
        {"b": "deepseek-v4-pro", "my-pro": "b"},
        {"my-pro": "b", "b": "deepseek-v4-pro"},  # was "alias of unknown model 'b'" and $0
        {"my-pro": "c", "c": "b", "b": "mine", "mine": [1, 2, 3]},
    ],
)
def test_an_alias_of_an_alias_works_in_any_order(models: dict[str, object]) -> None:
    table = PriceTable.from_config({"models": models})
    assert table.messages == []
    assert table.lookup("my-pro") == table.lookup(models["b"])  # type: ignore[arg-type]
    assert table.known("my-pro") and table.cost("my-pro", 0, 1_000_000, 0, at(0, 12)) > 0


def test_aliases_in_a_circle_are_told_and_ignored() -> None:
    table = PriceTable.from_config({"models": {"a": "b", "b": "a", "c": "c", "d": "a"}})
    assert not any(table.known(m) for m in "abcd")
    assert len(table.messages) == 4 and all("circle" in m for m in table.messages)


@pytest.mark.parametrize("days", ["mon,wed,fri", "Mon, Wed, Fri", ["mon,wed", "fri"]])
def test_days_written_in_one_string_are_each_taken(days: object) -> None:
    """'mon,wed,fri' was read as Monday alone (the first three letters), with no message: the
    peak price of Wednesday and Friday was billed at the off-peak rate."""
    table = PriceTable.from_config({"peak_windows": [{"start": "01:00", "end": "04:00", "days": days}]})
    assert table.messages == []
    assert [table.is_peak(at(d, 2)) for d in range(7)] == [True, False, True, False, True, False, False]


def test_a_day_range_with_a_typographic_dash_or_spaces_is_the_whole_range() -> None:
    """'Mon–Fri' (an en dash, as pasted from a price page) was Monday alone, silently."""
    for days in ("Mon–Fri", "mon - fri", "Monday-Friday"):
        table = PriceTable.from_config({"peak_windows": [{"start": "01:00", "end": "04:00", "days": days}]})
        assert table.messages == [], days
        assert [table.is_peak(at(d, 2)) for d in range(7)] == [True] * 5 + [False] * 2, days


@pytest.mark.parametrize("days", ["mon/fri", "monkey"])
def test_a_day_that_cannot_be_read_is_told_not_taken_as_monday(days: str) -> None:
    table = PriceTable.from_config({"peak_windows": [{"start": "01:00", "end": "04:00", "days": days}]})
    assert any("unknown day" in m for m in table.messages), table.messages
    assert table.peak_windows == PriceTable().peak_windows  # the default hours, as the message says


def test_a_bad_price_for_a_deepseek_model_on_a_self_hosted_endpoint_uses_the_default_as_told() -> None:
    """Without DeepSeek's defaults (a proxy on localhost), a mistyped price for deepseek-v4-pro
    was told as 'using the default price' while the model cost $0: the daily budget never
    counted it."""
    table = PriceTable.from_config({"deepseek-v4-pro": {"offPeak": [1, 2]}}, defaults=False)
    assert "using the default price" in "\n".join(table.messages)
    assert table.lookup("deepseek-v4-pro") == DEFAULT_PRICES["deepseek-v4-pro"]
    assert table.cost("deepseek-v4-pro", 0, 1_000_000, 0, at(0, 12)) == pytest.approx(0.66)
