"""The example's public site, as built, in a real browser and through the checks of checks.py.

The site comes from the session's one build of the example (the `built_example` fixture of
tests/conftest.py). To check a site built beforehand instead, without building again:
    CHARTERPRESS_BUILT_EXAMPLE=/tmp/out .venv/bin/python -m pytest tests/e2e/test_site.py
Pages are found in the build, never listed by hand; each test visits them in a loop, with the
session's one Chromium, so that a new page costs a navigation and not a browser.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml
from pypdf import PdfReader

from charterpress.languages import LANGUAGES
from tests.conftest import REPO

from .browser import PageLog, serve_as, serve_folder, watch_page
from .checks import (
    axe_violations,
    check_links,
    foreign_urls,
    horizontal_overflow,
    html_pages,
    language_switch_targets,
    no_links_into,
    nu_errors,
    search_first_result,
    set_palette,
    wider_than_viewport,
)

ARTIFACTS = REPO / "test-artifacts"
# A language's code (as in site_config.yml, and as hreflang) -> its folder in the site.
SEGMENT_OF = {language.bcp47: language.segment for language in LANGUAGES}
DESKTOP = {"width": 1280, "height": 900}
PHONE_WIDTH = 360
# The one language in which every page type is also checked in the dark palette.
PALETTE_LANGUAGE = "en"

# Addresses in Material's own script bundle that it fetches only in cases this site never meets.
# Each is a request to another host, so each is listed with the reason it never happens here;
# they are excused in that bundle only (MATERIAL_BUNDLE), nowhere else.
MATERIAL_BUNDLE = "/assets/javascripts/bundle."
VENDOR_CONDITIONAL_REQUESTS = {
    "https://unpkg.com/resize-observer-polyfill": (
        "Material loads this polyfill only in browsers without ResizeObserver (before 2020)"
    ),
    "https://unpkg.com/mermaid@": "loaded only on a page with a Mermaid diagram: none here",
    "https://api.github.com/": "repository facts, fetched only when repo_url is set: it is not",
    "https://${": "GitLab repository facts, fetched only when repo_url is set: it is not",
}


# The session's one build of the example, under the name tests/conftest.py gives it.
BUILD_FIXTURES = ("built_example", "example_build")


@pytest.fixture(scope="module")
def site_output(request: pytest.FixtureRequest) -> Path:
    """Return the folder of the session's build of the example (holding public/)."""
    override = os.environ.get("CHARTERPRESS_BUILT_EXAMPLE")
    if override:
        return Path(override)
    for name in BUILD_FIXTURES:
        try:
            return Path(request.getfixturevalue(name))
        except pytest.FixtureLookupError:
            continue
    pytest.fail(
        f"tests/conftest.py has none of the fixtures {BUILD_FIXTURES} (the session's build of "
        "the example); set CHARTERPRESS_BUILT_EXAMPLE=DIR to check a site built with "
        "`python build.py build --out DIR`"
    )


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


@dataclass(frozen=True)
class SitePage:
    """A built page: its path in the site, its language folder and its page type."""

    path: str  # "en/shops/commitments/index.html"
    language: str  # "en", or "" for a page outside the language folders
    kind: str  # "home", "*/commitments", "404", ...
    redirects: bool  # a <meta http-equiv=refresh> page, which the browser leaves at once


def language_folders(site: Path) -> list[str]:
    """Return the language folders of a site: each is one MkDocs build with its search index."""
    return sorted(
        folder.name
        for folder in site.iterdir()
        if (folder / "index.html").is_file() and (folder / "search").is_dir()
    )


def site_pages(site: Path) -> list[SitePage]:
    """Return every page of a site with its language and type, found in the build."""
    languages = set(language_folders(site))
    pages = []
    for path in html_pages(site):
        parts = path.relative_to(site).parts
        language = parts[0] if len(parts) > 1 and parts[0] in languages else ""
        inner = list(parts[1:] if language else parts)
        if inner[-1] == "index.html":
            inner.pop()
        else:
            inner[-1] = inner[-1].removesuffix(".html")
        if not inner:
            kind = "home" if language else "root"
        elif len(inner) == 1:
            kind = inner[0]
        else:
            # A page inside a charter: its type is its place in the charter, not the charter.
            kind = "*/" + "/".join(inner[1:])
        refresh = lxml.html.fromstring(path.read_bytes()).xpath(
            "//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']"
        )
        pages.append(SitePage(path.relative_to(site).as_posix(), language, kind, bool(refresh)))
    return pages


