"""Validate stage: check documents against the model and across files; every problem a value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import languages
from .diagnostics import Diagnostic, SourcePos, error, has_errors
from .load import CHARTER_DIR, SourceSet, load_sources
from .model import Charter, SiteConfig
from .modelerrors import check_document, did_you_mean, last_key
from .values import ID_PATTERN
from .yamlsource import PathKey, YamlDocument


@dataclass
class CharterSource:
    """A checked charter and the document it came from."""

    id: str
    document: YamlDocument
    charter: Charter


@dataclass
class ValidatedSite:
    """A site whose sources passed every check."""

    root: Path
    config: SiteConfig
    config_document: YamlDocument
    charters: dict[str, CharterSource] = field(default_factory=dict)


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
    for path, _mark in document.values.items():
        keys = [p for p in path if isinstance(p, str)]
        value = _value_at(document.data, path)
        if (
            keys
            and keys[-1] in _LANGUAGE_KEYS
            and isinstance(value, str)
            and languages.is_alias(value)
        ):
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


def _value_at(data: Any, path: PathKey) -> Any:
    for segment in path:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _items_with_ids(value: Any, path: PathKey) -> Iterator[tuple[PathKey, list[Any]]]:
    """Yield every list of id-carrying models inside VALUE, with its path."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _items_with_ids(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        if value and all(isinstance(v, BaseModel) and "id" in type(v).model_fields for v in value):
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
# The whole site

_CHARTER_ID_RE = re.compile(ID_PATTERN)


def validate_sources(sources: SourceSet) -> ValidationOutcome:
    """Check every document of a site against the model and against each other."""
    diagnostics: list[Diagnostic] = []
    config: SiteConfig | None = None
    if sources.config is not None:
        config, problems = check_document(sources.config, SiteConfig)
        diagnostics += problems + language_alias_warnings(sources.config)
        if config is not None:
            diagnostics += duplicate_id_diagnostics(config, sources.config)
            diagnostics += asset_diagnostics(config, sources.config, sources.root)
    charters: dict[str, CharterSource] = {}
    for document in sources.charters:
        charter_id = Path(document.file).stem
        if not _CHARTER_ID_RE.match(charter_id):
            diagnostics.append(
                error(
                    "CP303",
                    f"'{Path(document.file).name}' is not a valid charter file name",
                    SourcePos(document.file, 1, 1),
                    f"rename it to {CHARTER_DIR}/<id>.yml, where the id starts with a lowercase "
                    "letter and holds only lowercase letters, digits, '_' and '-'",
                )
            )
        charter, problems = check_document(document, Charter)
        diagnostics += problems + language_alias_warnings(document)
        if charter is None:
            continue
        diagnostics += duplicate_id_diagnostics(charter, document)
        diagnostics += charter_reference_diagnostics(charter, document)
        charters[charter_id] = CharterSource(charter_id, document, charter)
    site = None
    if config is not None and sources.config is not None and not has_errors(diagnostics):
        site = ValidatedSite(sources.root, config, sources.config, charters)
    return ValidationOutcome(site, diagnostics)


def validate_site(root: Path) -> ValidationOutcome:
    """Load and validate the site at ROOT: every problem of every file, in one run."""
    sources, diagnostics = load_sources(root)
    outcome = validate_sources(sources)
    outcome.diagnostics = diagnostics + outcome.diagnostics
    if has_errors(outcome.diagnostics):
        outcome.site = None
    return outcome
