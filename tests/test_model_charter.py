"""Rejections of the charter's clocks, fallbacks, compensation, measures, versions and complaints.

Each case edits one line of tests/roots/full/charter/desk.yml and asserts the exact code and
file:line:column of the one diagnostic.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from fullsite import CHARTER, make_site, only, outcome, replace

from charterpress.model import Charter, Commitment, Compensation

CASES = [
    # Compensation: a fixed amount, or a base plus an amount per day late with a cap.
    (
        "fixed-and-base",
        "      currency: EUR\n",
        "      currency: EUR\n      fixed: 10\n",
        "CP206",
        60,
        14,
    ),
    ("per-day-without-cap", "      cap: 20\n", "", "CP206", 61, 21),
    ("cap-below-base", "      cap: 20\n", "      cap: 4\n", "CP206", 62, 12),
    ("claim-without-window", "      claim_within: 13 weeks\n", "", "CP206", 63, 13),
    ("currency-not-offered", "      currency: EUR\n", "      currency: USD\n", "CP207", 59, 17),
    ("negative-amount", "      base: 5\n", "      base: -5\n", "CP204", 60, 13),
    ("payment-unknown", "      paid: on_claim\n", "      paid: later\n", "CP207", 63, 13),
    # Clocks.
    ("cutoff-not-a-time", '      cutoff: "17:00"\n', '      cutoff: "5pm"\n', "CP205", 36, 15),
    (
        "pauses-overlap",
        '      cutoff: "17:00"\n',
        "      paused:\n        - {id: a, between: '00:00-08:00'}\n"
        "        - {id: b, between: '07:00-09:00'}\n",
        "CP206",
        37,
        9,
    ),
    (
        "pause-all-day",
        '      cutoff: "17:00"\n',
        "      paused:\n        - {id: a, between: '00:00-24:00'}\n",
        "CP206",
        37,
        9,
    ),
    ("clock-start-unknown", '      cutoff: "17:00"\n', "      starts: later\n", "CP207", 36, 15),
    # Durations longer than ten years are typos.
    (
        "duration-too-long",
        "      within: 2 working_days\n",
        "      within: 5000 working_days\n",
        "CP204",
        34,
        15,
    ),
    (
        "hours-too-long",
        "      within: 60 seconds\n",
        "      within: 100000 hours\n",
        "CP204",
        46,
        15,
    ),
    # A channel with hours must be open some day.
    (
        "never-open",
        '      monday: "09:00-18:00"\n      tuesday: "09:00-18:00"\n'
        '      wednesday: "09:00-18:00"\n      thursday: "09:00-18:00"\n'
        '      friday: "09:00-18:00"\n',
        "      monday: []\n",
        "CP206",
        14,
        7,
    ),
    # A fallback needs its own timeframe.
    ("fallback-without-within", "      within: 4 opening_hours\n", "", "CP201", 48, 7),
    # Effective-dated targets must be listed in order of their dates.
    (
        "changes-out-of-order",
        "    indicator: reply-time\n  - id: phone",
        "    indicator: reply-time\n    changes:\n"
        "      - {id: b, effective: 2026-07-01, target: {kind: every_case, within: 1 day}}\n"
        "      - {id: a, effective: 2026-01-01, target: {kind: every_case, within: 3 days}}\n"
        "  - id: phone",
        "CP206",
        40,
        7,
    ),
    # Indicators and SMART objectives.
    (
        "frequency-unknown",
        "    frequency: monthly\n",
        "    frequency: sometimes\n",
        "CP207",
        77,
        16,
    ),
    (
        "deadline-before-baseline",
        "    deadline: 2025-06-30\n",
        "    deadline: 2024-06-30\n",
        "CP206",
        88,
        15,
    ),
    ("baseline-and-target-differ", "    target: 2 minutes\n", "    target: 50\n", "CP206", 87, 13),
    (
        "target-equals-baseline",
        "    target: 2 minutes\n",
        "    target: 4 minutes\n",
        "CP206",
        87,
        13,
    ),
    (
        "data-source-missing",
        "    data_source: The ticket system's monthly report.\n",
        "",
        "CP201",
        73,
        5,
    ),
    # Complaints.
    (
        "first-stage-not-acknowledge",
        "      kind: acknowledge\n",
        "      kind: investigate\n",
        "CP206",
        96,
        5,
    ),
    (
        "external-without-body",
        "      body:\n        name: Provedor do Cliente\n",
        "",
        "CP206",
        102,
        13,
    ),
    ("stage-kind-unknown", "      kind: external\n", "      kind: court\n", "CP207", 102, 13),
    # Versions and reviews.
    (
        "effective-before-approval",
        "    effective: 2025-01-01\n",
        "    effective: 2024-11-01\n",
        "CP206",
        113,
        16,
    ),
    ("version-numbers-go-down", '    version: "2.0"\n', '    version: "0.9"\n', "CP206", 109, 3),
    ("version-not-a-number", '    version: "2.0"\n', "    version: two\n", "CP205", 115, 14),
    ("next-review-before-last", "  next: 2026-12-01\n", "  next: 2025-06-01\n", "CP206", 121, 9),
]


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "column"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_charter_rejection(
    tmp_path: Path, old: str, new: str, code: str, line: int, column: int
) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, old, new)
    problem = only(site)
    assert (problem.code, str(problem.pos)) == (code, f"{CHARTER}:{line}:{column}")
    assert problem.hint


def test_the_pause_message_names_both_pauses(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        CHARTER,
        '      cutoff: "17:00"\n',
        "      paused:\n        - {id: a, between: '00:00-08:00'}\n"
        "        - {id: b, between: '07:00-09:00'}\n",
    )
    assert only(site).message == "the pauses 00:00-08:00 and 07:00-09:00 overlap"


# ---------------------------------------------------------------------------------------------
# What the model computes


def charter(tmp_path: Path) -> Charter:
    """Return the full site's charter."""
    site = outcome(make_site(tmp_path)).site
    assert site is not None
    return site.charters["desk"].charter


