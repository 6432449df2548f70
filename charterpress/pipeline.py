"""The build: load -> validate -> resolve languages -> render -> build -> publish.

Each stage returns its diagnostics as values. Nothing is written to the output folder unless
every stage succeeded: MkDocs builds into a fresh folder beside it, which replaces the old output
in one step (see publish.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import (
    exports,
    handbook,
    i18n,
    languages,
    mkdocs_site,
    progress,
    publish,
    renderkeys,
    sitemap,
    structured,
)
from .cache import CACHE_DIR, BuildCache
from .diagnostics import Diagnostic, error, has_errors, strictly
from .load import load_sources, paused_gc
from .lock import OutputBusy
from .render import Edition, RenderedLanguage, Renderer, TemplateFailure
from .sourcecache import SourceMemo
from .validate import ValidatedSite, overdue_reviews, validate_sources


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    site: Path
    today: dt.date
    out: Path | None = None  # default: the site's output_dir
    strict: bool = False
    base_url: str | None = None  # default: the site's base_url (a preview's address instead)
    jobs: int | None = None  # MkDocs builds at once; None: one per core, 1: in this process
    # Called in this process as each MkDocs project is built: ("public"|"handbook", segment).
    on_built: mkdocs_site.OnBuilt | None = None
    # Reuse the results of earlier builds kept in <site>/.charterpress-cache/ (see cache.py);
    # `build` and `serve` do, unless --no-cache.
    cache: bool = False


@dataclass
class BuildResult:
    """What a build produced: the output folder (None if nothing was written) and diagnostics."""

    out: Path | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    # What the cache did with whole MkDocs projects: hits, misses, stores, corrupt (entries found
    # damaged and dropped); and inside the projects built, with their pages: page_hits (taken
    # from the page cache) and page_misses (converted and rendered by MkDocs).
    cache: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        """Return whether the build succeeded and the output was replaced."""
        return self.out is not None and not has_errors(self.diagnostics)


def output_folder(site: ValidatedSite, out: Path | None) -> Path:
    """Return --out, else the configured output folder relative to the site folder."""
    return out if out is not None else site.root / site.config.output_dir


def resolve_languages(
    site: ValidatedSite, today: dt.date, cache: BuildCache | None = None
) -> tuple[list[Edition], list[Diagnostic]]:
    """Return every published language, in the configured order, and the translation problems.

    Each language's texts are translated from its content catalog; a text without a usable
    translation is a ForeignText in the source language (shown with its `lang` and a notice),
    reported as CP610, which `build --strict` turns into an error. CACHE keeps each source
    document's translations for the next build.
    """
    translator = i18n.SiteTranslator(site, cache)
    editions = [
        translated_edition(translator, languages.BY_CODE[code], today)
        for code in site.config.languages
    ]
    return editions, translator.diagnostics()


def translated_edition(
    translator: i18n.SiteTranslator, language: languages.Language, today: dt.date
) -> Edition:
    """Return LANGUAGE's edition: the site translated, its results and UI translations."""
    language, version, report = translator.translate(language)
    return Edition(
        language=language,
        config=version.config,
        charters={key: source.charter for key, source in sorted(version.charters.items())},
        translations=i18n.ui_translations(language.gettext),
        today=today,
        extra={
            "results": _results_by_charter(version),
            "translation": report,
            "site": version,
        },
    )


def _results_by_charter(site: ValidatedSite) -> dict[str, list[Any]]:
    results: dict[str, list[Any]] = {}
    for source in sorted(site.results, key=lambda r: (r.charter_id, r.period.start)):
        results.setdefault(source.charter_id, []).append(source)
    return results


def render_editions(
    renderer: Renderer, editions: list[Edition], site: ValidatedSite | None = None
) -> tuple[list[RenderedLanguage], list[Diagnostic]]:
    """Render every language; report every failing template of every language.

    With SITE and a renderer that has a cache, unchanged pages come from the cache.
    """
    rendered: list[RenderedLanguage] = []
    diagnostics: list[Diagnostic] = []
    cached = site is not None and renderer.cache is not None
    inputs = renderkeys.site_inputs(site) if site is not None and cached else None
    for edition in editions:
        keys = renderkeys.render_keys(inputs, edition) if inputs is not None else None
        result, problems = renderer.render_edition(edition, keys)
        diagnostics += problems
        if result is not None:
            rendered.append(result)
    return rendered, diagnostics


