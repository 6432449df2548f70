"""The internal SOP handbook: the procedures behind every promise, for staff, never public.

The handbook is a second MkDocs + Material site per language, built into <out>/handbook/ in the
same staging folder as the public site, so both are published by the same atomic swap. It is
rendered by the same escaped-by-default Jinja environment as the public pages, from the same
editions (one per published language), and translated through the same content catalogs; unlike
the public site it may show a text in the source language when its translation is missing.

Every page carries ``<meta name="robots" content="noindex,nofollow">`` (the handbook's own Material
override), <out>/handbook/robots.txt disallows everything, and the handbook has no sitemap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from markupsafe import Markup

from . import i18n, languages, mkdocs_site, publish
from .diagnostics import Diagnostic
from .model import (
    Charter,
    Commitment,
    Indicator,
    Owner,
    Procedure,
    Review,
    Role,
    Step,
    TargetVariant,
    Version,
)
from .render import (
    Edition,
    NavItem,
    PageBatch,
    RenderedLanguage,
    Renderer,
    TemplateFailure,
    TrackedMapping,
    TrackedSequence,
    builtin_templates_dir,
    charter_inputs,
    grouped_nav,
)
from .validate import ValidatedSite, overdue_reviews

ROBOTS_TXT = "User-agent: *\nDisallow: /\n"
# Files of MkDocs's output that would list the handbook's pages for a crawler, and its 404 page:
# served at any address, it names its style sheets and scripts from the host's root, and the
# handbook's address on its internal host is not known (a 404 without them shows broken).
DROPPED_FILES = ("sitemap.xml", "sitemap.xml.gz", "404.html")
HANDBOOK_CSS = "assets/handbook.css"
# The handbook's names (site, sections): its top-level {% set %}s.
LABELS_TEMPLATE = "handbook/labels.j2"
# The build cache's stage of the handbook's rendered pages (see render.PageStore).
HANDBOOK_STAGE = "render-handbook"


# ---------------------------------------------------------------------------------------------
# What the pages show, gathered before any template runs


@dataclass(frozen=True)
class Promise:
    """The public promise a step's time limit counts against."""

    charter_id: str
    charter: Charter
    commitment: Commitment
    target: Any  # the Target of the commitment, its variant, or None for the fallback
    variant: TargetVariant | None
    fallback: bool


@dataclass(frozen=True)
class StepView:
    """One numbered step with its role and the promises it serves."""

    number: int
    step: Step
    role: Role
    promises: tuple[Promise, ...]


@dataclass(frozen=True)
class ProcedureView:
    """A procedure as its page shows it: numbered steps, roles by id, promises delivered."""

    id: str
    procedure: Procedure
    roles: Mapping[str, Role]
    steps: tuple[StepView, ...]
    delivers: tuple[Promise, ...]


@dataclass(frozen=True)
class Delivering:
    """A procedure and the steps of it that deliver one commitment."""

    procedure: ProcedureView
    steps: tuple[StepView, ...]
    variant: TargetVariant | None
    fallback: bool


@dataclass(frozen=True)
class CommitmentView:
    """A public commitment with the procedures that deliver it and its indicator."""

    commitment: Commitment
    delivered_by: tuple[Delivering, ...]
    indicator: Indicator | None


@dataclass(frozen=True)
class ReviewRow:
    """One line of the review dashboard."""

    kind: str  # "charter" or "procedure"
    id: str
    title: Any
    owner: Owner
    version: Version | None
    review: Review | None
    overdue: bool


def _promise(delivery: Any, charter_id: str, charter: Charter) -> Promise | None:
    """Return the promise a delivery names, or None if the charter lacks it (validated before)."""
    commitment = next((c for c in charter.commitments if c.id == delivery.commitment), None)
    if commitment is None:
        return None
    variant = _variant(commitment, delivery.variant)
    target: Any = variant.target if variant is not None else commitment.target
    if delivery.fallback:
        target = None
    return Promise(charter_id, charter, commitment, target, variant, delivery.fallback)


