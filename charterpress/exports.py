"""Exports for other systems: each charter as JSON, each channel's hours as iCalendar.

Pure functions: they take a validated (and, for another language, translated) site and return
text or bytes; the pipeline decides where the files go. Nothing here reads the clock: the build
date stands in for "now" wherever a file needs a date, so two builds of the same sources on the
same build date give identical bytes.

- JSON: the public part of a charter (never a field marked for staff only), in one language,
  with its results; keys sorted, dates as ISO 8601, durations, money and opening intervals as
  small objects rather than strings to parse.
- iCalendar: a channel's weekly opening hours as recurring events in the channel's own time
  zone (with its VTIMEZONE), and the days in the coming twelve months on which it closes or
  keeps other hours (calendars.closure_days) as all-day events.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from .cache import MISSING, BuildCache
from .calendars import ChannelCalendar, ClosureDay, closure_days
from .languages import Language
from .model import Channel, public_data
from .validate import ValidatedSite
from .values import Duration, HolidayCalendar, Money, Period, TimeOfDay, TimeRange

JSON_FORMAT = "charterpress-charter"
JSON_FORMAT_VERSION = 1
ICAL_PRODID = "-//Charterpress//Charter exports//EN"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = dt.timedelta(days=1)
EXPORTS_STAGE = "exports"


# ---------------------------------------------------------------------------------------------
# JSON


def _number(value: Decimal) -> int | float:
    """Return a Decimal as a JSON number: an int when it is whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def plain(value: Any) -> Any:
    """Return VALUE as JSON data: structured durations, money and hours; ISO dates."""
    if isinstance(value, BaseModel):
        return plain(public_data(value))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Duration):
        return {"amount": _number(value.amount), "unit": value.unit.value}
    if isinstance(value, Money):
        return {"amount": _number(value.amount), "currency": value.currency}
    if isinstance(value, TimeRange):
        return {"opens": str(value.opens), "closes": str(value.closes)}
    if isinstance(value, Period):
        return {"id": value.id, "start": value.start.isoformat(), "end": value.end.isoformat()}
    if isinstance(value, TimeOfDay | HolidayCalendar):
        return str(value)
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str):
        return str(value)  # a ForeignText fallback becomes a plain string
    return value


def charter_data(
    site: ValidatedSite, charter_id: str, language: Language, build_date: dt.date
) -> dict[str, Any]:
    """Return the public data of one charter of SITE (already in LANGUAGE), with its results."""
    source = site.charters[charter_id]
    charter = source.charter
    version = charter.version_on(build_date)
    config = site.config
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "id": charter_id,
        "language": language.bcp47,
        "source_language": config.source_language,
        "build_date": build_date.isoformat(),
        "organisation": plain(config.organisation),
        "version_in_force": None if version is None else version.version,
        "charter": plain(charter),
        "results": [
            {"period": plain(result.period), **plain(result.results)}
            for result in site.results_for(charter_id)
        ],
    }


def charter_json(
    site: ValidatedSite, charter_id: str, language: Language, build_date: dt.date
) -> str:
    """Return one charter as a JSON document (sorted keys, UTF-8 text, final newline)."""
    data = charter_data(site, charter_id, language, build_date)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# iCalendar


def exportable_channels(site: ValidatedSite, charter_id: str) -> list[Channel]:
    """Return the channels of a charter that have opening hours (the others are always open)."""
    return [c for c in site.charters[charter_id].charter.channels if c.hours is not None]


def _uid_domain(site: ValidatedSite) -> str:
    return urlsplit(str(site.config.base_url)).hostname or "charterpress.invalid"


def _local(day: dt.date, time: TimeOfDay, tz: ZoneInfo) -> dt.datetime:
    """Return local TIME on DAY (24:00 is the next day's midnight) in TZ."""
    if time.hour == 24:
        day, time = day + _DAY, TimeOfDay(0, time.minute)
    return dt.datetime(day.year, day.month, day.day, time.hour, time.minute, tzinfo=tz)


