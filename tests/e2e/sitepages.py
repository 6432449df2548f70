"""What the end-to-end tests of both sites share: the build, its pages and their types, visits.

The site comes from the session's one build of the example (the `example_build` fixture of
tests/conftest.py). To check a site built beforehand instead, without building again:
    CHARTERPRESS_BUILT_EXAMPLE=/tmp/out .venv/bin/python -m pytest tests/e2e/test_site.py
Pages are found in the build, never listed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html

from charterpress.languages import LANGUAGES
from tests.conftest import REPO

from .browser import PageLog
from .checks import html_pages

ARTIFACTS = REPO / "test-artifacts"
# A language's code (as in site_config.yml, and as hreflang) -> its folder in the site.
SEGMENT_OF = {language.bcp47: language.segment for language in LANGUAGES}
DESKTOP = {"width": 1280, "height": 900}
PHONE_WIDTH = 360

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


def unexplained_vendor_requests(found: list[str]) -> list[str]:
    """Return the findings of checks.foreign_urls that VENDOR_CONDITIONAL_REQUESTS excuses not."""
    return [
        line
        for line in found
        if MATERIAL_BUNDLE not in line
        or not any(f": {prefix}" in line for prefix in VENDOR_CONDITIONAL_REQUESTS)
    ]


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


def site_pages(site: Path, *, sections: bool = False) -> list[SitePage]:
    """Return every page of a site with its language and type, found in the build.

    A page two folders deep is typed by its place in its charter ("*/commitments") or, with
    SECTIONS (the handbook: procedures/<id>/, charters/<id>/), by its section ("procedures/*").
    """
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
        elif sections:
            kind = inner[0] + "/*"
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
