"""Clocks and calendars: working days, opening hours, public holidays and closure days.

Public holidays come from the ``holidays`` package (never a hand-written list). All arithmetic runs
on aware datetimes in UTC, so that a day on which the clocks change is neither an hour too long
nor an hour too short; each channel's weekly hours, exceptions and holidays are read in its own
time zone.

Conventions for counting a timeframe from a moment T (local to the channel):

* seconds, minutes and hours are exact elapsed time, less the clock's daily pauses;
* N calendar days (or weeks) end at the end of the Nth day after T's day;
* N working days end at the end of the Nth working day after T's day (Monday to Friday, less
  public holidays); a fraction of a day counts as a whole day;
* N opening hours end when the channel has been open for N hours from T on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from . import languages
from .values import Duration, HolidayCalendar, TimeOfDay, TimeRange, TimeUnit

if TYPE_CHECKING:
    from .model import Channel, Charter, Clock, HoursException, SiteConfig, WeeklyHours

UTC = dt.UTC
_DAY = dt.timedelta(days=1)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# No real calendar goes this long without a working day or an open hour: beyond it, give up.
_SEARCH_DAYS = 800

Interval = tuple[dt.datetime, dt.datetime]
_DAY_UNITS = (TimeUnit.CALENDAR_DAYS, TimeUnit.WORKING_DAYS, TimeUnit.WEEKS)
_WHOLE_DAY = TimeRange(TimeOfDay(0, 0), TimeOfDay(24, 0))


class CalendarError(ValueError):
    """A timeframe cannot be counted on a calendar (e.g. a channel that never opens)."""


# The holidays package names holidays in the language of the process's locale unless told
# otherwise: always name one, so that output never depends on the machine.
DEFAULT_HOLIDAY_LANGUAGE = "en_US"


@cache
def public_holidays(
    calendar: HolidayCalendar, year: int, language: str = DEFAULT_HOLIDAY_LANGUAGE
) -> dict[dt.date, str]:
    """Return the public holidays of CALENDAR in YEAR, named in LANGUAGE (a holidays code)."""
    import holidays

    book = holidays.country_holidays(
        calendar.country, subdiv=calendar.subdivision, years=year, language=language
    )
    return {day: str(name) for day, name in sorted(book.items())}


@cache
def _holiday_languages(country: str) -> tuple[str, ...]:
    import holidays

    return tuple(holidays.country_holidays(country).supported_languages)


def holiday_language(calendar: HolidayCalendar, language: str | None) -> str:
    """Return the holidays package's code for a published LANGUAGE (pt-PT, ca, cs, ro, en).

    Falls back to English where the package has no names in that language for the country.
    """
    found = languages.lookup(language) if language else None
    supported = _holiday_languages(calendar.country)
    if found is not None and found.gettext in supported:
        return found.gettext
    if found is not None and found.gettext == "en" and calendar.country == "GB":
        return "en_GB"
    return DEFAULT_HOLIDAY_LANGUAGE


def add_months(day: dt.date, months: int) -> dt.date:
    """Return DAY moved by MONTHS, on the month's last day when the day does not exist."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


@dataclass(frozen=True)
class ClosureDay:
    """A day on which a channel keeps other hours than its weekly ones."""

    date: dt.date
    kind: Literal["holiday", "exception"]
    name: str  # the holiday's name, or the exception's id
    hours: tuple[TimeRange, ...] = ()  # empty: closed the whole day

    @property
    def closed(self) -> bool:
        """Return whether the channel is closed all day."""
        return not self.hours


