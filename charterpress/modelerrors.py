"""Turn pydantic validation errors into diagnostics at the line and column of the YAML source."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .diagnostics import Diagnostic, error
from .yamlsource import PathKey, YamlDocument

M = TypeVar("M", bound=BaseModel)

# Custom error types raised by the value types (values._fail) and the diagnostic code of each.
CUSTOM_ERROR_CODES: dict[str, str] = {
    "cp_type": "CP203",
    "cp_range": "CP204",
    "cp_format": "CP205",
    "cp_inconsistent": "CP206",
    "cp_language": "CP208",
    "cp_time_zone": "CP210",
    "cp_holidays": "CP211",
    "cp_path": "CP212",
    "cp_country": "CP213",
}

_EXPECTED: dict[str, str] = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}

_MAPPING_TYPES = {"dict_type", "model_type", "model_attributes_type"}
_RANGE_TYPES = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_long",
    "finite_number",
    "multiple_of",
}


def describe_value(value: Any) -> str:
    """Describe what the author wrote, for 'expected X, found Y' messages."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def data_path(data: Any, loc: Sequence[str | int]) -> tuple[PathKey, bool]:
    """Turn a pydantic error location into a path in the YAML data.

    Union tags that pydantic inserts (the value of a 'kind' key) are skipped. Returns the path
    and whether the whole path exists in the data (it does not for a missing key).
    """
    path: list[str | int] = []
    current = data
    for segment in loc:
        if isinstance(current, dict) and isinstance(segment, str):
            if segment in current:
                current = current[segment]
                path.append(segment)
                continue
            if current.get("kind") == segment:
                continue
            path.append(segment)
            return tuple(path), False
        if isinstance(current, list) and isinstance(segment, int) and 0 <= segment < len(current):
            current = current[segment]
            path.append(segment)
            continue
        if isinstance(segment, str) and not isinstance(current, dict | list):
            continue  # a validator's name inside a loc, or a tag on a scalar
        return tuple(path), False
    return tuple(path), True


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _union_members(annotation: Any) -> tuple[Any, ...]:
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return tuple(_unwrap(a) for a in get_args(annotation))
    return ()


