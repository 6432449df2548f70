"""Every rejection of the loader and the model, at its exact file:line:column, via validate_site.

Each test copies tests/roots/minimal (a small valid site), breaks one thing, and asserts the exact
list of (code, position) that validation reports.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from charterpress import yamlsource
from charterpress.diagnostics import Diagnostic, Level, sort_diagnostics
from charterpress.validate import validate_site
from tests.fullsite import replace

TODAY = dt.date(2025, 3, 31)  # the build date is pinned: nothing depends on the clock
MINIMAL = Path(__file__).resolve().parent / "roots" / "minimal"
CHARTER = "charter/help.yml"
CONFIG = "site_config.yml"


def make_site(tmp_path: Path) -> Path:
    """Return a private copy of the minimal valid site."""
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    return site


def diagnostics(site: Path) -> list[Diagnostic]:
    """Validate SITE and return its diagnostics, sorted."""
    return sort_diagnostics(validate_site(site, TODAY).diagnostics)


def found(site: Path) -> list[tuple[str, str]]:
    """Validate SITE and return (code, 'file:line:column') of each diagnostic, sorted."""
    return [(d.code, str(d.pos)) for d in diagnostics(site)]


def only(site: Path) -> Diagnostic:
    """Validate SITE and return its one diagnostic."""
    found = diagnostics(site)
    assert len(found) == 1, found
    return found[0]


def test_minimal_site_is_valid(tmp_path: Path) -> None:
    outcome = validate_site(make_site(tmp_path), TODAY)
    assert outcome.diagnostics == []
    assert outcome.site is not None
    assert list(outcome.site.charters) == ["help"]


# ---------------------------------------------------------------------------------------------
# Duplicate keys (CP105): YAML would silently keep the last one


def test_duplicate_key_at_the_top_level(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_text(
        (site / CHARTER).read_text() + "title: Another title\n", encoding="utf-8"
    )
    assert found(site) == [("CP105", f"{CHARTER}:25:1")]
    assert "first at line 1, column 1" in only(site).message


def test_duplicate_key_in_a_nested_mapping(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  role: Head of Customer Service\n", "  role: A\n  role: B\n")
    assert found(site) == [("CP105", f"{CHARTER}:7:3")]
    assert "'role'" in only(site).message


def test_duplicate_key_in_a_list_item(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "    name: Telephone\n", "    name: Telephone\n    name: Phone\n")
    assert found(site) == [("CP105", f"{CHARTER}:11:5")]
    assert "first at line 10, column 5" in only(site).message


def test_duplicate_key_written_once_quoted_and_once_plain(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "scope: The help desk.\n", "scope: The help desk.\n'scope': Again\n")
    assert found(site) == [("CP105", f"{CHARTER}:4:1")]


# ---------------------------------------------------------------------------------------------
# Unknown keys (CP202) with a suggestion


def test_unknown_key_at_the_top_level_suggests_the_known_one(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "vision:", "visoin:")
    assert found(site) == [("CP201", f"{CHARTER}:1:1"), ("CP202", f"{CHARTER}:4:1")]
    missing, unknown = diagnostics(site)
    assert missing.hint == "add a line 'vision: ...' to the file"
    assert unknown.message == "unknown key 'visoin'"
    assert unknown.hint == "did you mean 'vision'?"


def test_unknown_key_in_a_list_item_suggests_the_known_one(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "    response_commitment:", "    response_comitment:")
    unknown = only(site)
    assert (unknown.code, str(unknown.pos)) == ("CP202", f"{CHARTER}:15:5")
    assert unknown.hint == "did you mean 'response_commitment'?"


def test_unknown_key_in_site_config_nested_mapping(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "  legal_name:", "  legalname:")
    assert found(site) == [("CP201", f"{CONFIG}:3:3"), ("CP202", f"{CONFIG}:4:3")]
    assert diagnostics(site)[1].hint == "did you mean 'legal_name'?"


def test_unknown_key_without_a_close_match_lists_the_known_keys(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  role: Head of Customer Service\n", "  role: Head\n  zzz: 1\n")
    unknown = only(site)
    assert (unknown.code, str(unknown.pos)) == ("CP202", f"{CHARTER}:7:3")
    assert unknown.hint.startswith("known keys here: role")


# ---------------------------------------------------------------------------------------------
# Wrong types (CP203)


def test_unquoted_phone_number_is_a_number_where_text_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, '"+351 210 000 000"', "+351210000000")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP203", f"{CHARTER}:11:14")
    assert "351210000000" in problem.message
    assert "quotes" in problem.hint


def test_text_where_a_list_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "channels: [phone]", "channels: phone")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP203", f"{CHARTER}:20:15")
    assert "list" in problem.hint


def test_a_boolean_is_not_read_as_a_percentage(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "percent: 90", "percent: true")
    assert found(site) == [("CP203", f"{CHARTER}:23:16")]


def test_an_empty_value_where_text_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "title: Help desk charter", "title:")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP203", f"{CHARTER}:1:7")
    assert "title:" in problem.hint


def test_yes_is_text_not_a_boolean_where_a_number_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "percent: 90", "percent: yes")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP203", f"{CHARTER}:23:16")
    assert "'yes'" in problem.message


# ---------------------------------------------------------------------------------------------
# Impossible values (CP204, CP206) and formats (CP205)


def test_negative_duration(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "within: 60 seconds", "within: -5 minutes")
    assert found(site) == [("CP204", f"{CHARTER}:24:15")]


def test_hour_25_is_not_a_time_of_day(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, '"09:00-18:00"', '"09:00-25:00"')
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP204", f"{CHARTER}:13:15")
    assert "25:00" in problem.message


def test_closing_before_opening(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, '"09:00-18:00"', '"18:00-09:00"')
    assert found(site) == [("CP206", f"{CHARTER}:13:15")]


def test_closing_before_opening_in_a_list_of_intervals(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, '"14:00-18:00"', '"18:00-14:00"')
    assert found(site) == [("CP206", f"{CHARTER}:14:32")]


def test_percentage_above_100(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "percent: 90", "percent: 120")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP204", f"{CHARTER}:23:16")
    assert "120" in problem.message


def test_percentage_with_a_percent_sign(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "percent: 90", "percent: 90%")
    assert found(site) == [("CP205", f"{CHARTER}:23:16")]


def test_a_lowercase_country_code_suggests_the_capitals(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        CONFIG,
        "  legal_name: Minimal Lda.\n",
        "  legal_name: Minimal Lda.\n  address:\n    street: Rua 1\n    postal_code: '1000-001'\n"
        "    city: Lisboa\n    country: pt\n",
    )
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP213", f"{CONFIG}:9:14")
    assert problem.hint.startswith("did you mean 'PT' (Portugal)? ")


def test_a_tag_whose_value_does_not_fit(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "percent: 90", "percent: !!int ninety")
    assert found(site) == [("CP205", f"{CHARTER}:23:16")]


def test_unknown_choice_suggests_the_closest(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "kind: percent_within", "kind: percent_witin")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP207", f"{CHARTER}:22:13")
    assert problem.hint == "did you mean 'percent_within'?"


def test_missing_required_field(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "      percent: 90\n", "")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP201", f"{CHARTER}:22:7")
    assert "'percent'" in problem.message
    assert problem.hint == "add a line 'percent: ...' under 'target'"


def test_overlapping_intervals_point_at_their_day(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, '"14:00-18:00"', '"12:00-18:00"')
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP206", f"{CHARTER}:14:16")
    assert "tuesday" in problem.message


# ---------------------------------------------------------------------------------------------
# Languages, time zones, holiday calendars, paths (CP208-CP212)


def test_unknown_language(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "[en, pt-PT]", "[en, de]")
    assert found(site) == [("CP208", f"{CONFIG}:7:17")]


def test_pt_is_read_as_european_portuguese_with_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "[en, pt-PT]", "[en, pt]")
    outcome = validate_site(site, TODAY)
    assert [(d.code, str(d.pos), d.level) for d in outcome.diagnostics] == [
        ("CP209", f"{CONFIG}:7:17", Level.WARNING)
    ]
    assert outcome.site is not None
    assert outcome.site.config.languages == ["en", "pt-PT"]


def test_unknown_time_zone(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "Europe/Lisbon", "Europe/Lisboa")
    assert found(site) == [("CP210", f"{CONFIG}:8:12")]


def test_unknown_holiday_calendar(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "holidays: PT", "holidays: XX")
    assert found(site) == [("CP211", f"{CONFIG}:9:11")]


def test_logo_path_outside_the_site(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "holidays: PT\n", "holidays: PT\nbranding:\n  logo: ../logo.svg\n")
    assert found(site) == [("CP212", f"{CONFIG}:11:9")]


def test_logo_that_does_not_exist(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "holidays: PT\n", "holidays: PT\nbranding:\n  logo: assets/logo.svg\n")
    assert found(site) == [("CP212", f"{CONFIG}:11:9")]


# ---------------------------------------------------------------------------------------------
# Cross-checks (CP301-CP303)


def test_duplicate_id_in_a_list(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(
        site,
        CHARTER,
        "commitments:\n",
        "  - id: phone\n    kind: email\n    name: E-mail\n    address: help@example.com\n"
        "commitments:\n",
    )
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP301", f"{CHARTER}:16:9")
    assert "first at line 8" in problem.message


def test_reference_to_an_unknown_id_suggests_the_closest(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "channels: [phone]", "channels: [phon]")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP302", f"{CHARTER}:20:16")
    assert problem.hint == "did you mean 'phone'?"


def test_charter_file_name_that_is_not_an_id(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).rename(site / "charter" / "Help Desk.yml")
    assert found(site) == [("CP303", "charter/Help Desk.yml:1:1")]


def test_charter_named_like_the_contacts_page_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).rename(site / "charter" / "contacts.yml")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP303", "charter/contacts.yml:1:1")
    assert "contacts page" in problem.message
    assert problem.hint == "rename it, for example to charter/contacts-charter.yml"


# ---------------------------------------------------------------------------------------------
# What the loader refuses before the model sees anything


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[index]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    (site / CHARTER).write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = only(site)
    # 10**5 values come from line 5 (e) and 10**6 would come from line 6 (f): the limit is crossed
    # while line 6 expands, at one of its aliases.
    assert problem.code == "CP106"
    assert problem.pos is not None
    assert (problem.pos.file, problem.pos.line) == (CHARTER, 6)
    assert problem.pos.column in range(8, len(lines[5]) + 1)


def test_billion_laughs_position_is_exact(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    text = "".join(
        f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        for prev, name in zip("abcdefg", "bcdefgh", strict=True)
    )
    (site / CHARTER).write_text("a: &a [x, x, x, x, x, x, x, x, x]\n" + text, encoding="utf-8")
    # Each alias copies its list and everything in it: *a 10 values, *b 91, *c 820, *d 7381,
    # *e 66430. Lines 2 to 5 expand to 74,718 values; on line 6 the second *e (column 12) takes
    # the count past 200,000.
    assert found(site) == [("CP106", f"{CHARTER}:6:12")]


def test_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_text("a: &a\n  b: *a\n", encoding="utf-8")
    assert found(site) == [("CP106", f"{CHARTER}:2:6")]


def test_nesting_deeper_than_the_bound(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_text("title: " + "[" * 40 + "]" * 40 + "\n", encoding="utf-8")
    # The root mapping and 31 lists fit in 32 levels; the 32nd '[' (column 8 + 31) does not.
    assert found(site) == [("CP107", f"{CHARTER}:1:39")]


def test_thousand_open_brackets_do_not_crash(tmp_path: Path) -> None:
    # PyYAML's own composer recurses once per level and dies with RecursionError here.
    site = make_site(tmp_path)
    (site / CHARTER).write_text("[" * 1000, encoding="utf-8")
    assert found(site) == [("CP107", f"{CHARTER}:1:33")]


def test_nesting_through_aliases_is_bounded(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 40)]
    (site / CHARTER).write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = only(site)
    assert problem.code == "CP107"
    assert str(problem.pos) == f"{CHARTER}:32:12"  # the alias *a30 on line 32 needs 33 levels


def test_latin1_file_points_at_the_first_bad_byte(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    text = (site / CHARTER).read_text(encoding="utf-8")
    text = text.replace("vision: Every customer", "vision: Atenção ao cliente")
    (site / CHARTER).write_bytes(text.encode("latin-1"))
    problem = only(site)
    # 'vision: Aten' is 12 characters: the 'ç' is at column 13.
    assert (problem.code, str(problem.pos)) == ("CP102", f"{CHARTER}:4:13")
    assert "0xe7" in problem.message
    assert "UTF-8" in problem.hint


def test_bad_byte_after_multibyte_characters_counts_characters(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_bytes("title: Atenção €".encode() + b" \xff\n")
    assert found(site) == [("CP102", f"{CHARTER}:1:18")]


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_bytes((site / CHARTER).read_text().encode("utf-16"))
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP102", f"{CHARTER}:1:1")
    assert "UTF-16" in problem.hint


def test_file_over_the_size_limit_with_a_lowered_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 400)  # site_config.yml is smaller
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP101", f"{CHARTER}:1:1")
    assert "the limit is 400 bytes" in problem.message


def test_real_file_over_the_size_limit(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with (site / CHARTER).open("r+b") as handle:  # sparse: no megabytes are written to disk
        handle.truncate(yamlsource.MAX_FILE_BYTES + 1)
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP101", f"{CHARTER}:1:1")


def test_empty_file(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_text("", encoding="utf-8")
    assert found(site) == [("CP103", f"{CHARTER}:1:1")]


def test_file_with_only_comments_is_empty(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_text("# to do\n\n# later\n", encoding="utf-8")
    assert found(site) == [("CP103", f"{CHARTER}:1:1")]


def test_list_at_the_root_where_a_mapping_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_text("# a list\n- title: Help\n- scope: all\n", encoding="utf-8")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP110", f"{CHARTER}:2:1")
    assert "'- '" in problem.hint


def test_list_inside_where_a_mapping_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  role: Head", "  - role: Head")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP110", f"{CHARTER}:6:3")
    assert problem.message == "expected a mapping (key: value) in 'owner', found a list"


def test_text_inside_where_a_mapping_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "owner:\n  role: Head of Customer Service", "owner: Head")
    assert found(site) == [("CP110", f"{CHARTER}:5:8")]


def test_python_object_tag_is_refused_and_never_run(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    marker = tmp_path / "ran"
    replace(
        site,
        CHARTER,
        "title: Help desk charter",
        f"title: !!python/object/apply:os.system ['touch {marker}']",
    )
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP108", f"{CHARTER}:1:8")
    assert "!!python/object/apply:os.system" in problem.message
    assert not marker.exists()


def test_custom_tag_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "percent: 90", "percent: !percent 90")
    assert found(site) == [("CP108", f"{CHARTER}:23:16")]


def test_multiple_documents(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with (site / CHARTER).open("a", encoding="utf-8") as handle:
        handle.write("---\ntitle: A second charter\n")
    assert found(site) == [("CP109", f"{CHARTER}:25:1")]


def test_tab_in_the_indentation(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "  role: Head", "\trole: Head")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP104", f"{CHARTER}:6:1")
    assert "tab" in problem.message


def test_unclosed_quote_points_at_the_opening_quote(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "title: Help desk charter", 'title: "Help desk charter')
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP104", f"{CHARTER}:1:8")
    assert problem.message.startswith('the quote " that opens here is not closed on this line')
    assert "(line 11)" in problem.message


def test_unclosed_quote_at_the_end_of_the_file(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "within: 60 seconds", "within: '60 seconds")
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP104", f"{CHARTER}:24:15")
    assert problem.message == "the quote ' that opens here is never closed"


def test_byte_order_mark_is_a_warning_and_the_site_stays_valid(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).write_bytes(b"\xef\xbb\xbf" + (site / CHARTER).read_bytes())
    outcome = validate_site(site, TODAY)
    assert [(d.code, str(d.pos), d.level) for d in outcome.diagnostics] == [
        ("CP111", f"{CHARTER}:1:1", Level.WARNING)
    ]
    assert outcome.site is not None


def test_byte_order_mark_does_not_shift_columns(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    text = (site / CHARTER).read_text().replace("title: Help", "title: @Help")
    (site / CHARTER).write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert found(site) == [("CP111", f"{CHARTER}:1:1"), ("CP104", f"{CHARTER}:1:8")]


def test_list_used_as_a_key(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "scope: The help desk.\n", "scope: The help desk.\n? [a, b]\n: c\n")
    assert found(site) == [("CP113", f"{CHARTER}:4:3")]


def test_empty_key(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CHARTER, "scope: The help desk.\n", 'scope: The help desk.\n"": c\n')
    assert found(site) == [("CP113", f"{CHARTER}:4:1")]


# ---------------------------------------------------------------------------------------------
# Files and folders


def test_missing_site_config(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CONFIG).unlink()
    problem = only(site)
    assert (problem.code, str(problem.pos)) == ("CP112", CONFIG)


def test_site_without_a_charter(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / CHARTER).unlink()
    assert found(site) == [("CP112", "charter/")]


def test_folder_where_a_charter_file_belongs(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "charter" / "folder.yml").mkdir()
    assert found(site) == [("CP100", "charter/folder.yml")]


def test_pipe_where_a_charter_file_belongs_does_not_block(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    os.mkfifo(site / "charter" / "pipe.yml")
    assert found(site) == [("CP100", "charter/pipe.yml")]


def test_every_problem_of_every_file_in_one_run(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    replace(site, CONFIG, "Europe/Lisbon", "Europe/Lisboa")
    replace(site, CHARTER, "percent: 90", "percent: 120")
    replace(site, CHARTER, '"09:00-18:00"', '"18:00-09:00"')
    (site / "charter" / "empty.yml").write_text("", encoding="utf-8")
    (site / "charter" / "tabs.yml").write_text("a:\n\tb: 1\n", encoding="utf-8")
    assert found(site) == [
        ("CP103", "charter/empty.yml:1:1"),
        ("CP206", f"{CHARTER}:13:15"),
        ("CP204", f"{CHARTER}:23:16"),
        ("CP104", "charter/tabs.yml:2:1"),
        ("CP210", f"{CONFIG}:8:12"),
    ]