@dataclass
class ChannelCalendar:
    """The calendar a channel's timeframes are counted on."""

    tz: ZoneInfo
    holidays: HolidayCalendar
    weekly: WeeklyHours | None = None  # None: always open
    exceptions: Sequence[HoursException] = ()
    _exception_days: dict[dt.date, HoursException] = field(default_factory=dict, repr=False)
    # Memos: the worst-case search asks the same questions about the same days many times.
    _intervals: dict[dt.date, list[Interval]] = field(default_factory=dict, repr=False)
    _holidays: dict[int, dict[dt.date, str]] = field(default_factory=dict, repr=False)
    _next_working: dict[dt.date, dt.date] = field(default_factory=dict, repr=False)
    _day_starts: dict[dt.date, dt.datetime] = field(default_factory=dict, repr=False)
    _moments: dict[tuple[dt.date, TimeOfDay], dt.datetime] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for exception in self.exceptions:
            day = exception.date
            last = exception.until or exception.date
            while day <= last:
                self._exception_days.setdefault(day, exception)
                day += _DAY

    @classmethod
    def for_channel(cls, channel: Channel, site: SiteConfig) -> ChannelCalendar:
        """Return CHANNEL's calendar, with the site's time zone and holidays as defaults."""
        return cls(
            ZoneInfo(channel.time_zone or site.time_zone),
            channel.holidays or site.holidays,
            channel.hours,
            tuple(channel.exceptions),
        )

    @classmethod
    def always_open(cls, time_zone: str, holidays: HolidayCalendar) -> ChannelCalendar:
        """Return a calendar that is always open (for a promise that names no channel)."""
        return cls(ZoneInfo(time_zone), holidays)

    # -- days

    @property
    def is_always_open(self) -> bool:
        """Return whether the channel has no opening hours (always available)."""
        return self.weekly is None

    def holiday_name(self, day: dt.date) -> str | None:
        """Return the name of the public holiday on DAY, or None."""
        book = self._holidays.get(day.year)
        if book is None:
            book = self._holidays[day.year] = public_holidays(self.holidays, day.year)
        return book.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        """Return whether DAY is Monday to Friday and not a public holiday."""
        return day.weekday() < 5 and self.holiday_name(day) is None

    def next_working_day(self, day: dt.date) -> dt.date:
        """Return the first working day after DAY."""
        found = self._next_working.get(day)
        if found is not None:
            return found
        candidate = day
        for _ in range(_SEARCH_DAYS):
            candidate += _DAY
            if self.is_working_day(candidate):
                self._next_working[day] = candidate
                return candidate
        raise CalendarError(f"no working day in {_SEARCH_DAYS} days after {day}")

    def day_hours(self, day: dt.date) -> list[TimeRange]:
        """Return the local opening intervals of DAY (an exception wins over a holiday)."""
        exception = self._exception_days.get(day)
        if exception is not None:
            return sorted(exception.hours)
        if self.weekly is None:
            return [_WHOLE_DAY]
        if self.holiday_name(day) is not None:
            return []
        return sorted(getattr(self.weekly, _WEEKDAYS[day.weekday()]))

    def open_intervals(self, day: dt.date) -> list[Interval]:
        """Return the opening intervals of DAY as UTC datetimes."""
        found = self._intervals.get(day)
        if found is None:
            found = [(self.at(day, r.opens), self.at(day, r.closes)) for r in self.day_hours(day)]
            self._intervals[day] = found
        return found

    # -- moments

    def at(self, day: dt.date, time: TimeOfDay) -> dt.datetime:
        """Return the UTC moment of local TIME (24:00 allowed) on DAY."""
        found = self._moments.get((day, time))
        if found is None:
            hour, minute, on = time.hour, time.minute, day
            if hour == 24:
                on, hour = day + _DAY, 0
            found = dt.datetime(on.year, on.month, on.day, hour, minute, tzinfo=self.tz)
            found = self._moments[(day, time)] = found.astimezone(UTC)
        return found

    def start_of(self, day: dt.date) -> dt.datetime:
        """Return the UTC moment at which local DAY begins."""
        found = self._day_starts.get(day)
        if found is None:
            found = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)
            self._day_starts[day] = found
        return found

    def end_of(self, day: dt.date) -> dt.datetime:
        """Return the UTC moment of the last microsecond of local DAY."""
        return self.start_of(day + _DAY) - dt.timedelta(microseconds=1)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Return MOMENT in the channel's time zone."""
        return moment.astimezone(self.tz)

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Return whether the channel is open at MOMENT."""
        day = self.local(moment).date()
        return any(a <= moment < b for a, b in self.open_intervals(day))

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """Return MOMENT if the channel is open then, else the moment it next opens."""
        day = self.local(moment).date()
        for _ in range(_SEARCH_DAYS):
            for a, b in self.open_intervals(day):
                if b > moment:
                    return max(a, moment)
            day += _DAY
        raise CalendarError(f"the channel does not open in {_SEARCH_DAYS} days")


# ---------------------------------------------------------------------------------------------
# Counting timeframes


def _seconds(duration: Duration) -> float:
    factor = {TimeUnit.SECONDS: 1, TimeUnit.MINUTES: 60, TimeUnit.HOURS: 3600}[duration.unit]
    return float(duration.amount) * factor


def _pause_windows(
    calendar: ChannelCalendar, pauses: Sequence[TimeRange], day: dt.date
) -> list[Interval]:
    return [(calendar.at(day, p.opens), calendar.at(day, p.closes)) for p in sorted(pauses)]


def _add_elapsed(
    start: dt.datetime, seconds: float, calendar: ChannelCalendar, pauses: Sequence[TimeRange]
) -> dt.datetime:
    """Add SECONDS of running clock to START, skipping the daily PAUSES."""
    if not pauses:
        return start + dt.timedelta(seconds=seconds)
    remaining = dt.timedelta(seconds=seconds)
    moment = start
    day = calendar.local(start).date() - _DAY
    for _ in range(_SEARCH_DAYS):
        for a, b in _pause_windows(calendar, pauses, day):
            if b <= moment:
                continue
            if a <= moment:
                moment = b  # inside a pause: the clock waits for its end
                continue
            if moment + remaining <= a:
                return moment + remaining
            remaining -= a - moment
            moment = b
        day += _DAY
    raise CalendarError("the clock never runs")


def _add_days(
    start: dt.datetime, count: int, calendar: ChannelCalendar, working: bool
) -> dt.datetime:
    day = calendar.local(start).date()
    if not working:
        return calendar.end_of(day + count * _DAY)
    for _ in range(count):
        day = calendar.next_working_day(day)
    return calendar.end_of(day)


def _add_opening(start: dt.datetime, seconds: float, calendar: ChannelCalendar) -> dt.datetime:
    remaining = dt.timedelta(seconds=seconds)
    day = calendar.local(start).date() - _DAY
    for _ in range(_SEARCH_DAYS):
        for a, b in calendar.open_intervals(day):
            if b <= start:
                continue
            begin = max(a, start)
            if begin + remaining <= b:
                return begin + remaining
            remaining -= b - begin
        day += _DAY
    raise CalendarError(f"the channel is not open long enough in {_SEARCH_DAYS} days")


def add_duration(
    start: dt.datetime,
    duration: Duration,
    calendar: ChannelCalendar,
    pauses: Sequence[TimeRange] = (),
) -> dt.datetime:
    """Return the moment a timeframe of DURATION that starts at START ends (in UTC)."""
    start = start.astimezone(UTC)
    unit = duration.unit
    if unit in (TimeUnit.SECONDS, TimeUnit.MINUTES, TimeUnit.HOURS):
        return _add_elapsed(start, _seconds(duration), calendar, pauses)
    if unit is TimeUnit.CALENDAR_DAYS:
        return _add_days(start, math.ceil(duration.amount), calendar, working=False)
    if unit is TimeUnit.WEEKS:
        return _add_days(start, math.ceil(duration.amount * 7), calendar, working=False)
    if unit is TimeUnit.WORKING_DAYS:
        return _add_days(start, math.ceil(duration.amount), calendar, working=True)
    return _add_opening(start, float(duration.amount) * 3600, calendar)


def _outside_hours(moment: dt.datetime, calendar: ChannelCalendar) -> bool:
    if calendar.is_always_open:
        return not calendar.is_working_day(calendar.local(moment).date())
    return not calendar.is_open_at(moment)


def clock_start(
    received: dt.datetime, calendar: ChannelCalendar, clock: Clock | None
) -> dt.datetime:
    """Return when the clock of a request RECEIVED at that moment starts, under CLOCK's rules."""
    received = received.astimezone(UTC)
    if clock is None:
        return received
    from .model import OutsideHours

    local = calendar.local(received)
    after_cutoff = clock.cutoff is not None and local.time() >= clock.cutoff.as_time()
    if after_cutoff or (
        clock.outside_hours is OutsideHours.NEXT_WORKING_DAY and _outside_hours(received, calendar)
    ):
        return calendar.start_of(calendar.next_working_day(local.date()))
    if clock.outside_hours is OutsideHours.NEXT_OPENING and _outside_hours(received, calendar):
        return calendar.next_opening(received)
    return received