def _variant(commitment: Commitment, variant_id: str | None) -> TargetVariant | None:
    """Return the variant of a commitment's target that a delivery names (validated before)."""
    return next((v for v in commitment.variants if v.id == variant_id), None)


def _delivery_steps(delivery: Any, procedure: Procedure) -> list[str]:
    """Return the ids of the steps on a delivery's clock: listed, else every step with a limit."""
    if delivery.steps:
        return list(delivery.steps)
    return [step.id for step in procedure.steps if step.within is not None]


def procedure_view(
    procedure_id: str, procedure: Procedure, charters: Mapping[str, Charter]
) -> ProcedureView:
    """Number a procedure's steps and attach to each the public promises it serves."""
    roles = {role.id: role for role in procedure.roles}
    promises: list[tuple[Promise, list[str]]] = []
    for delivery in procedure.delivers:
        charter = charters.get(delivery.charter)
        promise = _promise(delivery, delivery.charter, charter) if charter is not None else None
        if promise is not None:
            promises.append((promise, _delivery_steps(delivery, procedure)))
    steps = tuple(
        StepView(
            number,
            step,
            roles[step.role],
            tuple(p for p, ids in promises if step.id in ids),
        )
        for number, step in enumerate(procedure.steps, start=1)
    )
    return ProcedureView(procedure_id, procedure, roles, steps, tuple(p for p, _ in promises))


# The procedures that deliver each commitment, by (charter id, commitment id): each with the
# delivery that names it, in the order of the procedures and of their deliveries.
DeliveryIndex = Mapping[tuple[str, str], Sequence[tuple[ProcedureView, Any]]]


def delivery_index(procedures: Sequence[ProcedureView]) -> DeliveryIndex:
    """Return who delivers what, made once: each charter's page asks it about its commitments.

    (Scanning every procedure for every commitment of every charter was quadratic: 2 s of a
    200-charter rebuild.)
    """
    index: dict[tuple[str, str], list[tuple[ProcedureView, Any]]] = {}
    for view in procedures:
        for delivery in view.procedure.delivers:
            index.setdefault((delivery.charter, delivery.commitment), []).append((view, delivery))
    return index


def commitment_views(
    charter_id: str, charter: Charter, delivered: DeliveryIndex
) -> list[CommitmentView]:
    """Return every commitment of a charter with the procedures and steps that deliver it."""
    indicators = {indicator.id: indicator for indicator in charter.indicators}
    views = []
    for commitment in charter.commitments:
        delivering = []
        for view, delivery in delivered.get((charter_id, commitment.id), ()):
            ids = _delivery_steps(delivery, view.procedure)
            steps = tuple(s for s in view.steps if s.step.id in ids)
            variant = _variant(commitment, delivery.variant)
            delivering.append(Delivering(view, steps, variant, delivery.fallback))
        indicator = indicators.get(commitment.indicator) if commitment.indicator else None
        views.append(CommitmentView(commitment, tuple(delivering), indicator))
    return views


def review_rows(
    charters: Mapping[str, Charter], procedures: Mapping[str, Procedure], today: dt.date
) -> list[ReviewRow]:
    """Return the dashboard's rows: every charter, then every procedure, by id."""
    rows = [
        ReviewRow(
            "charter",
            charter_id,
            charter.title,
            charter.owner,
            charter.version_on(today),
            charter.review,
            charter.review is not None and charter.review.next < today,
        )
        for charter_id, charter in sorted(charters.items())
    ]
    rows += [
        ReviewRow(
            "procedure",
            procedure_id,
            procedure.title,
            procedure.owner,
            procedure.version,
            procedure.review,
            procedure.review.next < today,
        )
        for procedure_id, procedure in sorted(procedures.items())
    ]
    return rows


# ---------------------------------------------------------------------------------------------
# Translation: the same catalogs as the public site, with fallbacks allowed


def _translated_site(edition: Edition) -> ValidatedSite | None:
    """Return the site an edition was translated into (pipeline.resolve_languages), if any."""
    # The translation stage has translated the procedures already (translate_model with the
    # same catalog): reusing them spares parsing every catalog a second time.
    found = edition.extra.get("site")
    return found if isinstance(found, ValidatedSite) else None


