"""The online reflection form: the file format a team saves and opens.

The form itself is a generated page (templates/pages/invullen.md.j2, one per school
type) and a script of the site (templates/site/assets/javascripts/reflectie.js) that
keeps the answers in the browser, saves and opens files, prints and compares. This
module describes the saved file as a JSON Schema, published on the downloads page so
that others can read the files; the script writes exactly this shape, and the
browser tests validate what it writes against this schema.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .model import SLUG_PATTERN, Publication

FORMAT_NAME = "kcr-reflectie"
FORMAT_VERSION = 1
SCHEMA_FILE = "reflectie.schema.json"
MAX_FILE_BYTES = 1_000_000  # the script refuses larger files before reading them


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Details(_Closed):
    school: str = Field("", max_length=200)
    project: str = Field("", max_length=200)
    datum: str = Field("", max_length=10, description="Datum van de reflectie, JJJJ-MM-DD, of leeg.")
    aanwezigen: str = Field("", max_length=2000)


class Answer(_Closed):
    id: str = Field(pattern=SLUG_PATTERN, max_length=60, description="De vaste id van de vraag.")
    nummer: int = Field(ge=1, le=999, description="Het nummer van de vraag in de editie van dit bestand.")
    vraag: str = Field(max_length=4000, description="De vraag zoals die toen gesteld werd.")
    antwoord: str | None = Field(description="De id van het gekozen antwoord, of null.")
    toelichting: str = Field("", max_length=10000)


class Agreement(_Closed):
    wat: str = Field("", max_length=2000)
    wie: str = Field("", max_length=500)
    wanneer: str = Field("", max_length=200)


class ReflectionFile(_Closed):
    formaat: Literal["kcr-reflectie"]
    formaatversie: Literal[1]
    publicatie: str = Field(max_length=200)
    editie: str = Field(max_length=40)
    schooltype: str = Field(pattern=SLUG_PATTERN, max_length=60)
    opgeslagen: str = Field(max_length=40, description="Moment van opslaan (ISO 8601).")
    gegevens: Details
    antwoorden: list[Answer] = Field(max_length=500)
    afspraken: list[Agreement] = Field(max_length=100)
    volgende_reflectie: str = Field("", max_length=10)


def schema(publication: Publication) -> dict:
    """The JSON Schema of a saved reflection, with the answer ids of this edition's scale."""
    result = ReflectionFile.model_json_schema()
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["$id"] = f"{publication.config.base_url}downloads/{SCHEMA_FILE}"
    result["title"] = f"Opgeslagen reflectie ({publication.config.title})"
    result["description"] = ("Een reflectie die een schoolteam op de site invulde en met 'Opslaan' bewaarde. "
                             "Antwoorden zijn de ids van de antwoordschaal.")
    answer_ids = [answer_id for answer_id, _ in publication.config.answer_options()]
    result["$defs"]["Answer"]["properties"]["antwoord"] = {
        "description": "De id van het gekozen antwoord, of null als er geen antwoord is gekozen.",
        "anyOf": [{"enum": answer_ids}, {"type": "null"}]}
    return result


def schema_text(publication: Publication) -> str:
    return json.dumps(schema(publication), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