def deadline(
    received: dt.datetime, duration: Duration, calendar: ChannelCalendar, clock: Clock | None
) -> dt.datetime:
    """Return when a promise of DURATION for a request RECEIVED at that moment runs out."""
    pauses = [p.between for p in clock.paused] if clock is not None else []
    return add_duration(clock_start(received, calendar, clock), duration, calendar, pauses)


# ---------------------------------------------------------------------------------------------
# Closure days


def closure_days(
    calendar: ChannelCalendar, build_date: dt.date, language: str | None = None
) -> list[ClosureDay]:
    """Return the days in the twelve months from BUILD_DATE on which the usual hours do not hold.

    Public holidays are listed when the channel would otherwise be open that day, named in
    LANGUAGE (a published language such as pt-PT; English by default); an exception is listed
    with its own hours (none: closed) and its id. A channel that is always open closes on no
    public holiday.
    """
    code = holiday_language(calendar.holidays, language)
    found = []
    day, end = build_date, add_months(build_date, 12)
    while day < end:
        exception = calendar._exception_days.get(day)
        if exception is not None:
            found.append(ClosureDay(day, "exception", exception.id, tuple(sorted(exception.hours))))
        elif calendar.weekly is not None:
            usual = getattr(calendar.weekly, _WEEKDAYS[day.weekday()])
            if calendar.holiday_name(day) is not None and usual:
                name = public_holidays(calendar.holidays, day.year, code)[day]
                found.append(ClosureDay(day, "holiday", name))
        day += _DAY
    return found


