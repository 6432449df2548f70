"""Validate stage: check documents against the model and across files; every problem a value."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel

from . import languages
from .builddate import resolve_build_date
from .cache import BuildCache
from .calendars import CalendarError, ChannelCalendar, WorstCase, worst_case
from .diagnostics import Diagnostic, SourcePos, error, has_errors
from .load import CHARTER_DIR, PROCEDURE_DIR, SourceSet, load_sources, paused_gc
from .model import (
    AverageAtMost,
    Charter,
    Clock,
    Commitment,
    Delivery,
    EveryCase,
    MaximumAtMost,
    Objective,
    Outcome,
    Procedure,
    RateAtMost,
    ResultSet,
    ResultStatus,
    Review,
    SiteConfig,
    Step,
    Target,
    Version,
    timeframe,
)
from .modelerrors import check_document, did_you_mean, last_key
from .sourcecache import SourceMemo, entry_name
from .values import ID_PATTERN, PERIOD_FORMS, Duration, Period, TimeUnit, parse_period
from .yamlsource import PathKey, YamlDocument


@dataclass
class CharterSource:
    """A checked charter and the document it came from."""

    id: str
    document: YamlDocument
    charter: Charter


@dataclass
class ProcedureSource:
    """A checked procedure and the document it came from."""

    id: str
    document: YamlDocument
    procedure: Procedure


@dataclass
class ResultSource:
    """A checked results file: the charter and period it reports on."""

    charter_id: str
    period: Period
    document: YamlDocument
    results: ResultSet

    def version(self, charter: Charter) -> Version | None:
        """Return the version of CHARTER these results are tied to: in force at the period's end."""
        return charter.version_on(self.period.end)


@dataclass
class ValidatedSite:
    """A site whose sources passed every check."""

    root: Path
    config: SiteConfig
    config_document: YamlDocument
    charters: dict[str, CharterSource] = field(default_factory=dict)
    procedures: dict[str, ProcedureSource] = field(default_factory=dict)
    results: list[ResultSource] = field(default_factory=list)
    build_date: dt.date | None = None

    def results_for(self, charter_id: str) -> list[ResultSource]:
        """Return the results of one charter, oldest period first (a year before its halves)."""
        found = [r for r in self.results if r.charter_id == charter_id]
        return sorted(found, key=lambda r: (r.period.start, -r.period.end.toordinal()))

    def procedures_for(self, charter_id: str, commitment_id: str) -> list[ProcedureSource]:
        """Return the procedures that deliver a commitment, by procedure id."""
        return [
            source
            for _, source in sorted(self.procedures.items())
            if any(
                d.charter == charter_id and d.commitment == commitment_id
                for d in source.procedure.delivers
            )
        ]


@dataclass
class ValidationOutcome:
    """What validation found: the site if it has no error, and every diagnostic."""

    site: ValidatedSite | None
    diagnostics: list[Diagnostic]


# ---------------------------------------------------------------------------------------------
# Checks that need more than one value


_LANGUAGE_KEYS = {"source_language", "languages", "language"}


def language_alias_warnings(document: YamlDocument) -> list[Diagnostic]:
    """Warn where a language is written as an alias such as 'pt' (CP209)."""
    found = []
    for path, value in _language_values(document.data, (), False):
        if languages.is_alias(value):
            canonical = languages.ALIASES[value]
            found.append(
                error(
                    "CP209",
                    f"'{value}' is read as {canonical}",
                    document.pos(path),
                    f"write {canonical}",
                )
            )
    return found


def _language_values(data: Any, path: PathKey, is_language: bool) -> Iterator[tuple[PathKey, str]]:
    """Yield each text in DATA written under a language key, in the order written, with its path.

    IS_LANGUAGE says whether the nearest key above DATA is a language key (a list's items are
    under their list's key).
    """
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                if key in _LANGUAGE_KEYS:
                    yield (*path, key), value
            elif isinstance(value, dict | list):
                yield from _language_values(value, (*path, key), key in _LANGUAGE_KEYS)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, str):
                if is_language:
                    yield (*path, index), item
            elif isinstance(item, dict | list):
                yield from _language_values(item, (*path, index), is_language)


@functools.cache
def _field_names(model: type[BaseModel]) -> tuple[str, ...]:
    """Name the fields of MODEL, once per class."""
    # pydantic builds a fresh dict on every access to model_fields: a fifth of the checks' time.
    return tuple(model.model_fields)


@functools.cache
def _fields_with_models(model: type[BaseModel]) -> tuple[str, ...]:
    """Name the fields of MODEL whose type lets them hold a model (the others hold no ids)."""
    return tuple(
        name for name, info in model.model_fields.items() if _may_hold_models(info.annotation)
    )


def _may_hold_models(annotation: Any) -> bool:
    """Say whether a value of type ANNOTATION can be or contain a model (when unsure: yes)."""
    if annotation is Any:
        return True
    if isinstance(annotation, type) and not get_args(annotation):
        return issubclass(annotation, BaseModel | list)
    return any(_may_hold_models(arg) for arg in get_args(annotation))


