"""The one module that knows MkDocs and Material: a project per language, and its build.

Everything MkDocs-specific lives here, so that swapping the engine (Zensical reads the same
mkdocs.yml) touches this file only. The input is a ``RenderedLanguage``: Markdown pages and
escaped labels, already free of author-supplied markup.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import hashlib
import html
import json
import logging
import multiprocessing
import multiprocessing.context
import os
import queue
import re
import select
import shutil
import signal
import sysconfig
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import yaml

from . import i18n
from .cache import BuildCache, hash_tree
from .diagnostics import Diagnostic, error, has_errors
from .languages import Language
from .pagecache import STAGE as PAGE_STAGE
from .pagecache import PageCache, reuse_pages
from .render import NavItem, Page, RenderedLanguage, base_path, builtin_templates_dir

# Material's recommended layout for a multilingual site: one project per language, each with its
# own mkdocs.yml, docs/ and search index, built into <public>/<segment>/.
OVERRIDES = "overrides"
DOCS = "docs"
ASSETS = "assets"
MARKDOWN_EXTENSIONS: list[Any] = [
    {"toc": {"permalink": True}},
    "tables",
    "attr_list",
    "admonition",
]
FEATURES = [
    # A charter is a collapsible section whose title opens its overview (navigation.indexes);
    # "navigation.sections" is left out, since it would expand every charter on every page.
    "navigation.indexes",
    # Without pruning every page embeds the whole site's navigation: time and size grow with
    # the square of the page count.
    "navigation.prune",
    "navigation.top",
    "navigation.footer",
    "toc.follow",
    "search.highlight",
]


@dataclass(frozen=True)
class Project:
    """A written MkDocs project of one language."""

    config_file: Path
    site_dir: Path


@dataclass(frozen=True)
class SiteLinks:
    """How the pages of one language link to the same pages in the other languages."""

    base_url: str  # the site's address, ending in "/"
    languages: tuple[Language, ...]  # every published language, in the selector's order
    # page path -> the languages in which that page is wholly translated (no fallback text)
    translated: Mapping[str, tuple[Language, ...]]
    default: Language  # x-default: the source language


def page_url(path: str) -> str:
    """Return a page's URL relative to its language folder ("shops/commitments.md" -> ".../")."""
    stem = path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def page_address(links: SiteLinks, language: Language, path: str) -> str:
    """Return the absolute address of a page in a language."""
    return f"{links.base_url}{language.segment}/{page_url(path)}"


# Material's search for each language: lunr's stemmers exist for Portuguese and Romanian (and
# English); Catalan and Czech have none, so they are indexed as plain words with no English
# stop words or stemming. "stemmer" is read by our search worker (assets/javascripts/workers/
# site-search.js), which indexes every word as typed, without diacritics and stemmed,
# so that a query matches as people type it (see search_worker()).
SEARCH_LANG = {"pt-PT": "pt", "ro": "ro", "en": "en", "ca": "en", "cs": "en"}
SEARCH_PIPELINE = {
    "pt-PT": ["stopWordFilter", "stemmer"],
    "ro": ["stopWordFilter", "stemmer"],
    "en": ["stopWordFilter", "stemmer"],
    "ca": [],
    "cs": [],
}
# Words are split at spaces, dashes and punctuation (Material splits at spaces and dashes only,
# leaving "reclamação," a different word from "reclamação"), but not at apostrophes: "d'un" is
# one word to type, and the search worker also indexes the word after an elision ("atenció" of
# "l'atenció").
SEARCH_SEPARATOR = r"[\s\-.,;:!?()\[\]\"«»„“”‘/]+"
SEARCH_WORKER = "assets/javascripts/workers/site-search.js"


