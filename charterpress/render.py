"""Render stage: Jinja templates -> Markdown pages and HTML fragments, in memory (no I/O).

Author text is untrusted. Every value a template prints goes through ``_finalize``, which turns a
plain string into inert text: HTML specials and the Markdown characters that could start a link,
an image, emphasis, a table cell or a block become character references, so the reader sees the
text exactly as written and nothing in it is ever executed or interpreted. Only ``Markup`` made
by Charterpress itself (filters below, ``ident``) is printed as it is. Templates therefore cannot
forget to escape.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, TypeVar, get_args, get_origin

import jinja2
import jinja2.compiler
import jinja2.nodes
from markupsafe import Markup
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import calendars, formatting, languages
from .cache import MISSING, BuildCache
from .diagnostics import Diagnostic, SourcePos, error
from .languages import Language
from .model import WEEKDAYS, Channel, ChannelKind, Charter, SiteConfig
from .texts import ForeignText
from .values import Duration, InternalOnly, Money, TimeOfDay, TimeRange

BaseModelT = TypeVar("BaseModelT", bound=BaseModel)

PACKAGE_DIR = Path(__file__).resolve().parent
# Installed: the templates ship as package data; in a checkout they sit beside the package.
_BUILTIN_CANDIDATES = (PACKAGE_DIR / "data" / "templates", PACKAGE_DIR.parent / "templates")
SITE_TEMPLATES = "templates"


def builtin_templates_dir() -> Path:
    """Return the folder of Charterpress's own templates (package data, else the checkout)."""
    for candidate in _BUILTIN_CANDIDATES:
        if (candidate / "public").is_dir():
            return candidate
    raise FileNotFoundError("Charterpress's built-in templates are missing; reinstall Charterpress")


# ---------------------------------------------------------------------------------------------
# Escaping: the default for every printed value

_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\\": "&#92;",
    "`": "&#96;",
    "*": "&#42;",
    "_": "&#95;",
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    "#": "&#35;",
    "|": "&#124;",
    "!": "&#33;",
    "~": "&#126;",
    "^": "&#94;",
    "=": "&#61;",
    "$": "&#36;",
}
_SPECIALS = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# Characters that start a block only at the start of a line ("- item", "+ item", "1. item"), and
# a line of dashes, which is a rule once a text's paragraphs stand alone ("---", "-- --").
_LIST_START = re.compile(r"^(?:[-+]+|\d+[.)])(?=\s|$)")


def escape_text(value: str) -> Markup:
    """Return VALUE as inert text, safe in Markdown, in HTML and in a quoted HTML attribute."""
    # Newlines could end a table row or start a heading, code block or list: a text is one
    # paragraph, so every run of whitespace becomes one space.
    text = " ".join(str(value).split())
    text = _SPECIALS.sub(lambda m: _ENTITIES[m.group()], text)
    start = _LIST_START.match(text)
    if start:
        marker = start.group()
        text = marker[:-1] + f"&#{ord(marker[-1])};" + text[len(marker) :]
    return Markup(text)


class RenderValueError(ValueError):
    """A template printed a value that has no text form (None): a template bug."""


class InternalFieldError(RenderValueError):
    """A public page's template printed a field for staff only (CP402)."""


class Withheld:
    """What a public page sees in place of a field for staff only: false, and never printable.

    Templates test it like an absent value (`{% if owner.email %}`); printing it in any way
    fails the render with CP402, naming the field, instead of printing nothing or the value.
    """

    __slots__ = ("field",)

    def __init__(self, field: str) -> None:
        self.field = field

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        raise InternalFieldError(
            f"the template prints '{self.field}', which is for staff only and never appears on "
            "the public site"
        )

    __html__ = __str__


# The languages of the fallback texts printed by the render in progress (see ForeignText).
_FOREIGN: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "charterpress_foreign", default=None
)


def _finalize(value: Any) -> Any:
    """Escape every printed value that is not Markup; mark fallback texts with their language."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, Withheld):
        str(value)  # raises InternalFieldError, naming the field
    if value is None:
        raise RenderValueError(
            "the template printed a value that is absent (None); test it with {% if %} first"
        )
    if isinstance(value, ForeignText):
        seen = _FOREIGN.get()
        if seen is not None:
            seen.add(value.lang)
        return Markup('<span lang="{}">{}</span>').format(
            escape_text(value.lang), escape_text(value)
        )
    return escape_text(str(value))


# A paragraph break: every line break YAML leaves in a text. A folded block (`>`) or a plain
# scalar keeps only its blank lines as line breaks; a literal block (`|`) keeps every line.
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


def paragraphs(value: Any, indent: int = 0) -> Markup:
    """Print a text as Markdown paragraphs, each escaped; INDENT spaces before every later one.

    Put it where a paragraph may start: alone on a line, or after a label (``**Label**: ``) at the
    start of a line or a list item; INDENT 4 keeps later paragraphs inside the list item (and
    ends the item's last paragraph with a blank line).
    """
    if isinstance(value, Markup | Withheld) or value is None:
        return Markup(_finalize(value))
    lang = value.lang if isinstance(value, ForeignText) else None
    parts = [p for p in _PARAGRAPH_BREAK.split(str(value).strip()) if p]
    printed = [_finalize(ForeignText(p, lang) if lang else p) for p in parts]
    joined = Markup("\n\n" + " " * indent).join(printed)
    # Python-Markdown runs a next list item on into an indented paragraph: a blank line ends it.
    return joined + "\n" if indent and len(printed) > 1 else joined


# ---------------------------------------------------------------------------------------------
# Filters: locale formatting (from formatting.py) and safe pieces of markup


def _ident(value: str) -> Markup:
    """Print an id (already checked against the id pattern) as it is, for anchors and paths."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", str(value)):
        raise RenderValueError(f"'{value}' is not an id and cannot be used in an anchor")
    return Markup(str(value))


_PHONE_CHARS = re.compile(r"[^0-9+]")


