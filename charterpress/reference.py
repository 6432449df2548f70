"""The YAML reference for authors, generated from the model (docs/reference.md).

Every field of every kind of source file, with its type, whether it is required, what it means
and, where the example site has one, an example value taken from it. The descriptions come from
the model's own `Field(description=...)`; the few fields without one are described here
(FIELD_NOTES), and a test fails when a new field has neither.

Regenerate with:  python -m charterpress.reference > docs/reference.md
(or `python -m charterpress.reference --check`, which exits 1 when docs/reference.md is stale).
"""

from __future__ import annotations

import enum
import sys
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import values
from .model import Charter, Procedure, ResultSet, SiteConfig
from .values import InternalOnly

REPO = Path(__file__).resolve().parent.parent
REFERENCE_FILE = Path("docs") / "reference.md"
COMMAND = "python -m charterpress.reference > docs/reference.md"

# The kinds of source file, in the order of the reference, with where they live.
DOCUMENTS: tuple[tuple[type[BaseModel], str, str], ...] = (
    (SiteConfig, "site_config.yml", "site_config.yml"),
    (Charter, "charter/<id>.yml", "charter/*.yml"),
    (Procedure, "charter/procedures/<id>.yml", "charter/procedures/*.yml"),
    (ResultSet, "charter/results/<charter>/<period>.yml", "charter/results/*/*.yml"),
)

# The value types of values.py, by name, with how to write them.
VALUE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Id", "id", "lowercase letters, digits, `-` and `_`, starting with a letter; e.g. `phone-pt`"),
    ("Text", "text", "translatable text, shown to readers and translated into every language"),
    ("PlainText", "plain text", "text that is never translated: a name, an address, a code"),
    ("DurationField", "duration", "`<number> <unit>`, e.g. `2 working_days`; units below"),
    ("TimeRangeField", "time range", "`HH:MM-HH:MM` on a 24-hour clock, e.g. `09:00-18:00`"),
    ("TimeOfDayField", "time", "`HH:MM` on a 24-hour clock, e.g. `17:00`"),
    (
        "DayHours",
        "day hours",
        'one time range, or a list of them: `["09:00-13:00", "14:00-18:00"]`',
    ),
    ("Percent", "percent", "a number from 0 to 100, without the `%` sign"),
    ("Amount", "amount", "a number of money, without the currency, e.g. `10` or `2.50`"),
    ("Measure", "measure", "a number (a percentage, a score) or a duration such as `3 minutes`"),
    ("MoneyField", "money", "`<amount> <currency>`, e.g. `300 EUR`"),
    ("Url", "URL", "an `https://` address"),
    ("Email", "e-mail", "an e-mail address"),
    ("Phone", "telephone", 'an international number, e.g. `"+351 210 000 000"` (in quotes)'),
    ("Colour", "colour", '`"#RRGGBB"`, in quotes'),
    ("AssetPath", "file", "a path relative to the site folder, e.g. `assets/logo.svg`"),
    ("LanguageCode", "language", "one of `pt-PT`, `ca`, `cs`, `ro`, `en`"),
    ("TimeZone", "time zone", "an IANA time zone, e.g. `Europe/Lisbon`"),
    ("CountryCode", "country", "an ISO 3166-1 alpha-2 code in capitals, e.g. `PT`, `ES`, `CZ`"),
    ("HolidayCalendarField", "holidays", "a country code, or country-subdivision: `PT`, `ES-CT`"),
    ("Date", "date", "`YYYY-MM-DD`, e.g. `2026-01-01`"),
)

