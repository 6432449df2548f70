"""The example's public site, as built, in a real browser and through the checks of checks.py.

The site comes from the session's one build of the example (`site_output`, tests/e2e/conftest.py;
CHARTERPRESS_BUILT_EXAMPLE=DIR checks a build made beforehand). Pages are found in the build,
never listed by hand (sitepages.py); each test visits them in a loop, with the session's one
Chromium, so that a new page costs a navigation and not a browser.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml
from pypdf import PdfReader

from charterpress import publish
from charterpress.languages import LANGUAGES
from tests.conftest import REPO

from .browser import PageLog, serve_as, serve_folder, watch_page
from .checks import (
    axe_violations,
    check_links,
    follow_language_link,
    foreign_urls,
    horizontal_overflow,
    links_to_folder,
    no_links_into,
    open_with_selector,
    search_first_result,
    set_palette,
    wider_than_viewport,
)
from .sitepages import (
    ARTIFACTS,
    DESKTOP,
    PHONE_WIDTH,
    SEGMENT_OF,
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


@pytest.fixture(scope="module")
def public(site_output: Path) -> Path:
    """Return the built public site."""
    folder = site_output / "public"
    assert (folder / "index.html").is_file(), f"no public site at {folder}"
    return folder


@pytest.fixture(scope="module")
def base_url() -> str:
    """Return the example's published address (its canonical and hreflang links start so)."""
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    return str(config["base_url"])


@pytest.fixture(scope="module")
def served_public(public: Path) -> Iterator[str]:
    """Serve the public site on 127.0.0.1 for the whole module; yield its base URL."""
    with serve_folder(public) as base:
        yield base


