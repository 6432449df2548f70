"""Locale formatting: every formatter in all five languages, against golden files.

Regenerate the goldens after a deliberate change with:
    .venv/bin/python -m pytest tests/test_formatting.py --update-goldens
and review the diff (git diff tests/golden/formatting/).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from charterpress import formatting
from charterpress.languages import LANGUAGES
from charterpress.values import (
    Duration,
    Money,
    TimeOfDay,
    TimeRange,
    TimeUnit,
    parse_duration,
    parse_money,
    parse_time_range,
)

GOLDEN = Path(__file__).parent / "golden" / "formatting"
LOCALES = [lang.gettext for lang in LANGUAGES]

AMOUNTS = ("1", "2", "3", "5", "21", "1.5", "36")
PERCENTS: tuple[float, ...] = (95, 99.5, 0, 100, 12.25, 85)
MONEY = ("10 EUR", "1234.5 EUR", "250 CZK", "49.99 RON", "0 GBP")
DATES = (dt.date(2026, 3, 5), dt.date(2026, 12, 25))
TIMES = (TimeOfDay(9, 0), TimeOfDay(17, 30), TimeOfDay(0, 0), TimeOfDay(24, 0))
RANGES = ("09:00-18:00", "00:00-24:00", "08:30-12:45")
NUMBERS: tuple[int | float, ...] = (0, 7, 1234.5, 1000000, 0.25)


def formatted(locale: str) -> str:
    """Return every formatter's output for LOCALE, one 'call = result' per line."""
    lines = [f"# Charterpress formatting in {locale}"]
    for unit in TimeUnit:
        for amount in AMOUNTS:
            d = Duration(Decimal(amount), unit)
            lines.append(f"format_duration({d}) = {formatting.format_duration(d, locale)}")
            lines.append(f"format_within({d}) = {formatting.format_within(d, locale)}")
    for value in PERCENTS:
        lines.append(f"format_percent({value}) = {formatting.format_percent(value, locale)}")
    for text in MONEY:
        m = parse_money(text)
        lines.append(f"format_money({text}) = {formatting.format_money(m, locale)}")
    for day in DATES:
        lines.append(f"format_date({day}) = {formatting.format_date(day, locale)}")
    for t in TIMES:
        lines.append(f"format_time({t}) = {formatting.format_time(t, locale)}")
    for text in RANGES:
        r = parse_time_range(text)
        lines.append(f"format_time_range({text}) = {formatting.format_time_range(r, locale)}")
    for index in range(7):
        lines.append(f"weekday_name({index}) = {formatting.weekday_name(index, locale)}")
    for number in NUMBERS:
        lines.append(f"format_number({number}) = {formatting.format_number(number, locale)}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("locale", LOCALES)
def test_formatting_golden(locale: str, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / f"{locale}.txt"
    text = formatted(locale)
    if request.config.getoption("--update-goldens", default=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run pytest with --update-goldens"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_cldr_unit_key_leaks(locale: str) -> None:
    # Babel 2.18's format_unit prints "duration-day" for pt and ca; Charterpress never uses it.
    assert "duration-" not in formatted(locale)


@pytest.mark.parametrize(
    ("locale", "amount", "expected"),
    [
        ("cs", "1", "do 1 pracovního dne"),
        ("cs", "2", "do 2 pracovních dnů"),
        ("cs", "5", "do 5 pracovních dnů"),
        ("ro", "1", "în termen de 1 zi lucrătoare"),
        ("ro", "2", "în termen de 2 zile lucrătoare"),
        ("ro", "20", "în termen de 20 de zile lucrătoare"),
        ("pt_PT", "1", "no prazo de 1 dia útil"),
        ("pt_PT", "2", "no prazo de 2 dias úteis"),
        ("ca", "2", "en un termini de 2 dies feiners"),
        ("en", "1", "within 1 working day"),
        ("en", "1.5", "within 1.5 working days"),
    ],
)
def test_within_uses_each_languages_plural_forms(locale: str, amount: str, expected: str) -> None:
    assert formatting.format_within(Duration(Decimal(amount), TimeUnit.WORKING_DAYS), locale) == (
        expected
    )


def test_durations_are_never_rounded() -> None:
    # babel.dates.format_timedelta would say "2 days".
    assert formatting.format_duration(parse_duration("36 hours"), "en") == "36 hours"
    assert formatting.format_duration(parse_duration("90 minutes"), "cs") == "90 minut"


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (95, "en", "95%"),
        (95, "cs", "95\xa0%"),
        (99.5, "en", "99.5%"),
        (99.5, "ca", "99,5\xa0%"),
        (99.5, "pt_PT", "99,5%"),
        (12.25, "ro", "12,25\xa0%"),
    ],
)
def test_percent_keeps_decimals_as_written(value: float, locale: str, expected: str) -> None:
    assert formatting.format_percent(value, locale) == expected


def test_time_is_24_hour_and_end_of_day_is_24_00() -> None:
    assert formatting.format_time(TimeOfDay(17, 30), "en") == "17:30"
    assert formatting.format_time(TimeOfDay(24, 0), "cs") == "24:00"
    end = TimeRange(TimeOfDay(0, 0), TimeOfDay(24, 0))
    assert formatting.format_time_range(end, "pt_PT") == "00:00–24:00"


def test_weekday_names_are_capitalised_for_table_cells() -> None:
    assert [formatting.weekday_name(0, loc) for loc in LOCALES] == [
        "Segunda-feira",
        "Dilluns",
        "Pondělí",
        "Luni",
        "Monday",
    ]


def test_money_follows_the_locale() -> None:
    assert formatting.format_money(Money(Decimal("10"), "EUR"), "pt_PT") == "10,00\xa0€"
    assert formatting.format_money(Money(Decimal("10"), "EUR"), "en") == "€10.00"
