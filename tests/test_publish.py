"""Publishing: atomic replacement of the output folder, and refusal to replace a foreign one."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from charterpress import publish
from charterpress.diagnostics import Diagnostic
from charterpress.lock import OutputLock
from charterpress.pipeline import BuildOptions, build_site

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
TODAY = dt.date(2026, 6, 15)


def digest(folder: Path) -> dict[str, str]:
    """Return every file of FOLDER (hidden ones too) with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copy_site(tmp_path: Path, name: str = "site") -> Path:
    site = tmp_path / name
    shutil.copytree(ROOTS / "minimal", site)
    return site


def edit(site: Path, old: str, new: str) -> None:
    path = site / "charter" / "help.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def build(site: Path, out: Path, *, strict: bool = False) -> list[Diagnostic]:
    result = build_site(BuildOptions(site=site, today=TODAY, out=out, strict=strict))
    # The root has no Portuguese catalog: its pt-PT pages fall back to English (CP610 warnings,
    # errors under --strict), which is not what these tests are about.
    return [d for d in result.diagnostics if d.code != "CP610"]


def leftovers(out: Path) -> list[str]:
    """Return what is beside OUT once the removal of its old version (if any) is done."""
    publish.wait_until_free(out, wait=60)
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_a_failed_build_leaves_the_old_output_untouched(tmp_path: Path) -> None:
    site, out = copy_site(tmp_path), tmp_path / "out"
    assert build(site, out) == []
    before = digest(out)
    edit(site, "percent: 90", "percent: 190")
    assert [d.code for d in build(site, out)] == ["CP204"]
    assert digest(out) == before
    assert leftovers(out) == []


def test_a_failure_inside_mkdocs_leaves_the_old_output_untouched(tmp_path: Path) -> None:
    site, out = copy_site(tmp_path), tmp_path / "out"
    assert build(site, out) == []
    before = digest(out)
    about = site / "templates" / "public" / "about.md.j2"
    about.parent.mkdir(parents=True)
    about.write_text("{% set title = 'About' %}\n# About\n\n[gone](gone.md)\n", encoding="utf-8")
    # One MkDocs warning and failure per language (en, pt-PT).
    assert [d.code for d in build(site, out, strict=True)] == ["CP421", "CP420"] * 2
    assert digest(out) == before
    assert leftovers(out) == []


def test_a_successful_build_replaces_the_whole_output(tmp_path: Path) -> None:
    site, out = copy_site(tmp_path), tmp_path / "out"
    assert build(site, out) == []
    (out / "public" / "stale.html").write_text("old", encoding="utf-8")
    edit(site, "title: Answers to calls", "title: Answers to every call")
    assert build(site, out) == []
    assert not (out / "public" / "stale.html").exists()
    page = out / "public" / "en" / "help" / "commitments" / "index.html"
    assert "Answers to every call" in page.read_text(encoding="utf-8")
    assert (out / publish.MARKER).is_file()
    assert leftovers(out) == []


def test_the_portable_swap_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    site, out = copy_site(tmp_path), tmp_path / "out"
    assert build(site, out) == []
    edit(site, "title: Answers to calls", "title: Answers to every call")
    assert build(site, out) == []
    page = out / "public" / "en" / "help" / "commitments" / "index.html"
    assert "Answers to every call" in page.read_text(encoding="utf-8")
    assert leftovers(out) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_renameat2_exchanges_two_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("a", encoding="utf-8")
    (b / "f").write_text("b", encoding="utf-8")
    assert publish._exchange(a, b)
    assert (a / "f").read_text(encoding="utf-8") == "b"
    assert (b / "f").read_text(encoding="utf-8") == "a"


def test_a_folder_without_the_marker_is_never_replaced(tmp_path: Path) -> None:
    site, out = copy_site(tmp_path), tmp_path / "home"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work", encoding="utf-8")
    (diagnostic,) = build(site, out)
    assert (diagnostic.code, diagnostic.pos) == ("CP410", None)
    assert str(out) in diagnostic.message
    assert (out / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    assert sorted(p.name for p in out.iterdir()) == ["thesis.txt"]
    assert leftovers(out) == []


def test_the_command_line_refuses_a_foreign_folder(tmp_path: Path) -> None:
    out = tmp_path / "home"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "build",
            "--site",
            str(ROOTS / "minimal"),
            "--out",
            str(out),
            "--today",
            "2026-06-15",
            "--no-cache",  # the test roots stay as they are in git
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    # After the lines of the stages that ran (load, validate), before anything is built.
    assert f"\nerror[CP410]: the output folder '{out}' exists" in result.stderr
    assert "charterpress: render" not in result.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_empty_folder_may_become_the_output(tmp_path: Path) -> None:
    site, out = copy_site(tmp_path), tmp_path / "empty"
    out.mkdir()
    assert build(site, out) == []
    assert (out / publish.MARKER).is_file()


def test_a_file_or_a_link_is_not_an_output_folder(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    (diagnostic,) = build(site, file)
    assert (diagnostic.code, diagnostic.pos) == ("CP411", None)
    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    (diagnostic,) = build(site, link)
    assert diagnostic.code == "CP411"
    assert "symbolic link" in diagnostic.message


def test_leftovers_of_a_killed_build_are_cleaned_up_but_only_ours(tmp_path: Path) -> None:
    site, out = copy_site(tmp_path), tmp_path / "out"
    ours = tmp_path / ".out.charterpress-new-abc"
    ours.mkdir()
    (ours / publish.MARKER).write_text("", encoding="utf-8")
    foreign = tmp_path / ".out.charterpress-old-xyz"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep", encoding="utf-8")
    assert build(site, out) == []
    assert not ours.exists()
    assert (foreign / "keep.txt").is_file()


@pytest.mark.slow
def test_a_build_killed_at_any_moment_leaves_a_complete_old_or_new_output(
    tmp_path: Path,
) -> None:
    old_site = copy_site(tmp_path, "old")
    new_site = copy_site(tmp_path, "new")
    edit(new_site, "title: Answers to calls", "title: Answers to every call")
    reference_old, reference_new = tmp_path / "ref-old", tmp_path / "ref-new"
    assert build(old_site, reference_old) == []
    assert build(new_site, reference_new) == []
    old, new = digest(reference_old), digest(reference_new)
    assert old != new
    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1781481600"}
    outcomes = set()
    # Kill points spread over the build (about a second), from start-up to the swap.
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, None):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(reference_old, out)
        process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "build.py"),
                "build",
                "--site",
                str(new_site),
                "--out",
                str(out),
                "--today",
                "2026-06-15",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if delay is not None:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        now = digest(out)
        assert now in (old, new), f"killed after {delay}s: a mixed or partial output"
        outcomes.add("old" if now == old else "new")
    # The last build ran to its end, so the new output is known to be reachable.
    assert "new" in outcomes


def test_the_old_output_is_removed_by_a_process_that_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = tmp_path / ".out.charterpress-old-test"
    for index in range(200):
        (old / str(index)).mkdir(parents=True)
        (old / str(index) / "index.html").write_text("old", encoding="utf-8")
    held = OutputLock(out)
    held.acquire()
    publish.remove_later([old], held)
    held.release()
    # Released here, the lock is still the remover's until the folder is gone.
    publish.wait_until_free(out, wait=60)
    assert not old.exists()
    publish.remove_later([])  # nothing to remove: no process
