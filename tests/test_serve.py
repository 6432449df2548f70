"""Live preview: serve on 127.0.0.1, rebuild on a change, keep the last good build on an error."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path

from charterpress.pipeline import BuildResult
from charterpress.serve import failed, live_server, watched_paths
from tests.conftest import wait_for

ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def fetch_or_nothing(url: str) -> str:
    """Fetch URL, or return '' while it does not exist yet."""
    try:
        return fetch(url)
    except urllib.error.HTTPError:
        return ""


def test_serve_rebuilds_on_change_and_keeps_the_last_good_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    charter = site / "charter" / "help.yml"
    reports: list[BuildResult] = []
    with live_server(site, port=0, today=TODAY, report=reports.append) as server:
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        wait_for(lambda: server.server_address[1] != 0 and server.serve_thread.is_alive(), "bind")
        host, port = server.server_address[:2]
        page = f"http://{host}:{port}/en/help/commitments/"
        assert host == "127.0.0.1"
        first = fetch(page)
        assert "Answers to calls" in first
        assert "livereload" in first  # the reload script is injected into every page
        assert "/public" not in fetch(f"http://{host}:{port}/")

        charter.write_text(
            charter.read_text(encoding="utf-8").replace("Answers to calls", "Every call answered"),
            encoding="utf-8",
        )
        wait_for(lambda: "Every call answered" in fetch(page), "the rebuild")

        count = len(reports)
        charter.write_text(
            charter.read_text(encoding="utf-8").replace("percent: 90", "percent: 190"),
            encoding="utf-8",
        )
        wait_for(lambda: len(reports) > count and failed(reports[-1]), "the failed rebuild")
        assert [d.code for d in reports[-1].diagnostics] == ["CP204"]
        assert "Every call answered" in fetch(page)
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_serve_watches_the_site_sources_and_the_builtin_templates(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    (site / "templates").mkdir()
    watched = watched_paths(site)
    assert site / "site_config.yml" in watched
    assert site / "charter" in watched
    assert site / "templates" in watched
    assert any(p.name == "templates" and (p / "public").is_dir() for p in watched)


def test_serve_starts_on_an_invalid_site_and_shows_it_once_fixed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "minimal", site)
    charter = site / "charter" / "help.yml"
    good = charter.read_text(encoding="utf-8")
    charter.write_text(good.replace("percent: 90", "percent: 190"), encoding="utf-8")
    reports: list[BuildResult] = []
    with live_server(site, port=0, today=TODAY, report=reports.append) as server:
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        wait_for(lambda: server.server_address[1] != 0 and server.serve_thread.is_alive(), "bind")
        host, port = server.server_address[:2]
        assert failed(reports[0])
        assert "The site has errors" in fetch(f"http://{host}:{port}/")
        charter.write_text(good, encoding="utf-8")
        wait_for(
            lambda: (
                "Answers to calls" in fetch_or_nothing(f"http://{host}:{port}/en/help/commitments/")
            ),
            "the first good build",
        )
    thread.join(timeout=10)
