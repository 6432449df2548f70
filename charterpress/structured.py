"""Structured data for search engines: JSON-LD (schema.org) on the charter pages.

The organisation publishing a charter is an `Organization` whose `contactPoint`s are the
charter's channels: telephone, e-mail or web address, languages served, weekly opening hours
(`hoursAvailable`) and the days with other hours (`specialOpeningHoursSpecification`: the
channel's exceptions as written in the YAML, and the public holidays of the coming twelve months
on which it closes). Everything comes from the model, in the page's language.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

from . import languages
from .model import WEEKDAYS, Address, Channel, ChannelKind, Charter, SiteConfig
from .render import PageStore, charter_inputs, contact_href, holiday_closures, public_view
from .values import TimeRange

SCHEMA = "https://schema.org"
# The build cache's stage of each charter's JSON-LD (see render.PageStore).
JSON_LD_STAGE = "render-json-ld"
# The pages of a charter that carry its structured data (see render.CHARTER_PAGES).
JSON_LD_PAGES = ("index", "channels")
# A channel that is always available: schema.org's convention for a whole day.
WHOLE_DAY = ("00:00", "23:59")
# schema.org's convention for a day closed: opens and closes at midnight.
CLOSED = ("00:00", "00:00")


def _day(name: str) -> str:
    return f"{SCHEMA}/{name.capitalize()}"


def _hours(opens: str, closes: str, days: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"@type": "OpeningHoursSpecification"}
    if days is not None:
        spec["dayOfWeek"] = days
    spec["opens"], spec["closes"] = opens, closes
    return spec


def weekly_hours(channel: Channel) -> list[dict[str, Any]]:
    """Return a channel's weekly hours: one specification per time range, with its days."""
    if channel.hours is None:
        return [_hours(*WHOLE_DAY, [_day(day) for day in WEEKDAYS])]
    by_range: dict[tuple[str, str], list[str]] = {}
    for day in WEEKDAYS:
        for interval in sorted(getattr(channel.hours, day)):
            by_range.setdefault((str(interval.opens), str(interval.closes)), []).append(_day(day))
    return [_hours(opens, closes, days) for (opens, closes), days in by_range.items()]


def _special(
    start: dt.date, end: dt.date, ranges: tuple[TimeRange, ...] | list[TimeRange]
) -> list[dict[str, Any]]:
    """Return the specifications of a run of days: closed, or one per time range."""
    specs = (
        [_hours(*CLOSED)]
        if not ranges
        else [_hours(str(r.opens), str(r.closes)) for r in sorted(ranges)]
    )
    for spec in specs:
        spec["validFrom"], spec["validThrough"] = start.isoformat(), end.isoformat()
    return specs


def special_hours(channel: Channel, config: SiteConfig, today: dt.date) -> list[dict[str, Any]]:
    """Return a channel's exceptions (as written) and its public-holiday closures, by date."""
    found: list[tuple[dt.date, list[dict[str, Any]]]] = []
    for exception in channel.exceptions:
        end = exception.until or exception.date
        found.append((exception.date, _special(exception.date, end, exception.hours)))
    exception_days = {
        exception.date + dt.timedelta(days=n)
        for exception in channel.exceptions
        for n in range(((exception.until or exception.date) - exception.date).days + 1)
    }
    for closure in holiday_closures(channel, config, today):
        if closure.date not in exception_days:
            found.append((closure.date, _special(closure.date, closure.date, closure.hours)))
    return [spec for _, specs in sorted(found, key=lambda item: item[0]) for spec in specs]