def channel_closures(
    charter: Charter, site: SiteConfig, build_date: dt.date, language: str | None = None
) -> dict[str, list[ClosureDay]]:
    """Return the closure days of each channel of CHARTER, by channel id (see closure_days)."""
    return {
        channel.id: closure_days(ChannelCalendar.for_channel(channel, site), build_date, language)
        for channel in charter.channels
    }


# ---------------------------------------------------------------------------------------------
# The worst case of a chain of internal limits against a promise


@dataclass(frozen=True)
class WorstCase:
    """A request for which internal limits run past the promise."""

    received: dt.datetime  # UTC
    promise_ends: dt.datetime  # UTC
    step_ends: tuple[dt.datetime, ...]  # UTC, one per limit, cumulative
    first_late_step: int  # index into the limits of the first one that ends after the promise

    @property
    def excess(self) -> dt.timedelta:
        """Return how far the last step ends after the promise."""
        return self.step_ends[-1] - self.promise_ends


def _boundaries(calendar: ChannelCalendar, clock: Clock | None, day: dt.date) -> set[dt.datetime]:
    """Return the moments of DAY at which deadlines change shape: openings, pauses, cut-off."""
    moments = {calendar.start_of(day), calendar.start_of(day) + dt.timedelta(hours=12)}
    for a, b in calendar.open_intervals(day):
        moments |= {a, b}
    if clock is not None:
        for pause in clock.paused:
            moments |= {
                calendar.at(day, pause.between.opens),
                calendar.at(day, pause.between.closes),
            }
        if clock.cutoff is not None:
            moments.add(calendar.at(day, clock.cutoff))
    return moments


