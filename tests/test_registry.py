"""Every diagnostic code is documented, tested, and listed in docs/diagnostics.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from charterpress.cli import main
from charterpress.diagnostics import REGISTRY

TESTS = Path(__file__).resolve().parent
DOC = TESTS.parent / "docs" / "diagnostics.md"


def _codes_in_tests() -> dict[str, list[str]]:
    """Map each CPnnn string found in the test sources (except this file) to the files."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == Path(__file__).name or "roots" in path.relative_to(TESTS).parts:
            continue
        for code in set(re.findall(r"\bCP\d{3}\b", path.read_text(encoding="utf-8"))):
            found.setdefault(code, []).append(path.name)
    return found


CODES_IN_TESTS = _codes_in_tests()


@pytest.mark.parametrize("code", list(REGISTRY))
def test_code_has_a_documentation_entry(code: str) -> None:
    entry = REGISTRY[code]
    assert entry.explanation.strip(), f"{code} has no explanation"
    assert entry.summary.strip(), f"{code} has no summary"


@pytest.mark.parametrize("code", list(REGISTRY))
def test_code_appears_in_a_test(code: str) -> None:
    assert code in CODES_IN_TESTS, (
        f"no test under tests/ mentions {code}: write one that produces it and asserts its "
        "exact file:line:column"
    )


def test_tests_mention_only_registered_codes() -> None:
    unknown = sorted(set(CODES_IN_TESTS) - set(REGISTRY))
    assert unknown == [], f"tests mention codes that are not in the registry: {unknown}"


def test_docs_diagnostics_md_is_the_generated_reference() -> None:
    result = CliRunner().invoke(main, ["codes", "--format", "markdown"], catch_exceptions=False)
    assert result.exit_code == 0
    assert DOC.read_text(encoding="utf-8") == result.stdout, (
        "docs/diagnostics.md is out of date: regenerate it with "
        "`python build.py codes --format markdown > docs/diagnostics.md`"
    )
