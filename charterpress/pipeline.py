"""The build: load -> validate -> resolve languages -> render -> build -> publish.

Each stage returns its diagnostics as values. Nothing is written to the output folder unless
every stage succeeded: MkDocs builds into a fresh folder beside it, which replaces the old output
in one step (see publish.py).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import languages, mkdocs_site, publish
from .diagnostics import Diagnostic, Level, error, has_errors
from .render import Edition, RenderedLanguage, Renderer, TemplateFailure
from .validate import ValidatedSite, validate_site


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    site: Path
    today: dt.date
    out: Path | None = None  # default: the site's output_dir
    strict: bool = False


@dataclass
class BuildResult:
    """What a build produced: the output folder (None if nothing was written) and diagnostics."""

    out: Path | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the build succeeded and the output was replaced."""
        return self.out is not None and not has_errors(self.diagnostics)


def output_folder(site: ValidatedSite, out: Path | None) -> Path:
    """Return --out, else the configured output folder relative to the site folder."""
    return out if out is not None else site.root / site.config.output_dir


def resolve_languages(site: ValidatedSite, today: dt.date) -> list[Edition]:
    """Return the languages to publish, each with its texts and UI translations.

    Only the source language is published for now; the translation stage adds the others,
    with their texts translated or marked as fallbacks (ForeignText).
    """
    from .i18n import ui_translations

    language = languages.BY_CODE[site.config.source_language]
    charters = {key: source.charter for key, source in sorted(site.charters.items())}
    results: dict[str, list[Any]] = {}
    for source in sorted(site.results, key=lambda r: (r.charter_id, r.period.start)):
        results.setdefault(source.charter_id, []).append(source)
    return [
        Edition(
            language=language,
            config=site.config,
            charters=charters,
            translations=ui_translations(language.gettext),
            today=today,
            extra={"results": results},
        )
    ]


def render_editions(
    renderer: Renderer, editions: list[Edition]
) -> tuple[list[RenderedLanguage], list[Diagnostic]]:
    """Render every language; report every failing template of every language."""
    rendered: list[RenderedLanguage] = []
    diagnostics: list[Diagnostic] = []
    for edition in editions:
        result, problems = renderer.render_edition(edition)
        diagnostics += problems
        if result is not None:
            rendered.append(result)
    return rendered, diagnostics


def strictly(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Under --strict, turn every warning into an error."""
    return [replace(d, level=Level.ERROR) if d.level is Level.WARNING else d for d in diagnostics]


def build_site(options: BuildOptions) -> BuildResult:
    """Run every stage; replace the output folder only if all of them succeeded."""
    outcome = validate_site(options.site, options.today)
    diagnostics = list(outcome.diagnostics)
    if outcome.site is None or has_errors(diagnostics):
        return BuildResult(None, _finish(diagnostics, options))
    site = outcome.site
    out = output_folder(site, options.out)
    refusal = publish.check_output(out)
    if refusal is not None:
        return BuildResult(None, _finish([*diagnostics, refusal], options))

    renderer = Renderer(site.root)
    editions = resolve_languages(site, options.today)
    rendered, problems = render_editions(renderer, editions)
    diagnostics += problems
    if has_errors(diagnostics):
        return BuildResult(None, _finish(diagnostics, options))

    try:
        staging = publish.make_staging(out)
    except OSError as exc:
        diagnostics.append(
            error("CP411", f"cannot create a folder beside '{out}': {exc.strerror}", None)
        )
        return BuildResult(None, _finish(diagnostics, options))
    try:
        diagnostics += _build_public(renderer, site, rendered, staging / publish.PUBLIC, options)
        diagnostics = _finish(diagnostics, options)
        if has_errors(diagnostics):
            return BuildResult(None, diagnostics)
        try:
            publish.swap_in(staging, out)
        except OSError as exc:
            diagnostics.append(error("CP411", f"cannot replace '{out}': {exc.strerror}", None))
            return BuildResult(None, diagnostics)
    finally:
        publish.discard(staging)
    return BuildResult(out, diagnostics, [r.language.code for r in rendered])


def _build_public(
    renderer: Renderer,
    site: ValidatedSite,
    rendered: list[RenderedLanguage],
    public: Path,
    options: BuildOptions,
) -> list[Diagnostic]:
    """Write and build one MkDocs project per language into PUBLIC, plus the root page."""
    diagnostics: list[Diagnostic] = []
    public.mkdir()
    with tempfile.TemporaryDirectory(prefix="charterpress-mkdocs-") as work:
        for language in rendered:
            project = mkdocs_site.write_project(
                language,
                Path(work) / language.language.segment,
                public / language.language.segment,
                site_root=site.root,
                labels=language.labels,
                strict=options.strict,
            )
            diagnostics += mkdocs_site.build_project(project, options.today)
    try:
        index = renderer.render_fragment(
            "shared/language_index.html.j2",
            {
                "site": site.config,
                "editions": [r.language for r in rendered],
                "default": languages.BY_CODE[site.config.source_language],
                "footer": rendered[0].footer_html if rendered else "",
            },
        )
    except TemplateFailure as failure:
        return [*diagnostics, failure.diagnostic]
    (public / "index.html").write_text(index, encoding="utf-8")
    return diagnostics


def _finish(diagnostics: list[Diagnostic], options: BuildOptions) -> list[Diagnostic]:
    return strictly(diagnostics) if options.strict else diagnostics