def write_project(
    rendered: RenderedLanguage,
    project_dir: Path,
    site_dir: Path,
    *,
    site_root: Path,
    labels: Mapping[str, str],
    strict: bool,
    links: SiteLinks | None = None,
    json_ld: Mapping[str, str] | None = None,
    bodies_written: bool = False,
) -> Project:
    """Write the MkDocs project of one language: mkdocs.yml, docs/, overrides/.

    BODIES_WRITTEN: the pages' Markdown is already in docs/ (write_page_bodies) and RENDERED's
    pages carry none; only their front matter is added.
    """
    docs = project_dir / DOCS
    docs.mkdir(parents=True, exist_ok=bodies_written)
    language = rendered.language
    if bodies_written:
        _add_front_matter(rendered, docs, links, json_ld)
    else:
        for page in rendered.pages:
            target = docs / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                _page_front_matter(page, language, links, json_ld) + page.markdown,
                encoding="utf-8",
            )
    _copy_tree(builtin_templates_dir() / "mkdocs" / "overrides", project_dir / OVERRIDES)
    _copy_tree(site_root / "templates" / "mkdocs" / "overrides", project_dir / OVERRIDES)
    theme_language = language.material
    partial = i18n.material_language_partial(language)
    if partial is not None:
        # Material's strings for the language are replaced (its "pt" is Brazilian); the partial's
        # name is the BCP 47 tag, which Material prints as <html lang>.
        theme_language, text = partial
        target = project_dir / OVERRIDES / "partials" / "languages" / f"{theme_language}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assets = docs / ASSETS
    _copy_tree(builtin_templates_dir() / "mkdocs" / "assets", assets)
    # The site's own files win by name (its charterpress.css replaces ours); colours.css and the
    # search worker, written below, are made from the settings and stay ours.
    _copy_tree(site_root / "templates" / "mkdocs" / "assets", assets)
    worker = docs / SEARCH_WORKER
    worker.parent.mkdir(parents=True, exist_ok=True)
    worker.write_text(search_worker(), encoding="utf-8")
    (assets / "colours.css").write_text(_colour_css(rendered), encoding="utf-8")
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": OVERRIDES,
        "language": theme_language,
        "font": False,  # no Google Fonts: the site makes no request to another host
        "features": FEATURES,
        "palette": _palettes(labels),
    }
    branding = rendered.config.branding
    for key, value in (("logo", branding.logo), ("favicon", branding.favicon)):
        if value is not None:
            source = site_root / value
            name = f"{ASSETS}/branding/{key}{source.suffix.lower()}"
            (docs / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, docs / name)
            theme[key] = name
    config: dict[str, Any] = {
        "site_name": str(rendered.site_name),
        "site_url": f"{rendered.config.base_url.rstrip('/')}/{rendered.language.segment}/",
        "docs_dir": DOCS,
        "site_dir": str(site_dir.resolve()),
        "use_directory_urls": True,
        "strict": strict,
        "theme": theme,
        "extra_css": [f"{ASSETS}/charterpress.css", f"{ASSETS}/colours.css"],
        "extra": {
            "generator": False,
            "charterpress_footer": str(rendered.footer_html),
            "charterpress_search": SEARCH_WORKER,
            "charterpress_labels": {
                key: labels[key]
                for key in ("not_found_title", "not_found_text", "not_found_home")
                if key in labels
            },
            "charterpress_home": f"{base_path(rendered.config.base_url)}{language.segment}/",
            **({"alternate": _selector_homes(links)} if links and len(links.languages) > 1 else {}),
        },
        "markdown_extensions": MARKDOWN_EXTENSIONS,
        "plugins": [
            {
                "search": {
                    "lang": [SEARCH_LANG.get(language.code, "en")],
                    "pipeline": SEARCH_PIPELINE.get(language.code, []),
                    "separator": SEARCH_SEPARATOR,
                }
            }
        ],
        # An empty section (a handbook without procedures) would be an invalid nav entry.
        "nav": [_nav_entry(item) for item in rendered.nav if item.path or item.children],
        "validation": {"nav": {"omitted_files": "warn"}, "links": {"anchors": "warn"}},
    }
    config_file = project_dir / "mkdocs.yml"
    config_file.write_text(dump_yaml(config, sort_keys=False), encoding="utf-8")
    return Project(config_file, site_dir)


