"""One run reports at most diagnostics.MAX_REPORTED diagnostics, errors first, and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charterpress.cli import report
from charterpress.diagnostics import (
    MAX_REPORTED,
    Diagnostic,
    Level,
    SourcePos,
    capped,
    error,
    format_json,
    sort_diagnostics,
)
from charterpress.pipeline import BuildResult
from charterpress.serve import banner


def flood() -> list[Diagnostic]:
    """Return 1,200 warnings in a.yml, then 3 errors in z.yml, sorted as a run prints them."""
    warnings = [error("CP209", "w", SourcePos("a.yml", n, 1)) for n in range(1, 1201)]
    errors = [error("CP203", "e", SourcePos("z.yml", n, 1)) for n in range(1, 4)]
    return sort_diagnostics(errors + warnings)


def test_the_cap_keeps_errors_first_in_position_order() -> None:
    shown, dropped = capped(flood())
    assert MAX_REPORTED == 1000
    assert dropped == 203
    assert len(shown) == 1000
    assert [str(d.pos) for d in shown[-4:]] == [
        "a.yml:997:1",
        "z.yml:1:1",
        "z.yml:2:1",
        "z.yml:3:1",
    ]
    assert sum(d.level is Level.ERROR for d in shown) == 3


def test_no_cap_below_the_limit() -> None:
    diagnostics = flood()[:10]
    assert capped(diagnostics) == (diagnostics, 0)
    assert "dropped" not in json.loads(format_json(diagnostics))


def test_text_report_shows_the_cap_and_counts_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report(flood(), tmp_path, "text")
    lines = capsys.readouterr().err.splitlines()
    positions = [line for line in lines if ": warning[" in line or ": error[" in line]
    assert len(positions) == 1000
    assert positions[-1] == "z.yml:3:1: error[CP203]: e"
    assert lines[-2:] == [
        "charterpress: 203 more diagnostics not shown (a run reports at most 1,000); fix the "
        "ones above and run again",
        "charterpress: 3 errors, 1200 warnings; nothing was written",
    ]


def test_json_report_says_how_many_were_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report(flood(), tmp_path, "json")
    document = json.loads(capsys.readouterr().out)
    assert (document["errors"], document["warnings"], document["dropped"]) == (3, 1200, 203)
    assert len(document["diagnostics"]) == 1000
    assert document["diagnostics"][-1]["file"] == "z.yml"


def test_the_preview_banner_is_capped_too(tmp_path: Path) -> None:
    errors = [error("CP203", "e", SourcePos("z.yml", n, 1)) for n in range(1, 1006)]
    html = banner(BuildResult(None, errors), tmp_path).decode("utf-8")
    assert html.count("error[CP203]") == 1000
    assert "charterpress: 5 more diagnostics not shown (a run reports at most 1,000)" in html
