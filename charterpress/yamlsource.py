"""Safe YAML loading that keeps the position of every value and never misreads what was written.

The loader reads libyaml's event stream (no recursion, so deep nesting cannot crash it) and builds
plain Python data itself, with these rules:

* Only plain data: mappings, lists, strings, integers, floats, booleans and null; any other tag is
  refused. Resolution follows YAML 1.2's core schema, stricter still: ``no``, ``on``, ``08:30``
  and ``0123`` stay text (YAML 1.1 reads them as false, true, 510 and 83), and so do ``1e3``
  (a number needs a decimal point to have an exponent), ``0x1F``, ``.inf`` and ``1_000``. The
  non-specific tag ``! 12`` is text. Dates stay text; the model parses them.
* Mapping keys are always the text that was written; an empty key is refused.
* A repeated key is an error, never a silent overwrite. ``<<`` merges mappings; keys written in
  the mapping itself win and keep their own positions.
* Aliases are expanded, but the values they copy and the nesting are bounded.
* Characters YAML forbids (control characters) are refused at their exact position, and parser
  errors are explained in plain words at the place to fix (an unclosed quote: where it opens).

Every value's position is kept in a table from its path (keys and list indexes) to its line and
column, so that model errors, which carry such paths, point at the source.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import pickle
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .diagnostics import Diagnostic, SourcePos, error, line_and_column, split_lines

try:  # libyaml is about eight times faster; the pure-Python parser gives the same events.
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_VALUES = 200_000
# Keys and values written in one file. The largest real charter holds about 1,000; a 2 MB file of
# '1,' holds a million, and checking each against the model (one error apiece) would need gigabytes.
MAX_WRITTEN = 50_000

PathKey = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE_KEY = "<<"

# The first characters of every null, boolean, integer and float that _resolve_plain accepts.
_MAY_RESOLVE = frozenset("~nNtTfF+-.0123456789")
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_VALUES = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
# No leading zeros: 0123 is a postal code or a phone prefix, not the number 123.
# At most 18 digits: a longer run of digits is an account or reference number, not a quantity
# (and Python refuses to convert more than 4300 digits at all).
_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,17})$")
# A decimal point is required: '2e5' or '3E1' is more likely a code than the number 200000.0.
_FLOAT_RE = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class Mark(NamedTuple):
    """A 1-based line and column."""

    # A tuple, not a frozen dataclass: a charter holds about 600 of them, and building a frozen
    # dataclass costs a call to object.__setattr__ per field.

    line: int
    column: int


@dataclass(slots=True)
class _PositionTables:
    """Where each value (by its path) and each mapping key (by the path of its value) is written."""

    values: dict[PathKey, Mark] = field(default_factory=dict)
    keys: dict[PathKey, Mark] = field(default_factory=dict)


class YamlDocument:
    """The data of one YAML file and the position of each of its values and keys.

    The position tables are made when first asked for, by reading the text again: a site whose
    files are right never needs them to be validated, and they are the larger part of a loaded
    document (a position for every value). The data of a file reused from the previous run
    (sourcecache.py) stays pickled until it is first read: `validate` reuses what was checked in
    it, and does not read it.
    """

    __slots__ = ("_data", "_pickled_data", "_source", "_tables", "digest", "file")

    def __init__(
        self,
        file: str,
        data: Any,
        *,
        digest: str = "",
        source: bytes = b"",
        tables: _PositionTables | None = None,
        pickled_data: bytes = b"",
    ) -> None:
        self.file = file
        self._data = data
        self._pickled_data = pickled_data  # the data, pickled, when DATA is None until read
        # The SHA-256 of the text the document was read from: what the build cache keys by.
        self.digest = digest
        self._source = source  # the UTF-8 text, until the position tables and data are made
        self._tables = tables

    @property
    def data(self) -> Any:
        """The file's plain data (see the module's docstring)."""
        if self._pickled_data:
            self._data = _unpickled_data(self._pickled_data, self._source, self.file)
            self._pickled_data = b""
        return self._data

    @data.setter
    def data(self, data: Any) -> None:
        self._data = data
        self._pickled_data = b""

    def __repr__(self) -> str:
        return f"YamlDocument({self.file!r}, digest={self.digest[:12]!r})"

    def __getstate__(self) -> tuple[str, Any, str, bytes, _PositionTables | None]:
        return self.file, self.data, self.digest, self._source, self._tables

    def __setstate__(self, state: tuple[str, Any, str, bytes, _PositionTables | None]) -> None:
        self.file, self.data, self.digest, self._source, self._tables = state

    @property
    def values(self) -> dict[PathKey, Mark]:
        """The position of each value, by its path (keys and list indexes)."""
        return self._positions().values

    @property
    def keys(self) -> dict[PathKey, Mark]:
        """The position of each mapping key, by the path of its value."""
        return self._positions().keys

    def _positions(self) -> _PositionTables:
        if self._tables is None:
            self._tables = _position_tables(self._source.decode("utf-8"))
            if not self._pickled_data:
                self._source = b""
        return self._tables

    def pos(self, path: PathKey, *, key: bool = False) -> SourcePos:
        """Return the source position of PATH, or of its nearest ancestor that has one."""
        if key and path in self.keys:
            key_mark = self.keys[path]
            return SourcePos(self.file, key_mark.line, key_mark.column)
        for end in range(len(path), -1, -1):
            mark = self.values.get(path[:end])
            if mark is not None:
                return SourcePos(self.file, mark.line, mark.column)
        return SourcePos(self.file, 1, 1)


@dataclass(slots=True)
class _Node:
    """A node of the document graph as the event stream gives it; aliases share nodes."""

    kind: str  # "scalar", "seq" or "map"
    mark: Mark
    tag: str | None = None
    value: Any = None  # str for scalars; list[_Node] for seq; list[tuple[_Node, _Node]] for map
    style: str | None = None
    plain: bool = False
    complete: bool = False


class YamlError(Exception):
    """A problem that stops the reading of one file; carries its diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _mark(m: Any) -> Mark:
    return Mark(m.line + 1, m.column + 1)