def write_page_bodies(rendered: RenderedLanguage, project_dir: Path) -> RenderedLanguage:
    """Write the Markdown of RENDERED's pages into PROJECT_DIR/docs/; return RENDERED without it.

    So that a build need not hold every language's Markdown until the last language is
    rendered: a public page's front matter (its hreflang links) needs every language's
    "wholly translated" flags. write_project(bodies_written=True) adds the front matter.
    """
    docs = project_dir / DOCS
    for page in rendered.pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
    return dataclasses.replace(
        rendered, pages=tuple(dataclasses.replace(page, markdown="") for page in rendered.pages)
    )


def _add_front_matter(
    rendered: RenderedLanguage,
    docs: Path,
    links: SiteLinks | None,
    json_ld: Mapping[str, str] | None,
) -> None:
    """Put each page's front matter before its Markdown, written earlier by write_page_bodies.

    The file becomes what write_project writes in one go: the front matter as text (its line
    ends as the platform writes them) followed by the Markdown's bytes as they were written.
    """
    # A path written twice keeps its last page, as writing the pages whole would.
    last = {page.path: page for page in rendered.pages}
    for path, page in last.items():
        target = docs / path
        front = _page_front_matter(page, rendered.language, links, json_ld)
        body = target.read_bytes()
        target.write_bytes(front.replace("\n", os.linesep).encode("utf-8") + body)


def _page_front_matter(
    page: Page,
    language: Language,
    links: SiteLinks | None,
    json_ld: Mapping[str, str] | None,
) -> str:
    """Return a page's front matter: its title, fallback languages, links and JSON-LD."""
    meta = _page_links(links, language, page) if links is not None else {}
    if json_ld and page.path in json_ld:
        meta["cp_json_ld"] = json_ld[page.path]
    return _front_matter(page.head_title or page.title, page.foreign_languages, meta)


# libyaml's emitter, when PyYAML was built with it: the pure-Python one was a tenth of a build.
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dump_yaml(data: Any, *, sort_keys: bool = True) -> str:
    """Return DATA as YAML (mkdocs.yml, front matter), with the fastest safe emitter."""
    text: str = yaml.dump(data, Dumper=_DUMPER, sort_keys=sort_keys, allow_unicode=True, width=1000)
    return text


def material_worker() -> str:
    """Return the file name of Material's search worker (it carries a hash of its content)."""
    import material  # type: ignore[import-untyped]

    folder = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"
    found = sorted(p.name for p in folder.glob("search.*.min.js"))
    if len(found) != 1:
        raise RuntimeError(f"Material's search worker is not where it was: {found} in {folder}")
    return found[0]


def search_worker() -> str:
    """Return our search worker: Material's, with words indexed and matched as people type them.

    Material's worker (lunr.js) matches a query as the prefix of an indexed word, and never
    stems the query; so a stemmed index loses every word typed in full, and "reclamacao" never
    finds "reclamação". Ours indexes each word as written, without diacritics, and stemmed, and
    matches the query without diacritics and stemmed as well (lunr's own extension points:
    pipeline functions and query clauses).
    """
    source = builtin_templates_dir() / "mkdocs" / "search-worker.js"
    return source.read_text(encoding="utf-8").replace("__MATERIAL_WORKER__", material_worker())


def _front_matter(title: str, foreign: Sequence[str], extra: Mapping[str, Any]) -> str:
    meta: dict[str, Any] = {"cp_title": str(title)}
    if foreign:
        meta["cp_foreign"] = list(foreign)
    meta.update(extra)
    return "---\n" + front_matter_yaml(meta) + "\n---\n\n"


