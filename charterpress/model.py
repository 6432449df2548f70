"""The typed model of a charter site: site settings, charters, channels and commitments.

Conventions, which the translation extractor, the public build and the JSON Schema rely on:

* Every model forbids unknown keys (an unknown key is usually a typo).
* Every text that readers see is ``Text`` (translatable); names and codes are ``PlainText``.
* Every list item that holds translatable text has an ``id``, so a text's key path is made of ids
  and field names, never of list indexes.
* Fields for staff only are annotated ``InternalOnly()``; the public build enumerates and drops
  them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .values import (
    Amount,
    AssetPath,
    Colour,
    CountryCode,
    DayHours,
    Duration,
    DurationField,
    Email,
    HolidayCalendarField,
    Id,
    InternalOnly,
    LanguageCode,
    Measure,
    MoneyField,
    Percent,
    Phone,
    PlainText,
    Text,
    TimeOfDayField,
    TimeRangeField,
    TimeZone,
    Translatable,
    Url,
    _fail,
)
from .values import Date as Date


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------------
# site_config.yml


class Address(Strict):
    """A postal address, printed in the order of its country's convention."""

    recipient: Text | None = Field(
        None, description="Who letters go to, e.g. 'Customer Relations' (translated)."
    )
    street: PlainText = Field(description="Street and number.")
    street_2: PlainText | None = Field(
        None, description="A second street line: building, block, sector."
    )
    directions: Text | None = Field(
        None, description="How to find the door, e.g. '2nd floor' (translated)."
    )
    postal_code: PlainText = Field(description="Postal code, in quotes (it may start with 0).")
    city: PlainText = Field(description="The locality, as written on letters.")
    region: PlainText | None = Field(None, description="A region or state, where letters need it.")
    country: CountryCode = Field(
        description="ISO 3166-1 alpha-2 code, e.g. PT; pages name the country in their language."
    )


class Organisation(Strict):
    """Who publishes the charters."""

    name: PlainText = Field(description="The name customers know, shown in the header.")
    legal_name: PlainText = Field(description="The registered legal name, shown in the footer.")
    address: Address | None = Field(None, description="Postal address of the head office.")
    website: Url | None = Field(None, description="The organisation's main website.")


class Branding(Strict):
    """The site's look: logo, favicon and colours."""

    logo: AssetPath | None = Field(None, description="Logo file, relative to the site folder.")
    favicon: AssetPath | None = Field(None, description="Favicon, relative to the site folder.")
    primary_colour: Colour = Field("#1f5f8b", description="Header and link colour, '#RRGGBB'.")
    accent_colour: Colour = Field("#c2570c", description="Accent colour, '#RRGGBB'.")


class LegalLinks(Strict):
    """Links every public page carries in its footer."""

    imprint: Url | None = Field(None, description="Imprint or legal notice.")
    privacy: Url | None = Field(None, description="Privacy policy.")
    accessibility: Url | None = Field(None, description="Accessibility statement.")


class FooterLink(Strict):
    """An extra link in the footer."""

    id: Id
    label: Text = Field(description="The link's text.")
    url: Url


class Footer(Strict):
    """The footer of every public page."""

    legal: LegalLinks = Field(default_factory=LegalLinks)
    links: list[FooterLink] = Field(default_factory=list)
    max_contacts: int = Field(
        20,
        ge=0,
        description="The most contact points the footer lists; a site with more gets a "
        "contacts page, which the footer links to instead.",
    )


class SiteConfig(Strict):
    """site_config.yml: the settings of the whole site."""

    organisation: Organisation
    base_url: Url = Field(
        description="Where the public site is published, e.g. https://www.example.com/charter/."
    )
    source_language: LanguageCode = Field(
        description="The language the charters are written "
        "in; every other language is translated from it."
    )
    languages: list[LanguageCode] = Field(
        min_length=1, description="Published languages, in the order of the language selector."
    )
    time_zone: TimeZone = Field(description="Default time zone of channels, e.g. Europe/Lisbon.")
    holidays: HolidayCalendarField = Field(
        description="Default public-holiday calendar of "
        "channels: a country code, optionally with a "
        "subdivision (PT, ES-CT, CZ, RO, GB)."
    )
    branding: Branding = Field(default_factory=Branding)
    footer: Footer = Field(default_factory=Footer)
    output_dir: PlainText = Field(
        "site", description="Output folder, relative to the site folder; --out overrides it."
    )

    @model_validator(mode="after")
    def _source_language_is_published(self) -> SiteConfig:
        if self.source_language not in self.languages:
            raise _fail(
                "inconsistent",
                "the source language {value} is not among the published languages",
                "add it to 'languages'",
                value=self.source_language,
                field="source_language",
            )
        if len(set(self.languages)) != len(self.languages):
            raise _fail(
                "inconsistent",
                "a language is listed twice in 'languages'",
                "list each language once",
                field="languages",
            )
        return self


# ---------------------------------------------------------------------------------------------
# Charters: who we serve and what we value


class Statement(Strict):
    """One sentence of a list: a right, a duty, a need."""

    id: Id
    text: Text


class Segment(Strict):
    """A group of customers and what they need (first-time, repeat, long-term...)."""

    id: Id
    name: Text
    description: Text | None = None
    needs: list[Statement] = Field(
        default_factory=list, description="What these customers need from us."
    )


class ServiceValue(Strict):
    """One named service value or standard (friendliness, promptness, empathy...)."""

    id: Id
    name: Text
    description: Text


class ValueSet(Strict):
    """A named, open set of service values and where it comes from.

    The sources disagree on what 'the four standards' or 'the seven standards' are, so the sets
    are data, never a fixed list in the code.
    """

    id: Id
    title: Text
    source: Text | None = Field(
        None, description="Where the set comes from, e.g. a standard or an article."
    )
    values: list[ServiceValue] = Field(min_length=1)