@pytest.fixture
def tab(browser: Any) -> Iterator[tuple[Any, PageLog]]:
    """Open one desktop-sized tab for a whole test; requests off the machine are blocked."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log = watch_page(page)
    try:
        yield page, log
    finally:
        context.close()


def test_public_site_has_a_folder_for_each_language_it_offers(public: Path) -> None:
    # Otherwise every "in each language" test below could pass on fewer languages than offered.
    # The build publishes only the source language until the translation stage lands
    # (pipeline.resolve_languages); then every configured language must be offered here.
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    configured = {SEGMENT_OF[str(code)] for code in config["languages"]}
    offered = lxml.html.fromstring((public / "index.html").read_bytes()).xpath(
        "//a[@hreflang]/@href"
    )
    offered_folders = sorted(str(href).strip("/").removeprefix("./") for href in offered)
    folders = language_folders(public)
    assert folders == offered_folders
    assert set(folders) <= configured
    assert SEGMENT_OF[str(config["source_language"])] in folders


def test_every_public_page_loads_cleanly(
    public: Path, served_public: str, tab: tuple[Any, PageLog]
) -> None:
    page, log = tab
    problems = []
    for site_page in site_pages(public):
        problem = visit(page, url_of(served_public, site_page))
        found = ([problem] if problem else []) + drain(log)
        problems += [f"{site_page.path}: {item}" for item in found]
    assert not problems, findings(problems)


def test_public_links_and_anchors_resolve(public: Path, base_url: str) -> None:
    problems = check_links(public, base_url)
    assert not problems, findings(problems)


def test_public_site_links_nowhere_into_the_handbook(public: Path, base_url: str) -> None:
    # site_config.yml has no handbook address (the handbook lives on an internal host the build
    # does not know), so no link may reach the handbook's output folder, nor any /handbook/
    # path on any host: `serve` shows the handbook at /handbook/ beside the public site.
    problems = no_links_into(public, f"{publish.HANDBOOK}/")
    problems += links_to_folder(public, base_url, publish.HANDBOOK)
    assert not problems, findings(problems)


def test_public_site_fetches_nothing_from_another_host(public: Path, base_url: str) -> None:
    # The exports (<lang>/exports/*.json, *.ics) are data for help desks and map listings: the
    # organisation's addresses in them are values, and no page ever fetches them.
    found = [line for line in foreign_urls(public, [base_url]) if "/exports/" not in line]
    unexplained = unexplained_vendor_requests(found)
    assert not unexplained, findings(unexplained)


def test_public_pages_have_no_wcag_a_or_aa_violation(
    public: Path, served_public: str, tab: tuple[Any, PageLog]
) -> None:
    page, log = tab
    pages = site_pages(public)
    # The same fault seen at several widths and palettes is one finding, with where it shows.
    seen: dict[str, list[str]] = {}
    for language in language_folders(public):
        for site_page in one_of_each_kind(pages, language):
            visit(page, url_of(served_public, site_page), quiet=False)
            schemes = ("default", "slate") if language == PALETTE_LANGUAGE else ("default",)
            for width in (DESKTOP["width"], PHONE_WIDTH):
                page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
                for scheme in schemes:
                    set_palette(page, scheme)
                    for line in axe_violations(page):
                        seen.setdefault(f"{site_page.path}: {line}", []).append(
                            f"{width} px {scheme}"
                        )
            page.set_viewport_size(DESKTOP)
    drain(log)
    problems = [f"{finding} [{', '.join(where)}]" for finding, where in seen.items()]
    assert not problems, findings(problems)


def test_no_public_page_scrolls_sideways_on_a_phone(
    public: Path, served_public: str, tab: tuple[Any, PageLog]
) -> None:
    page, _ = tab
    page.set_viewport_size({"width": PHONE_WIDTH, "height": DESKTOP["height"]})
    problems = []
    for site_page in site_pages(public):
        if site_page.redirects:
            continue  # the page it leads to is checked on its own
        page.goto(url_of(served_public, site_page), wait_until="load")
        if horizontal_overflow(page, PHONE_WIDTH):
            wide = ", ".join(wider_than_viewport(page))
            problems.append(f"{site_page.path}: wider than {PHONE_WIDTH} px: {wide}")
    assert not problems, findings(problems)


def test_nu_checker_finds_no_error_in_the_public_site(nu_report: dict[str, list[str]]) -> None:
    # One run of the checker over the whole output (conftest.nu_report); the handbook's errors
    # are judged in test_handbook_site.py, every other one here.
    problems = [
        line for folder, lines in nu_report.items() if folder != "handbook" for line in lines
    ]
    assert not problems, findings(problems)


def test_screenshots_of_the_public_site(
    public: Path, served_public: str, tab: tuple[Any, PageLog]
) -> None:
    page, _ = tab
    target = ARTIFACTS / "screenshots" / "public"
    target.mkdir(parents=True, exist_ok=True)
    pages = site_pages(public)
    written = []
    for language in language_folders(public):
        for kind, name in (("home", "home"), ("*/commitments", "commitments")):
            found = [p for p in pages if p.language == language and p.kind == kind]
            assert found, f"no {kind} page in {language}"
            visit(page, url_of(served_public, found[0]))
            for label, viewport in (("desktop", DESKTOP), ("phone", None)):
                page.set_viewport_size(
                    viewport or {"width": PHONE_WIDTH, "height": DESKTOP["height"]}
                )
                shot = target / f"{language}-{name}-{label}.png"
                page.screenshot(path=str(shot), full_page=True)
                written.append(shot)
            page.set_viewport_size(DESKTOP)
    assert all(shot.stat().st_size > 1000 for shot in written)


# The page's heading as printed: without the permalink sign that only shows on hover.
HEADING_TEXT = """() => {
    const heading = document.querySelector('h1').cloneNode(true);
    heading.querySelectorAll('.headerlink').forEach((link) => link.remove());
    return heading.textContent.trim();
}"""


def test_commitments_pages_print_on_a4(
    public: Path, served_public: str, tab: tuple[Any, PageLog]
) -> None:
    page, _ = tab
    target = ARTIFACTS / "print" / "public"
    target.mkdir(parents=True, exist_ok=True)
    pages = site_pages(public)
    problems = []
    for language in language_folders(public):
        for site_page in [p for p in pages if p.language == language and p.kind == "*/commitments"]:
            visit(page, url_of(served_public, site_page))
            heading = page.evaluate(HEADING_TEXT)
            pdf = page.pdf(format="A4", print_background=True)
            name = site_page.path.removesuffix("/index.html").replace("/", "-")
            (target / f"{name}.pdf").write_bytes(pdf)
            text = " ".join(
                (sheet.extract_text() or "") for sheet in PdfReader(io.BytesIO(pdf)).pages
            )
            if heading not in " ".join(text.split()):
                problems.append(f"{site_page.path}: the printout lacks its heading {heading!r}")
    assert not problems, findings(problems)


@pytest.fixture
def real_address_tab(browser: Any, public: Path, base_url: str) -> Iterator[tuple[Any, PageLog]]:
    """Open a tab that sees the public site at its published address, answered from disk."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log = watch_page(page)
    serve_as(page, base_url, public)
    try:
        yield page, log
    finally:
        context.close()