def contact_href(channel: Channel) -> str | None:
    """Return the link that opens a channel (tel:, mailto:, https:), or None for a place."""
    if channel.address is None:
        return None  # a place: its address is a postal address
    if channel.kind is ChannelKind.PHONE:
        return phone_href(channel.address)
    if channel.kind is ChannelKind.EMAIL:
        return "mailto:" + channel.address
    return channel.address


def phone_href(number: str) -> str:
    """Return the tel: link that dials NUMBER."""
    return "tel:" + _PHONE_CHARS.sub("", number)


def _locale_filters(locale: str) -> dict[str, Callable[..., Any]]:
    return {
        "duration": lambda d: formatting.format_duration(d, locale),
        "within": lambda d: formatting.format_within(d, locale),
        "percent": lambda v: formatting.format_percent(v, locale),
        "money": lambda m: formatting.format_money(m, locale),
        "date": lambda d: formatting.format_date(d, locale),
        "time": lambda t: formatting.format_time(t, locale),
        "time_range": lambda r: formatting.format_time_range(r, locale),
        "weekday": lambda i: formatting.weekday_name(i, locale),
        "number": lambda v: formatting.format_number(v, locale),
        "address_lines": lambda a: formatting.format_address(a, locale),
        "country": lambda c: formatting.country_name(c, locale),
    }


def _money(amount: Decimal, currency: str) -> Money:
    """Make an amount of money for the money filter."""
    return Money(amount, str(currency))


def _language_name(code: str) -> str:
    """Return a language's own name ('Português') for a code of the language table."""
    language = languages.lookup(code)
    return language.name if language else code


def _measure(value: Any, locale: str) -> str:
    """Format a measured value: a duration, or a number."""
    if isinstance(value, Duration):
        return formatting.format_duration(value, locale)
    if isinstance(value, Money):
        return formatting.format_money(value, locale)
    if isinstance(value, TimeOfDay):
        return formatting.format_time(value, locale)
    if isinstance(value, TimeRange):
        return formatting.format_time_range(value, locale)
    return formatting.format_number(value, locale)


# ---------------------------------------------------------------------------------------------
# What the render produces


@dataclass(frozen=True)
class Page:
    """One rendered page: its path in the language's docs folder and its Markdown."""

    path: str  # "shops/commitments.md"
    title: Markup  # escaped, for the navigation and <title>
    markdown: str
    foreign_languages: tuple[str, ...] = ()  # languages of fallback texts on the page
    head_title: Markup | None = None  # for <title>, when it differs from the title


@dataclass(frozen=True)
class NavItem:
    """An entry of the navigation: a page, or a section of pages (its first page its index)."""

    title: Markup
    path: str | None = None
    children: tuple[NavItem, ...] = ()


# Every page shows the entries of the navigation's top level and of its own sections (Material's
# navigation.prune collapses the others, but keeps their titles): a list of every charter on
# every page would make each page grow with the site, and the site with its square. A list
# longer than this is split into groups of at most this many.
NAV_GROUP_SIZE = 20


def grouped_nav(items: Sequence[NavItem], size: int = NAV_GROUP_SIZE) -> tuple[NavItem, ...]:
    """Return ITEMS, or, when there are more than SIZE, alphabetical groups of at most SIZE.

    Each group is titled by its first and last entries, as a dictionary's guide words
    ("Help desk – Parking"); groups of groups when there are more than SIZE groups.
    """
    if len(items) <= size:
        return tuple(items)
    ordered = sorted(items, key=lambda item: (item.title.unescape().casefold(), item.title))
    return tuple(
        item for item, _first, _last in _groups([(i, i.title, i.title) for i in ordered], size)
    )


def _groups(
    entries: list[tuple[NavItem, Markup, Markup]], size: int
) -> list[tuple[NavItem, Markup, Markup]]:
    """Group ENTRIES (an item, its first and last guide words) until at most SIZE remain."""
    if len(entries) <= size:
        return entries
    count = -(-len(entries) // size)
    per, longer = divmod(len(entries), count)  # sizes differ by one at most
    groups = []
    start = 0
    for number in range(count):
        end = start + per + (1 if number < longer else 0)
        chunk, start = entries[start:end], end
        first, last = chunk[0][1], chunk[-1][2]
        title = first if first == last else first + Markup(" – ") + last
        groups.append((NavItem(title, None, tuple(item for item, _f, _l in chunk)), first, last))
    return _groups(groups, size)


@dataclass(frozen=True)
class Poster:
    """A charter's one-page poster: a complete HTML page, written beside MkDocs's pages."""

    path: str  # "shops/poster/index.html", in the language's folder
    html: Markup


@dataclass(frozen=True)
class RenderedLanguage:
    """Everything one language of the public site needs, rendered, before MkDocs builds it."""

    language: Language
    site_name: Markup
    pages: tuple[Page, ...]
    nav: tuple[NavItem, ...]
    footer_html: Markup
    config: SiteConfig
    labels: Mapping[str, str]  # escaped labels for the theme (palette toggles...)
    posters: tuple[Poster, ...] = ()


@dataclass(frozen=True)
class Edition:
    """The input of one language: the site's texts in that language and the UI translations."""

    language: Language
    config: SiteConfig
    charters: Mapping[str, Charter]
    translations: gettext.NullTranslations
    today: dt.date
    extra: Mapping[str, Any] = field(default_factory=dict)  # later stages' data (results...)


# The pages of a charter, in navigation order: (file stem, template).
CHARTER_PAGES: tuple[tuple[str, str], ...] = (
    ("index", "public/overview.md.j2"),
    ("commitments", "public/commitments.md.j2"),
    ("channels", "public/channels.md.j2"),
    ("complaints", "public/complaints.md.j2"),
    ("results", "public/results.md.j2"),
    ("about", "public/about.md.j2"),
)


def _page_wanted(stem: str, charter: Charter, extra: Mapping[str, Any], charter_id: str) -> bool:
    """Return whether a charter has the content for this page (results need results)."""
    if stem == "complaints":
        return getattr(charter, "complaints", None) is not None
    if stem == "results":
        return bool(extra.get("results", {}).get(charter_id))
    return True


# ---------------------------------------------------------------------------------------------
# The page cache: a page is rendered again only when something it read changed
#
# Why a hit is sound. A render is a deterministic function of what it reads, of three kinds:
# - its own inputs O, always hashed into its key: the template's name and the page's path, the
#   language, the build date, the ui and content catalogs of the language, the settings (and
#   --base-url), its charter's file and its results' files, for a handbook page the procedures
#   it shows and the charters they deliver, any other value of its context (a poster's footer)
#   (`RenderKeys`, made by renderkeys.py), and what every key of the build cache holds
#   (Charterpress's code, the tools' versions);
# - the templates it loads (noted by _Environment._load_template: its own template and what it
#   imports or includes), each by its name and the text the loader finds for that name;
# - the site-wide values (every charter and every contact; in the handbook every procedure and
#   the review dashboard's rows), reached only through read-tracking proxies (TrackedMapping,
#   TrackedSequence), all made from the source files, whose digest is `RenderKeys.site`.
# A rendered value is stored under the key made of O and the digests of exactly what its render
# read of the other two kinds: each template's name and text, and the sources' digest if it read
# a site-wide value (none otherwise). Before rendering, a lookup makes that key from what the
# page read the last time it was rendered from the same O (a `render-reads` record, under the key
# of O) and from this build's digests. A hit therefore means that a render from the same O, which
# loaded the same templates with the same texts and read no site-wide value, or read them from
# the same sources, made this value. A render from the same inputs runs the same statements: its
# first template is the same (name in O, text in the key), so it loads the same templates, gets
# the same texts, reads the same site-wide values or none, and prints the same page. The record
# is only a guess of what to hash: a stale one (the page would now read something else) makes a
# key under which no render stored a value, a miss, never a wrong page.
# `closures_for` is no site-wide value: it is a function of the channel it is given (from the
# page's own charter, or from a proxy, which notes the read), of the settings and of the date,
# all in O.

PAGES_STAGE = "render"  # the cache's stage of rendered pages; its records are in "<stage>-reads"
TEMPLATE_READ = "template:"  # a read of a template by its name, beside the site-wide names

# The site-wide values and templates read by the render in progress (see _note_read).
_READS: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "charterpress_reads", default=None
)


