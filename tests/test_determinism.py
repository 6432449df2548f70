"""Determinism: the same sources and build date give byte-identical output, whatever the machine.

Two builds of the example site run as subprocesses, at the same time, from copies in different
folders, into relative output folders, with different time zones, locales and hash seeds. Their
output trees must be identical file by file, non-empty, and hold every page the renderer made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from charterpress import publish
from charterpress.pipeline import render_editions, resolve_languages
from charterpress.render import Renderer
from charterpress.validate import validate_site

REPO = Path(__file__).resolve().parent.parent
BUILD_DATE = "2026-11-23"
SOURCES = ("site_config.yml", "charter", "templates", "locales", "assets")
# What differs between the two builds: everything a build must not depend on.
ENVIRONMENTS = (
    {"TZ": "UTC", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
    {"TZ": "Asia/Tokyo", "LANG": "pt_PT.UTF-8", "PYTHONHASHSEED": "4242"},
)
# Variables of the test's own environment that would make the two builds alike, or not alike.
_DROPPED = ("SOURCE_DATE_EPOCH", "LC_ALL", "LC_TIME", "LC_NUMERIC", "LANGUAGE", "TZ", "LANG")


def digest(folder: Path) -> dict[str, str]:
    """Return every file of FOLDER (hidden ones too) with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copy_example(folder: Path) -> Path:
    """Copy the example site's sources into FOLDER/site; return it."""
    site = folder / "site"
    site.mkdir(parents=True)
    shutil.copy2(REPO / "site_config.yml", site / "site_config.yml")
    for name in SOURCES[1:]:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
    return site


def expected_pages(site: Path) -> set[str]:
    """Return the public HTML file of every page the renderer makes, language by language."""
    today = dt.date.fromisoformat(BUILD_DATE)
    outcome = validate_site(site, today)
    assert outcome.site is not None
    editions, _ = resolve_languages(outcome.site, today)
    rendered, problems = render_editions(Renderer(outcome.site.root), editions)
    assert problems == []
    pages = set()
    for language in rendered:
        for page in language.pages:
            stem = page.path.removesuffix(".md")
            html = "index.html" if stem == "index" else f"{stem}/index.html"
            html = html.replace("/index/index.html", "/index.html")
            pages.add(f"{publish.PUBLIC}/{language.language.segment}/{html}")
    return pages


def test_two_builds_in_different_environments_are_byte_identical(tmp_path: Path) -> None:
    folders = [tmp_path / "first", tmp_path / "elsewhere" / "second"]
    processes = []
    for folder, variables in zip(folders, ENVIRONMENTS, strict=True):
        site = copy_example(folder)
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED} | variables
        command = [sys.executable, str(REPO / "build.py"), "build", "--site", str(site)]
        command += ["--out", "out", "--today", BUILD_DATE]
        # Both at once: each build finds the other's files nowhere, and the test takes one build.
        processes.append(
            subprocess.Popen(
                command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode("utf-8", "replace")[-3000:]

    first, second = (digest(folder / "out") for folder in folders)
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == []
    pages = expected_pages(folders[0] / "site")
    built = {name for name in first if name.endswith(".html")}
    assert pages and pages <= built, sorted(pages - built)
    assert len(pages) > 50  # five languages of two charters: not a near-empty site
    assert any(name.startswith(f"{publish.HANDBOOK}/") for name in first)
