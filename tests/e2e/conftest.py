"""Fixtures of the end-to-end suite: one Chromium per session, a fresh page per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_tool

from .browser import CHROMIUM, CHROMIUM_ARGS, PageLog, watch_page
from .checks import nu_errors


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as e2e."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium, headless, once per session."""
    require_tool("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, PageLog]]:
    """Open a fresh page whose requests outside 127.0.0.1 are blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    log = watch_page(tab)
    try:
        yield tab, log
    finally:
        context.close()


# The session's one build of the example, under the name tests/conftest.py gives it.
BUILD_FIXTURES = ("built_example", "example_build")


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def nu_report(site_output: Path) -> dict[str, list[str]]:
    """Run the Nu checker once over both sites (one JVM); return its errors by site folder.

    Each error line starts with its path in the output ("public/en/index.html:12:3: ...").
    """
    report: dict[str, list[str]] = {}
    for line in nu_errors(site_output):
        report.setdefault(line.split("/", 1)[0], []).append(line)
    return report