def model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """Return the model class that sits at LOC inside ROOT, or None if LOC is not a model."""
    current: Any = root
    for segment in loc:
        current = _unwrap(current)
        members = _union_members(current)
        if members:
            tagged = [
                m
                for m in members
                if isinstance(m, type) and issubclass(m, BaseModel) and _kind_tag(m) == segment
            ]
            if tagged:
                current = tagged[0]
                continue
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            if not models:
                return None
            current = models[0]
        if isinstance(current, type) and issubclass(current, BaseModel):
            field_info = current.model_fields.get(str(segment))
            if field_info is None:
                return None
            current = field_info.annotation
        elif get_origin(current) in (list, tuple, dict):
            current = get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    models = [
        m for m in _union_members(current) if isinstance(m, type) and issubclass(m, BaseModel)
    ]
    if models:
        return models[0] if len(models) == 1 else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _kind_tag(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    if kind is None or get_origin(kind.annotation) is not Literal:
        return None
    return str(get_args(kind.annotation)[0])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _field_hint(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """Tell how to write the field at LOC, from its documentation (never a raw pattern)."""
    parent = model_at(model, loc[:-1]) if loc else None
    field_info = parent.model_fields.get(str(loc[-1])) if parent is not None else None
    if field_info is None or not field_info.description:
        return "check how this field is written in the example site"
    return f"what this field holds: {field_info.description}"


def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [name for name in model.model_fields if name != "kind"]


def _where(path: PathKey) -> str:
    keys = [str(p) for p in path if isinstance(p, str)]
    return f" in '{keys[-1]}'" if keys else ""


def diagnostic_for_error(err: Any, document: YamlDocument, model: type[BaseModel]) -> Diagnostic:
    """Turn one pydantic error into a diagnostic at the right line and column."""
    kind: str = err["type"]
    loc: tuple[str | int, ...] = tuple(err["loc"])
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    path, exists = data_path(document.data, loc)
    hint = str(ctx.get("hint", ""))
    target = ctx.get("field")
    if isinstance(target, str) and isinstance(value, dict) and target in value:
        path = (*path, target)
        value = value[target]

    if kind == "missing":
        parent = path[:-1] if not exists else path
        return missing_fields([str(loc[-1])], parent, document)
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else str(loc[-1])
        known = _field_names(model_at(model, loc[:-1]))
        suggestion = did_you_mean(name, known)
        hint = suggestion or ("known keys here: " + ", ".join(known) if known else "remove the key")
        return error(
            "CP202", f"unknown key '{name}'{_where(path[:-1])}", document.pos(path, key=True), hint
        )
    if kind == "union_tag_not_found":
        tag = ctx.get("discriminator", "'kind'").strip("'")
        return error(
            "CP201",
            f"missing required field '{tag}'{_where(path)}",
            document.pos(path),
            f"add '{tag}:' with one of the kinds this field accepts",
        )
    if kind in ("union_tag_invalid", "literal_error", "enum"):
        expected = str(ctx.get("expected_tags") or ctx.get("expected") or "")
        choices = re.findall(r"'([^']*)'", expected)
        bad = str(ctx.get("tag", value))
        if kind == "union_tag_invalid":
            path = (*path, "kind")
        suggestion = did_you_mean(bad, choices)
        return error(
            "CP207",
            f"'{bad}' is not one of: {', '.join(choices) or expected}",
            document.pos(path),
            suggestion or "use one of the values listed",
        )
    if kind in _MAPPING_TYPES:
        found = describe_value(value)
        return error(
            "CP110",
            f"expected a mapping (key: value){_where(path)}, found {found}",
            document.pos(path),
            "write 'key: value' lines here"
            + ("; remove the leading '- '" if isinstance(value, list) else ""),
        )
    if kind in CUSTOM_ERROR_CODES:
        return error(
            CUSTOM_ERROR_CODES[kind],
            str(err["msg"]),
            document.pos(path),
            hint or "correct the value",
        )
    if kind == "too_short" and isinstance(value, list):
        minimum = ctx.get("min_length", 1)
        return error(
            "CP201",
            f"'{last_key(path)}' needs at least {minimum} item{'s' * (minimum != 1)}",
            document.pos(path),
            "add an item to the list",
        )
    if kind in _RANGE_TYPES:
        return error(
            "CP204",
            f"{describe_value(value)} is out of range: {err['msg'].lower()}",
            document.pos(path),
            "correct the value",
        )
    if kind == "string_pattern_mismatch":
        return error(
            "CP205",
            f"{describe_value(value)} does not follow the expected format",
            document.pos(path),
            _field_hint(model, loc),
        )
    if kind == "value_error":
        return error(
            "CP205",
            str(err["msg"]).removeprefix("Value error, "),
            document.pos(path),
            hint or "correct the value",
        )
    expected_noun = _EXPECTED.get(kind)
    if expected_noun is None:
        expected_noun = str(err["msg"]).removeprefix("Input should be ").rstrip(".")
    return error(
        "CP203",
        f"expected {expected_noun}{_where(path)}, found {describe_value(value)}",
        document.pos(path),
        _type_hint(kind, value, path),
    )


def missing_fields(names: list[str], parent: PathKey, document: YamlDocument) -> Diagnostic:
    """Report required fields missing from one mapping, as one diagnostic (CP201)."""
    quoted = ", ".join(f"'{name}'" for name in names)
    plural = len(names) > 1
    return error(
        "CP201",
        f"missing required field{'s' * plural} {quoted}{_where(parent)}",
        document.pos(parent),
        ("add a line for each: " if plural else "add a line ")
        + ", ".join(f"'{name}: ...'" for name in names)
        + _placement(parent),
    )


def _placement(parent: PathKey) -> str:
    """Say where a missing key goes: ' to the file', " under 'owner'", ..."""
    if not parent:
        return " to the file"
    if isinstance(parent[-1], int):
        return f" to this item of '{last_key(parent)}'"
    return f" under '{last_key(parent)}'"


def last_key(path: PathKey) -> str:
    keys = [p for p in path if isinstance(p, str)]
    return keys[-1] if keys else "list"


def _type_hint(kind: str, value: Any, path: PathKey) -> str:
    if value is None:
        return (
            f"write the value after '{last_key(path)}:', or remove the line if the field is "
            "optional"
        )
    if kind == "string_type" and isinstance(value, int | float | bool):
        return (
            "put the value in quotes, so it is read as text exactly as written "
            "(numbers lose leading zeros, '+' signs and spaces)"
        )
    if kind == "list_type" and not isinstance(value, list):
        return "write the value as a list: one '- item' per line, or [a, b]"
    if kind == "string_type" and isinstance(value, dict | list):
        return (
            "write a single line of text here; use quotes if it contains ': ' or starts with '- '"
        )
    if kind.startswith(("float_", "int_", "decimal_")):
        return "write a number, such as 95 or 99.5, without quotes, units or a % sign"
    if kind.startswith("bool_"):
        return "write true or false"
    return "correct the value"


def check_document(document: YamlDocument, model: type[M]) -> tuple[M | None, list[Diagnostic]]:
    """Validate one document against MODEL; return the instance or its diagnostics."""
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    # Fields missing from one mapping make one diagnostic: a nearly empty file would otherwise
    # print the same line once for every field it lacks.
    missing: dict[PathKey, list[str]] = {}
    entries: list[Diagnostic | PathKey] = []  # a diagnostic, or the parent of missing fields
    for err in errors:
        if err["type"] != "missing":
            entries.append(diagnostic_for_error(err, document, model))
            continue
        path, exists = data_path(document.data, tuple(err["loc"]))
        parent = path if exists else path[:-1]
        if parent not in missing:
            missing[parent] = []
            entries.append(parent)
        missing[parent].append(str(err["loc"][-1]))
    return None, [
        e if isinstance(e, Diagnostic) else missing_fields(missing[e], e, document) for e in entries
    ]
