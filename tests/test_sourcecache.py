"""Source files kept between runs (charterpress/sourcecache.py): reused only while unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fullsite import CHARTER, PROCEDURE, TODAY, make_site, replace

from charterpress import load as load_module
from charterpress import validate as validate_module
from charterpress.cache import CACHE_DIR, BuildCache
from charterpress.cli import main
from charterpress.diagnostics import Diagnostic, SourcePos, sort_diagnostics
from charterpress.sourcecache import SLOT, STAGE
from charterpress.validate import ValidatedSite, validate_site
from charterpress.yamlsource import YamlDocument


class Calls:
    """Count the files parsed and checked against the model."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        self.checked: list[str] = []
        parse, check = load_module.load_yaml_text, validate_module.check_document

        def counted_parse(text: str, file: str) -> Any:
            self.parsed.append(file)
            return parse(text, file)

        def counted_check(document: Any, model: Any) -> Any:
            self.checked.append(document.file)
            return check(document, model)

        monkeypatch.setattr(load_module, "load_yaml_text", counted_parse)
        monkeypatch.setattr(validate_module, "check_document", counted_check)

    def clear(self) -> None:
        self.parsed.clear()
        self.checked.clear()


def validated(site: Path, today: dt.date = TODAY) -> list[Diagnostic]:
    """Validate SITE with its build cache; return the diagnostics, sorted."""
    cache = BuildCache.open(site / CACHE_DIR)
    return sort_diagnostics(validate_site(site, today, cache).diagnostics)


def overrun(site: Path) -> None:
    """Give the procedure's steps more time than the charter promises (CP309)."""
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 8 hours\n")
    replace(site, PROCEDURE, "    within: 1 working_days\n", "    within: 2 working_days\n")


def test_unchanged_files_are_neither_parsed_nor_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    overrun(site)
    calls = Calls(monkeypatch)
    first = validated(site)
    assert [d.code for d in first] == ["CP309"]
    assert calls.parsed and calls.checked
    calls.clear()
    second = validated(site)
    assert second == first  # the same diagnostics, at the same positions, in the same words
    assert (calls.parsed, calls.checked) == ([], [])
    assert second == sort_diagnostics(validate_site(site, TODAY).diagnostics)  # without the cache


def test_a_cross_check_runs_again_when_a_file_it_reads_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    overrun(site)
    assert [d.code for d in validated(site)] == ["CP309"]
    calls = Calls(monkeypatch)
    # The charter promises more time: the unchanged procedure's steps now fit.
    replace(site, CHARTER, "      within: 2 working_days\n", "      within: 5 working_days\n")
    assert validated(site) == []
    assert calls.parsed == [CHARTER]
    # And back: the staff-time check runs again, and its diagnostic points into the unchanged
    # procedure, whose positions are made from its text when asked for.
    replace(site, CHARTER, "      within: 5 working_days\n", "      within: 2 working_days\n")
    (problem,) = validated(site)
    assert (problem.code, str(problem.pos)) == ("CP309", f"{PROCEDURE}:16:13")


def test_a_new_build_date_runs_the_date_checks_again(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    overrun(site)
    assert validated(site) == sort_diagnostics(validate_site(site, TODAY).diagnostics)
    later = TODAY + dt.timedelta(days=400)
    assert validated(site, later) == sort_diagnostics(validate_site(site, later).diagnostics)


def test_a_file_with_a_problem_is_read_again_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    replace(
        site, PROCEDURE, "title: Answering an e-mail\n", "title: Answering an e-mail\ntitle: x\n"
    )
    first = validated(site)
    assert [d.code for d in first] == ["CP105"]
    calls = Calls(monkeypatch)
    assert validated(site) == first
    assert calls.parsed == [PROCEDURE]


def test_a_damaged_entry_is_read_as_a_miss(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    overrun(site)
    first = validated(site)
    (entry,) = (site / CACHE_DIR / STAGE / SLOT).glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:-100])
    assert validated(site) == first


def test_the_command_keeps_the_cache_unless_told_not_to(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    today = ["--today", TODAY.isoformat(), "--site", str(site)]
    result = CliRunner().invoke(main, ["validate", "--no-cache", *today])
    assert result.exit_code == 0, result.output
    assert not (site / CACHE_DIR).exists()
    for _ in range(2):
        result = CliRunner().invoke(main, ["validate", *today])
        assert result.exit_code == 0, result.output
        assert "1 charter valid" in result.output
    assert list((site / CACHE_DIR / STAGE / SLOT).glob("*.pickle"))


def test_a_reused_file_gives_the_same_data_models_and_positions(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    validated(site)
    reused = validate_site(site, TODAY, BuildCache.open(site / CACHE_DIR)).site
    fresh = validate_site(site, TODAY).site
    assert reused is not None and fresh is not None
    assert reused.config == fresh.config
    assert {k: s.charter for k, s in reused.charters.items()} == {
        k: s.charter for k, s in fresh.charters.items()
    }
    assert {k: s.procedure for k, s in reused.procedures.items()} == {
        k: s.procedure for k, s in fresh.procedures.items()
    }
    assert [r.results for r in reused.results] == [r.results for r in fresh.results]
    for old, new in zip(documents(reused), documents(fresh), strict=True):
        assert (old.file, old.digest) == (new.file, new.digest)
        assert old.data == new.data
        assert (old.values, old.keys) == (new.values, new.keys)


def documents(site: ValidatedSite) -> list[YamlDocument]:
    """Return every document of SITE."""
    return [
        site.config_document,
        *(source.document for source in site.charters.values()),
        *(source.document for source in site.procedures.values()),
        *(source.document for source in site.results),
    ]


def test_data_that_cannot_be_unpickled_is_read_again_from_the_text() -> None:
    document = YamlDocument("a.yml", None, source=b"a: 1\nb: [x]\n", pickled_data=b"not a pickle")
    assert document.data == {"a": 1, "b": ["x"]}
    assert document.pos(("b", 0)) == SourcePos("a.yml", 2, 5)