def _note_read(name: str) -> None:
    """Note that the render in progress read NAME (a site-wide value, or a template)."""
    seen = _READS.get()
    if seen is not None:
        seen.add(name)


@contextlib.contextmanager
def tracking_reads() -> Iterator[set[str]]:
    """Collect, while the block runs, the site-wide values and templates that renders read."""
    seen: set[str] = set()
    token = _READS.set(seen)
    try:
        yield seen
    finally:
        _READS.reset(token)


class TrackedMapping(Mapping[str, Any]):
    """A read-only mapping that notes every access to it (see tracking_reads)."""

    __slots__ = ("_cp_data", "_cp_name")

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_cp_name", name)
        object.__setattr__(self, "_cp_data", data)

    def __getattribute__(self, name: str) -> Any:
        # Any attribute, `_cp_data` included (templates may reach private names): a read.
        _note_read(object.__getattribute__(self, "_cp_name"))
        return object.__getattribute__(self, name)

    def __getitem__(self, key: str) -> Any:
        return self._cp_data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cp_data)

    def __len__(self) -> int:
        return len(self._cp_data)

    def __contains__(self, key: object) -> bool:
        return key in self._cp_data

    def __repr__(self) -> str:
        return repr(dict(self._cp_data))


class TrackedSequence(Sequence[Any]):
    """A read-only sequence that notes every access to it (see tracking_reads)."""

    __slots__ = ("_cp_data", "_cp_name")

    def __init__(self, name: str, data: Sequence[Any]) -> None:
        object.__setattr__(self, "_cp_name", name)
        object.__setattr__(self, "_cp_data", data)

    def __getattribute__(self, name: str) -> Any:
        _note_read(object.__getattribute__(self, "_cp_name"))
        return object.__getattribute__(self, name)

    def __getitem__(self, index: Any) -> Any:
        return self._cp_data[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cp_data)

    def __len__(self) -> int:
        return len(self._cp_data)

    def __contains__(self, item: object) -> bool:
        return item in self._cp_data

    def __repr__(self) -> str:
        return repr(tuple(self._cp_data))


@dataclass(frozen=True)
class RenderKeys:
    """The digests that key one language's cached pages (made by renderkeys.render_keys)."""

    edition: str  # what every page of the language depends on: catalogs, settings, date...
    site: str  # every source file: what the site-wide values are made of
    charters: Mapping[str, str]  # a charter's id -> its source file and its results' files
    # A procedure's id -> its source file and the charters it delivers (the handbook's pages).
    procedures: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PageStore:
    """Rendered values of one kind and language kept in the build cache (see the argument above)."""

    cache: BuildCache
    keys: RenderKeys
    prefix: str  # "public-en": the start of every slot
    template_digest: Callable[[str], str]  # a template's name -> the digest of its text
    stage: str = PAGES_STAGE

    @property
    def reads_stage(self) -> str:
        """Return the cache's stage of the records of what each value's render read."""
        return f"{self.stage}-reads"

    def _slot(self, path: str) -> str:
        # Ids and file stems have no '+': one flat folder per page.
        return f"{self.prefix}+{path.replace('/', '+')}"

    def fetch(self, path: str, own: tuple[str, ...]) -> Any:
        """Return the value last rendered at PATH from the same inputs, or MISSING."""
        slot = self._slot(path)
        reads = self.cache.fetch_value(self.reads_stage, slot, self.cache.key(*own))
        if reads is MISSING or not isinstance(reads, tuple):
            if self.cache.enabled:  # a miss of the value too, for the counters
                self.cache.stats[f"{self.stage}_misses"] += 1
            return MISSING
        return self.cache.fetch_value(self.stage, slot, self._value_key(own, reads))

    def store(self, path: str, own: tuple[str, ...], reads: set[str], value: Any) -> None:
        """Keep the value rendered at PATH from OWN, and what else its render read."""
        slot, recorded = self._slot(path), tuple(sorted(reads))
        self.cache.store_value(self.reads_stage, slot, self.cache.key(*own), recorded)
        self.cache.store_value(self.stage, slot, self._value_key(own, recorded), value)

    def _value_key(self, own: tuple[str, ...], reads: tuple[str, ...]) -> str:
        parts = list(own)
        for read in reads:
            parts.append(read)
            if read.startswith(TEMPLATE_READ):
                parts.append(self.template_digest(read.removeprefix(TEMPLATE_READ)))
            else:
                parts.append(self.keys.site)
        return self.cache.key(*parts)

    def render(self, path: str, own: tuple[str, ...], make: Callable[[], Any]) -> Any:
        """Return the value at PATH from the cache, else MAKE it (tracking its reads), keep it."""
        found = self.fetch(path, own)
        if found is not MISSING:
            return found
        with tracking_reads() as reads:
            value = make()
        self.store(path, own, reads, value)
        return value


