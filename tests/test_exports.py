"""Exports: each charter as JSON, each channel's hours and closures as iCalendar, parsed back and
compared with the YAML they come from."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from charterpress import exports, i18n
from charterpress.calendars import ChannelCalendar, closure_days
from charterpress.cli import main
from charterpress.languages import BY_CODE
from charterpress.model import internal_fields
from charterpress.validate import ValidatedSite, validate_site

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 23)
EN = BY_CODE["en"]


@pytest.fixture(scope="module")
def example() -> ValidatedSite:
    """Return the example site, validated on the pinned build date."""
    outcome = validate_site(REPO, TODAY)
    assert outcome.site is not None
    return outcome.site


def raw(path: str) -> Any:
    """Return a source file of the example site as plain YAML data."""
    return yaml.load((REPO / path).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


# ---------------------------------------------------------------------------------------------
# JSON


def test_charter_json_matches_the_yaml(example: ValidatedSite) -> None:
    data = json.loads(exports.charter_json(example, "online", EN, TODAY))
    source = raw("charter/online.yml")
    assert data["format"] == "charterpress-charter"
    assert data["format_version"] == 1
    assert (data["id"], data["language"], data["build_date"]) == ("online", "en", "2026-11-23")
    assert data["version_in_force"] == "2.0"
    charter = data["charter"]
    assert charter["title"] == source["title"]
    assert " ".join(charter["summary"].split()) == " ".join(source["summary"].split())
    assert [c["id"] for c in charter["channels"]] == [c["id"] for c in source["channels"]]
    assert [c["id"] for c in charter["commitments"]] == [c["id"] for c in source["commitments"]]
    es = next(c for c in charter["channels"] if c["id"] == "phone-es-ct")
    assert es["hours"]["monday"] == [
        {"opens": "09:00", "closes": "14:00"},
        {"opens": "15:00", "closes": "19:00"},
    ]
    assert es["hours"]["sunday"] == []
    assert es["exceptions"][0]["date"] == "2026-12-24"
    assert es["holidays"] == "ES-CT"


def test_durations_and_money_are_structured(example: ValidatedSite) -> None:
    charter = json.loads(exports.charter_json(example, "online", EN, TODAY))["charter"]
    source = {c["id"]: c for c in raw("charter/online.yml")["commitments"]}
    for commitment in charter["commitments"]:
        target, written = commitment["target"], source[commitment["id"]]["target"]
        assert target["kind"] == written["kind"]
        for key in ("within", "at_most"):
            if key in written:
                # Written '2 working_days', or as a mapping {amount: 10, unit: minutes}.
                value = written[key]
                amount, unit = (
                    (value["amount"], value["unit"]) if isinstance(value, dict) else value.split()
                )
                assert target[key] == {"amount": int(amount), "unit": unit}
    paid = [c["compensation"] for c in charter["commitments"] if c["compensation"]]
    assert paid, "the example has compensation"
    assert {"currency"} <= set(paid[0])
    procedure_money = exports.plain(example.procedures["solve_problem"].procedure.authority)
    assert procedure_money[0]["up_to"][0] == {"amount": 300, "currency": "EUR"}


def test_results_are_included_with_their_period(example: ValidatedSite) -> None:
    results = json.loads(exports.charter_json(example, "shops", EN, TODAY))["results"]
    periods = [r["period"] for r in results]
    assert {"id": "2026-q1", "start": "2026-01-01", "end": "2026-03-31"} in periods
    q1 = next(r for r in results if r["period"]["id"] == "2026-q1")
    written = raw("charter/results/shops/2026-q1.yml")
    assert [c["id"] for c in q1["commitments"]] == [c["id"] for c in written["commitments"]]
    assert q1["commitments"][0]["value"] == {"amount": 9, "unit": "minutes"}
    assert q1["commitments"][2]["value"] == 98.9


def _values_at(data: Any, path: tuple[str, ...]) -> list[Any]:
    if not path:
        return [data]
    head, rest = path[0], path[1:]
    if head == "*":
        return [v for item in (data or []) for v in _values_at(item, rest)]
    if isinstance(data, dict) and head in data:
        return _values_at(data[head], rest)
    return []


def test_no_internal_field_reaches_the_json(example: ValidatedSite) -> None:
    from charterpress.model import Charter, ResultSet

    text = exports.charter_json(example, "online", EN, TODAY)
    charter_raw = raw("charter/online.yml")
    secrets = [
        v
        for path in internal_fields(Charter)
        for v in _values_at(charter_raw, path)
        if isinstance(v, str)
    ]
    assert len(secrets) > 10  # internal notes, data sources, owners' e-mail addresses
    for secret in secrets:
        assert " ".join(secret.split()) not in text, secret
    for result in (
        raw("charter/results/shops/2026-q1.yml"),
        raw("charter/results/online/2026-q1.yml"),
    ):
        for path in internal_fields(ResultSet):
            for v in _values_at(result, path):
                assert " ".join(v.split())[:60] not in text
    assert '"internal_notes"' not in text
    assert '"data_source"' not in text


def test_the_json_is_stable_and_sorted(example: ValidatedSite) -> None:
    first = exports.charter_json(example, "shops", EN, TODAY)
    assert first == exports.charter_json(example, "shops", EN, TODAY)
    data = json.loads(first)
    assert first == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_the_json_is_translated(tmp_path: Path) -> None:
    """A charter translated in a catalog is exported in that language; the rest falls back."""
    site = tmp_path / "site"
    env = {"SOURCE_DATE_EPOCH": ""}
    runner = CliRunner()
    for args in (
        ["init", str(site), "--lang", "en", "--languages", "en,pt-PT", "--today", "2026-11-23"],
        ["i18n", "extract", "--site", str(site)],
        ["i18n", "update", "--site", str(site)],
    ):
        result = runner.invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    po = site / "locales" / "pt_PT" / "LC_MESSAGES" / "content.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="pt_PT")
    for message in catalog:
        if message.id == "Our customer service promise":
            message.string = "A nossa promessa de atendimento"
    with po.open("wb") as handle:
        write_po(handle, catalog)

    outcome = validate_site(site, TODAY)
    assert outcome.site is not None
    catalogs, problems = i18n.load_content_catalogs(outcome.site)
    assert problems == []
    portuguese = BY_CODE["pt-PT"]
    translated, _ = i18n.translate_site(outcome.site, portuguese, catalogs)
    data = json.loads(exports.charter_json(translated, "customer-service", portuguese, TODAY))
    assert data["language"] == "pt-PT"
    assert data["source_language"] == "en"
    assert data["charter"]["title"] == "A nossa promessa de atendimento"
    assert (
        data["charter"]["scope"] == "This charter covers our telephone line and our e-mail address."
    )


# ---------------------------------------------------------------------------------------------
# iCalendar


def parse(example: ValidatedSite, charter: str, channel: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(exports.channel_ical(example, charter, channel, EN, TODAY))


def events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def test_weekly_hours_are_recurring_events_in_the_channel_time_zone(
    example: ValidatedSite,
) -> None:
    calendar = parse(example, "online", "phone-es-ct")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Madrid"]
    madrid = ZoneInfo("Europe/Madrid")
    weekly = [e for e in events(calendar) if "RRULE" in e]
    # From the YAML: Mon-Fri 09:00-14:00 and 15:00-19:00; Saturday 10:00-14:00.
    found = {
        (
            e.decoded("DTSTART").strftime("%H:%M"),
            e.decoded("DTEND").strftime("%H:%M"),
            tuple(e["RRULE"]["BYDAY"]),
        )
        for e in weekly
    }
    assert found == {
        ("09:00", "14:00", ("MO", "TU", "WE", "TH", "FR")),
        ("15:00", "19:00", ("MO", "TU", "WE", "TH", "FR")),
        ("10:00", "14:00", ("SA",)),
    }
    for event in weekly:
        start = event.decoded("DTSTART")
        assert (
            start.tzinfo is not None and start.utcoffset() == start.astimezone(madrid).utcoffset()
        )
        assert str(event["DTSTART"].params["TZID"]) == "Europe/Madrid"
        assert start.date() >= TODAY
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]


def test_closures_are_all_day_events_from_the_closure_computation(
    example: ValidatedSite,
) -> None:
    channel = next(c for c in example.charters["online"].charter.channels if c.id == "phone-es-ct")
    expected = closure_days(ChannelCalendar.for_channel(channel, example.config), TODAY, "en")
    assert expected, "the Catalan line has holidays in the coming year"
    calendar = parse(example, "online", "phone-es-ct")
    all_day = [
        e
        for e in events(calendar)
        if isinstance(e.decoded("DTSTART"), dt.date)
        and not isinstance(e.decoded("DTSTART"), dt.datetime)
    ]
    assert [e.decoded("DTSTART") for e in all_day] == [c.date for c in expected]
    for event, closure in zip(all_day, expected, strict=True):
        assert event.decoded("DTEND") == closure.date + dt.timedelta(days=1)
        summary = str(event["SUMMARY"])
        assert summary.startswith("Customer service line, Catalonia: ")
        if closure.closed:
            assert "Closed" in summary and closure.name in summary
    christmas_eve = next(e for e in all_day if e.decoded("DTSTART") == dt.date(2026, 12, 24))
    assert str(christmas_eve["SUMMARY"]) == (
        "Customer service line, Catalonia: 09:00-14:00 (Christmas Eve.)"
    )
    # Its own hours, as a timed event; and the weekly series skips that day.
    timed = [
        e
        for e in events(calendar)
        if "RRULE" not in e
        and isinstance(e.decoded("DTSTART"), dt.datetime)
        and e.decoded("DTSTART").date() == dt.date(2026, 12, 24)
    ]
    assert [(e.decoded("DTSTART").hour, e.decoded("DTEND").hour) for e in timed] == [(9, 14)]
    morning = next(e for e in events(calendar) if "RRULE" in e and "0900-1400" in str(e["UID"]))
    skipped = {d.dt.date() for exdate in _as_list(morning["EXDATE"]) for d in exdate.dts}
    weekdays = {c.date for c in expected if c.date.weekday() < 5}
    assert skipped == weekdays


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_uids_are_stable_and_unique_and_no_wall_clock(example: ValidatedSite) -> None:
    first = exports.channel_ical(example, "shops", "shop-lisboa", EN, TODAY)
    assert first == exports.channel_ical(example, "shops", "shop-lisboa", EN, TODAY)
    calendar = icalendar.Calendar.from_ical(first)
    uids = [str(e["UID"]) for e in events(calendar)]
    assert len(uids) == len(set(uids))
    assert all(uid.startswith("shops.shop-lisboa.") for uid in uids)
    assert all(uid.endswith("@charter.casalumen.example") for uid in uids)
    stamps = {e.decoded("DTSTAMP") for e in events(calendar)}
    assert stamps == {dt.datetime(2026, 11, 23, tzinfo=dt.UTC)}
    # A later build date moves the closures, not the ids of the weekly series.
    later = icalendar.Calendar.from_ical(
        exports.channel_ical(example, "shops", "shop-lisboa", EN, dt.date(2027, 2, 1))
    )
    weekly = sorted(str(e["UID"]) for e in events(calendar) if "RRULE" in e)
    assert weekly == sorted(str(e["UID"]) for e in events(later) if "RRULE" in e)


def test_the_calendar_is_in_the_language_asked(example: ValidatedSite) -> None:
    portuguese = BY_CODE["pt-PT"]
    text = exports.channel_ical(example, "online", "phone-pt", portuguese, TODAY).decode()
    calendar = icalendar.Calendar.from_ical(text)
    names = [str(e["SUMMARY"]) for e in events(calendar) if "Encerrado" in str(e["SUMMARY"])]
    # Portugal's holidays, named in Portuguese by the holidays package.
    assert any("Dia de Natal" in name for name in names), names


def test_site_exports_lists_every_charter_and_every_channel_with_hours(
    example: ValidatedSite,
) -> None:
    files = exports.site_exports(example, EN, TODAY)
    expected = {f"exports/{c}.json" for c in example.charters}
    for charter_id, source in example.charters.items():
        expected |= {f"exports/{charter_id}-{c.id}.ics" for c in source.charter.channels if c.hours}
    assert set(files) == expected
    assert "exports/online-email.ics" not in files  # always open: no hours to export
    assert all(isinstance(v, bytes) for v in files.values())


def test_the_build_publishes_the_exports_of_every_language(example_build: Path) -> None:
    folder = example_build / "public" / "cs" / "exports"
    charter = json.loads((folder / "online.json").read_text(encoding="utf-8"))
    assert charter["language"] == "cs"
    assert charter["charter"]["title"].startswith("Co vám slibujeme")
    calendar = icalendar.Calendar.from_ical((folder / "online-phone-cz.ics").read_bytes())
    assert calendar.walk("VEVENT")
    for segment in ("en", "pt", "ca", "ro"):
        assert (example_build / "public" / segment / "exports" / "shops.json").is_file()
    assert not (example_build / "handbook" / "cs" / "exports").exists()