class Owner(Strict):
    """Who answers for a charter or a procedure."""

    role: Text = Field(description="The role, e.g. Head of Customer Service.")
    name: PlainText | None = None
    email: Annotated[Email | None, InternalOnly()] = Field(
        None, description="Staff only: a personal address is never published."
    )


# ---------------------------------------------------------------------------------------------
# Channels


class ChannelKind(StrEnum):
    """How customers reach us."""

    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    WEB_FORM = "web_form"
    IN_PERSON = "in_person"
    POST = "post"
    SOCIAL_MEDIA = "social_media"
    APP = "app"
    VIDEO = "video"


class WeeklyHours(Strict):
    """Opening hours per weekday; a day that is not listed is closed."""

    monday: DayHours = Field(default_factory=list)
    tuesday: DayHours = Field(default_factory=list)
    wednesday: DayHours = Field(default_factory=list)
    thursday: DayHours = Field(default_factory=list)
    friday: DayHours = Field(default_factory=list)
    saturday: DayHours = Field(default_factory=list)
    sunday: DayHours = Field(default_factory=list)

    @model_validator(mode="after")
    def _intervals_do_not_overlap(self) -> WeeklyHours:
        if not any(getattr(self, day) for day in WEEKDAYS):
            raise _fail(
                "inconsistent",
                "the channel is never open: no day has opening hours",
                "write the hours of the days it is open; remove 'hours' for a channel that is "
                "always available",
            )
        for day in WEEKDAYS:
            intervals = sorted(getattr(self, day))
            for before, after in itertools.pairwise(intervals):
                if after.opens < before.closes:
                    raise _fail(
                        "inconsistent",
                        "on {day} the intervals {a} and {b} overlap",
                        "merge them into one interval",
                        day=day,
                        a=str(before),
                        b=str(after),
                        field=day,
                    )
        return self


WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class HoursException(Strict):
    """A day or a run of days with other hours than usual (closed, or shorter hours)."""

    id: Id
    date: Date = Field(description="The first day, YYYY-MM-DD.")
    until: Date | None = Field(None, description="The last day, if the exception lasts longer.")
    hours: DayHours = Field(
        default_factory=list, description="Hours on those days; empty or absent means closed."
    )
    reason: Text | None = None

    @model_validator(mode="after")
    def _until_after_date(self) -> HoursException:
        if self.until is not None and self.until < self.date:
            raise _fail(
                "inconsistent",
                "the exception ends ({until}) before it starts ({start})",
                "write the first day in 'date' and the last day in 'until'",
                until=str(self.until),
                start=str(self.date),
                field="until",
            )
        return self


class Channel(Strict):
    """A way to reach us, when it is open, and for whom."""

    id: Id
    kind: ChannelKind
    name: Text
    address: PlainText | None = Field(
        None,
        description="The number, e-mail address or URL customers use, as fits the kind; "
        "a shop or a postal channel has a postal_address instead.",
    )
    postal_address: Address | None = Field(
        None, description="Where a shop is, or where letters go: in_person and post channels."
    )
    phone: Phone | None = Field(None, description="A shop's telephone number (in_person only).")
    time_zone: TimeZone | None = Field(None, description="Defaults to the site's time zone.")
    holidays: HolidayCalendarField | None = Field(
        None,
        description="Public holidays on which "
        "the channel is closed; defaults to the "
        "site's calendar.",
    )
    hours: WeeklyHours | None = Field(
        None, description="Opening hours; absent means always available."
    )
    exceptions: list[HoursException] = Field(default_factory=list)
    languages: list[LanguageCode] = Field(
        default_factory=list, description="Languages in which customers are served."
    )
    accessibility: Text | None = Field(
        None, description="How the channel serves people with disabilities."
    )
    cost: Text | None = Field(
        None, description="What contacting us this way costs, e.g. the price of a call."
    )
    response_commitment: Id | None = Field(
        None, description="The commitment that sets this channel's response time."
    )

    @model_validator(mode="after")
    def _address_fits_kind(self) -> Channel:
        from .values import _check_email, _check_phone, _check_url

        if self.kind in PLACE_KINDS:
            return self._postal_address_fits()
        if self.postal_address is not None:
            raise _fail(
                "inconsistent",
                "a {channel_kind} channel has no postal address",
                "remove 'postal_address'; write the number, e-mail address or URL in 'address'",
                channel_kind=self.kind.value,
                field="postal_address",
            )
        if self.phone is not None:
            raise _fail(
                "inconsistent",
                "'phone' belongs to a shop (in_person channel), not to a {channel_kind} channel",
                "make the number a channel of its own, with kind: phone",
                channel_kind=self.kind.value,
                field="phone",
            )
        if self.address is None:
            raise _fail(
                "inconsistent",
                "a {channel_kind} channel needs 'address': the place customers use to reach it",
                "add 'address:' with the number, e-mail address or URL",
                channel_kind=self.kind.value,
            )
        check = {
            ChannelKind.PHONE: _check_phone,
            ChannelKind.EMAIL: _check_email,
            ChannelKind.CHAT: _check_url,
            ChannelKind.WEB_FORM: _check_url,
            ChannelKind.SOCIAL_MEDIA: _check_url,
            ChannelKind.APP: _check_url,
            ChannelKind.VIDEO: _check_url,
        }[self.kind]
        try:
            check(self.address)
        except PydanticCustomError as exc:
            raise _fail(
                "format", exc.message(), (exc.context or {}).get("hint", ""), field="address"
            ) from None
        return self

    def _postal_address_fits(self) -> Channel:
        """Check a shop or postal channel: a postal address in parts, a phone only for a shop."""
        if self.address is not None:
            # The single-line form of earlier versions: its country could not be translated.
            raise _fail(
                "format",
                "the address of a {channel_kind} channel is written in parts, "
                "under 'postal_address'",
                "replace 'address: ...' with 'postal_address:' holding street, postal_code, "
                "city and country (an ISO code such as PT); see docs/reference.md",
                channel_kind=self.kind.value,
                field="address",
            )
        if self.postal_address is None:
            raise _fail(
                "inconsistent",
                "a {channel_kind} channel needs 'postal_address'",
                "add 'postal_address:' with street, postal_code, city and country",
                channel_kind=self.kind.value,
            )
        if self.phone is not None and self.kind is not ChannelKind.IN_PERSON:
            raise _fail(
                "inconsistent",
                "'phone' belongs to a shop (in_person channel), not to a post channel",
                "make the number a channel of its own, with kind: phone",
                field="phone",
            )
        return self


