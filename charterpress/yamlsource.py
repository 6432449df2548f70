"""Safe YAML loading that keeps the position of every value and never misreads what was written.

The loader reads libyaml's event stream (no recursion, so deep nesting cannot crash it) and builds
plain Python data itself, with these rules:

* Only plain data: mappings, lists, strings, integers, floats, booleans and null; any other tag is
  refused. Resolution follows YAML 1.2's core schema, stricter still: ``no``, ``on``, ``08:30``
  and ``0123`` stay text (YAML 1.1 reads them as false, true, 510 and 83). Dates stay text; the
  model parses them.
* Mapping keys are always the text that was written.
* A repeated key is an error, never a silent overwrite.
* Aliases are expanded, but the expanded document and its nesting are bounded.

Every value's position is kept in a table from its path (keys and list indexes) to its line and
column, so that model errors, which carry such paths, point at the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, SourcePos, error

try:  # libyaml is about eight times faster; the pure-Python parser gives the same events.
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_VALUES = 200_000

PathKey = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE_KEY = "<<"

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
_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(
    r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?[eE][-+]?[0-9]+)$"
)


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class YamlDocument:
    """The data of one YAML file and the position of each of its values and keys."""

    file: str
    data: Any
    values: dict[PathKey, Mark] = field(default_factory=dict)
    keys: dict[PathKey, Mark] = field(default_factory=dict)

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


@dataclass
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
        size = path.stat().st_size
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
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        return None, [
            error(
                "CP102",
                f"the file is not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be read",
                SourcePos(file, line, column),
                "save the file as UTF-8 in your editor (it was probably saved as Latin-1 or "
                "Windows-1252)",
            )
        ]
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


def load_yaml_file(path: Path, file: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Load one YAML source file whose root must be a mapping."""
    text, diagnostics = read_source_text(path, file)
    if text is None:
        return None, diagnostics
    document, more = load_yaml_text(text, file)
    return document, diagnostics + more