# What a double-quoted YAML scalar cannot hold as it is, once json.dumps has escaped the C0
# controls, quotes and backslashes: the characters YAML refuses in a document (PyYAML's
# Reader.NON_PRINTABLE: DEL, the C1 controls, U+FFFE/U+FFFF, lone surrogates) and the line
# breaks it would fold into spaces (NEL U+0085, LS U+2028, PS U+2029).
_YAML_UNSAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def front_matter_yaml(meta: Mapping[str, Any]) -> str:
    """Return a page's front matter (strings, booleans, integers, lists, mappings) as YAML.

    Written as one JSON flow mapping, which YAML reads as the same values (no float, whose
    JSON form PyYAML's YAML 1.1 would read as a string, is ever in front matter), with what
    YAML does not allow raw in a quoted scalar escaped as \\uXXXX. Every page of a build has a
    front matter of some sixty values: PyYAML's representer spent 2 s on them at 50 charters,
    json.dumps a twentieth of that.
    """
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    return _YAML_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _page_links(links: SiteLinks, language: Language, page: Page) -> dict[str, Any]:
    """Return a page's links to its translations, escaped for the page frame (main.html).

    hreflang alternates name only the languages in which the page is wholly translated: a page
    showing fallback texts is not announced as a page of its language.
    """
    translated = links.translated.get(page.path, ())
    home = page.path == "index.md"
    up = "../" * (page_url(page.path).count("/") + 1)
    alternates = [
        {"hreflang": other.bcp47, "href": html.escape(page_address(links, other, page.path))}
        for other in links.languages
        if other in translated
    ]
    return {
        "cp_alternates": alternates,
        # The home page's x-default is the root page, which chooses the reader's language.
        "cp_x_default": html.escape(
            links.base_url if home else page_address(links, links.default, page.path)
        ),
        "cp_og_locale": language.gettext,
        "cp_og_locale_alternates": [
            other.gettext for other in links.languages if other in translated and other != language
        ],
        # The language selector leads to the same page in every language, with or without
        # JavaScript.
        "cp_selector": [
            {
                "name": html.escape(other.name),
                "hreflang": other.bcp47,
                "href": html.escape(f"{up}{other.segment}/{page_url(page.path)}"),
                "current": other == language,
            }
            for other in links.languages
        ]
        if len(links.languages) > 1
        else [],
    }


def _selector_homes(links: SiteLinks) -> list[dict[str, str]]:
    """Return Material's language selector entries: each language's home page.

    Pages with links of their own (cp_selector) lead to the same page instead; the 404 page,
    which is served at any address, uses these absolute paths.
    """
    root = base_path(links.base_url)
    return [
        {"name": language.name, "link": f"{root}{language.segment}/", "lang": language.bcp47}
        for language in links.languages
    ]


def _nav_entry(item: NavItem) -> Any:
    if item.children:
        children: list[Any] = []
        for child in item.children:
            # With navigation.indexes, a section's index page is its first, untitled entry.
            is_index = child.path is not None and child.path.endswith("/index.md")
            children.append(child.path if is_index else _nav_entry(child))
        return {str(item.title): children}
    return {str(item.title): item.path}


def _palettes(labels: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            "primary": "custom",
            "accent": "custom",
            "toggle": {"icon": "material/brightness-7", "name": labels["dark_mode"]},
        },
        {
            "media": "(prefers-color-scheme: dark)",
            "scheme": "slate",
            "primary": "custom",
            "accent": "custom",
            "toggle": {"icon": "material/brightness-4", "name": labels["light_mode"]},
        },
    ]


# Material's dark ("slate") background; a brand colour chosen for white pages is often too dark
# to read on it, so links on dark pages use the lightest tint that is needed for WCAG AA.
SLATE_BACKGROUND = "#1e2129"
AA_CONTRAST = 4.5


def _rgb(colour: str) -> tuple[float, float, float]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16) / 255, int(digits[2:4], 16) / 255, int(digits[4:6], 16) / 255)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(colour: str, background: str, ratio: float = AA_CONTRAST) -> str:
    """Return COLOUR, mixed with white just enough to reach RATIO against BACKGROUND."""
    r, g, b = _rgb(colour)
    for step in range(21):
        mix = step / 20
        rgb = tuple(round((c + (1 - c) * mix) * 255) for c in (r, g, b))
        candidate = "#{:02x}{:02x}{:02x}".format(*rgb)
        if contrast(candidate, background) >= ratio:
            return candidate
    return "#ffffff"


