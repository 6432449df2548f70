"""An installed Charterpress carries its templates: the wheel holds templates/ as package data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_ships_the_templates_and_the_installed_package_finds_them(
    tmp_path: Path,
) -> None:
    # Build from a copy, so the build leaves nothing in the working tree.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "charterpress", source / "charterpress", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "templates", source / "templates")
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(source),
            "-w",
            str(dist),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("charterpress-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in sorted((REPO / "templates").rglob("*")):
        if template.is_file():
            relative = template.relative_to(REPO / "templates").as_posix()
            assert f"charterpress/data/templates/{relative}" in names

    target = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from charterpress.render import builtin_templates_dir; print(builtin_templates_dir())",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == str(target / "charterpress" / "data" / "templates")