def translated_procedures(
    site: ValidatedSite, language: languages.Language, catalogs: Mapping[str, Catalog]
) -> dict[str, Procedure]:
    """Return every procedure in LANGUAGE; a missing translation shows the source text."""
    source = languages.BY_CODE[site.config.source_language]
    if language == source:
        return {key: s.procedure for key, s in sorted(site.procedures.items())}
    catalog = catalogs.get(language.gettext)
    # Fallbacks are allowed in the handbook, so the report is not turned into diagnostics; the
    # status report (`i18n status`) counts the handbook's texts separately.
    report = i18n.TranslationReport(language)
    return {
        key: i18n.translate_model(s.procedure, s.document, catalog, source, language, report)
        for key, s in sorted(site.procedures.items())
    }


# ---------------------------------------------------------------------------------------------
# Rendering


def render_handbook(
    renderer: Renderer,
    edition: Edition,
    procedures: Mapping[str, Procedure],
) -> tuple[RenderedLanguage | None, list[Diagnostic]]:
    """Render every handbook page of one language; report every failing template."""
    renderer.use_language(edition)
    store = renderer.store(publish.HANDBOOK, edition, stage=HANDBOOK_STAGE)
    batch = PageBatch(renderer, store)
    diagnostics = batch.diagnostics
    charters = dict(edition.charters)
    views = [procedure_view(key, p, charters) for key, p in sorted(procedures.items())]
    results = edition.extra.get("results", {})
    base = {
        "site": edition.config,
        "language": edition.language,
        "locale": edition.language.gettext,
        "today": edition.today,
        # Site-wide values: a page that reads them is keyed by every source (render.PageStore).
        "charters": TrackedMapping("charters", charters),
        "procedures": TrackedSequence("procedures", views),
    }

    def add(
        template: str, path: str, context: Mapping[str, Any], own: tuple[str, ...] = ()
    ) -> NavItem | None:
        page = batch.render(template, path, context, own)
        return NavItem(page.title, page.path) if page is not None else None

    def procedure_inputs(view: ProcedureView) -> tuple[str, ...]:
        # The procedure's file and those of the charters it delivers, which its view holds.
        return (view.id, store.keys.procedures.get(view.id, "none")) if store else ()

    home = add("handbook/home.md.j2", "index.md", base)
    procedure_items = [
        add(
            "handbook/procedure.md.j2",
            f"procedures/{view.id}.md",
            {**base, "view": view},
            procedure_inputs(view),
        )
        for view in views
    ]
    charter_items = []
    delivered = delivery_index(views)
    for key, charter in sorted(charters.items()):
        commitments = commitment_views(key, charter, delivered)
        # The charter, its results, and the procedures that deliver it (with their charters).
        delivering = sorted({d.procedure.id for c in commitments for d in c.delivered_by})
        own = charter_inputs(store.keys if store else None, key)
        for view in views:
            if view.id in delivering:
                own += procedure_inputs(view)
        context = {
            **base,
            "charter_id": key,
            "charter": charter,
            "commitments": commitments,
            "results": results.get(key, ()),
        }
        charter_items.append(add("handbook/charter.md.j2", f"charters/{key}.md", context, own))
    quick = add("handbook/quick_reference.md.j2", "quick-reference.md", base)
    team = add("handbook/team.md.j2", "team.md", base)
    # Made from every charter and procedure: a read of it is a site-wide read.
    rows = TrackedSequence("rows", review_rows(charters, procedures, edition.today))
    dashboard = add("handbook/reviews.md.j2", "reviews.md", {**base, "rows": rows})
    footer = Markup("")
    labels: dict[str, str] = {}
    try:
        footer = renderer.render_fragment("handbook/footer.html.j2", base)
        # The theme's labels, then the handbook's names (site, sections).
        labels = {**renderer.render_labels(base), **renderer.render_labels(base, LABELS_TEMPLATE)}
    except TemplateFailure as failure:
        diagnostics.append(failure.diagnostic)
    if diagnostics:
        return None, diagnostics
    nav: list[NavItem | None] = [
        home,
        dashboard,
        NavItem(Markup(labels["procedures"]), None, grouped_nav([i for i in procedure_items if i])),
        NavItem(Markup(labels["charters"]), None, grouped_nav([i for i in charter_items if i])),
        quick,
        team,
    ]
    rendered = RenderedLanguage(
        language=edition.language,
        site_name=Markup(labels["handbook_name"]),
        pages=tuple(batch.pages),
        nav=tuple(item for item in nav if item is not None),
        footer_html=footer,
        config=edition.config,
        labels=labels,
    )
    return rendered, diagnostics