# Channels that are a place: a shop to visit, or an address to write to.
PLACE_KINDS = frozenset({ChannelKind.IN_PERSON, ChannelKind.POST})


# ---------------------------------------------------------------------------------------------
# Commitments


class PercentWithin(Strict):
    """At least PERCENT of cases within a timeframe: '90% of e-mails within 2 working days'."""

    kind: Literal["percent_within"]
    percent: Percent
    within: DurationField


class EveryCase(Strict):
    """A guarantee for every case: 'every complaint acknowledged within 1 working day'."""

    kind: Literal["every_case"]
    within: DurationField


class AverageAtMost(Strict):
    """An average no longer than a duration: 'average wait under 60 seconds'."""

    kind: Literal["average"]
    at_most: DurationField


class MaximumAtMost(Strict):
    """A maximum: 'no one waits in a shop longer than 15 minutes'."""

    kind: Literal["maximum"]
    at_most: DurationField


class Availability(Strict):
    """An availability: 'the web shop is available 99.5% of the time'."""

    kind: Literal["availability"]
    percent: Percent


class RateAtMost(Strict):
    """A lower-is-better rate: 'fewer than 2% of orders arrive damaged'."""

    kind: Literal["rate_at_most"]
    percent: Percent


Target = Annotated[
    PercentWithin | EveryCase | AverageAtMost | MaximumAtMost | Availability | RateAtMost,
    Field(discriminator="kind"),
]


def timeframe(
    target: PercentWithin | EveryCase | AverageAtMost | MaximumAtMost | Availability | RateAtMost,
) -> Duration | None:
    """Return the time a target allows, or None for targets that are not about time."""
    if isinstance(target, PercentWithin | EveryCase):
        return target.within
    if isinstance(target, AverageAtMost | MaximumAtMost):
        return target.at_most
    return None


class TargetChange(Strict):
    """A target that replaces the commitment's target from a date on."""

    id: Id
    effective: Date = Field(description="The first day on which the new target applies.")
    target: Target
    note: Text | None = Field(None, description="Why the target changes.")


# Clocks: when a timeframe starts counting, and when it stops.


class ClockStart(StrEnum):
    """The event from which a timeframe is counted."""

    RECEIPT = "receipt"  # the request reaches us
    COMPLETE_REQUEST = "complete_request"  # we hold everything we need to act
    ACKNOWLEDGEMENT = "acknowledgement"  # we have confirmed receipt
    ORDER = "order"  # the order is placed
    DELIVERY = "delivery"  # the goods are delivered


class OutsideHours(StrEnum):
    """What happens to a request that arrives while the channel is closed."""

    COUNTS = "counts"  # the clock starts at once
    NEXT_OPENING = "next_opening"  # the clock starts when the channel next opens
    NEXT_WORKING_DAY = "next_working_day"  # the request counts as received on the next working day


class ClockPause(Strict):
    """A daily window in which the clock does not run: 'not counted between 00:00 and 08:00'."""

    id: Id
    between: TimeRangeField = Field(description="Local time, e.g. '00:00-08:00'.")
    reason: Text | None = None


class Clock(Strict):
    """When a timeframe's clock starts, and when it pauses."""

    starts: ClockStart = Field(ClockStart.RECEIPT, description="The event that starts the clock.")
    outside_hours: OutsideHours = Field(
        OutsideHours.COUNTS,
        description="A request that arrives while the channel is closed (for a channel always "
        "open: on a day that is not a working day): counts at once, from the next opening, or "
        "as received on the next working day.",
    )
    cutoff: TimeOfDayField | None = Field(
        None,
        description="Requests received at or after this local time count as received on the "
        "next working day.",
    )
    paused: list[ClockPause] = Field(
        default_factory=list,
        description="Daily windows not counted in timeframes of seconds, minutes or hours.",
    )
    stops_while_waiting_for_customer: bool = Field(
        False, description="Whether the clock stops while we wait for the customer's answer."
    )
    explanation: Text | None = Field(None, description="The rule in plain words, for readers.")

    @model_validator(mode="after")
    def _pauses_leave_time(self) -> Clock:
        windows = sorted(p.between for p in self.paused)
        for before, after in itertools.pairwise(windows):
            if after.opens < before.closes:
                raise _fail(
                    "inconsistent",
                    "the pauses {a} and {b} overlap",
                    "merge them into one pause",
                    a=str(before),
                    b=str(after),
                    field="paused",
                )
        if sum(w.closes.minutes - w.opens.minutes for w in windows) >= 24 * 60:
            raise _fail(
                "inconsistent",
                "the pauses cover the whole day, so the clock never runs",
                "leave some hours of the day unpaused",
                field="paused",
            )
        return self