def _weekly_groups(channel: Channel) -> list[tuple[TimeRange, list[int]]]:
    """Return each opening interval of the week with the weekdays (0 = Monday) it applies to."""
    groups: dict[TimeRange, list[int]] = {}
    if channel.hours is None:
        return []
    for index, name in enumerate(_WEEKDAYS):
        for interval in getattr(channel.hours, name):
            groups.setdefault(interval, []).append(index)
    return sorted(groups.items())


def channel_ical(
    site: ValidatedSite,
    charter_id: str,
    channel_id: str,
    language: Language,
    build_date: dt.date,
) -> bytes:
    """Return a channel's opening hours and coming closures as an iCalendar file."""
    import icalendar

    from .i18n import ui_translations

    charter = site.charters[charter_id].charter
    channel = next(c for c in charter.channels if c.id == channel_id)
    calendar = ChannelCalendar.for_channel(channel, site.config)
    tz = calendar.tz
    closures = closure_days(calendar, build_date, language.code)
    ui = ui_translations(language.gettext)
    domain = _uid_domain(site)
    stamp = dt.datetime(build_date.year, build_date.month, build_date.day, tzinfo=dt.UTC)
    # A name is one line: icalendar escapes line breaks in SUMMARY but refuses them in the
    # X-WR-CALNAME property (an assertion), and a calendar shows a name on one line anyway.
    name = " ".join(str(channel.name).split())

    cal = icalendar.Calendar()
    cal.add("prodid", ICAL_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{name}: {ui.gettext('Opening hours')}")
    cal.add("x-wr-timezone", tz.key)

    # Days that do not keep the usual hours are taken out of the weekly series.
    unusual = [c.date for c in closures]
    for interval, days in _weekly_groups(channel):
        first = build_date
        while first.weekday() not in days:
            first += _DAY
        event = icalendar.Event()
        key = f"{_interval_key(interval)}.{_days_key(days)}"
        event.add("uid", f"{charter_id}.{channel_id}.hours.{key}@{domain}")
        event.add("dtstamp", stamp)
        event.add("summary", name)
        event.add("dtstart", _local(first, interval.opens, tz))
        event.add("dtend", _local(first, interval.closes, tz))
        event.add("rrule", {"freq": "weekly", "byday": [_ICAL_DAYS[d] for d in days]})
        skipped = [_local(d, interval.opens, tz) for d in unusual if d.weekday() in days]
        if skipped:
            event.add("exdate", skipped)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)

    for closure in closures:
        uid = f"{charter_id}.{channel_id}.{closure.date.isoformat()}"
        for suffix, event in _closure_events(closure, channel, ui.gettext("Closed"), tz):
            event.add("uid", f"{uid}.{suffix}@{domain}")
            event.add("dtstamp", stamp)
            cal.add_component(event)

    # From the build date only: the events start on or after it.
    _add_missing_timezones(cal, first_date=build_date)
    return bytes(cal.to_ical())


def _add_missing_timezones(calendar: Any, first_date: dt.date) -> None:
    """Do what Calendar.add_missing_timezones does, making each VTIMEZONE once per process."""
    # Each channel's calendar made its time zone's VTIMEZONE again, from the zone's
    # transitions: a sixth of the time of channel_ical.
    index = len(calendar.timezones)
    for tzid in calendar.get_missing_tzids():
        timezone = _vtimezone(tzid, first_date)
        if timezone is not None:
            calendar.subcomponents.insert(index, timezone)
            index += 1


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_date: dt.date) -> Any:
    """Return the VTIMEZONE of TZID from FIRST_DATE (None if unknown): shared, read-only."""
    import icalendar

    try:
        return icalendar.Timezone.from_tzid(tzid, first_date=first_date)
    except ValueError:
        return None


def _days_key(days: list[int]) -> str:
    return "".join(_ICAL_DAYS[d] for d in days).lower()


def _interval_key(interval: TimeRange) -> str:
    return str(interval).replace(":", "")


