"""Crash safety and concurrency: a killed build, or two at once, never damage the output.

Builds run as subprocesses of `build.py build`. The test hook CHARTERPRESS_TEST_PAUSE_AT
("STAGE:FLAG") makes a build write FLAG when it reaches STAGE and wait there to be killed, so
each stage is hit exactly, every run; a few seeded random delays add moments in between.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from charterpress import lock, publish
from charterpress.diagnostics import Level
from charterpress.pipeline import BuildOptions, build_site
from tests.conftest import wait_for as conftest_wait_for

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)
# A build paused at these stages has not swapped yet: the old output must be there, whole.
BEFORE_SWAP = ("validated", "rendered", "mkdocs", "staged")
AFTER_SWAP = ("swapped", "cleanup")
# Fixed seeds: the same "random" moments on every run.
SEEDS = (1, 2, 3)


def digest(folder: Path) -> dict[str, str]:
    """Return every file of FOLDER (hidden ones too) with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll CONDITION often: a build's stages follow each other quickly."""
    conftest_wait_for(condition, what, interval=0.02)


def copy_site(target: Path) -> Path:
    """Copy the full test site, in one language: half the MkDocs builds, the same stages."""
    shutil.copytree(ROOTS / "full", target)
    edit(target, "languages: [en, pt-PT]", "languages: [en]", "site_config.yml")
    return target


def edit(site: Path, old: str, new: str, name: str = "charter/desk.yml") -> None:
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def start(
    site: Path, out: Path, *, pause: str | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `build.py build` of SITE into OUT; with PAUSE ("STAGE:FLAG") it stops there."""
    env = {k: v for k, v in os.environ.items() if k != publish.PAUSE_ENV}
    if pause is not None:
        env[publish.PAUSE_ENV] = pause
    command = [sys.executable, str(REPO / "build.py"), "build", "--site", str(site)]
    command += ["--out", str(out), "--today", TODAY.isoformat()]
    if log is None:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    with log.open("w", encoding="utf-8") as stderr:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def pause_and_kill(site: Path, out: Path, stage: str, flag: Path) -> None:
    """Run a build until it reaches STAGE, then SIGKILL it there."""
    process = start(site, out, pause=f"{stage}:{flag}")
    try:
        wait_for(lambda: flag.exists() or process.poll() is not None, f"stage {stage}")
        assert process.poll() is None, f"the build ended before reaching {stage}"
        assert flag.read_text(encoding="utf-8") == stage
    finally:
        if process.poll() is None:
            kill(process)


def lock_files(out: Path) -> list[str]:
    return [lock.lock_path(out).name] if lock.lock_path(out).exists() else []


def beside(out: Path, *, wait: bool = True) -> list[str]:
    """Return what a build left beside OUT, apart from its lock file.

    WAIT: once the removal of the old output, which holds the lock, is done (never while
    another build holds the lock).
    """
    if wait:
        publish.wait_until_free(out, wait=60)
    return sorted(
        p.name
        for p in out.parent.iterdir()
        if p.name.startswith(f".{out.name}.") and p.name not in lock_files(out)
    )


class Builds:
    """The old and new sites, and their complete outputs built once for the module."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.old_site, self.new_site = root / "old", root / "new"
        copy_site(self.old_site)
        copy_site(self.new_site)
        edit(self.new_site, "title: Answers to e-mails", "title: Answers to every e-mail")
        self.old_out, self.new_out = root / "ref-old", root / "ref-new"
        for site, out in ((self.old_site, self.old_out), (self.new_site, self.new_out)):
            result = build_site(BuildOptions(site=site, today=TODAY, out=out))
            assert result.ok, [str(d) for d in result.diagnostics]
        self.old, self.new = digest(self.old_out), digest(self.new_out)

    def fresh_new(self, tmp_path: Path) -> dict[str, str]:
        """Build the new site again now: the templates may have changed since the module began."""
        out = tmp_path / "fresh-new"
        result = build_site(BuildOptions(site=self.new_site, today=TODAY, out=out))
        assert result.ok, [str(d) for d in result.diagnostics]
        return digest(out)

    def output(self, tmp_path: Path) -> Path:
        """Return a fresh output folder holding the old build."""
        out = tmp_path / "out"
        shutil.copytree(self.old_out, out)
        return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory.mktemp("reliability"))


def test_the_reference_builds_are_complete_and_differ(builds: Builds) -> None:
    assert builds.old != builds.new
    for tree in (builds.old, builds.new):
        assert publish.MARKER in tree
        assert "public/index.html" in tree
        assert "public/en/desk/commitments/index.html" in tree
        # Both sites are compared, whole: the handbook's files are part of each digest.
        assert any(name.startswith(f"{publish.HANDBOOK}/") for name in tree)


def test_the_pause_hook_names_the_stages_the_tests_kill() -> None:
    assert (*BEFORE_SWAP, *AFTER_SWAP) == publish.STAGES


