"""The MkDocs projects built in a process pool: same output as one by one, failures reported.

Over tests/roots/minimal (two languages, four MkDocs projects): a few seconds per build.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from charterpress import mkdocs_site
from charterpress.pipeline import BuildOptions, build_site

ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 1)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_same_tree(a: Path, b: Path) -> None:
    """Assert that two folders hold the same files with the same bytes."""
    names = _files(a)
    assert names == _files(b)
    _match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_pool_output_is_byte_identical_to_one_by_one(tmp_path: Path) -> None:
    built: list[tuple[str, str]] = []
    site = ROOTS / "minimal"
    one = build_site(
        BuildOptions(site=site, today=TODAY, out=tmp_path / "one", jobs=1, cache=False)
    )
    pool = build_site(
        BuildOptions(
            site=site,
            today=TODAY,
            out=tmp_path / "pool",
            jobs=2,
            cache=False,  # both built: the pool's output is not the cache's copy of the first
            on_built=lambda kind, segment, _pages: built.append((kind, segment)),
        )
    )
    assert one.ok and pool.ok
    assert pool.diagnostics == one.diagnostics
    assert_same_tree(tmp_path / "one", tmp_path / "pool")
    # Reported in this process, once per project, in whatever order the builds ended.
    assert sorted(built) == [
        ("handbook", "en"),
        ("handbook", "pt"),
        ("public", "en"),
        ("public", "pt"),
    ]


def _die_in_public_pt(
    config_file: str, site_dir: str, build_date: dt.date, pages: str | None = None
) -> mkdocs_site.Built:
    """Stand in for a pool process's build: die while building public/pt, build the others."""
    if Path(site_dir).parent.name == "public" and Path(site_dir).name == "pt":
        os._exit(3)
    project = mkdocs_site.Project(Path(config_file), Path(site_dir))
    return mkdocs_site.Built(mkdocs_site.build_project(project, build_date))


def test_a_dead_worker_is_cp423_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sent to the pool by name (this module's), as the real one is.
    monkeypatch.setattr(mkdocs_site, "_build_in_worker", _die_in_public_pt)
    out = tmp_path / "out"
    result = build_site(
        BuildOptions(site=ROOTS / "minimal", today=TODAY, out=out, jobs=2, cache=False)
    )
    assert not result.ok and result.out is None
    failures = [d for d in result.diagnostics if d.code == "CP423"]
    assert failures, [str(d) for d in result.diagnostics]
    assert all(d.pos is None for d in failures)
    messages = [d.message for d in failures]
    assert any(m.startswith("the public site in 'pt' was not built: a process") for m in messages)
    assert not out.exists()


def _sleep(
    config_file: str, site_dir: str, build_date: dt.date, pages: str | None = None
) -> mkdocs_site.Built:
    """Stand in for a pool process's build that takes long."""
    time.sleep(60)
    return mkdocs_site.Built([])


def test_interrupt_stops_the_pool_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mkdocs_site, "_build_in_worker", _sleep)
    project = mkdocs_site.Project(Path("/nonexistent/pt/mkdocs.yml"), Path("/nonexistent/site"))
    builder = mkdocs_site.ProjectBuilder(TODAY, jobs=2)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), builder:
        builder.submit(project, "public")
        pool = builder._pool
        assert pool is not None
        # Wait until a worker runs the build, then interrupt as Ctrl+C would.
        while not pool._processes:  # type: ignore[attr-defined]
            time.sleep(0.01)
        workers = list(pool._processes.values())  # type: ignore[attr-defined]
        raise KeyboardInterrupt
    assert all(not worker.is_alive() for worker in workers)
    assert time.monotonic() - started < 30


def test_a_pool_process_ends_when_the_build_is_killed() -> None:
    # A worker forks from the fork server, not from the build: it must watch the build itself,
    # or a build killed with SIGKILL leaves it (and the fork server) waiting forever.
    build = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from charterpress import mkdocs_site; "
            "mkdocs_site._init_worker(int(sys.argv[1])); time.sleep(60)",
            str(build.pid),
        ]
    )
    try:
        time.sleep(2)  # the worker is started and watching
        assert worker.poll() is None
        build.kill()
        build.wait(timeout=10)
        assert worker.wait(timeout=20) == 1
    finally:
        for process in (build, worker):
            if process.poll() is None:
                process.kill()
                process.wait()
