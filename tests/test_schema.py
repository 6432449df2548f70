"""JSON Schemas of the source files: valid schemas that accept the example and the test sites."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from charterpress.load import load_sources
from charterpress.schema import SCHEMA_FILES, SCHEMA_FOR, json_schema, write_schemas

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
VALID_SITES = [REPO, ROOTS / "full", ROOTS / "minimal"]


def validator(name: str) -> jsonschema.protocols.Validator:
    """Return a validator, with format checks, for the schema file NAME."""
    schema = json_schema(SCHEMA_FILES[name])
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def documents(site: Path) -> list[tuple[str, str, Any]]:
    """Return (schema file, source file, data) for every source file of SITE."""
    sources, problems = load_sources(site)
    assert problems == []
    assert sources.config is not None
    found = [("site_config.schema.json", sources.config.file, sources.config.data)]
    found += [("charter.schema.json", d.file, d.data) for d in sources.charters]
    found += [("procedure.schema.json", d.file, d.data) for d in sources.procedures]
    found += [("result.schema.json", d.file, d.data) for d in sources.results]
    return found


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_each_schema_is_a_valid_json_schema(name: str) -> None:
    validator(name)


@pytest.mark.parametrize("site", VALID_SITES, ids=lambda p: "example" if p == REPO else p.name)
def test_valid_sites_pass_their_schemas(site: Path) -> None:
    checked = 0
    for schema, file, data in documents(site):
        errors = [
            f"{file}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(schema).iter_errors(data)
        ]
        assert errors == []
        checked += 1
    assert checked >= 2


def test_the_full_site_has_every_kind_of_file() -> None:
    kinds = {schema for schema, _, _ in documents(ROOTS / "full")}
    assert kinds == set(SCHEMA_FILES)


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        (
            "result.schema.json",
            {"commitments": [{"id": "x", "status": "done"}]},
            "commitments/0/status",
        ),
        ("procedure.schema.json", {"title": "T"}, ""),
        ("charter.schema.json", {"title": "T", "colour": "red"}, ""),
    ],
)
def test_schemas_reject_what_the_model_rejects(name: str, data: Any, where: str) -> None:
    errors = list(validator(name).iter_errors(data))
    assert errors
    assert where in ["/".join(map(str, e.absolute_path)) for e in errors]


def test_texts_are_marked_translatable() -> None:
    text = json.dumps(json_schema(SCHEMA_FILES["charter.schema.json"]))
    assert '"x-translatable": true' in text


def test_write_schemas_writes_one_file_per_kind(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "schemas")
    assert sorted(p.name for p in written) == sorted(SCHEMA_FILES)
    before = {p: p.stat().st_mtime_ns for p in written}
    write_schemas(tmp_path / "schemas")
    assert {p: p.stat().st_mtime_ns for p in written} == before  # unchanged files are not rewritten


def test_the_committed_schemas_are_current(tmp_path: Path) -> None:
    committed = REPO / "schemas"
    for path in write_schemas(tmp_path):
        assert (committed / path.name).read_text(encoding="utf-8") == path.read_text(
            encoding="utf-8"
        ), f"schemas/{path.name} is out of date: run `python build.py schema`"


def test_example_files_name_their_schema_on_the_first_line() -> None:
    checked = 0
    for pattern, name in SCHEMA_FOR.items():
        for path in sorted(REPO.glob(pattern)):
            expected = Path(os.path.relpath(REPO / "schemas" / name, path.parent)).as_posix()
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema={expected}", path
            checked += 1
    assert checked >= 10