class _Loader(jinja2.FileSystemLoader):
    """A file loader that keeps the digest of each template's text as it compiles it."""

    def __init__(self, searchpath: Sequence[str]) -> None:
        super().__init__(searchpath)
        self.compiled: dict[str, str] = {}

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Return a template's text, noting its digest (the text pages are rendered from)."""
        source, filename, uptodate = super().get_source(environment, template)
        self.compiled[template] = fingerprint(source)
        return source, filename, uptodate


# ---------------------------------------------------------------------------------------------
# The renderer


class TemplateFailure(Exception):
    """A template failed; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Compile `a ~ b` to a join that escapes author text like every printed value.

    Jinja's own join escapes for HTML only; in Markdown that would leave a `[x](javascript:)`
    link live.
    """

    def visit_Concat(self, node: jinja2.nodes.Concat, frame: jinja2.compiler.Frame) -> None:
        """Write a call of the environment's escaping join."""
        self.write("environment.charterpress_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Environment(jinja2.Environment):
    """A Jinja environment whose every way of printing text escapes it (see _finalize)."""

    code_generator_class = _CodeGenerator

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        # Every template a render loads (the page's own, and what it imports or includes) is an
        # input of the page: the page cache keys the page by their text (see PageStore).
        _note_read(TEMPLATE_READ + name)
        return super()._load_template(name, globals)

    @staticmethod
    def charterpress_join(items: Sequence[Any]) -> Markup:
        """Join the parts of `a ~ b`, each escaped unless it is Markup."""
        return Markup("").join(_finalize(item) for item in items)


_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|%%")


def _escape_message(message: str) -> str:
    """Escape a UI message as text, leaving its %(name)s placeholders intact."""
    # The message is trusted, but it is still text: escaping keeps a translator's '*' or '<'
    # visible.
    pieces: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(message):
        pieces += [_escape_raw(message[last : match.start()]), match.group()]
        last = match.end()
    pieces.append(_escape_raw(message[last:]))
    return "".join(pieces)


def _escape_raw(text: str) -> str:
    return _SPECIALS.sub(lambda m: _ENTITIES[m.group()], text)


def _gettext_callables(translations: gettext.NullTranslations) -> dict[str, Callable[..., Any]]:
    """Return newstyle gettext functions that escape the message and every variable."""

    def fill(message: str, source: str, variables: Mapping[str, Any]) -> Markup:
        escaped = {key: _finalize(value) for key, value in variables.items()}
        try:
            return Markup(_escape_message(message) % escaped)
        except (KeyError, ValueError, TypeError):
            # A translation whose placeholders differ from its source's ('i18n check' reports
            # it): the source text is shown rather than a broken sentence.
            return Markup(_escape_message(source) % escaped)

    def gettext_(message: str, **variables: Any) -> Markup:
        return fill(translations.gettext(message), message, variables)

    def ngettext_(singular: str, plural: str, num: int, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        source = singular if num == 1 else plural
        return fill(translations.ngettext(singular, plural, num), source, variables)

    def pgettext_(context: str, message: str, **variables: Any) -> Markup:
        return fill(translations.pgettext(context, message), message, variables)

    def npgettext_(context: str, singular: str, plural: str, num: int, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        source = singular if num == 1 else plural
        return fill(translations.npgettext(context, singular, plural, num), source, variables)

    return {
        "gettext": gettext_,
        "ngettext": ngettext_,
        "pgettext": pgettext_,
        "npgettext": npgettext_,
    }


def _escaping_join(items: Sequence[Any], separator: str = ", ") -> Markup:
    """Join values, each escaped unless Markup; the separator is written in the template."""
    return Markup(separator).join(_finalize(item) for item in items)


def _refuse(name: str) -> Callable[..., Any]:
    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise RenderValueError(
            f"the filter '{name}' would print author text unescaped; Charterpress escapes every "
            "value itself"
        )

    return refused


class Renderer:
    """Render a site's pages; the Jinja environment is made once and reused for every page.

    With a CACHE (enabled), render_edition takes each page whose inputs did not change since an
    earlier build from it instead of rendering it (see PageStore); without, it renders them all.
    """

    def __init__(self, site_root: Path, cache: BuildCache | None = None) -> None:
        self.site_root = site_root
        self.cache = cache if cache is not None and cache.enabled else None
        self.builtin = builtin_templates_dir()
        self._search = [site_root / SITE_TEMPLATES, self.builtin]
        self._loader = _Loader([str(p) for p in self._search])
        self._file_digests: dict[str, str] = {}
        self._keys: dict[str, RenderKeys] = {}  # by language code, for the later stages
        self.env = _Environment(
            loader=self._loader,
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            # With autoescape on, macros and blocks return Markup; every value printed has
            # already been escaped by _finalize, which escapes for Markdown as well as HTML.
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        # Babel's extractor must use the same policy, or msgids will not match.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.newstyle_gettext = True  # type: ignore[attr-defined]
        # Filters that escape for HTML only (or not at all) are replaced or refused.
        for name in ("e", "escape", "forceescape"):
            self.env.filters[name] = _finalize
        self.env.filters["join"] = _escaping_join
        for name in ("safe", "urlize", "replace", "xmlattr", "tojson", "indent", "wordwrap"):
            self.env.filters[name] = _refuse(name)
        self.env.filters["ident"] = _ident
        self.env.filters["paragraphs"] = paragraphs
        self.env.filters["language_name"] = _language_name
        self.env.globals.update(
            WEEKDAYS=WEEKDAYS,
            contact_href=contact_href,
            phone_href=phone_href,
            money=_money,
            result_rows=result_rows,
            results_chart=results_chart,
        )
        self._locale: str | None = None

    # -- language set-up

    def use_language(self, edition: Edition) -> None:
        """Make gettext and the locale filters those of EDITION's language, for what follows."""
        locale = edition.language.gettext
        self.env.globals.update(_gettext_callables(edition.translations))
        if locale != self._locale:
            self.env.filters.update(_locale_filters(locale))
            self.env.filters["measure"] = lambda v: _measure(v, locale)
            self._locale = locale

    # -- pages

    def render_page(self, template_name: str, path: str, context: Mapping[str, Any]) -> Page:
        """Render one page template; its top-level {% set title %} names the page."""
        seen: set[str] = set()
        token = _FOREIGN.set(seen)
        try:
            with self._errors(template_name):
                template = self.env.get_template(template_name)
                try:
                    module = template.make_module(dict(context))
                except Exception:
                    # make_module, unlike render, does not point the traceback at template lines.
                    self.env.handle_exception()
                markdown = str(module)
                title = getattr(module, "title", None)
                if title is None:
                    raise RenderValueError(
                        "the page template sets no title: add {% set title = ... %} at its top"
                    )
                title_markup = title if isinstance(title, Markup) else escape_text(str(title))
            if seen:
                notice = self.render_fragment(
                    "shared/fallback_notice.md.j2", {"languages": sorted(seen)}
                )
                markdown = _insert_after_heading(markdown, notice)
        finally:
            _FOREIGN.reset(token)
        return Page(path, title_markup, markdown, tuple(sorted(seen)))

    def render_fragment(self, template_name: str, context: Mapping[str, Any]) -> Markup:
        """Render a template to a fragment of markup (a footer, a notice)."""
        with self._errors(template_name):
            return Markup(self.env.get_template(template_name).render(dict(context)))

    def render_labels(
        self, context: Mapping[str, Any], name: str = "shared/labels.j2"
    ) -> dict[str, str]:
        """Return a labels template's top-level {% set %}s, escaped (the theme's by default)."""
        with self._errors(name):
            module = self.env.get_template(name).make_module(dict(context))
        exported = module.__dict__
        return {
            key: str(value if isinstance(value, Markup) else escape_text(str(value)))
            for key, value in sorted(exported.items())
            if not key.startswith("_") and isinstance(value, str)
        }

    def store(
        self,
        kind: str,
        edition: Edition,
        keys: RenderKeys | None = None,
        stage: str = PAGES_STAGE,
    ) -> PageStore | None:
        """Return where the values of KIND ("public"...) of EDITION are cached, if they are.

        KEYS default to those the edition's language was rendered with (render_edition).
        """
        keys = keys or self._keys.get(edition.language.code)
        if self.cache is None or keys is None:
            return None
        return PageStore(
            self.cache, keys, f"{kind}-{edition.language.segment}", self.template_digest, stage
        )

    def template_digest(self, name: str) -> str:
        """Return the digest of the text of the template NAME ('none' if there is none).

        The text compiled in this process if there is one: a value rendered from it is stored
        under that text's digest, even if its file changed meanwhile.
        """
        found = self._loader.compiled.get(name) or self._file_digests.get(name)
        if found is None:
            try:
                source, _filename, _uptodate = jinja2.FileSystemLoader.get_source(
                    self._loader, self.env, name
                )
                found = fingerprint(source)
            except jinja2.TemplateNotFound:
                found = "none"
            self._file_digests[name] = found
        return found

    def render_edition(
        self, edition: Edition, keys: RenderKeys | None = None
    ) -> tuple[RenderedLanguage | None, list[Diagnostic]]:
        """Render every page of one language; report every failing template.

        KEYS (with a cache) lets pages come from the cache: those whose inputs did not change.
        """
        self.use_language(edition)
        if keys is not None:
            self._keys[edition.language.code] = keys
        store = self.store("public", edition, keys)
        batch = PageBatch(self, store)
        pages, diagnostics = batch.pages, batch.diagnostics
        nav: list[NavItem] = []
        config = edition.config
        # Public pages see public views only: no internal field, no procedure, no source file.
        # Made when a page needs them: most pages of a rebuild come from the cache.
        charters = PublicViews(edition.charters, public_view)
        sources = edition.extra.get("results", {})
        results = PublicViews(sources, public_results)
        base = {
            "site": config,
            "language": edition.language,
            "locale": edition.language.gettext,
            "today": edition.today,
            # Site-wide values: a page that reads them is keyed by every source (see PageStore).
            "charters": TrackedMapping("charters", charters),
            "contacts": TrackedSequence("contacts", public_contacts(edition.charters)),
            "closures_for": lambda channel: holiday_closures(channel, config, edition.today),
        }

        home = batch.render("public/home.md.j2", "index.md", base)
        if home is not None:
            nav.append(NavItem(home.title, home.path))
        contacts_page = self._render_contacts_page(batch, edition, base)
        if contacts_page is not None:
            nav.append(NavItem(contacts_page.title, contacts_page.path))
        sections: list[NavItem] = []
        for charter_id, charter in edition.charters.items():
            section: list[NavItem] = []
            for stem, template in CHARTER_PAGES:
                if not _page_wanted(stem, charter, edition.extra, charter_id):
                    continue
                context = functools.partial(
                    _charter_context, base, charters, results, charter_id, stem, sources
                )
                page = batch.render(
                    template,
                    f"{charter_id}/{stem}.md",
                    context,
                    own=charter_inputs(keys, charter_id),
                )
                if page is not None:
                    section.append(NavItem(page.title, page.path))
                    pages[-1] = replace(
                        page, head_title=page.title + Markup(" · ") + escape_text(charter.title)
                    )
            sections.append(NavItem(escape_text(charter.title), None, tuple(section)))
        nav += grouped_nav(sections)
        footer = Markup("")
        labels: dict[str, str] = {}
        posters: list[Poster] = []
        try:
            footer = self.render_fragment(
                "shared/footer.html.j2",
                {
                    **base,
                    "contacts_page": contacts_page and contacts_address(config, edition.language),
                },
            )
            labels = self.render_labels(base)
            posters = [
                self.render_poster(
                    edition,
                    {**base, "footer": footer},
                    charter_id,
                    functools.partial(charters.__getitem__, charter_id),
                    store,
                )
                for charter_id in edition.charters
            ]
        except TemplateFailure as failure:
            diagnostics.append(failure.diagnostic)
        if diagnostics:
            return None, diagnostics
        rendered = RenderedLanguage(
            language=edition.language,
            site_name=escape_text(edition.config.organisation.name),
            pages=tuple(pages),
            nav=tuple(nav),
            footer_html=footer,
            config=edition.config,
            labels=labels,
            posters=tuple(posters),
        )
        return rendered, diagnostics

    def _render_contacts_page(
        self, batch: PageBatch, edition: Edition, base: Mapping[str, Any]
    ) -> Page | None:
        """Render the page of every contact point, if there are too many for the footer.

        The footer of every page lists the contact points; past footer.max_contacts (a site
        of many charters, each with its shops) it links to this page instead, so that the
        size of every page does not grow with the number of charters.
        """
        count = len(site_contacts(edition.charters))
        if count <= edition.config.footer.max_contacts:
            return None
        return batch.render("public/contacts.md.j2", CONTACTS_PAGE, base)

    def render_poster(
        self,
        edition: Edition,
        base: Mapping[str, Any],
        charter_id: str,
        public: Callable[[], Charter],
        store: PageStore | None = None,
    ) -> Poster:
        """Render a charter's one-page poster, whose QR code opens the charter's page.

        PUBLIC returns the charter's public view (made only if the poster is rendered).
        """
        path = f"{charter_id}/poster/index.html"
        if store is None:
            return self._render_poster(edition, base, charter_id, public())
        # The footer is made from every contact, but as text: its digest keys the poster.
        footer = fingerprint(str(base.get("footer", "")))
        own = ("poster", path, store.keys.edition, *charter_inputs(store.keys, charter_id), footer)
        poster: Poster = store.render(
            path, own, lambda: self._render_poster(edition, base, charter_id, public())
        )
        return poster

    def _render_poster(
        self, edition: Edition, base: Mapping[str, Any], charter_id: str, charter: Charter
    ) -> Poster:
        from . import poster

        url = f"{str(edition.config.base_url).rstrip('/')}/{edition.language.segment}/"
        url += f"{_ident(charter_id)}/"
        context = {
            **base,
            "charter": charter,
            "charter_id": charter_id,
            "url": url,
            "qr": poster.qr_svg(url, str(charter.title)),
            "commitments": poster.key_commitments(charter),
            "hour_groups": poster.hour_groups,
        }
        html = self.render_fragment("public/poster.html.j2", context)
        return Poster(f"{charter_id}/poster/index.html", html)

    # -- errors as diagnostics

    def _errors(self, template_name: str) -> _TemplateErrors:
        return _TemplateErrors(self, template_name)

    def position(self, filename: str | None, line: int) -> SourcePos:
        """Name a template file relative to the site folder when it is the site's own."""
        if not filename:
            return SourcePos("<template>", line, 1)
        path = Path(filename)
        try:
            return SourcePos(
                path.resolve().relative_to(self.site_root.resolve()).as_posix(), line, 1
            )
        except ValueError:
            return SourcePos(path.as_posix(), line, 1)


@dataclass
class PageBatch:
    """Pages rendered one after another; a failing template becomes a diagnostic, not a stop.

    With a STORE, a page comes from the cache when its inputs did not change (see PageStore).
    """

    renderer: Renderer
    store: PageStore | None = None
    pages: list[Page] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def render(
        self,
        template: str,
        path: str,
        context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        own: tuple[str, ...] = (),
    ) -> Page | None:
        """Render one page into the batch; return it, or None if its template failed.

        CONTEXT may be a function that makes it, called only if the page is rendered. OWN names
        the page's own inputs beyond the language's (its charter's digest): with the template
        and the path they key the page in the store.
        """

        def make() -> Page:
            made = context() if callable(context) else context
            return self.renderer.render_page(template, path, made)

        try:
            if self.store is None:
                page = make()
            else:
                inputs = ("page", template, path, self.store.keys.edition, *own)
                page = self.store.render(path, inputs, make)
        except TemplateFailure as failure:
            self.diagnostics.append(failure.diagnostic)
            return None
        self.pages.append(page)
        return page


class _TemplateErrors:
    """Turn a failure inside a template into a CP401 diagnostic at the template's line."""

    def __init__(self, renderer: Renderer, template_name: str) -> None:
        self.renderer = renderer
        self.template_name = template_name

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None or isinstance(exc, TemplateFailure):
            return
        if not isinstance(exc, jinja2.TemplateError | RenderValueError | ValueError | TypeError):
            return
        code = "CP402" if isinstance(exc, InternalFieldError) else "CP401"
        if isinstance(exc, jinja2.TemplateSyntaxError):
            pos = self.renderer.position(exc.filename, exc.lineno)
            message = f"template syntax error: {exc.message}"
        elif isinstance(exc, jinja2.TemplateNotFound):
            pos = None
            message = f"the template '{exc.name}' does not exist"
        else:
            filename, line = _template_frame(exc.__traceback__, self.renderer)
            pos = self.renderer.position(filename, line) if filename else None
            message = _describe(exc)
        hint = (
            "remove it from the public template; staff see it in the handbook"
            if code == "CP402"
            else "fix the template, or the field it needs; the message names what is missing"
        )
        raise TemplateFailure(
            error(code, f"{message} (while rendering {self.template_name})", pos, hint)
        ) from None


def charter_inputs(keys: RenderKeys | None, charter_id: str) -> tuple[str, ...]:
    """Return what keys a charter's own pages: its id and the digest of its files."""
    if keys is None:
        return ()
    return (charter_id, keys.charters.get(charter_id, "none"))


def fingerprint(text: str) -> str:
    """Return the SHA-256 of a text, to key a value rendered from it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"the template uses a value that does not exist: {exc.message}"
    return str(exc)


def _template_frame(tb: TracebackType | None, renderer: Renderer) -> tuple[str | None, int]:
    """Return the file and line of the innermost template frame of a traceback."""
    roots = [str(p.resolve()) for p in renderer._search]
    found: tuple[str | None, int] = (None, 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or any(filename.startswith(r) for r in roots):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _insert_after_heading(markdown: str, notice: str) -> str:
    """Put a notice right after the page's first heading (or at its top)."""
    lines = markdown.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "".join(
                [*lines[: index + 1], "\n", notice.rstrip("\n") + "\n", *lines[index + 1 :]]
            )
    return notice.rstrip("\n") + "\n\n" + markdown


# ---------------------------------------------------------------------------------------------
# Data shared by every page


@dataclass(frozen=True)
class Contact:
    """A way to reach the company, shown on every page."""

    channel: Channel
    href: str | None


# The page that lists every contact point, when the footer has too many to list; "contacts"
# is therefore not a charter's id (validate.RESERVED_CHARTER_IDS).
CONTACTS_PAGE = "contacts.md"


def contacts_address(config: SiteConfig, language: Language) -> str:
    """Return the path of a language's contacts page from the site's root (for the footer).

    The footer is the same on every page of a language, so its link cannot be relative.
    """
    stem = CONTACTS_PAGE.removesuffix(".md")
    return f"{base_path(config.base_url)}{language.segment}/{stem}/"


def base_path(base_url: str) -> str:
    """Return the path of the site's address: "https://example.org/charter/" -> "/charter/"."""
    path = "/" + str(base_url).split("://", 1)[-1].partition("/")[2]
    return path if path.endswith("/") else path + "/"


def public_contacts(charters: Mapping[str, Charter]) -> tuple[Contact, ...]:
    """Return site_contacts of CHARTERS, each channel a public view (see public_view)."""
    return tuple(
        Contact(public_view(contact.channel), contact.href) for contact in site_contacts(charters)
    )


def site_contacts(charters: Mapping[str, Charter]) -> tuple[Contact, ...]:
    """Return every charter's channels, each address once, in charter and channel order."""
    seen: set[tuple[str, str]] = set()
    found: list[Contact] = []
    for charter in charters.values():
        for channel in charter.channels:
            key = (channel.kind.value, str(channel.address or channel.postal_address))
            if key not in seen:
                seen.add(key)
                found.append(Contact(channel, contact_href(channel)))
    return tuple(found)


def holiday_closures(
    channel: Channel, config: SiteConfig, today: dt.date
) -> list[calendars.ClosureDay]:
    """Return the public holidays of the coming twelve months on which a channel is closed."""
    calendar = calendars.ChannelCalendar.for_channel(channel, config)
    return [day for day in calendars.closure_days(calendar, today) if day.kind == "holiday"]


def public_view(instance: BaseModelT) -> BaseModelT:
    """Return a copy of a model whose staff-only fields are withheld, so no page can show them.

    Parts of the model that hold no staff-only field are shared, not copied (see _view_plan).
    """
    updates: dict[str, Any] = {}
    for name, internal, nested in _view_plan(type(instance)):
        if internal:
            updates[name] = Withheld(f"{type(instance).__name__}.{name}")
            continue
        if not nested:
            continue
        value = getattr(instance, name)
        if isinstance(value, BaseModel):
            view = public_view(value)
            if view is not value:
                updates[name] = view
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            views = [public_view(item) for item in value]
            if any(view is not item for view, item in zip(views, value, strict=True)):
                updates[name] = views
    return instance.model_copy(update=updates) if updates else instance


@functools.cache
def _view_plan(model: type[BaseModel]) -> tuple[tuple[str, bool, bool], ...]:
    """Return each field of a model class: its name, whether it is staff-only, and whether its
    value may be a model (or a list of models) with a staff-only field somewhere below.

    Found once per class from the annotations. A field whose annotation leaves its type open
    (Any, a type variable) is entered, whatever it holds: a view copies too much, never too little.
    The example's charter has some 250 nested models; the home page's view of 200 charters, in
    every language, spent most of its time copying those with nothing to withhold.
    """
    return tuple(
        (name, internal, not internal and _may_withhold(info.annotation))
        for (name, internal), info in zip(
            _field_kinds(model), model.model_fields.values(), strict=True
        )
    )


_CHECKING: set[Any] = set()  # classes being checked by _may_withhold (a model may hold itself)


def _may_withhold(annotation: Any) -> bool:
    """Return whether a value of ANNOTATION may be a model with a staff-only field below it."""
    if annotation is Any or isinstance(annotation, TypeVar):
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_may_withhold(annotation)
    return any(_may_withhold(arg) for arg in get_args(annotation))


@functools.cache
def _model_may_withhold(model: type[BaseModel]) -> bool:
    if model in _CHECKING:
        return True  # a cycle: whatever its other fields hold, entering it is safe
    _CHECKING.add(model)
    try:
        return any(
            internal or _may_withhold(info.annotation)
            for (_name, internal), info in zip(
                _field_kinds(model), model.model_fields.values(), strict=True
            )
        )
    finally:
        _CHECKING.discard(model)


class PublicViews(Mapping[str, Any]):
    """A mapping whose values are made from another's by VIEW, each on first access, once."""

    def __init__(self, source: Mapping[str, Any], view: Callable[[Any], Any]) -> None:
        self._source, self._view = source, view
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._made:
            self._made[key] = self._view(self._source[key])
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


def _charter_context(
    base: Mapping[str, Any],
    charters: Mapping[str, Any],
    results: Mapping[str, Any],
    charter_id: str,
    stem: str,
    sources: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the context of a charter's page (its public views made now)."""
    return {
        **base,
        "charter": charters[charter_id],
        "charter_id": charter_id,
        "has_results": bool(sources.get(charter_id)),
        "results": results[charter_id] if charter_id in sources else (),
        "stem": stem,
    }


@functools.cache
def _field_kinds(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """Return a model class's fields, each with whether it is for staff only (once per class)."""
    # Pydantic makes a new dict on each model_fields access, and public_view runs for every
    # nested model of every charter in every language.
    return tuple((name, _is_internal(info)) for name, info in model.model_fields.items())


@dataclass(frozen=True)
class PublicResults:
    """A results file as public pages see it: its period and its public fields, not its source."""

    charter_id: str
    period: Any  # a values.Period
    results: Any  # a model.ResultSet, through public_view


def public_results(sources: Sequence[Any]) -> tuple[PublicResults, ...]:
    """Return the public view of results files (validate.ResultSource)."""
    return tuple(
        PublicResults(source.charter_id, source.period, public_view(source.results))
        for source in sources
    )


def _is_internal(info: FieldInfo) -> bool:
    metadata = list(info.metadata)
    annotation = info.annotation
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Annotated:
            metadata += list(arg.__metadata__)
    return any(isinstance(m, InternalOnly) for m in metadata)


# ---------------------------------------------------------------------------------------------
# Results: "how we did", as rows for a table and an SVG chart made at build time


@dataclass(frozen=True)
class ResultRow:
    """One commitment's result in a period, against the target in force at the period's end."""

    id: str
    title: str
    target: Any  # a Target of the model
    value: Any  # float, Duration or None
    status: str
    cause: str | None
    action: str | None
    comment: str | None
    bar: float | None  # the value's length on the chart, 0..1
    mark: float | None  # the target's place on the chart, 0..1


_PERCENT_KINDS = ("percent_within", "every_case", "availability", "rate_at_most")


def _chart_scale(target: Any, value: Any) -> tuple[float | None, float | None]:
    """Place a value and its target on a 0..1 scale, or (None, None) if they do not compare."""
    if value is None:
        return None, None
    if target.kind in _PERCENT_KINDS and isinstance(value, int | float):
        # Every case: the share of cases handled in time, against 100%.
        percent = float(getattr(target, "percent", 100))
        return min(max(float(value) / 100, 0.0), 1.0), percent / 100
    limit = getattr(target, "within", None) or getattr(target, "at_most", None)
    if isinstance(value, Duration) and isinstance(limit, Duration) and value.unit == limit.unit:
        # The target sits at two thirds of the axis, so a result up to 1.5 times it still fits.
        top = float(limit.amount) * 1.5
        return min(float(value.amount) / top, 1.0), float(limit.amount) / top
    return None, None


def result_rows(charter: Charter, results: Any) -> list[ResultRow]:
    """Return the rows of one results file (a validate.ResultSource), in the charter's order."""
    outcomes = {o.id: o for o in results.results.commitments}
    rows = []
    for commitment in charter.commitments:
        outcome = outcomes.get(commitment.id)
        if outcome is None:
            continue
        target = commitment.target_on(results.period.end)
        bar, mark = _chart_scale(target, outcome.value)
        rows.append(
            ResultRow(
                commitment.id,
                commitment.title,
                target,
                outcome.value,
                outcome.status.value,
                outcome.cause,
                outcome.action,
                outcome.comment,
                bar,
                mark,
            )
        )
    return rows


_ROW_HEIGHT, _BAR_WIDTH, _PAD = 62, 600, 8


def results_chart(
    rows: Sequence[ResultRow],
    chart_id: str,
    title: Any,
    description: Any,
    value_labels: Mapping[str, Any],
) -> Markup:
    """Draw the rows as an accessible SVG bar chart: role=img, <title> and <desc>, no script.

    Each bar is labelled with its value, target and status in text, so colour is never the only
    cue; the dashed line on each bar marks the target.
    """
    shown = [row for row in rows if row.bar is not None]
    if not shown:
        return Markup("")
    width = _BAR_WIDTH + 2 * _PAD
    height = _ROW_HEIGHT * len(shown) + _PAD
    ident = str(_ident(chart_id))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{_finalize(title)}</title>',
        f'<desc id="{ident}-desc">{_finalize(description)}</desc>',
    ]
    x0 = _PAD
    for index, row in enumerate(shown):
        y = _PAD + index * _ROW_HEIGHT
        bar = round((row.bar or 0.0) * _BAR_WIDTH, 1)
        mark = round(x0 + (row.mark or 0.0) * _BAR_WIDTH, 1)
        status = escape_text(row.status)
        parts += [
            f'<g class="cp-row cp-row--{status}">',
            f'<text class="cp-label" x="{x0}" y="{y + 12}">{_finalize(row.title)}</text>',
            f'<rect class="cp-track" x="{x0}" y="{y + 18}" width="{_BAR_WIDTH}" height="16"/>',
            f'<rect class="cp-bar cp-bar--{status}" x="{x0}" y="{y + 18}" width="{bar}" '
            'height="16"/>',
            f'<line class="cp-target" x1="{mark}" y1="{y + 14}" x2="{mark}" y2="{y + 38}"/>',
            f'<text class="cp-value" x="{x0}" y="{y + 50}">',
            f"{_finalize(value_labels[row.id])}</text>",
            "</g>",
        ]
    parts.append("</svg>")
    # One line: a blank line would end Markdown's raw HTML block.
    return Markup(f'<figure class="cp-chart">{"".join(parts)}</figure>')
