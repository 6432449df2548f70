"""The YAML loader: what it reads, how it reads it, and where it says each value was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charterpress import yamlsource
from charterpress.yamlsource import (
    MAX_DEPTH,
    Mark,
    YamlDocument,
    load_yaml_file,
    load_yaml_text,
    read_source_text,
)


def load(text: str) -> YamlDocument:
    """Load TEXT, which must be valid."""
    document, diagnostics = load_yaml_text(text, "f.yml")
    assert diagnostics == []
    assert document is not None
    return document


def data(text: str) -> Any:
    """Load TEXT and return its data."""
    return load(text).data


def rejected(text: str) -> tuple[str, str, str]:
    """Load TEXT, which must fail with one diagnostic; return its code, position and message."""
    document, diagnostics = load_yaml_text(text, "f.yml")
    assert document is None
    assert len(diagnostics) == 1, diagnostics
    found = diagnostics[0]
    return found.code, str(found.pos), found.message


# ---------------------------------------------------------------------------------------------
# Values stay what was written


@pytest.mark.parametrize(
    "written",
    ["yes", "no", "Yes", "NO", "on", "off", "On", "y", "n", "Y", "N"],
)
def test_yaml_1_1_booleans_stay_text(written: str) -> None:
    assert data(f"a: {written}\n") == {"a": written}


@pytest.mark.parametrize(
    "written",
    ["08:30", "1:20:30", "190:20:30", "9:00-18:00", "-1:30"],
)
def test_sexagesimal_numbers_and_times_stay_text(written: str) -> None:
    assert data(f"a: {written}\n") == {"a": written}


@pytest.mark.parametrize(
    "written",
    [
        "0123",
        "00",
        "012.5",
        "0o17",
        "0x1F",
        "0b101",
        "1_000",
        "+0123",
        ".inf",
        "-.inf",
        ".nan",
        "1e3",
        "2E5",
    ],
)
def test_numbers_that_yaml_1_1_reads_otherwise_stay_text(written: str) -> None:
    assert data(f"a: {written}\n") == {"a": written}


@pytest.mark.parametrize(
    "written",
    ["2024-01-31", "2024-01-31T10:00:00Z", "2001-12-14 21:59:43.10 -5"],
)
def test_dates_and_timestamps_stay_text(written: str) -> None:
    assert data(f"a: {written}\n") == {"a": written}


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("+12", 12),
        ("0", 0),
        ("99.5", 99.5),
        ("1.5e3", 1500.0),
        ("-2.5E-1", -0.25),
        (".5", 0.5),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("null", None),
        ("~", None),
        ("", None),
        ("'12'", "12"),
        ('"true"', "true"),
        ("+351 210 000 000", "+351 210 000 000"),
        ("! 12", "12"),
        ("!!str 12", "12"),
        ("!!float 1", 1.0),
        ("!!int 12", 12),
        ("!!bool true", True),
        ("!!null ''", None),
    ],
)
def test_plain_values_resolve_by_the_yaml_1_2_core_schema(written: str, value: Any) -> None:
    result = data(f"a: {written}\n")["a"]
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("1", "1"),
        ("true", "true"),
        ("yes", "yes"),
        ("null", "null"),
        ("~", "~"),
        ("0123", "0123"),
        ("1.0", "1.0"),
        ("'quoted'", "quoted"),
        ("08:30", "08:30"),
    ],
)
def test_keys_are_always_the_written_text(written: str, key: str) -> None:
    assert data(f"{written}: v\n") == {key: "v"}


def test_a_yaml_1_1_directive_does_not_bring_back_1_1_booleans() -> None:
    assert data("%YAML 1.1\n---\na: yes\n") == {"a": "yes"}


def test_a_document_end_marker_is_one_document() -> None:
    assert data("---\na: 1\n...\n") == {"a": 1}


# ---------------------------------------------------------------------------------------------
# Merge keys and aliases


def test_merge_key_keeps_the_mappings_own_keys() -> None:
    document = load("base: &b {x: 1, y: 2}\nm:\n  x: 3\n  <<: *b\n")
    assert document.data["m"] == {"x": 3, "y": 2}
    assert document.values[("m", "x")] == Mark(3, 6)  # where x: 3 is written
    assert document.keys[("m", "x")] == Mark(3, 3)
    assert document.values[("m", "y")] == Mark(4, 3)  # where the merge brings y in
    assert document.keys[("m", "y")] == Mark(4, 3)


def test_merge_of_several_mappings_lets_the_first_win() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n"
    assert data(text)["m"] == {"x": 1, "y": 2}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert data("m:\n  '<<': 1\n") == {"m": {"<<": 1}}


def test_merge_of_a_scalar_is_refused() -> None:
    assert rejected("a: &a 1\nm:\n  <<: *a\n")[:2] == ("CP110", "f.yml:3:3")


def test_merged_keys_that_repeat_a_key_are_not_duplicates() -> None:
    assert data("<<: {a: 1}\na: 2\n") == {"a": 2}


def test_two_merge_keys_are_duplicates() -> None:
    assert rejected("a: &a {x: 1}\nm:\n  <<: *a\n  <<: *a\n")[:2] == ("CP105", "f.yml:4:3")


def test_values_reached_through_an_alias_are_placed_at_the_alias() -> None:
    document = load("a: &x\n  b: 1\nc: *x\n")
    assert document.data == {"a": {"b": 1}, "c": {"b": 1}}
    assert document.values[("a", "b")] == Mark(2, 6)
    assert document.values[("c", "b")] == Mark(3, 4)
    assert document.pos(("c", "b")).line == 3


def test_an_alias_used_as_a_key_gives_the_written_text() -> None:
    assert data("a: &k key\n*k : 2\n") == {"a": "key", "key": 2}


def test_an_alias_key_that_repeats_a_key_is_a_duplicate() -> None:
    assert rejected("a: &k key\nkey: 1\n*k : 2\n")[:2] == ("CP105", "f.yml:3:1")


def test_undefined_alias() -> None:
    code, pos, message = rejected("a: *nope\n")
    assert (code, pos) == ("CP104", "f.yml:1:4")
    assert "&nope" in message


def test_a_large_file_without_aliases_is_not_an_alias_bomb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yamlsource, "MAX_VALUES", 1000)
    document = load("a:\n" + "  - x\n" * 2500)
    assert len(document.data["a"]) == 2500
    assert rejected("a: &a [" + "x, " * 999 + "x]\nb: *a\n")[:2] == ("CP106", "f.yml:2:4")


# ---------------------------------------------------------------------------------------------
# Positions


def test_positions_of_values_and_keys() -> None:
    document = load("title: Hello\nitems:\n  - id: one\n    text: 'One'\n")
    assert document.values[("title",)] == Mark(1, 8)
    assert document.keys[("title",)] == Mark(1, 1)
    assert document.values[("items", 0)] == Mark(3, 5)
    assert document.values[("items", 0, "text")] == Mark(4, 11)
    assert str(document.pos(("items", 0, "text"))) == "f.yml:4:11"
    assert str(document.pos(("items", 0, "text"), key=True)) == "f.yml:4:5"


def test_position_of_a_missing_path_is_its_nearest_ancestor() -> None:
    document = load("a:\n  b: 1\n")
    assert str(document.pos(("a", "missing", 3))) == "f.yml:2:3"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028", "\x85"])
def test_lines_are_counted_as_yaml_counts_them(newline: str) -> None:
    code, pos, _ = rejected(f"a: 1{newline}b: 2{newline}a: 3{newline}")
    assert (code, pos) == ("CP105", "f.yml:3:1")


def test_columns_count_characters_not_bytes() -> None:
    assert rejected("\U0001f600: 1\nb: {ção: 1, ção: 2}\n")[:2] == ("CP105", "f.yml:2:13")


# ---------------------------------------------------------------------------------------------
# Refusals, at the exact place


@pytest.mark.parametrize(
    ("text", "code", "pos"),
    [
        ("a: 1\na: 2\n", "CP105", "f.yml:2:1"),
        ("a:\n  b: 1\n  b: 2\n", "CP105", "f.yml:3:3"),
        ("- a: 1\n  a: 2\n", "CP110", "f.yml:1:1"),
        ("l:\n  - a: 1\n    a: 2\n", "CP105", "f.yml:3:5"),
        ("? a\n? a\n", "CP105", "f.yml:2:3"),
        ("a: {b: 1, b: 2}\n", "CP105", "f.yml:1:11"),
        ("", "CP103", "f.yml:1:1"),
        ("# only a comment\n", "CP103", "f.yml:1:1"),
        ("---\n", "CP103", "f.yml:1:1"),
        ("~\n", "CP103", "f.yml:1:1"),
        ("- a\n- b\n", "CP110", "f.yml:1:1"),
        ("just text\n", "CP110", "f.yml:1:1"),
        ("a: 1\n---\nb: 2\n", "CP109", "f.yml:2:1"),
        ("a: 1\n--- \n", "CP109", "f.yml:2:1"),
        ("a: !!python/object:os.system x\n", "CP108", "f.yml:1:4"),
        ("a: !!python/name:os.system\n", "CP108", "f.yml:1:4"),
        ("a: !!set {x, y}\n", "CP108", "f.yml:1:4"),
        ("a: !!binary aGVsbG8=\n", "CP108", "f.yml:1:4"),
        ("a: !!timestamp 2024-01-01\n", "CP108", "f.yml:1:4"),
        ("!!python/str k: v\n", "CP108", "f.yml:1:1"),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n", "CP108", "f.yml:3:4"),
        ("a: !!int 'x'\n", "CP205", "f.yml:1:4"),
        ("? [a, b]\n: 1\n", "CP113", "f.yml:1:3"),
        ("? {a: 1}\n: 1\n", "CP113", "f.yml:1:3"),
        ("'': 1\n", "CP113", "f.yml:1:1"),
        ("a: &a\n  b: *a\n", "CP106", "f.yml:2:6"),
        ("[" * 1000, "CP107", "f.yml:1:33"),
        ("{a: " * 40 + "1" + "}" * 40 + "\n", "CP107", "f.yml:1:129"),
        ("a:\n\tb: 1\n", "CP104", "f.yml:2:1"),
        ("a:\n  \tb: 1\n", "CP104", "f.yml:2:3"),
        ("a: 'open\n", "CP104", "f.yml:1:4"),
        ("a: [1, 2\nb: 3\n", "CP104", "f.yml:1:4"),
        ("a: {x: 1\nb: 3\n", "CP104", "f.yml:1:4"),
        ("a: @home\n", "CP104", "f.yml:1:4"),
        ("a: `x`\n", "CP104", "f.yml:1:4"),
        ("a: foo: bar\n", "CP104", "f.yml:1:7"),
        ("a: 1\nb\nc: 2\n", "CP104", "f.yml:2:1"),
        ("a:\n  b: 1\n c: 2\n", "CP104", "f.yml:3:2"),
        ("a:\n  - 1\n  b: 2\n", "CP104", "f.yml:3:3"),
        ("key: 'it's'\n", "CP104", "f.yml:1:10"),
        ('a: "C:\\path"\n', "CP104", "f.yml:1:7"),
        ("a: 1\nb: x\x0cy\n", "CP104", "f.yml:2:5"),
        ("a: 1\nb: \x00\n", "CP104", "f.yml:2:4"),
        ("a: ]\n", "CP104", "f.yml:1:4"),
        ("a: & x\n", "CP104", "f.yml:1:5"),
        ("%FOO\na: 1\n", "CP104", "f.yml:1:1"),
    ],
)
def test_refusals(text: str, code: str, pos: str) -> None:
    assert rejected(text)[:2] == (code, pos)


def test_deep_nesting_that_fits_the_bound_is_read() -> None:
    # The root mapping is one level; MAX_DEPTH - 1 lists fit inside it.
    depth = MAX_DEPTH - 1
    expected: list[Any] = []
    for _ in range(depth - 1):
        expected = [expected]
    assert data("a: " + "[" * depth + "]" * depth + "\n")["a"] == expected


def test_messages_speak_plainly() -> None:
    assert rejected("a:\n\tb: 1\n")[2] == "a tab character: YAML allows only spaces for indenting"
    assert rejected("a: @home\n")[2] == "a value cannot start with '@'"
    assert rejected("a: [1, 2\nb: 3\n")[2] == "the '[' that opens here is never closed"
    assert rejected("a: 1\nb\nc: 2\n")[2] == "this line has no ':' after its key"
    assert rejected("a: 1\na: 2\n")[2] == (
        "the key 'a' is written twice in the same block (first at line 1, column 1)"
    )
    assert "U+000C" in rejected("a: x\x0c\n")[2]


# ---------------------------------------------------------------------------------------------
# Reading the bytes


def test_byte_order_mark_is_removed_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    document, diagnostics = load_yaml_file(path, "f.yml")
    assert document is not None and document.data == {"a": 1}
    assert [(d.code, str(d.pos), d.level.value) for d in diagnostics] == [
        ("CP111", "f.yml:1:1", "warning")
    ]


def test_not_utf8_points_at_the_bad_byte_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_bytes(b"a: 1\r\nb: caf\xe9\n")
    text, diagnostics = read_source_text(path, "f.yml")
    assert text is None
    assert [(d.code, str(d.pos)) for d in diagnostics] == [("CP102", "f.yml:2:7")]


def test_bom_then_latin1_points_where_the_editor_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_bytes(b"\xef\xbb\xbfa: caf\xe9\n")
    _, diagnostics = read_source_text(path, "f.yml")
    assert [(d.code, str(d.pos)) for d in diagnostics] == [("CP102", "f.yml:1:7")]


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    _, diagnostics = read_source_text(tmp_path / "nope.yml", "nope.yml")
    assert [d.code for d in diagnostics] == ["CP100"]


@pytest.mark.parametrize(
    ("text", "pos", "message", "hint"),
    [
        (
            "owner:\n  role: A\n   name: B\n",
            "f.yml:3:4",
            "this line is indented more than the key on line 2, so YAML reads it as more of "
            "that key's value",
            "start this line in the same column as the key on line 2 (2 spaces from the left)",
        ),
        (
            "title: x\n  y: 1\n",
            "f.yml:2:3",
            "this line is indented more than the key on line 1, so YAML reads it as more of "
            "that key's value",
            "start this line in the same column as the key on line 1 (at the very start of the "
            "line)",
        ),
        (
            "title\nscope: all\n",
            "f.yml:1:1",
            "this line has no ':' after its key",
            "write 'key: value', with a space after the colon",
        ),
        (
            "summary: Atenção: clientes\n",
            "f.yml:1:17",
            "the value holds ': ', which YAML reads as the start of another key",
            "put the whole value in quotes: summary: 'Atenção: clientes'",
        ),
        (
            "summary: it's: here\n",
            "f.yml:1:14",
            "the value holds ': ', which YAML reads as the start of another key",
            'put the whole value in quotes: summary: "it\'s: here"',
        ),
        (
            'title: "Help\nscope: "all"\n',
            "f.yml:1:8",
            'the quote " that opens here is not closed on this line, so YAML reads everything '
            'up to the next " (line 2) as one text',
            'add the closing " at the end of the text',
        ),
    ],
)
def test_syntax_errors_point_where_the_fix_goes(
    text: str, pos: str, message: str, hint: str
) -> None:
    document, diagnostics = load_yaml_text(text, "f.yml")
    assert document is None
    assert [(str(d.pos), d.message, d.hint) for d in diagnostics] == [(pos, message, hint)]
