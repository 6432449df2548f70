"""The i18n commands' build date (--today), and Babel's own pybabel reaching our extractor."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from charterpress.cli import main
from tests.conftest import BUILD_DATE, REPO, require_tool, run_build_py

PROMISE = "online:commitments/store-availability/promise"


run_cli = run_build_py


def test_pybabel_extract_reaches_the_charter_extractor(tmp_path: Path) -> None:
    """The babel.extractors entry point: a mapping file names the extractor charterpress_yaml."""
    mapping = tmp_path / "content.cfg"
    mapping.write_text("[charterpress_yaml: **.yml]\n", encoding="utf-8")
    out = tmp_path / "content.pot"
    result = subprocess.run(
        [require_tool("pybabel"), "extract", "-F", str(mapping), "-o", str(out), "charter"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with out.open("rb") as handle:
        extracted = read_po(handle)
    with (REPO / "locales/templates/content.pot").open("rb") as handle:
        template = read_po(handle)
    message = extracted.get(
        "Our online store, your account and order tracking are available at least 99.5% of the "
        "time, each month. Planned maintenance is announced a week ahead and done at night.",
        PROMISE,
    )
    assert message is not None
    # The same file and line as `i18n extract` wrote into the committed template.
    committed = template.get(message.id, PROMISE)
    assert committed is not None
    assert message.locations == committed.locations
    assert message.locations[0][0] == "charter/online.yml"
    assert "Audience: public (customers read it on the public site)" in message.auto_comments
    # Every text of charter/ (site_config.yml is outside it), with the contexts of i18n extract.
    expected = {m.context for m in template if m.id and not m.context.startswith("site_config:")}
    assert {m.context for m in extracted if m.id} == expected


def test_i18n_commands_take_the_build_date() -> None:
    """A results period not over on --today stops the content commands, as it stops validate."""
    result = run_cli(
        "i18n", "status", "--site", str(REPO), "--domain", "content", "--format", "json",
        "--today", "2026-03-15",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in found] == [
        ("CP315", "charter/results/online/2026-q1.yml", 1, 1),
        ("CP315", "charter/results/shops/2026-q1.yml", 1, 1),
    ]
    assert "not before the build date 2026-03-15" in found[0]["message"]
    later = run_cli(
        "i18n", "status", "--site", str(REPO), "--domain", "content", "--today", BUILD_DATE
    )
    assert later.returncode == 0, later.stderr


@pytest.mark.parametrize("command", ["extract", "update", "compile", "status", "check"])
def test_an_invalid_today_is_refused_by_every_i18n_command(command: str) -> None:
    args = ["i18n", command, "--site", str(REPO), "--domain", "ui", "--today", "2026-02-30"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        "error[CP901]: --today '2026-02-30' is not a date; write it as YYYY-MM-DD"
    ), result.stderr
