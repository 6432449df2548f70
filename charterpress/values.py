"""Value types of the charter format: ids, texts, durations, times, percentages, money, calendars.

Each type validates itself and fails with a pydantic custom error whose type names a diagnostic
code (see ``validate.CUSTOM_ERROR_CODES``), and whose context may carry a ``hint``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from . import languages


def _fail(kind: str, message: str, hint: str = "", **ctx: Any) -> PydanticCustomError:
    """Return an error for the diagnostics: KIND is one of range, format, inconsistent, ..."""
    return PydanticCustomError(f"cp_{kind}", message, {"hint": hint, **ctx})


# ---------------------------------------------------------------------------------------------
# Markers read from the model's metadata by the translation extractor and the public build.


@dataclass(frozen=True)
class Translatable:
    """Marks a text field whose value is translated through the content catalogs."""


@dataclass(frozen=True)
class InternalOnly:
    """Marks a field meant for staff only: it never appears in public output."""


# ---------------------------------------------------------------------------------------------
# Ids and text

ID_PATTERN = r"^[a-z][a-z0-9_-]{0,63}$"
_ID_RE = re.compile(ID_PATTERN)


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and not _ID_RE.match(value):
        raise _fail(
            "format",
            "'{value}' is not a valid id",
            "an id starts with a lowercase "
            "letter and holds only lowercase letters, digits, '_' and '-' (at most 64)",
            value=value[:80],
        )
    return value


Id = Annotated[
    str, BeforeValidator(_check_id), WithJsonSchema({"type": "string", "pattern": ID_PATTERN})
]


# What YAML refuses as it stands in a file (C0 controls but tab and line breaks, DEL, C1 but
# NEL); an escape such as "\x01" in a quoted string can still write one, and no page can show it.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


def _check_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise _fail(
            "format", "the text is empty", "write the text, or remove the field if it is optional"
        )
    control = CONTROL_CHARACTER.search(value) if isinstance(value, str) else None
    if control is not None:
        raise _fail(
            "format",
            "the text holds the control character U+{code}, which no page can show",
            "remove it (in a quoted string, an escape such as \\x01 or \\0 writes one)",
            code=f"{ord(control.group()):04X}",
        )
    return value.strip() if isinstance(value, str) else value


Text = Annotated[
    str,
    BeforeValidator(_check_text),
    Translatable(),
    WithJsonSchema({"type": "string", "minLength": 1, "x-translatable": True}),
]
PlainText = Annotated[
    str, BeforeValidator(_check_text), WithJsonSchema({"type": "string", "minLength": 1})
]


# ---------------------------------------------------------------------------------------------
# Durations


class TimeUnit(StrEnum):
    """A kind of time in which a timeframe is counted."""

    SECONDS = "seconds"
    MINUTES = "minutes"
    HOURS = "hours"
    OPENING_HOURS = "opening_hours"  # hours counted only while the channel is open
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"  # Monday to Friday, less the calendar's public holidays
    WEEKS = "weeks"


_UNIT_SYNONYMS: dict[str, TimeUnit] = {
    "second": TimeUnit.SECONDS,
    "seconds": TimeUnit.SECONDS,
    "s": TimeUnit.SECONDS,
    "minute": TimeUnit.MINUTES,
    "minutes": TimeUnit.MINUTES,
    "min": TimeUnit.MINUTES,
    "hour": TimeUnit.HOURS,
    "hours": TimeUnit.HOURS,
    "h": TimeUnit.HOURS,
    "opening hour": TimeUnit.OPENING_HOURS,
    "opening hours": TimeUnit.OPENING_HOURS,
    "opening_hour": TimeUnit.OPENING_HOURS,
    "opening_hours": TimeUnit.OPENING_HOURS,
    "day": TimeUnit.CALENDAR_DAYS,
    "days": TimeUnit.CALENDAR_DAYS,
    "calendar day": TimeUnit.CALENDAR_DAYS,
    "calendar days": TimeUnit.CALENDAR_DAYS,
    "calendar_day": TimeUnit.CALENDAR_DAYS,
    "calendar_days": TimeUnit.CALENDAR_DAYS,
    "working day": TimeUnit.WORKING_DAYS,
    "working days": TimeUnit.WORKING_DAYS,
    "working_day": TimeUnit.WORKING_DAYS,
    "working_days": TimeUnit.WORKING_DAYS,
    "week": TimeUnit.WEEKS,
    "weeks": TimeUnit.WEEKS,
}

_DURATION_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+([a-z_ ]+?)\s*$")


@dataclass(frozen=True, order=True)
class Duration:
    """An amount of one kind of time: '2 working_days', '60 seconds', '8 opening_hours'."""

    amount: Decimal
    unit: TimeUnit

    def __str__(self) -> str:
        return f"{self.amount.normalize():f} {self.unit.value}"

    @property
    def is_calendar_time(self) -> bool:
        """Return whether the duration runs on the clock, whatever the calendar says."""
        return self.unit in (
            TimeUnit.SECONDS,
            TimeUnit.MINUTES,
            TimeUnit.HOURS,
            TimeUnit.CALENDAR_DAYS,
            TimeUnit.WEEKS,
        )


_DURATION_HINT = (
    "write a duration as '<number> <unit>', e.g. '2 working_days'; units: "
    + ", ".join(u.value for u in TimeUnit)
)


def _parse_amount(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise _fail("format", "the amount of a duration must be a number", _DURATION_HINT)
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise _fail(
            "format", "'{value}' is not a number", _DURATION_HINT, value=str(raw)[:80]
        ) from None
    if not amount.is_finite():
        raise _fail("range", "a duration must be a finite number", _DURATION_HINT)
    if amount <= 0:
        raise _fail(
            "range",
            "a duration must be more than zero, not {value}",
            "a timeframe counts forward from the request: write a positive number",
            value=str(raw),
        )
    return amount


def _parse_unit(raw: Any) -> TimeUnit:
    unit = _UNIT_SYNONYMS.get(str(raw).strip().lower()) if isinstance(raw, str) else None
    if unit is None:
        raise _fail(
            "format", "'{value}' is not a unit of time", _DURATION_HINT, value=str(raw)[:80]
        )
    return unit


# Days per unit, at the least: a timeframe longer than ten years is a typo, and counting it on a
# calendar would run past the end of the holidays package's years.
_DAYS_PER_UNIT: dict[TimeUnit, Decimal] = {
    TimeUnit.SECONDS: Decimal(1) / 86400,
    TimeUnit.MINUTES: Decimal(1) / 1440,
    TimeUnit.HOURS: Decimal(1) / 24,
    TimeUnit.OPENING_HOURS: Decimal(1) / 24,
    TimeUnit.CALENDAR_DAYS: Decimal(1),
    TimeUnit.WORKING_DAYS: Decimal(1),
    TimeUnit.WEEKS: Decimal(7),
}
_MAX_DAYS = 3660


def _bounded(duration: Duration) -> Duration:
    if duration.amount * _DAYS_PER_UNIT[duration.unit] > _MAX_DAYS:
        raise _fail(
            "range",
            "'{value}' is longer than ten years",
            "check the number and the unit: a timeframe of a charter is minutes, hours or days",
            value=str(duration),
        )
    return duration


def parse_duration(value: Any) -> Duration:
    """Read a duration from '2 working_days' or {amount: 2, unit: working_days}."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if not match:
            raise _fail("format", "'{value}' is not a duration", _DURATION_HINT, value=value[:80])
        return _bounded(Duration(_parse_amount(match.group(1)), _parse_unit(match.group(2))))
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"amount", "unit"})
        if unknown or "amount" not in value or "unit" not in value:
            raise _fail(
                "format", "a duration mapping holds exactly 'amount' and 'unit'", _DURATION_HINT
            )
        return _bounded(Duration(_parse_amount(value["amount"]), _parse_unit(value["unit"])))
    raise PydanticCustomError(
        "cp_type", "expected a duration such as '2 working_days'", {"hint": _DURATION_HINT}
    )