@pytest.mark.slow
@pytest.mark.parametrize("stage", publish.STAGES)
def test_a_build_killed_at_a_stage_leaves_a_whole_output(
    builds: Builds, tmp_path: Path, stage: str
) -> None:
    out = builds.output(tmp_path)
    pause_and_kill(builds.new_site, out, stage, tmp_path / "flag")
    expected = builds.old if stage in BEFORE_SWAP else builds.fresh_new(tmp_path)
    assert digest(out) == expected, f"killed at {stage}: a mixed or partial output"
    # All it may leave is its own staging folder (or the old output), which carries the marker.
    for name in beside(out):
        assert (out.parent / name / publish.MARKER).is_file(), name


@pytest.mark.slow
def test_the_build_after_a_killed_one_cleans_up_and_publishes(
    builds: Builds, tmp_path: Path
) -> None:
    out = builds.output(tmp_path)
    pause_and_kill(builds.new_site, out, "staged", tmp_path / "flag")
    (staging,) = beside(out)
    staged = digest(out.parent / staging)
    # The next build cleans up after the killed one (its lock included) and publishes.
    log = tmp_path / "rerun.log"
    rerun = start(builds.new_site, out, log=log)
    assert rerun.wait(timeout=120) == 0, log.read_text(encoding="utf-8")[-3000:]
    assert digest(out) == staged == builds.fresh_new(tmp_path)
    assert beside(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_a_build_killed_at_a_random_moment_leaves_a_whole_output(
    builds: Builds, tmp_path: Path, seed: int
) -> None:
    out = builds.output(tmp_path)
    # Seeded: the same moments every run, spread over start-up, rendering, MkDocs and the swap.
    delay = random.Random(seed).uniform(0.3, 2.5)
    process = start(builds.new_site, out)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        kill(process)
    now = digest(out)
    assert now == builds.old or now == builds.fresh_new(tmp_path), f"killed after {delay:.2f}s"


@pytest.mark.slow
def test_a_second_build_waits_for_the_first_and_recovers_its_lock_when_it_is_killed(
    builds: Builds, tmp_path: Path
) -> None:
    out = builds.output(tmp_path)
    flag, log = tmp_path / "flag", tmp_path / "second.log"
    # The first build holds the lock, paused with a complete staging folder beside OUT.
    first = start(builds.old_site, out, pause=f"staged:{flag}")
    try:
        wait_for(flag.exists, "the first build to stage its output")
        second = start(builds.new_site, out, log=log)
        wait_for(
            lambda: "waiting for another build" in log.read_text(encoding="utf-8"),
            "the second build to wait",
        )
        # Waiting, it has not touched the first build's staging folder.
        assert second.poll() is None
        assert len(beside(out, wait=False)) == 1
        assert digest(out) == builds.old
    finally:
        kill(first)
    # The kernel released the dead build's lock: the second build goes on and publishes.
    assert second.wait(timeout=120) == 0
    assert digest(out) == builds.fresh_new(tmp_path)
    assert beside(out) == []


@pytest.mark.slow
def test_two_builds_started_at_once_both_succeed_one_after_the_other(
    builds: Builds, tmp_path: Path
) -> None:
    out = builds.output(tmp_path)
    processes = [start(builds.new_site, out), start(builds.new_site, out)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    assert digest(out) == builds.fresh_new(tmp_path)
    assert beside(out) == []


def test_a_build_that_cannot_get_the_lock_gives_up_with_cp412(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = copy_site(tmp_path / "site"), tmp_path / "out"
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.2)
    other = lock.OutputLock(out)
    other.acquire(wait=0)
    try:
        result = build_site(BuildOptions(site=site, today=TODAY, out=out))
    finally:
        other.release()
    (diagnostic,) = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert (diagnostic.code, diagnostic.pos) == ("CP412", None)
    assert diagnostic.message == (
        f"another build is writing to '{out}' and did not finish within 0.2 seconds; "
        "nothing was written"
    )
    assert str(lock.lock_path(out)) in diagnostic.hint
    assert result.out is None
    assert not out.exists()
    assert beside(out) == []
    # Released, the lock lets the next build through.
    assert build_site(BuildOptions(site=site, today=TODAY, out=out)).ok


def test_the_lock_is_exclusive_and_released_by_its_owner(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second = lock.OutputLock(out), lock.OutputLock(out)
    first.acquire(wait=0)
    told: list[str] = []
    with pytest.raises(lock.OutputBusy):
        second.acquire(wait=0, notify=told.append)
    assert told == [
        f"waiting for another build into '{out}' to finish (or the deletion of its old output)"
    ]
    first.release()
    second.acquire(wait=0)
    assert second.held and not first.held
    second.release()
    assert lock.lock_path(out) == tmp_path / ".charterpress-out.lock"