class Fallback(Strict):
    """What we do when the main promise cannot be kept: 'else we call you back within 2 days'."""

    if_not_within: DurationField = Field(
        description="The time after which the fallback applies, e.g. '60 seconds'."
    )
    promise: Text = Field(description="What we do instead, e.g. 'we call you back'.")
    within: DurationField = Field(description="How soon we do it, e.g. '2 working_days'.")
    clock: Clock | None = None


# Compensation: what customers receive when a promise is broken.


class Currency(StrEnum):
    """Currencies in which compensation is paid."""

    EUR = "EUR"
    CZK = "CZK"
    RON = "RON"
    GBP = "GBP"


class Payment(StrEnum):
    """How compensation reaches the customer."""

    AUTOMATIC = "automatic"
    ON_CLAIM = "on_claim"


def _check_amount_shape(
    fixed: Decimal | None, base: Decimal | None, per_day_late: Decimal | None, cap: Decimal | None
) -> None:
    """Fail unless the amounts form a fixed amount or a base plus a daily amount with a cap."""
    if fixed is not None and (base is not None or per_day_late is not None):
        raise _fail(
            "inconsistent",
            "compensation is either a fixed amount or a base plus an amount per day late",
            "keep 'fixed', or keep 'base' and 'per_day_late'",
            field="fixed",
        )
    if fixed is None and base is None and per_day_late is None:
        raise _fail(
            "inconsistent",
            "the compensation names no amount",
            "write 'fixed: 10', or 'base:' and 'per_day_late:' with a 'cap:'",
        )
    if per_day_late is not None and cap is None:
        raise _fail(
            "inconsistent",
            "an amount per day late needs a cap",
            "write the most a customer can receive in 'cap'",
            field="per_day_late",
        )
    if cap is not None and base is not None and cap < base:
        raise _fail(
            "inconsistent",
            "the cap ({cap}) is lower than the base amount ({base})",
            "raise the cap or lower the base",
            cap=f"{cap.normalize():f}",
            base=f"{base.normalize():f}",
            field="cap",
        )


class CompensationChange(Strict):
    """Amounts that replace the compensation's amounts from a date on."""

    id: Id
    effective: Date = Field(description="The first day on which the new amounts apply.")
    fixed: Amount | None = None
    base: Amount | None = None
    per_day_late: Amount | None = None
    cap: Amount | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> CompensationChange:
        _check_amount_shape(self.fixed, self.base, self.per_day_late, self.cap)
        return self