_DURATION_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s+[a-z_ ]+$",
            "examples": ["2 working_days", "60 seconds", "8 opening_hours"],
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["amount", "unit"],
            "properties": {
                "amount": {"type": "number", "exclusiveMinimum": 0},
                "unit": {"enum": [u.value for u in TimeUnit]},
            },
        },
    ]
}

DurationField = Annotated[
    Duration,
    BeforeValidator(parse_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(_DURATION_SCHEMA),
]


# ---------------------------------------------------------------------------------------------
# Times of day and opening hours

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, order=True)
class TimeOfDay:
    """A wall-clock time from 00:00 to 24:00 (24:00 is the end of a day)."""

    hour: int
    minute: int

    @property
    def minutes(self) -> int:
        """Return minutes since midnight."""
        return self.hour * 60 + self.minute

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def as_time(self) -> dt.time:
        """Return a datetime.time (24:00 becomes 23:59:59.999999)."""
        if self.hour == 24:
            return dt.time.max
        return dt.time(self.hour, self.minute)


def parse_time_of_day(value: Any) -> TimeOfDay:
    """Read 'HH:MM'."""
    if isinstance(value, TimeOfDay):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError(
            "cp_type",
            "expected a time of day such as '09:00'",
            {"hint": "write the time in quotes as 'HH:MM'"},
        )
    match = _TIME_RE.match(value.strip())
    if not match:
        raise _fail(
            "format",
            "'{value}' is not a time of day",
            "write the time as 'HH:MM', on a 24-hour clock, e.g. '09:00' or '17:30'",
            value=value[:80],
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and minute != 0):
        raise _fail(
            "range",
            "'{value}' is not a time of day: the clock runs from 00:00 to 24:00",
            "use a time from 00:00 to 23:59, or 24:00 for the end of the day",
            value=value,
        )
    return TimeOfDay(hour, minute)