def test_compensation_per_day_late_with_a_cap(tmp_path: Path) -> None:
    compensation = charter(tmp_path).commitments[2].compensation
    assert compensation is not None
    day = dt.date(2026, 3, 2)
    assert compensation.amount_for(0, day) == Decimal(5)
    assert compensation.amount_for(3, day) == Decimal(11)
    assert compensation.amount_for(30, day) == Decimal(20)  # the cap


def test_compensation_amounts_change_from_a_date() -> None:
    compensation = Compensation.model_validate(
        {
            "currency": "CZK",
            "fixed": 250,
            "paid": "automatic",
            "changes": [{"id": "y2027", "effective": "2027-01-01", "fixed": 300}],
        }
    )
    assert compensation.amount_for(5, dt.date(2026, 12, 31)) == Decimal(250)
    assert compensation.amount_for(5, dt.date(2027, 1, 1)) == Decimal(300)


def test_target_in_force_on_a_date() -> None:
    commitment = Commitment.model_validate(
        {
            "id": "reply",
            "title": "Replies",
            "promise": "We reply.",
            "target": {"kind": "every_case", "within": "3 working_days"},
            "changes": [
                {
                    "id": "faster",
                    "effective": "2026-07-01",
                    "target": {"kind": "every_case", "within": "2 working_days"},
                }
            ],
        }
    )
    assert str(commitment.target_on(dt.date(2026, 6, 30)).within) == "3 working_days"  # type: ignore[union-attr]
    assert str(commitment.target_on(dt.date(2026, 7, 1)).within) == "2 working_days"  # type: ignore[union-attr]
    assert len(commitment.targets_from(dt.date(2026, 3, 1))) == 2
    assert len(commitment.targets_from(dt.date(2026, 8, 1))) == 1


def test_version_in_force_on_the_build_date(tmp_path: Path) -> None:
    desk = charter(tmp_path)
    assert desk.version_on(dt.date(2024, 12, 31)) is None
    assert desk.version_on(dt.date(2025, 12, 31)).version == "1.0"  # type: ignore[union-attr]
    assert desk.version_on(dt.date(2026, 1, 1)).version == "2.0"  # type: ignore[union-attr]