class Compensation(Strict):
    """What a customer receives when the promise is broken."""

    currency: Currency
    fixed: Amount | None = Field(None, description="A fixed amount per broken promise.")
    base: Amount | None = Field(None, description="An amount as soon as the promise is broken.")
    per_day_late: Amount | None = Field(None, description="An amount for each day late.")
    cap: Amount | None = Field(None, description="The most a customer receives per case.")
    paid: Payment = Field(description="automatic, or on_claim by the customer.")
    claim_within: DurationField | None = Field(
        None, description="How long customers have to claim, when paid on claim."
    )
    how_to_claim: Text | None = None
    form: Text | None = Field(None, description="How it is paid, e.g. 'a credit on your account'.")
    exclusions: list[Statement] = Field(
        default_factory=list, description="When no compensation is due."
    )
    changes: list[CompensationChange] = Field(
        default_factory=list, description="Amounts that change from a date on."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Compensation:
        _check_amount_shape(self.fixed, self.base, self.per_day_late, self.cap)
        if self.paid is Payment.ON_CLAIM and self.claim_within is None:
            raise _fail(
                "inconsistent",
                "compensation paid on claim needs a time limit to claim",
                "write 'claim_within:', e.g. '3 months' as '13 weeks'",
                field="paid",
            )
        _check_increasing_dates([c.effective for c in self.changes], "changes")
        return self

    def amounts_on(self, day: dt.date) -> Compensation | CompensationChange:
        """Return the item whose amounts apply on DAY."""
        current: Compensation | CompensationChange = self
        for change in self.changes:
            if change.effective <= day:
                current = change
        return current

    def amount_for(self, days_late: int, day: dt.date) -> Decimal:
        """Return what is paid for a promise kept DAYS_LATE days late, on DAY's amounts."""
        a = self.amounts_on(day)
        if a.fixed is not None:
            return a.fixed
        total = (a.base or Decimal(0)) + (a.per_day_late or Decimal(0)) * max(days_late, 0)
        return min(total, a.cap) if a.cap is not None else total


def _check_increasing_dates(days: Sequence[dt.date], name: str) -> None:
    """Fail unless DAYS are strictly increasing."""
    for before, after in itertools.pairwise(days):
        if after <= before:
            raise _fail(
                "inconsistent",
                "the dates in '{name}' must increase: {after} comes after {before}",
                "list the items in the order of their dates, each on its own date",
                name=name,
                after=str(after),
                before=str(before),
                field=name,
            )


class Applicability(Strict):
    """To whom or what a variant of a target applies."""

    segment: Id | None = Field(None, description="A customer segment's id.")
    region: PlainText | None = Field(None, description="A region, e.g. PT, ES-CT.")
    priority: PlainText | None = Field(None, description="A priority, e.g. urgent.")

    @model_validator(mode="after")
    def _names_something(self) -> Applicability:
        if self.segment is None and self.region is None and self.priority is None:
            raise _fail(
                "inconsistent",
                "a variant must say to whom it applies",
                "write a segment, a region or a priority under 'applies_to'",
            )
        return self


class TargetVariant(Strict):
    """A target that differs for a segment, a region or a priority."""

    id: Id
    applies_to: Applicability
    target: Target
    note: Text | None = None
    compensation: Compensation | None = Field(
        None,
        description="Replaces the commitment's compensation for this variant, e.g. the same "
        "scheme in the currency of the variant's region.",
    )


class Commitment(Strict):
    """A measurable promise: what we do, how fast, through which channel."""

    id: Id
    title: Text = Field(description="A short name, e.g. 'Answers to e-mails'.")
    promise: Text = Field(description="The promise in plain words, as customers read it.")
    channels: list[Id] = Field(
        default_factory=list, description="Ids of the channels this promise covers."
    )
    service: Text | None = Field(
        None, description="The service the promise covers, when it is not one channel."
    )
    segments: list[Id] = Field(
        default_factory=list,
        description="Ids of the segments it is for; empty means every customer.",
    )
    target: Target
    variants: list[TargetVariant] = Field(default_factory=list)
    changes: list[TargetChange] = Field(
        default_factory=list, description="Targets that replace 'target' from a date on."
    )
    clock: Clock | None = Field(None, description="When the timeframe starts and pauses.")
    fallback: Fallback | None = Field(None, description="What we do if we cannot keep it.")
    compensation: Compensation | None = Field(
        None, description="What customers receive when it is broken."
    )
    indicator: Id | None = Field(None, description="The id of the indicator that measures it.")
    internal_notes: Annotated[Text | None, InternalOnly()] = Field(
        None, description="Staff only: notes on how the promise is kept."
    )

    @model_validator(mode="after")
    def _changes_in_order(self) -> Commitment:
        _check_increasing_dates([c.effective for c in self.changes], "changes")
        return self

    def target_on(self, day: dt.date) -> Target:
        """Return the target in force on DAY."""
        current: Any = self.target
        for change in self.changes:
            if change.effective <= day:
                current = change.target
        return current  # type: ignore[no-any-return]

    def targets_from(self, day: dt.date) -> list[Target]:
        """Return the target in force on DAY and every later one."""
        return [self.target_on(day)] + [c.target for c in self.changes if c.effective > day]


# ---------------------------------------------------------------------------------------------
# Measuring: indicators, listening to customers, objectives


class Frequency(StrEnum):
    """How often something is measured, reviewed or held."""

    CONTINUOUS = "continuous"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


class Indicator(Strict):
    """How a commitment or an objective is measured."""

    id: Id
    name: Text
    definition: Text = Field(description="What is counted, in plain words.")
    formula: Text = Field(description="How the value is computed, e.g. 'A / B × 100'.")
    unit: Text | None = Field(None, description="The unit of the value, e.g. '%' or 'minutes'.")
    exclusions: list[Statement] = Field(
        default_factory=list, description="Cases left out of the count."
    )
    frequency: Frequency
    owner: Owner
    data_source: Annotated[Text, InternalOnly()] = Field(
        description="Staff only: the system or report the figures come from."
    )


class ListeningAspect(StrEnum):
    """What a way of listening to customers measures."""

    FEEDBACK = "feedback"
    SATISFACTION = "satisfaction"
    LOYALTY = "loyalty"
    EFFORT = "effort"
    QUALITY = "quality"


class Listening(Strict):
    """How we measure customers' feedback, satisfaction or loyalty."""

    id: Id
    measures: ListeningAspect
    name: Text = Field(description="E.g. 'Survey after each closed case'.")
    method: Text = Field(description="How we ask, whom, and when.")
    scale: Text | None = Field(None, description="E.g. '1 to 5', 'Net Promoter Score'.")
    frequency: Frequency
    indicator: Id | None = Field(None, description="The indicator that reports it.")


class Objective(Strict):
    """A SMART objective: a metric, where it stands, where it must be, by when, and who."""

    id: Id
    title: Text = Field(description="Specific: what we will improve.")
    description: Text | None = None
    indicator: Id = Field(description="Measurable: the indicator that measures it.")
    baseline: Measure = Field(description="The value when the objective was set.")
    baseline_date: Date
    target: Measure = Field(description="Achievable: the value to reach.")
    deadline: Date = Field(description="Time-bound: when it must be reached.")
    relevance: Text | None = Field(None, description="Relevant: why it matters to customers.")
    owner: Owner

    @model_validator(mode="after")
    def _smart(self) -> Objective:
        if self.deadline <= self.baseline_date:
            raise _fail(
                "inconsistent",
                "the deadline ({deadline}) is not after the baseline date ({baseline})",
                "an objective is reached after its baseline was measured",
                deadline=str(self.deadline),
                baseline=str(self.baseline_date),
                field="deadline",
            )
        if isinstance(self.baseline, Duration) != isinstance(self.target, Duration):
            raise _fail(
                "inconsistent",
                "the baseline and the target are not the same kind of value",
                "write both as numbers, or both as durations such as '3 minutes'",
                field="target",
            )
        if self.baseline == self.target:
            raise _fail(
                "inconsistent",
                "the target equals the baseline, so nothing is to be improved",
                "write the value to reach in 'target'",
                field="target",
            )
        return self


# ---------------------------------------------------------------------------------------------
# Versions and reviews


class Version(Strict):
    """One approved version of a charter or a procedure."""

    id: Id = Field(description="E.g. v1, v2.")
    version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$", description="E.g. 2.1.")]
    approved: Date = Field(description="The day it was approved.")
    approved_by: Text = Field(description="The approving body, e.g. 'Board of Directors'.")
    effective: Date = Field(description="The first day it is in force.")
    changes: Text | None = Field(None, description="What changed from the previous version.")

    @model_validator(mode="after")
    def _effective_after_approval(self) -> Version:
        if self.effective < self.approved:
            raise _fail(
                "inconsistent",
                "the version is in force ({effective}) before it was approved ({approved})",
                "a version takes effect on or after its approval",
                effective=str(self.effective),
                approved=str(self.approved),
                field="effective",
            )
        return self


class Review(Strict):
    """When something was last reviewed and when it is reviewed next."""

    last: Date = Field(description="The day of the last review.")
    next: Date = Field(description="The day of the next review.")
    every: DurationField | None = Field(None, description="How often it is reviewed.")

    @model_validator(mode="after")
    def _next_after_last(self) -> Review:
        if self.next <= self.last:
            raise _fail(
                "inconsistent",
                "the next review ({next}) is not after the last one ({last})",
                "write a later date in 'next'",
                next=str(self.next),
                last=str(self.last),
                field="next",
            )
        return self


def version_in_force(versions: Sequence[Version], day: dt.date) -> Version | None:
    """Return the version in force on DAY: the latest whose effective date is not after it."""
    current = None
    for version in versions:
        if version.effective <= day and (current is None or version.effective >= current.effective):
            current = version
    return current


def _check_versions(versions: Sequence[Version]) -> None:
    """Fail unless versions are listed oldest first, with increasing dates and numbers."""
    _check_increasing_dates([v.effective for v in versions], "versions")
    numbers = [tuple(int(part) for part in v.version.split(".")) for v in versions]
    for before, after in itertools.pairwise(numbers):
        if after <= before:
            raise _fail(
                "inconsistent",
                "version numbers must increase: {after} comes after {before}",
                "list versions oldest first, each with a higher number",
                after=".".join(map(str, after)),
                before=".".join(map(str, before)),
                field="versions",
            )


# ---------------------------------------------------------------------------------------------
# Complaints


class StageKind(StrEnum):
    """The kinds of stage of a complaints procedure, in the order they come."""

    ACKNOWLEDGE = "acknowledge"
    INVESTIGATE = "investigate"
    RESPOND = "respond"
    REVIEW = "review"
    ESCALATE = "escalate"
    EXTERNAL = "external"


_STAGE_RANK = {
    StageKind.ACKNOWLEDGE: 0,
    StageKind.INVESTIGATE: 1,
    StageKind.RESPOND: 2,
    StageKind.REVIEW: 3,
    StageKind.ESCALATE: 3,
    StageKind.EXTERNAL: 4,
}


class ExternalBody(Strict):
    """An ombudsman or dispute-resolution body outside the organisation."""

    name: PlainText
    description: Text | None = None
    url: Url | None = None
    address: PlainText | None = None


class ComplaintStage(Strict):
    """One stage of the complaints procedure and how long it takes."""

    id: Id
    kind: StageKind
    title: Text
    description: Text
    within: DurationField | None = Field(None, description="How long this stage takes at most.")
    commitment: Id | None = Field(None, description="The commitment that promises this stage.")
    body: ExternalBody | None = Field(None, description="For an external stage: who.")

    @model_validator(mode="after")
    def _external_names_body(self) -> ComplaintStage:
        if self.kind is StageKind.EXTERNAL and self.body is None:
            raise _fail(
                "inconsistent",
                "an external stage must name the body customers can turn to",
                "add 'body:' with the ombudsman's or dispute-resolution body's name",
                field="kind",
            )
        return self


class Complaints(Strict):
    """How customers complain, and the stages a complaint goes through."""

    how_to_complain: Text
    channels: list[Id] = Field(default_factory=list, description="Channels that take complaints.")
    reference: Text = Field(description="How each complaint gets its unique reference.")
    reference_format: PlainText | None = Field(None, description="E.g. 'SHP-YYYY-NNNNNN'.")
    stages: list[ComplaintStage] = Field(min_length=1)
    updates: Text | None = Field(None, description="How and when we keep customers informed.")
    update_every: DurationField | None = None
    follow_up: Text = Field(description="How we follow up after a complaint is closed.")

    @model_validator(mode="after")
    def _stages_in_order(self) -> Complaints:
        if self.stages[0].kind is not StageKind.ACKNOWLEDGE:
            raise _fail(
                "inconsistent",
                "the first stage of a complaint must acknowledge it",
                "start with a stage of kind 'acknowledge', which gives the unique reference",
                field="stages",
            )
        for before, after in itertools.pairwise(self.stages):
            if _STAGE_RANK[after.kind] < _STAGE_RANK[before.kind]:
                raise _fail(
                    "inconsistent",
                    "the stage '{after}' ({after_kind}) comes after '{before}' ({before_kind})",
                    "order stages: acknowledge, investigate, respond, review or escalate, external",
                    after=after.id,
                    after_kind=after.kind.value,
                    before=before.id,
                    before_kind=before.kind.value,
                    field="stages",
                )
        return self


# ---------------------------------------------------------------------------------------------
# The charter


class Charter(Strict):
    """charter/<id>.yml: one customer-service charter."""

    title: Text
    summary: Text = Field(description="One or two sentences: what this charter is about.")
    scope: Text = Field(description="Which services, shops or channels it covers.")
    vision: Text = Field(description="Our customer-service vision.")
    owner: Owner
    values: list[ValueSet] = Field(
        default_factory=list, description="Named sets of service values or standards."
    )
    segments: list[Segment] = Field(
        default_factory=list, description="The customers we serve and what they need."
    )
    rights: list[Statement] = Field(
        default_factory=list, description="What customers can expect from us."
    )
    responsibilities: list[Statement] = Field(
        default_factory=list, description="What we ask of customers."
    )
    channels: list[Channel] = Field(min_length=1)
    commitments: list[Commitment] = Field(min_length=1)
    includes: list[Statement] = Field(
        default_factory=list, description="A guide to what the service includes."
    )
    complaints: Complaints | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    listening: list[Listening] = Field(
        default_factory=list, description="How feedback, satisfaction and loyalty are measured."
    )
    objectives: list[Objective] = Field(default_factory=list, description="SMART objectives.")
    communicated_through: list[Statement] = Field(
        default_factory=list,
        description="Where customers and staff find the charter (web, shops, social media).",
    )
    versions: list[Version] = Field(default_factory=list, description="Oldest first.")
    review: Review | None = None
    internal_notes: Annotated[Text | None, InternalOnly()] = Field(None, description="Staff only.")

    @model_validator(mode="after")
    def _versions_in_order(self) -> Charter:
        _check_versions(self.versions)
        return self

    def version_on(self, day: dt.date) -> Version | None:
        """Return the version in force on DAY."""
        return version_in_force(self.versions, day)


# ---------------------------------------------------------------------------------------------
# Procedures: charter/procedures/<id>.yml, the internal handbook. Every field is for staff only.


class Role(Strict):
    """A role that takes part in a procedure."""

    id: Id
    name: Text
    description: Text | None = None


class Delivery(Strict):
    """A commitment of a charter that the procedure delivers, and the steps on its clock."""

    charter: Id = Field(description="The charter's id (its file name).")
    commitment: Id = Field(description="The commitment's id in that charter.")
    variant: Id | None = Field(None, description="A variant of its target, if only that one.")
    fallback: bool = Field(
        False, description="Whether the steps deliver the commitment's fallback promise."
    )
    steps: list[Id] = Field(
        default_factory=list,
        description="The steps whose time limits count against the promise; empty means every "
        "step that has a limit.",
    )

    @model_validator(mode="after")
    def _variant_or_fallback(self) -> Delivery:
        if self.fallback and self.variant is not None:
            raise _fail(
                "inconsistent",
                "a delivery serves either a variant or the fallback, not both",
                "write two deliveries",
                field="fallback",
            )
        return self


class Step(Strict):
    """One numbered step: who does what, within what internal limit, and how to say it."""

    id: Id
    role: Id = Field(description="The id of the role that does it.")
    action: Text
    within: DurationField | None = Field(None, description="The internal time limit.")
    stage: Id | None = Field(None, description="The stage of the interaction model it serves.")
    tips: list[Statement] = Field(default_factory=list, description="Phrasing tips.")


class InteractionStage(Strict):
    """One stage of an interaction model, e.g. 'Acknowledge'."""

    id: Id
    name: Text
    description: Text
    in_practice: Text | None = Field(None, description="What it looks like at the counter.")


class InteractionModel(Strict):
    """A model of a good interaction, such as the 5 A's: data, never a fixed list."""

    id: Id
    name: Text
    source: Text | None = None
    stages: list[InteractionStage] = Field(min_length=1)


class EscalationLevel(Strict):
    """One level of the escalation path."""

    id: Id
    role: Id
    when: Text = Field(description="When a case goes to this level.")
    within: DurationField | None = Field(None, description="How soon this level takes it up.")


class Authority(Strict):
    """What a role may decide alone, up to what amount."""

    id: Id
    role: Id
    may: Text = Field(description="What the role may decide without asking.")
    up_to: list[MoneyField] = Field(
        default_factory=list, description="The most it may grant, one amount per currency."
    )
    beyond: Text | None = Field(None, description="What to do above the limit.")

    @model_validator(mode="after")
    def _one_amount_per_currency(self) -> Authority:
        currencies = [m.currency for m in self.up_to]
        if len(set(currencies)) != len(currencies):
            raise _fail(
                "inconsistent",
                "a currency is listed twice in 'up_to'",
                "give one amount per currency",
                field="up_to",
            )
        return self


class FollowUp(Strict):
    """How and when the customer is contacted again after the case."""

    role: Id
    action: Text
    within: DurationField | None = None


class Training(Strict):
    """The training a role needs for this procedure."""

    id: Id
    role: Id
    topics: list[Statement] = Field(min_length=1)
    duration: DurationField | None = None
    refresh_every: DurationField | None = None


class MetricLevel(StrEnum):
    """Whom a metric or standard measures."""

    INDIVIDUAL = "individual"
    TEAM = "team"
    ORGANISATION = "organisation"


class MetricKind(StrEnum):
    """Whether a metric counts or judges."""

    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"


class ProcedureMetric(Strict):
    """A standard by which the procedure's performance is judged."""

    id: Id
    name: Text
    target: Text
    level: MetricLevel
    kind: MetricKind
    indicator: Id | None = Field(None, description="An indicator of a delivered charter.")


class Conduct(Strict):
    """Tone of voice, body language and the words to use."""

    tone_of_voice: Text
    body_language: Text
    say: list[Statement] = Field(default_factory=list, description="Phrases that work.")
    avoid: list[Statement] = Field(default_factory=list, description="Phrases to avoid.")


class Situation(Strict):
    """A conflict or difficult situation and how to handle it."""

    id: Id
    situation: Text
    approach: Text


class Meetings(Strict):
    """Team meetings that keep the procedure working."""

    frequency: Frequency
    purpose: Text
    attendees: list[Id] = Field(default_factory=list, description="Role ids.")


class Monitoring(Strict):
    """How compliance with the procedure is monitored."""

    how: Text
    frequency: Frequency
    role: Id


class Recognition(Strict):
    """How good service is recognised."""

    id: Id
    name: Text
    criteria: Text
    reward: Text


class Procedure(Strict):
    """charter/procedures/<id>.yml: a standard operating procedure behind charter promises."""

    internal_document: ClassVar[bool] = True

    title: Text
    purpose: Text
    owner: Owner
    roles: list[Role] = Field(min_length=1)
    delivers: list[Delivery] = Field(
        default_factory=list, description="The commitments this procedure delivers."
    )
    steps: list[Step] = Field(min_length=1, description="In order; numbered from 1.")
    interaction_model: InteractionModel | None = None
    escalation: list[EscalationLevel] = Field(default_factory=list)
    authority: list[Authority] = Field(
        default_factory=list, description="What staff may decide alone."
    )
    follow_up: FollowUp | None = None
    training: list[Training] = Field(default_factory=list)
    metrics: list[ProcedureMetric] = Field(default_factory=list)
    conduct: Conduct | None = None
    difficult_situations: list[Situation] = Field(default_factory=list)
    meetings: Meetings | None = None
    monitoring: Monitoring | None = None
    recognition: list[Recognition] = Field(default_factory=list)
    version: Version
    review: Review


# ---------------------------------------------------------------------------------------------
# Results: charter/results/<charter id>/<period>.yml, one file per period.


class ResultStatus(StrEnum):
    """Whether a promise or an objective was kept in a period."""

    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_EVALUATED = "not_evaluated"


class Outcome(Strict):
    """The result of one commitment or objective in a period."""

    id: Id = Field(description="The id of the commitment or objective.")
    value: Measure | None = Field(None, description="The measured value.")
    status: ResultStatus
    sample: Annotated[int, Field(ge=0)] | None = Field(None, description="Cases measured.")
    cause: Text | None = Field(None, description="Why it was not met.")
    action: Text | None = Field(None, description="What we do to improve.")
    comment: Text | None = None

    @model_validator(mode="after")
    def _explained(self) -> Outcome:
        if self.status is not ResultStatus.NOT_EVALUATED and self.value is None:
            raise _fail(
                "inconsistent",
                "a result with status '{status}' needs the measured 'value'",
                "write the value, or set the status to not_evaluated",
                status=self.status.value,
                field="status",
            )
        if self.status in (ResultStatus.NOT_MET, ResultStatus.PARTLY_MET):
            for name in ("cause", "action"):
                if getattr(self, name) is None:
                    raise _fail(
                        "inconsistent",
                        "a result with status '{status}' needs a '{name}'",
                        "say why the promise was missed (cause) and what we do about it (action)",
                        status=self.status.value,
                        name=name,
                        field="status",
                    )
        return self


class ResultSet(Strict):
    """charter/results/<charter id>/<period>.yml: how each promise and objective fared."""

    published: Date | None = Field(None, description="The day these results were published.")
    version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$")] | None = Field(
        None, description="The charter version in force at the end of the period (checked)."
    )
    summary: Text | None = None
    commitments: list[Outcome] = Field(default_factory=list)
    objectives: list[Outcome] = Field(default_factory=list)
    internal_notes: Annotated[Text | None, InternalOnly()] = Field(None, description="Staff only.")


