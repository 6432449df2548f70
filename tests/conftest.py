"""Shared fixtures and the CI policy: under CI=true a test never skips, it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SCRIPTS = sysconfig.get_path("scripts")

# Derandomized and bounded in CI, so a run is reproducible; a little wider on a developer's machine.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-goldens: rewrite the golden files from the current output, then review."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float = 60.0, interval: float = 0.1
) -> None:
    """Poll CONDITION every INTERVAL seconds; fail naming WHAT after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def run_build_py(*args: str, epoch: str = "1767225600") -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` of this repository with SOURCE_DATE_EPOCH (2026-01-01)."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
    )


def require_tool(name: str) -> str:
    """Return the path of an external tool; skip without it, or fail under CI=true."""
    # Tools installed by pip (pofilter, pybabel) sit beside this Python, on PATH or not.
    path = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), SCRIPTS]))
    if path is None:
        message = f"the tool '{name}' is not installed (./dev test installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, None, None]:
    """Under CI=true, turn every skip into a failure: CI must run every test."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which is not allowed: {report.longrepr}"


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """Return a private copy of the example site (sources only), to modify in a test."""
    target = tmp_path / "site"
    target.mkdir()
    shutil.copy2(REPO / "site_config.yml", target / "site_config.yml")
    for folder in ("charter", "templates", "locales", "assets"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, target / folder)
    return target


# The build date of the example build: pinned (the same as tests/test_example.py), so that
# results, reviews and closure days never depend on the day the tests run.
BUILD_DATE = "2026-11-23"
BUILD_EPOCH = "1795392000"  # 2026-11-23T00:00:00Z, the same day as SOURCE_DATE_EPOCH


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the example site once per test session; return the output folder (public/...)."""
    import datetime as dt

    from charterpress.pipeline import BuildOptions, build_site

    out = tmp_path_factory.mktemp("example-build") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
        result = build_site(
            BuildOptions(site=REPO, today=dt.date.fromisoformat(BUILD_DATE), out=out)
        )
    assert result.ok, [str(d) for d in result.diagnostics]
    return out


@pytest.fixture(scope="session")
def xss_build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Build the site whose every text holds OWASP payloads, once per session (tests/xss/)."""
    from tests.xss.payload_site import build

    return build(tmp_path_factory.mktemp("xss"))


@pytest.fixture(scope="session")
def xss_twin_build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Build the same site with harmless texts, once per session, to compare pages with."""
    from tests.xss.payload_site import build

    return build(tmp_path_factory.mktemp("xss-twin"), harmless=True)