# ---------------------------------------------------------------------------------------------
# Building: one MkDocs project per language into <staging>/handbook/<segment>/


def build_handbook(
    renderer: Renderer,
    site: ValidatedSite,
    editions: Sequence[Edition],
    handbook: Path,
    *,
    today: dt.date,
    strict: bool,
    builder: mkdocs_site.ProjectBuilder | None = None,
) -> list[Diagnostic]:
    """Render and build the handbook of every edition's language into HANDBOOK.

    BUILDER runs the MkDocs builds (in a pool shared with the public site); by default they
    run one after another in this process.
    """
    diagnostics = overdue_reviews(site, today)
    catalogs: Mapping[str, Catalog] = {}
    source = languages.BY_CODE[site.config.source_language]
    if any(e.language != source and _translated_site(e) is None for e in editions):
        # An unreadable catalog is reported by the public site's translation stage.
        catalogs, _problems = i18n.load_content_catalogs(site)
    rendered: list[RenderedLanguage] = []
    for edition in editions:
        result, problems = render_language(renderer, site, edition, catalogs)
        diagnostics += problems
        if result is not None:
            rendered.append(result)
    if len(rendered) != len(editions):
        return diagnostics
    return write_handbook(
        renderer, site, rendered, handbook, diagnostics, today=today, strict=strict, builder=builder
    )


def render_language(
    renderer: Renderer,
    site: ValidatedSite,
    edition: Edition,
    catalogs: Mapping[str, Catalog] | None = None,
) -> tuple[RenderedLanguage | None, list[Diagnostic]]:
    """Render the handbook of one edition: its procedures translated, or from CATALOGS."""
    translated = _translated_site(edition)
    procedures = (
        {key: s.procedure for key, s in sorted(translated.procedures.items())}
        if translated is not None
        else translated_procedures(site, edition.language, catalogs or {})
    )
    return render_handbook(renderer, edition, procedures)


def write_handbook(
    renderer: Renderer,
    site: ValidatedSite,
    rendered: Sequence[RenderedLanguage],
    handbook: Path,
    diagnostics: list[Diagnostic],
    *,
    today: dt.date,
    strict: bool,
    builder: mkdocs_site.ProjectBuilder | None = None,
    bodies: Path | None = None,
) -> list[Diagnostic]:
    """Build the rendered handbook of every language into HANDBOOK; add to DIAGNOSTICS.

    BODIES: the folder of the projects (one per language segment) into which the pages'
    Markdown was written as each language was rendered (mkdocs_site.write_page_bodies); by
    default the pages carry their Markdown and the projects go to a temporary folder.
    """
    source = languages.BY_CODE[site.config.source_language]
    handbook.mkdir()
    with (
        contextlib.nullcontext(builder)
        if builder
        else mkdocs_site.ProjectBuilder(today, 1) as pool,
        publish.temporary_folder("charterpress-handbook-")
        if bodies is None
        else contextlib.nullcontext(Path(bodies)) as work,
    ):
        started = []
        for language in rendered:
            segment = language.language.segment
            project = write_project(
                language,
                Path(work) / segment,
                handbook / segment,
                site_root=site.root,
                editions=[r.language for r in rendered],
                strict=strict,
                bodies_written=bodies is not None,
            )
            started.append((segment, pool.submit(project, publish.HANDBOOK, len(language.pages))))
        for segment, built in started:
            diagnostics += built()
            if (handbook / segment).is_dir():
                # The language selector's links lead to each language's home page as they are.
                diagnostics += mkdocs_site.adapt_language_selector(handbook / segment)
            for name in DROPPED_FILES:
                (handbook / segment / name).unlink(missing_ok=True)
    try:
        index = renderer.render_fragment(
            "handbook/language_index.html.j2",
            {
                "site": site.config,
                "editions": [r.language for r in rendered],
                "default": source,
                "name": rendered[0].site_name if rendered else "",
            },
        )
    except TemplateFailure as failure:
        return [*diagnostics, failure.diagnostic]
    (handbook / "index.html").write_text(index, encoding="utf-8")
    (handbook / "robots.txt").write_text(ROBOTS_TXT, encoding="utf-8")
    return diagnostics