# ---------------------------------------------------------------------------------------------
# Reading the model's own metadata: internal and translatable fields.

FieldPath = tuple[str, ...]  # field names, with "*" standing for any item of a list


def _has_marker(metadata: Sequence[Any], marker: type) -> bool:
    return any(isinstance(m, marker) for m in metadata)


def _annotation_metadata(annotation: Any) -> list[Any]:
    """Return the Annotated metadata of ANNOTATION, looking through Optional."""
    found: list[Any] = []
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Annotated:
            found += list(arg.__metadata__)
            found += _annotation_metadata(get_args(arg)[0])
    return found


def _nested(annotation: Any) -> Iterator[tuple[bool, type[BaseModel]]]:
    """Yield (inside a list, model) for every model class that ANNOTATION can hold."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _nested(get_args(annotation)[0])
    elif origin in (list, tuple):
        for _inner, model in _nested(get_args(annotation)[0]):
            yield True, model
    elif origin is Union or type(annotation).__name__ == "UnionType":
        for arg in get_args(annotation):
            yield from _nested(arg)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield False, annotation


def _walk(
    model: type[BaseModel], prefix: FieldPath, seen: frozenset[type]
) -> Iterator[tuple[FieldPath, list[Any]]]:
    """Yield every field path under MODEL with its metadata."""
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        yield path, list(info.metadata) + _annotation_metadata(info.annotation)
        for in_list, inner in _nested(info.annotation):
            if inner not in seen:
                yield from _walk(inner, (*path, "*") if in_list else path, seen | {inner})


def internal_fields(model: type[BaseModel]) -> list[FieldPath]:
    """Return the paths of MODEL's fields for staff only (every field of an internal document)."""
    if getattr(model, "internal_document", False):
        return sorted({path for path, _ in _walk(model, (), frozenset({model}))})
    return sorted(
        {
            path
            for path, meta in _walk(model, (), frozenset({model}))
            if _has_marker(meta, InternalOnly)
        }
    )


def text_fields(model: type[BaseModel]) -> list[FieldPath]:
    """Return the paths of MODEL's translatable text fields."""
    return sorted(
        {
            path
            for path, meta in _walk(model, (), frozenset({model}))
            if _has_marker(meta, Translatable)
        }
    )


def is_internal_document(model: type[BaseModel]) -> bool:
    """Return whether every field of MODEL's documents is for staff only."""
    return bool(getattr(model, "internal_document", False))


def public_data(instance: BaseModel) -> Any:
    """Return INSTANCE as plain data without its internal fields, for the public build."""
    if is_internal_document(type(instance)):
        raise ValueError(f"{type(instance).__name__} is internal: nothing of it is public")
    return _drop_internal(instance)


def _drop_internal(value: Any) -> Any:
    if isinstance(value, BaseModel):
        out = {}
        for name, info in type(value).model_fields.items():
            meta = list(info.metadata) + _annotation_metadata(info.annotation)
            if not _has_marker(meta, InternalOnly):
                out[name] = _drop_internal(getattr(value, name))
        return out
    if isinstance(value, list | tuple):
        return [_drop_internal(v) for v in value]
    return value
