"""Cross-checks between charters, procedures and results, each at its exact file:line:column.

Each test copies tests/roots/full (a small valid site that uses every part of the model), breaks
one thing, and asserts the exact (code, position) that validation reports, on a pinned build date.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from fullsite import (
    CHARTER,
    PROCEDURE,
    RESULTS,
    append,
    diagnostics,
    found,
    make_site,
    only,
    outcome,
    replace,
)

from charterpress.diagnostics import Level


def test_the_full_site_is_valid(tmp_path: Path) -> None:
    result = outcome(make_site(tmp_path))
    assert result.diagnostics == []
    assert result.site is not None
    assert list(result.site.procedures) == ["answer"]
    assert [(r.charter_id, r.period.id) for r in result.site.results] == [("desk", "2025")]
    assert result.site.build_date == dt.date(2026, 3, 2)


# ---------------------------------------------------------------------------------------------
# References inside one file (CP302)


def test_unknown_indicator_of_a_commitment(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        CHARTER,
        "    indicator: reply-time\n  - id: phone",
        "    indicator: reply\n  - id: phone",
    )
    assert found(site) == [("CP302", f"{CHARTER}:38:16")]
    assert only(site).hint == "did you mean 'reply-time'?"


def test_unknown_channel_of_the_complaints_procedure(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  channels: [email]\n  reference", "  channels: [post]\n  reference")
    assert found(site) == [("CP302", f"{CHARTER}:93:14")]


def test_unknown_role_of_a_step(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "  - id: reply\n    role: agent", "  - id: reply\n    role: agnet")
    assert found(site) == [("CP302", f"{PROCEDURE}:14:11")]
    assert only(site).hint == "did you mean 'agent'?"


def test_unknown_step_of_a_delivery(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        PROCEDURE,
        "    commitment: email-reply\n",
        "    commitment: email-reply\n    steps: [read, answer]\n",
    )
    assert found(site) == [("CP302", f"{PROCEDURE}:20:19")]


def test_unknown_interaction_stage_of_a_step(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 4 hours\n    stage: assess\n")
    assert found(site) == [("CP302", f"{PROCEDURE}:13:12")]
    assert "interaction stage" in only(site).message


# ---------------------------------------------------------------------------------------------
# Across files: charters, commitments, periods, objectives, file ids


def test_procedure_delivers_an_unknown_charter(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "  - charter: desk\n", "  - charter: dsk\n")
    assert found(site) == [("CP304", f"{PROCEDURE}:18:14")]
    assert only(site).hint == "did you mean 'desk'?"


def test_results_for_an_unknown_charter(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.move(site / "charter/results/desk", site / "charter/results/help")
    assert found(site) == [("CP304", "charter/results/help/2025.yml:1:1")]


def test_procedure_delivers_an_unknown_commitment(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "    commitment: email-reply\n", "    commitment: email-replies\n")
    assert found(site) == [("CP305", f"{PROCEDURE}:19:17")]
    assert only(site).hint == "did you mean 'email-reply'?"


def test_procedure_delivers_an_unknown_variant(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        PROCEDURE,
        "    commitment: email-reply\n",
        "    commitment: email-reply\n    variant: urgent\n",
    )
    assert found(site) == [("CP305", f"{PROCEDURE}:20:14")]


def test_procedure_metric_names_an_unknown_indicator(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    append(
        site,
        PROCEDURE,
        "metrics:\n  - id: on-time\n    name: On time\n    target: 95%\n    level: team\n"
        "    kind: quantitative\n    indicator: replies\n",
    )
    assert found(site) == [("CP305", f"{PROCEDURE}:35:16")]


def test_result_for_an_unknown_commitment(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "  - id: wait\n", "  - id: waiting\n")
    assert found(site) == [("CP305", f"{RESULTS}:8:9")]


def test_results_file_not_named_after_a_period(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.move(site / RESULTS, site / "charter/results/desk/2025-h3.yml")
    assert found(site) == [("CP306", "charter/results/desk/2025-h3.yml:1:1")]


def test_result_for_an_unknown_objective(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "  - id: faster-wait\n", "  - id: faster\n")
    assert found(site) == [("CP307", f"{RESULTS}:12:9")]
    assert only(site).hint == "did you mean 'faster-wait'?"


def test_two_files_for_one_charter(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.copy(site / CHARTER, site / "charter/desk.yaml")
    assert found(site) == [("CP308", f"{CHARTER}:1:1")]
    assert "charter/desk.yaml" in only(site).message


def test_two_files_for_one_procedure(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.copy(site / PROCEDURE, site / "charter/procedures/answer.yaml")
    assert found(site) == [("CP308", f"{PROCEDURE}:1:1")]


def test_procedure_file_name_is_not_an_id(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.move(site / PROCEDURE, site / "charter/procedures/Answer.yml")
    assert found(site) == [("CP303", "charter/procedures/Answer.yml:1:1")]


# ---------------------------------------------------------------------------------------------
# Staff must not get more time than customers are promised (CP309, CP310)


def test_working_days_steps_overrun_a_working_days_promise(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 8 hours\n")
    replace(site, PROCEDURE, "    within: 1 working_days\n", "    within: 2 working_days\n")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP309", f"{PROCEDURE}:16:13")
    # Any request at 16:59, just before the 17:00 cut-off, loses a day: eight hours run into the
    # next day, and two working days count from there. The worst is Tuesday 31 March: Good Friday
    # (3 April) and the weekend stretch the staff's two working days to Monday 6 April.
    assert problem.message == (
        "staff may take longer than customers are promised: for a request received "
        "Tue 2026-03-31 16:59 (Europe/Lisbon) on channel 'email', the limits of the steps "
        "'read', 'reply' run until Mon 2026-04-06 23:59, but the promise '2 working_days' of "
        "desk/email-reply runs out Thu 2026-04-02 23:59"
    )


def test_limits_that_fit_exactly_are_accepted(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 1 working_days\n")
    assert found(site) == []


def test_hours_steps_overrun_an_hours_promise(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "      within: 2 working_days\n", "      within: 24 hours\n")
    replace(site, PROCEDURE, "    within: 1 working_days\n", "    within: 22 hours\n")
    problem = only(site)
    # 4 + 22 hours of staff time against 24 hours of promise: every request loses two hours;
    # the first one tried is the first minute of the build date.
    assert (problem.code, str(problem.pos)) == ("CP309", f"{PROCEDURE}:16:13")
    assert "received Mon 2026-03-02 00:00" in problem.message
    assert "run until Tue 2026-03-03 02:00" in problem.message
    assert "runs out Tue 2026-03-03 00:00" in problem.message


def test_a_night_pause_gives_the_promise_more_time(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "      within: 2 working_days\n", "      within: 24 hours\n")
    replace(
        site,
        CHARTER,
        '      cutoff: "17:00"\n',
        "      paused:\n        - id: night\n          between: '00:00-08:00'\n",
    )
    replace(site, PROCEDURE, "    within: 1 working_days\n", "    within: 22 hours\n")
    # Eight hours a night are not counted, so 24 hours of promise last at least 32 hours.
    assert found(site) == []


def test_opening_hours_steps_overrun_an_hours_promise(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "    commitment: email-reply\n", "    commitment: callback\n")
    replace(site, PROCEDURE, "    within: 1 working_days\n", "    within: 4 opening_hours\n")
    replace(site, CHARTER, "      within: 8 opening_hours\n", "      within: 8 hours\n")
    problem = only(site)
    # The phone line closes at 13:00 on Christmas Eve (an exception), the 25th is a holiday and
    # then comes a weekend: a call at 09:00 on the 24th waits for its 4 opening hours until
    # Monday 28, long after the 8 hours promised. The second step is the one that overruns.
    assert (problem.code, str(problem.pos)) == ("CP309", f"{PROCEDURE}:16:13")
    assert "received Thu 2026-12-24 09:00 (Europe/Lisbon) on channel 'phone'" in problem.message
    assert "run until Mon 2026-12-28 13:00" in problem.message
    assert "runs out Thu 2026-12-24 17:00" in problem.message


def test_opening_hours_steps_fit_an_opening_hours_promise(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, PROCEDURE, "    commitment: email-reply\n", "    commitment: callback\n")
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 2 opening_hours\n")
    replace(site, PROCEDURE, "    within: 1 working_days\n", "    within: 6 opening_hours\n")
    assert found(site) == []


def test_a_later_stricter_target_is_checked_too(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        CHARTER,
        "    indicator: reply-time\n  - id: phone",
        "    indicator: reply-time\n    changes:\n      - id: faster\n"
        "        effective: 2026-07-01\n"
        "        target:\n          kind: every_case\n          within: 1 working_days\n"
        "  - id: phone",
    )
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 8 hours\n")
    # Eight hours and a working day fit within today's 2 working days, not within July's one.
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP309", f"{PROCEDURE}:16:13")
    assert "the promise '1 working_days'" in problem.message


def test_steps_that_deliver_a_fallback_must_fit_the_fallback(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        PROCEDURE,
        "    commitment: email-reply\n",
        "    commitment: email-reply\n  - charter: desk\n    commitment: phone-answer\n"
        "    fallback: true\n    steps: [reply]\n",
    )
    # A call-back is promised within 4 opening hours of the phone line; a working day is longer.
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP309", f"{PROCEDURE}:16:13")
    assert "on channel 'phone'" in problem.message
    assert "of desk/phone-answer (its fallback) runs out" in problem.message


def test_a_fallback_that_the_commitment_lacks(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        PROCEDURE,
        "    commitment: email-reply\n",
        "    commitment: email-reply\n    fallback: true\n",
    )
    assert found(site) == [("CP305", f"{PROCEDURE}:20:15")]


def test_a_delivery_serves_a_variant_or_the_fallback(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        PROCEDURE,
        "    commitment: email-reply\n",
        "    commitment: email-reply\n    variant: fast\n    fallback: true\n",
    )
    assert found(site) == [("CP206", f"{PROCEDURE}:21:15")]


def test_opening_hours_without_a_channel_cannot_be_compared(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        CHARTER,
        "    channels: [email]\n    target:\n      kind: every_case\n      within: 2",
        "    target:\n      kind: every_case\n      within: 2",
    )
    replace(site, PROCEDURE, "    within: 4 hours\n", "    within: 4 opening_hours\n")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP310", f"{PROCEDURE}:12:13")
    assert problem.hint == "state the limit in working_days, the kind of time of the promise"


# ---------------------------------------------------------------------------------------------
# Results against their charter (CP311-CP315)


def test_met_status_with_a_value_below_the_target(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        RESULTS,
        "    value: 1.5 minutes\n    status: met\n",
        "    value: 150 seconds\n    status: met\n",
    )
    assert found(site) == [("CP311", f"{RESULTS}:10:13")]


def test_not_met_status_with_a_value_that_reaches_the_target(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "    value: 97.5\n", "    value: 100\n")
    assert found(site) == [("CP311", f"{RESULTS}:5:13")]


def test_objective_met_when_its_value_went_the_wrong_way(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "    value: 2 minutes\n", "    value: 3 minutes\n")
    assert found(site) == [("CP311", f"{RESULTS}:14:13")]


def test_a_duration_where_a_percentage_is_measured(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "    value: 97.5\n", "    value: 2 working_days\n")
    assert found(site) == [("CP312", f"{RESULTS}:4:12")]


def test_a_percentage_above_100(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "    value: 97.5\n", "    value: 975\n")
    assert found(site) == [("CP312", f"{RESULTS}:4:12")]


def test_a_number_where_an_objective_measures_time(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "    value: 2 minutes\n", "    value: 2\n")
    assert found(site) == [("CP312", f"{RESULTS}:13:12")]


def test_no_version_in_force_on_the_build_date(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.rmtree(site / "charter/results")
    problem = only(site, dt.date(2024, 12, 31))
    assert (problem.code, str(problem.pos), problem.level) == (
        "CP313",
        f"{CHARTER}:113:16",
        Level.WARNING,
    )
    assert outcome(site, dt.date(2024, 12, 31)).site is not None  # a warning only


def test_results_name_another_version(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, 'version: "1.0"\n', 'version: "2.0"\n')
    assert found(site) == [("CP314", f"{RESULTS}:1:10")]
    assert "version 1.0 was in force at the end of 2025 (2025-12-31)" in only(site).message


def test_results_for_a_period_that_has_not_ended(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert found(site, dt.date(2025, 12, 31)) == [("CP315", f"{RESULTS}:1:1")]


# ---------------------------------------------------------------------------------------------
# Every problem of every file in one run


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  - id: wait\n", "  - id: wait\n    colour: red\n")
    replace(site, PROCEDURE, "  - charter: desk\n", "  - charter: dsk\n")
    replace(
        site, PROCEDURE, "    role: agent\n    action: Write", "    role: boss\n    action: Write"
    )
    replace(site, RESULTS, "    status: not_met\n", "    status: missed\n")
    shutil.copy(site / RESULTS, site / "charter/results/desk/2025-x.yml")
    assert found(site) == [
        ("CP202", f"{CHARTER}:66:5"),
        ("CP302", f"{PROCEDURE}:14:11"),
        ("CP304", f"{PROCEDURE}:18:14"),
        ("CP306", "charter/results/desk/2025-x.yml:1:1"),
        ("CP207", "charter/results/desk/2025-x.yml:5:13"),
        ("CP207", f"{RESULTS}:5:13"),
    ]
    assert diagnostics(site)  # and nothing raised


def test_a_results_file_outside_a_charter_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.copy(site / RESULTS, site / "charter/results/2025.yml")
    assert found(site) == [("CP304", "charter/results/2025.yml:1:1")]
    assert only(site).hint == "move it to charter/results/<charter id>/2025.yml"


def test_results_and_procedures_of_a_charter(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    shutil.copy(site / RESULTS, site / "charter/results/desk/2025-h2.yml")
    result = outcome(site).site
    assert result is not None
    assert [r.period.id for r in result.results_for("desk")] == ["2025", "2025-h2"]
    assert result.results_for("help") == []
    assert [p.id for p in result.procedures_for("desk", "email-reply")] == ["answer"]
    assert result.procedures_for("desk", "wait") == []
    desk = result.charters["desk"].charter
    assert result.results[0].version(desk).version == "1.0"  # type: ignore[union-attr]


def test_a_commitment_reported_twice_in_one_period(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, RESULTS, "  - id: wait\n", "  - id: email-reply\n")
    # Both are reported: the repeat, and its value (a duration), which is not a percentage.
    assert found(site) == [("CP301", f"{RESULTS}:8:9"), ("CP312", f"{RESULTS}:9:12")]