def write_project(
    rendered: RenderedLanguage,
    project_dir: Path,
    site_dir: Path,
    *,
    site_root: Path,
    editions: Sequence[languages.Language],
    strict: bool,
    bodies_written: bool = False,
) -> mkdocs_site.Project:
    """Write a handbook project: the public project's frame, the handbook's override and CSS.

    BODIES_WRITTEN: as for mkdocs_site.write_project.
    """
    project = mkdocs_site.write_project(
        rendered,
        project_dir,
        site_dir,
        site_root=site_root,
        labels=rendered.labels,
        strict=strict,
        bodies_written=bodies_written,
    )
    # The handbook's own page frame replaces the public one: noindex, and none of the public
    # site's links to other languages or structured data.
    overrides = handbook_templates_dir() / "mkdocs"
    shutil.copyfile(overrides / "main.html", project_dir / mkdocs_site.OVERRIDES / "main.html")
    # The language selector leads to the same page in the other language.
    shutil.copytree(
        overrides / "partials",
        project_dir / mkdocs_site.OVERRIDES / "partials",
        dirs_exist_ok=True,
    )
    css = project_dir / mkdocs_site.DOCS / HANDBOOK_CSS
    shutil.copyfile(overrides / "handbook.css", css)
    config = yaml.load(
        project.config_file.read_text(encoding="utf-8"), Loader=mkdocs_site.YAML_LOADER
    )
    # Internal pages have no canonical public address.
    config.pop("site_url", None)
    config["extra_css"] = [*config.get("extra_css", []), HANDBOOK_CSS]
    extra = config.setdefault("extra", {})
    extra.pop("alternate", None)
    if len(editions) > 1:
        extra["alternate"] = [
            {"name": language.name, "link": f"../{language.segment}/", "lang": language.bcp47}
            for language in editions
        ]
    project.config_file.write_text(mkdocs_site.dump_yaml(config, sort_keys=False), encoding="utf-8")
    return project


def handbook_templates_dir() -> Path:
    """Return the folder of the handbook's built-in templates."""
    return builtin_templates_dir() / "handbook"


# ---------------------------------------------------------------------------------------------
# Serving: the public site at /, the handbook at /handbook/

HANDBOOK_URL = "/" + publish.HANDBOOK


def serving_class(base: Any) -> Any:
    """Return a subclass of MkDocs's LiveReloadServer that serves a whole output folder.

    Its root is <out>: /handbook/... is served from <out>/handbook/, everything else from
    <out>/public/, so the public site keeps its addresses.
    """

    class OutputServer(base):  # type: ignore[misc]
        """Serve <out>/public/ at / and <out>/handbook/ at /handbook/."""

        def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Any:
            path = str(environ["PATH_INFO"])
            if path.startswith("/livereload/") or path.startswith(HANDBOOK_URL + "/"):
                return super()._serve_request(environ, start_response)
            if path == HANDBOOK_URL:
                start_response("302 Found", [("Location", HANDBOOK_URL + "/")])
                return []
            folder = Path(self.root, publish.PUBLIC, path.lstrip("/"))
            if not path.endswith("/") and folder.is_dir():
                # Redirected here, since the parent class would redirect to the /public/ address.
                decoded = path.encode("latin-1").decode("utf-8", "ignore")
                start_response("302 Found", [("Location", urllib.parse.quote(decoded) + "/")])
                return []
            moved = {**environ, "PATH_INFO": f"/{publish.PUBLIC}{path}"}
            return super()._serve_request(moved, start_response)

    return OutputServer