@dataclass(frozen=True, order=True)
class TimeRange:
    """An interval of one day in which a channel is open."""

    opens: TimeOfDay
    closes: TimeOfDay

    def __str__(self) -> str:
        return f"{self.opens}-{self.closes}"


def parse_time_range(value: Any) -> TimeRange:
    """Read '09:00-18:00'."""
    if isinstance(value, TimeRange):
        return value
    if not isinstance(value, str) or value.count("-") != 1:
        raise _fail(
            "format",
            "'{value}' is not an opening interval",
            "write an interval as 'HH:MM-HH:MM', e.g. '09:00-18:00'",
            value=str(value)[:80],
        )
    left, right = value.split("-")
    opens, closes = parse_time_of_day(left.strip()), parse_time_of_day(right.strip())
    if closes <= opens:
        raise _fail(
            "inconsistent",
            "the interval '{value}' closes before it opens",
            "write the opening time first; an interval past midnight is written as "
            "two intervals, on this day until 24:00 and on the next from 00:00",
            value=value,
        )
    return TimeRange(opens, closes)


TimeRangeField = Annotated[
    TimeRange,
    BeforeValidator(parse_time_range),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$"}),
]


TimeOfDayField = Annotated[
    TimeOfDay,
    BeforeValidator(parse_time_of_day),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "examples": ["17:00"]}),
]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


DayHours = Annotated[
    list[TimeRangeField],
    BeforeValidator(_one_or_many),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$"},
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": r"^\d{2}:\d{2}-\d{2}:\d{2}$"},
                },
            ]
        }
    ),
]


# ---------------------------------------------------------------------------------------------
# Numbers


def _check_percent(value: Any) -> Any:
    if isinstance(value, bool):  # pydantic would silently read true as 1%
        raise _fail(
            "type",
            "expected a percentage, found {value}",
            "write a number from 0 to 100, without the % sign",
            value=str(value).lower(),
        )
    if isinstance(value, int | float) and not isinstance(value, bool) and not 0 <= value <= 100:
        raise _fail(
            "range",
            "{value}% is not a percentage from 0 to 100",
            "write a number from 0 to 100, without the % sign",
            value=value,
        )
    if isinstance(value, str) and value.strip().endswith("%"):
        raise _fail(
            "format", "write the percentage as a number, without the % sign", "write 95, not 95%"
        )
    return value


def _percent_in_range(value: float) -> float:
    if not 0 <= value <= 100:
        raise _fail(
            "range",
            "{value}% is not a percentage from 0 to 100",
            "write a number from 0 to 100, without the % sign",
            value=f"{value:g}",
        )
    return value


Percent = Annotated[
    float,
    BeforeValidator(_check_percent),
    AfterValidator(_percent_in_range),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]


# No compensation or refund runs to a trillion; a larger number is a typo or an attack (1.0e999).
MAX_AMOUNT_DIGITS = 12


