"""Setuptools hook: ship the repository's templates/ inside the package, as package data.

The templates live at the top of the repository, where site authors and translators find them;
an installed Charterpress finds them in charterpress/data/templates (see render.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithTemplates(build_py):
    """Copy templates/ into the built package after the usual build."""

    def run(self) -> None:
        """Build the package, then add the templates to it."""
        super().run()
        source = HERE / "templates"
        target = Path(self.build_lib) / "charterpress" / "data" / "templates"
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithTemplates})
