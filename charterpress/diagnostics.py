"""Diagnostics: problems found in a site's sources, as values that carry their source position."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Level(StrEnum):
    """How serious a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourcePos:
    """A 1-based line and column in a file, the file named relative to the site folder."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Code:
    """One entry of the diagnostic registry: what a code means and how to fix it in general."""

    code: str
    name: str
    level: Level
    summary: str
    explanation: str


@dataclass(frozen=True)
class Diagnostic:
    """One problem, where it is, and how to fix it."""

    code: str
    message: str
    pos: SourcePos | None = None
    hint: str = ""
    level: Level = Level.ERROR
    related: tuple[SourcePos, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line, column, then code."""
        if self.pos is None:
            return ("", 0, 0, self.code, self.message)
        return (self.pos.file, self.pos.line, self.pos.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        """Return this diagnostic as a JSON-ready mapping."""
        return {
            "level": self.level.value,
            "code": self.code,
            "name": REGISTRY[self.code].name if self.code in REGISTRY else "",
            "message": self.message,
            "file": self.pos.file if self.pos else None,
            "line": self.pos.line if self.pos else None,
            "column": self.pos.column if self.pos else None,
            "hint": self.hint,
        }


def _c(code: str, name: str, summary: str, explanation: str, level: Level = Level.ERROR) -> Code:
    return Code(code, name, level, summary, explanation)


# The one registry of every diagnostic code. docs/diagnostics.md is generated from it, and a test
# checks that each code has a test that produces it.
_CODES: tuple[Code, ...] = (
    # Reading files
    _c(
        "CP100",
        "file-unreadable",
        "a source file cannot be read",
        "The file exists but cannot be opened, or a folder stands where a file belongs.",
    ),
    _c(
        "CP101",
        "file-too-large",
        "a source file is larger than the size limit",
        "Charter sources are small. A file over the limit is refused before it is parsed, so a "
        "huge or generated file cannot exhaust the machine. Split it, or check that the right "
        "file was saved.",
    ),
    _c(
        "CP102",
        "not-utf8",
        "a source file is not valid UTF-8",
        "Every source file must be saved as UTF-8. The diagnostic points at the first byte that "
        "is not UTF-8; files saved as Latin-1 or Windows-1252 usually fail at the first accented "
        "letter.",
    ),
    _c(
        "CP103",
        "empty-file",
        "a source file holds no YAML document",
        "The file is empty or holds only comments. Fill it in, or delete it.",
    ),
    _c(
        "CP104",
        "yaml-syntax",
        "the file is not well-formed YAML",
        "The YAML parser stopped at this position. Common causes: a tab used for indentation, an "
        "unclosed quote or bracket, a value that starts with a reserved character such as @ or `.",
    ),
    _c(
        "CP105",
        "duplicate-key",
        "the same key appears twice in one mapping",
        "YAML parsers silently keep only one of two equal keys, which loses data. Charterpress "
        "refuses the file instead. Remove or rename one of them.",
    ),
    _c(
        "CP106",
        "alias-limit",
        "aliases expand beyond the limit",
        "Anchors and aliases (&name, *name) are allowed, but the document they expand to must stay "
        "below a size limit; a document that multiplies itself through nested aliases (an 'alias "
        "bomb') is refused.",
    ),
    _c(
        "CP107",
        "nesting-limit",
        "the YAML nests deeper than the limit",
        "No charter needs more than a few levels of nesting. Deeper documents are refused so that "
        "they cannot exhaust the machine.",
    ),
    _c(
        "CP108",
        "unsupported-tag",
        "a YAML tag that Charterpress does not accept",
        "Only plain YAML values are accepted: mappings, lists, strings, numbers, booleans and "
        "null. Tags such as !!python/object or custom !tags are refused.",
    ),
    _c(
        "CP109",
        "multiple-documents",
        "a file holds more than one YAML document",
        "Each source file holds exactly one YAML document. Remove the '---' separator and split "
        "the file into two.",
    ),
    _c(
        "CP110",
        "expected-mapping",
        "a list or a single value where a mapping belongs",
        "The file or the field must be a mapping of keys to values (key: value), but a list "
        "(- item) or a single value was found.",
    ),
    _c(
        "CP111",
        "byte-order-mark",
        "the file starts with a byte-order mark",
        "The file starts with an invisible byte-order mark (BOM), which some editors add. Save it "
        "as 'UTF-8' rather than 'UTF-8 with BOM'.",
        Level.WARNING,
    ),
    _c(
        "CP112",
        "missing-file",
        "a required file or folder is missing",
        "The site folder must hold site_config.yml and a charter/ folder with at least one "
        "charter.",
    ),
    _c(
        "CP113",
        "invalid-key",
        "a mapping key that is not a plain string",
        "Keys must be plain text. A list or a mapping used as a key is refused; put "
        "the key in quotes if it is meant as text.",
    ),
    # Checking values
    _c(
        "CP201",
        "missing-field",
        "a required field is missing",
        "The field is required at this place. Add it.",
    ),
    _c(
        "CP202",
        "unknown-key",
        "a key that the format does not know",
        "The key is not part of the format at this place. It is often a typo: the message suggests "
        "the closest known key.",
    ),
    _c(
        "CP203",
        "wrong-type",
        "a value of the wrong type",
        "The value has the wrong type: a number where text belongs, text where a list belongs, and "
        "so on. Numbers that must be read as text (phone numbers, postal codes) go in quotes.",
    ),
    _c(
        "CP204",
        "out-of-range",
        "a value outside what is possible",
        "The value has the right type but is impossible: a negative duration, a percentage above "
        "100, a time of day such as 25:00.",
    ),
    _c(
        "CP205",
        "invalid-format",
        "a value that does not follow its format",
        "Text that must follow a format (a time of day 'HH:MM', a duration '2 working_days', a "
        "date 'YYYY-MM-DD', an id, a colour, a URL, an e-mail address) does not.",
    ),
    _c(
        "CP206",
        "inconsistent-values",
        "values that contradict each other",
        "Two values of one item cannot both be true: a channel that closes before it opens, a "
        "review date before the approval date.",
    ),
    _c(
        "CP207",
        "invalid-choice",
        "a value that is not one of the allowed choices",
        "The field accepts only a fixed set of values; the message lists them and suggests the "
        "closest one.",
    ),
    _c(
        "CP208",
        "unknown-language",
        "a language code that Charterpress does not publish",
        "Languages are written as pt-PT, ca, cs, ro or en.",
    ),
    _c(
        "CP209",
        "language-alias",
        "a language written in a form that is accepted but not canonical",
        "'pt' is read as European Portuguese, 'pt-PT'. Write pt-PT to make that explicit.",
        Level.WARNING,
    ),
    _c(
        "CP210",
        "unknown-time-zone",
        "a time zone that does not exist",
        "Time zones are IANA names such as Europe/Lisbon, Europe/Madrid, Europe/Prague, "
        "Europe/Bucharest or Europe/London.",
    ),
    _c(
        "CP211",
        "unknown-holiday-calendar",
        "a holiday calendar that does not exist",
        "Holiday calendars are an ISO country code (PT, ES, CZ, RO, GB) with an optional "
        "subdivision (ES-CT for Catalonia).",
    ),
    _c(
        "CP212",
        "unsafe-path",
        "a file path that leaves the site folder or does not exist",
        "Paths to logos and other assets are relative to the site folder, must stay inside it, and "
        "must name an existing file.",
    ),
    # Cross-checks between files and items
    _c(
        "CP301",
        "duplicate-id",
        "two items share one id",
        "Ids identify items in links, translations and results, so they must be unique where the "
        "message says.",
    ),
    _c(
        "CP302",
        "unknown-reference",
        "a reference to an id that does not exist",
        "The value names a channel, commitment, segment or other item by its id, but no item has "
        "that id. The message suggests the closest existing id.",
    ),
    _c(
        "CP303",
        "id-mismatch",
        "a file's id does not match its file name",
        "A charter's id is its file name: charter/shops.yml holds the charter 'shops'.",
    ),
    # The run itself
    _c(
        "CP900",
        "internal-error",
        "a bug in Charterpress",
        "Charterpress itself failed. Nothing was written. Rerun with --debug and report the "
        "traceback.",
    ),
    _c(
        "CP901",
        "invalid-option",
        "a command-line option or environment value is invalid",
        "An option such as --today or SOURCE_DATE_EPOCH, or the --site folder, is invalid.",
    ),
)

REGISTRY: Mapping[str, Code] = {c.code: c for c in _CODES}


def error(code: str, message: str, pos: SourcePos | None = None, hint: str = "") -> Diagnostic:
    """Make a diagnostic at the registry's level for CODE."""
    return Diagnostic(code, message, pos, hint, REGISTRY[code].level)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Return whether any diagnostic is an error."""
    return any(d.level is Level.ERROR for d in diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return the diagnostics sorted by position, without exact repeats."""
    unique = {(d.sort_key(), d.hint, d.level): d for d in diagnostics}
    return [unique[k] for k in sorted(unique)]


class SourceLines:
    """Read source lines on demand, for showing them under a diagnostic."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, file: str, line: int) -> str | None:
        """Return line LINE (1-based) of FILE, or None if it cannot be read."""
        if file not in self._cache:
            try:
                raw = (self._root / file).read_bytes()[: 4 * 1024 * 1024]
                self._cache[file] = raw.decode("utf-8", errors="replace").splitlines()
            except OSError:
                self._cache[file] = []
        lines = self._cache[file]
        return lines[line - 1] if 0 < line <= len(lines) else None


def _display_width(text: str) -> int:
    # Tabs are shown as 4 spaces in the excerpt, so the caret must move by the same amount.
    return len(text.replace("\t", "    "))


def format_text(diagnostic: Diagnostic, sources: SourceLines | None = None) -> str:
    """Format one diagnostic for a terminal: position, code, message, source excerpt, hint."""
    where = f"{diagnostic.pos}: " if diagnostic.pos else ""
    out = [f"{where}{diagnostic.level.value}[{diagnostic.code}]: {diagnostic.message}"]
    pos = diagnostic.pos
    if sources and pos and pos.line > 0:
        text = sources.line(pos.file, pos.line)
        if text is not None:
            shown = text.replace("\t", "    ")
            if len(shown) > 200:
                shown = shown[:200] + "…"
            gutter = str(pos.line)
            pad = " " * len(gutter)
            caret_at = _display_width(text[: max(pos.column - 1, 0)])
            out.append(f" {gutter} | {shown}")
            out.append(f" {pad} | {' ' * min(caret_at, 201)}^")
    if diagnostic.hint:
        out.append(f"  = hint: {diagnostic.hint}")
    return "\n".join(out)


def format_summary(diagnostics: list[Diagnostic]) -> str:
    """Return a one-line count of errors and warnings."""
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def format_json(diagnostics: list[Diagnostic]) -> str:
    """Return the diagnostics as a JSON document for editors and CI."""
    errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
    doc = {
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)
