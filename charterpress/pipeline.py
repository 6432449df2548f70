"""The build: load -> validate -> resolve languages -> render -> build -> publish.

Each stage returns its diagnostics as values. Nothing is written to the output folder unless
every stage succeeded: MkDocs builds into a fresh folder beside it, which replaces the old output
in one step (see publish.py).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import (
    exports,
    handbook,
    languages,
    mkdocs_site,
    progress,
    publish,
    renderkeys,
    sitemap,
    structured,
)
from .cache import CACHE_DIR, BuildCache
from .diagnostics import Diagnostic, Level, error, has_errors
from .load import load_sources, paused_gc
from .lock import OutputBusy
from .render import Edition, RenderedLanguage, Renderer, TemplateFailure
from .validate import ValidatedSite, validate_sources


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
    from . import i18n

    translated, problems = i18n.translate_languages(site, cache)
    editions = [
        Edition(
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
        for language, version, report in translated
    ]
    return editions, problems


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


def strictly(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Under --strict, turn every warning into an error."""
    return [replace(d, level=Level.ERROR) if d.level is Level.WARNING else d for d in diagnostics]


def build_site(options: BuildOptions, reporter: progress.Reporter = progress.SILENT) -> BuildResult:
    """Run every stage; replace the output folder only if all of them succeeded."""
    reporter.start(progress.LOAD)
    with paused_gc():
        sources, diagnostics = load_sources(options.site)
    files = [sources.config] if sources.config else []
    reporter.finish(
        progress.LOAD, files=len(files + sources.charters + sources.procedures + sources.results)
    )
    reporter.start(progress.VALIDATE)
    with paused_gc():
        outcome = validate_sources(sources, options.today)
    diagnostics += outcome.diagnostics
    if outcome.site is None or has_errors(diagnostics):
        reporter.finish(progress.VALIDATE, detail="problems found")
        return BuildResult(None, _finish(diagnostics, options))
    site = with_base_url(outcome.site, options.base_url)
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

    # Opened before rendering: pages, as well as MkDocs builds, come from it.
    cache = BuildCache.open(site.root / CACHE_DIR if options.cache else None)
    renderer = Renderer(site.root, cache)
    reporter.start(progress.LANGUAGES)
    editions, problems = resolve_languages(site, options.today, cache)
    diagnostics += problems
    codes = ", ".join(e.language.code for e in editions)
    reporter.finish(progress.LANGUAGES, detail=codes, languages=len(editions))
    reporter.start(progress.RENDER)
    rendered, problems = render_editions(renderer, editions, site)
    diagnostics += problems
    pages = sum(len(r.pages) for r in rendered)
    reporter.finish(progress.RENDER, languages=len(rendered), pages=pages)
    if has_errors(diagnostics):
        return BuildResult(None, _finish(diagnostics, options))
    publish.checkpoint("rendered")
    # A public site and a handbook per language.
    reporter.expect_builds(2 * len(rendered), pages)

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
            renderer, site, rendered, staging, options, editions, cache, reporter
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
        publish.discard(staging)
    return BuildResult(out, diagnostics, [r.language.code for r in rendered], cache.stats)


def _build_both(
    renderer: Renderer,
    site: ValidatedSite,
    rendered: list[RenderedLanguage],
    staging: Path,
    options: BuildOptions,
    editions: list[Edition],
    cache: BuildCache,
    reporter: progress.Reporter = progress.SILENT,
) -> list[Diagnostic]:
    """Build the public site and the handbook into STAGING, their MkDocs projects in a pool.

    The public projects are submitted first; the handbook is rendered while they build. The
    two sites' stage lines overlap in time: each counts from its first project to its last.
    """

    def on_built(kind: str, segment: str, pages: int) -> None:
        reporter.edition_built(kind, segment, pages)
        if options.on_built is not None:
            options.on_built(kind, segment, pages)

    with (
        mkdocs_site.ProjectBuilder(options.today, options.jobs, on_built, cache) as builder,
        tempfile.TemporaryDirectory(prefix="charterpress-mkdocs-") as work,
    ):
        reporter.start(progress.MKDOCS_PUBLIC)
        finish_public = _start_public(
            renderer,
            site,
            rendered,
            staging / publish.PUBLIC,
            options,
            editions,
            builder,
            Path(work),
            cache,
        )
        reporter.start(progress.MKDOCS_HANDBOOK)
        diagnostics = handbook.build_handbook(
            renderer,
            site,
            [e for e in editions if e.language in {r.language for r in rendered}],
            staging / publish.HANDBOOK,
            today=options.today,
            strict=options.strict,
            builder=builder,
        )
        reporter.finish(progress.MKDOCS_HANDBOOK)
        return finish_public(reporter) + diagnostics


def _start_public(
    renderer: Renderer,
    site: ValidatedSite,
    rendered: list[RenderedLanguage],
    public: Path,
    options: BuildOptions,
    editions: list[Edition],
    builder: mkdocs_site.ProjectBuilder,
    work: Path,
    cache: BuildCache | None = None,
) -> Callable[[progress.Reporter], list[Diagnostic]]:
    """Write one MkDocs project per language and submit it; return what finishes PUBLIC."""
    public.mkdir()
    links = site_links(site, rendered)
    by_language = {edition.language: edition for edition in editions}
    started = []
    for language in rendered:
        project = mkdocs_site.write_project(
            language,
            work / language.language.segment,
            public / language.language.segment,
            site_root=site.root,
            labels=language.labels,
            strict=options.strict,
            links=links,
            json_ld=_json_ld(renderer, by_language[language.language], links, options.today),
        )
        submitted = builder.submit(project, publish.PUBLIC, len(language.pages))
        started.append((language, project, submitted))

    def finish(reporter: progress.Reporter) -> list[Diagnostic]:
        diagnostics: list[Diagnostic] = []
        for language, project, built in started:
            diagnostics += built()
            diagnostics += _after_mkdocs(language, project)
        reporter.finish(progress.MKDOCS_PUBLIC)
        reporter.start(progress.EXPORTS)
        written = 0
        for language, project, _built in started:
            written += _write_exports(
                project.site_dir, by_language[language.language], options, cache
            )
        reporter.finish(progress.EXPORTS, files=written)
        return _root_pages(renderer, site, rendered, public, links, diagnostics)

    return finish


def _after_mkdocs(language: RenderedLanguage, project: mkdocs_site.Project) -> list[Diagnostic]:
    """Add what MkDocs does not make to a language's built site: posters, selector links."""
    diagnostics: list[Diagnostic] = []
    diagnostics += mkdocs_site.adapt_language_selector(project.site_dir)
    for poster in language.posters:
        target = project.site_dir / poster.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(poster.html, encoding="utf-8")
    for name in sitemap.LANGUAGE_SITEMAPS:
        (project.site_dir / name).unlink(missing_ok=True)
    # The first language is built, the others not yet: a half-made staging folder.
    publish.checkpoint("mkdocs")
    return diagnostics


def _write_exports(
    site_dir: Path, edition: Edition, options: BuildOptions, cache: BuildCache | None = None
) -> int:
    """Write a language's JSON and iCalendar exports for importers; return how many files."""
    # After MkDocs, which empties its output folder.
    written = 0
    for relative, content in exports.site_exports(
        edition.extra["site"],
        edition.language,
        options.today,
        cache,
        edition.extra["translation"].sources,
    ).items():
        target = site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    return written


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