def test_language_selector_keeps_the_reader_on_the_same_commitments_page(
    public: Path, base_url: str, real_address_tab: tuple[Any, PageLog]
) -> None:
    # Every link of every selector is checked in the built pages (tests/test_languages.py).
    # Here a reader goes round every language from each charter's commitments page, each switch
    # from the page the last one landed on: each language is left once and reached once.
    page, log = real_address_tab
    folders = language_folders(public)
    by_charter: dict[str, set[str]] = {}
    for site_page in site_pages(public):
        if site_page.kind == "*/commitments":
            inner = site_page.path.removeprefix(site_page.language + "/")
            by_charter.setdefault(inner.removesuffix("index.html"), set()).add(site_page.language)
    assert len(by_charter) >= 2
    problems = []
    hreflangs = [
        tag
        for folder in sorted(folders)
        for tag, segment in SEGMENT_OF.items()
        if segment == folder
    ]
    for inner, languages in sorted(by_charter.items()):
        assert sorted(languages) == sorted(folders), inner
        start = f"{base_url}{SEGMENT_OF[hreflangs[0]]}/{inner}"
        offered = sorted(open_with_selector(page, start))
        if offered != sorted(hreflangs[1:]):
            problems.append(f"{inner}: the selector offers {offered}")
        for hreflang in [*hreflangs[1:], hreflangs[0]]:
            landed = follow_language_link(page, hreflang)
            expected = f"{base_url}{SEGMENT_OF[hreflang]}/{inner}"
            if landed != expected:
                problems.append(f"{inner}: {hreflang} lands on {landed}, not {expected}")
                page.goto(expected, wait_until="load")  # on from where the reader should be
                page.wait_for_load_state("networkidle")
    problems += drain(log)
    assert not problems, findings(problems)


def test_root_page_sends_each_browser_to_its_language(
    browser: Any, public: Path, base_url: str
) -> None:
    folders = language_folders(public)
    refresh = lxml.html.fromstring((public / "index.html").read_bytes()).xpath(
        "//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']/@content"
    )
    assert refresh, "the root page has no <meta http-equiv=refresh> for browsers without script"
    default = refresh[0].lower().split("url=")[-1].strip("'\" /")
    assert default in folders
    # A browser's language -> the folder it must land in; German is not published.
    cases = {
        language.bcp47: language.segment for language in LANGUAGES if language.segment in folders
    }
    if "cs" in folders:
        cases["cs-CZ"] = "cs"
    cases["de"] = default
    problems = []
    for locale, segment in cases.items():
        context = browser.new_context(locale=locale)
        page = context.new_page()
        log = watch_page(page)
        serve_as(page, base_url, public)
        page.goto(base_url, wait_until="load")
        page.wait_for_load_state("networkidle")
        if page.url != f"{base_url}{segment}/":
            problems.append(f"a browser in {locale} lands on {page.url}, not {base_url}{segment}/")
        problems += [f"{locale}: {item}" for item in drain(log)]
        context.close()
    assert not problems, findings(problems)


def first_commitment_title(path: Path) -> str | None:
    """Return the title of the first commitment on a commitments page (its first h2)."""
    headings = lxml.html.fromstring(path.read_bytes()).xpath(
        "//article//h2[starts-with(@id, 'commitment-')]"
    )
    if not headings:
        return None
    for link in headings[0].xpath(".//a[contains(@class, 'headerlink')]"):
        link.drop_tree()
    return " ".join(headings[0].text_content().split())


def test_search_in_each_language_opens_the_commitments_page(
    public: Path, served_public: str, tab: tuple[Any, PageLog]
) -> None:
    page, log = tab
    problems = []
    for site_page in site_pages(public):
        if site_page.kind != "*/commitments":
            continue
        title = first_commitment_title(public / site_page.path)
        if title is None:
            problems.append(f"{site_page.path}: no commitment heading (h2 id=commitment-...)")
            continue
        visit(page, f"{served_public}/{site_page.language}/")
        opened = search_first_result(page, title)
        expected = "/" + site_page.path.removesuffix("index.html")
        if opened is None:
            problems.append(f"{site_page.language}: searching {title!r} finds nothing")
        elif urlsplit(opened).path != expected:
            problems.append(f"{site_page.language}: {title!r} first opens {opened}, not {expected}")
    # Leaving a page before its favicon arrives cancels that request: not a fault here (the
    # load test judges requests); errors and requests to other hosts still are.
    problems += [item for item in drain(log) if not item.startswith("failed request: ")]
    assert not problems, findings(problems)