def _check_amount(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise PydanticCustomError(
            "cp_type", "expected an amount such as 10 or 2.50", {"hint": "write a plain number"}
        )
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _fail(
            "format", "'{value}' is not a number", "write a plain number", value=str(value)[:80]
        ) from None
    if not amount.is_finite() or amount < 0:
        raise _fail(
            "range",
            "an amount of money cannot be negative: {value}",
            "write a number of zero or more",
            value=str(value)[:40],
        )
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise _fail(
            "range",
            "'{value}' is too large for an amount of money",
            f"write an amount below 10^{MAX_AMOUNT_DIGITS}, as a plain number",
            value=str(value)[:40],
        )
    return amount


Amount = Annotated[
    Decimal,
    BeforeValidator(_check_amount),
    PlainSerializer(lambda d: f"{d.normalize():f}", return_type=str),
    WithJsonSchema({"type": "number", "minimum": 0}),
]


def parse_measure(value: Any) -> float | Duration:
    """Read a measured value: a number (a percentage, a score, a count) or a duration."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise _fail("range", "a measured value must be a finite number", "write a number")
        return float(value)
    if isinstance(value, str | dict):
        return parse_duration(value)
    raise PydanticCustomError(
        "cp_type",
        "expected a number (a percentage, a score) or a duration such as '3 minutes'",
        {"hint": "write 92.5 for a percentage, 4.3 for a score, or '3 minutes' for a time"},
    )


def _serialise_measure(value: float | Duration) -> float | str:
    return str(value) if isinstance(value, Duration) else value


Measure = Annotated[
    float | Duration,
    BeforeValidator(parse_measure),
    PlainSerializer(_serialise_measure),
    WithJsonSchema({"oneOf": [{"type": "number"}, _DURATION_SCHEMA]}),
]


@cache
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


@dataclass(frozen=True)
class Money:
    """An amount in a currency: '10 EUR', '250 CZK'."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount.normalize():f} {self.currency}"


_MONEY_HINT = "write an amount of money as '<number> <currency>', e.g. '10 EUR' or '250 CZK'"


def parse_money(value: Any) -> Money:
    """Read '10 EUR' or {amount: 10, currency: EUR}."""
    if isinstance(value, Money):
        return value
    if isinstance(value, str) and len(value.split()) == 2:
        raw_amount, currency = value.split()
    elif isinstance(value, dict) and set(value) == {"amount", "currency"}:
        raw_amount, currency = value["amount"], value["currency"]
    else:
        raise _fail(
            "format", "'{value}' is not an amount of money", _MONEY_HINT, value=str(value)[:80]
        )
    try:
        amount = Decimal(str(raw_amount))
    except InvalidOperation:
        raise _fail(
            "format", "'{value}' is not a number", _MONEY_HINT, value=str(raw_amount)[:80]
        ) from None
    if not amount.is_finite() or amount < 0:
        raise _fail(
            "range",
            "an amount of money cannot be negative: {value}",
            _MONEY_HINT,
            value=str(raw_amount)[:40],
        )
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise _fail(
            "range",
            "'{value}' is too large for an amount of money",
            _MONEY_HINT,
            value=str(raw_amount)[:40],
        )
    if not isinstance(currency, str) or currency not in _currencies():
        raise _fail(
            "format",
            "'{value}' is not an ISO 4217 currency code",
            "write the currency as three capital letters: EUR, CZK, RON, GBP",
            value=str(currency)[:20],
        )
    return Money(amount, currency)


MoneyField = Annotated[
    Money,
    BeforeValidator(parse_money),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "pattern": r"^\d+(\.\d+)? [A-Z]{3}$"},
                {"type": "object", "required": ["amount", "currency"]},
            ]
        }
    ),
]


# ---------------------------------------------------------------------------------------------
# Contact details and web


# Characters a web address cannot hold as they are (RFC 3986): each ends an HTML attribute or
# starts a tag in careless hands, and a backslash is read as "/" by browsers.
_URL_FORBIDDEN = re.compile(r"[\"<>`\\]")


def _check_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in value):
        raise _fail(
            "format",
            "'{value}' is not a web address",
            "write a full address starting with https://",
            value=value[:120],
        )
    bad = _URL_FORBIDDEN.search(value)
    if bad:
        char = bad.group()
        raise _fail(
            "format",
            "the web address '{value}' holds {char}, which no web address holds as it is",
            f"end the address where it should end; a {char} that belongs in it is written "
            f"percent-encoded, as %{ord(char):02X}",
            value=value[:120],
            char=char,
        )
    return value


