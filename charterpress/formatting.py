"""Locale formatting of every number, percentage, amount, date, time, weekday, duration and address.

``locale`` is always a gettext/Babel code from ``languages.py`` (pt_PT, ca, cs, ro, en). Babel
supplies the number, date and currency conventions; durations are full-phrase plural messages of
the template ("ui") domain, so translators own them and each language gets its own plural forms.
``format_timedelta`` is never used: it rounds 36 hours to "2 days".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from babel.dates import format_date as _babel_format_date
from babel.dates import get_day_names, get_time_format
from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as _babel_format_percent

from .values import Duration, Money, TimeOfDay, TimeRange, TimeUnit, country_names

if TYPE_CHECKING:
    from .model import Address


def N_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message for extraction (keyword ``N_:1,2``); translate it later."""
    return (singular, plural)


class _Phrases(NamedTuple):
    amount: tuple[str, str]
    within: tuple[str, str]


# The duration phrases, full sentences so each language can inflect the noun after "within"
# (Czech "do 2 pracovních dnů" is a genitive; Romanian adds "de" from 20 on).
DURATION_PHRASES: Mapping[TimeUnit, _Phrases] = {
    TimeUnit.SECONDS: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} second", "{n} seconds"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} second", "within {n} seconds"),
    ),
    TimeUnit.MINUTES: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} minute", "{n} minutes"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} minute", "within {n} minutes"),
    ),
    TimeUnit.HOURS: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} hour", "{n} hours"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} hour", "within {n} hours"),
    ),
    TimeUnit.OPENING_HOURS: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} opening hour", "{n} opening hours"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} opening hour", "within {n} opening hours"),
    ),
    TimeUnit.CALENDAR_DAYS: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} calendar day", "{n} calendar days"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} calendar day", "within {n} calendar days"),
    ),
    TimeUnit.WORKING_DAYS: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} working day", "{n} working days"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} working day", "within {n} working days"),
    ),
    TimeUnit.WEEKS: _Phrases(
        # Translators: an amount of time; {n} is a formatted number.
        N_("{n} week", "{n} weeks"),
        # Translators: a deadline, "before {n} ... have passed"; {n} is a formatted number.
        N_("within {n} week", "within {n} weeks"),
    ),
}

# gettext plural formulas take whole numbers. A fractional amount ("1.5 hours") takes the form
# of 2, which is the right one for the nouns these phrases use: English and Portuguese plural,
# Czech "1,5 hodiny", Romanian "1,5 ore".
_FRACTION_PLURAL_N = 2


def _plural_n(amount: Decimal) -> int:
    if amount == amount.to_integral_value():
        return int(amount)
    return _FRACTION_PLURAL_N


def _phrase(message: tuple[str, str], amount: Decimal, locale: str) -> str:
    from .i18n import ui_translations

    template = ui_translations(locale).ngettext(message[0], message[1], _plural_n(amount))
    return template.format(n=format_number(amount, locale))


def format_number(value: int | float | Decimal, locale: str) -> str:
    """Format a number with the locale's separators, keeping the decimals as written."""
    return format_decimal(_decimal(value), locale=locale, decimal_quantization=False)


def _decimal(value: int | float | Decimal) -> Decimal:
    # str() first, so 99.5 stays 99.5 rather than 99.5000000000000071...
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.normalize() if number == number.to_integral_value() else number


def format_duration(d: Duration, locale: str) -> str:
    """Return '2 working days' in LOCALE."""
    return _phrase(DURATION_PHRASES[d.unit].amount, d.amount, locale)


def format_within(d: Duration, locale: str) -> str:
    """Return 'within 2 working days' in LOCALE."""
    return _phrase(DURATION_PHRASES[d.unit].within, d.amount, locale)


def format_percent(value: float | int | Decimal, locale: str) -> str:
    """Format a percentage written 0..100 (95 → '95%' or '95 %'), keeping its decimals."""
    fraction = _decimal(value) / 100
    return _babel_format_percent(fraction, locale=locale, decimal_quantization=False)