def one_of_each_kind(pages: list[SitePage], language: str) -> list[SitePage]:
    """Return the first page of each type in LANGUAGE."""
    chosen: dict[str, SitePage] = {}
    for page in pages:
        if page.language == language and not page.redirects:
            chosen.setdefault(page.kind, page)
    return list(chosen.values())


def url_of(base: str, page: SitePage) -> str:
    """Return the address of PAGE as the browser should ask for it (folders end with /)."""
    path = page.path.removesuffix("index.html")
    return f"{base}/{path}"


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


def visit(page: Any, url: str, *, quiet: bool = True) -> str | None:
    """Open URL (and, if QUIET, wait until the network is quiet); return a problem, or None.

    Material starts its search worker after `load`: waiting for it makes its requests belong
    to this page, not cut off by the next navigation (which would read as failed requests).
    The page is complete at `load` (Material's script runs before it), so a test that does
    not judge requests can skip the wait, half a second a page.
    """
    response = page.goto(url, wait_until="load")
    if quiet:
        page.wait_for_load_state("networkidle")
    if response is None or response.status != 200:
        return f"answered {response.status if response else 'nothing'}"
    return None


def drain(log: PageLog) -> list[str]:
    """Return what LOG recorded since the last call, and empty it."""
    found = [f"console error: {text}" for text in log.console_errors]
    found += [f"failed request: {url}" for url in log.failed_requests]
    found += [f"bad response: {text}" for text in log.bad_responses]
    found += [f"request to another host: {url}" for url in log.foreign_requests]
    found += [f"dialog: {text}" for text in log.dialogs]
    for items in (
        log.console_errors,
        log.failed_requests,
        log.bad_responses,
        log.foreign_requests,
        log.dialogs,
    ):
        items.clear()
    return found


def findings(problems: list[str]) -> str:
    """Return PROBLEMS as one message, one per line, for an assertion that prints them all."""
    return f"{len(problems)} finding(s):\n" + "\n".join(problems)


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


def test_public_site_links_nowhere_into_the_handbook(public: Path) -> None:
    problems = no_links_into(public, "handbook/")
    assert not problems, findings(problems)


def test_public_site_fetches_nothing_from_another_host(public: Path, base_url: str) -> None:
    # The exports (<lang>/exports/*.json, *.ics) are data for help desks and map listings: the
    # organisation's addresses in them are values, and no page ever fetches them.
    found = [line for line in foreign_urls(public, [base_url]) if "/exports/" not in line]
    unexplained = [
        line
        for line in found
        if MATERIAL_BUNDLE not in line
        or not any(f": {prefix}" in line for prefix in VENDOR_CONDITIONAL_REQUESTS)
    ]
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


def test_nu_checker_finds_no_error_in_the_public_site(public: Path) -> None:
    problems = nu_errors(public)
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
    page, log = real_address_tab
    folders = set(language_folders(public))
    problems = []
    for site_page in site_pages(public):
        if site_page.kind != "*/commitments":
            continue
        url = base_url + site_page.path.removesuffix("index.html")
        inner = site_page.path.removeprefix(site_page.language + "/").removesuffix("index.html")
        landed = language_switch_targets(page, url)
        offered = {SEGMENT_OF.get(hreflang, hreflang) for hreflang in landed}
        if offered != folders - {site_page.language}:
            problems.append(f"{site_page.path}: the selector offers {sorted(offered)}")
        for hreflang, where in landed.items():
            expected = f"{base_url}{SEGMENT_OF.get(hreflang, hreflang)}/{inner}"
            if where != expected:
                problems.append(f"{site_page.path}: {hreflang} lands on {where}, not {expected}")
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