def _colour_css(rendered: RenderedLanguage) -> str:
    # Colours were checked as #RGB or #RRGGBB by the model, so they are safe inside CSS.
    branding = rendered.config.branding
    primary, accent = branding.primary_colour, branding.accent_colour
    return (
        "/* The site's colours, from site_config.yml (branding). */\n"
        ":root,\n[data-md-color-scheme=default],\n[data-md-color-scheme=slate] {\n"
        f"  --md-primary-fg-color: {primary};\n"
        f"  --md-primary-fg-color--light: {primary};\n"
        f"  --md-primary-fg-color--dark: {primary};\n"
        f"  --md-accent-fg-color: {accent};\n"
        "}\n"
        "[data-md-color-scheme=default] {\n"
        f"  --md-typeset-a-color: {primary};\n"
        "}\n"
        "[data-md-color-scheme=slate] {\n"
        f"  --md-typeset-a-color: {readable_on(primary, SLATE_BACKGROUND)};\n"
        f"  --md-accent-fg-color: {readable_on(accent, SLATE_BACKGROUND)};\n"
        "}\n"
    )


def _copy_tree(source: Path, target: Path) -> None:
    """Copy SOURCE into TARGET, leaving out symbolic links that lead outside SOURCE."""
    if not source.is_dir():
        return
    inside = source.resolve()

    def leading_outside(folder: str, names: list[str]) -> set[str]:
        # validate reports such links (CP212); never publish what they point to (/etc/passwd).
        paths = {name: Path(folder) / name for name in names}
        return {
            name
            for name, path in paths.items()
            if path.is_symlink() and not path.resolve().is_relative_to(inside)
        }

    shutil.copytree(source, target, dirs_exist_ok=True, ignore=leading_outside)


# ---------------------------------------------------------------------------------------------
# Building


class _Collect(logging.Handler):
    """Collect MkDocs's warnings and errors, which would otherwise go to the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _build_environment(build_date: dt.date) -> Iterator[None]:
    """Pin the build date for MkDocs (sitemap, gzip header) and silence Material's notice."""
    epoch = int(dt.datetime.combine(build_date, dt.time(), tzinfo=dt.UTC).timestamp())
    saved = {key: os.environ.get(key) for key in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _captured_logs() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled theme templates shared by every MkDocs build of the process.

    MkDocs makes a new Jinja environment per build, which compiles Material's templates again:
    a fifth of a build. The key is the template's name and source, not its file (each project
    lives in a folder of its own), so an override with the same name is a different entry.
    """

    def __init__(self) -> None:
        self._codes: dict[str, Any] = {}

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        """Return the bucket of NAME with SOURCE, filled if it was compiled before."""
        key = hashlib.sha256(f"{name}\0{source}".encode()).hexdigest()
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill BUCKET with the code compiled before, if any."""
        bucket.code = self._codes.get(bucket.key)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the code of BUCKET for the next build."""
        self._codes[bucket.key] = bucket.code


_BYTECODE = _SharedBytecode()
# The templates of the installed themes (Material's 14,000 files, icons included) by folder and
# by MkDocs's filter of static files: listed and filtered once per process, not once per build.
_THEME_LISTINGS: dict[tuple[str, Any, tuple[str, ...]], list[str]] = {}


def _installed(folder: str) -> bool:
    """Return whether FOLDER is part of an installed package (never changes during a run)."""
    return any(folder.startswith(prefix) for prefix in _INSTALLED)


_INSTALLED = tuple(str(Path(p).resolve()) + os.sep for p in {*sysconfig.get_paths().values()} if p)


def _listing(folder: str) -> list[str]:
    """Return the files under FOLDER as template names, as Jinja's FileSystemLoader does.

    With string operations: pathlib's took 1.2 s (profiled) over Material's 14,000 files, in
    each pool process of every build.
    """
    names = []
    for dirpath, _dirs, filenames in os.walk(folder):
        below = dirpath[len(folder) :].lstrip(os.sep).replace(os.sep, "/")
        prefix = below + "/" if below else ""
        names += [prefix + filename for filename in filenames]
    return names


def _fast_theme_env(theme: Any) -> Any:
    """Return the theme's get_env, with shared compiled templates and a cached listing."""
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env: jinja2.Environment = make_env()
        env.bytecode_cache = _BYTECODE
        folders = [str(Path(folder).resolve()) for folder in theme.dirs]

        def list_templates(extensions: Any = None, filter_func: Any = None) -> list[str]:
            if extensions is not None or filter_func is None:
                return jinja2.Environment.list_templates(env, extensions, filter_func)
            # MkDocs's filter depends only on its code and on the theme's static templates.
            statics = tuple(sorted(theme.static_templates))
            found: set[str] = set()
            for folder in folders:
                key = (folder, filter_func.__code__, statics)
                names = _THEME_LISTINGS.get(key) if _installed(folder) else None
                if names is None:
                    names = [name for name in _listing(folder) if filter_func(name)]
                    if _installed(folder):
                        _THEME_LISTINGS[key] = names
                found.update(names)
            return sorted(found)

        env.list_templates = list_templates  # type: ignore[method-assign]
        return env

    return get_env


