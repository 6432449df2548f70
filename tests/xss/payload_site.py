"""The script-injection site: a small complete site whose every text holds OWASP payloads.

The skeleton in tests/xss/site/ holds every part of the model once (one charter, one procedure,
one result; English, translated into Czech). `make_site` copies it and puts payloads into every
text field, found from the model's own metadata (`Text` and `PlainText`), so a new text field is
filled without touching this module; an optional text field the skeleton lacks is added. Each
text is a numbered marker and a few payloads; the payloads are dealt out in turn so that every
payload of tests/xss/owasp-payloads.yml, and a variant of it that calls the sentinel
`__xss(...)` instead of alert/confirm/prompt (for the browser test), is used at least once. The
Czech catalog translates every entry with the same payloads under a Czech marker, so that every
msgstr is published (a translation that changed the markup would fall back to English).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from charterpress import i18n, model
from charterpress.validate import validate_site
from charterpress.values import Translatable, _check_text

HERE = Path(__file__).resolve().parent
PAYLOAD_FILE = HERE / "owasp-payloads.yml"
SKELETON = HERE / "site"
TODAY = dt.date(2026, 6, 15)
SOURCE = "en"
TRANSLATED = "cs"  # its gettext code and URL segment are both "cs"
SENTINEL = "__xss"
# The files of the site and the model of each; site_config.yml too, whose texts are on every page.
FILES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("site_config.yml", model.SiteConfig),
    ("charter/desk.yml", model.Charter),
    ("charter/procedures/answer.yml", model.Procedure),
    ("charter/results/desk/2025.yml", model.ResultSet),
)
# Text fields whose value must keep a format: the output folder, and a channel's address (a
# number, an e-mail address or a web address, checked per kind; a shop's postal address is a
# mapping of free texts, walked as a model of its own).
_DIALOGS = re.compile(r"\b(alert|confirm|prompt)\b")

FieldPath = tuple[str, ...]


def load_payloads() -> list[str]:
    """Return the cheat sheet's payloads that a source file can hold."""
    data = yaml.safe_load(PAYLOAD_FILE.read_text(encoding="utf-8"))
    return list(data["payloads"])


def control_character_payloads() -> list[str]:
    """Return the cheat sheet's payloads with a character that YAML refuses in a file."""
    data = yaml.safe_load(PAYLOAD_FILE.read_text(encoding="utf-8"))
    return list(data["control_characters"])


def sentinel_variant(payload: str) -> str:
    """Return PAYLOAD calling the sentinel instead of alert, confirm or prompt."""
    return _DIALOGS.sub(SENTINEL, payload)


def all_payloads() -> list[str]:
    """Return every payload and each sentinel variant that differs from it, each once."""
    real = load_payloads()
    return list(dict.fromkeys([*real, *(sentinel_variant(p) for p in real)]))


def is_text(metadata: list[Any]) -> bool:
    """Return whether a field's metadata makes it a text (Text or PlainText)."""
    return any(getattr(m, "func", None) is _check_text for m in metadata)


def text_fields(of: type[BaseModel]) -> list[FieldPath]:
    """Return the paths of every Text and PlainText field under a model ('*' for list items)."""
    walked = model._walk(of, (), frozenset({of}))
    return sorted({path for path, metadata in walked if is_text(metadata)})


def _field_metadata(info: Any) -> list[Any]:
    return list(info.metadata) + model._annotation_metadata(info.annotation)


@dataclass(frozen=True)
class Slot:
    """One text of the site: where it is, and whether it is for staff only."""

    file: str
    path: FieldPath  # the field path, '*' for list items, as text_fields() names them
    holder: dict[str, Any]
    key: str
    internal: bool
    translatable: bool
    required: bool


def text_slots(
    data: Any, of: type[BaseModel], file: str, path: FieldPath, internal: bool
) -> Iterator[Slot]:
    """Yield every text slot of DATA (a mapping of model OF), adding absent optional texts."""
    if not isinstance(data, dict):
        return
    for key, info in of.model_fields.items():
        metadata = _field_metadata(info)
        inside = internal or model._has_marker(metadata, model.InternalOnly)
        if is_text(metadata):
            if key == "output_dir" or (key == "address" and of is model.Channel):
                continue
            data.setdefault(key, "placeholder")
            translatable = model._has_marker(metadata, Translatable)
            required = info.is_required()
            yield Slot(file, (*path, key), data, key, inside, translatable, required)
            continue
        value = data.get(key)
        if value is None:
            continue
        for in_list, inner in model._nested(info.annotation):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, dict) and _kind_fits(item, inner):
                    yield from text_slots(
                        item, inner, file, (*path, key, *(("*",) * in_list)), inside
                    )