def with_base_url(site: ValidatedSite, base_url: str | None) -> ValidatedSite:
    """Return SITE published at BASE_URL (--base-url) instead of its configured address."""
    if base_url is None:
        return site
    # Every absolute address (site_url, canonical, hreflang, sitemap, JSON-LD, QR codes) is
    # made from config.base_url, so replacing it here moves all of them.
    return replace(site, config=site.config.model_copy(update={"base_url": base_url}))


def build_site(options: BuildOptions, reporter: progress.Reporter = progress.SILENT) -> BuildResult:
    """Run every stage; replace the output folder only if all of them succeeded."""
    # Opened first: the sources read in the previous run, then pages and MkDocs builds, come
    # from it.
    cache = BuildCache.open(options.site / CACHE_DIR if options.cache else None)
    memo = SourceMemo.open(cache) if cache.enabled else None
    reporter.start(progress.LOAD)
    with paused_gc():
        sources, diagnostics = load_sources(options.site, memo)
    files = [sources.config] if sources.config else []
    reporter.finish(
        progress.LOAD, files=len(files + sources.charters + sources.procedures + sources.results)
    )
    reporter.start(progress.VALIDATE)
    with paused_gc():
        outcome = validate_sources(sources, options.today)
    if memo is not None:
        memo.store()
    diagnostics += outcome.diagnostics
    if outcome.site is None or has_errors(diagnostics):
        reporter.finish(progress.VALIDATE, detail="problems found")
        return BuildResult(None, _finish(diagnostics, options))
    site = with_base_url(outcome.site, options.base_url)
    forget_key_positions(site)
    reporter.finish(
        progress.VALIDATE,
        charters=len(site.charters),
        procedures=len(site.procedures),
        results=len(site.results),
    )
    publish.checkpoint("validated")
    out = output_folder(site, options.out)
    refusal = publish.check_output(out)
    if refusal is not None:
        return BuildResult(None, _finish([*diagnostics, refusal], options))

    # The MkDocs projects are written into WORK as each language is rendered.
    with publish.temporary_folder("charterpress-mkdocs-") as work:
        return _render_and_build(site, out, options, cache, diagnostics, work, reporter)


def _render_and_build(
    site: ValidatedSite,
    out: Path,
    options: BuildOptions,
    cache: BuildCache,
    diagnostics: list[Diagnostic],
    work: Path,
    reporter: progress.Reporter,
) -> BuildResult:
    """Render every language into WORK, build the MkDocs projects, publish them into OUT."""
    renderer = Renderer(site.root, cache)
    built, problems, later = render_languages(renderer, site, options, cache, work, reporter)
    diagnostics += problems
    rendered = [language.public for language in built]
    if has_errors(diagnostics):
        return BuildResult(None, _finish(diagnostics, options))
    publish.checkpoint("rendered")
    # A public site and a handbook per language.
    reporter.expect_builds(2 * len(rendered), sum(len(r.pages) for r in rendered))

    try:
        staging = publish.make_staging(out)
    except OutputBusy as busy:
        return BuildResult(None, _finish([*diagnostics, busy.diagnostic], options))
    except OSError as exc:
        diagnostics.append(
            error("CP411", f"cannot create a folder beside '{out}': {exc.strerror}", None)
        )
        return BuildResult(None, _finish(diagnostics, options))
    try:
        diagnostics += _build_both(
            renderer, site, built, later, staging, options, cache, work, reporter
        )
        diagnostics = _finish(diagnostics, options)
        if has_errors(diagnostics):
            return BuildResult(None, diagnostics)
        publish.checkpoint("staged")
        reporter.start(progress.PUBLISH)
        try:
            publish.swap_in(staging, out)
        except OSError as exc:
            diagnostics.append(error("CP411", f"cannot replace '{out}': {exc.strerror}", None))
            return BuildResult(None, diagnostics)
        reporter.finish(progress.PUBLISH, detail=str(out))
    finally:
        publish.remove_later(cache.take_retired(), publish.output_lock(staging))
        publish.discard(staging)
    return BuildResult(out, diagnostics, [r.language.code for r in rendered], cache.stats)


