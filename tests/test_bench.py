"""The benchmark's generator and script: the generated site validates, the script runs.

No figure is asserted: timings depend on the machine. bench/run.py prints them.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from charterpress import i18n
from charterpress.diagnostics import has_errors
from charterpress.validate import validate_site

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 6, 1)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generate = _load("generate")


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a generated site of three charters (a full pair and a lone shops charter)."""
    site = tmp_path_factory.mktemp("bench") / "site"
    generate.generate(site, 3, seed=7)
    return site


def test_generated_site_validates_with_every_part(small_site: Path) -> None:
    outcome = validate_site(small_site, TODAY)
    assert outcome.site is not None
    assert not has_errors(outcome.diagnostics), outcome.diagnostics
    assert sorted(outcome.site.charters) == ["online-0000", "shops-0000", "shops-0001"]
    assert len(outcome.site.procedures) == 3
    assert len(outcome.site.results) == 6


def test_generated_catalogs_are_complete_and_pass_the_check(small_site: Path) -> None:
    outcome = validate_site(small_site, TODAY)
    assert outcome.site is not None
    domain = i18n.content_domain(outcome.site)
    assert [lang.gettext for lang in domain.languages] == ["pt_PT", "ca", "cs", "ro"]
    states, problems = i18n.status(domain)
    assert problems == []
    assert all(s.counts.untranslated == 0 and s.counts.fuzzy == 0 for s in states)
    assert i18n.check(domain, msgfmt=False, site=outcome.site) == []


def test_generation_is_deterministic(tmp_path: Path, small_site: Path) -> None:
    again = tmp_path / "again"
    generate.generate(again, 3, seed=7)
    files = sorted(p.relative_to(small_site) for p in small_site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (small_site / name).read_bytes() == (again / name).read_bytes(), name


def test_pseudo_translation_keeps_what_must_not_change() -> None:
    source = (
        "We answer 95% of calls within {minutes} minutes at https://www.example.test/help/ "
        "or help@example.test, see `ref-42` and <strong>1,234.5</strong> [here](../x/)."
    )
    translated = generate.pseudo_translate(source, "cs")
    assert translated != source
    assert "https://www.example.test/help/" in translated and "help@example.test" in translated
    assert "{minutes}" in translated and "`ref-42`" in translated and "](../x/)" in translated
    assert i18n.compare(source, translated, "en", "cs") == []


def test_generate_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate.generate(tmp_path, 1)


@pytest.mark.slow
def test_run_quick_prints_its_table(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--quick",
            "--sizes",
            "1",
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| N "))
    assert "cold s" in header and "yardstick s" in header and "serve edit s" in header
    assert "charter edit/cold" in header
    row = lines[lines.index(header) + 2].split("|")
    assert row[1].strip() == "1" and int(row[2]) > 0  # charters, pages
    figures = json.loads(report.read_text(encoding="utf-8"))["sizes"][0]["measures"]
    assert "cold_build" in figures
    # A rebuild says what the cache reused; the cold build found nothing to reuse.
    assert figures["edit_translation"]["runs"][0]["reused"].startswith("reused ")
    assert "reused 0 of" in figures["cold_build"]["runs"][0]["reused"]
    assert "N=1 edit_translation: reused " in completed.stdout
    # The edit was seen in the running serve: one timed run, after the save.
    (serve_run,) = figures["serve_edit"]["runs"]
    assert serve_run["seconds"] > 0