def _pos(file: str, mark: Mark) -> SourcePos:
    return SourcePos(file, mark.line, mark.column)


def read_source_text(path: Path, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Read a source file as UTF-8 text within the size limit; return it and any diagnostics."""
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(status.st_mode):  # a pipe or a device would block or never end
            return None, [
                error(
                    "CP100",
                    "this is not an ordinary file (it is a pipe, a socket or a device)",
                    SourcePos(file),
                    "replace it with the YAML file it stands for",
                )
            ]
        size = status.st_size
        if size > MAX_FILE_BYTES:
            return None, [
                error(
                    "CP101",
                    f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes",
                    SourcePos(file, 1, 1),
                    "split the file, or check that this is the file you meant to save here",
                )
            ]
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        return None, [
            error(
                "CP100",
                "a folder stands where a file belongs",
                SourcePos(file),
                "rename the folder, or move it out of the way",
            )
        ]
    except OSError as exc:
        return None, [
            error(
                "CP100",
                f"cannot read the file: {exc.strerror or exc}",
                SourcePos(file),
                "check that the file exists and can be read",
            )
        ]
    if len(raw) > MAX_FILE_BYTES:  # it grew while we looked
        return None, [
            error(
                "CP101",
                f"the file is larger than {MAX_FILE_BYTES:,} bytes",
                SourcePos(file, 1, 1),
                "split the file",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_not_utf8(raw, exc.start, file)]
    diagnostics: list[Diagnostic] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        diagnostics.append(
            error(
                "CP111",
                "the file starts with a byte-order mark (BOM)",
                SourcePos(file, 1, 1),
                "save the file as 'UTF-8' rather than 'UTF-8 with BOM'",
            )
        )
    return text, diagnostics


def _not_utf8(raw: bytes, start: int, file: str) -> Diagnostic:
    """Report the first byte that is not UTF-8, at its line and column."""
    # Everything before the first bad byte is valid UTF-8, so it decodes to the text an editor
    # shows, and the column counts characters as the editor does.
    before = raw[:start].decode("utf-8").removeprefix("\ufeff")  # editors do not show it
    line, column = line_and_column(before, len(before))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        how = "it was saved as UTF-16 ('Unicode' in some editors)"
    else:
        how = "it was probably saved as Latin-1 or Windows-1252 ('ANSI' in some editors)"
    return error(
        "CP102",
        f"the file is not saved as UTF-8: the character at this position (byte "
        f"0x{raw[start]:02x}) cannot be read",
        SourcePos(file, line, column),
        f"open the file in your editor and save it again with the encoding 'UTF-8'; {how}",
    )


def text_digest(text: str) -> tuple[bytes, str]:
    """Return TEXT in UTF-8 and its SHA-256 (YamlDocument.digest)."""
    source = text.encode()
    return source, hashlib.sha256(source).hexdigest()


def load_yaml_file(path: Path, file: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Load one YAML source file whose root must be a mapping."""
    text, diagnostics = read_source_text(path, file)
    if text is None:
        return None, diagnostics
    document, more = load_yaml_text(text, file)
    return document, diagnostics + more


def load_yaml_text(text: str, file: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Load YAML text whose root must be a mapping; return the document or diagnostics."""
    forbidden = _forbidden_character(text, file)
    if forbidden is not None:
        return None, [forbidden]
    common = _read_common_document(text, file)
    if common is not None:
        return common, []
    try:
        return _compose_document(text, file), []
    except YamlError as exc:
        return None, [_inside(exc.diagnostic, text)]


def _compose_document(text: str, file: str) -> YamlDocument:
    """Read any file through the node graph, with its position tables; raise YamlError if wrong."""
    root = _compose(text, file)
    if root is None or (root.kind == "scalar" and root.plain and _NULL_RE.match(root.value)):
        raise YamlError(
            error(
                "CP103",
                "the file is empty: it holds nothing but blank lines or comments",
                SourcePos(file, 1, 1),
                "write the file's content, or delete the file",
            )
        )
    if root.kind != "map":
        found = "a list" if root.kind == "seq" else "a single value"
        raise YamlError(
            error(
                "CP110",
                f"the file must hold a mapping (key: value), but holds {found}",
                _pos(file, root.mark),
                "write the file as 'key: value' lines; remove the leading '- '"
                if root.kind == "seq"
                else "write the file as 'key: value' lines",
            )
        )
    tables = _PositionTables()
    data = _Converter(file, tables).convert(root, (), 0)
    return YamlDocument(file, data, digest=hashlib.sha256(text.encode()).hexdigest(), tables=tables)


def _position_tables(text: str) -> _PositionTables:
    """Make the position tables of a text that was read without error before."""
    loader = _EventLoader(text)
    try:
        tables = _PositionTables()
        _common_events(loader, tables)
        return tables
    except (_Unusual, yaml.YAMLError):
        pass
    finally:
        loader.dispose()
    try:
        return _compose_document(text, "")._positions()
    except YamlError:  # pragma: no cover - the same text was read without error
        return _PositionTables()


def _unpickled_data(pickled: bytes, source: bytes, file: str) -> Any:
    """Return the data pickled by sourcecache.py, or read it again from SOURCE if it cannot be."""
    try:
        return pickle.loads(pickled)
    except Exception:  # pickled by another version of the code: read the text again
        document, _ = load_yaml_text(source.decode("utf-8"), file)
        return document.data if document is not None else None


def _inside(diagnostic: Diagnostic, text: str) -> Diagnostic:
    """Move a position past the end of the file (where the parser ran out) onto its last line."""
    pos = diagnostic.pos
    lines = split_lines(text)
    if pos is None or pos.line <= len(lines) or not lines:
        return diagnostic
    return dataclasses.replace(diagnostic, pos=SourcePos(pos.file, len(lines), len(lines[-1]) + 1))


# Characters YAML does not allow in a file (its 'printable' set, inverted). Found before parsing,
# so the diagnostic can name the character and its exact place.
_FORBIDDEN_CHAR = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _forbidden_character(text: str, file: str) -> Diagnostic | None:
    """Report the first character that YAML does not allow, such as a form feed or a NUL."""
    match = _FORBIDDEN_CHAR.search(text)
    if match is None:
        return None
    line, column = line_and_column(text, match.start())
    return error(
        "CP104",
        f"the file holds an invisible control character (U+{ord(match.group()):04X}) that "
        "YAML does not allow",
        SourcePos(file, line, column),
        "delete the character at this position (it often comes from text pasted out of a "
        "word processor or a PDF), or retype the line",
    )


def _yaml_error_diagnostic(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    """Explain a YAML parser error in plain words, at the place the author must fix."""
    if isinstance(exc, yaml.reader.ReaderError):  # normally found first by _forbidden_character
        return error(
            "CP104",
            f"the file holds a character that YAML does not allow (U+{exc.character:04X})",
            SourcePos(file, 1, 1),
            "delete the invisible character, or retype the text",
        )
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    lines = split_lines(text)
    mark = problem_mark or context_mark
    if mark is None:
        return error("CP104", f"YAML cannot read the file: {problem}", SourcePos(file, 1, 1), "")
    tab = _tab_in_indentation(lines, mark.line)
    if tab is not None or "tab character" in problem:
        line, column = (mark.line + 1, tab + 1) if tab is not None else _one_based(mark)
        return error(
            "CP104",
            "a tab character: YAML allows only spaces for indenting",
            SourcePos(file, line, column),
            "replace the tab with spaces (set your editor to insert spaces for the Tab key)",
        )
    runaway = _scalar_running_into(text, mark)
    if runaway is not None and runaway.style in ("'", '"'):
        return error(
            "CP104",
            f"the quote {runaway.style} that opens here is not closed on this line, so YAML "
            f"reads everything up to the next {runaway.style} (line {mark.line + 1}) as one text",
            SourcePos(file, *_one_based(runaway.start_mark)),
            f"add the closing {runaway.style} at the end of the text",
        )
    if runaway is not None and "mapping values are not allowed" in problem:
        return _run_on_line(runaway.start_mark, mark, lines, file)
    message, hint, use_context = _explain(context, problem, lines, problem_mark, context_mark)
    chosen = context_mark if use_context and context_mark is not None else mark
    line, column = _one_based(chosen)
    return error("CP104", message, SourcePos(file, line, column), hint)


def _scalar_running_into(text: str, mark: Any) -> Any:
    """Return the text token that runs over several lines into the error at MARK, if any.

    A quote left open, or a line indented too far, makes YAML read the following lines as more
    of the same text, and the parser fails only later; the place to fix is where that text
    starts.
    """
    last = None
    loader = _EventLoader(text)
    try:
        while loader.check_token():
            token = loader.peek_token()
            if token is None or (token.start_mark.line, token.start_mark.column) >= (
                mark.line,
                mark.column,
            ):
                break
            last = loader.get_token()
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    if isinstance(last, yaml.ScalarToken) and (
        last.start_mark.line < last.end_mark.line == mark.line
    ):
        return last
    return None


_KEY_COLUMN = re.compile(r"^ *(?:- +)*")


def _run_on_line(start: Any, mark: Any, lines: list[str], file: str) -> Diagnostic:
    """Explain a plain text that YAML read on into a line with a key of its own."""
    start_line: int = start.line
    first = lines[start_line] if 0 <= start_line < len(lines) else ""
    key_column = len(_KEY_COLUMN.match(first)[0])  # type: ignore[index]
    if start.column <= key_column:  # the text is a whole line: a key without its ':'
        return error(
            "CP104",
            "this line has no ':' after its key",
            SourcePos(file, *_one_based(start)),
            "write 'key: value', with a space after the colon",
        )
    here: int = mark.line
    current = lines[here] if 0 <= here < len(lines) else ""
    indentation = len(current) - len(current.lstrip(" "))
    return error(
        "CP104",
        f"this line is indented more than the key on line {start_line + 1}, so YAML reads it "
        "as more of that key's value",
        SourcePos(file, here + 1, indentation + 1),
        f"start this line in the same column as the key on line {start_line + 1} "
        + (
            f"({key_column} space{'s' * (key_column != 1)} from the left)"
            if key_column
            else "(at the very start of the line)"
        ),
    )


def _one_based(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _tab_in_indentation(lines: list[str], line: int) -> int | None:
    """Return the column (0-based) of a tab in the indentation of LINE, if there is one."""
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    indentation = text[: len(text) - len(text.lstrip(" \t"))]
    return indentation.index("\t") if "\t" in indentation else None


def _char(lines: list[str], mark: Any) -> str:
    """Return the character at MARK, or '' past the end of its line."""
    if mark is None:
        return ""
    line: int = mark.line
    column: int = mark.column
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _text_after_quote(lines: list[str], mark: Any) -> bool:
    """Return whether MARK sits just after a closing quote, on the same line (`'it's'`)."""
    if mark is None:
        return False
    line: int = mark.line
    column: int = mark.column
    if not 0 <= line < len(lines):
        return False
    return lines[line][:column].rstrip().endswith(("'", '"')) and column < len(lines[line])


def _quote_value_hint(lines: list[str], mark: Any) -> str:
    """Suggest the line of MARK with its value in quotes."""
    line: int = mark.line if mark is not None else -1
    text = lines[line] if 0 <= line < len(lines) else ""
    key, sep, value = text.partition(": ")
    value = value.strip()
    if not sep or not value or value[0] in "'\"[{":
        return "put the whole value in quotes"
    quoted = f'"{value}"' if "'" in value else f"'{value}'"
    return f"put the whole value in quotes: {key.strip()}: {quoted}"


_INDENT_HINT = (
    "check the indentation: keys of one mapping start in the same column, and the items of a "
    "list start with '- ' in the same column"
)


def _explain(
    context: str, problem: str, lines: list[str], problem_mark: Any, context_mark: Any
) -> tuple[str, str, bool]:
    """Return a plain message, a hint, and whether the context mark is the place to show."""
    if "quoted scalar" in context and "end of stream" in problem:
        quote = _char(lines, context_mark) or "'"
        return (
            f"the quote {quote} that opens here is never closed",
            f"add the closing {quote} at the end of the text",
            True,
        )
    if "escape" in problem:
        return (
            "a backslash inside double quotes starts an escape that YAML cannot read",
            "put the text in single quotes instead, or write each backslash twice (\\\\)",
            False,
        )
    if "mapping values are not allowed" in problem:
        return (
            "the value holds ': ', which YAML reads as the start of another key",
            _quote_value_hint(lines, problem_mark),
            False,
        )
    if "simple key" in context and "expected ':'" in problem:
        return (
            "this line has no ':' after its key",
            "write 'key: value', with a space after the colon",
            True,
        )
    if "did not find expected key" in problem and _text_after_quote(lines, problem_mark):
        return (
            "the text goes on after its closing quote",
            'put the whole value in double quotes ("it\'s"), or inside single quotes write an '
            "apostrophe twice ('it''s')",
            False,
        )
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return "this line does not line up with the lines above it", _INDENT_HINT, False
    if "expected '-' indicator" in problem:
        return (
            "a list item ('- ...') was expected here",
            "every item of this list starts with '- ' in the same column; a key cannot follow "
            "the items at the same indentation",
            False,
        )
    closing = "]" if "']'" in problem else "}" if "'}'" in problem else ""
    if closing:
        opening = "[" if closing == "]" else "{"
        unclosed = (
            context_mark is not None
            and problem_mark is not None
            and problem_mark.line > context_mark.line
        )
        if unclosed:
            return (
                f"the '{opening}' that opens here is never closed",
                f"add the closing '{closing}'",
                True,
            )
        return (
            f"expected ',' or '{closing}' here",
            f"separate the items with ', ' and end them with '{closing}'; put an item that "
            "contains ',' or ': ' in quotes",
            False,
        )
    if "cannot start any token" in problem:
        found = _char(lines, problem_mark)
        return (
            f"a value cannot start with '{found}'" if found else "YAML cannot read this character",
            "put the whole value in quotes",
            False,
        )
    if "anchor" in context or "alias" in context:
        return (
            "'&' and '*' must be followed by a name",
            "put the value in quotes if it starts with & or *",
            False,
        )
    if "directive" in context:
        return "a line cannot start with '%'", "put the value in quotes", True
    if "node content" in problem:
        found = _char(lines, problem_mark)
        return (
            f"a value cannot start with '{found}'" if found else "a value is missing here",
            "put the whole value in quotes",
            False,
        )
    detail = f"{context}, {problem}" if context else problem
    return (
        f"YAML cannot read this ({detail})",
        "check this line and the one before it: indentation, quotes, and ': ' after each key",
        False,
    )


def _events(text: str) -> Iterator[Any]:
    loader = _EventLoader(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


_NODE_START = {yaml.MappingStartEvent: "map", yaml.SequenceStartEvent: "seq"}
_NODE_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _too_many(event: Any, file: str) -> YamlError:
    """Report the key or value beyond the limit of MAX_WRITTEN (CP101)."""
    return YamlError(
        error(
            "CP101",
            f"the file holds more than {MAX_WRITTEN:,} keys and values",
            _pos(file, _mark(event.start_mark)),
            "split the file, or check that this is the file you meant to save here",
        )
    )


def _compose(text: str, file: str) -> _Node | None:
    """Build the node graph from the event stream, checking nesting and anchors as it goes."""
    anchors: dict[str, _Node] = {}
    # The open collections, each with its children so far; the bottom one collects the root.
    bottom: list[_Node] = []
    stack: list[tuple[_Node | None, list[_Node]]] = [(None, bottom)]
    children = bottom
    documents = 0
    written = 0
    # One type test per event, most frequent first: this loop runs for every key and value.
    try:
        for event in _events(text):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                written += 1
                if written > MAX_WRITTEN:
                    raise _too_many(event, file)
                start = event.start_mark
                node = _Node(
                    "scalar",
                    Mark(start.line + 1, start.column + 1),
                    event.tag,
                    event.value,
                    event.style,
                    bool(event.implicit[0]),
                    True,
                )
                if event.anchor:
                    anchors[event.anchor] = node
                children.append(node)
            elif kind in _NODE_END:
                node, done = stack.pop()  # type: ignore[assignment]
                children = stack[-1][1]
                if node.kind == "map":
                    node.value = list(zip(done[0::2], done[1::2], strict=True))
                else:
                    node.value = done
                node.complete = True
            elif kind in _NODE_START:
                written += 1
                if written > MAX_WRITTEN:
                    raise _too_many(event, file)
                start = event.start_mark
                node = _Node(_NODE_START[kind], Mark(start.line + 1, start.column + 1), event.tag)
                if len(stack) > MAX_DEPTH:
                    raise YamlError(
                        error(
                            "CP107",
                            f"the YAML nests deeper than {MAX_DEPTH} levels",
                            _pos(file, node.mark),
                            "flatten the structure; no charter field nests this deep",
                        )
                    )
                if event.anchor:
                    anchors[event.anchor] = node
                children.append(node)
                children = []
                stack.append((node, children))
            elif kind is yaml.AliasEvent:
                written += 1
                if written > MAX_WRITTEN:
                    raise _too_many(event, file)
                target = anchors.get(event.anchor or "")
                mark = _mark(event.start_mark)
                if target is None:
                    raise YamlError(
                        error(
                            "CP104",
                            f"the alias *{event.anchor} refers to no anchor "
                            f"&{event.anchor} written before it",
                            _pos(file, mark),
                            f"define &{event.anchor} before this line, or fix the name",
                        )
                    )
                if not target.complete:
                    raise YamlError(
                        error(
                            "CP106",
                            f"alias *{event.anchor} is used inside its own "
                            "anchor, which would expand without end",
                            _pos(file, mark),
                            "remove the alias",
                        )
                    )
                children.append(_Node("alias", mark, value=target))
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YamlError(
                        error(
                            "CP109",
                            "the file holds more than one YAML document",
                            _pos(file, _mark(event.start_mark)),
                            "remove the '---' line and move what follows it into a file of its own",
                        )
                    )
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_error_diagnostic(exc, file, text)) from None
    except RecursionError:  # pragma: no cover - the event parser does not recurse
        raise YamlError(
            error(
                "CP107", "the YAML nests too deeply", SourcePos(file, 1, 1), "flatten the structure"
            )
        ) from None
    return bottom[0] if bottom else None


class _Unusual(Exception):
    """The common-case reader met something it leaves to the full composer."""


_new_mark = tuple.__new__  # Mark(line, column) without the NamedTuple's Python-level __new__


def _read_common_document(text: str, file: str) -> YamlDocument | None:
    """Read the common case in one pass over the events: data and positions together.

    The common case is a mapping at the root with no anchor, alias, tag or merge key, no
    repeated or empty key, within the limits, and no YAML error. It gives the same data and
    positions as _compose and _Converter, without the node graph. Anything else returns None, and
    the full composer reads the file again and reports exactly what it finds.
    """
    loader = _EventLoader(text)
    try:
        data = _common_events(loader, None)
    except (_Unusual, yaml.YAMLError):
        return None
    finally:
        loader.dispose()
    source, digest = text_digest(text)
    return YamlDocument(file, data, digest=digest, source=source)


def _common_events(loader: Any, tables: _PositionTables | None) -> dict[str, Any]:
    """Build a document's data, and fill TABLES if given, from its events.

    See _read_common_document for what the common case is.
    """
    get_event = loader.get_event
    _expect(get_event(), yaml.StreamStartEvent)
    _expect(get_event(), yaml.DocumentStartEvent)
    event = _expect(get_event(), yaml.MappingStartEvent)
    record = tables is not None
    values: dict[PathKey, Mark] = tables.values if tables is not None else {}
    keys: dict[PathKey, Mark] = tables.keys if tables is not None else {}
    root: dict[str, Any] = {}
    if record:
        start = event.start_mark
        values[()] = _new_mark(Mark, (start.line + 1, start.column + 1))
    # The open collections above the current one: (collection, path, is a mapping).
    stack: list[tuple[Any, PathKey, bool]] = []
    container: Any = root
    path: PathKey = ()
    in_mapping = True
    key: str | None = None  # in a mapping: the key whose value comes next, if any
    key_path: PathKey = ()
    written = 1
    scalar_event, end_events = yaml.ScalarEvent, (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    start_events = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            written += 1
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            value = event.value
            if in_mapping:
                if key is None:
                    if value in container or value == _MERGE_KEY or not value.strip():
                        raise _Unusual
                    key = value
                    if record:
                        key_path = (*path, value)
                        start = event.start_mark
                        keys[key_path] = _new_mark(Mark, (start.line + 1, start.column + 1))
                    continue
                container[key] = _resolve_plain(value) if event.implicit[0] else value
                key = None
                if record:
                    start = event.start_mark
                    values[key_path] = _new_mark(Mark, (start.line + 1, start.column + 1))
            else:
                if record:
                    start = event.start_mark
                    values[(*path, len(container))] = _new_mark(
                        Mark, (start.line + 1, start.column + 1)
                    )
                container.append(_resolve_plain(value) if event.implicit[0] else value)
        elif kind in end_events:
            if not stack:
                break
            container, path, in_mapping = stack.pop()
        elif kind in start_events:
            written += 1
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH - 2:
                raise _Unusual
            child: Any = {} if kind is yaml.MappingStartEvent else []
            if in_mapping:
                if key is None:  # a collection used as a key
                    raise _Unusual
                container[key] = child
                child_path = (*path, key)
                key = None
            else:
                child_path = (*path, len(container))
                container.append(child)
            if record:
                start = event.start_mark
                values[child_path] = _new_mark(Mark, (start.line + 1, start.column + 1))
            stack.append((container, path, in_mapping))
            container, path, in_mapping = child, child_path, kind is yaml.MappingStartEvent
        else:  # an alias, or an event out of place
            raise _Unusual
    _expect(get_event(), yaml.DocumentEndEvent)
    _expect(get_event(), yaml.StreamEndEvent)
    if written > MAX_WRITTEN:
        raise _Unusual
    return root


def _expect(event: Any, kind: type) -> Any:
    """Return EVENT if it is of KIND, with no anchor or tag; else leave the file to _compose."""
    if type(event) is not kind or getattr(event, "anchor", None) or getattr(event, "tag", None):
        raise _Unusual
    return event


class _Converter:
    """Turn the node graph into plain data, expanding aliases within the bounds."""

    def __init__(self, file: str, tables: _PositionTables) -> None:
        self.file = file
        self.document = tables
        self.expanded = 0  # values produced by expanding aliases

    def fail(self, code: str, message: str, mark: Mark, hint: str) -> YamlError:
        return YamlError(error(code, message, _pos(self.file, mark), hint))

    def convert(self, node: _Node, path: PathKey, depth: int, via: Mark | None = None) -> Any:
        if node.kind == "alias":
            return self.convert(node.value, path, depth, via or node.mark)
        if via is not None:
            # Only copies made by aliases count: what is written out is bounded by the file size.
            self.expanded += 1
            if self.expanded > MAX_VALUES:
                raise self.fail(
                    "CP106",
                    f"the aliases (*name) in this file expand to more than {MAX_VALUES:,} values",
                    via,
                    "write the values out instead of repeating them through nested aliases",
                )
        if depth > MAX_DEPTH:
            raise self.fail(
                "CP107",
                f"the YAML nests deeper than {MAX_DEPTH} levels once its aliases are expanded",
                via or node.mark,
                "flatten the structure",
            )
        self.document.values[path] = via or node.mark
        if node.kind == "scalar":
            if node.tag is None:  # most values: no tag to check
                return _resolve_plain(node.value) if node.plain else node.value
            return self.scalar(node)
        if node.tag not in (None, "!", _MAP if node.kind == "map" else _SEQ):
            raise self.fail(
                "CP108",
                f"the tag {_tag_name(node.tag)} is not accepted",
                node.mark,
                "remove the tag; only plain YAML values are accepted",
            )
        if node.kind == "seq":
            return [
                self.convert(child, (*path, i), depth + 1, via)
                for i, child in enumerate(node.value)
            ]
        return self.mapping(node, path, depth, via)

    def mapping(self, node: _Node, path: PathKey, depth: int, via: Mark | None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        merges: list[tuple[_Node, Mark]] = []
        for key_node, value_node in node.value:
            if key_node.kind == "scalar" and key_node.tag is None and key_node.value.strip():
                key = key_node.value  # what key() returns for a plain text key, without the call
            else:
                key = self.key(key_node)
            key_mark = via or key_node.mark
            if key in first_seen:
                first = first_seen[key]
                raise self.fail(
                    "CP105",
                    f"the key '{key}' is written twice in the same block (first at line "
                    f"{first.line}, column {first.column})",
                    key_mark,
                    "remove one of the two, or merge them; YAML would silently keep only the "
                    "last one",
                )
            first_seen[key] = key_mark
            if key == _MERGE_KEY and key_node.kind == "scalar" and key_node.plain:
                merges.append((value_node, key_mark))
                continue
            # One tuple for both tables: positions are a third of a validated site (N = 50).
            here = (*path, key)
            self.document.keys[here] = key_mark
            result[key] = self.convert(value_node, here, depth + 1, via)
        for value_node, mark in merges:
            self.merge(result, value_node, path, depth, mark)
        return result

    def merge(
        self, result: dict[str, Any], node: _Node, path: PathKey, depth: int, mark: Mark
    ) -> None:
        """Apply a '<<' merge key: keys written in the mapping itself win over merged ones."""
        target = node.value if node.kind == "alias" else node
        sources = (
            [target]
            if target.kind == "map"
            else (
                [n.value if n.kind == "alias" else n for n in target.value]
                if target.kind == "seq"
                else []
            )
        )
        if not sources or any(s.kind != "map" for s in sources):
            raise self.fail(
                "CP110",
                "'<<' must be followed by an alias of a mapping, or a list of them",
                mark,
                "write '<<: *name' where &name marks a mapping",
            )
        for source in sources:
            # Convert into a scratch document, so that keys written in the mapping itself keep
            # their own positions; only the keys the merge adds take the position of '<<'.
            scratch = _PositionTables()
            saved, self.document = self.document, scratch
            try:
                merged = self.mapping(source, path, depth, mark)
            finally:
                self.document = saved
            for key, value in merged.items():
                if key in result:
                    continue
                result[key] = value
                for table, scratch_table in (
                    (self.document.values, scratch.values),
                    (self.document.keys, scratch.keys),
                ):
                    prefix = (*path, key)
                    for sub, where in scratch_table.items():
                        if sub[: len(prefix)] == prefix:
                            table[sub] = where

    def key(self, node: _Node) -> str:
        written_at = node.mark  # an alias used as a key is wrong where it is used
        if node.kind == "alias":
            node = node.value
        if node.kind != "scalar":
            raise self.fail(
                "CP113",
                "a list or a mapping cannot be used as a key",
                written_at,
                "use plain text as the key",
            )
        if node.tag not in (None, "!", _STR):
            raise self.fail(
                "CP108",
                f"the tag {_tag_name(node.tag)} is not accepted on a key",
                node.mark,
                "remove the tag",
            )
        if not str(node.value).strip():
            raise self.fail(
                "CP113",
                "a key is empty",
                node.mark,
                "write the key's name before the ':', or remove the line",
            )
        # Always the text as written: '1', 'yes' and 'null' are keys, never numbers or booleans.
        return str(node.value)

    def scalar(self, node: _Node) -> Any:
        text: str = node.value
        tag = node.tag
        if tag == "!":  # the non-specific tag: YAML says '! 12' is the text '12'
            return text
        if tag is None:
            return _resolve_plain(text) if node.plain else text
        if tag == _STR:
            return text
        resolved = _resolve_plain(text)
        expected = {_INT: int, _FLOAT: float, _BOOL: bool, _NULL: type(None)}.get(tag)
        if expected is None:
            raise self.fail(
                "CP108",
                f"the tag {_tag_name(tag)} is not accepted",
                node.mark,
                "remove the tag; only plain YAML values are accepted",
            )
        if expected is float and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        if type(resolved) is not expected:
            raise self.fail(
                "CP205",
                f"'{text}' is not a valid value for the tag {_tag_name(tag)}",
                node.mark,
                "remove the tag, or correct the value",
            )
        return resolved


def _tag_name(tag: str | None) -> str:
    """Show a tag as it was most likely written: !!python/object, not its long form."""
    tag = tag or ""
    return (
        "!!" + tag.removeprefix("tag:yaml.org,2002:")
        if tag.startswith("tag:yaml.org,2002:")
        else tag
    )


def _resolve_plain(text: str) -> Any:
    """Resolve an unquoted scalar by YAML 1.2's core schema, leaving anything doubtful as text."""
    if text and text[0] not in _MAY_RESOLVE:
        return text  # most values are words: no pattern below can match them
    if _NULL_RE.match(text):
        return None
    if text in _BOOL_VALUES:
        return _BOOL_VALUES[text]
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        number = float(text)
        return number if math.isfinite(number) else text  # 1e999 is not a number anyone meant
    return text
