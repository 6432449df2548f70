"""Diagnostics as values: ordering, text and JSON formats, source excerpts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charterpress.diagnostics import (
    REGISTRY,
    Diagnostic,
    Level,
    SourceLines,
    SourcePos,
    error,
    format_json,
    format_summary,
    format_text,
    has_errors,
    line_and_column,
    registry_markdown,
    sort_diagnostics,
    split_lines,
)


def test_error_takes_its_level_from_the_registry() -> None:
    assert error("CP105", "m").level is Level.ERROR
    assert error("CP111", "m").level is Level.WARNING
    assert error("CP209", "m").level is Level.WARNING


def test_has_errors_ignores_warnings() -> None:
    assert not has_errors([error("CP111", "bom", SourcePos("a.yml", 1, 1))])
    assert has_errors([error("CP111", "bom"), error("CP105", "dup")])


def test_sorted_by_file_line_column_then_code_without_repeats() -> None:
    late = error("CP105", "x", SourcePos("b.yml", 2, 1))
    early_column = error("CP203", "y", SourcePos("b.yml", 1, 9))
    earlier_column = error("CP204", "z", SourcePos("b.yml", 1, 3))
    same_place = error("CP202", "w", SourcePos("b.yml", 1, 3))
    other_file = error("CP104", "v", SourcePos("a.yml", 9, 9))
    unplaced = error("CP901", "u")
    ordered = sort_diagnostics(
        [late, early_column, earlier_column, late, same_place, other_file, unplaced]
    )
    assert ordered == [unplaced, other_file, same_place, earlier_column, early_column, late]


def test_position_prints_as_file_line_column() -> None:
    assert str(SourcePos("charter/a.yml", 3, 7)) == "charter/a.yml:3:7"
    assert str(SourcePos("charter/")) == "charter/"


def test_summary_counts_errors_and_warnings() -> None:
    assert format_summary([]) == "0 errors, 0 warnings"
    assert format_summary([error("CP105", "x"), error("CP111", "y")]) == "1 error, 1 warning"
    assert format_summary([error("CP105", "x")] * 2) == "2 errors, 0 warnings"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "a.yml").write_text("title: x\n\tkey: value\nlast: 'é'\n", encoding="utf-8")
    return tmp_path


def test_text_format_with_excerpt_caret_and_hint(site: Path) -> None:
    diagnostic = error("CP203", "expected text", SourcePos("a.yml", 1, 8), "put it in quotes")
    assert format_text(diagnostic, SourceLines(site)) == (
        "a.yml:1:8: error[CP203]: expected text\n"
        " 1 | title: x\n"
        "   |        ^\n"
        "  = hint: put it in quotes"
    )


def test_caret_follows_a_tab_shown_as_spaces(site: Path) -> None:
    diagnostic = error("CP104", "tab", SourcePos("a.yml", 2, 2))
    assert format_text(diagnostic, SourceLines(site)).splitlines()[1:] == [
        " 2 |     key: value",
        "   |     ^",
    ]


def test_control_characters_are_shown_as_one_visible_mark(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_bytes(b"a: x\x1b[31my\n")
    diagnostic = error("CP104", "control", SourcePos("a.yml", 1, 9))
    assert format_text(diagnostic, SourceLines(tmp_path)).splitlines()[1:] == [
        " 1 | a: x\ufffd[31my",
        "   |         ^",
    ]


def test_excerpt_counts_lines_as_yaml_does(tmp_path: Path) -> None:
    # A form feed is not a line break for YAML, but Python's splitlines() breaks there.
    (tmp_path / "a.yml").write_bytes(b"a: 1\x0c2\r\nb: 3\rc: 4\n")
    lines = SourceLines(tmp_path)
    assert lines.line("a.yml", 1) == "a: 1\x0c2"
    assert lines.line("a.yml", 2) == "b: 3"
    assert lines.line("a.yml", 3) == "c: 4"
    assert lines.line("a.yml", 4) is None


def test_excerpt_skips_a_byte_order_mark(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert SourceLines(tmp_path).line("a.yml", 1) == "a: 1"


def test_without_a_line_there_is_no_excerpt(site: Path) -> None:
    missing = error("CP112", "no file", SourcePos("nope.yml"), "create it")
    assert format_text(missing, SourceLines(site)) == (
        "nope.yml: error[CP112]: no file\n  = hint: create it"
    )
    unplaced = error("CP901", "bad option")
    assert format_text(unplaced) == "error[CP901]: bad option"


def test_long_lines_are_cut_in_the_excerpt(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("a: " + "x" * 500 + "\n", encoding="utf-8")
    text = format_text(error("CP104", "m", SourcePos("a.yml", 1, 400)), SourceLines(tmp_path))
    excerpt, caret = text.splitlines()[1:3]
    assert excerpt.endswith("…") and len(excerpt) == len(" 1 | ") + 201
    assert caret == "   | " + " " * 201 + "^"


def test_json_format_holds_every_field() -> None:
    document = json.loads(
        format_json(
            [
                error("CP105", "dup", SourcePos("a.yml", 3, 5), "remove one"),
                error("CP111", "bom", SourcePos("b.yml", 1, 1)),
                error("CP901", "bad option"),
            ]
        )
    )
    assert document["errors"] == 2
    assert document["warnings"] == 1
    assert document["diagnostics"][0] == {
        "level": "error",
        "code": "CP105",
        "name": "duplicate-key",
        "message": "dup",
        "file": "a.yml",
        "line": 3,
        "column": 5,
        "hint": "remove one",
    }
    assert document["diagnostics"][2]["file"] is None


def test_json_keeps_non_ascii_text() -> None:
    text = format_json([Diagnostic("CP203", "'Atenção' is text", SourcePos("a.yml", 1, 1))])
    assert "Atenção" in text


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\n\n", ["a", ""]),
        ("a\r\nb\rc\nd", ["a", "b", "c", "d"]),
        ("a\x85b\u2028c\u2029d", ["a", "b", "c", "d"]),
        ("a\x0cb\x0bc\x1cd", ["a\x0cb\x0bc\x1cd"]),
    ],
)
def test_split_lines_breaks_where_yaml_breaks(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


def test_line_and_column_of_an_index() -> None:
    text = "ab\r\ncd\ref"
    assert line_and_column(text, 0) == (1, 1)
    assert line_and_column(text, 1) == (1, 2)
    assert line_and_column(text, 4) == (2, 1)
    assert line_and_column(text, 8) == (3, 2)


def test_registry_codes_are_unique_well_formed_and_documented() -> None:
    for code, entry in REGISTRY.items():
        assert code == entry.code
        assert len(code) == 5 and code.startswith("CP") and code[2:].isdigit()
        assert entry.name and entry.name == entry.name.lower() and " " not in entry.name
        assert entry.summary and not entry.summary.endswith(".")
        assert entry.explanation.strip()
    names = [entry.name for entry in REGISTRY.values()]
    assert len(names) == len(set(names))


def test_registry_markdown_has_a_section_per_code_and_says_how_to_regenerate() -> None:
    markdown = registry_markdown()
    assert "python build.py codes --format markdown > docs/diagnostics.md" in markdown
    for code, entry in REGISTRY.items():
        assert f"\n### {code} {entry.name}\n" in markdown
    assert "\n## Reading files\n" in markdown
    assert "\n## The run itself\n" in markdown