def build_project(
    project: Project, build_date: dt.date, pages: PageCache | None = None
) -> list[Diagnostic]:
    """Build one MkDocs project; return MkDocs's warnings (CP421) and failure (CP420).

    With PAGES, the pages that did not change come from that cache (and it counts them).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # The MkDocs project is a temporary folder, so no file of the user's can be named: the
    # message names the language instead.
    language = project.config_file.parent.name
    diagnostics: list[Diagnostic] = []
    reuse = None
    with _build_environment(build_date), _captured_logs() as logs:
        try:
            config = load_config(str(project.config_file))
            config.theme.get_env = _fast_theme_env(config.theme)  # type: ignore[method-assign]
            with reuse_pages(
                pages, project.config_file, project.site_dir, build_date.isoformat(), tidy_file
            ) as reuse:
                build(config)
            tidy_site(project.site_dir, done=reuse.done if reuse else frozenset())
        except MkDocsException as exc:
            reuse = None
            diagnostics.append(
                error(
                    "CP420",
                    f"MkDocs could not build the '{language}' site: {exc}",
                    None,
                    "the MkDocs messages reported with it say why; with --strict every warning "
                    "stops the build",
                )
            )
    for record in logs.records:
        if record.levelno >= logging.WARNING:
            reuse = None  # a page cache is kept only from a build with no warning
            message = " ".join(record.getMessage().split())
            diagnostics.insert(
                0,
                error(
                    "CP421",
                    f"MkDocs ({language}): {message}",
                    None,
                    "this is usually a broken link or anchor in a template",
                ),
            )
    if reuse is not None:
        reuse.save()
    return diagnostics


# Material's script reads every <link rel="alternate"> of a page as a language's home page: it
# fetches a sitemap under each, and rewrites clicks on links into those folders. Our pages'
# alternates are the page's own translations (as search engines need), and our selector's links
# already lead to the same page, so the script is told to leave hreflang links alone.
MATERIAL_ALTERNATES = 'M("link[rel=alternate]")'
OUR_ALTERNATES = 'M("link[rel=alternate]:not([hreflang])")'


def adapt_language_selector(site_dir: Path) -> list[Diagnostic]:
    """Make Material's script of a built site ignore hreflang links (CP422 if it cannot)."""
    bundles = sorted((site_dir / "assets" / "javascripts").glob("bundle.*.min.js"))
    for bundle in bundles:
        text = bundle.read_text(encoding="utf-8")
        if text.count(MATERIAL_ALTERNATES) == 1:
            # A new file renamed over the old one: the built file may be a hard link into the
            # build cache (cache.py), which must keep Material's original.
            adapted = bundle.with_name(f".{bundle.name}.new")
            adapted.write_text(text.replace(MATERIAL_ALTERNATES, OUR_ALTERNATES), encoding="utf-8")
            adapted.replace(bundle)
            return []
    return [
        error(
            "CP422",
            f"Material's script in {site_dir.name}/assets/javascripts has no "
            f"{MATERIAL_ALTERNATES} to adapt",
            None,
            "install the mkdocs-material version pinned in constraints.txt (./dev setup)",
        )
    ]


# Material's own markup that the HTML standard forbids: autocomplete on checkboxes and radio
# buttons, the non-standard autocorrect attribute, and a label for the table of contents that
# names no control on a section's index page. Fixed in the built pages, so that the published
# HTML validates; nothing here touches author text.
_INPUT = re.compile(r"<input\b[^>]*>")
_TEXT_INPUT = re.compile(r'\btype="(?:text|search|email|tel|url|password|number)"')
_AUTOCOMPLETE = re.compile(r'\s+autocomplete="[^"]*"')
_AUTOCORRECT = re.compile(r'\s+autocorrect="[^"]*"')
_TOC_LABEL = re.compile(r'(<label class="md-nav__title") for="__toc"')


