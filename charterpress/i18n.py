"""Translation: gettext catalogs for the templates and the charter texts, and their use at build.

Two domains:

* ``ui``: the built-in strings of the templates and the duration phrases of ``formatting.py``.
  It ships with Charterpress, in ``locales/`` beside the package; its source language is English.
* ``content``: a site's own texts (charters, procedures, results), extracted from the YAML with
  ``msgctxt`` = the stable key path of each text. It lives in the site's ``locales/``.

Catalogs are read from the ``.po`` files and compiled in memory, so a build never depends on
stale ``.mo`` files; fuzzy entries are never used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gettext
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import UnionType
from typing import (
    IO,
    TYPE_CHECKING,
    Annotated,
    Any,
    NamedTuple,
    TypeVar,
    Union,
    get_args,
    get_origin,
)

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, normalize, read_po, unescape, write_po
from babel.numbers import NumberFormatError, parse_decimal
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import languages
from .cache import MISSING, BuildCache
from .diagnostics import Diagnostic, SourcePos, error, has_errors
from .languages import Language
from .load import (
    CHARTER_DIR,
    CONFIG_FILE,
    PROCEDURE_DIR,
    RESULTS_DIR,
    YAML_SUFFIXES,
    relative_name,
)
from .modelerrors import check_document
from .texts import ForeignText
from .values import CONTROL_CHARACTER, InternalOnly, Translatable
from .yamlsource import PathKey, YamlDocument, load_yaml_text

if TYPE_CHECKING:
    from jinja2 import Environment

    from .validate import ValidatedSite

M = TypeVar("M", bound=BaseModel)

UI_DOMAIN = "ui"
CONTENT_DOMAIN = "content"
DOMAINS = (UI_DOMAIN, CONTENT_DOMAIN)


def _ui_locales_dir() -> Path:
    """Return where the ui catalogs are: package data when installed, else the checkout's."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "data" / "locales", package.parent / "locales"):
        if (candidate / "templates").is_dir():
            return candidate
    return package.parent / "locales"


PACKAGE_LOCALES = _ui_locales_dir()


def po_path(locales: Path, gettext_code: str, domain: str) -> Path:
    """Return locales/<code>/LC_MESSAGES/<domain>.po."""
    return locales / gettext_code / "LC_MESSAGES" / f"{domain}.po"


def pot_path(locales: Path, domain: str) -> Path:
    """Return locales/templates/<domain>.pot."""
    return locales / "templates" / f"{domain}.pot"


def translations_from_catalog(catalog: Catalog) -> gettext.GNUTranslations:
    """Compile a catalog in memory into a gettext Translations object, without fuzzy entries."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def ui_translations(locale: str) -> gettext.NullTranslations:
    """Return the ui-domain translations for LOCALE (a gettext code), English when missing."""
    path = po_path(PACKAGE_LOCALES, locale, UI_DOMAIN)
    if not path.is_file():
        return gettext.NullTranslations()
    try:
        catalog = read_catalog(path, locale, UI_DOMAIN)
    except CatalogError:
        # `i18n check` reports a broken catalog; meanwhile the pages show the English strings.
        return gettext.NullTranslations()
    return translations_from_catalog(catalog)


# ---------------------------------------------------------------------------------------------
# The translatable texts of a site, enumerated from the model's metadata


@dataclass(frozen=True)
class TextEntry:
    """One translatable text of a source file, keyed by its stable path of ids and fields."""

    context: str  # msgctxt, e.g. "shops:commitments/email_reply/promise"
    text: str
    pos: SourcePos
    description: str
    public: bool
    raw_path: PathKey  # the path in the YAML document (with list indexes), for positions

    @property
    def page(self) -> str:
        """Return the source file's key: 'shops', 'procedures/refund', 'site_config'."""
        return self.context.partition(":")[0]


def _has_marker(annotation: Any, metadata: Iterable[Any], marker: type) -> bool:
    """Return whether MARKER is in a field's metadata or anywhere in its annotation."""
    if any(isinstance(m, marker) for m in metadata):
        return True
    if get_origin(annotation) is Annotated:
        args = get_args(annotation)
        return any(isinstance(m, marker) for m in args[1:]) or _has_marker(args[0], (), marker)
    if get_origin(annotation) in (Union, UnionType):
        return any(_has_marker(a, (), marker) for a in get_args(annotation))
    return False


