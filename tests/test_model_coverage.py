"""docs/model-coverage.md: every field it lists exists in the model and is filled in the example."""

from __future__ import annotations

import datetime as dt
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from charterpress.model import Charter, Procedure, ResultSet, SiteConfig
from charterpress.validate import ValidatedSite, validate_site

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "model-coverage.md"
TODAY = dt.date(2026, 6, 15)  # pinned: the example's results must be over, its versions in force
MODELS: dict[str, type[BaseModel]] = {
    "site": SiteConfig,
    "charter": Charter,
    "procedure": Procedure,
    "result": ResultSet,
}
FILES = {
    "site": ["site_config.yml"],
    "charter": ["charter/*.yml"],
    "procedure": ["charter/procedures/*.yml"],
    "result": ["charter/results/*/*.yml"],
}
_ROW = re.compile(
    r"^\| (?P<concept>[^|]+) \| [^|]+ \| `(?P<field>[a-z]+:[^`]+)` \| `(?P<example>[^`]+)` \|$"
)


def rows() -> list[tuple[str, str, str]]:
    """Return (concept, field, example) for every row of the coverage table."""
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            found.append((match["concept"].strip(), match["field"], match["example"]))
        else:
            assert not re.match(r"^\| .* \| `[a-z]+:", line), f"a malformed row: {line}"
    return found


ROWS = rows()


@pytest.fixture(scope="module")
def site() -> ValidatedSite:
    """Return the validated example site."""
    outcome = validate_site(REPO, TODAY)
    assert outcome.site is not None, outcome.diagnostics
    return outcome.site


def documents(site: ValidatedSite, kind: str) -> list[dict[str, Any]]:
    """Return the example's documents of KIND as plain data, internal fields included."""
    instances: list[BaseModel] = {
        "site": [site.config],
        "charter": [c.charter for c in site.charters.values()],
        "procedure": [p.procedure for p in site.procedures.values()],
        "result": [r.results for r in site.results],
    }[kind]
    return [i.model_dump(mode="python") for i in instances]


def _values(data: Any, parts: list[str]) -> list[Any]:
    """Return every value at PARTS under DATA ('name[]' walks into each item of a list)."""
    if not parts:
        return [data]
    name, is_list = parts[0].removesuffix("[]"), parts[0].endswith("[]")
    if not isinstance(data, dict) or data.get(name) is None:
        return []
    value = data[name]
    items = value if is_list else [value]
    return [v for item in items for v in _values(item, parts[1:])]


def _filled(value: Any) -> bool:
    return value is not None and value is not False and value not in ("", [], {})


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _field_exists(model: type[BaseModel], parts: list[str]) -> bool:
    """Return whether the path of PARTS names a field of MODEL (through lists and unions)."""
    candidates = [model]
    for index, part in enumerate(parts):
        name = part.removesuffix("[]")
        infos = [m.model_fields[name] for m in candidates if name in m.model_fields]
        if not infos:
            return False
        if index == len(parts) - 1:
            return True
        candidates = [m for info in infos for m in _models_in(info.annotation)]
    return True


def test_the_table_is_read() -> None:
    assert len(ROWS) >= 100
    assert {field.split(":")[0] for _, field, _ in ROWS} == set(MODELS)


@pytest.mark.parametrize(("concept", "field", "example"), ROWS, ids=[r[1] for r in ROWS])
def test_every_listed_field_is_filled_in_the_example(
    site: ValidatedSite, concept: str, field: str, example: str
) -> None:
    kind, path = field.split(":", 1)
    parts = path.split(".")
    assert _field_exists(MODELS[kind], parts), f"{field} is not a field of the model"
    values = [v for doc in documents(site, kind) for v in _values(doc, parts)]
    assert any(_filled(v) for v in values), f"no {kind} file of the example fills {path}"
    texts = " ".join(
        re.sub(r"\s+", " ", p.read_text(encoding="utf-8"))
        for pattern in FILES[kind]
        for p in sorted(REPO.glob(pattern))
    )
    assert re.sub(r"\s+", " ", example) in texts, f"'{example}' is not in the {kind} files"