def contact_point(channel: Channel, config: SiteConfig, today: dt.date) -> dict[str, Any]:
    """Return a channel as a schema.org ContactPoint (a PostalAddress for a place)."""
    place = channel.kind in (ChannelKind.IN_PERSON, ChannelKind.POST)
    point: dict[str, Any] = {
        # A PostalAddress is a ContactPoint that has an address.
        "@type": "PostalAddress" if place else "ContactPoint",
        "name": str(channel.name),
        "contactType": "customer service",
    }
    href = contact_href(channel)
    if channel.kind is ChannelKind.PHONE:
        point["telephone"] = channel.address
    elif channel.kind is ChannelKind.EMAIL:
        point["email"] = channel.address
    elif channel.postal_address is not None:
        point.update(postal_address(channel.postal_address))
        if channel.phone is not None:
            point["telephone"] = channel.phone
    elif href is not None:
        point["url"] = href
    if channel.languages:
        point["availableLanguage"] = [_bcp47(code) for code in channel.languages]
    point["hoursAvailable"] = weekly_hours(channel)
    special = special_hours(channel, config, today)
    if special:
        point["specialOpeningHoursSpecification"] = special
    return point


def postal_address(address: Address) -> dict[str, str]:
    """Return the schema.org PostalAddress properties of an address; the country as its code."""
    street = ", ".join(str(p) for p in (address.street, address.street_2) if p)
    found = {
        "streetAddress": street,
        "postalCode": str(address.postal_code),
        "addressLocality": str(address.city),
    }
    if address.region is not None:
        found["addressRegion"] = str(address.region)
    found["addressCountry"] = address.country
    return found


def _bcp47(code: str) -> str:
    language = languages.lookup(code)
    return language.bcp47 if language is not None else code


def organisation(
    config: SiteConfig, charter: Charter, today: dt.date, page_url: str | None = None
) -> dict[str, Any]:
    """Return the schema.org Organization of a charter: the publisher and its channels."""
    org = config.organisation
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Organization",
        "name": str(org.name),
        "legalName": str(org.legal_name),
    }
    if org.website is not None:
        data["url"] = str(org.website)
    if org.address is not None:
        data["address"] = {"@type": "PostalAddress", **postal_address(org.address)}
    if page_url is not None:
        data["subjectOf"] = {"@type": "WebPage", "url": page_url, "name": str(charter.title)}
    data["contactPoint"] = [
        contact_point(channel, config, today) for channel in public_view(charter).channels
    ]
    return data


# Inside <script>, "</script>" or "<!--" would end or change the script: every <, > and & is
# written as a JSON escape, which JSON parsers read back as the same character. U+2028 and
# U+2029 are escaped too, for scripts that treat JSON as JavaScript.
_SCRIPT_SAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: Mapping[str, Any]) -> str:
    """Return DATA as JSON that is safe to print inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    return "".join(_SCRIPT_SAFE.get(char, char) for char in text)


def charter_pages_json_ld(
    config: SiteConfig,
    charters: Mapping[str, Charter],
    today: dt.date,
    address: Callable[[str], str],
    store: PageStore | None = None,
) -> dict[str, str]:
    """Return, per page path ("shops/index.md"), the JSON-LD text of each charter's pages.

    ADDRESS maps a page path to its absolute address. With a STORE, a charter's JSON-LD comes
    from the cache when its inputs did not change.
    """
    found: dict[str, str] = {}
    for charter_id, charter in charters.items():
        addresses = {f"{charter_id}/{stem}.md": "" for stem in JSON_LD_PAGES}
        for path in addresses:
            addresses[path] = address(path)
        make = functools.partial(_charter_json_ld, config, charter, today, addresses)
        if store is None:
            found.update(make())
            continue
        # Settings, language and date are in the edition's key; the addresses are hashed as
        # they are, so no assumption is made on how ADDRESS makes them.
        own = ("json-ld", store.keys.edition, *charter_inputs(store.keys, charter_id))
        found.update(store.render(charter_id, (*own, *addresses.values()), make))
    return found


def _charter_json_ld(
    config: SiteConfig, charter: Charter, today: dt.date, addresses: Mapping[str, str]
) -> dict[str, str]:
    """Return the JSON-LD text of one charter's pages, by page path."""
    return {
        path: script_json(organisation(config, charter, today, url))
        for path, url in addresses.items()
    }
