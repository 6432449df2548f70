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
    shutil.copytree(REPO / "locales", source / "locales")
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

    ui_catalogs = ["templates/ui.pot", "material/pt_PT.json"] + [
        f"{code}/LC_MESSAGES/ui.po" for code in ("pt_PT", "ca", "cs", "ro")
    ]
    for relative in ui_catalogs:
        assert f"charterpress/data/locales/{relative}" in names
    assert not any("content.po" in name for name in names)

    target = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from charterpress.render import builtin_templates_dir; print(builtin_templates_dir())"
            "; from charterpress.i18n import PACKAGE_LOCALES; print(PACKAGE_LOCALES)",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    templates_dir, locales_dir = probe.stdout.split()
    assert templates_dir == str(target / "charterpress" / "data" / "templates")
    assert locales_dir == str(target / "charterpress" / "data" / "locales")