def _tidy_input(match: re.Match[str]) -> str:
    tag = _AUTOCORRECT.sub("", match.group())
    return tag if _TEXT_INPUT.search(tag) else _AUTOCOMPLETE.sub("", tag)


def tidy_html(text: str) -> str:
    """Return a built page with Material's invalid attributes removed."""
    text = _INPUT.sub(_tidy_input, text)
    if 'id="__toc"' not in text:
        text = _TOC_LABEL.sub(r"\1", text)
    return text


def tidy_file(page: Path) -> None:
    """Apply tidy_html to one built page."""
    original = page.read_text(encoding="utf-8")
    tidied = tidy_html(original)
    if tidied != original:
        page.write_text(tidied, encoding="utf-8")


def tidy_site(site_dir: Path, done: Collection[str] = frozenset()) -> None:
    """Apply tidy_html to every page of a built site but those DONE (tidied or from a cache).

    DONE holds paths relative to SITE_DIR, as MkDocs's dest_uri.
    """
    for page in sorted(site_dir.rglob("*.html")):
        if page.relative_to(site_dir).as_posix() not in done:
            tidy_file(page)


# ---------------------------------------------------------------------------------------------
# Building many projects at once, across the cores

CACHE_STAGE = "mkdocs"  # and PAGE_STAGE, the pages of the projects built (pagecache.py)
# Called in the parent, on the thread that waits, when a project is built: (kind, segment,
# pages), e.g. ("public", "pt", 30); for a progress display.
OnBuilt = Callable[[str, str, int], None]


def default_jobs() -> int:
    """Return how many MkDocs builds run at once by default: one per core."""
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Built:
    """What the build of one project returns: its diagnostics, and its pages from the cache."""

    diagnostics: list[Diagnostic]
    page_hits: int = 0
    page_misses: int = 0


def _build_in_worker(
    config_file: str, site_dir: str, build_date: dt.date, pages: str | None = None
) -> Built:
    """Build one project in a pool process (a top-level function, so that it can be sent).

    PAGES is the project's folder of the page cache (None: no cache).
    """
    cache = PageCache(Path(pages)) if pages is not None else None
    diagnostics = build_project(Project(Path(config_file), Path(site_dir)), build_date, cache)
    if cache is None:
        return Built(diagnostics)
    return Built(diagnostics, cache.hits, cache.misses)


