"""Rejections of procedures (charter/procedures/<id>.yml) and results files, at exact positions.

Each case edits tests/roots/full and asserts the exact code and file:line:column of the one
diagnostic.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fullsite import PROCEDURE, RESULTS, append, make_site, only, replace

PROCEDURE_CASES = [
    ("roles-missing", "roles:\n  - id: agent\n    name: Agent\n", "", "CP201", 1, 1),
    ("step-key-misspelt", "    within: 4 hours\n", "    whithin: 4 hours\n", "CP202", 12, 5),
    ("step-limit-not-a-duration", "    within: 4 hours\n", "    within: 4 hrs\n", "CP205", 12, 13),
    ("step-limit-negative", "    within: 4 hours\n", "    within: -4 hours\n", "CP204", 12, 13),
    ("step-without-action", "    action: Write the answer.\n", "", "CP201", 13, 5),
    ("next-review-before-last", "  next: 2026-06-01\n", "  next: 2025-06-01\n", "CP206", 28, 9),
    (
        "approved-after-effective",
        "  approved: 2025-12-01\n",
        "  approved: 2026-02-01\n",
        "CP206",
        25,
        14,
    ),
]

APPENDED_CASES = [
    (
        "authority-currency-twice",
        "authority:\n  - id: refund\n    role: agent\n    may: Refund an order.\n"
        "    up_to: [50 EUR, 60 EUR]\n",
        "CP206",
        33,
        12,
    ),
    (
        "authority-amount-not-money",
        "authority:\n  - id: refund\n    role: agent\n    may: Refund an order.\n"
        "    up_to: [fifty]\n",
        "CP205",
        33,
        13,
    ),
    (
        "interaction-model-without-stages",
        "interaction_model:\n  id: five-as\n  name: The 5 A's\n  stages: []\n",
        "CP201",
        32,
        11,
    ),
    (
        "training-without-topics",
        "training:\n  - id: agents\n    role: agent\n",
        "CP201",
        30,
        5,
    ),
    (
        "metric-level-unknown",
        "metrics:\n  - id: on-time\n    name: On time\n    target: 95%\n    level: galaxy\n"
        "    kind: qualitative\n",
        "CP207",
        33,
        12,
    ),
    (
        "meetings-frequency-unknown",
        "meetings:\n  frequency: often\n  purpose: Review last week's cases.\n",
        "CP207",
        30,
        14,
    ),
]

RESULT_CASES = [
    ("not-met-without-cause", "    cause: A flu epidemic in January.\n", "", "CP206", 5, 13),
    ("met-without-value", "    value: 1.5 minutes\n", "", "CP206", 9, 13),
    ("sample-negative", "    value: 97.5\n", "    value: 97.5\n    sample: -1\n", "CP204", 5, 13),
    ("value-not-a-measure", "    value: 97.5\n", "    value: fast\n", "CP205", 4, 12),
    ("version-not-a-number", 'version: "1.0"\n', "version: v1\n", "CP205", 1, 10),
    ("status-unknown", "    status: not_met\n", "    status: missed\n", "CP207", 5, 13),
    ("result-key-misspelt", "    cause: A flu", "    casue: A flu", "CP202", 6, 5),
]


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [case[1:] for case in PROCEDURE_CASES],
    ids=[case[0] for case in PROCEDURE_CASES],
)
def test_procedure_rejection(
    tmp_path: Path, old: str, new: str, code: str, line: int, column: int
) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, old, new)
    problem = only(site)
    assert (problem.code, str(problem.pos)) == (code, f"{PROCEDURE}:{line}:{column}")


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [case[1:] for case in APPENDED_CASES],
    ids=[case[0] for case in APPENDED_CASES],
)
def test_procedure_section_rejection(
    tmp_path: Path, text: str, code: str, line: int, column: int
) -> None:
    site = make_site(tmp_path)
    append(site, PROCEDURE, text)
    problem = only(site)
    assert (problem.code, str(problem.pos)) == (code, f"{PROCEDURE}:{line}:{column}")


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [case[1:] for case in RESULT_CASES],
    ids=[case[0] for case in RESULT_CASES],
)
def test_result_rejection(
    tmp_path: Path, old: str, new: str, code: str, line: int, column: int
) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, old, new)
    problem = only(site)
    assert (problem.code, str(problem.pos)) == (code, f"{RESULTS}:{line}:{column}")


def test_a_missed_result_must_say_why(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "    cause: A flu epidemic in January.\n", "")
    assert only(site).message == "a result with status 'not_met' needs a 'cause'"