def _kind_fits(item: dict[str, Any], inner: type[BaseModel]) -> bool:
    """Return whether ITEM is of model INNER, for the members of a union told apart by kind."""
    if "kind" not in inner.model_fields or "kind" not in item:
        return True
    annotation = inner.model_fields["kind"].annotation
    allowed = {getattr(a, "value", a) for a in getattr(annotation, "__args__", ())}
    return not allowed or item["kind"] in allowed


@dataclass
class PayloadSite:
    """A site filled with payloads, and where each text went."""

    root: Path
    payloads: list[str]
    texts: dict[str, str] = field(default_factory=dict)  # marker -> the source text
    translations: dict[str, str] = field(default_factory=dict)  # Czech marker -> its msgstr
    where: dict[str, str] = field(default_factory=dict)  # marker -> 'file: a.b.c'
    internal: set[str] = field(default_factory=set)  # markers of staff-only texts
    filled: set[tuple[str, FieldPath]] = field(default_factory=set)  # (file, path)

    def public_texts(self) -> dict[str, str]:
        """Return marker -> text of the texts that the public site shows."""
        internal_files = {f for f, m in FILES if model.is_internal_document(m)}
        return {
            marker: text
            for marker, text in self.texts.items()
            if marker not in self.internal
            and self.where[marker].split(":")[0] not in internal_files
        }


def marker(index: int, language: str) -> str:
    """Return the marker of text INDEX in LANGUAGE: letters and the index, never a payload."""
    return f"xs{index:03d}{language}"


def make_site(target: Path, payloads: list[str] | None = None) -> PayloadSite:
    """Copy the skeleton to TARGET and fill every text with payloads; write the Czech catalog."""
    shutil.copytree(SKELETON, target)
    chosen = all_payloads() if payloads is None else payloads
    site = PayloadSite(target, chosen)
    documents = []
    slots: list[Slot] = []
    for file, of in FILES:
        data = yaml.safe_load((target / file).read_text(encoding="utf-8"))
        documents.append((file, data))
        internal = model.is_internal_document(of)
        slots += list(text_slots(data, of, file, (), internal))
    # The translated texts come first and take every payload, so the catalog holds them all too.
    slots.sort(key=lambda slot: not slot.translatable)
    per_slot = math.ceil(len(chosen) / sum(slot.translatable for slot in slots))
    for index, slot in enumerate(slots):
        pieces = [chosen[(index * per_slot + k) % len(chosen)] for k in range(per_slot)]
        name = marker(index, SOURCE)
        text = " ".join([name, *pieces])
        slot.holder[slot.key] = text
        site.texts[name] = text
        site.where[name] = f"{slot.file}: {'.'.join(slot.path)}"
        site.filled.add((slot.file, slot.path))
        if slot.internal:
            site.internal.add(name)
    for file, data in documents:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        (target / file).write_text(text, encoding="utf-8")
    _translate(site)
    return site


def _translate(site: PayloadSite) -> None:
    """Write the Czech content catalog: every entry translated, with the same payloads."""
    outcome = validate_site(site.root, TODAY)
    assert outcome.site is not None, [str(d) for d in outcome.diagnostics]
    domain = i18n.content_domain(outcome.site)
    template = i18n.extract_content(outcome.site.root, outcome.site.config.organisation.name)
    catalog = i18n.merge_catalog(template, None, TRANSLATED, i18n.CONTENT_DOMAIN)
    source_marker = re.compile(rf"\bxs(\d{{3}}){SOURCE}\b")
    for message in catalog:
        if not message.id:
            continue
        translated = source_marker.sub(lambda m: marker(int(m.group(1)), TRANSLATED), message.id)
        message.string = translated
        found = source_marker.search(message.id)
        assert found is not None, message.id
        site.translations[marker(int(found.group(1)), TRANSLATED)] = translated
    language = next(lang for lang in domain.languages if lang.code == TRANSLATED)
    path = domain.po(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(i18n.render_catalog(catalog))


def harmless_words(payload: str) -> str:
    """Return harmless words laid out like PAYLOAD: its line breaks make the same paragraphs."""
    return re.sub(r"\S+", "plain", payload)


@dataclass(frozen=True)
class Built:
    """A payload site and its build output (<out>/public and <out>/handbook)."""

    site: PayloadSite
    out: Path


def build(folder: Path, *, harmless: bool = False) -> Built:
    """Make the payload site in FOLDER (or its twin with harmless texts) and build it."""
    from charterpress.pipeline import BuildOptions, build_site

    chosen = [harmless_words(p) for p in all_payloads()] if harmless else None
    site = make_site(folder / "site", chosen)
    out = folder / "out"
    result = build_site(BuildOptions(site=site.root, today=TODAY, out=out))
    assert result.ok, [str(d) for d in result.diagnostics]
    # Every Czech text was published: a text that fell back to English warns (CP610/CP611).
    assert [d.code for d in result.diagnostics] == [], [str(d) for d in result.diagnostics]
    return Built(site, out)
