"""The example's staff handbook, as built, in a real browser and through the checks of checks.py.

The same checks as the public site's (test_site.py) on <out>/handbook/, in every language. To
stay lean, the whole module shares one loopback server and one browser tab (one context): every
page is loaded once for the load check and laid out at 360 px; axe runs on one page of each type
in each language at desktop width, in both palettes in PALETTE_LANGUAGE, and on each type once
at 360 px; the language selector is followed once from each language.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
import pytest
import yaml

from tests.conftest import REPO

from .browser import PageLog, serve_folder, watch_page
from .checks import (
    axe_violations,
    check_links,
    follow_language_link,
    foreign_urls,
    horizontal_overflow,
    set_palette,
    wider_than_viewport,
)
from .sitepages import (
    ARTIFACTS,
    DESKTOP,
    PHONE_WIDTH,
    SEGMENT_OF,
    SitePage,
    drain,
    findings,
    language_folders,
    one_of_each_kind,
    site_pages,
    unexplained_vendor_requests,
    url_of,
    visit,
)

# The one language in which every page type is also checked in the dark palette.
PALETTE_LANGUAGE = "en"
PROCEDURE = "procedures/*"
# A language's folder -> its BCP 47 tag, as the selector's hreflang gives it.
HREFLANG_OF = {segment: tag for tag, segment in SEGMENT_OF.items()}


@pytest.fixture(scope="module")
def handbook(site_output: Path) -> Path:
    """Return the built handbook."""
    folder = site_output / "handbook"
    assert (folder / "index.html").is_file(), f"no handbook at {folder}"
    return folder


@pytest.fixture(scope="module")
def pages(handbook: Path) -> list[SitePage]:
    """Return every page of the handbook, typed by section (procedures/*, charters/*...)."""
    return site_pages(handbook, sections=True)


@pytest.fixture(scope="module")
def served(handbook: Path) -> Iterator[str]:
    """Serve the handbook on 127.0.0.1 for the whole module; yield its base URL."""
    with serve_folder(handbook) as base:
        yield base


@pytest.fixture(scope="module")
def shared_tab(browser: Any) -> Iterator[tuple[Any, PageLog]]:
    """Open the module's one tab; requests off the machine are blocked and recorded."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log = watch_page(page)
    try:
        yield page, log
    finally:
        context.close()


@pytest.fixture
def tab(shared_tab: tuple[Any, PageLog]) -> tuple[Any, PageLog]:
    """Return the module's tab at desktop size, with nothing left in its log by a former test."""
    page, log = shared_tab
    page.set_viewport_size(DESKTOP)
    drain(log)
    return page, log


def procedure_pages(pages: list[SitePage]) -> dict[str, SitePage]:
    """Return the first procedure page of each language, by language folder."""
    chosen: dict[str, SitePage] = {}
    for page in pages:
        if page.kind == PROCEDURE:
            chosen.setdefault(page.language, page)
    return chosen


def test_handbook_has_every_page_type_in_every_language(
    handbook: Path, pages: list[SitePage]
) -> None:
    # Otherwise the checks below, which look at what the build holds, could pass on less.
    folders = language_folders(handbook)
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    assert folders == sorted(SEGMENT_OF[str(code)] for code in config["languages"])
    kinds = {folder: {p.kind for p in pages if p.language == folder} for folder in folders}
    expected = {"home", "charters/*", PROCEDURE, "quick-reference", "reviews", "team"}
    assert kinds == dict.fromkeys(folders, expected)
    # Its 404 page would name its assets from the host's root, which the build cannot know.
    assert not list(handbook.glob("*/404.html"))


def test_every_handbook_page_loads_cleanly_and_fits_a_phone(
    pages: list[SitePage], served: str, tab: tuple[Any, PageLog]
) -> None:
    page, log = tab
    problems = []
    for site_page in pages:
        page.set_viewport_size(DESKTOP)
        problem = visit(page, url_of(served, site_page))
        found = ([problem] if problem else []) + drain(log)
        if not site_page.redirects and horizontal_overflow(page, PHONE_WIDTH):
            wide = ", ".join(wider_than_viewport(page))
            found.append(f"wider than {PHONE_WIDTH} px: {wide}")
        problems += [f"{site_page.path}: {item}" for item in found]
    assert len(pages) > 6 * len({p.language for p in pages if p.language})
    assert not problems, findings(problems)


def test_handbook_pages_have_no_wcag_a_or_aa_violation(
    handbook: Path, pages: list[SitePage], served: str, tab: tuple[Any, PageLog]
) -> None:
    page, log = tab
    # Every page type in every language at desktop width, in both palettes in PALETTE_LANGUAGE;
    # at 360 px each page type once, the types dealt round the languages (a phone's layout is
    # the same in every language; the words that might not fit differ, and each language
    # shows some of them).
    languages = ["", *language_folders(handbook)]  # "": the root page, which lists them
    chosen = [(language, p) for language in languages for p in one_of_each_kind(pages, language)]
    having: dict[str, list[str]] = {}
    for language, site_page in chosen:
        having.setdefault(site_page.kind, []).append(language)
    phone_language = {
        kind: found[n % len(found)] for n, (kind, found) in enumerate(sorted(having.items()))
    }
    seen: dict[str, list[str]] = {}  # a fault seen in several settings is one finding
    for language, site_page in chosen:
        visit(page, url_of(served, site_page), quiet=False)
        settings = [(DESKTOP["width"], "default")]
        if language == PALETTE_LANGUAGE:
            settings.append((DESKTOP["width"], "slate"))
        if phone_language[site_page.kind] == language:
            settings.append((PHONE_WIDTH, "default"))
        for width, scheme in settings:
            page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
            if language:  # the root page is plain HTML, without Material's palettes
                set_palette(page, scheme)
            for line in axe_violations(page):
                seen.setdefault(f"{site_page.path}: {line}", []).append(f"{width} px {scheme}")
        page.set_viewport_size(DESKTOP)
    drain(log)
    assert len(chosen) == 1 + 6 * (len(languages) - 1)
    problems = [f"{finding} [{', '.join(where)}]" for finding, where in seen.items()]
    assert not problems, findings(problems)


def test_handbook_links_and_anchors_resolve(handbook: Path) -> None:
    problems = check_links(handbook)
    assert not problems, findings(problems)


def test_handbook_fetches_nothing_from_another_host(handbook: Path) -> None:
    problems = unexplained_vendor_requests(foreign_urls(handbook))
    assert not problems, findings(problems)


def test_nu_checker_finds_no_error_in_the_handbook(nu_report: dict[str, list[str]]) -> None:
    # One run of the checker over both sites (conftest.nu_report): one JVM start, not two.
    problems = nu_report.get("handbook", [])
    assert not problems, findings(problems)


def test_every_handbook_language_link_leads_to_the_same_page(
    handbook: Path, pages: list[SitePage]
) -> None:
    # Every link of every selector, read from the built pages: the browser test below follows
    # one link per language.
    hreflangs = sorted(HREFLANG_OF[folder] for folder in language_folders(handbook))
    problems = []
    for site_page in pages:
        if not site_page.language:
            continue  # the root page, a plain list of the languages
        inner = site_page.path.removeprefix(site_page.language + "/").removesuffix("index.html")
        tree = lxml.html.fromstring((handbook / site_page.path).read_bytes())
        links = {
            str(link.get("hreflang")): str(link.get("href"))
            for link in tree.xpath("//a[contains(@class, 'md-select__link')]")
        }
        if sorted(links) != hreflangs:
            problems.append(f"{site_page.path}: the selector offers {sorted(links)}")
        for hreflang, href in links.items():
            target = urljoin(f"/{site_page.path}", href).removeprefix("/")
            expected = f"{SEGMENT_OF[hreflang]}/{inner}"
            if target != expected:
                problems.append(f"{site_page.path}: {hreflang} leads to {target}, not {expected}")
    assert not problems, findings(problems)


def test_handbook_language_selector_keeps_the_reader_on_the_same_procedure(
    handbook: Path, pages: list[SitePage], served: str, tab: tuple[Any, PageLog]
) -> None:
    page, log = tab
    chosen = procedure_pages(pages)
    assert sorted(chosen) == language_folders(handbook)
    # A reader goes round every language from a procedure page, each switch from the page the
    # last one landed on: each language is left once and reached once.
    languages = [HREFLANG_OF[folder] for folder in sorted(chosen)]
    start = chosen[SEGMENT_OF[languages[0]]]
    inner = start.path.removeprefix(start.language + "/").removesuffix("index.html")
    visit(page, url_of(served, start))
    problems = []
    for hreflang in [*languages[1:], languages[0]]:
        landed = follow_language_link(page, hreflang)
        expected = f"{served}/{SEGMENT_OF[hreflang]}/{inner}"
        if landed != expected:
            problems.append(f"{hreflang} lands on {landed}, not {expected}")
            visit(page, expected)  # go on from where the reader should be
    problems += drain(log)
    assert not problems, findings(problems)


def test_screenshots_of_a_procedure_page_in_each_language(
    pages: list[SitePage], served: str, tab: tuple[Any, PageLog]
) -> None:
    page, _ = tab
    target = ARTIFACTS / "screenshots" / "handbook"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for language, site_page in sorted(procedure_pages(pages).items()):
        visit(page, url_of(served, site_page), quiet=False)
        for label, width in (("desktop", DESKTOP["width"]), ("phone", PHONE_WIDTH)):
            page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
            shot = target / f"{language}-procedure-{label}.png"
            shot.unlink(missing_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            written.append(shot)
    assert len(written) == 2 * len({p.language for p in pages if p.language})
    assert all(shot.stat().st_size > 1000 for shot in written)