# The folders of WORK, the build's temporary folder, each holding a folder per language segment:
# the public and the handbook MkDocs projects, the public site's posters (placed after MkDocs).
PUBLIC_PROJECTS = "public"
HANDBOOK_PROJECTS = "handbook"
POSTERS = "posters"


@dataclass(frozen=True)
class LanguageBuild:
    """What the later stages need of one language once its translated site is dropped.

    Its pages' Markdown and its posters are already written into the build's temporary folder
    (spool_language): public and handbook carry the pages' titles and flags only, no posters.
    """

    public: RenderedLanguage
    handbook: RenderedLanguage | None  # None: a handbook page failed, or nothing was rendered
    # Compressed (zlib) until written: text that is only copied to a file later need not take
    # its full size while every other language is rendered (together a tenth of the peak).
    json_ld: dict[str, bytes]  # the JSON-LD of the charter pages, by page path
    exports: dict[str, bytes]  # the JSON and iCalendar files, by path in the language's folder


def forget_key_positions(site: ValidatedSite) -> None:
    """Drop the positions of the keys written in SITE's source files, once it is validated.

    Only the model's checks point at a key (an unknown key, CP202); what the later stages
    report points at values (YamlDocument.pos), whose positions stay. The keys' table was an
    eighth of the validated site (N = 50: 7 of 55 MB).
    """
    documents = [site.config_document]
    documents += [source.document for source in site.charters.values()]
    documents += [source.document for source in site.procedures.values()]
    documents += [source.document for source in site.results]
    for document in documents:
        document.keys.clear()


def render_languages(
    renderer: Renderer,
    site: ValidatedSite,
    options: BuildOptions,
    cache: BuildCache,
    work: Path,
    reporter: progress.Reporter = progress.SILENT,
) -> tuple[list[LanguageBuild], list[Diagnostic], list[Diagnostic]]:
    """Translate and render one language at a time; return what the MkDocs projects need.

    Returns the languages rendered, the public site's problems (translations, then pages) and
    the handbook's (overdue reviews, then pages), which are reported after the public builds'.
    Each language's pages and posters are written into WORK as it is rendered.
    """
    # Memory: a translated site is about as large as the validated one, and holding every
    # language's at once made the peak grow with five sites. So each language is translated,
    # then everything made from its translated site (public and handbook pages, JSON-LD,
    # exports) is made at once, and the translated site is dropped before the next language.
    # The public projects cannot be finished yet: each page's hreflang links name the languages
    # in which it is wholly translated, known only when every language is rendered. So each
    # page's Markdown is written at once, and its front matter added before MkDocs builds it
    # (holding every language's Markdown until then was a fifth of the peak at N = 200).
    translator = i18n.SiteTranslator(site, cache)
    inputs = renderkeys.site_inputs(site) if renderer.cache is not None else None
    # JSON-LD's addresses read only the base URL: the translated pages are not known yet.
    base = site_links(site, [])
    codes = site.config.languages
    built: list[LanguageBuild] = []
    pages: list[Diagnostic] = []
    counts = {"languages": 0, "pages": 0}  # rendered, for the stage line
    later = overdue_reviews(site, options.today)
    reporter.start(progress.LANGUAGES)
    for index, code in enumerate(codes):
        edition = translated_edition(translator, languages.BY_CODE[code], options.today)
        if index == len(codes) - 1:
            # The two stages overlap in time: each counts from its first language to its last.
            reporter.finish(progress.LANGUAGES, detail=", ".join(codes), languages=len(codes))
        if index == 0:
            reporter.start(progress.RENDER)
        keys = renderkeys.render_keys(inputs, edition) if inputs is not None else None
        public, problems = renderer.render_edition(edition, keys)
        pages += problems
        if public is not None:
            counts["languages"] += 1
            counts["pages"] += len(public.pages)
        if public is None or has_errors(translator.diagnostics() + pages):
            # Nothing more is built: the handbook and exports are made only for a good site.
            continue
        own, problems = handbook.render_language(renderer, site, edition)
        later += problems
        built.append(
            LanguageBuild(
                spool_public(public, work),
                mkdocs_site.write_page_bodies(own, work / HANDBOOK_PROJECTS / own.language.segment)
                if own is not None
                else None,
                {
                    path: _pack(text.encode())
                    for path, text in _json_ld(renderer, edition, base, options.today).items()
                },
                {path: _pack(data) for path, data in _exports(edition, options, cache).items()},
            )
        )
        # Its translated site (the largest thing a language holds), and its pages with their
        # Markdown, now written: not held while the next language is translated.
        del edition, public, own
    if not codes:
        reporter.finish(progress.LANGUAGES, detail="", languages=0)
        reporter.start(progress.RENDER)
    reporter.finish(progress.RENDER, languages=counts["languages"], pages=counts["pages"])
    return built, translator.diagnostics() + pages, later