# Descriptions of the fields whose model has none (a test checks that none is missing).
FIELD_NOTES: Mapping[str, str] = {
    "Authority.role": "The id of the role that holds this authority.",
    "Channel.kind": "How customers reach us through this channel.",
    "Channel.name": "The channel's name, as customers know it.",
    "Channel.exceptions": "Days with other hours than the weekly ones, e.g. Christmas Eve.",
    "Charter.title": "The charter's title: the heading of its pages.",
    "Charter.review": "When the charter was last reviewed and will next be.",
    "Compensation.currency": "The currency of every amount of this compensation.",
    "Compensation.how_to_claim": "How the customer claims it, when it is paid on claim.",
    "CompensationChange.fixed": "The new fixed amount.",
    "CompensationChange.base": "The new base amount.",
    "CompensationChange.per_day_late": "The new amount per day late.",
    "CompensationChange.cap": "The new cap.",
    "CompensationChange.note": "Why the amounts change.",
    "ComplaintStage.kind": "What happens at this stage.",
    "ComplaintStage.title": "The stage's name, as customers read it.",
    "ComplaintStage.description": "What happens at this stage, in plain words.",
    "Complaints.how_to_complain": "How to make a complaint, in plain words.",
    "Complaints.update_every": "How often we tell the customer where the complaint stands.",
    "Conduct.tone_of_voice": "The tone to use with customers.",
    "Conduct.body_language": "The body language to use face to face.",
    "EscalationLevel.role": "The id of the role that takes the case at this level.",
    "ExternalBody.name": "The body's name.",
    "ExternalBody.description": "What the body does and for whom.",
    "ExternalBody.url": "The body's website.",
    "ExternalBody.address": "The body's postal address.",
    "FollowUp.role": "The id of the role that follows up.",
    "FollowUp.action": "What they do.",
    "FollowUp.within": "How soon after the case is closed.",
    "FooterLink.url": "Where the link goes.",
    "HoursException.reason": "Why the hours differ that day, as customers read it.",
    "Indicator.name": "The indicator's name.",
    "Indicator.frequency": "How often it is measured.",
    "InteractionModel.name": "The model's name.",
    "InteractionModel.source": "Where the model comes from.",
    "InteractionStage.name": "The stage's name.",
    "InteractionStage.description": "What staff do at this stage.",
    "Listening.measures": "What it measures: feedback, satisfaction or loyalty.",
    "Listening.frequency": "How often it is done.",
    "Meetings.frequency": "How often the team meets.",
    "Meetings.purpose": "What the meetings are for.",
    "Monitoring.how": "How compliance is checked.",
    "Monitoring.frequency": "How often it is checked.",
    "Monitoring.role": "The id of the role that checks it.",
    "Objective.description": "What will be done to reach the objective.",
    "Objective.baseline_date": "The day the baseline was measured.",
    "Outcome.status": "Whether the promise or objective was kept in the period.",
    "Outcome.comment": "Anything else readers should know about this result.",
    "Owner.name": "The name of the person who holds the role now (optional: roles outlive people).",
    "Procedure.title": "The procedure's title.",
    "Procedure.purpose": "What the procedure achieves, in one or two sentences.",
    "ProcedureMetric.name": "The standard's name.",
    "ProcedureMetric.target": "The level to reach, in words.",
    "ProcedureMetric.level": "Whom it measures: an individual, a team or the organisation.",
    "ProcedureMetric.kind": "Whether it counts (quantitative) or judges (qualitative).",
    "Recognition.name": "The recognition's name.",
    "Recognition.criteria": "Who earns it, and how.",
    "Recognition.reward": "What they receive.",
    "ResultSet.summary": "The period's results in a sentence or two.",
    "Role.name": "The role's name.",
    "Role.description": "What the role does.",
    "Segment.name": "The segment's name.",
    "Segment.description": "Who belongs to it.",
    "ServiceValue.name": "The value's name.",
    "ServiceValue.description": "What the value means in practice.",
    "Situation.situation": "The situation, as staff meet it.",
    "Situation.approach": "How to handle it.",
    "Statement.text": "The statement itself, in plain words.",
    "Step.action": "What to do, in the imperative.",
    "TargetVariant.note": "Why this variant exists, for readers.",
    "Training.duration": "How long the training takes.",
    "Training.refresh_every": "How often it is repeated.",
    "ValueSet.title": "The set's title.",
    "ClockPause.reason": "Why the clock stops then, for readers.",
    "Training.role": "The id of the role that takes this training.",
    "PercentWithin.percent": "The share of cases handled within the time.",
    "PercentWithin.within": "The time within which that share is handled.",
    "EveryCase.within": "The time within which every case is handled.",
    "AverageAtMost.at_most": "The longest the average may be.",
    "MaximumAtMost.at_most": "The longest any single case may take.",
    "Availability.percent": "The share of the time the service is available.",
    "RateAtMost.percent": "The highest share of cases that may go wrong.",
    "WeeklyHours.monday": "Opening hours on Mondays; absent: closed that day.",
    "WeeklyHours.tuesday": "Opening hours on Tuesdays; absent: closed that day.",
    "WeeklyHours.wednesday": "Opening hours on Wednesdays; absent: closed that day.",
    "WeeklyHours.thursday": "Opening hours on Thursdays; absent: closed that day.",
    "WeeklyHours.friday": "Opening hours on Fridays; absent: closed that day.",
    "WeeklyHours.saturday": "Opening hours on Saturdays; absent: closed that day.",
    "WeeklyHours.sunday": "Opening hours on Sundays; absent: closed that day.",
}


