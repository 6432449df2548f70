"""The OWASP payloads in Chromium: no page of either site opens a dialog or runs a payload.

Every page of the public site and of the handbook built by `xss_build` (tests/xss/) is loaded
with a dialog handler (alert, confirm, prompt) and a sentinel: the payloads' variants call
`__xss(...)` instead of alert, and the page reports each call to the test. After the load the
live DOM (Chromium's own HTML parser) must hold no event-handler attribute, no script URL and no
frame or object; the search box, which renders the index as HTML, is tried with a word of the
payloads. A page with one payload left unescaped on purpose proves the checks see a payload run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.xss.payload_site import SENTINEL, TRANSLATED, Built, sentinel_variant

from .browser import PageLog, serve_folder
from .checks import search_results

# Define the sentinel before any script of the page runs; each call reaches the test at once,
# even from a page that then navigates away.
_SENTINEL_SCRIPT = (
    f"window.{SENTINEL} = (...args) => window.__xssReport(args.map(String).join(' '));"
)
# What the live DOM must not hold: handlers, script URLs, frames and objects.
_DOM_PROBLEMS = """() => {
  const found = [];
  const urlNames = /^(href|src|action|formaction|data|background|poster|srcdoc|xlink:href)$/i;
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (attribute.name.toLowerCase().startsWith('on')) {
        found.push(`${element.tagName} ${attribute.name}`);
      } else if (urlNames.test(attribute.name) && /^(javascript|vbscript|data:text)/.test(value)) {
        found.push(`${element.tagName} ${attribute.name}=${attribute.value}`);
      }
    }
  }
  for (const element of document.querySelectorAll('iframe, frame, object, embed, applet, base')) {
    found.push(element.tagName);
  }
  return found;
}"""


@pytest.fixture
def watched(page: tuple[Any, PageLog]) -> tuple[Any, PageLog, list[str]]:
    """Return the shared page fixture's tab and log, with the sentinel's calls."""
    tab, log = page
    calls: list[str] = []
    tab.expose_function("__xssReport", lambda text: calls.append(str(text)))
    tab.add_init_script(_SENTINEL_SCRIPT)
    return tab, log, calls


@pytest.fixture(scope="module")
def served(xss_build: Built) -> Iterator[dict[str, str]]:
    """Serve the public site and the handbook, each at the root of a loopback server."""
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(serve_folder(xss_build.out / name))
            for name in ("public", "handbook")
        }


def _urls(built: Built, served: dict[str, str]) -> list[str]:
    urls = []
    for name, base in served.items():
        root = built.out / name
        for page in sorted(root.rglob("*.html")):
            path = page.relative_to(root).as_posix().removesuffix("index.html")
            urls.append(f"{base}/{path}")
    return urls


def _problems(tab: Any, log: PageLog, calls: list[str], where: str) -> list[str]:
    found = [f"{where}: dialog {text!r}" for text in log.dialogs]
    found += [f"{where}: the sentinel ran ({text})" for text in calls]
    found += [f"{where}: {text}" for text in tab.evaluate(_DOM_PROBLEMS)]
    found += [f"{where}: request to another host {url}" for url in log.foreign_requests]
    # A payload that ran and failed shows as a script error. (The 404 pages name their assets
    # from the site's root; served apart from the public site, the handbook's do not load.)
    found += [
        f"{where}: console error {text}"
        for text in log.console_errors
        if not text.startswith("Failed to load resource")
    ]
    for items in (log.dialogs, calls, log.foreign_requests, log.console_errors):
        items.clear()
    return found


def test_no_page_opens_a_dialog_or_runs_a_payload(
    xss_build: Built, served: dict[str, str], watched: tuple[Any, PageLog, list[str]]
) -> None:
    tab, log, calls = watched
    urls = _urls(xss_build, served)
    assert len(urls) >= 30
    problems = []
    for url in urls:
        response = tab.goto(url, wait_until="load")
        assert response is not None and response.status == 200, url
        # A payload that ran would have run by `load` (scripts, onload, onerror of images);
        # waiting for a quiet network too would cost half a second a page.
        problems += _problems(tab, log, calls, url)
    assert problems == []


@pytest.mark.parametrize("language", ["en", TRANSLATED])
def test_search_results_show_payloads_as_text(
    served: dict[str, str], watched: tuple[Any, PageLog, list[str]], language: str
) -> None:
    tab, log, calls = watched
    tab.goto(f"{served['public']}/{language}/desk/", wait_until="load")
    tab.wait_for_load_state("networkidle")
    # "onerror" is in many payloads: the results quote them, rendered from the index as HTML.
    assert search_results(tab, "onerror")
    shown = tab.inner_text(".md-search-result")
    assert "onerror" in shown.lower()
    assert _problems(tab, log, calls, language) == []


def test_the_checks_see_a_payload_that_runs(
    tmp_path: Path, watched: tuple[Any, PageLog, list[str]]
) -> None:
    # The positive control: one real payload and one variant, left unescaped on purpose.
    unsafe = "<img src=x onerror=\"alert('XSS')\">" + sentinel_variant("<svg/onload=alert('XSS')>")
    (tmp_path / "index.html").write_text(
        f"<!doctype html><title>unsafe</title><p>{unsafe}</p>", encoding="utf-8"
    )
    tab, log, calls = watched
    with serve_folder(tmp_path) as base:
        tab.goto(f"{base}/", wait_until="load")
        tab.wait_for_function("document.images[0].complete")
        found = _problems(tab, log, calls, "unsafe")
    assert "unsafe: dialog 'XSS'" in found
    assert "unsafe: the sentinel ran (XSS)" in found
    assert "unsafe: IMG onerror" in found
    assert "unsafe: svg onload" in found