def format_money(m: Money, locale: str) -> str:
    """Format an amount of money with the locale's currency conventions ('10,00 €')."""
    return format_currency(m.amount, m.currency, locale=locale)


def format_date(d: dt.date, locale: str) -> str:
    """Format a date in the locale's long form ('5 de março de 2026')."""
    return _babel_format_date(d, format="long", locale=locale)


def _time_pattern(locale: str) -> str:
    # Charters state opening hours on a 24-hour clock in every language; English's own short
    # pattern is 12-hour ("9:00 AM"), so the locale's pattern is used only when it is 24-hour.
    pattern = str(get_time_format("short", locale=locale).pattern)
    if "h" in pattern or "K" in pattern or "a" in pattern:
        return "HH:mm"
    return pattern


def format_time(t: TimeOfDay, locale: str) -> str:
    """Format a time of day on a 24-hour clock ('09:00' or '9:00'); 24:00 stays 24:00."""
    pattern = _time_pattern(locale)
    padded = "HH" in pattern
    hour = f"{t.hour:02d}" if padded else str(t.hour)
    # Babel cannot format 24:00, so hours and minutes are put in the locale's pattern directly.
    return (
        pattern.replace("HH", "\0")
        .replace("H", "\0")
        .replace("mm", f"{t.minute:02d}")
        .replace("\0", hour)
    )


def format_time_range(r: TimeRange, locale: str) -> str:
    """Format an opening interval ('09:00–18:00'), with CLDR's en dash between the times."""
    return f"{format_time(r.opens, locale)}–{format_time(r.closes, locale)}"


def weekday_name(index: int, locale: str) -> str:
    """Return the name of weekday INDEX (0 = Monday), capitalised for the start of a cell.

    pt, ca, cs and ro write weekday names in lowercase inside a sentence; tables show them
    alone at the start of a cell, where every one of these languages capitalises the first
    letter ("Segunda-feira", "Dilluns", "Pondělí", "Luni", "Monday").
    """
    name = str(get_day_names("wide", context="stand-alone", locale=locale)[index])
    return name[:1].upper() + name[1:]


# ---------------------------------------------------------------------------------------------
# Postal addresses
#
# CLDR (and so Babel) names countries but has no address formats. Most countries, PT, ES, CZ and
# RO among them, write the postal code before the locality on one line ('1000-002 Lisboa') and
# any region on a line of its own; the few that write the locality first are listed here, after
# the Universal Postal Union's guidance as Google's libaddressinput data records it.
_LOCALITY_FIRST: Mapping[str, tuple[str, ...]] = {
    "GB": ("{city}", "{postal_code}"),
    "IE": ("{city}", "{postal_code}"),
    "US": ("{city}, {region} {postal_code}",),
    "CA": ("{city} {region} {postal_code}",),
    "AU": ("{city} {region} {postal_code}",),
}


def country_name(code: str, locale: str) -> str:
    """Return a country's name in LOCALE ('Espanha' for ES in pt_PT), from Babel's territories."""
    return country_names(locale).get(code, code)


def format_address(address: Address, locale: str) -> list[str]:
    """Return an address as lines in its country's order, the country named in LOCALE."""
    lines = [str(p) for p in (address.recipient, address.street, address.street_2) if p]
    parts = {
        "city": str(address.city),
        "postal_code": str(address.postal_code),
        "region": str(address.region or ""),
    }
    pattern = _LOCALITY_FIRST.get(address.country)
    if pattern is None:
        lines.append("{postal_code} {city}".format_map(parts))
        if address.region:
            lines.append(str(address.region))
    else:
        lines += [" ".join(line.format_map(parts).replace(" ,", ",").split()) for line in pattern]
    lines.append(country_name(address.country, locale))
    return [line.strip(" ,") for line in lines if line.strip(" ,")]