Url = Annotated[
    str,
    BeforeValidator(_check_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]

# The local part takes the characters of an RFC 5322 dot-atom (letters of any script too); the
# domain letters, digits, hyphens and dots. No colon: "javascript:x@y.example" is refused.
_DOMAIN_LABEL = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
_EMAIL_RE = re.compile(rf"^[\w.!#$%&*+/=?^`{{|}}~-]+@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})+$")
_EMAIL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _check_email(value: Any) -> Any:
    if not isinstance(value, str) or _EMAIL_RE.match(value):
        return value
    scheme = _EMAIL_SCHEME.match(value)
    if scheme:
        raise _fail(
            "format",
            "'{value}' is not an e-mail address: it starts with '{scheme}'",
            "write the address alone, such as help@example.com; the site makes the mailto: link "
            "itself",
            value=value[:120],
            scheme=scheme.group(),
        )
    raise _fail(
        "format",
        "'{value}' is not an e-mail address",
        "write an address such as help@example.com",
        value=value[:120],
    )


Email = Annotated[
    str, BeforeValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})
]

_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,30}$")


def _check_phone(value: Any) -> Any:
    if isinstance(value, str) and not _PHONE_RE.match(value):
        raise _fail(
            "format",
            "'{value}' is not a telephone number",
            "write the number with its country code, e.g. '+351 210 000 000'",
            value=value[:80],
        )
    return value


Phone = Annotated[
    str,
    BeforeValidator(_check_phone),
    WithJsonSchema({"type": "string", "pattern": _PHONE_RE.pattern}),
]

_COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _check_colour(value: Any) -> Any:
    if isinstance(value, str) and not _COLOUR_RE.match(value):
        raise _fail(
            "format",
            "'{value}' is not a colour",
            "write a colour as '#RRGGBB' in quotes, e.g. '#0b5394'",
            value=value[:40],
        )
    return value


Colour = Annotated[
    str,
    BeforeValidator(_check_colour),
    WithJsonSchema({"type": "string", "pattern": _COLOUR_RE.pattern}),
]


def _check_asset_path(value: Any) -> Any:
    if isinstance(value, str):
        if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
            raise _fail(
                "path",
                "'{value}' is an absolute path",
                "write the path relative to the site folder, e.g. assets/logo.svg",
                value=value[:120],
            )
        if ".." in re.split(r"[\\/]", value):
            raise _fail(
                "path",
                "'{value}' leaves the site folder",
                "keep assets inside the site folder, e.g. assets/logo.svg",
                value=value[:120],
            )
    return value


AssetPath = Annotated[
    str,
    BeforeValidator(_check_asset_path),
    WithJsonSchema({"type": "string", "pattern": r"^[^/\\]"}),
]


# ---------------------------------------------------------------------------------------------
# Languages, time zones, holiday calendars


def _check_language(value: Any) -> Any:
    if isinstance(value, str):
        language = languages.lookup(value)
        if language is None:
            raise _fail(
                "language",
                "'{value}' is not a language Charterpress publishes",
                "write one of: " + ", ".join(lang.code for lang in languages.LANGUAGES),
                value=value[:40],
            )
        return language.code
    return value


LanguageCode = Annotated[
    str,
    BeforeValidator(_check_language),
    WithJsonSchema({"enum": [lang.code for lang in languages.LANGUAGES] + list(languages.ALIASES)}),
]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_time_zone(value: Any) -> Any:
    if isinstance(value, str) and value not in _time_zones():
        raise _fail(
            "time_zone",
            "'{value}' is not a time zone",
            "write an IANA time zone such as Europe/Lisbon, Europe/Madrid, "
            "Europe/Prague, Europe/Bucharest or Europe/London",
            value=value[:80],
        )
    return value


