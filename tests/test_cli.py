"""The command line: exit codes, output formats, and no traceback for any input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from charterpress import validate as validate_module
from charterpress.cli import main

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).resolve().parent / "roots" / "minimal"
CHARTER = "charter/help.yml"
HEADLINE = re.compile(r"^(\S+?):(\d+):(\d+): (error|warning)\[(CP\d{3})\]: ", re.MULTILINE)


def make_site(tmp_path: Path) -> Path:
    """Return a private copy of the minimal valid site."""
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    return site


def replace(site: Path, file: str, old: str, new: str) -> None:
    """Replace the one occurrence of OLD in FILE by NEW."""
    path = site / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


PINNED_DATE = {"SOURCE_DATE_EPOCH": "1743379200"}  # 2025-03-31: nothing depends on the clock


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the command line in this process, on a pinned build date unless ENV says otherwise."""
    return CliRunner().invoke(main, list(args), env=env or PINNED_DATE, catch_exceptions=False)


def run_build_py(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run `python build.py ARGS` in a subprocess, as a user would."""
    env = {**os.environ, **PINNED_DATE}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def headlines(text: str) -> list[tuple[str, str, str]]:
    """Return (file:line:column, level, code) of each diagnostic printed in TEXT."""
    return [(f"{m[1]}:{m[2]}:{m[3]}", m[4], m[5]) for m in HEADLINE.finditer(text)]


def break_several_files(site: Path) -> None:
    """Put problems in several files of SITE, in an order that differs from the sorted one."""
    replace(site, "site_config.yml", "Europe/Lisbon", "Europe/Lisboa")
    replace(site, CHARTER, "percent: 90", "percent: 120")
    replace(site, CHARTER, "  role: Head of Customer Service\n", "  role: A\n  role: B\n")
    (site / "charter" / "another.yml").write_text("a:\n\tb: 1\n", encoding="utf-8")
    (site / "charter" / "zeta.yml").write_bytes(b"title: caf\xe9\n")


# ---------------------------------------------------------------------------------------------
# A clean site


def test_clean_site_exits_0_with_a_one_line_summary(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = run_build_py("validate", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"charterpress: {site}: 1 charter valid\n"


def test_clean_site_in_json_is_an_empty_list(tmp_path: Path) -> None:
    result = invoke("validate", "--site", str(make_site(tmp_path)), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"errors": 0, "warnings": 0, "diagnostics": []}


def test_warnings_alone_exit_0_and_are_shown(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, "site_config.yml", "[en, pt-PT]", "[en, pt]")
    result = invoke("validate", "--site", str(site))
    assert result.exit_code == 0
    assert headlines(result.stderr) == [("site_config.yml:7:17", "warning", "CP209")]
    assert result.stderr.endswith(f"charterpress: {site}: 1 charter valid (0 errors, 1 warning)\n")


def test_without_site_the_current_folder_is_validated(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = run_build_py("validate", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "charterpress: .: 1 charter valid\n"


# ---------------------------------------------------------------------------------------------
# A site with problems


def test_all_problems_of_all_files_in_one_run_sorted(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    break_several_files(site)
    result = invoke("validate", "--site", str(site))
    assert result.exit_code == 1
    assert headlines(result.stderr) == [
        ("charter/another.yml:2:1", "error", "CP104"),
        ("charter/help.yml:7:3", "error", "CP105"),
        ("charter/zeta.yml:1:11", "error", "CP102"),
        ("site_config.yml:8:12", "error", "CP210"),
    ]
    assert result.stderr.endswith("charterpress: 4 errors, 0 warnings; nothing was written\n")
    assert result.stdout == ""


def test_json_output_holds_every_diagnostic_with_its_position(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    break_several_files(site)
    result = invoke("validate", "--site", str(site), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["errors"] == 4
    assert document["warnings"] == 0
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]] == [
        ("charter/another.yml", 2, 1, "CP104"),
        ("charter/help.yml", 7, 3, "CP105"),
        ("charter/zeta.yml", 1, 11, "CP102"),
        ("site_config.yml", 8, 12, "CP210"),
    ]
    for diagnostic in document["diagnostics"]:
        assert diagnostic["hint"]
        assert diagnostic["message"]
        assert diagnostic["level"] == "error"
        assert diagnostic["name"]


def test_text_output_shows_the_line_a_caret_and_a_hint(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  role: Head of Customer Service\n", "  role: A\n  role: B\n")
    result = invoke("validate", "--site", str(site))
    assert result.stderr == (
        "charter/help.yml:7:3: error[CP105]: the key 'role' is written twice in the same block "
        "(first at line 6, column 3)\n"
        " 7 |   role: B\n"
        "   |   ^\n"
        "  = hint: remove one of the two, or merge them; YAML would silently keep only the last "
        "one\n"
        "\n"
        "charterpress: 1 error, 0 warnings; nothing was written\n"
    )


def test_no_traceback_for_hostile_input(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    charters = site / "charter"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 9) + "]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    (charters / "bomb.yml").write_text(bomb, encoding="utf-8")
    (charters / "brackets.yml").write_text("[" * 1000, encoding="utf-8")
    (charters / "braces.yml").write_text("{a: " * 5000, encoding="utf-8")
    (charters / "binary.yml").write_bytes(bytes(range(256)) * 4)
    (charters / "tag.yml").write_text("a: !!python/object/apply:os.system [ls]\n")
    (charters / "nul.yml").write_bytes(b"title: \x00\n")
    (charters / "list.yml").write_text("- 1\n- 2\n", encoding="utf-8")
    (charters / "scalar.yml").write_text("42\n", encoding="utf-8")
    (charters / "deep.yml").write_text(
        "".join("  " * i + f"k{i}:\n" for i in range(200)), encoding="utf-8"
    )
    result = run_build_py("validate", "--site", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert {code for _, _, code in headlines(result.stderr)} == {
        "CP102",
        "CP106",
        "CP107",
        "CP104",
        "CP108",
        "CP110",
    }


# ---------------------------------------------------------------------------------------------
# Bugs inside Charterpress (CP900)


def _boom(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("a bug planted by the test")


def test_internal_bug_exits_2_with_a_short_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate_module, "validate_site", _boom)
    result = invoke("validate", "--site", str(make_site(tmp_path)))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error[CP900]: Charterpress stopped because of a bug")
    assert "ZeroDivisionError: a bug planted by the test" in result.stderr
    assert "rerun the same command with --debug" in result.stderr
    assert len(result.stderr.splitlines()) == 2


@pytest.mark.parametrize(
    "args", [["--debug", "validate"], ["validate", "--debug"]], ids=["before", "after"]
)
def test_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setattr(validate_module, "validate_site", _boom)
    result = invoke(*args, "--site", str(make_site(tmp_path)))
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError: a bug planted by the test" in result.stderr
    assert "error[CP900]" in result.stderr


def test_internal_bug_in_json_is_a_cp900_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validate_module, "validate_site", _boom)
    result = invoke("validate", "--site", str(make_site(tmp_path)), "--format", "json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [d["code"] for d in document["diagnostics"]] == ["CP900"]
    assert "--debug" in document["diagnostics"][0]["hint"]


# ---------------------------------------------------------------------------------------------
# Options (CP901)


def test_missing_site_folder_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = invoke("validate", "--site", str(missing))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error[CP901]: the site folder '{missing}' does not exist\n"
        "  = hint: pass --site with the folder that holds site_config.yml and charter/\n"
    )


def test_site_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = invoke("validate", "--site", str(site / "site_config.yml"))
    assert result.exit_code == 1
    assert "is a file, not a folder" in result.stderr
    assert "error[CP901]" in result.stderr


def test_site_without_sources_reports_what_is_missing(tmp_path: Path) -> None:
    result = invoke("validate", "--site", str(tmp_path))
    assert result.exit_code == 1
    assert [(pos, code) for pos, _, code in headlines(result.stderr)] == []
    assert result.stderr.startswith("site_config.yml: error[CP112]: the site folder has no ")


@pytest.mark.parametrize("today", ["2025-13-01", "tomorrow", "31/03/2025"])
def test_invalid_today_is_cp901(tmp_path: Path, today: str) -> None:
    result = invoke("validate", "--site", str(make_site(tmp_path)), "--today", today)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error[CP901]: --today '{today}' is not a date")
    assert "YYYY-MM-DD" in result.stderr


def test_invalid_source_date_epoch_is_cp901(tmp_path: Path) -> None:
    result = invoke(
        "validate", "--site", str(make_site(tmp_path)), env={"SOURCE_DATE_EPOCH": "yesterday"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error[CP901]: SOURCE_DATE_EPOCH 'yesterday'")
    assert "seconds since 1970-01-01" in result.stderr


# ---------------------------------------------------------------------------------------------
# codes


def test_codes_lists_every_code() -> None:
    from charterpress.diagnostics import REGISTRY

    result = invoke("codes")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(REGISTRY)


def test_codes_as_json() -> None:
    from charterpress.diagnostics import REGISTRY

    entries = json.loads(invoke("codes", "--format", "json").stdout)
    assert [e["code"] for e in entries] == list(REGISTRY)
    assert all(e["explanation"] and e["summary"] and e["name"] for e in entries)
