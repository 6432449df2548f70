"""The hostile corpus: every bad input ends with its exact diagnostic, exit 1, within the limits.

The cases are listed in tests/hostile/cases.yml; tests/hostile/harness.py makes each case's site
from tests/hostile/base/ and runs its command in a child process under CPU and address-space
limits (see harness.limits_for). All cases run once per module, in two runner processes side by
side (two cores); each test then checks one case's outcome.
"""

from __future__ import annotations

import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import require_tool

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))

import harness

CASES = harness.load_cases()
BY_ID = {case.id: case for case in CASES}
MIN_PER_CATEGORY = 5


# Positive controls: plain PyYAML reading a hostile file in full, then walking what it read.
_PARSE_IN_FULL = (
    "import json, sys, yaml; "
    "loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader); "
    "json.dumps(yaml.load(open(sys.argv[1], 'rb'), Loader=loader))"
)
CONTROLS = ("huge_yaml", "wide_bomb")


def _cost(job_id: str) -> float:
    """Guess the CPU seconds of a job, to share the jobs fairly between the two runners."""
    case = BY_ID.get(job_id)
    if job_id.startswith("example-"):
        return 1.5
    if job_id.startswith("control-") or (case is not None and case.known_bug and case.isolated):
        return harness.CPU_SECONDS  # runs until a limit stops it
    if case is None:
        return 0.5
    if case.command == "build" and case.known_bug:
        return 3.0
    return 1.0 if case.isolated else 0.2


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, harness.Outcome]:
    """Run every case and control once, on two runners (two cores); return outcomes by id."""
    root = tmp_path_factory.mktemp("hostile")
    jobs = [(case.id, argv) for case, argv in harness.prepare_all(CASES, root)]
    shutil.copytree(harness.BASE, root / "base")
    for command in ("validate", "i18n-check"):
        for name, site in (("base", root / "base"), ("example", harness.REPO)):
            jobs.append((f"{name}-{command}", [*harness.COMMANDS[command], "--site", str(site)]))
    for generator in CONTROLS:
        hostile = root / f"control-{generator}.yml"
        harness.GENERATORS[generator](hostile)
        jobs.append((f"control-{generator}", ["--python", _PARSE_IN_FULL, str(hostile)]))
    # Longest first, each to the runner with less work so far: both finish at about once.
    halves: tuple[list[tuple[str, list[str]]], ...] = ([], [])
    loads = [0.0, 0.0]
    for job in sorted(jobs, key=lambda j: -_cost(j[0])):
        lighter = loads.index(min(loads))
        halves[lighter].append(job)
        loads[lighter] += _cost(job[0])
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(harness.run_cases, halves))
    return {outcome.id: outcome for half in results for outcome in half}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=case.known_bug, strict=True)] if case.known_bug else [],
        )
        for case in CASES
    ],
)
def test_case_ends_with_its_diagnostic(
    case: harness.Case, outcomes: dict[str, harness.Outcome]
) -> None:
    """The case exits 1 with exactly its diagnostics, no traceback, and no limit hit."""
    if case.command == "i18n-check":
        require_tool("msgfmt")  # its findings (CP607) are part of the expected diagnostics
    outcome = outcomes[case.id]
    output = outcome.stdout + outcome.stderr
    assert "Traceback" not in output, output[-3000:]
    assert "MemoryError" not in output, output[-3000:]
    assert outcome.returncode >= 0, f"killed by signal {-outcome.returncode} (a limit was hit)"
    assert outcome.returncode == 1, output[-3000:]
    if case.count is None:
        assert outcome.diagnostics == list(case.expect), output[-3000:]
    else:
        assert outcome.diagnostics[: len(case.expect)] == list(case.expect)
        assert len(outcome.diagnostics) == case.count
    if case.message is not None:
        assert case.message in outcome.messages[0]


def test_every_category_has_five_cases() -> None:
    """The corpus holds at least five cases of each kind of hostile input."""
    categories: dict[str, int] = {}
    for case in CASES:
        categories[case.category] = categories.get(case.category, 0) + 1
    assert set(categories) == {
        "malformed-yaml",
        "duplicate-keys",
        "bombs-and-nesting",
        "huge-files",
        "wrong-values",
        "broken-references",
        "unsafe-paths",
        "malformed-po",
        "translation-mismatches",
    }
    assert all(n >= MIN_PER_CATEGORY for n in categories.values()), categories


@pytest.mark.parametrize("job", ["base-validate", "base-i18n-check"])
def test_base_site_is_valid(job: str, outcomes: dict[str, harness.Outcome]) -> None:
    """The base site itself validates and its catalogs check clean, under the same limits."""
    assert outcomes[job].returncode == 0, outcomes[job].stderr[-3000:]
    assert outcomes[job].diagnostics == [], outcomes[job].stderr[-3000:]


@pytest.mark.parametrize("generator", CONTROLS)
def test_limits_stop_a_full_parse(generator: str, outcomes: dict[str, harness.Outcome]) -> None:
    """A 50 MB file or an alias bomb that plain PyYAML reads and walks in full hits a limit."""
    control = outcomes[f"control-{generator}"]
    # Killed by SIGXCPU, or a MemoryError once the address space is used up: either way, not 0.
    assert control.returncode != 0
    assert control.returncode < 0 or "MemoryError" in control.stderr, control.stderr[-2000:]


@pytest.mark.parametrize("job", ["example-validate", "example-i18n-check"])
def test_limits_leave_room_for_the_example(job: str, outcomes: dict[str, harness.Outcome]) -> None:
    """The real example passes under the same limits (bench/hostile.py prints the margin)."""
    assert outcomes[job].returncode == 0, outcomes[job].stderr[-3000:]