TimeZone = Annotated[
    str,
    BeforeValidator(_check_time_zone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Lisbon"]}),
]


@dataclass(frozen=True)
class HolidayCalendar:
    """A public-holiday calendar: a country and optionally one of its subdivisions."""

    country: str
    subdivision: str | None = None

    def __str__(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country


@cache
def supported_holiday_calendars() -> dict[str, tuple[str, ...]]:
    """Return the countries the holidays package knows, with their subdivisions."""
    import holidays

    return {
        country: tuple(subdivisions)
        for country, subdivisions in holidays.list_supported_countries().items()
    }


def parse_holiday_calendar(value: Any) -> HolidayCalendar:
    """Read 'PT', 'ES-CT' or {country: ES, subdivision: CT}."""
    if isinstance(value, HolidayCalendar):
        return value
    if isinstance(value, dict) and set(value) <= {"country", "subdivision"} and "country" in value:
        country, subdivision = value["country"], value.get("subdivision")
    elif isinstance(value, str):
        country, _, rest = value.partition("-")
        subdivision = rest or None
    else:
        raise _fail(
            "format",
            "'{value}' is not a holiday calendar",
            "write a country code, optionally with a subdivision: PT, ES-CT, CZ, RO, GB",
            value=str(value)[:80],
        )
    supported = supported_holiday_calendars()
    if country not in supported:
        raise _fail(
            "holidays",
            "'{value}' is not a country with a known holiday calendar",
            "write an ISO 3166 country code in capitals: PT, ES, CZ, RO, GB",
            value=str(country)[:40],
        )
    if subdivision is not None and str(subdivision) not in supported[country]:
        raise _fail(
            "holidays",
            "'{value}' is not a subdivision of {country}",
            "known subdivisions: " + ", ".join(supported[country][:30]),
            value=str(subdivision)[:40],
            country=country,
        )
    return HolidayCalendar(country, None if subdivision is None else str(subdivision))


HolidayCalendarField = Annotated[
    HolidayCalendar,
    BeforeValidator(parse_holiday_calendar),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[A-Z]{2}(-\w+)?$",
            "examples": ["PT", "ES-CT", "CZ", "RO", "GB"],
        }
    ),
]


def _check_date(value: Any) -> Any:
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise _fail(
            "format", "'{value}' is not a date", "write a date as YYYY-MM-DD", value=value[:40]
        )
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _fail(
                "range",
                "'{value}' is not a day of the calendar",
                "check the month and the day",
                value=value,
            ) from None
    return value


Date = Annotated[dt.date, BeforeValidator(_check_date), Field(strict=False)]


# ---------------------------------------------------------------------------------------------
# Reporting periods: the name of a results file says which period it covers.

PERIOD_FORMS = "YYYY (a year), YYYY-h1 or YYYY-h2 (a half), YYYY-q1 to YYYY-q4 (a quarter), YYYY-MM"
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(h[12]|q[1-4]|\d{2}))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its id (the results file's name) and its first and last day."""

    start: dt.date
    end: dt.date
    id: str

    def __str__(self) -> str:
        return self.id


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def parse_period(name: str) -> Period | None:
    """Return the period a results file name stands for, or None if it names none."""
    match = _PERIOD_RE.match(name)
    if not match:
        return None
    year, part = int(match.group(1)), match.group(2)
    if year < 1900:
        return None
    if part is None:
        first, last = 1, 12
    elif part.startswith("h"):
        first = 1 + 6 * (int(part[1]) - 1)
        last = first + 5
    elif part.startswith("q"):
        first = 1 + 3 * (int(part[1]) - 1)
        last = first + 2
    else:
        first = last = int(part)
        if not 1 <= first <= 12:
            return None
    return Period(dt.date(year, first, 1), _month_end(year, last), name)


# ---------------------------------------------------------------------------------------------
# Countries

# Codes in CLDR's territory list that name no country: unknown, groupings and pseudo-locales.
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


# Codes the European Union writes in place of ISO's, a common slip: United Kingdom, Greece.
_EU_CODES = {"UK": "GB", "EL": "GR"}


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """Return ISO 3166-1 alpha-2 code -> the country's name in LOCALE, from Babel (CLDR)."""
    from babel import Locale

    territories = Locale.parse(locale).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def _country_suggestion(value: str) -> str:
    """Return the code the author probably meant ('PT' for 'pt' or 'Portugal'), or ''."""
    import difflib

    names = country_names()
    if value.upper() in _EU_CODES:
        return _EU_CODES[value.upper()]
    if value.upper() in names:
        return value.upper()
    by_name = {name.casefold(): code for code, name in names.items()}
    if value.casefold() in by_name:
        return by_name[value.casefold()]
    close = difflib.get_close_matches(value.casefold(), list(by_name), n=1, cutoff=0.75)
    return by_name[close[0]] if close else ""


def _check_country(value: Any) -> Any:
    if isinstance(value, str) and value not in country_names():
        suggestion = _country_suggestion(value.strip())
        hint = "write the ISO 3166-1 alpha-2 code of the country in capitals, e.g. PT, ES, CZ, RO"
        if suggestion:
            hint = f"did you mean '{suggestion}' ({country_names()[suggestion]})? " + hint
        raise _fail(
            "country", "'{value}' is not an ISO 3166-1 country code", hint, value=value[:40]
        )
    return value


CountryCode = Annotated[
    str,
    BeforeValidator(_check_country),
    WithJsonSchema({"type": "string", "enum": sorted(country_names())}),
]
