"""Setuptools hook: ship the built-in templates and UI catalogs inside the package.

The templates and the catalogs of the built-in UI strings live at the top of the repository,
where site authors and translators find them; an installed Charterpress finds them in
charterpress/data/templates (render.py) and charterpress/data/locales (i18n.py). A site's own
content catalogs are not shipped: they belong to the site.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithTemplates(build_py):
    """Copy templates/ and the UI catalogs into the built package after the usual build."""

    def run(self) -> None:
        """Build the package, then add the templates and UI catalogs to it."""
        super().run()
        source = HERE / "templates"
        target = Path(self.build_lib) / "charterpress" / "data" / "templates"
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        locales = HERE / "locales"
        data = Path(self.build_lib) / "charterpress" / "data" / "locales"
        for path in (
            sorted(locales.glob("templates/ui.pot"))
            + sorted(locales.glob("*/LC_MESSAGES/ui.po"))
            + sorted(locales.glob("material/*"))
        ):
            destination = data / path.relative_to(locales)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


setup(cmdclass={"build_py": BuildPyWithTemplates})