def _items_with_ids(value: Any, path: PathKey) -> Iterator[tuple[PathKey, list[Any]]]:
    """Yield every list of id-carrying models inside VALUE, with its path."""
    if isinstance(value, BaseModel):
        for name in _fields_with_models(type(value)):
            yield from _items_with_ids(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        if value and all(isinstance(v, BaseModel) and "id" in _field_names(type(v)) for v in value):
            yield path, value
        for index, item in enumerate(value):
            yield from _items_with_ids(item, (*path, index))


def duplicate_id_diagnostics(instance: BaseModel, document: YamlDocument) -> list[Diagnostic]:
    """Report ids used twice in one list (CP301)."""
    found = []
    for path, items in _items_with_ids(instance, ()):
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if item.id in seen:
                first = document.pos((*path, seen[item.id], "id"))
                found.append(
                    error(
                        "CP301",
                        f"the id '{item.id}' is used twice in '{last_key(path)}' (first at "
                        f"line {first.line})",
                        document.pos((*path, index, "id")),
                        "give each item its own id",
                    )
                )
            else:
                seen[item.id] = index
    return found


def _reference(
    document: YamlDocument, path: PathKey, value: str, what: str, known: Iterable[str]
) -> Diagnostic:
    known = sorted(known)
    suggestion = did_you_mean(value, known)
    return error(
        "CP302",
        f"no {what} has the id '{value}'",
        document.pos(path),
        suggestion
        or (f"known {what} ids: {', '.join(known)}" if known else f"define the {what} first"),
    )


def charter_reference_diagnostics(charter: Charter, document: YamlDocument) -> list[Diagnostic]:
    """Check that every id a charter names exists in it (CP302)."""
    found = []
    channel_ids = {c.id for c in charter.channels}
    commitment_ids = {c.id for c in charter.commitments}
    segment_ids = {s.id for s in charter.segments}
    for i, channel in enumerate(charter.channels):
        ref = channel.response_commitment
        if ref is not None and ref not in commitment_ids:
            found.append(
                _reference(
                    document,
                    ("channels", i, "response_commitment"),
                    ref,
                    "commitment",
                    commitment_ids,
                )
            )
    for i, commitment in enumerate(charter.commitments):
        for j, ref in enumerate(commitment.channels):
            if ref not in channel_ids:
                found.append(
                    _reference(
                        document, ("commitments", i, "channels", j), ref, "channel", channel_ids
                    )
                )
        for j, ref in enumerate(commitment.segments):
            if ref not in segment_ids:
                found.append(
                    _reference(
                        document, ("commitments", i, "segments", j), ref, "segment", segment_ids
                    )
                )
        for j, variant in enumerate(commitment.variants):
            ref = variant.applies_to.segment
            if ref is not None and ref not in segment_ids:
                found.append(
                    _reference(
                        document,
                        ("commitments", i, "variants", j, "applies_to", "segment"),
                        ref,
                        "segment",
                        segment_ids,
                    )
                )
    return found


def linked_outside_diagnostics(root: Path) -> list[Diagnostic]:
    """Report files under templates/, which is copied whole, that link outside the site (CP212)."""
    inside = root.resolve()
    found = []
    for folder in ("templates",):
        for dirpath, dirnames, filenames in os.walk(root / folder, followlinks=False):
            for name in sorted(dirnames + filenames):
                path = Path(dirpath) / name
                if path.is_symlink() and not path.resolve().is_relative_to(inside):
                    found.append(
                        error(
                            "CP212",
                            "a symbolic link leads outside the site folder; it is not published",
                            SourcePos(path.relative_to(root).as_posix()),
                            "copy the file into the site folder instead of linking to it",
                        )
                    )
    return found


def asset_diagnostics(config: SiteConfig, document: YamlDocument, root: Path) -> list[Diagnostic]:
    """Check that asset paths name files inside the site folder (CP212)."""
    found = []
    resolved_root = root.resolve()
    for name in ("logo", "favicon"):
        value = getattr(config.branding, name)
        if value is None:
            continue
        path = ("branding", name)
        target = (root / value).resolve()
        if not target.is_relative_to(resolved_root):
            found.append(
                error(
                    "CP212",
                    f"'{value}' leads outside the site folder (through a symbolic link)",
                    document.pos(path),
                    "copy the file into the site folder",
                )
            )
        elif not target.is_file():
            found.append(
                error(
                    "CP212",
                    f"'{value}' does not exist",
                    document.pos(path),
                    "check the path; it is relative to the site folder",
                )
            )
    return found


# ---------------------------------------------------------------------------------------------
# References inside one charter or procedure (CP302)


def _refs(
    document: YamlDocument,
    pairs: Iterable[tuple[PathKey, str | None]],
    what: str,
    known: set[str],
) -> list[Diagnostic]:
    return [
        _reference(document, path, ref, what, known)
        for path, ref in pairs
        if ref is not None and ref not in known
    ]


def charter_item_references(charter: Charter, document: YamlDocument) -> list[Diagnostic]:
    """Check the indicator, channel and commitment ids of measures and complaints (CP302)."""
    indicators = {i.id for i in charter.indicators}
    channels = {c.id for c in charter.channels}
    commitments = {c.id for c in charter.commitments}
    found = _refs(
        document,
        [(("commitments", i, "indicator"), c.indicator) for i, c in enumerate(charter.commitments)]
        + [(("objectives", i, "indicator"), o.indicator) for i, o in enumerate(charter.objectives)]
        + [(("listening", i, "indicator"), m.indicator) for i, m in enumerate(charter.listening)],
        "indicator",
        indicators,
    )
    complaints = charter.complaints
    if complaints is not None:
        found += _refs(
            document,
            [(("complaints", "channels", i), c) for i, c in enumerate(complaints.channels)],
            "channel",
            channels,
        )
        found += _refs(
            document,
            [
                (("complaints", "stages", i, "commitment"), s.commitment)
                for i, s in enumerate(complaints.stages)
            ],
            "commitment",
            commitments,
        )
    return found


def procedure_item_references(procedure: Procedure, document: YamlDocument) -> list[Diagnostic]:
    """Check the role, step and stage ids a procedure names (CP302)."""
    roles = {r.id for r in procedure.roles}
    steps = {s.id for s in procedure.steps}
    stages = (
        {s.id for s in procedure.interaction_model.stages} if procedure.interaction_model else set()
    )
    role_refs: list[tuple[PathKey, str | None]] = [
        (("steps", i, "role"), s.role) for i, s in enumerate(procedure.steps)
    ]
    role_refs += [(("escalation", i, "role"), e.role) for i, e in enumerate(procedure.escalation)]
    role_refs += [(("authority", i, "role"), a.role) for i, a in enumerate(procedure.authority)]
    role_refs += [(("training", i, "role"), t.role) for i, t in enumerate(procedure.training)]
    if procedure.follow_up is not None:
        role_refs.append((("follow_up", "role"), procedure.follow_up.role))
    if procedure.monitoring is not None:
        role_refs.append((("monitoring", "role"), procedure.monitoring.role))
    if procedure.meetings is not None:
        role_refs += [
            (("meetings", "attendees", i), r) for i, r in enumerate(procedure.meetings.attendees)
        ]
    found = _refs(document, role_refs, "role", roles)
    found += _refs(
        document,
        [(("steps", i, "stage"), s.stage) for i, s in enumerate(procedure.steps)],
        "interaction stage",
        stages,
    )
    found += _refs(
        document,
        [
            (("delivers", i, "steps", j), ref)
            for i, d in enumerate(procedure.delivers)
            for j, ref in enumerate(d.steps)
        ],
        "step",
        steps,
    )
    return found


# ---------------------------------------------------------------------------------------------
# Across files


def duplicate_file(document: YamlDocument, first: YamlDocument) -> Diagnostic:
    """Report a file whose id another file already holds (CP308)."""
    return error(
        "CP308",
        f"'{document.file}' has the same id as '{first.file}'",
        SourcePos(document.file, 1, 1),
        "a file's name is its id: rename or remove one of the two (.yml and .yaml count as one)",
    )


def result_period(document: YamlDocument, diagnostics: list[Diagnostic]) -> Period | None:
    """Return the period a results file's name stands for, or report it (CP306)."""
    name = Path(document.file).stem
    period = parse_period(name)
    if period is None:
        diagnostics.append(
            error(
                "CP306",
                f"'{Path(document.file).name}' does not name a reporting period",
                SourcePos(document.file, 1, 1),
                f"name a results file after its period: {PERIOD_FORMS}, e.g. 2025-h1.yml",
            )
        )
    return period


def version_warnings(
    charter: Charter, document: YamlDocument, build_date: dt.date
) -> list[Diagnostic]:
    """Warn when a charter lists versions but none is in force on the build date (CP313)."""
    if not charter.versions or charter.version_on(build_date) is not None:
        return []
    first = charter.versions[0]
    return [
        error(
            "CP313",
            f"no version of the charter is in force on the build date {build_date}: the first "
            f"takes effect on {first.effective}",
            document.pos(("versions", 0, "effective")),
            "check the effective date, or build with --today set to a later date",
        )
    ]


def _charter_item(
    document: YamlDocument, path: PathKey, message: str, value: str, known: Iterable[str]
) -> Diagnostic:
    known = sorted(known)
    return error(
        "CP305",
        message,
        document.pos(path),
        did_you_mean(value, known)
        or (f"known ids: {', '.join(known)}" if known else "define it in the charter first"),
    )


def delivery_references(
    procedure: Procedure,
    document: YamlDocument,
    charters: dict[str, CharterSource],
    unchecked: Iterable[str] = (),
) -> list[Diagnostic]:
    """Check the charters, commitments and variants a procedure delivers (CP304, CP305).

    Charters in UNCHECKED exist but failed their own checks: references to them are not judged.
    """
    found = []
    for i, delivery in enumerate(procedure.delivers):
        source = charters.get(delivery.charter)
        if source is None and delivery.charter in unchecked:
            continue
        if source is None:
            suggestion = did_you_mean(delivery.charter, charters)
            found.append(
                error(
                    "CP304",
                    f"no charter has the id '{delivery.charter}'",
                    document.pos(("delivers", i, "charter")),
                    suggestion
                    or f"a charter's id is its file name under {CHARTER_DIR}/; known: "
                    + ", ".join(sorted(charters)),
                )
            )
            continue
        commitments = {c.id: c for c in source.charter.commitments}
        commitment = commitments.get(delivery.commitment)
        if commitment is None:
            found.append(
                _charter_item(
                    document,
                    ("delivers", i, "commitment"),
                    f"the charter '{delivery.charter}' has no commitment '{delivery.commitment}'",
                    delivery.commitment,
                    commitments,
                )
            )
            continue
        if delivery.fallback and commitment.fallback is None:
            found.append(
                error(
                    "CP305",
                    f"the commitment '{delivery.commitment}' has no fallback",
                    document.pos(("delivers", i, "fallback")),
                    "remove 'fallback: true', or give the commitment a 'fallback:' in the charter",
                )
            )
        variants = {v.id for v in commitment.variants}
        if delivery.variant is not None and delivery.variant not in variants:
            found.append(
                _charter_item(
                    document,
                    ("delivers", i, "variant"),
                    f"the commitment '{delivery.commitment}' has no variant '{delivery.variant}'",
                    delivery.variant,
                    variants,
                )
            )
    if any(d.charter in unchecked and d.charter not in charters for d in procedure.delivers):
        return found  # the indicators of a charter that failed its own checks are unknown
    delivered = {d.charter for d in procedure.delivers if d.charter in charters}
    indicators = {i.id for c in delivered for i in charters[c].charter.indicators}
    for i, metric in enumerate(procedure.metrics):
        if metric.indicator is not None and metric.indicator not in indicators:
            found.append(
                _charter_item(
                    document,
                    ("metrics", i, "indicator"),
                    f"no charter this procedure delivers has the indicator '{metric.indicator}'",
                    metric.indicator,
                    indicators,
                )
            )
    return found


# ---------------------------------------------------------------------------------------------
# A procedure must not give staff more time than customers are promised (CP309, CP310)


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _format_moment(moment: dt.datetime, calendar: ChannelCalendar) -> str:
    local = calendar.local(moment)
    return f"{_DAY_NAMES[local.weekday()]} {local:%Y-%m-%d %H:%M}"


def _delivery_targets(
    commitment: Commitment, delivery: Delivery, build_date: dt.date
) -> tuple[list[Duration], Clock | None]:
    """Return the timeframes a delivery must fit, and the clock they run on."""
    if delivery.fallback:
        fallback = commitment.fallback
        if fallback is None:
            return [], None
        return [fallback.within], fallback.clock or commitment.clock
    if delivery.variant is not None:
        targets = [v.target for v in commitment.variants if v.id == delivery.variant]
    else:
        targets = commitment.targets_from(build_date)
    found: list[Duration] = []
    for target in targets:
        frame = timeframe(target)
        if frame is not None and frame not in found:
            found.append(frame)
    return found, commitment.clock


def staff_time_diagnostics(
    procedure: Procedure,
    document: YamlDocument,
    charters: dict[str, CharterSource],
    config: SiteConfig,
    build_date: dt.date,
) -> list[Diagnostic]:
    """Check that the internal limits of the steps delivering a promise fit within it."""
    found: list[Diagnostic] = []
    for i, delivery in enumerate(procedure.delivers):
        source = charters.get(delivery.charter)
        commitments = {c.id: c for c in source.charter.commitments} if source else {}
        commitment = commitments.get(delivery.commitment)
        if source is None or commitment is None:
            continue  # reported as an unknown reference
        chosen = set(delivery.steps)
        limits = [
            (index, step)
            for index, step in enumerate(procedure.steps)
            if step.within is not None and (not chosen or step.id in chosen)
        ]
        if not limits:
            continue
        channels = {c.id: c for c in source.charter.channels}
        calendars = [
            (ref, ChannelCalendar.for_channel(channels[ref], config))
            for ref in commitment.channels
            if ref in channels
        ]
        promises, clock = _delivery_targets(commitment, delivery, build_date)
        for promise in promises:
            if not calendars:
                problem = _incomparable(document, i, delivery, limits, promise)
                if problem is not None:
                    found.append(problem)
                    continue
                calendars = [("", ChannelCalendar.always_open(config.time_zone, config.holidays))]
            found += _overrun(document, delivery, limits, promise, clock, calendars, build_date)
    return found


def _incomparable(
    document: YamlDocument,
    index: int,
    delivery: Delivery,
    limits: list[tuple[int, Step]],
    promise: Duration,
) -> Diagnostic | None:
    """Report opening hours that no channel's hours can count (CP310)."""
    name = f"{delivery.charter}/{delivery.commitment}"
    if promise.unit is TimeUnit.OPENING_HOURS:
        return error(
            "CP310",
            f"the promise '{promise}' of {name} counts opening hours, but the commitment names "
            "no channel whose hours could count them",
            document.pos(("delivers", index, "commitment")),
            "add the channel to the commitment's 'channels' in the charter",
        )
    for step_index, step in limits:
        assert step.within is not None
        if step.within.unit is TimeUnit.OPENING_HOURS:
            return error(
                "CP310",
                f"the limit '{step.within}' of step '{step.id}' counts opening hours, but "
                f"{name} names no channel whose hours could count them, so it cannot be "
                f"compared with the promise '{promise}'",
                document.pos(("steps", step_index, "within")),
                f"state the limit in {promise.unit.value}, the kind of time of the promise",
            )
    return None


_WORST_CASES: dict[str, WorstCase | None] = {}


def _worst_case(
    limits: list[Duration],
    promise: Duration,
    calendar: ChannelCalendar,
    clock: Clock | None,
    build_date: dt.date,
) -> WorstCase | None:
    """Return worst_case(...), remembered: channels often share one calendar and one clock."""
    key = repr(
        (
            [str(d) for d in limits],
            str(promise),
            calendar.tz.key,
            str(calendar.holidays),
            calendar.weekly.model_dump_json() if calendar.weekly else None,
            [e.model_dump_json() for e in calendar.exceptions],
            clock.model_dump_json() if clock else None,
            build_date,
        )
    )
    if key not in _WORST_CASES:
        if len(_WORST_CASES) > 4096:
            _WORST_CASES.clear()
        _WORST_CASES[key] = worst_case(limits, promise, calendar, clock, build_date)
    return _WORST_CASES[key]


def _overrun(
    document: YamlDocument,
    delivery: Delivery,
    limits: list[tuple[int, Step]],
    promise: Duration,
    clock: Clock | None,
    calendars: list[tuple[str, ChannelCalendar]],
    build_date: dt.date,
) -> list[Diagnostic]:
    """Report the worst request for which the steps end after the promise (CP309)."""
    durations = [step.within for _, step in limits if step.within is not None]
    worst: tuple[WorstCase, str, ChannelCalendar] | None = None
    for channel_id, calendar in calendars:
        try:
            case = _worst_case(durations, promise, calendar, clock, build_date)
        except (CalendarError, OverflowError):
            continue  # a calendar that cannot count this far; durations are bounded, so rare
        if case is not None and (worst is None or case.excess > worst[0].excess):
            worst = (case, channel_id, calendar)
    if worst is None:
        return []
    case, channel_id, calendar = worst
    late_index = limits[case.first_late_step][0]
    late_end = _format_moment(case.step_ends[case.first_late_step], calendar)
    steps = ", ".join(f"'{step.id}'" for _, step in limits[: case.first_late_step + 1])
    on_channel = f" on channel '{channel_id}'" if channel_id else ""
    tz = calendar.tz.key
    return [
        error(
            "CP309",
            f"staff may take longer than customers are promised: for a request received "
            f"{_format_moment(case.received, calendar)} ({tz}){on_channel}, the limits of the "
            f"steps {steps} run until {late_end}, but the promise '{promise}' of "
            f"{delivery.charter}/{delivery.commitment}{' (its fallback)' * delivery.fallback} "
            "runs out "
            f"{_format_moment(case.promise_ends, calendar)}",
            document.pos(("steps", late_index, "within")),
            f"shorten the internal limits of these steps so that together they fit within "
            f"'{promise}' on every day of the channel's calendar",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Results


_PERCENT_KINDS = ("percent_within", "every_case", "availability", "rate_at_most")
_SECONDS = {
    TimeUnit.SECONDS: 1,
    TimeUnit.MINUTES: 60,
    TimeUnit.HOURS: 3600,
    TimeUnit.CALENDAR_DAYS: 86400,
    TimeUnit.WEEKS: 7 * 86400,
}


def _comparable_seconds(value: Duration) -> float | None:
    factor = _SECONDS.get(value.unit)
    return None if factor is None else float(value.amount) * factor


def _target_met(target: Target, value: float | Duration) -> bool | None:
    """Return whether VALUE meets TARGET, or None when they cannot be compared."""
    if isinstance(target, AverageAtMost | MaximumAtMost):
        if not isinstance(value, Duration):
            return None
        if value.unit == target.at_most.unit:
            return value.amount <= target.at_most.amount
        got, allowed = _comparable_seconds(value), _comparable_seconds(target.at_most)
        return None if got is None or allowed is None else got <= allowed
    if isinstance(value, Duration):
        return None
    if isinstance(target, RateAtMost):
        return value <= target.percent
    if isinstance(target, EveryCase):
        return value >= 100
    return value >= target.percent


def _objective_met(objective: Objective, value: float | Duration) -> bool | None:
    """Return whether VALUE reaches the objective's target, in the direction of the change."""

    def number(v: float | Duration) -> float | None:
        return _comparable_seconds(v) if isinstance(v, Duration) else v

    base, goal, got = number(objective.baseline), number(objective.target), number(value)
    if base is None or goal is None or got is None:
        return None
    return got >= goal if goal > base else got <= goal


def _status_check(
    document: YamlDocument, path: PathKey, outcome: Outcome, met: bool | None, what: str
) -> list[Diagnostic]:
    if met is None:
        return []
    if outcome.status is ResultStatus.MET and not met:
        message = f"the status is 'met', but the value {outcome.value} does not reach {what}"
    elif outcome.status is ResultStatus.NOT_MET and met:
        message = f"the status is 'not_met', but the value {outcome.value} reaches {what}"
    else:
        return []
    return [
        error(
            "CP311",
            message,
            document.pos((*path, "status")),
            "correct the value or the status; partly_met is for results between the two",
        )
    ]


def _value_kind(
    document: YamlDocument, path: PathKey, value: float | Duration | None, duration: bool, what: str
) -> Diagnostic | None:
    if value is None or isinstance(value, Duration) == duration:
        if (
            not duration
            and isinstance(value, float)
            and what == "percent"
            and not 0 <= value <= 100
        ):
            return error(
                "CP312",
                f"{value} is not a percentage from 0 to 100",
                document.pos((*path, "value")),
                "write the measured percentage, without the % sign",
            )
        return None
    expected = "a duration such as '3 minutes'" if duration else f"a number ({what})"
    return error(
        "CP312",
        f"the value must be {expected}, like the target it is measured against",
        document.pos((*path, "value")),
        "write the value in the same kind as the target",
    )


def result_diagnostics(
    result: ResultSource,
    charters: dict[str, CharterSource],
    build_date: dt.date,
    unchecked: Iterable[str] = (),
) -> list[Diagnostic]:
    """Check a results file against its charter and the build date (CP304-CP315)."""
    document, period = result.document, result.period
    source = charters.get(result.charter_id)
    if source is None and result.charter_id in unchecked:
        return []  # the charter failed its own checks
    if source is None:
        return [
            error(
                "CP304",
                f"no charter has the id '{result.charter_id}' (the folder of this results file)",
                SourcePos(document.file, 1, 1),
                did_you_mean(result.charter_id, charters)
                or "put results under charter/results/<charter id>/",
            )
        ]
    found: list[Diagnostic] = []
    if period.end >= build_date:
        found.append(
            error(
                "CP315",
                f"the period {period} ends on {period.end}, not before the build date {build_date}",
                SourcePos(document.file, 1, 1),
                "publish results once their period is over",
            )
        )
    charter = source.charter
    in_force = charter.version_on(period.end)
    if result.results.version is not None:
        expected = in_force.version if in_force else None
        if result.results.version != expected:
            found.append(
                error(
                    "CP314",
                    f"the results name version {result.results.version}, but "
                    + (f"version {expected} was" if expected else "no version was")
                    + f" in force at the end of {period} ({period.end})",
                    document.pos(("version",)),
                    "write the version in force on the last day of the period",
                )
            )
    commitments = {c.id: c for c in charter.commitments}
    for i, outcome in enumerate(result.results.commitments):
        path: PathKey = ("commitments", i)
        commitment = commitments.get(outcome.id)
        if commitment is None:
            found.append(
                _charter_item(
                    document,
                    (*path, "id"),
                    f"the charter '{result.charter_id}' has no commitment '{outcome.id}'",
                    outcome.id,
                    commitments,
                )
            )
            continue
        target = commitment.target_on(period.end)
        problem = _value_kind(
            document, path, outcome.value, target.kind not in _PERCENT_KINDS, "percent"
        )
        if problem is not None:
            found.append(problem)
        elif outcome.value is not None:
            found += _status_check(
                document, path, outcome, _target_met(target, outcome.value), "the target"
            )
    objectives = {o.id: o for o in charter.objectives}
    for i, outcome in enumerate(result.results.objectives):
        path = ("objectives", i)
        objective = objectives.get(outcome.id)
        if objective is None:
            known = sorted(objectives)
            found.append(
                error(
                    "CP307",
                    f"the charter '{result.charter_id}' has no objective '{outcome.id}'",
                    document.pos((*path, "id")),
                    did_you_mean(outcome.id, known)
                    or (f"known objectives: {', '.join(known)}" if known else "define it first"),
                )
            )
            continue
        problem = _value_kind(
            document, path, outcome.value, isinstance(objective.baseline, Duration), "score"
        )
        if problem is not None:
            found.append(problem)
        elif outcome.value is not None:
            found += _status_check(
                document,
                path,
                outcome,
                _objective_met(objective, outcome.value),
                f"the objective's target {objective.target}",
            )
    return found


# ---------------------------------------------------------------------------------------------
# The whole site

_FILE_ID_RE = re.compile(ID_PATTERN)


def _file_id_diagnostic(document: YamlDocument, folder: str, what: str) -> list[Diagnostic]:
    """Check that a file's name is a valid id (CP303)."""
    name = Path(document.file).name
    if _FILE_ID_RE.match(Path(document.file).stem):
        return []
    return [
        error(
            "CP303",
            f"'{name}' is not a valid {what} file name",
            SourcePos(document.file, 1, 1),
            f"rename it to {folder}/<id>.yml, where the id starts with a lowercase "
            "letter and holds only lowercase letters, digits, '_' and '-'",
        )
    ]


# Charter ids that would be the address of one of the site's own pages (render.CONTACTS_PAGE).
RESERVED_CHARTER_IDS = {"contacts": "the site's contacts page"}


def _reserved_id_diagnostic(document: YamlDocument) -> list[Diagnostic]:
    """Check that a charter's id is not the address of one of the site's own pages (CP303)."""
    charter_id = Path(document.file).stem
    if charter_id not in RESERVED_CHARTER_IDS:
        return []
    return [
        error(
            "CP303",
            f"'{Path(document.file).name}' cannot be a charter's file name: its pages would "
            f"have the address of {RESERVED_CHARTER_IDS[charter_id]}",
            SourcePos(document.file, 1, 1),
            f"rename it, for example to {CHARTER_DIR}/{charter_id}-charter.yml",
        )
    ]


M = TypeVar("M", bound=BaseModel)


def _checked(
    document: YamlDocument, model: type[M], memo: SourceMemo | None
) -> tuple[M | None, list[Diagnostic]]:
    """Check DOCUMENT against MODEL (check_document), or reuse the model MEMO keeps for its text."""
    if memo is None:
        return check_document(document, model)
    name = entry_name(document.file, document.digest)
    kept = memo.model(name, model)
    if isinstance(kept, model):
        return kept, []
    instance, problems = check_document(document, model)
    if instance is not None and not problems:
        memo.checked(name, instance)
    return instance, problems


def _remembered(
    memo: SourceMemo | None,
    document: YamlDocument,
    check: str,
    run: Callable[[], list[Diagnostic]],
    inputs: str = "",
) -> list[Diagnostic]:
    """Return what RUN finds in DOCUMENT, or what it found in the same text before (with MEMO).

    INPUTS names whatever else RUN reads (see SourceMemo.findings).
    """
    if memo is None:
        return run()
    return memo.findings(entry_name(document.file, document.digest), check, inputs, run)


def _charter_findings(charter: Charter, document: YamlDocument) -> list[Diagnostic]:
    """Check what a charter's own file must hold together: ids and references."""
    return (
        duplicate_id_diagnostics(charter, document)
        + charter_reference_diagnostics(charter, document)
        + charter_item_references(charter, document)
    )


def _procedure_findings(procedure: Procedure, document: YamlDocument) -> list[Diagnostic]:
    """Check what a procedure's own file must hold together: ids and references."""
    return duplicate_id_diagnostics(procedure, document) + procedure_item_references(
        procedure, document
    )


def _staff_time_inputs(
    procedure: Procedure,
    charters: dict[str, CharterSource],
    config_document: YamlDocument,
    build_date: dt.date,
) -> str:
    """Name what staff_time_diagnostics reads besides the procedure: for SourceMemo.findings."""
    parts = [config_document.digest, build_date.isoformat()]
    for delivery in procedure.delivers:
        source = charters.get(delivery.charter)
        document = source.document if source is not None else None
        parts.append(f"{delivery.charter}={document.file}:{document.digest}" if document else "-")
    return "\n".join(parts)


def _check_charters(sources: SourceSet, diagnostics: list[Diagnostic]) -> dict[str, CharterSource]:
    charters: dict[str, CharterSource] = {}
    for document in sources.charters:
        charter_id = Path(document.file).stem
        diagnostics += _file_id_diagnostic(document, CHARTER_DIR, "charter")
        diagnostics += _reserved_id_diagnostic(document)
        charter, problems = _checked(document, Charter, sources.memo)
        diagnostics += problems + _remembered(
            sources.memo, document, "aliases", partial(language_alias_warnings, document)
        )
        if charter is None:
            continue
        diagnostics += _remembered(
            sources.memo, document, "charter", partial(_charter_findings, charter, document)
        )
        if charter_id in charters:
            diagnostics.append(duplicate_file(document, charters[charter_id].document))
            continue
        charters[charter_id] = CharterSource(charter_id, document, charter)
    return charters


def _check_procedures(
    sources: SourceSet, diagnostics: list[Diagnostic]
) -> dict[str, ProcedureSource]:
    procedures: dict[str, ProcedureSource] = {}
    for document in sources.procedures:
        procedure_id = Path(document.file).stem
        diagnostics += _file_id_diagnostic(document, PROCEDURE_DIR, "procedure")
        procedure, problems = _checked(document, Procedure, sources.memo)
        diagnostics += problems
        if procedure is None:
            continue
        diagnostics += _remembered(
            sources.memo, document, "procedure", partial(_procedure_findings, procedure, document)
        )
        if procedure_id in procedures:
            diagnostics.append(duplicate_file(document, procedures[procedure_id].document))
            continue
        procedures[procedure_id] = ProcedureSource(procedure_id, document, procedure)
    return procedures


def _check_results(sources: SourceSet, diagnostics: list[Diagnostic]) -> list[ResultSource]:
    results: list[ResultSource] = []
    seen: dict[tuple[str, str], YamlDocument] = {}
    for document in sources.results:
        path = Path(document.file)
        charter_id, period_name = path.parent.name, path.stem
        period = result_period(document, diagnostics)
        result_set, problems = _checked(document, ResultSet, sources.memo)
        diagnostics += problems
        if result_set is None or period is None:
            continue
        diagnostics += _remembered(
            sources.memo,
            document,
            "results",
            partial(duplicate_id_diagnostics, result_set, document),
        )
        key = (charter_id, period_name)
        if key in seen:
            diagnostics.append(duplicate_file(document, seen[key]))
            continue
        seen[key] = document
        results.append(ResultSource(charter_id, period, document, result_set))
    return results


def validate_sources(sources: SourceSet, today: dt.date | None = None) -> ValidationOutcome:
    """Check every document of a site against the model and against each other."""
    build_date = today or resolve_build_date(None)
    diagnostics: list[Diagnostic] = []
    config: SiteConfig | None = None
    if sources.config is not None:
        config, problems = _checked(sources.config, SiteConfig, sources.memo)
        diagnostics += problems + language_alias_warnings(sources.config)
        if config is not None:
            diagnostics += duplicate_id_diagnostics(config, sources.config)
            diagnostics += asset_diagnostics(config, sources.config, sources.root)
            diagnostics += linked_outside_diagnostics(sources.root)
    charters = _check_charters(sources, diagnostics)
    procedures = _check_procedures(sources, diagnostics)
    results = _check_results(sources, diagnostics)
    for source in charters.values():
        diagnostics += version_warnings(source.charter, source.document, build_date)
    # Charters that exist but failed their own checks: references to them are not judged.
    unchecked = ({Path(d.file).stem for d in sources.charters} | set(sources.charter_ids)) - set(
        charters
    )
    for procedure in procedures.values():
        diagnostics += delivery_references(
            procedure.procedure, procedure.document, charters, unchecked
        )
        if config is not None and sources.config is not None:
            diagnostics += _remembered(
                sources.memo,
                procedure.document,
                "staff time",
                partial(
                    staff_time_diagnostics,
                    procedure.procedure,
                    procedure.document,
                    charters,
                    config,
                    build_date,
                ),
                _staff_time_inputs(procedure.procedure, charters, sources.config, build_date),
            )
    for result in results:
        diagnostics += result_diagnostics(result, charters, build_date, unchecked)
    site = None
    if config is not None and sources.config is not None and not has_errors(diagnostics):
        site = ValidatedSite(
            sources.root, config, sources.config, charters, procedures, results, build_date
        )
    return ValidationOutcome(site, diagnostics)


def validate_site(
    root: Path, today: dt.date | None = None, cache: BuildCache | None = None
) -> ValidationOutcome:
    """Load and validate the site at ROOT: every problem of every file, in one run.

    TODAY is the build date (see builddate.py); without it, SOURCE_DATE_EPOCH or the clock.
    With CACHE, files whose text has not changed since the previous run are neither parsed nor
    checked against the model again (sourcecache.py).
    """
    memo = SourceMemo.open(cache) if cache is not None and cache.enabled else None
    with paused_gc():
        sources, diagnostics = load_sources(root, memo)
        outcome = validate_sources(sources, today)
    if memo is not None:
        memo.store()
    outcome.diagnostics = diagnostics + outcome.diagnostics
    if has_errors(outcome.diagnostics):
        outcome.site = None
    return outcome


def overdue_reviews(site: ValidatedSite, today: dt.date) -> list[Diagnostic]:
    """Warn (CP430) for each charter and procedure whose next review is before the build date.

    Kept out of validate_site, whose findings say whether the files are right: an overdue
    review is a reminder that time has passed. The `validate` and `build` commands add it.
    """
    found: list[Diagnostic] = []
    sources: list[tuple[str, str, Any, Review | None]] = [
        ("charter", key, source.document, source.charter.review)
        for key, source in sorted(site.charters.items())
    ]
    sources += [
        ("procedure", key, source.document, source.procedure.review)
        for key, source in sorted(site.procedures.items())
    ]
    for kind, key, document, review in sources:
        if review is None or review.next >= today:
            continue
        found.append(
            error(
                "CP430",
                f"the review of the {kind} '{key}' was due on {review.next.isoformat()} "
                f"(build date {today.isoformat()})",
                document.pos(("review", "next")),
                "review it, then write the new dates in 'review: last' and 'review: next'",
            )
        )
    return found