def _init_worker(build: int) -> None:
    """Leave Ctrl+C to the parent, and die with the build process BUILD.

    The parent stops the pool and cleans up on Ctrl+C. A build killed outright (SIGKILL, out of
    memory) cannot; its workers, children of the fork server, would then wait for work forever
    (and keep the fork server alive): each watches the build and exits when it is gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(build,), daemon=True).start()


def _exit_with(build: int) -> None:
    """Wait until process BUILD has ended, then end this process."""
    try:
        handle = os.pidfd_open(build)  # no confusion with a later process of the same number
    except (OSError, AttributeError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while True:
            try:
                os.kill(build, 0)
            except ProcessLookupError:
                break
            except OSError:
                pass
            time.sleep(0.5)
    os._exit(1)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Return forkserver where it exists, else spawn; never a plain fork.

    A forked worker would inherit the build's open files, among them the lock of the output
    folder (a flock, shared with the child), and keep it as long as it lives. Workers fork from a
    server process that has imported MkDocs once instead, and inherit nothing of the build.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


class ProjectBuilder:
    """Build MkDocs projects, JOBS at a time in a process pool (in this process with JOBS=1).

    Projects are submitted as they are written, and each submitter waits for its own results,
    which come back in the order asked for, whatever the order the builds finish in: the
    output does not depend on the pool. A worker that dies becomes CP423 for its project.
    """

    def __init__(
        self,
        build_date: dt.date,
        jobs: int | None = None,
        on_built: OnBuilt | None = None,
        cache: BuildCache | None = None,
    ):
        self.build_date = build_date
        self.jobs = default_jobs() if jobs is None else max(1, jobs)
        self.on_built = on_built
        self.cache = cache if cache is not None else BuildCache(None)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._events: queue.SimpleQueue[tuple[str, str, int]] = queue.SimpleQueue()

    def __enter__(self) -> ProjectBuilder:
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.close(cancel=kind is not None)

    def submit(self, project: Project, kind: str, pages: int = 0) -> Callable[[], list[Diagnostic]]:
        """Start building PROJECT (of PAGES pages); return what waits for its diagnostics.

        A project whose files are those of a cached build gets that build's output instead.
        """
        segment = project.config_file.parent.name
        slot = f"{kind}-{segment}"
        key = self._key(project) if self.cache.enabled else ""
        if key:
            cached = self.cache.fetch_tree(CACHE_STAGE, slot, key, project.site_dir)
            if cached is not None:
                self._events.put((kind, segment, pages))
                self.deliver()
                return lambda: cached
        # The pages of a project that must be built come from the page cache where they can.
        folder = self.cache.folder
        page_cache = str(folder / PAGE_STAGE / slot) if folder is not None else None
        arguments = (str(project.config_file), str(project.site_dir), self.build_date, page_cache)
        if self.jobs == 1:
            diagnostics = self._keep(_build_in_worker(*arguments), project, kind, key)
            self._events.put((kind, segment, pages))
            self.deliver()
            return lambda: diagnostics
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=_pool_context(),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
        future: concurrent.futures.Future[Built]
        try:
            future = self._pool.submit(_build_in_worker, *arguments)
        except RuntimeError as exc:  # BrokenProcessPool: an earlier build's process died
            future = concurrent.futures.Future()
            future.set_exception(exc)
        else:
            future.add_done_callback(lambda _done: self._events.put((kind, segment, pages)))
        return lambda: self._keep(self._wait(future, kind, segment), project, kind, key)

    def _key(self, project: Project) -> str:
        """Return the cache key of a project: its files (not where it is built) and the date."""
        files = hash_tree(
            project.config_file.parent, {"mkdocs.yml": str(project.site_dir.resolve())}
        )
        return self.cache.key(files, self.build_date.isoformat())

    def _keep(self, built: Built, project: Project, kind: str, key: str) -> list[Diagnostic]:
        """Count the pages reused, store a successful build's output; return its diagnostics."""
        diagnostics = built.diagnostics
        if self.cache.enabled:
            self.cache.stats["page_hits"] += built.page_hits
            self.cache.stats["page_misses"] += built.page_misses
        if key and not has_errors(diagnostics) and project.site_dir.is_dir():
            slot = f"{kind}-{project.config_file.parent.name}"
            self.cache.store_tree(CACHE_STAGE, slot, key, project.site_dir, diagnostics)
        return diagnostics

    def _wait(self, future: concurrent.futures.Future[Built], kind: str, segment: str) -> Built:
        """Wait for FUTURE, reporting every build that ends meanwhile; CP423 if it died."""
        while not future.done():
            concurrent.futures.wait([future], timeout=0.1)
            self.deliver()
        self.deliver()
        try:
            return future.result()
        except Exception as exc:  # the worker died or could not send its result
            return Built(
                [
                    error(
                        "CP423",
                        # A pool whose process died fails every build it had not finished: which
                        # one killed it is not known here.
                        f"the {kind} site in '{segment}' was not built: a process of the build "
                        f"pool stopped ({type(exc).__name__}: {exc})",
                        None,
                        "run the build again with --jobs 1, which builds in one process; if it "
                        "still fails, report it with the output of --debug",
                    )
                ]
            )

    def deliver(self) -> None:
        """Report the builds that ended, on this thread."""
        while True:
            try:
                kind, segment, pages = self._events.get_nowait()
            except queue.Empty:
                return
            if self.on_built is not None:
                self.on_built(kind, segment, pages)

    def close(self, *, cancel: bool = False) -> None:
        """Stop the pool; with CANCEL (Ctrl+C, an error), without waiting for queued builds."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if cancel:
            # Running builds are stopped too: their output is a staging folder about to go.
            workers = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.join()
        else:
            pool.shutdown(wait=True)
