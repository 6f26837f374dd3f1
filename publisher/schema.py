"""JSON Schema files for editors' YAML editors (completion, red underlines), and the
schema of the JSON export (published with the export on the downloads page).

The YAML files point at these with a `# yaml-language-server: $schema=…` line.
They are generated from the model; a test keeps the committed copies current.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from . import ids
from .exports import SCHEMA_TITLE, ExportData
from .model import Glossary, Instrument, SiteConfig
from .project import Project

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "instrument.schema.json": (Instrument, "Instrument met vragen (indicators/*.yaml)"),
    "site_config.schema.json": (SiteConfig, "Instellingen van de site (site_config.yaml)"),
    "begrippen.schema.json": (Glossary, "Begrippenlijst (content/begrippen.yaml)"),
    "export.schema.json": (ExportData, SCHEMA_TITLE),
}
# Schemas of files the build writes (not of YAML): written by their own modules.
GENERATED_SCHEMAS = {"ids.schema.json": ids.schema_text}


def schema_text(model: type[BaseModel], title: str) -> str:
    schema = model.model_json_schema(by_alias=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(project: Project) -> list[str]:
    project.schema_dir.mkdir(exist_ok=True)
    written = []
    for file_name, (model, title) in SCHEMAS.items():
        (project.schema_dir / file_name).write_text(schema_text(model, title), encoding="utf-8")
        written.append(f"schema/{file_name}")
    for file_name, text in GENERATED_SCHEMAS.items():
        (project.schema_dir / file_name).write_text(text(), encoding="utf-8")
        written.append(f"schema/{file_name}")
    return written