def load_yaml_text(text: str, file: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Load YAML text whose root must be a mapping; return the document or diagnostics."""
    try:
        root = _compose(text, file)
        if root is None or (root.kind == "scalar" and root.plain and _NULL_RE.match(root.value)):
            raise YamlError(
                error(
                    "CP103",
                    "the file holds no YAML document",
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
        document = YamlDocument(file, None)
        document.data = _Converter(file, document).convert(root, (), 0)
    except YamlError as exc:
        return None, [exc.diagnostic]
    return document, []


def _yaml_error_diagnostic(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    mark = problem_mark or context_mark
    if context_mark is not None and "end of stream" in problem and "quoted" in str(context):
        # The end of the file is not where the mistake is: the quote that never closes is.
        mark = context_mark
    pos = SourcePos(file, mark.line + 1, mark.column + 1) if mark else SourcePos(file, 1, 1)
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        return error(
            "CP104",
            "invalid YAML: a tab character where YAML allows only spaces",
            pos,
            "indent with spaces, never tabs",
        )
    message = f"{context}, {problem}" if context else problem
    return error("CP104", f"invalid YAML: {message}", pos, _syntax_hint(message))


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _syntax_hint(problem: str) -> str:
    if "end of stream" in problem and "quoted" in problem:
        return "close the quote that opens here"
    if "mapping values are not allowed" in problem:
        return "put the value in quotes: it contains ': ', which YAML reads as a new key"
    if (
        "could not find expected ':'" in problem
        or "expected <block end>" in problem
        or "did not find expected key" in problem
    ):
        return (
            "check the indentation of this line against the lines above it, and that each "
            "key is followed by ': '"
        )
    if "',' or ']'" in problem or "',' or '}'" in problem:
        return "close the bracket or brace that is opened before this position"
    if "cannot start any token" in problem:
        return "put the value in quotes"
    return "check the line at this position and the one before it; put text values in quotes"


def _events(text: str) -> Iterator[Any]:
    loader = _EventLoader(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


def _compose(text: str, file: str) -> _Node | None:
    """Build the node graph from the event stream, checking nesting and anchors as it goes."""
    anchors: dict[str, _Node] = {}
    stack: list[tuple[_Node, list[_Node]]] = []
    root: _Node | None = None
    documents = 0

    def attach(node: _Node) -> None:
        nonlocal root
        if stack:
            stack[-1][1].append(node)
        else:
            root = node

    try:
        for event in _events(text):
            if isinstance(event, yaml.DocumentStartEvent):
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
            elif isinstance(event, yaml.AliasEvent):
                target = anchors.get(event.anchor or "")
                mark = _mark(event.start_mark)
                if target is None:
                    raise YamlError(
                        error(
                            "CP104",
                            f"invalid YAML: alias *{event.anchor} refers to "
                            "no anchor defined before it",
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
                attach(_Node("alias", mark, value=target))
            elif isinstance(event, yaml.ScalarEvent):
                node = _Node(
                    "scalar",
                    _mark(event.start_mark),
                    event.tag,
                    event.value,
                    event.style,
                    plain=bool(event.implicit[0]),
                    complete=True,
                )
                if event.anchor:
                    anchors[event.anchor] = node
                attach(node)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
                node = _Node(kind, _mark(event.start_mark), event.tag, [])
                if len(stack) >= MAX_DEPTH:
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
                attach(node)
                stack.append((node, []))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                node, children = stack.pop()
                if node.kind == "map":
                    node.value = list(zip(children[0::2], children[1::2], strict=True))
                else:
                    node.value = children
                node.complete = True
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_error_diagnostic(exc, file, text)) from None
    except RecursionError:  # pragma: no cover - the event parser does not recurse
        raise YamlError(
            error(
                "CP107", "the YAML nests too deeply", SourcePos(file, 1, 1), "flatten the structure"
            )
        ) from None
    return root


class _Converter:
    """Turn the node graph into plain data, expanding aliases within the bounds."""

    def __init__(self, file: str, document: YamlDocument) -> None:
        self.file = file
        self.document = document
        self.count = 0

    def fail(self, code: str, message: str, mark: Mark, hint: str) -> YamlError:
        return YamlError(error(code, message, _pos(self.file, mark), hint))

    def convert(self, node: _Node, path: PathKey, depth: int, via: Mark | None = None) -> Any:
        if node.kind == "alias":
            return self.convert(node.value, path, depth, via or node.mark)
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.fail(
                "CP106",
                f"the document expands to more than {MAX_VALUES:,} values through its aliases",
                via or node.mark,
                "write the values out, or use fewer nested aliases",
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
            return self.scalar(node)
        if node.tag not in (None, "!", _MAP if node.kind == "map" else _SEQ):
            raise self.fail(
                "CP108",
                f"the tag {node.tag} is not accepted",
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
            key = self.key(key_node)
            key_mark = via or key_node.mark
            if key in first_seen:
                first = first_seen[key]
                raise self.fail(
                    "CP105",
                    f"duplicate key '{key}' (first defined at line {first.line}, "
                    f"column {first.column})",
                    key_mark,
                    "remove one of the two, or rename it; YAML would silently keep only one",
                )
            first_seen[key] = key_mark
            if key == _MERGE_KEY and key_node.plain:
                merges.append((value_node, key_mark))
                continue
            self.document.keys[(*path, key)] = key_mark
            result[key] = self.convert(value_node, (*path, key), depth + 1, via)
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
            merged = self.mapping(source, path, depth, mark)
            for key, value in merged.items():
                if key not in result:
                    result[key] = value
                    self.document.keys.setdefault((*path, key), mark)

    def key(self, node: _Node) -> str:
        if node.kind == "alias":
            node = node.value
        if node.kind != "scalar":
            raise self.fail(
                "CP113",
                "a list or a mapping cannot be used as a key",
                node.mark,
                "use plain text as the key",
            )
        if node.tag not in (None, "!", _STR):
            raise self.fail(
                "CP108", f"the tag {node.tag} is not accepted on a key", node.mark, "remove the tag"
            )
        return str(node.value)

    def scalar(self, node: _Node) -> Any:
        text: str = node.value
        tag = node.tag
        if tag is None or tag == "!":
            return _resolve_plain(text) if node.plain else text
        if tag == _STR:
            return text
        resolved = _resolve_plain(text)
        expected = {_INT: int, _FLOAT: float, _BOOL: bool, _NULL: type(None)}.get(tag)
        if expected is None:
            raise self.fail(
                "CP108",
                f"the tag {tag} is not accepted",
                node.mark,
                "remove the tag; only plain YAML values are accepted",
            )
        if expected is float and isinstance(resolved, int) and not isinstance(resolved, bool):
            return float(resolved)
        if type(resolved) is not expected:
            raise self.fail(
                "CP205",
                f"'{text}' is not a valid value for the tag {tag}",
                node.mark,
                "remove the tag, or correct the value",
            )
        return resolved


def _resolve_plain(text: str) -> Any:
    """Resolve an unquoted scalar by YAML 1.2's core schema, leaving anything doubtful as text."""
    if _NULL_RE.match(text):
        return None
    if text in _BOOL_VALUES:
        return _BOOL_VALUES[text]
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    return text