def spool_public(rendered: RenderedLanguage, work: Path) -> RenderedLanguage:
    """Write a language's public pages (Markdown only) and posters into WORK; return the rest."""
    segment = rendered.language.segment
    for poster in rendered.posters:
        target = work / POSTERS / segment / poster.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(poster.html, encoding="utf-8")
    pages = mkdocs_site.write_page_bodies(rendered, work / PUBLIC_PROJECTS / segment)
    return replace(pages, posters=())


def _build_both(
    renderer: Renderer,
    site: ValidatedSite,
    built: list[LanguageBuild],
    later: list[Diagnostic],
    staging: Path,
    options: BuildOptions,
    cache: BuildCache,
    work: Path,
    reporter: progress.Reporter = progress.SILENT,
) -> list[Diagnostic]:
    """Build the public site and the handbook into STAGING, their MkDocs projects in a pool.

    The public projects are submitted first; the handbook's are written while they build. The
    two sites' stage lines overlap in time: each counts from its first project to its last.
    LATER: the handbook's problems found while rendering, reported after the public site's.
    WORK: where render_languages wrote the pages and posters.
    """

    def on_built(kind: str, segment: str, pages: int) -> None:
        reporter.edition_built(kind, segment, pages)
        if options.on_built is not None:
            options.on_built(kind, segment, pages)

    with mkdocs_site.ProjectBuilder(options.today, options.jobs, on_built, cache) as builder:
        reporter.start(progress.MKDOCS_PUBLIC)
        finish_public = _start_public(
            renderer, site, built, staging / publish.PUBLIC, options, builder, work
        )
        reporter.start(progress.MKDOCS_HANDBOOK)
        own = [language.handbook for language in built if language.handbook is not None]
        diagnostics = later
        if len(own) == len(built):
            diagnostics = handbook.write_handbook(
                renderer,
                site,
                own,
                staging / publish.HANDBOOK,
                later,
                today=options.today,
                strict=options.strict,
                builder=builder,
                bodies=work / HANDBOOK_PROJECTS,
            )
        reporter.finish(progress.MKDOCS_HANDBOOK)
        return finish_public(reporter) + diagnostics


def _start_public(
    renderer: Renderer,
    site: ValidatedSite,
    built: list[LanguageBuild],
    public: Path,
    options: BuildOptions,
    builder: mkdocs_site.ProjectBuilder,
    work: Path,
) -> Callable[[progress.Reporter], list[Diagnostic]]:
    """Finish the MkDocs project of each language in WORK and submit it; return what finishes
    PUBLIC."""
    public.mkdir()
    rendered = [language.public for language in built]
    links = site_links(site, rendered)
    started = []
    for language in built:
        project = mkdocs_site.write_project(
            language.public,
            work / PUBLIC_PROJECTS / language.public.language.segment,
            public / language.public.language.segment,
            site_root=site.root,
            labels=language.public.labels,
            strict=options.strict,
            links=links,
            json_ld={
                path: zlib.decompress(data).decode() for path, data in language.json_ld.items()
            },
            bodies_written=True,
        )
        submitted = builder.submit(project, publish.PUBLIC, len(language.public.pages))
        started.append((language, project, submitted))

    def finish(reporter: progress.Reporter) -> list[Diagnostic]:
        diagnostics: list[Diagnostic] = []
        for language, project, done in started:
            diagnostics += done()
            posters = work / POSTERS / language.public.language.segment
            diagnostics += _after_mkdocs(posters, project)
        reporter.finish(progress.MKDOCS_PUBLIC)
        reporter.start(progress.EXPORTS)
        written = 0
        for language, project, _done in started:
            written += _write_exports(project.site_dir, language.exports)
        reporter.finish(progress.EXPORTS, files=written)
        return _root_pages(renderer, site, rendered, public, links, diagnostics)

    return finish