def _list_item_annotation(annotation: Any) -> Any:
    """Return the item type of list[X] (through Optional and Annotated), or None."""
    if get_origin(annotation) is Annotated:
        return _list_item_annotation(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        for arg in get_args(annotation):
            item = _list_item_annotation(arg)
            if item is not None:
                return item
        return None
    if get_origin(annotation) in (list, tuple) and get_args(annotation):
        return get_args(annotation)[0]
    return None


def source_key(file: str) -> str:
    """Return a source file's key for msgctxt: charter/shops.yml → 'shops'."""
    stem = file.rsplit(".", 1)[0] if file.endswith(YAML_SUFFIXES) else file
    return stem.removeprefix(CHARTER_DIR + "/")


def _describe(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    if field.description:
        return f"{model.__name__}.{name}: {field.description}"
    what = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
    return f"{model.__name__}.{name}, in: {what}" if what else f"{model.__name__}.{name}"


@dataclass(frozen=True)
class _FieldTraits:
    """What iter_texts needs to know of a model's field, read once from its annotation."""

    internal: bool
    translatable: bool
    item_translatable: bool
    description: str


@cache
def _field_traits(model: type[BaseModel]) -> tuple[tuple[str, _FieldTraits], ...]:
    """Return the traits of every field of MODEL, in declaration order."""
    # Reading the markers walks each annotation: done for every field of every instance, it
    # was a fifth of the translation stage's time.
    return tuple(
        (
            name,
            _FieldTraits(
                internal=_has_marker(info.annotation, info.metadata, InternalOnly),
                translatable=_has_marker(info.annotation, info.metadata, Translatable),
                item_translatable=_has_marker(
                    _list_item_annotation(info.annotation), (), Translatable
                ),
                description=_describe(model, name, info),
            ),
        )
        for name, info in model.model_fields.items()
    )


def iter_texts(instance: BaseModel, document: YamlDocument) -> Iterator[TextEntry]:
    """Yield every translatable text of a checked document, in document order of the model."""
    yield from _walk(instance, document, source_key(document.file), (), (), public=True)


def _walk(
    instance: BaseModel,
    document: YamlDocument,
    prefix: str,
    key: tuple[str, ...],
    raw: PathKey,
    *,
    public: bool,
) -> Iterator[TextEntry]:
    model = type(instance)
    # A model may declare itself internal as a whole (procedures: the staff handbook).
    public = public and not getattr(model, "internal_document", False)
    written = document_keys(document, raw)
    for name, traits in _field_traits(model):
        value = getattr(instance, name)
        if value is None or name not in written:
            continue
        here_public = public and not traits.internal
        translatable = traits.translatable
        description = traits.description
        if isinstance(value, str) and translatable:
            yield _entry(
                document, prefix, (*key, name), (*raw, name), value, description, here_public
            )
        elif isinstance(value, BaseModel):
            yield from _walk(
                value, document, prefix, (*key, name), (*raw, name), public=here_public
            )
        elif isinstance(value, list | tuple):
            item_translatable = traits.item_translatable
            for index, item in enumerate(value):
                item_key = _item_key(item, index)
                if isinstance(item, BaseModel):
                    yield from _walk(
                        item,
                        document,
                        prefix,
                        (*key, name, item_key),
                        (*raw, name, index),
                        public=here_public,
                    )
                elif isinstance(item, str) and item_translatable:
                    yield _entry(
                        document,
                        prefix,
                        (*key, name, item_key),
                        (*raw, name, index),
                        item,
                        description,
                        here_public,
                    )
        elif isinstance(value, dict):
            for item_key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk(
                        item,
                        document,
                        prefix,
                        (*key, name, str(item_key)),
                        (*raw, name, item_key),
                        public=here_public,
                    )


def document_keys(document: YamlDocument, raw: PathKey) -> Collection[str]:
    """Return the keys written in the YAML mapping at RAW (defaults were not written)."""
    data: Any = document.data
    for segment in raw:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return ()
    return data.keys() if isinstance(data, dict) else ()


def _item_key(item: Any, index: int) -> str:
    # Ids keep a text's key stable when items are reordered; a list without ids (which the
    # model's conventions forbid for texts) falls back to the position.
    ident = getattr(item, "id", None)
    return str(ident) if isinstance(ident, str) else f"#{index + 1}"


def _entry(
    document: YamlDocument,
    prefix: str,
    key: tuple[str, ...],
    raw: PathKey,
    text: str,
    description: str,
    public: bool,
) -> TextEntry:
    return TextEntry(
        context=f"{prefix}:{'/'.join(key)}",
        text=text,
        pos=document.pos(raw),
        description=description,
        public=public,
        raw_path=raw,
    )


AUDIENCE_PUBLIC = "Audience: public (customers read it on the public site)"
AUDIENCE_HANDBOOK = "Audience: handbook (staff only)"


def entry_comments(entry: TextEntry) -> list[str]:
    """Return the '#.' comments of an entry: what the field is and who reads it."""
    return [entry.description, AUDIENCE_PUBLIC if entry.public else AUDIENCE_HANDBOOK]


# ---------------------------------------------------------------------------------------------
# Which model each source file holds


def model_for_file(file: str) -> type[BaseModel] | None:
    """Return the model of a source file named relative to the site folder, or None."""
    from . import model

    if file == CONFIG_FILE:
        return model.SiteConfig
    parts = file.split("/")
    if len(parts) < 2 or parts[0] != CHARTER_DIR or not file.endswith(YAML_SUFFIXES):
        return None
    if file.startswith(PROCEDURE_DIR + "/") and len(parts) == 3:
        return model.Procedure
    if file.startswith(RESULTS_DIR + "/") and len(parts) == 4:
        return model.ResultSet
    if len(parts) == 2:
        return model.Charter
    return None


def document_texts(document: YamlDocument) -> list[TextEntry]:
    """Check one document against its model and return its texts (none if it is invalid)."""
    model_class = model_for_file(document.file)
    if model_class is None:
        return []
    instance, problems = check_document(document, model_class)
    if instance is None or has_errors(problems):
        return []
    return list(iter_texts(instance, document))


# ---------------------------------------------------------------------------------------------
# The Babel extractor for the content domain


def site_name(path: str) -> str:
    """Name a source file relative to its site folder, from its path alone."""
    parts = Path(path).parts
    if parts and parts[-1] == CONFIG_FILE:
        return CONFIG_FILE
    starts = [i for i, part in enumerate(parts) if part == CHARTER_DIR]
    return "/".join(parts[starts[-1] :]) if starts else Path(path).as_posix()


def extract_yaml(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Mapping[str, Any]
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extractor: yield each translatable text of a charter-site YAML file with its context.

    The text comes as a ``pgettext`` call, ``(msgctxt, msgid)``, so Babel gives it its context.
    Option ``root``: the site folder, to name the file relative to it (default: from the path).
    Babel's API takes it as the method "charterpress.i18n:extract_yaml"; a mapping file cannot
    name it so (Babel splits the section at the first colon), so the babel.extractors entry
    point of pyproject.toml names it ``charterpress_yaml``: ``[charterpress_yaml: **.yml]``.
    """
    name = str(getattr(fileobj, "name", options.get("filename", "")))
    root = options.get("root")
    file = relative_name(Path(root).resolve(), Path(name).resolve()) if root else site_name(name)
    raw = fileobj.read()
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    except UnicodeDecodeError:
        return  # `validate` reports it (CP102)
    document, _problems = load_yaml_text(text.removeprefix("\ufeff"), file)
    if document is None:
        return
    for entry in document_texts(document):
        yield entry.pos.line, "pgettext", (entry.context, entry.text), entry_comments(entry)


# ---------------------------------------------------------------------------------------------
# Reading and writing catalogs

_BRACE_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
_PERCENT_FIELD = re.compile(
    r"%(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
)


class CatalogError(Exception):
    """A catalog file that cannot be read: its position and what is wrong."""

    def __init__(self, path: Path, line: int, message: str, code: str = "CP601") -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message
        self.code = code


def normalise_flags(catalog: Catalog, domain: str) -> None:
    """Set the format flags msgfmt checks, from the placeholders each msgid really holds.

    Babel flags any msgid holding '% o' or '%s' as python-format. Content texts are prose, where
    "90% of calls" is not a format string: there only ``{name}`` placeholders count.
    """
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if domain == CONTENT_DOMAIN:
            message.flags.discard("python-format")
        if any(_BRACE_FIELD.search(i) for i in ids):
            message.flags.add("python-brace-format")
        else:
            message.flags.discard("python-brace-format")


def _previous_ids(message: Message) -> None:
    # Babel 2.18 reads '#| msgid "..."' lines as user comments; turn them back into previous ids.
    kept: list[str] = []
    previous: dict[str, str] = {}
    current = ""
    for comment in message.user_comments:
        if not comment.startswith("|"):
            kept.append(comment)
            continue
        body = comment[1:].strip()
        keyword, _, rest = body.partition(" ")
        if keyword in ("msgid", "msgid_plural", "msgctxt"):
            current, body = keyword, rest.strip()
        if current and body.startswith('"'):
            previous[current] = previous.get(current, "") + unescape(body)
    message.user_comments = kept
    if "msgid" in previous:
        message.previous_id = [previous["msgid"]]
        if "msgid_plural" in previous:
            message.previous_id.append(previous["msgid_plural"])


_PO_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(rf"^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?{_PO_STRING}$")


# Where str.splitlines() splits.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _lines(text: str) -> Iterator[str]:
    """Yield the lines of TEXT as str.splitlines() returns them, one at a time.

    A list of every line of a large catalog (N = 200: 30 MB, 680,000 lines) was twice the size
    of its text, at the peak of a build.
    """
    start = 0
    for found in _LINE_BREAK.finditer(text):
        yield text[start : found.start()]
        start = found.end()
    if start < len(text):
        yield text[start:]


def lint_po(text: str) -> tuple[int, str] | None:
    """Return the first line that is not gettext PO syntax, and why; Babel reads on past it."""
    control = CONTROL_CHARACTER.search(text)
    if control is not None:
        # Babel would read it into a translation and publish it; no page can show it.
        where = text.count("\n", 0, control.start()) + 1
        return where, f"the line holds the control character U+{ord(control.group()):04X}"
    for number, raw in enumerate(_lines(text), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
            if line.startswith("|") or not line:
                continue  # the previous source of an obsolete entry, as msgmerge writes it
        elif line.startswith("#") or not line:
            continue
        if not _PO_LINE.match(line):
            if line.count('"') % 2 or not line.endswith('"'):
                return number, "a string is not closed on its line"
            return number, "this line is neither a keyword with a string nor a string"
    return None


# A larger file is refused before Babel parses it, so that a huge or runaway generated file
# cannot exhaust the machine. A content catalog may grow with the site it translates: it holds
# each text of the sources with its context and translation, 2.3 to 2.6 times the bytes of the
# sources (the example: 300 KB for 130 KB; bench/generate.py's 1,000 charters: 154 MB for 60 MB),
# so its limit adds CATALOG_BYTES_PER_SOURCE_BYTE times the sources' size (content_domain).
MAX_CATALOG_BYTES = 32 * 1024 * 1024
CATALOG_BYTES_PER_SOURCE_BYTE = 4


def read_catalog(
    path: Path, locale: str | None, domain: str, max_bytes: int = MAX_CATALOG_BYTES
) -> Catalog:
    """Read a .po or .pot file, or raise CatalogError with the line of the problem."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CatalogError(
                path, 1, f"the file is {size:,} bytes; the limit is {max_bytes:,}", "CP101"
            )
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise CatalogError(
                path, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
            ) from None
        problem = lint_po(text)
        if problem is not None:
            raise CatalogError(path, *problem)
        # Babel reads the bytes (in the charset its header names): the text, as large as the
        # file or twice as large, need not stay while the Catalog is built (N = 200: 30 MB).
        del text
        catalog = read_po(io.BytesIO(raw), locale=locale, domain=domain, abort_invalid=True)
    except PoFileError as exc:
        raise CatalogError(path, int(exc.lineno) + 1, str(exc).rsplit(" on ", 1)[0]) from None
    except LookupError as exc:  # an unknown charset in the Content-Type header
        lines = raw.decode("utf-8").splitlines()
        header = next((n for n, line in enumerate(lines, 1) if "Content-Type:" in line), 1)
        raise CatalogError(
            path, header, f"the header names an unknown charset ({exc}); write charset=UTF-8"
        ) from None
    except (ValueError, UnknownLocaleError) as exc:
        raise CatalogError(path, 1, str(exc)) from None
    except OSError as exc:
        raise CatalogError(path, 0, f"cannot be read ({exc.strerror})") from None
    for message in catalog:
        _previous_ids(message)
    normalise_flags(catalog, domain)
    return catalog


_PREVIOUS_TOKEN = "charterpress-previous-{:06d}"


def render_catalog(catalog: Catalog) -> bytes:
    """Return the bytes of a .po/.pot file, deterministically."""
    # Babel 2.18 re-wraps a long previous msgid as comment prose, which breaks its quoting
    # ('#| msgid "" "We deliver...'). Let Babel write a one-line token, then write the previous
    # msgid ourselves the way msgmerge does: one quoted string per '#|' line.
    previous: dict[str, list[str]] = {}
    for message in catalog:
        if message.id and message.previous_id:
            token = _PREVIOUS_TOKEN.format(len(previous))
            previous[token] = list(message.previous_id)
            message.previous_id = [token]
    buffer = io.BytesIO()
    try:
        write_po(buffer, catalog, width=76, include_previous=True, sort_output=False)
    finally:
        for message in catalog:
            if message.previous_id and message.previous_id[0] in previous:
                message.previous_id = previous[message.previous_id[0]]
    text = buffer.getvalue().decode("utf-8")
    for token, ids in previous.items():
        lines = [f"#| msgid {normalize(ids[0], prefix='#| ', width=76)}"]
        if len(ids) > 1:
            lines.append(f"#| msgid_plural {normalize(ids[1], prefix='#| ', width=76)}")
        text = text.replace(f'#| msgid "{token}"\n', "\n".join(lines) + "\n", 1)
    return text.encode("utf-8")


_DATE_LINES = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')


def _without_dates(content: bytes) -> list[bytes]:
    return [line for line in content.splitlines() if not line.startswith(_DATE_LINES)]


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write CONTENT unless the file holds the same apart from its dates; return if written."""
    if path.is_file() and _without_dates(path.read_bytes()) == _without_dates(content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(path)
    return True


def creation_date() -> dt.datetime:
    """Return SOURCE_DATE_EPOCH as a UTC datetime, else the clock (for catalog headers)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


_HEADER = {
    UI_DOMAIN: "# Charterpress: the strings of the templates and the duration phrases.",
    CONTENT_DOMAIN: "# The texts of this site's charters, procedures and results.",
}
_HEADER_TAIL = (
    "\n# Made by `python build.py i18n extract` and `i18n update`."
    "\n# Translators edit the .po files: see docs/translators.md.\n#"
)


def new_catalog(domain: str, locale: str | None, project: str) -> Catalog:
    """Return an empty catalog with Charterpress's deterministic header."""
    return Catalog(
        locale=locale,
        domain=domain,
        header_comment=_HEADER[domain] + _HEADER_TAIL,
        project=project,
        version="1",
        creation_date=creation_date(),
        revision_date=creation_date() if locale else None,
        # msgfmt warns about the initial "FULL NAME <EMAIL@ADDRESS>"; editors fill it in.
        last_translator="Charterpress i18n update",
        charset="utf-8",
        fuzzy=False,
    )


# ---------------------------------------------------------------------------------------------
# Extraction

MAPPING_FILE = "babel.cfg"
# N_ marks the plural duration phrases of formatting.py (singular, plural).
UI_KEYWORDS: dict[str, Any] = {**DEFAULT_KEYWORDS, "N_": (1, 2)}
UI_COMMENT_TAGS = ("Translators:",)
CONTENT_EXTRACTOR = "charterpress.i18n:extract_yaml"


def can_extract_ui() -> bool:
    """Return whether the ui catalogs sit in a checkout with the templates and babel.cfg."""
    return (PACKAGE_LOCALES.parent / MAPPING_FILE).is_file()


def extract_ui(repo: Path) -> Catalog:
    """Extract the ui domain from the templates and formatting.py, as mapped in babel.cfg."""
    with (repo / MAPPING_FILE).open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    catalog = new_catalog(UI_DOMAIN, None, "Charterpress")
    found = extract_from_dir(
        str(repo),
        method_map,
        options_map,
        keywords=UI_KEYWORDS,
        comment_tags=UI_COMMENT_TAGS,
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in sorted(
        found, key=lambda item: (item[0], item[1])
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    normalise_flags(catalog, UI_DOMAIN)
    return catalog


def extract_content(root: Path, project: str) -> Catalog:
    """Extract the content domain of the site at ROOT through the Babel extractor."""
    patterns = [CONFIG_FILE, f"{CHARTER_DIR}/**.yml", f"{CHARTER_DIR}/**.yaml"]
    method_map = [(pattern, CONTENT_EXTRACTOR) for pattern in patterns]
    options_map = {pattern: {"root": str(root)} for pattern in patterns}
    catalog = new_catalog(CONTENT_DOMAIN, None, project)
    found = extract_from_dir(
        str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS, strip_comment_tags=True
    )
    for filename, lineno, message, comments, context in sorted(
        found, key=lambda item: (item[0], item[1])
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    normalise_flags(catalog, CONTENT_DOMAIN)
    return catalog


# ---------------------------------------------------------------------------------------------
# Update: merge a template into each language's catalog


def _shape(string: Any, template: Message, nplurals: int) -> Any:
    """Fit an old translation to the template's form: one string, or NPLURALS strings."""
    forms = list(string) if isinstance(string, tuple | list) else [string or ""]
    if not template.pluralizable:
        return forms[0]
    return tuple((forms + [forms[-1]] * nplurals)[:nplurals])


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(strings) and all(strings)


def _any_translation(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return any(strings)


def merge_catalog(template: Catalog, old: Catalog | None, locale: str, domain: str) -> Catalog:
    """Return LOCALE's catalog for TEMPLATE, keeping OLD's translations.

    An entry keeps its translation when its msgid and msgctxt are unchanged. When only the msgid
    changed, the entry with the same msgctxt gives its translation, marked fuzzy, with the old
    msgid as '#|': a rewritten sentence is never matched to another entry's translation.
    """
    project = template.project
    merged = new_catalog(domain, locale, project)
    merged.creation_date = template.creation_date
    if old is not None:
        merged.revision_date = old.revision_date
        if old.last_translator and not old.last_translator.startswith("FULL NAME"):
            merged.last_translator = old.last_translator
        merged.language_team = old.language_team
    nplurals = merged.num_plurals
    # Obsolete entries ('#~') count too: a sentence that comes back gets its translation back.
    earlier_entries = [m for m in old or () if m.id] + list(old.obsolete.values() if old else ())
    exact = {(_msgid(m), m.context): m for m in earlier_entries}
    by_context = {m.context: m for m in earlier_entries if m.context and _any_translation(m)}
    used: set[tuple[str, str | None]] = set()
    for tmpl in template:
        if not tmpl.id:
            continue
        message = Message(
            tmpl.id,
            locations=tmpl.locations,
            flags=tmpl.flags - {"fuzzy"},
            auto_comments=tmpl.auto_comments,
            context=tmpl.context,
        )
        same = exact.get((_msgid(tmpl), tmpl.context))
        earlier = same if same is not None else by_context.get(tmpl.context or "")
        if earlier is not None:
            used.add((_msgid(earlier), earlier.context))
            message.string = _shape(earlier.string, tmpl, nplurals)
            message.user_comments = list(earlier.user_comments)
            changed = same is None or _as_list(earlier.id) != _as_list(tmpl.id)
            if _any_translation(earlier) and (changed or earlier.fuzzy):
                message.flags.add("fuzzy")
                if earlier.previous_id:
                    message.previous_id = list(earlier.previous_id)
                elif changed:
                    message.previous_id = _as_list(earlier.id)
        merged[tmpl.id] = message
    for message in earlier_entries:
        key = (_msgid(message), message.context)
        if key not in used and _any_translation(message):
            obsolete_key = (key[0], message.context) if message.context else key[0]
            merged.obsolete[obsolete_key] = message
    normalise_flags(merged, domain)
    return merged


def _msgid(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)


def _as_list(msgid: Any) -> list[str]:
    return [str(i) for i in msgid] if isinstance(msgid, tuple | list) else [str(msgid)]


# ---------------------------------------------------------------------------------------------
# Comparing a translation with its source: placeholders, numbers, URLs, e-mail addresses, markup

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
# The patterns below stay linear on hostile text (a 1 MB word, "<a" or "](" repeated): an
# address starts where a run of its characters starts and never gives a character back, a tag
# ends before the next "<", a link target before the next "]".
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")


def _balanced_parentheses(depth: int) -> str:
    """Return a pattern for one character of a link target, with (...) nested DEPTH deep."""
    plain = r"[^()\s\]]"
    item = plain
    for _ in range(depth):
        item = rf"(?:{plain}|\({item}*\))"
    return item


# A Markdown link target may hold parentheses in pairs, as CommonMark allows: "javascript:
# alert(1)" is one target, not "javascript:alert(1" and a stray ")"; a target nested deeper
# still counts as a link, up to its first ")". Then an optional title in quotes or parentheses
# (never "anything up to a ')'", which made a long text with many "](" quadratic).
_LINK_TARGET = re.compile(
    rf"\]\(((?:{_balanced_parentheses(3)})+|[^)\s\]]+)"
    r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)"""
)
_CODE_SPAN = re.compile(r"`([^`]+)`")
# A number: digits grouped by threes (with any separator a locale uses), or plain digits, with
# decimals. Parsed with Babel in each side's own locale, so "85 %" equals "85%", "1.234,5"
# equals "1,234.5".
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+(?:[.,]\d+)?(?![\w])|(?<![\w])\d+(?:[.,]\d+)?"
)


@dataclass(frozen=True)
class Mismatch:
    """A way in which a translation differs from its source."""

    code: str  # CP603 placeholders, CP604 numbers, CP605 URLs/e-mail, CP606 markup
    message: str


def placeholders(text: str) -> list[str]:
    """Return the placeholders of TEXT, sorted: {name} and %(name)s forms."""
    found = [f"{{{m}}}" for m in _BRACE_FIELD.findall(text)]
    found += [m.group(0) for m in _PERCENT_FIELD.finditer(text) if m.group(1)]
    return sorted(found)


def _strip_non_numbers(text: str) -> str:
    for pattern in (_URL, _EMAIL, _TAG, _LINK_TARGET, _BRACE_FIELD, _PERCENT_FIELD):
        text = pattern.sub(" ", text)
    return text


def numbers(text: str, locale: str) -> list[str]:
    """Return the numbers written in TEXT, read in LOCALE, in a canonical form, sorted."""
    found = [_parse_number(token, locale) for token in _NUMBER.findall(_strip_non_numbers(text))]
    return [
        f"{n.normalize():f}" if isinstance(n, Decimal) else n for n in sorted(found, key=_order)
    ]


def _order(number: Decimal | str) -> tuple[int, Decimal, str]:
    return (0, number, "") if isinstance(number, Decimal) else (1, Decimal(0), number)


@lru_cache(maxsize=4096)
def _parse_number(token: str, locale: str) -> Decimal | str:
    # Memoised: a site writes the same few numbers ("2", "24", "90") in thousands of texts, and
    # Babel's parse_decimal looks up the locale's symbols each time.
    try:
        return Decimal(parse_decimal(token, locale=locale, strict=False))
    except (NumberFormatError, ValueError, ArithmeticError):
        pass
    try:
        return Decimal(token)
    except ArithmeticError:
        return token


def _canonical(number: Decimal | str) -> str:
    return f"{number.normalize():f}" if isinstance(number, Decimal) else number


def _same_numbers(source: str, translation: str, source_locale: str, locale: str) -> bool:
    """Return whether every number of TRANSLATION matches one of SOURCE, read either way.

    A translation may keep a number exactly as the source writes it ("WCAG 2.2" in Catalan,
    where "2.2" would otherwise read as 22), or write it the locale's way ("99,5 %").
    """
    remaining = [
        _canonical(_parse_number(token, source_locale))
        for token in _NUMBER.findall(_strip_non_numbers(source))
    ]
    for token in _NUMBER.findall(_strip_non_numbers(translation)):
        readings = {_canonical(_parse_number(token, loc)) for loc in (locale, source_locale)}
        match = next((r for r in readings if r in remaining), None)
        if match is None:
            return False
        remaining.remove(match)
    return not remaining


def _listing(items: Iterable[object]) -> str:
    shown = [str(i) for i in items]
    return ", ".join(shown) if shown else "none"


def compare(source: str, translation: str, source_locale: str, locale: str) -> list[Mismatch]:
    """Return how TRANSLATION differs from SOURCE in what must never change."""
    return list(_compare(source, translation, source_locale, locale))


# Memoised (a pure function of its strings): a site repeats its sentences across charters and
# languages share source texts; the example of bench/generate.py -n 50 makes 77,708 calls for
# 4,564 different arguments. The bound keeps a hostile catalog from holding memory for long.
@lru_cache(maxsize=16384)
def _compare(
    source: str, translation: str, source_locale: str, locale: str
) -> tuple[Mismatch, ...]:
    """Return how TRANSLATION differs from SOURCE, as a tuple (shared by every caller)."""
    found: list[Mismatch] = []
    want, got = placeholders(source), placeholders(translation)
    if want != got:
        found.append(
            Mismatch(
                "CP603",
                f"placeholders differ: the source has {_listing(want)}, the translation "
                f"{_listing(got)}",
            )
        )
    want_n, got_n = numbers(source, source_locale), numbers(translation, locale)
    if want_n != got_n and not _same_numbers(source, translation, source_locale, locale):
        found.append(
            Mismatch(
                "CP604",
                f"numbers differ: the source has {_listing(want_n)}, the translation "
                f"{_listing(got_n)}",
            )
        )
    for pattern, what in ((_URL, "web addresses"), (_EMAIL, "e-mail addresses")):
        want_s = sorted(u.rstrip(".,;:!?") for u in pattern.findall(source))
        got_s = sorted(u.rstrip(".,;:!?") for u in pattern.findall(translation))
        if want_s != got_s:
            found.append(
                Mismatch(
                    "CP605",
                    f"{what} differ: the source has {_listing(want_s)}, the translation "
                    f"{_listing(got_s)}",
                )
            )
    for pattern, what in (
        (_TAG, "HTML tags"),
        (_LINK_TARGET, "link targets"),
        (_CODE_SPAN, "code spans"),
    ):
        want_m, got_m = sorted(pattern.findall(source)), sorted(pattern.findall(translation))
        if want_m != got_m:
            found.append(
                Mismatch(
                    "CP606",
                    f"{what} differ: the source has {_listing(want_m)}, the translation "
                    f"{_listing(got_m)}",
                )
            )
    return tuple(found)


def message_mismatches(message: Message, source_locale: str, locale: str) -> list[Mismatch]:
    """Return the mismatches of a translated entry, form by form for plural entries."""
    if isinstance(message.id, tuple | list):
        singular, plural = str(message.id[0]), str(message.id[-1])
        strings = list(message.string) if isinstance(message.string, tuple | list) else []
        found: list[Mismatch] = []
        for index, string in enumerate(strings):
            if string:
                # Form 0 is the singular in every language Charterpress publishes.
                source = singular if index == 0 else plural
                for mismatch in compare(source, string, source_locale, locale):
                    # A singular form may spell out "one": only placeholders must always match.
                    if index > 0 or mismatch.code != "CP604":
                        found.append(mismatch)
        return list(dict.fromkeys(found))
    if not isinstance(message.string, str) or not message.string:
        return []
    return compare(str(message.id), message.string, source_locale, locale)


# ---------------------------------------------------------------------------------------------
# The catalogs of a site: which languages, where, from which source language


@dataclass(frozen=True)
class Domain:
    """One gettext domain of a site: where its catalogs are and which languages it needs."""

    name: str
    locales: Path
    root: Path  # the site folder, to name files in diagnostics
    source: Language
    languages: tuple[Language, ...]  # the languages translated from the source
    # The largest catalog read (MAX_CATALOG_BYTES; a content domain's grows with its sources).
    max_bytes: int = MAX_CATALOG_BYTES

    def pot(self) -> Path:
        """Return the template's path."""
        return pot_path(self.locales, self.name)

    def po(self, language: Language) -> Path:
        """Return LANGUAGE's catalog path."""
        return po_path(self.locales, language.gettext, self.name)

    def display(self, path: Path) -> str:
        """Name PATH for diagnostics, relative to the site folder when it is inside it."""
        return relative_name(self.root.resolve(), path.resolve())


def ui_domain(root: Path) -> Domain:
    """Return the ui domain: Charterpress's own catalogs, translated from English."""
    source = languages.BY_CODE["en"]
    targets = tuple(lang for lang in languages.LANGUAGES if lang != source)
    return Domain(UI_DOMAIN, PACKAGE_LOCALES, root, source, targets)


def content_domain(site: ValidatedSite) -> Domain:
    """Return the content domain of a site: its own texts, translated from its source language."""
    source = languages.BY_CODE[site.config.source_language]
    targets = tuple(
        languages.BY_CODE[code] for code in site.config.languages if code != source.code
    )
    return Domain(
        CONTENT_DOMAIN,
        site.root / LOCALES_DIR,
        site.root,
        source,
        targets,
        MAX_CATALOG_BYTES + CATALOG_BYTES_PER_SOURCE_BYTE * _sources_bytes(site),
    )


def _sources_bytes(site: ValidatedSite) -> int:
    """Return the size of the site's source files (those whose texts the catalogs translate)."""
    documents = [site.config_document]
    documents += [source.document for source in site.charters.values()]
    documents += [source.document for source in site.procedures.values()]
    documents += [source.document for source in site.results]
    total = 0
    for document in documents:
        with contextlib.suppress(OSError):
            total += (site.root / document.file).stat().st_size
    return total


LOCALES_DIR = "locales"


def extract(domain: Domain, site: ValidatedSite | None = None) -> bool:
    """Write the domain's .pot; return whether it changed (a change of date alone is none)."""
    if domain.name == UI_DOMAIN:
        catalog = extract_ui(PACKAGE_LOCALES.parent)
    else:
        if site is None:
            raise ValueError("the content domain is extracted from a validated site")
        catalog = extract_content(site.root, site.config.organisation.name)
    return write_if_changed(domain.pot(), render_catalog(catalog))


def update(domain: Domain) -> tuple[list[Path], list[Diagnostic]]:
    """Merge the .pot into each language's .po (creating new ones); return what was written."""
    written: list[Path] = []
    try:
        template = read_catalog(domain.pot(), None, domain.name, domain.max_bytes)
    except CatalogError as exc:
        return [], [_catalog_error(domain, exc)]
    problems: list[Diagnostic] = []
    for language in domain.languages:
        path = domain.po(language)
        old = None
        if path.is_file():
            try:
                old = read_catalog(path, language.gettext, domain.name, domain.max_bytes)
            except CatalogError as exc:
                problems.append(_catalog_error(domain, exc))
                continue
        merged = merge_catalog(template, old, language.gettext, domain.name)
        if write_if_changed(path, render_catalog(merged)):
            written.append(path)
    return written, problems


def compile_catalogs(
    domain: Domain, out: Path | None = None
) -> tuple[list[Path], list[Diagnostic]]:
    """Write a .mo beside each .po (or under OUT/<code>/LC_MESSAGES), without fuzzy entries."""
    written: list[Path] = []
    problems: list[Diagnostic] = []
    for language in domain.languages:
        path = domain.po(language)
        if not path.is_file():
            continue
        try:
            catalog = read_catalog(path, language.gettext, domain.name, domain.max_bytes)
        except CatalogError as exc:
            problems.append(_catalog_error(domain, exc))
            continue
        target = (
            path.with_suffix(".mo")
            if out is None
            else po_path(out, language.gettext, domain.name).with_suffix(".mo")
        )
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        if write_if_changed(target, buffer.getvalue()):
            written.append(target)
    return written, problems


def _catalog_error(domain: Domain, exc: CatalogError) -> Diagnostic:
    if exc.line == 0 and not exc.path.exists():
        return error(
            "CP613",
            "there is no template for the domain " + repr(domain.name),
            SourcePos(domain.display(exc.path)),
            "run `python build.py i18n extract` first",
        )
    return error(
        exc.code,
        f"the catalog cannot be read: {exc.message}",
        SourcePos(domain.display(exc.path), exc.line, 1 if exc.line else 0),
        "fix the line, or restore the file from version control and run `i18n update`",
    )


# ---------------------------------------------------------------------------------------------
# Status


@dataclass
class Counts:
    """How many entries are translated, fuzzy, or untranslated."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        """Return the number of entries."""
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        """Return the share of translated entries, 0..100 (100 for nothing to translate)."""
        return 100.0 if self.total == 0 else round(100 * self.translated / self.total, 1)

    def add(self, message: Message) -> None:
        """Count one entry."""
        if message.fuzzy and _any_translation(message):
            self.fuzzy += 1
        elif _translated(message):
            self.translated += 1
        else:
            self.untranslated += 1

    def to_json(self) -> dict[str, Any]:
        """Return the counts as a JSON-ready mapping."""
        return {
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "total": self.total,
            "percent": self.percent,
        }


@dataclass
class LanguageStatus:
    """The state of one language's catalog of one domain."""

    domain: str
    language: str  # the language code of site_config.yml
    catalog: str
    counts: Counts = field(default_factory=Counts)
    pages: dict[str, Counts] = field(default_factory=dict)
    audiences: dict[str, Counts] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the status as a JSON-ready mapping."""
        return {
            "domain": self.domain,
            "language": self.language,
            "catalog": self.catalog,
            **self.counts.to_json(),
            "pages": {k: v.to_json() for k, v in sorted(self.pages.items())},
            "audiences": {k: v.to_json() for k, v in sorted(self.audiences.items())},
        }


def audience(message: Message) -> str:
    """Return 'public' or 'handbook' from an entry's '#.' comments."""
    return "handbook" if AUDIENCE_HANDBOOK in message.auto_comments else "public"


def status(domain: Domain) -> tuple[list[LanguageStatus], list[Diagnostic]]:
    """Count translated, fuzzy and untranslated entries per language, page and audience."""
    problems: list[Diagnostic] = []
    try:
        template = read_catalog(domain.pot(), None, domain.name, domain.max_bytes)
    except CatalogError as exc:
        return [], [_catalog_error(domain, exc)]
    results = []
    for language in domain.languages:
        path = domain.po(language)
        catalog: Catalog | None = None
        if path.is_file():
            try:
                catalog = read_catalog(path, language.gettext, domain.name, domain.max_bytes)
            except CatalogError as exc:
                problems.append(_catalog_error(domain, exc))
        state = LanguageStatus(domain.name, language.code, domain.display(path))
        for tmpl in template:
            if not tmpl.id:
                continue
            found = catalog.get(tmpl.id, tmpl.context) if catalog is not None else None
            message = found if found is not None else tmpl
            state.counts.add(message)
            if domain.name == CONTENT_DOMAIN and tmpl.context:
                page = tmpl.context.partition(":")[0]
                state.pages.setdefault(page, Counts()).add(message)
            if domain.name == CONTENT_DOMAIN:
                state.audiences.setdefault(audience(tmpl), Counts()).add(message)
        results.append(state)
    return results, problems


def format_status(states: Iterable[LanguageStatus]) -> str:
    """Return the status as a table for a terminal."""
    lines = []
    for state in states:
        c = state.counts
        lines.append(
            f"{state.domain} {state.language}: {c.percent:.1f}% translated "
            f"({c.translated} translated, {c.fuzzy} fuzzy, {c.untranslated} untranslated) "
            f"in {state.catalog}"
        )
        rows = [(name, counts) for name, counts in sorted(state.audiences.items())]
        rows += [(f"page {name}", counts) for name, counts in sorted(state.pages.items())]
        width = max((len(name) for name, _ in rows), default=0)
        for name, counts in rows:
            lines.append(
                f"  {name:<{width}}  {counts.percent:5.1f}%  {counts.translated}/{counts.total} "
                f"translated, {counts.fuzzy} fuzzy"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Check


def _entry_lines(lines: list[str], msgid_line: int) -> dict[str, int]:
    """Return the 1-based line of each msgstr keyword of the entry whose msgid is at MSGID_LINE."""
    found: dict[str, int] = {}
    for number in range(msgid_line, len(lines) + 1):
        text = lines[number - 1].strip()
        if number > msgid_line and (not text or text.startswith(("#", "msgctxt", "msgid "))):
            break
        if text.startswith("msgstr"):
            found[text.split(" ", 1)[0]] = number
    return found


def check_catalog(domain: Domain, language: Language) -> list[Diagnostic]:
    """Check one catalog: it parses, plural forms, and what each translation must keep."""
    path = domain.po(language)
    name = domain.display(path)
    try:
        catalog = read_catalog(path, language.gettext, domain.name, domain.max_bytes)
    except CatalogError as exc:
        return [_catalog_error(domain, exc)]
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Diagnostic] = []
    expected = get_plural(language.gettext).num_plurals
    if catalog.num_plurals != expected:
        found.append(
            error(
                "CP602",
                f"the header declares {catalog.num_plurals} plural forms; "
                f"{language.english_name} has {expected}",
                SourcePos(name, _header_line(lines, "Plural-Forms"), 1),
                f'write "Plural-Forms: {get_plural(language.gettext).plural_forms}\\n"',
            )
        )
    for message in catalog:
        if not message.id or message.lineno is None:
            continue
        where = _entry_lines(lines, message.lineno)
        if message.pluralizable:
            forms = sorted(k for k in where if k.startswith("msgstr["))
            if len(forms) != expected:
                found.append(
                    error(
                        "CP602",
                        f"the entry has {len(forms)} plural forms; {language.english_name} "
                        f"has {expected}",
                        SourcePos(name, where.get(forms[0] if forms else "", message.lineno), 1),
                        "write msgstr[0] to msgstr["
                        f"{expected - 1}]: {get_plural(language.gettext).plural_forms}",
                    )
                )
        if message.fuzzy:
            continue  # never published; `i18n status` counts it
        for mismatch in message_mismatches(message, domain.source.gettext, language.gettext):
            line = min(where.values(), default=message.lineno)
            found.append(
                error(
                    mismatch.code,
                    mismatch.message,
                    SourcePos(name, line, 1),
                    "keep placeholders, numbers, addresses and markup as in the source; the "
                    "build shows the source text until the translation matches",
                )
            )
    return found


def _header_line(lines: list[str], name: str) -> int:
    for number, text in enumerate(lines, start=1):
        if text.startswith(f'"{name}:'):
            return number
    return 1


_MSGFMT_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?:(?P<column>\d+):)? (?P<message>.*)$")


def run_msgfmt(domain: Domain, path: Path, tool: str | None = None) -> list[Diagnostic]:
    """Run GNU msgfmt --check --statistics on a catalog and turn its complaints into diagnostics."""
    msgfmt = tool or shutil.which("msgfmt")
    name = domain.display(path)
    if msgfmt is None:
        return [
            error(
                "CP608",
                "msgfmt is not installed, so the catalogs were not checked with GNU gettext",
                SourcePos(name),
                "install gettext (apt-get install gettext); ./dev test does it",
            )
        ]
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = []
    for text in result.stderr.splitlines():
        match = _MSGFMT_LINE.match(text)
        if match and match.group("file").endswith(path.name):
            said = match.group("message")
            warning = said.startswith("warning: ")
            found.append(
                error(
                    "CP609" if warning else "CP607",
                    f"msgfmt: {said.removeprefix('warning: ')}",
                    SourcePos(name, int(match.group("line")), int(match.group("column") or 1)),
                    "msgfmt is GNU gettext's compiler; fix the entry it names",
                )
            )
    if result.returncode != 0 and not found:
        first = (result.stderr.strip().splitlines() or ["failed"])[0]
        found.append(error("CP607", f"msgfmt: {first}", SourcePos(name), ""))
    return found


def check(
    domain: Domain,
    *,
    msgfmt: bool = True,
    site: ValidatedSite | None = None,
    pofilter: bool = False,
) -> list[Diagnostic]:
    """Check every catalog of the domain; with MSGFMT and POFILTER, also run those tools on each.

    With SITE (or for the ui domain), also check that the template and the catalogs hold the
    texts the sources hold now (CP612).
    """
    found = freshness(domain, site)
    for language in domain.languages:
        path = domain.po(language)
        if not path.is_file():
            continue
        problems = check_catalog(domain, language)
        found += problems
        if msgfmt and not any(p.code == "CP601" for p in problems):
            found += run_msgfmt(domain, path)
        if pofilter and not any(p.code == "CP601" for p in problems):
            found += _run_pofilter(domain, language, problems)
    return found


def _run_pofilter(
    domain: Domain, language: Language, problems: list[Diagnostic]
) -> list[Diagnostic]:
    """Run translate-toolkit's pofilter on one catalog (CP614), beside our own PROBLEMS."""
    from .pofilter import check_with_pofilter

    return check_with_pofilter(domain, language, problems)


def _keys(catalog: Catalog) -> set[tuple[str, str | None]]:
    return {(_msgid(m), m.context) for m in catalog if m.id}


def freshness(domain: Domain, site: ValidatedSite | None = None) -> list[Diagnostic]:
    """Warn when the .pot lags behind the sources, or a .po behind the .pot (CP612)."""
    if domain.name == UI_DOMAIN and can_extract_ui():
        fresh = extract_ui(PACKAGE_LOCALES.parent)
    elif domain.name == CONTENT_DOMAIN and site is not None:
        fresh = extract_content(site.root, site.config.organisation.name)
    else:
        return []
    found: list[Diagnostic] = []
    try:
        template = read_catalog(domain.pot(), None, domain.name, domain.max_bytes)
    except CatalogError as exc:
        if exc.line == 0:
            return [_stale(domain, domain.pot(), "there is no template", "i18n extract")]
        return [_catalog_error(domain, exc)]
    if _keys(fresh) != _keys(template):
        changed = len(_keys(fresh) ^ _keys(template))
        found.append(
            _stale(
                domain,
                domain.pot(),
                f"the template lags behind the sources ({changed} texts differ)",
                "i18n extract",
            )
        )
    for language in domain.languages:
        path = domain.po(language)
        try:
            catalog = read_catalog(path, language.gettext, domain.name, domain.max_bytes)
        except CatalogError as exc:
            if exc.line == 0:
                found.append(_stale(domain, path, "the catalog is missing", "i18n update"))
            continue  # check_catalog reports a broken catalog
        if not _keys(template) <= _keys(catalog):
            found.append(
                _stale(domain, path, "the catalog lacks texts of the template", "i18n update")
            )
    return found


def _stale(domain: Domain, path: Path, message: str, command: str) -> Diagnostic:
    return error(
        "CP612",
        message,
        SourcePos(domain.display(path)),
        f"run `python build.py i18n extract` then `i18n update` (here: {command})",
    )


# ---------------------------------------------------------------------------------------------
# Resolution at build time


# Parsed content catalogs by (path, locale), with the hash of the bytes they were parsed from,
# for the readers that need babel's Catalog (a handbook built without the translation stage):
# a warm process re-parses only a catalog whose bytes changed. Read-only for their users. The
# build's translation stage keeps only each catalog's lookup (_LOOKUPS), not this.
_PARSED_CATALOGS: dict[tuple[str, str], tuple[str, Catalog]] = {}


def read_content_catalog(path: Path, locale: str, max_bytes: int = MAX_CATALOG_BYTES) -> Catalog:
    """Read a content catalog for a build, parsing it only if its bytes changed since last time."""
    key = (str(path.resolve()), locale)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = ""  # read_catalog reports why it cannot be read
    cached = _PARSED_CATALOGS.get(key)
    if cached is not None and digest and cached[0] == digest:
        return cached[1]
    catalog = read_catalog(path, locale, CONTENT_DOMAIN, max_bytes)
    if digest:
        _PARSED_CATALOGS[key] = (digest, catalog)
    return catalog


def load_content_catalogs(site: ValidatedSite) -> tuple[dict[str, Catalog], list[Diagnostic]]:
    """Read the content catalog of every translated language, keyed by gettext code."""
    domain = content_domain(site)
    catalogs: dict[str, Catalog] = {}
    problems: list[Diagnostic] = []
    for language in domain.languages:
        path = domain.po(language)
        if not path.is_file():
            continue
        try:
            catalogs[language.gettext] = read_content_catalog(
                path, language.gettext, domain.max_bytes
            )
        except CatalogError as exc:
            problems.append(_catalog_error(domain, exc))
    return catalogs, problems


@dataclass(frozen=True)
class FallbackText:
    """A text shown in the source language on a page of another language, and why."""

    page: str  # 'shops', 'procedures/refund', 'site_config'
    context: str
    pos: SourcePos  # where the source text is
    public: bool
    reason: str


@dataclass
class TranslationReport:
    """The texts of one language that fell back to the source language, page by page."""

    language: Language
    fallbacks: list[FallbackText] = field(default_factory=list)
    # With the build cache: for each source file, the key of its translation into the language
    # (a digest of everything its translated models are made from), for the stages after.
    sources: dict[str, str] = field(default_factory=dict)

    def by_page(self) -> dict[str, list[FallbackText]]:
        """Return the fallbacks grouped by page."""
        pages: dict[str, list[FallbackText]] = {}
        for fallback in self.fallbacks:
            pages.setdefault(fallback.page, []).append(fallback)
        return pages

    def public_pages(self) -> list[str]:
        """Return the pages whose public texts fall back (what `build --strict` refuses)."""
        return sorted({f.page for f in self.fallbacks if f.public})

    def diagnostics(self, *, handbook: bool = False) -> list[Diagnostic]:
        """Return one warning per public fallback (CP610); with HANDBOOK, also CP611 ones.

        `build --strict` turns warnings into errors: only public texts should stop it, so the
        handbook's fallbacks are left out unless asked for.
        """
        return [
            error(
                "CP610" if f.public else "CP611",
                f"not translated into {self.language.english_name} ({f.reason}): "
                f"{f.context}; the source text is shown",
                f.pos,
                f'translate the entry with msgctxt "{f.context}" in '
                f"locales/{self.language.gettext}/LC_MESSAGES/{CONTENT_DOMAIN}.po",
            )
            for f in self.fallbacks
            if f.public or handbook
        ]


class LookupEntry(NamedTuple):
    """What the build reads of a catalog entry: its translation and whether it is fuzzy."""

    string: Any  # a str, or a tuple of plural forms
    fuzzy: bool


@dataclass(frozen=True)
class CatalogLookup:
    """The entries of a content catalog by (msgid, msgctxt): what translating a text reads.

    Kept in the build cache instead of the Catalog: unpickling it is much cheaper than parsing
    the .po file again (bench/generate.py -n 50: 0.8 s a catalog), which a rebuild would
    otherwise pay for every language as soon as one source file changed.
    """

    entries: dict[tuple[str, str | None], tuple[Any, bool]]

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogLookup:
        """Return the lookup of CATALOG (the header left out, as Catalog.get leaves it out)."""
        return cls(
            {
                (_first_id(message.id), message.context): (message.string, message.fuzzy)
                for message in catalog
                if message.id
            }
        )

    def groups(self) -> dict[str, str]:
        """Return a digest of the entries of each source file (by the key their msgctxt starts
        with)."""
        hashes: dict[str, Any] = {}
        for (msgid, context), (string, fuzzy) in sorted(
            (k, v) for k, v in self.entries.items() if k[1] is not None
        ):
            page = str(context).partition(":")[0]
            if page not in hashes:
                hashes[page] = hashlib.sha256()
            entry = json.dumps([msgid, context, string, fuzzy], ensure_ascii=False)
            hashes[page].update(f"{len(entry)}:{entry}".encode())
        return {page: found.hexdigest() for page, found in hashes.items()}

    def get(self, text: str, context: str | None = None) -> LookupEntry | None:
        """Return the entry of TEXT in CONTEXT, or None, as Catalog.get would."""
        found = self.entries.get((text, context))
        return None if found is None else LookupEntry(*found)


def _first_id(msgid: Any) -> str:
    # Babel keys a plural entry by its singular (Catalog._key_for).
    return str(msgid[0]) if isinstance(msgid, list | tuple) else str(msgid)


Translations = Catalog | CatalogLookup


def _resolve(
    entry: TextEntry, catalog: Translations | None, source: Language, language: Language
) -> tuple[str, str]:
    """Return the text to show for ENTRY and, when it falls back, why ('' when translated)."""
    message = catalog.get(entry.text, entry.context) if catalog is not None else None
    reason = ""
    if catalog is None:
        reason = "no catalog"
    elif message is None:
        reason = "missing"
    elif message.fuzzy:
        reason = "fuzzy"
    elif not isinstance(message.string, str) or not message.string:
        reason = "untranslated"
    else:
        mismatches = compare(entry.text, message.string, source.gettext, language.gettext)
        if mismatches:
            reason = "; ".join(m.message for m in mismatches)
        else:
            return message.string, ""
    return ForeignText(entry.text, lang=source.bcp47), reason


def translate_model(
    instance: M,
    document: YamlDocument,
    catalog: Translations | None,
    source: Language,
    language: Language,
    report: TranslationReport,
) -> M:
    """Return a copy of INSTANCE whose texts are in LANGUAGE, or ForeignText where they are not."""
    return with_texts(
        instance, text_replacements(instance, document, catalog, source, language, report)
    )


def text_replacements(
    instance: BaseModel,
    document: YamlDocument,
    catalog: Translations | None,
    source: Language,
    language: Language,
    report: TranslationReport,
) -> dict[PathKey, str]:
    """Return the text to show at the path of each text of INSTANCE; add fallbacks to REPORT."""
    replacements: dict[PathKey, str] = {}
    for entry in iter_texts(instance, document):
        text, reason = _resolve(entry, catalog, source, language)
        replacements[entry.raw_path] = text
        if reason:
            report.fallbacks.append(
                FallbackText(entry.page, entry.context, entry.pos, entry.public, reason)
            )
    return replacements


def with_texts(instance: M, replacements: Mapping[PathKey, str]) -> M:
    """Return a copy of INSTANCE with the texts at the paths of REPLACEMENTS replaced."""
    result: M = _rebuild(instance, _path_tree(replacements))
    return result


# The key of a text in a _path_tree node: no field name, index or mapping key is a 1-tuple.
_TEXT = ("text",)


def _path_tree(replacements: Mapping[PathKey, str]) -> dict[Any, Any]:
    """Return REPLACEMENTS as a tree: a node per step of their paths, each text at its node.

    Rebuilding walks only the branches that lead to a text: not every field of every model
    (5.8 s for 200 charters in five languages, then).
    """
    tree: dict[Any, Any] = {}
    for path, text in replacements.items():
        node = tree
        for step in path:
            node = node.setdefault(step, {})
        node[_TEXT] = text
    return tree


def _rebuild(value: Any, tree: Mapping[Any, Any]) -> Any:
    """Return VALUE with the texts of TREE (see _path_tree) in place, sharing what is unchanged."""
    if _TEXT in tree:
        return tree[_TEXT]
    if isinstance(value, BaseModel):
        update = {name: _rebuild(getattr(value, name), below) for name, below in tree.items()}
        return value.model_copy(update=update) if update else value
    if isinstance(value, list | tuple):
        items = list(value)
        for index, below in tree.items():
            items[index] = _rebuild(items[index], below)
        return type(value)(items)
    if isinstance(value, dict):
        copy = dict(value)
        for key, below in tree.items():
            copy[key] = _rebuild(value[key], below)
        return copy
    return value


TRANSLATE_STAGE = "translate"
CATALOG_STAGE = "catalog"
GROUPS_STAGE = "catalog_groups"

# Translates the models of one source document: (models by field name, document) -> the same
# names with the translated models.
_Translate = Callable[[dict[str, BaseModel], YamlDocument], dict[str, BaseModel]]


def _translate_holder(holder: Any, translate: _Translate) -> Any:
    """Translate the models of a source holder (a dataclass with a 'document' and models)."""
    document = getattr(holder, "document", None)
    if not dataclasses.is_dataclass(holder) or not isinstance(document, YamlDocument):
        return holder
    models = {
        f.name: getattr(holder, f.name)
        for f in dataclasses.fields(holder)
        if isinstance(getattr(holder, f.name), BaseModel)
    }
    return dataclasses.replace(holder, **translate(models, document))  # type: ignore[type-var]


def _translate_fields(site: ValidatedSite, translate: _Translate) -> ValidatedSite:
    """Return SITE with the models of every source document translated by TRANSLATE."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(site):
        value = getattr(site, f.name)
        document = getattr(site, f"{f.name}_document", None)
        if isinstance(value, BaseModel) and isinstance(document, YamlDocument):
            changes[f.name] = translate({f.name: value}, document)[f.name]
        elif isinstance(value, dict):
            changes[f.name] = {k: _translate_holder(v, translate) for k, v in value.items()}
        elif isinstance(value, list):
            changes[f.name] = [_translate_holder(v, translate) for v in value]
    return dataclasses.replace(site, **changes)


def _translate_each(
    catalog: Translations | None, source: Language, language: Language, report: TranslationReport
) -> _Translate:
    """Return a translator of each document's models with CATALOG, into REPORT."""

    def translate(models: dict[str, BaseModel], document: YamlDocument) -> dict[str, BaseModel]:
        return {
            name: translate_model(instance, document, catalog, source, language, report)
            for name, instance in models.items()
        }

    return translate


def translate_site(
    site: ValidatedSite, language: Language, catalogs: Mapping[str, Catalog]
) -> tuple[ValidatedSite, TranslationReport]:
    """Return a copy of SITE in LANGUAGE and the texts that fell back to the source language.

    Every translatable text becomes its translation when that is usable, or ForeignText in the
    source language when it is missing, fuzzy, or differs from the source in numbers,
    placeholders, addresses or markup. CATALOGS maps gettext codes to content catalogs.
    """
    source = languages.BY_CODE[site.config.source_language]
    report = TranslationReport(language)
    if language == source:
        return site, report
    translate = _translate_each(catalogs.get(language.gettext), source, language, report)
    return _translate_fields(site, translate), report


@cache
def _library_versions() -> str:
    """Return the versions of the libraries translation reads (Babel parses the numbers)."""
    from importlib import metadata

    return f"babel={metadata.version('babel')}"


class ContentCatalogs:
    """The content catalogs of one build, each read only when a text must be translated.

    A language whose every document comes from the build cache never reads its catalog; the
    others read it from the cache's CatalogLookup of the same bytes, or parse it.
    """

    def __init__(self, site: ValidatedSite, cache: BuildCache | None) -> None:
        """Prepare the catalogs of SITE's content domain; CACHE may be None or disabled."""
        self.domain = content_domain(site)
        self.cache = cache if cache is not None and cache.enabled else None
        self._digests: dict[Language, str | None] = {}
        self._lookups: dict[Language, CatalogLookup | None] = {}
        self._problems: dict[Language, Diagnostic] = {}
        self._changed: set[Language] = set()
        self._grouped: dict[Language, dict[str, str] | None] = {}

    def digest(self, language: Language) -> str | None:
        """Return the SHA-256 of LANGUAGE's catalog ('none' without one; None if unreadable)."""
        if language not in self._digests:
            path = self.domain.po(language)
            try:
                found = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "none"
            except OSError:
                found = None  # reported when the catalog is read
            self._digests[language] = found
        return self._digests[language]

    def entries_digest(self, language: Language, file: str) -> str | None:
        """Return the digest of the entries of LANGUAGE's catalog for the texts of FILE.

        A text's msgctxt starts with its file's key (source_key), so a document's translation
        reads only these entries: a translator's edit changes the translation of the documents
        whose entries it touched, not of every document. None: the catalog is unreadable.
        """
        if self.digest(language) == "none":
            return "no catalog"  # not "empty": the reason each text falls back differs
        groups = self._groups(language)
        if groups is None:
            return None
        return groups.get(source_key(file), "empty")

    def _groups(self, language: Language) -> dict[str, str] | None:
        if language not in self._grouped:
            self._grouped[language] = self._read_groups(language)
        return self._grouped[language]

    def _read_groups(self, language: Language) -> dict[str, str] | None:
        digest = self.digest(language)
        if digest is None or self.cache is None:
            return None
        if not self.domain.po(language).is_file():
            return {}
        key = self.cache.key(GROUPS_STAGE, digest, language.gettext, _library_versions())
        found = self.cache.fetch_value(GROUPS_STAGE, language.gettext, key)
        if isinstance(found, dict):
            return found
        lookup = self.lookup(language)
        if lookup is None or not self.cacheable(language):
            return None
        groups = lookup.groups()
        self.cache.store_value(GROUPS_STAGE, language.gettext, key, groups)
        return groups

    def lookup(self, language: Language) -> CatalogLookup | None:
        """Return LANGUAGE's translations (None without a usable catalog), read once."""
        if language not in self._lookups:
            self._lookups[language] = self._read(language)
        return self._lookups[language]

    def release(self, language: Language) -> None:
        """Forget LANGUAGE's lookup once its texts are translated (a later call reads it again)."""
        self._lookups.pop(language, None)

    def cacheable(self, language: Language) -> bool:
        """Return whether texts translated into LANGUAGE may be kept in the build cache.

        Not when its catalog could not be read (the next build must report it again, which a
        cache hit would skip) or changed while it was read (the digest would not be its own).
        """
        return (
            self.cache is not None
            and self.digest(language) is not None
            and language not in self._problems
            and language not in self._changed
        )

    def diagnostics(self) -> list[Diagnostic]:
        """Return the catalogs that could not be read, in the order of the site's languages."""
        return [self._problems[lang] for lang in self.domain.languages if lang in self._problems]

    def _read(self, language: Language) -> CatalogLookup | None:
        path = self.domain.po(language)
        if not path.is_file():
            return None
        digest = self.digest(language)
        key = ""
        if self.cache is not None and digest is not None:
            key = self.cache.key(CATALOG_STAGE, digest, language.gettext, _library_versions())
            found = self.cache.fetch_value(CATALOG_STAGE, language.gettext, key)
            if isinstance(found, CatalogLookup):
                return found
        memo = (str(path.resolve()), language.gettext)
        known = _LOOKUPS.get(memo)
        if known is not None and digest is not None and known[0] == digest:
            lookup = known[1]
        else:
            try:
                parsed, lookup = _parse_lookup(path, language.gettext, self.domain.max_bytes)
            except CatalogError as exc:
                self._problems[language] = _catalog_error(self.domain, exc)
                return None
            if parsed != digest:
                self._changed.add(language)
                return lookup
            if self.cache is None and _memoisable(path):
                # With the cache, the next build reads the lookup from it before this memo:
                # keeping it here too would only hold every catalog's texts for nothing.
                _LOOKUPS[memo] = (parsed, lookup)
        if self.cache is not None and key:
            self.cache.store_value(CATALOG_STAGE, language.gettext, key, lookup)
        return lookup


# The lookup of the last parsed content catalog of each (path, locale), with the hash of the
# bytes it was parsed from: a warm `serve` parses again only a catalog whose bytes changed. The
# lookup only: babel's Catalog of the same entries is seven times larger (bench/generate.py
# -n 50: 110 MB for four catalogs, kept for the whole build), and a build needs only this.
# Filled only by builds without the cache (`serve --no-cache`): the cache is read first.
_LOOKUPS: dict[tuple[str, str], tuple[str, CatalogLookup]] = {}
# Only catalogs up to this size are memoised: every language's lookup stays in _LOOKUPS until the
# process ends, so a one-shot `build --no-cache` of a large site held them all (bench/generate.py
# -n 200: four 30 MB catalogs, 150 MB of lookups) though it never builds again.
MEMO_CATALOG_BYTES = 1024 * 1024


def _memoisable(path: Path) -> bool:
    """Return whether the lookup of the catalog at PATH is small enough to keep in _LOOKUPS."""
    try:
        return path.stat().st_size <= MEMO_CATALOG_BYTES
    except OSError:
        return False


def _parse_lookup(
    path: Path, locale: str, max_bytes: int = MAX_CATALOG_BYTES
) -> tuple[str, CatalogLookup]:
    """Parse a content catalog into its lookup; return it with the hash of the bytes parsed."""
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None  # read_catalog reports why it cannot be read
    if raw is not None and len(raw) <= max_bytes and _lints_clean(raw, locale):
        lookup = _lookup_of_po(raw)
        if lookup is not None:
            return hashlib.sha256(raw).hexdigest(), lookup
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""
    del raw
    return digest, CatalogLookup.of(read_catalog(path, locale, CONTENT_DOMAIN, max_bytes))


def _lints_clean(raw: bytes, locale: str) -> bool:
    """Return whether read_catalog would find nothing wrong before Babel reads RAW."""
    try:
        Locale.parse(locale)
        return lint_po(raw.decode("utf-8")) is None
    except (ValueError, UnknownLocaleError):
        return False


# The charset a catalog's header names, which Babel decodes the lines after it with.
_CHARSET = re.compile(r"charset=([^\s;]+)", re.IGNORECASE)


def _lookup_of_po(raw: bytes) -> CatalogLookup | None:
    """Return the lookup of a UTF-8 catalog as read_po would read it, without babel's Catalog.

    Memory: babel's Catalog of a large catalog is several times the size of its lookup (a
    Message object with its locations, comments and flags per entry; N = 200: 30 MB .po files),
    and the peak of a build was reached while it was built. Reads only what a lookup needs: the
    msgctxt, msgid and msgstr of each entry and its fuzzy flag, line by line as Babel does
    (bytes stripped, then decoded). Anything else (plural forms, obsolete entries, a repeated
    key, another charset, a line out of place) returns None, and read_catalog reads the file.
    """
    entries: dict[tuple[str, str | None], tuple[Any, bool]] = {}
    context: list[str] | None = None
    ids: list[str] | None = None
    strings: list[str] | None = None
    current: list[str] | None = None  # the string that continuation lines add to
    fuzzy = False

    def finish() -> bool:
        """Add the entry read so far, if any; False if it cannot be added as Babel would."""
        nonlocal context, ids, strings, current, fuzzy
        if ids is None:
            return True
        if strings is None:
            return False  # Babel: "missing msgstr"
        msgid = "".join(map(unescape, ids))
        string = "".join(map(unescape, strings))
        if not msgid:  # the header: babel reads its charset for the lines after it
            found = _CHARSET.search(string)
            if found and found.group(1).lower() not in ("utf-8", "utf8"):
                return False
        else:
            key = (msgid, "".join(map(unescape, context)) if context else None)
            if key in entries:
                return False  # Babel merges a repeated entry
            entries[key] = (string, fuzzy)
        context = ids = strings = current = None
        fuzzy = False
        return True

    for line_bytes in io.BytesIO(raw):
        stripped = line_bytes.strip()
        if not stripped:
            continue
        line = stripped.decode("utf-8")
        if line[0] == "#":
            if line[:2] == "#~" or not finish():
                return None
            if line[:2] == "#,":
                fuzzy = fuzzy or any(f.strip() == "fuzzy" for f in line[2:].lstrip().split(","))
            elif line[:2] == "#:" and ("\u2068" in line or "\u2069" in line):
                return None  # Babel's reading of such locations may fail
            continue
        if line[0] == '"':
            if current is None:
                return None
            current.append(line.strip())
            continue
        keyword, _, arg = line.partition(" ")
        if keyword in ("msgid", "msgctxt") and not finish():
            return None
        if keyword == "msgctxt":
            context = current = [arg.strip()]
        elif keyword == "msgid":
            ids = current = [arg.strip()]
        elif keyword == "msgstr" and ids is not None and strings is None:
            strings = current = [] if arg == '""' else [arg.strip()]
        else:
            return None
    return CatalogLookup(entries) if finish() else None


def _translate_cached(
    site: ValidatedSite,
    language: Language,
    source: Language,
    catalogs: ContentCatalogs,
    report: TranslationReport,
) -> _Translate:
    """Return a translator of each document's models that keeps its results in the build cache.

    The key of a document's translation holds everything translate_model reads: the document
    (its file name, which names the msgctxt, and the digest of its text: validation makes each
    model from its document alone, modelerrors.check_document), the language, the source
    language, the digest of the catalog's entries for this file (ContentCatalogs.entries_digest)
    and Babel's version (it reads the numbers).
    Neither the build date nor any other file is read. The settings are the one model that can
    differ from its document (--base-url replaces base_url after validation): their key holds
    the model itself.
    """
    cache = catalogs.cache
    assert cache is not None

    def translate(models: dict[str, BaseModel], document: YamlDocument) -> dict[str, BaseModel]:
        entries = catalogs.entries_digest(language, document.file)
        key = ""
        if entries is not None:
            key = translation_key(cache, site, models, document, language, source, entries)
            report.sources[document.file] = key
            slot = f"{language.code}/{document.file}"
            found = cache.fetch_value(TRANSLATE_STAGE, slot, key)
            if found is not MISSING:
                replacements, fallbacks = found
                report.fallbacks += fallbacks
                return {name: with_texts(m, replacements[name]) for name, m in models.items()}
        part = TranslationReport(language)
        catalog = catalogs.lookup(language)
        replacements = {
            name: text_replacements(instance, document, catalog, source, language, part)
            for name, instance in models.items()
        }
        report.fallbacks += part.fallbacks
        if key and catalogs.cacheable(language):
            # The texts, not the translated models: unpickling 60,000 pydantic models (N = 50)
            # cost three times as much as replacing the texts again (measured: 1.0 s / 0.36 s).
            cache.store_value(TRANSLATE_STAGE, slot, key, (replacements, part.fallbacks))
        return {name: with_texts(m, replacements[name]) for name, m in models.items()}

    return translate


def translation_key(
    cache: BuildCache,
    site: ValidatedSite,
    models: Mapping[str, BaseModel],
    document: YamlDocument,
    language: Language,
    source: Language,
    entries: str,
) -> str:
    """Return the key of the translation of one document's MODELS (see _translate_cached)."""
    settings = [m.model_dump_json() for m in models.values() if m is site.config]
    return cache.key(
        TRANSLATE_STAGE,
        document.file,
        document.digest,
        language.code,
        source.code,
        entries,
        _library_versions(),
        *settings,
    )


def _untranslated_keys(site: ValidatedSite, cache: BuildCache, report: TranslationReport) -> None:
    """Record in REPORT the key of each document of SITE in its source language."""
    source = report.language

    def record(models: dict[str, BaseModel], document: YamlDocument) -> dict[str, BaseModel]:
        report.sources[document.file] = translation_key(
            cache, site, models, document, source, source, "source"
        )
        return models

    _translate_fields(site, record)


def translate_languages(
    site: ValidatedSite, cache: BuildCache | None = None
) -> tuple[list[tuple[Language, ValidatedSite, TranslationReport]], list[Diagnostic]]:
    """Return the site in each published language, in the configured order, with its report.

    The diagnostics are the catalogs that cannot be read (CP601) and one warning per public
    text that falls back (CP610), which `build --strict` turns into errors. With CACHE (enabled),
    each source document's translation into each language is kept there and reused while the
    document and the language's catalog are unchanged.
    """
    translator = SiteTranslator(site, cache)
    editions = [translator.translate(languages.BY_CODE[code]) for code in site.config.languages]
    return editions, translator.diagnostics()


class SiteTranslator:
    """Translate a site one language at a time, so that a build holds one translation at once."""

    def __init__(self, site: ValidatedSite, cache: BuildCache | None = None) -> None:
        """Prepare SITE's content catalogs; CACHE may be None or disabled."""
        self.site = site
        self.catalogs = ContentCatalogs(site, cache)
        self.source = languages.BY_CODE[site.config.source_language]
        self.fallbacks: list[Diagnostic] = []

    def translate(self, language: Language) -> tuple[Language, ValidatedSite, TranslationReport]:
        """Return the site in LANGUAGE with its report; note its fallbacks for diagnostics()."""
        site, catalogs = self.site, self.catalogs
        report = TranslationReport(language)
        translated = site
        if language == self.source and catalogs.cache is not None:
            _untranslated_keys(site, catalogs.cache, report)
        if language != self.source:
            translate = (
                _translate_cached(site, language, self.source, catalogs, report)
                if catalogs.cache is not None
                else _translate_each(catalogs.lookup(language), self.source, language, report)
            )
            translated = _translate_fields(site, translate)
            catalogs.release(language)
        self.fallbacks += report.diagnostics()
        return language, translated, report

    def diagnostics(self) -> list[Diagnostic]:
        """Return the unreadable catalogs, then every fallback, of the languages translated."""
        return self.catalogs.diagnostics() + self.fallbacks


# ---------------------------------------------------------------------------------------------
# Templates


# Jinja's i18n extension must trim whitespace in {% trans %} blocks exactly as extraction did
# (babel.cfg: trimmed = true), or the msgids would not match.
JINJA_I18N_POLICIES: Mapping[str, Any] = {"ext.i18n.trimmed": True}


def install_ui_translations(env: Environment, language: Language) -> None:
    """Install LANGUAGE's ui translations into a Jinja environment with the i18n extension."""
    env.policies.update(JINJA_I18N_POLICIES)
    env.install_gettext_translations(  # type: ignore[attr-defined]
        ui_translations(language.gettext), newstyle=True
    )


# ---------------------------------------------------------------------------------------------
# Material's own interface strings

# locales/material/<gettext code>.json: Charterpress's own strings for Material's interface where
# Material's are not right for a published language (Material's "pt" is Brazilian).
MATERIAL_STRINGS_DIR = PACKAGE_LOCALES / "material"


def material_strings(language: Language) -> dict[str, str] | None:
    """Return Charterpress's overrides of Material's interface strings for LANGUAGE, or None."""
    path = MATERIAL_STRINGS_DIR / f"{language.gettext}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{path} must map Material's keys to strings")
    return dict(sorted(data.items()))


def material_language_partial(language: Language) -> tuple[str, str] | None:
    """Return (theme.language, partial) that installs the overrides of LANGUAGE, or None.

    Write the partial to <custom_dir>/partials/languages/<theme.language>.html and set
    ``theme.language`` to that name. Keys it lacks (added by a later Material) fall back to
    Material's own strings of the language, then to English.
    """
    strings = material_strings(language)
    if strings is None:
        return None
    name = language.bcp47
    entries = ",\n".join(
        f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
        for k, v in strings.items()
    )
    partial = (
        f"{{#- Charterpress: {language.english_name} interface strings for Material, from\n"
        f"    locales/material/{language.gettext}.json (generated; edit that file). -#}}\n"
        f'{{% import "partials/languages/{language.material}.html" as material %}}\n'
        '{% import "partials/languages/en.html" as english %}\n'
        f"{{% macro override(key) %}}{{{{ {{\n{entries}\n}}[key] }}}}{{% endmacro %}}\n"
        "{% macro t(key) %}{{ override(key) or material.t(key) or english.t(key) }}"
        "{% endmacro %}\n"
    )
    return name, partial
