"""Clocks and calendars: public holidays, working days, opening hours, clock rules, closure days.

Every date is pinned; the weekdays named in comments were checked against a calendar.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fullsite import make_site, outcome

from charterpress.calendars import (
    ChannelCalendar,
    ClosureDay,
    add_duration,
    add_months,
    candidate_moments,
    channel_closures,
    clock_start,
    closure_days,
    deadline,
    holiday_language,
    public_holidays,
    worst_case,
)
from charterpress.model import Clock, HoursException, WeeklyHours
from charterpress.values import TimeRange, parse_duration, parse_holiday_calendar, parse_time_range

LISBON = ZoneInfo("Europe/Lisbon")
OFFICE = WeeklyHours.model_validate(
    dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "09:00-18:00")
)


def lisbon(*args: int) -> dt.datetime:
    """Return a Lisbon wall-clock moment."""
    return dt.datetime(*args, tzinfo=LISBON)  # type: ignore[misc]


def office(holidays: str = "PT", **kwargs: object) -> ChannelCalendar:
    """Return a Lisbon office calendar, Monday to Friday 09:00-18:00."""
    return ChannelCalendar(LISBON, parse_holiday_calendar(holidays), OFFICE, **kwargs)  # type: ignore[arg-type]


def always(holidays: str = "PT") -> ChannelCalendar:
    """Return a Lisbon calendar that is always open."""
    return ChannelCalendar.always_open("Europe/Lisbon", parse_holiday_calendar(holidays))


def local(moment: dt.datetime) -> dt.datetime:
    """Return MOMENT as a naive Lisbon wall-clock time, for comparisons."""
    return moment.astimezone(LISBON).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Public holidays come from the holidays package, per region


@pytest.mark.parametrize(
    ("calendar", "day"),
    [
        ("PT", dt.date(2026, 4, 25)),  # Freedom Day
        ("PT", dt.date(2026, 12, 1)),  # Restoration of Independence
        ("ES-CT", dt.date(2026, 9, 11)),  # National Day of Catalonia
        ("ES-CT", dt.date(2026, 12, 26)),  # Saint Stephen's Day
        ("CZ", dt.date(2026, 10, 28)),  # Independent Czechoslovak State Day
        ("CZ", dt.date(2026, 11, 17)),  # Struggle for Freedom and Democracy Day
        ("RO", dt.date(2026, 12, 1)),  # National Day
        ("RO", dt.date(2026, 1, 24)),  # Unification Day
        ("GB", dt.date(2026, 12, 26)),  # Boxing Day
        ("GB", dt.date(2026, 12, 28)),  # Boxing Day (observed): the 26th is a Saturday
    ],
)
def test_public_holidays_of_each_region(calendar: str, day: dt.date) -> None:
    assert day in public_holidays(parse_holiday_calendar(calendar), day.year)


@pytest.mark.parametrize(
    ("calendar", "day"),
    [
        ("ES", dt.date(2026, 9, 11)),  # the Diada is Catalan, not Spanish
        ("PT", dt.date(2026, 10, 28)),
        ("CZ", dt.date(2026, 6, 10)),  # Portugal Day, a Wednesday
        ("GB", dt.date(2026, 12, 1)),
    ],
)
def test_a_holiday_of_one_region_is_a_working_day_elsewhere(calendar: str, day: dt.date) -> None:
    assert day not in public_holidays(parse_holiday_calendar(calendar), day.year)
    assert ChannelCalendar.always_open("UTC", parse_holiday_calendar(calendar)).is_working_day(day)


def test_working_days_skip_weekends_and_holidays() -> None:
    calendar = always("PT")
    assert not calendar.is_working_day(dt.date(2026, 12, 1))  # a Tuesday, and a holiday
    assert not calendar.is_working_day(dt.date(2026, 11, 28))  # a Saturday
    assert calendar.is_working_day(dt.date(2026, 11, 30))  # a Monday
    assert calendar.next_working_day(dt.date(2026, 11, 27)) == dt.date(2026, 11, 30)
    assert calendar.next_working_day(dt.date(2026, 11, 30)) == dt.date(2026, 12, 2)


# ---------------------------------------------------------------------------------------------
# Counting timeframes


def test_working_days_end_at_the_end_of_the_last_day() -> None:
    # Thursday 2026-04-02; Good Friday (the 3rd) is a holiday in PT: Monday 6, Tuesday 7.
    end = add_duration(lisbon(2026, 4, 2, 10, 0), parse_duration("2 working_days"), always())
    assert local(end) == dt.datetime(2026, 4, 7, 23, 59, 59, 999999)


def test_working_days_follow_the_channel_calendar() -> None:
    # The same Thursday in Catalonia: Good Friday and Easter Monday are both holidays.
    start = lisbon(2026, 4, 2, 10, 0)
    end = add_duration(start, parse_duration("2 working_days"), always("ES-CT"))
    assert local(end) == dt.datetime(2026, 4, 8, 23, 59, 59, 999999)


def test_working_days_add_up_step_by_step() -> None:
    calendar, start = always(), lisbon(2026, 3, 2, 10, 0)
    one = parse_duration("1 working_days")
    twice = add_duration(add_duration(start, one, calendar), one, calendar)
    assert twice == add_duration(start, parse_duration("2 working_days"), calendar)


def test_calendar_days_and_weeks() -> None:
    start = lisbon(2026, 3, 2, 10, 0)
    assert local(add_duration(start, parse_duration("3 calendar_days"), always())) == dt.datetime(
        2026, 3, 5, 23, 59, 59, 999999
    )
    assert local(add_duration(start, parse_duration("2 weeks"), always())) == dt.datetime(
        2026, 3, 16, 23, 59, 59, 999999
    )


def test_hours_are_elapsed_time_across_a_change_of_the_clocks() -> None:
    # Portugal moves from 01:00 to 02:00 on Sunday 2026-03-29: 24 hours end at 01:00 local time.
    end = add_duration(lisbon(2026, 3, 28, 1, 0), parse_duration("24 hours"), always())
    assert local(end) == dt.datetime(2026, 3, 29, 2, 0)


def test_opening_hours_carry_over_the_weekend() -> None:
    # Friday 2026-03-06 17:30: half an hour on Friday, one and a half on Monday.
    end = add_duration(lisbon(2026, 3, 6, 17, 30), parse_duration("2 opening_hours"), office())
    assert local(end) == dt.datetime(2026, 3, 9, 10, 30)


def test_opening_hours_skip_holidays_and_start_at_the_next_opening() -> None:
    # Monday 2026-11-30 20:00, closed; Tuesday 1 December is a holiday: Wednesday from 09:00.
    end = add_duration(lisbon(2026, 11, 30, 20, 0), parse_duration("3 opening_hours"), office())
    assert local(end) == dt.datetime(2026, 12, 2, 12, 0)


def test_opening_hours_follow_shorter_hours_on_an_exception() -> None:
    eve = HoursException.model_validate({"id": "eve", "date": "2026-12-24", "hours": "09:00-13:00"})
    calendar = office(exceptions=(eve,))
    # Thursday 24 December, 12:00: one hour that day; the 25th is a holiday; Monday 28 from 09:00.
    end = add_duration(lisbon(2026, 12, 24, 12, 0), parse_duration("4 opening_hours"), calendar)
    assert local(end) == dt.datetime(2026, 12, 28, 12, 0)


def test_an_always_open_channel_counts_opening_hours_as_hours() -> None:
    start = lisbon(2026, 3, 7, 10, 0)  # a Saturday
    assert add_duration(start, parse_duration("5 opening_hours"), always()) == add_duration(
        start, parse_duration("5 hours"), always()
    )


# ---------------------------------------------------------------------------------------------
# Clock rules


def clock(**fields: object) -> Clock:
    """Return clock rules."""
    return Clock.model_validate(fields)


def test_a_pause_is_not_counted() -> None:
    rules = clock(paused=[{"id": "night", "between": "00:00-08:00"}])
    # Monday 2026-03-02 20:00 + 8 hours: 4 hours until midnight, then from 08:00 to 12:00.
    end = deadline(lisbon(2026, 3, 2, 20, 0), parse_duration("8 hours"), always(), rules)
    assert local(end) == dt.datetime(2026, 3, 3, 12, 0)


def test_a_request_inside_a_pause_waits_for_its_end() -> None:
    rules = clock(paused=[{"id": "night", "between": "00:00-08:00"}])
    end = deadline(lisbon(2026, 3, 3, 3, 0), parse_duration("30 minutes"), always(), rules)
    assert local(end) == dt.datetime(2026, 3, 3, 8, 30)


def test_a_request_after_the_cutoff_counts_from_the_next_working_day() -> None:
    rules = clock(cutoff="17:00")
    # Friday 2026-03-06 17:30 counts as Monday 9: two working days end on Wednesday 11.
    start = clock_start(lisbon(2026, 3, 6, 17, 30), always(), rules)
    assert local(start) == dt.datetime(2026, 3, 9, 0, 0)
    end = deadline(lisbon(2026, 3, 6, 17, 30), parse_duration("2 working_days"), always(), rules)
    assert local(end) == dt.datetime(2026, 3, 11, 23, 59, 59, 999999)
    # Before the cut-off the same request counts from Friday: Monday and Tuesday.
    end = deadline(lisbon(2026, 3, 6, 16, 59), parse_duration("2 working_days"), always(), rules)
    assert local(end) == dt.datetime(2026, 3, 10, 23, 59, 59, 999999)


def test_a_request_after_hours_counts_from_the_next_working_day() -> None:
    rules = clock(outside_hours="next_working_day")
    # Saturday 2026-03-07 on a channel open every day: counts as received on Monday 9.
    start = clock_start(lisbon(2026, 3, 7, 11, 0), always(), rules)
    assert local(start) == dt.datetime(2026, 3, 9, 0, 0)
    # Wednesday 20:00 on an office channel: closed, so it counts from Thursday.
    start = clock_start(lisbon(2026, 3, 4, 20, 0), office(), rules)
    assert local(start) == dt.datetime(2026, 3, 5, 0, 0)
    # During opening hours nothing moves.
    assert clock_start(lisbon(2026, 3, 4, 10, 0), office(), rules) == lisbon(2026, 3, 4, 10, 0)


def test_a_request_after_hours_counts_from_the_next_opening() -> None:
    rules = clock(outside_hours="next_opening")
    start = clock_start(lisbon(2026, 3, 6, 19, 0), office(), rules)  # a Friday evening
    assert local(start) == dt.datetime(2026, 3, 9, 9, 0)
    end = deadline(lisbon(2026, 3, 6, 19, 0), parse_duration("4 hours"), office(), rules)
    assert local(end) == dt.datetime(2026, 3, 9, 13, 0)


# ---------------------------------------------------------------------------------------------
# Closure days in the twelve months after the build date


def test_closure_days_of_an_office_in_lisbon() -> None:
    eve = HoursException.model_validate(
        {"id": "eve", "date": "2026-12-24", "hours": "09:00-13:00", "reason": "Christmas Eve"}
    )
    inventory = HoursException.model_validate(
        {"id": "inventory", "date": "2027-01-04", "until": "2027-01-05"}
    )
    days = closure_days(office(exceptions=(eve, inventory)), dt.date(2026, 11, 23))
    assert days[:6] == [
        ClosureDay(dt.date(2026, 12, 1), "holiday", "Restoration of Independence Day"),
        ClosureDay(dt.date(2026, 12, 8), "holiday", "Immaculate Conception"),
        ClosureDay(dt.date(2026, 12, 24), "exception", "eve", (parse_time_range("09:00-13:00"),)),
        ClosureDay(dt.date(2026, 12, 25), "holiday", "Christmas Day"),
        ClosureDay(dt.date(2027, 1, 1), "holiday", "New Year's Day"),
        ClosureDay(dt.date(2027, 1, 4), "exception", "inventory"),
    ]
    assert days[6] == ClosureDay(dt.date(2027, 1, 5), "exception", "inventory")
    assert not days[2].closed and days[5].closed
    # Holidays on a Saturday or Sunday close nothing more: 2027-05-01 is a Saturday.
    assert dt.date(2027, 5, 1) not in [d.date for d in days]
    # Twelve months: up to 2027-11-22; the next All Saints' Day is 2027-11-01, a Monday.
    assert days[-1].date == dt.date(2027, 11, 1)
    assert all(dt.date(2026, 11, 23) <= d.date < dt.date(2027, 11, 23) for d in days)


def test_closure_days_depend_on_the_region() -> None:
    catalonia = ChannelCalendar(ZoneInfo("Europe/Madrid"), parse_holiday_calendar("ES-CT"), OFFICE)
    dates = [d.date for d in closure_days(catalonia, dt.date(2027, 1, 1))]
    assert dt.date(2027, 9, 11) not in dates  # the Diada falls on a Saturday in 2027
    assert dt.date(2027, 6, 24) in dates  # Saint John, a Thursday
    assert dt.date(2027, 12, 1) not in dates  # a Portuguese holiday only


def test_an_always_open_channel_has_no_closure_days() -> None:
    assert closure_days(always(), dt.date(2026, 11, 23)) == []


def test_twelve_months_after_the_end_of_february() -> None:
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


# ---------------------------------------------------------------------------------------------
# The worst case of internal limits against a promise


def test_worst_case_finds_a_holiday_weekend() -> None:
    limits = [parse_duration("2 working_days")]
    case = worst_case(
        limits, parse_duration("3 calendar_days"), always(), None, dt.date(2026, 3, 2)
    )
    assert case is not None
    # The first request that loses two days: Wednesday 1 April at 00:00. The promise runs to the
    # end of Saturday 4; two working days to the end of Monday 6, as Good Friday is a holiday.
    assert local(case.received) == dt.datetime(2026, 4, 1, 0, 0)
    assert local(case.promise_ends) == dt.datetime(2026, 4, 4, 23, 59, 59, 999999)
    assert local(case.step_ends[0]) == dt.datetime(2026, 4, 6, 23, 59, 59, 999999)
    assert case.excess == dt.timedelta(days=2)


def test_worst_case_is_none_when_the_limits_fit() -> None:
    limits = [parse_duration("4 hours"), parse_duration("1 working_days")]
    promise = parse_duration("2 working_days")
    assert worst_case(limits, promise, always(), None, dt.date(2026, 3, 2)) is None


def test_a_pause_window_is_a_time_range() -> None:
    rules = clock(paused=[{"id": "night", "between": "00:00-08:00"}])
    assert rules.paused[0].between == TimeRange(
        parse_time_range("00:00-08:00").opens, parse_time_range("00:00-08:00").closes
    )


@pytest.mark.parametrize(
    ("limits", "promise"),
    [
        (["2 hours", "4 hours", "5 working_days", "2 working_days"], "6 working_days"),
        (["4 opening_hours", "2 hours"], "8 hours"),
        (["1 hours", "3 opening_hours"], "4 hours"),
    ],
)
def test_trying_each_kind_of_day_once_finds_the_same_worst_case(
    limits: list[str], promise: str
) -> None:
    eve = HoursException.model_validate({"id": "eve", "date": "2026-12-24", "hours": "09:00-13:00"})
    calendar = office(exceptions=(eve,))
    rules = clock(cutoff="17:00", outside_hours="next_working_day")
    durations = [parse_duration(d) for d in limits]
    build_date = dt.date(2026, 11, 23)
    every_moment = candidate_moments(calendar, rules, build_date, dt.date(2027, 11, 22))
    found = worst_case(durations, parse_duration(promise), calendar, rules, build_date)
    assert found is not None
    assert found == worst_case(
        durations, parse_duration(promise), calendar, rules, build_date, every_moment
    )


# ---------------------------------------------------------------------------------------------
# Holiday names, in the published languages, whatever the machine's locale


@pytest.mark.parametrize(
    ("calendar", "language", "day", "name"),
    [
        ("PT", "pt-PT", dt.date(2026, 4, 25), "Dia da Liberdade"),
        ("PT", "en", dt.date(2026, 4, 25), "Freedom Day"),
        ("PT", "ca", dt.date(2026, 4, 25), "Freedom Day"),  # no Catalan names for Portugal
        ("ES-CT", "ca", dt.date(2026, 9, 11), "Diada Nacional de Catalunya"),
        ("CZ", "cs", dt.date(2026, 10, 28), "Den vzniku samostatného československého státu"),
        ("RO", "ro", dt.date(2026, 12, 1), "Ziua Națională a României"),
        ("GB", "en", dt.date(2026, 12, 26), "Boxing Day"),
    ],
)
def test_holiday_names_in_a_published_language(
    monkeypatch: pytest.MonkeyPatch, calendar: str, language: str, day: dt.date, name: str
) -> None:
    monkeypatch.setenv("LANG", "pt_PT.UTF-8")  # the package would follow it if not told
    holidays = parse_holiday_calendar(calendar)
    code = holiday_language(holidays, language)
    assert public_holidays(holidays, day.year, code)[day] == name


def test_closure_days_are_named_in_the_language_asked_for() -> None:
    days = closure_days(office(), dt.date(2026, 11, 23), "pt-PT")
    assert days[0] == ClosureDay(dt.date(2026, 12, 1), "holiday", "Restauração da Independência")
    assert closure_days(office(), dt.date(2026, 11, 23))[0].name == (
        "Restoration of Independence Day"
    )


def test_closure_days_of_every_channel_of_a_charter(tmp_path: Path) -> None:
    site = outcome(make_site(tmp_path)).site
    assert site is not None
    found = channel_closures(site.charters["desk"].charter, site.config, dt.date(2026, 11, 23))
    assert list(found) == ["phone", "email"]
    assert found["email"] == []  # always open
    assert (
        ClosureDay(
            dt.date(2026, 12, 24), "exception", "christmas-eve", (parse_time_range("09:00-13:00"),)
        )
        in found["phone"]
    )
