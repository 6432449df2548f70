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

import itertools
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .values import (
    AssetPath,
    Colour,
    DayHours,
    DurationField,
    Email,
    HolidayCalendarField,
    Id,
    LanguageCode,
    Percent,
    PlainText,
    Text,
    TimeZone,
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
    """A postal address."""

    street: PlainText = Field(description="Street and number.")
    postal_code: PlainText = Field(description="Postal code, in quotes (it may start with 0).")
    city: PlainText
    region: PlainText | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 country code.")]


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
    email: Email | None = None


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
    address: PlainText = Field(
        description="The number, e-mail address, URL or postal address "
        "customers use, as fits the kind."
    )
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

        check = {
            ChannelKind.PHONE: _check_phone,
            ChannelKind.EMAIL: _check_email,
            ChannelKind.CHAT: _check_url,
            ChannelKind.WEB_FORM: _check_url,
            ChannelKind.SOCIAL_MEDIA: _check_url,
            ChannelKind.APP: _check_url,
            ChannelKind.VIDEO: _check_url,
        }.get(self.kind)
        if check is not None:
            try:
                check(self.address)
            except PydanticCustomError as exc:
                raise _fail(
                    "format", exc.message(), (exc.context or {}).get("hint", ""), field="address"
                ) from None
        return self


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