def _after_mkdocs(posters: Path, project: mkdocs_site.Project) -> list[Diagnostic]:
    """Add what MkDocs does not make to a language's built site: posters (written into the
    folder POSTERS as the language was rendered), selector links."""
    diagnostics: list[Diagnostic] = []
    diagnostics += mkdocs_site.adapt_language_selector(project.site_dir)
    _move_files(posters, project.site_dir)
    for name in sitemap.LANGUAGE_SITEMAPS:
        (project.site_dir / name).unlink(missing_ok=True)
    # The first language is built, the others not yet: a half-made staging folder.
    publish.checkpoint("mkdocs")
    return diagnostics


def _move_files(source: Path, target: Path) -> None:
    """Move every file under SOURCE to the same place under TARGET (none if SOURCE is missing)."""
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, destination)


def _exports(edition: Edition, options: BuildOptions, cache: BuildCache | None) -> dict[str, bytes]:
    """Return a language's JSON and iCalendar exports for importers, by relative path."""
    return exports.site_exports(
        edition.extra["site"],
        edition.language,
        options.today,
        cache,
        edition.extra["translation"].sources,
    )


def _write_exports(site_dir: Path, files: dict[str, bytes]) -> int:
    """Write a language's exports (compressed) into its built site; return how many files."""
    # After MkDocs, which empties its output folder.
    for relative, content in files.items():
        target = site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(zlib.decompress(content))
    return len(files)


def _pack(data: bytes) -> bytes:
    """Return DATA compressed, quickly: it is kept only until it is written."""
    return zlib.compress(data, 1)


def _root_pages(
    renderer: Renderer,
    site: ValidatedSite,
    rendered: list[RenderedLanguage],
    public: Path,
    links: mkdocs_site.SiteLinks,
    diagnostics: list[Diagnostic],
) -> list[Diagnostic]:
    """Write the root page that chooses a language, the sitemap and robots.txt into PUBLIC."""
    try:
        index = renderer.render_fragment(
            "shared/language_index.html.j2",
            {
                "site": site.config,
                "editions": [r.language for r in rendered],
                "default": languages.BY_CODE[site.config.source_language],
                "footer": rendered[0].footer_html if rendered else "",
                "base": links.base_url,
                # The root stands for the home pages: it names those that are translated.
                "alternates": links.translated.get("index.md", ()),
            },
        )
    except TemplateFailure as failure:
        return [*diagnostics, failure.diagnostic]
    (public / "index.html").write_text(index, encoding="utf-8")
    pages = [page.path for page in rendered[0].pages] if rendered else []
    (public / "sitemap.xml").write_text(sitemap.sitemap_xml(links, pages), encoding="utf-8")
    (public / "robots.txt").write_text(sitemap.robots_txt(links.base_url), encoding="utf-8")
    return diagnostics


def _json_ld(
    renderer: Renderer, edition: Edition, links: mkdocs_site.SiteLinks, today: dt.date
) -> dict[str, str]:
    """Return the JSON-LD of the charter pages of one language, by page path."""
    return structured.charter_pages_json_ld(
        edition.config,
        edition.charters,
        today,
        lambda path: mkdocs_site.page_address(links, edition.language, path),
        renderer.store("public", edition, stage=structured.JSON_LD_STAGE),
    )


def site_links(site: ValidatedSite, rendered: list[RenderedLanguage]) -> mkdocs_site.SiteLinks:
    """Return how pages link to their translations: a page is a translation where no text of
    it falls back to the source language."""
    translated: dict[str, list[languages.Language]] = {}
    for language in rendered:
        for page in language.pages:
            if not page.foreign_languages:
                translated.setdefault(page.path, []).append(language.language)
    return mkdocs_site.SiteLinks(
        base_url=site.config.base_url.rstrip("/") + "/",
        languages=tuple(r.language for r in rendered),
        translated={path: tuple(found) for path, found in translated.items()},
        default=languages.BY_CODE[site.config.source_language],
    )


def _finish(diagnostics: list[Diagnostic], options: BuildOptions) -> list[Diagnostic]:
    return strictly(diagnostics) if options.strict else diagnostics