def candidate_moments(
    calendar: ChannelCalendar, clock: Clock | None, first: dt.date, last: dt.date
) -> Iterator[dt.datetime]:
    """Yield the moments from FIRST to LAST at which a worst case can begin."""
    day = first
    while day <= last:
        yield from _day_moments(calendar, clock, day)
        day += _DAY


def _day_moments(calendar: ChannelCalendar, clock: Clock | None, day: dt.date) -> list[dt.datetime]:
    """Return the moments of DAY, and the minute before each, at which a worst case can begin."""
    before = dt.timedelta(minutes=1)
    found = []
    for moment in sorted(_boundaries(calendar, clock, day)):
        found += [moment, moment - before]
    return found


def _day_profile(calendar: ChannelCalendar, day: dt.date) -> tuple[object, ...]:
    """Return what counting time on DAY depends on: working or not, hours, and its length."""
    return (
        calendar.is_working_day(day),
        tuple(calendar.day_hours(day)),
        calendar.start_of(day + _DAY) - calendar.start_of(day),
    )


def worst_case(
    limits: Sequence[Duration],
    promise: Duration,
    calendar: ChannelCalendar,
    clock: Clock | None,
    build_date: dt.date,
    moments: Iterable[dt.datetime] | None = None,
) -> WorstCase | None:
    """Return the request for which LIMITS, one after the other, most overrun PROMISE.

    Requests received in the twelve months from BUILD_DATE are tried (or the MOMENTS given), at
    every moment at which the calendar changes shape. The internal limits start when the
    promise's clock starts. Returns the first of the worst requests, or None when the limits
    always end within the promise.
    """
    pauses = [p.between for p in clock.paused] if clock is not None else []
    worst: WorstCase | None = None
    # Many requests share a start (every request after a cut-off starts the next working day);
    # when every duration counts whole days, requests that start on the same day share it all.
    by_day = not pauses and all(d.unit in _DAY_UNITS for d in (*limits, promise))
    known: dict[object, tuple[dt.datetime, list[dt.datetime]]] = {}

    def judge(received: dt.datetime) -> dt.datetime:
        """Try one request; return the latest moment its deadlines reach."""
        nonlocal worst
        start = clock_start(received, calendar, clock)
        key = calendar.local(start).date() if by_day else start
        if key in known:
            promise_ends, ends = known[key]
        else:
            promise_ends = add_duration(start, promise, calendar, pauses)
            ends = []
            moment = start
            for limit in limits:
                moment = add_duration(moment, limit, calendar)
                ends.append(moment)
            known[key] = (promise_ends, ends)
        if ends and ends[-1] > promise_ends:
            late = next(i for i, end in enumerate(ends) if end > promise_ends)
            case = WorstCase(received, promise_ends, tuple(ends), late)
            if worst is None or case.excess > worst.excess:
                worst = case
        return max(promise_ends, *ends)

    if moments is not None:
        for received in moments:
            judge(received)
        return worst
    # Days whose surroundings look the same give the same result, shifted by the days between
    # them, for timeframes that end within the horizon: try each kind of day once. A signature
    # runs from the day before (a minute before midnight belongs to it) to HORIZON days after.
    horizon, seen = 4, set[tuple[int, ...]]()
    day, last = build_date, add_months(build_date, 12) - _DAY
    profiles: list[int] = []  # each day's profile, as a small number: cheap to hash
    numbers: dict[tuple[object, ...], int] = {}

    def signature(index: int) -> tuple[int, ...]:
        while len(profiles) < index + horizon + 2:
            profile = _day_profile(calendar, build_date + (len(profiles) - 1) * _DAY)
            profiles.append(numbers.setdefault(profile, len(numbers)))
        return (index % 7, *profiles[index : index + horizon + 2])

    index = 0
    while day <= last:
        key = signature(index)
        if key not in seen:
            reach = max(judge(m) for m in _day_moments(calendar, clock, day))
            span = (calendar.local(reach).date() - day).days
            if span + 2 >= horizon:
                horizon = 2 * (span + 2)  # look further, and forget what was seen
                seen = set()
            else:
                seen.add(key)
        day += _DAY
        index += 1
    return worst