@dataclass
class FieldDoc:
    """One row of the reference: a field of a model."""

    name: str
    type: str
    required: bool
    description: str
    example: str = ""
    internal: bool = False


@dataclass
class ModelDoc:
    """One section of the reference: a model and its fields."""

    model: type[BaseModel]
    fields: list[FieldDoc] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """Return the heading's anchor."""
        return self.model.__name__.lower()


# ---------------------------------------------------------------------------------------------
# Types


def _alias_metadata() -> list[tuple[str, tuple[Any, ...]]]:
    """Return each value type's name with its Annotated metadata, most specific first."""
    found = []
    for name, label, _ in VALUE_TYPES:
        alias = getattr(values, name)
        found.append((label, tuple(get_args(alias)[1:])))
    return sorted(found, key=lambda item: -len(item[1]))


def _matches(metadata: list[Any], alias: tuple[Any, ...]) -> bool:
    return bool(alias) and all(any(m is a for m in metadata) for a in alias)


def _strip_none(annotation: Any) -> Any:
    """Return ANNOTATION without its `| None`."""
    origin = get_origin(annotation)
    if origin is Union or isinstance(annotation, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        return Union[tuple(args)]  # noqa: UP007 (rebuilt from parts)
    return annotation


def _link(model: type[BaseModel]) -> str:
    return f"[{model.__name__}](#{model.__name__.lower()})"


def describe_type(annotation: Any, metadata: list[Any] | None = None) -> str:
    """Return a reader's name for a field's type, with links to nested sections."""
    metadata = list(metadata or [])
    annotation = _strip_none(annotation)
    if get_origin(annotation) is Annotated:
        inner, *meta = get_args(annotation)
        return describe_type(inner, [*metadata, *meta])
    for label, alias in _alias_metadata():
        if _matches(metadata, alias):
            return label
    origin = get_origin(annotation)
    if origin in (list, tuple):
        return "list of " + describe_type(get_args(annotation)[0])
    if origin is Literal:
        return " or ".join(f"`{a}`" for a in get_args(annotation))
    if origin is Union or isinstance(annotation, types.UnionType):
        return " or ".join(describe_type(a) for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _link(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(f"`{m.value}`" for m in annotation)
    names = {bool: "true or false", int: "whole number", float: "number", str: "text"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def _flat_metadata(info: FieldInfo) -> list[Any]:
    found = list(info.metadata)
    stack = [info.annotation]
    while stack:
        current = stack.pop()
        if get_origin(current) is Annotated:
            found += list(get_args(current)[1:])
            stack.append(get_args(current)[0])
        elif get_origin(current) is Union or isinstance(current, types.UnionType):
            stack += list(get_args(current))
    return found


def nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    """Yield every model class a field of type ANNOTATION can hold."""
    origin = get_origin(annotation)
    if origin is Annotated or origin in (list, tuple):
        yield from nested_models(get_args(annotation)[0])
    elif origin is Union or isinstance(annotation, types.UnionType):
        for arg in get_args(annotation):
            yield from nested_models(arg)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation


# ---------------------------------------------------------------------------------------------
# Descriptions and examples


def field_description(model: type[BaseModel], name: str, info: FieldInfo) -> str:
    """Return the description of a field: the model's, FIELD_NOTES', or one derived from it."""
    if info.description:
        return info.description
    note = FIELD_NOTES.get(f"{model.__name__}.{name}")
    if note:
        return note
    if name == "id":
        return "The item's id, unique in its list; keep it once published."
    if name == "kind" and get_origin(_strip_none(info.annotation)) is Literal:
        return "Selects this kind of target."
    inner = list(nested_models(info.annotation))
    if len(inner) == 1 and inner[0].__doc__:
        return inner[0].__doc__.strip().splitlines()[0]
    if len(inner) > 1:
        return "One of the linked kinds, chosen by its `kind`."
    return ""


def _scalar(value: Any) -> str | None:
    """Return VALUE as a short inline YAML example, or None when it is not short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = " ".join(value.split())
        if len(text) > 70:
            text = text[:67].rstrip() + "..."
        return text
    if isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
        text = "[" + ", ".join(str(v) for v in value) + "]"
        return text if len(text) <= 70 else None
    return None


def _target_model(models: list[type[BaseModel]], data: Mapping[str, Any]) -> type[BaseModel]:
    """Return the model of a discriminated union that DATA (with its `kind`) belongs to."""
    for model in models:
        kind = model.model_fields.get("kind")
        literal = kind is not None and get_origin(kind.annotation) is Literal
        if literal and data.get("kind") in get_args(kind.annotation):  # type: ignore[union-attr]
            return model
    return models[0]


def collect_examples(model: type[BaseModel], data: Any, found: dict[tuple[str, str], str]) -> None:
    """Record the first example value of every field of MODEL met in DATA, and recurse."""
    if not isinstance(data, Mapping):
        return
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        key = (model.__name__, name)
        if key not in found:
            shown = _scalar(value)
            if shown is not None:
                found[key] = shown
        inner = list(nested_models(info.annotation))
        if not inner:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, Mapping):
                collect_examples(_target_model(inner, item), item, found)


def example_values(root: Path) -> dict[tuple[str, str], str]:
    """Return example values from the site at ROOT, by (model name, field name)."""
    import yaml

    found: dict[tuple[str, str], str] = {}
    for model, _, pattern in DOCUMENTS:
        for path in sorted(root.glob(pattern)):
            # BaseLoader keeps every scalar as written: 08:30 stays text, as authors type it.
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
            collect_examples(model, data, found)
    return found


# ---------------------------------------------------------------------------------------------
# The reference


def model_docs(examples: Mapping[tuple[str, str], str]) -> list[tuple[str, list[ModelDoc]]]:
    """Return, for each kind of source file, the sections of its models in reading order."""
    seen: set[type[BaseModel]] = set()
    out = []
    for root_model, where, _ in DOCUMENTS:
        sections: list[ModelDoc] = []
        queue = [root_model]
        while queue:
            model = queue.pop(0)
            if model in seen:
                continue
            seen.add(model)
            doc = ModelDoc(model)
            for name, info in model.model_fields.items():
                metadata = _flat_metadata(info)
                doc.fields.append(
                    FieldDoc(
                        name=name,
                        type=describe_type(info.annotation, list(info.metadata)),
                        required=info.is_required(),
                        description=field_description(model, name, info),
                        example=examples.get((model.__name__, name), ""),
                        internal=any(isinstance(m, InternalOnly) for m in metadata)
                        or bool(getattr(root_model, "internal_document", False)),
                    )
                )
                queue += [m for m in nested_models(info.annotation) if m not in seen]
            sections.append(doc)
        out.append((where, sections))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _example_cell(example: str) -> str:
    if not example:
        return ""
    return "`" + example.replace("`", "'").replace("|", "\\|") + "`"


def render_reference(root: Path) -> str:
    """Return docs/reference.md for the model, with examples from the site at ROOT."""
    lines = [
        "<!-- Generated from the model by charterpress/reference.py: do not edit by hand.",
        f"     Regenerate: {COMMAND} -->",
        "",
        "# YAML reference",
        "",
        "Every field of every source file: its type, whether it is required, what it means, and",
        "an example from the example site (Casa Lumen) where it has one. Fields marked",
        "*staff only* never reach the public site. A field you misspell or put in the wrong",
        "place is reported with its line ([CP202](diagnostics.md)); every code is explained in",
        "the [diagnostics reference](diagnostics.md).",
        "",
        "## Value types",
        "",
        "| Type | How to write it |",
        "| --- | --- |",
    ]
    lines += [f"| {label} | {_cell(how)} |" for _, label, how in VALUE_TYPES]
    lines += [
        "",
        "Duration units: " + ", ".join(f"`{u.value}`" for u in values.TimeUnit) + ".",
        "",
    ]
    for where, sections in model_docs(example_values(root)):
        lines += [f"## `{where}`", ""]
        for doc in sections:
            lines += [f"### {doc.model.__name__}", ""]
            summary = (doc.model.__doc__ or "").strip().splitlines()
            if summary:
                lines += [summary[0], ""]
            lines += [
                "| Field | Type | Required | Description | Example |",
                "| --- | --- | --- | --- | --- |",
            ]
            for f in doc.fields:
                description = f.description + (" *Staff only.*" if f.internal else "")
                lines.append(
                    f"| `{f.name}` | {_cell(f.type)} | {'yes' if f.required else 'no'} "
                    f"| {_cell(description)} | {_example_cell(f.example)} |"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    """Print the reference, or with --check, exit 1 when docs/reference.md differs from it."""
    text = render_reference(REPO)
    if "--check" in argv:
        current = (REPO / REFERENCE_FILE).read_text(encoding="utf-8")
        if current != text:
            print(f"{REFERENCE_FILE} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
