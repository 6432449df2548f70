"""JSON Schemas of the source files, for editors and for checking files outside Charterpress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .model import Charter, Procedure, ResultSet, SiteConfig

# One schema per kind of source file; example files name theirs on their first line:
# '# yaml-language-server: $schema=../schemas/charter.schema.json'.
SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "site_config.schema.json": SiteConfig,
    "charter.schema.json": Charter,
    "procedure.schema.json": Procedure,
    "result.schema.json": ResultSet,
}

# Which schema checks which source file, as glob patterns relative to the site folder.
SCHEMA_FOR: dict[str, str] = {
    "site_config.yml": "site_config.schema.json",
    "charter/*.yml": "charter.schema.json",
    "charter/procedures/*.yml": "procedure.schema.json",
    "charter/results/*/*.yml": "result.schema.json",
}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the JSON Schema (2020-12) of the YAML files that MODEL reads."""
    schema = model.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def write_schemas(folder: Path) -> list[Path]:
    """Write one schema per kind of source file into FOLDER; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMA_FILES.items():
        path = folder / name
        text = json.dumps(json_schema(model), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