def _closure_events(
    closure: ClosureDay, channel: Channel, closed: str, tz: ZoneInfo
) -> list[tuple[str, Any]]:
    """Return the events of one closure day, each with its UID suffix: all day, then its hours."""
    import icalendar

    name = str(channel.name)
    reason = closure.name
    if closure.kind == "exception":
        exception = next(e for e in channel.exceptions if e.id == closure.name)
        reason = str(exception.reason) if exception.reason else ""
    day = icalendar.Event()
    if closure.closed:
        day.add("summary", f"{name}: {closed}" + (f" ({reason})" if reason else ""))
    else:
        hours = ", ".join(str(h) for h in closure.hours)
        day.add("summary", f"{name}: {hours}" + (f" ({reason})" if reason else ""))
    day.add("dtstart", closure.date)
    day.add("dtend", closure.date + _DAY)
    day.add("transp", "TRANSPARENT")
    events = [("day", day)]
    for interval in closure.hours:
        timed = icalendar.Event()
        timed.add("summary", name)
        timed.add("dtstart", _local(closure.date, interval.opens, tz))
        timed.add("dtend", _local(closure.date, interval.closes, tz))
        timed.add("transp", "TRANSPARENT")
        events.append((_interval_key(interval), timed))
    return events


def charter_exports(
    site: ValidatedSite, charter_id: str, language: Language, build_date: dt.date
) -> dict[str, bytes]:
    """Return the exports of one charter of SITE (already in LANGUAGE), by relative path."""
    files = {
        f"exports/{charter_id}.json": charter_json(site, charter_id, language, build_date).encode(
            "utf-8"
        )
    }
    for channel in exportable_channels(site, charter_id):
        files[f"exports/{charter_id}-{channel.id}.ics"] = channel_ical(
            site, charter_id, channel.id, language, build_date
        )
    return files


def site_exports(
    site: ValidatedSite,
    language: Language,
    build_date: dt.date,
    cache: BuildCache | None = None,
    sources: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """Return every export of SITE (already in LANGUAGE) by path relative to the language folder.

    'exports/<charter>.json' for each charter, 'exports/<charter>-<channel>.ics' for each channel
    with opening hours. With CACHE (enabled) and SOURCES (the key of each source file's
    translation into LANGUAGE: i18n.TranslationReport.sources), each charter's files are kept
    in the cache and reused while what they are made from is unchanged (see _shared_key).
    """
    files: dict[str, bytes] = {}
    caching = cache is not None and cache.enabled
    shared = _shared_key(language, build_date) if caching else ()
    for charter_id in sorted(site.charters):
        inputs = _inputs(site, charter_id, sources or {})
        if not caching or cache is None or inputs is None:
            files.update(charter_exports(site, charter_id, language, build_date))
            continue
        key = cache.key(EXPORTS_STAGE, *shared, charter_id, *inputs)
        slot = f"{language.code}/{charter_id}"
        found = cache.fetch_value(EXPORTS_STAGE, slot, key)
        if found is MISSING:
            found = charter_exports(site, charter_id, language, build_date)
            cache.store_value(EXPORTS_STAGE, slot, key, found)
        files.update(found)
    return files


def _inputs(site: ValidatedSite, charter_id: str, sources: Mapping[str, str]) -> list[str] | None:
    """Return the keys of the translated files a charter's exports read (None: one is unknown).

    A charter's files read (charter_data, channel_ical) the settings (organisation, source
    language, time zone, holidays, base_url), the charter and its results files: each of them
    translated, whose translation key covers its document, the catalog's entries for it, and
    the settings model (--base-url included). Nothing of another charter.
    """
    files = [site.config_document.file, site.charters[charter_id].document.file]
    files += [r.document.file for r in site.results_for(charter_id)]
    if any(file not in sources for file in files):
        return None
    return [f"{file}={sources[file]}" for file in files]


def _shared_key(language: Language, build_date: dt.date) -> tuple[str, ...]:
    """Return what the exports of every charter in LANGUAGE depend on, besides their sources.

    The ui catalog (the words "Opening hours", "Closed"), the build date (the coming closures),
    and the public holidays, time zones and writers of the libraries. (A change of the system's
    time zone database alone is not seen: clear the cache after one.)
    """
    from importlib import metadata

    from .fingerprints import ui_catalog_digest

    versions = []
    for package in ("icalendar", "babel", "holidays", "tzdata"):
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=none")
    return (language.code, ui_catalog_digest(language), build_date.isoformat(), *versions)
