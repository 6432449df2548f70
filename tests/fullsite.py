"""Helpers for tests on tests/roots/full: a small site that uses every part of the model."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from charterpress.diagnostics import Diagnostic, sort_diagnostics
from charterpress.validate import ValidationOutcome, validate_site

FULL = Path(__file__).resolve().parent / "roots" / "full"
CHARTER = "charter/desk.yml"
PROCEDURE = "charter/procedures/answer.yml"
RESULTS = "charter/results/desk/2025.yml"
TODAY = dt.date(2026, 3, 2)  # a Monday


def make_site(tmp_path: Path) -> Path:
    """Return a private copy of the full site."""
    site = tmp_path / "site"
    shutil.copytree(FULL, site)
    return site


def replace(site: Path, file: str, old: str, new: str) -> None:
    """Replace the one occurrence of OLD in FILE by NEW."""
    path = site / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(site: Path, file: str, text: str) -> None:
    """Add TEXT at the end of FILE."""
    path = site / file
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def outcome(site: Path, today: dt.date = TODAY) -> ValidationOutcome:
    """Validate SITE on the build date TODAY."""
    return validate_site(site, today)


def diagnostics(site: Path, today: dt.date = TODAY) -> list[Diagnostic]:
    """Validate SITE and return its diagnostics, sorted."""
    return sort_diagnostics(outcome(site, today).diagnostics)


def found(site: Path, today: dt.date = TODAY) -> list[tuple[str, str]]:
    """Validate SITE and return (code, 'file:line:column') of each diagnostic, sorted."""
    return [(d.code, str(d.pos)) for d in diagnostics(site, today)]


def only(site: Path, today: dt.date = TODAY) -> Diagnostic:
    """Validate SITE and return its one diagnostic."""
    result = diagnostics(site, today)
    assert len(result) == 1, result
    return result[0]
