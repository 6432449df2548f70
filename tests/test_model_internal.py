"""The model's own metadata: which fields are for staff only, which are translated, and ids."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from fullsite import make_site, outcome
from pydantic import BaseModel

from charterpress.model import (
    Charter,
    Delivery,
    Procedure,
    ResultSet,
    SiteConfig,
    Statement,
    internal_fields,
    is_internal_document,
    public_data,
    text_fields,
)
from charterpress.values import Translatable

ROOTS: list[type[BaseModel]] = [SiteConfig, Charter, Procedure, ResultSet]


def test_internal_fields_of_a_charter() -> None:
    assert internal_fields(Charter) == [
        ("commitments", "*", "internal_notes"),
        ("indicators", "*", "data_source"),
        ("indicators", "*", "owner", "email"),
        ("internal_notes",),
        ("objectives", "*", "owner", "email"),
        ("owner", "email"),
    ]


def test_internal_fields_of_results_and_settings() -> None:
    assert internal_fields(ResultSet) == [("internal_notes",)]
    assert internal_fields(SiteConfig) == []


def test_every_field_of_a_procedure_is_internal() -> None:
    assert is_internal_document(Procedure)
    assert not is_internal_document(Charter)
    fields = internal_fields(Procedure)
    assert ("steps", "*", "action") in fields
    assert ("steps", "*", "tips", "*", "text") in fields
    assert ("authority", "*", "up_to") in fields
    assert ("interaction_model", "stages", "*", "name") in fields
    assert set(text_fields(Procedure)) <= set(fields)


def test_public_data_drops_internal_fields(tmp_path: Path) -> None:
    site = outcome(make_site(tmp_path)).site
    assert site is not None
    data = public_data(site.charters["desk"].charter)
    assert "email" not in data["owner"]
    assert "data_source" not in data["indicators"][0]
    assert "internal_notes" not in data
    assert data["indicators"][0]["name"] == "Replies on time"
    with pytest.raises(ValueError, match="internal"):
        public_data(site.procedures["answer"].procedure)


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    """Return ROOT and every model class reachable from its fields."""
    found: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        for info in model.model_fields.values():
            todo += [a for a in _classes(info.annotation) if issubclass(a, BaseModel)]
    return found


def _classes(annotation: object) -> list[type]:
    if isinstance(annotation, type):
        return [annotation]
    return [c for arg in typing.get_args(annotation) for c in _classes(arg)]


def _holds_text(model: type[BaseModel]) -> bool:
    return any(
        any(isinstance(m, Translatable) for m in info.metadata)
        for info in model.model_fields.values()
    )


def _list_items(model: type[BaseModel]) -> list[tuple[str, type[BaseModel]]]:
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        for arg in (annotation, *typing.get_args(annotation)):
            if typing.get_origin(arg) is list:
                found += [
                    (f"{model.__name__}.{name}", c)
                    for c in _classes(typing.get_args(arg)[0])
                    if issubclass(c, BaseModel)
                ]
    return found


def test_the_id_check_sees_text_and_lists() -> None:
    assert _holds_text(Statement) and not _holds_text(Delivery)
    assert ("Procedure.delivers", Delivery) in _list_items(Procedure)


@pytest.mark.parametrize("root", ROOTS, ids=lambda r: r.__name__)
def test_every_list_item_with_text_has_an_id(root: type[BaseModel]) -> None:
    missing = [
        where
        for model in _models(root)
        for where, item in _list_items(model)
        if _holds_text(item) and "id" not in item.model_fields
    ]
    assert missing == []


@pytest.mark.parametrize("root", ROOTS, ids=lambda r: r.__name__)
def test_every_model_forbids_unknown_keys(root: type[BaseModel]) -> None:
    assert all(m.model_config.get("extra") == "forbid" for m in _models(root))
