"""Turning YAML documents into validated model objects, with Dutch messages.

Pydantic does the validation; this module translates each of its errors into
one `Problem` that names the file, the line, the field and what is expected.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import dutch
from .escaping import PLACE_PATTERN, TERM_PATTERN
from .model import COLOUR_PATTERN, CONTACT_PATTERN, EDITION_PATTERN, LOGO_PATTERN, URL_PATTERN, DutchValueError
from .problems import Problem, error
from .sources import character_name
from .yamlfile import YamlDocument

M = TypeVar("M", bound=BaseModel)


def validate_document(document: YamlDocument, model: type[M]) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        errors = _without_typo_follow_ups(exc.errors(include_url=False), model)
        problems = [_problem(document, model, err) for err in errors]
        return None, _without_duplicates(problems)


def _without_typo_follow_ups(errors: list[dict], model: type[BaseModel]) -> list[dict]:
    """A misspelt field ('vragen:' for 'vraag:') is one mistake: report the unknown
    field with its suggestion, not also the 'missing' field it was meant to be."""
    meant: set[tuple] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            location = tuple(err["loc"])
            close = difflib.get_close_matches(str(location[-1]), _known_fields(_model_at(model, location)), n=1, cutoff=0.6)
            if close:
                meant.add(location[:-1] + (close[0],))
    return [err for err in errors if not (err["type"] == "missing" and tuple(err["loc"]) in meant)]


def _without_duplicates(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple] = set()
    unique = []
    for problem in problems:
        key = (problem.line, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique


# --------------------------------------------------------------------------- model introspection


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] around a type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0]
        else:
            return annotation


def _field_by_alias(model: type[BaseModel], alias: str):
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return info
    return None


def _model_at(model: type[BaseModel], location: tuple) -> type[BaseModel] | None:
    """The model class that owns the last element of `location` (pydantic loc by alias)."""
    current: Any = model
    for step in location[:-1]:
        current = _unwrap(current)
        if isinstance(step, int):
            args = typing.get_args(current)
            if not args:
                return None
            current = args[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = _field_by_alias(current, step)
            if info is None:
                return None
            current = info.annotation
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    args = typing.get_args(current)
    if args and isinstance(_unwrap(args[0]), type) and issubclass(_unwrap(args[0]), BaseModel):
        return _unwrap(args[0])
    return None


def _known_fields(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


# --------------------------------------------------------------------------- messages


def _where(location: tuple) -> str:
    """'secties 2 › secties 1 › items 3' (1-based, as an editor counts)."""
    parts = []
    for step in location:
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1]} {step + 1}" if parts else f"item {step + 1}"]
        else:
            parts.append(str(step))
    return " › ".join(parts)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "een blok met velden"
    if isinstance(value, list):
        return "een lijst"
    if value is None or value == "":
        return "niets"
    return f"de tekst '{_short(value)}'"


def _short(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PATTERN_HELP = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": ("is geen geldige id",
                                 "Gebruik alleen kleine letters, cijfers en koppeltekens, bv. 'identiteit-en-inclusie'."),
    "^[a-z0-9][a-z0-9/_-]*\\.md$": ("is geen geldig paginapad",
                                    "Schrijf het pad van een Markdown-bestand met kleine letters, bv. 'onderzoek/index.md'."),
    URL_PATTERN: ("is geen geldig webadres",
                  "Schrijf een volledig adres dat begint met https://, met kleine letters in de domeinnaam, zonder "
                  "spaties, aanhalingstekens, ? of #, en dat eindigt op /, bv. 'https://kc-r.nl/reflectievragen/'."),
    EDITION_PATTERN: ("is geen geldige editie",
                      "Begin de editie met een jaartal, eventueel gevolgd door letters en cijfers, bv. '2025' of '2025-2'."),
    CONTACT_PATTERN: ("is geen geldig e-mailadres of webadres",
                      "Schrijf een e-mailadres (bv. 'info@kc-r.nl') of een volledig webadres dat begint met https://."),
    PLACE_PATTERN: ("is geen geldige plek",
                    "Schrijf de pagina, eventueel met # en het onderdeel, bv. 'go/index.md#cmk3-in-het-gespecialiseerd-onderwijs'."),
    COLOUR_PATTERN: ("is geen geldige kleur",
                     "Schrijf een kleur als '#' met zes cijfers of letters a-f, tussen aanhalingstekens, bv. '#2f5d3a'."),
    LOGO_PATTERN: ("is geen geldig pad van een logo",
                   "Schrijf het pad van een PNG- of JPG-bestand in content/, met kleine letters, "
                   "bv. 'content/afbeeldingen/logo.png'. Een SVG kan scripts bevatten en wordt niet gepubliceerd."),
    TERM_PATTERN: ("is geen geldig begrip",
                   "Een begrip mag geen [ ] * < > & \" ` { } | # of \\ bevatten; schrijf het zoals het in de tekst staat."),
}


def _unusual_characters(text: str) -> str:
    """"'а' (CYRILLIC SMALL LETTER A, U+0430)" for each character of a name or id that is not
    plain ASCII: look-alike letters and invisible characters that no editor can see."""
    unusual = [c for c in dict.fromkeys(text) if ord(c) > 126 or not c.isprintable()]
    return ", ".join(f"'{c}' = {character_name(c)}" for c in unusual)


def _problem(document: YamlDocument, model: type[BaseModel], err: dict) -> Problem:
    location = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = next((str(step) for step in reversed(location) if isinstance(step, str)), "")
    where = _where(location)
    name = document.name
    line = document.line(location)

    if kind == "missing":
        line = document.line(location[:-1])
        return error(name, line, f"het verplichte veld '{field}' ontbreekt (in {_where(location[:-1]) or 'het bestand'})",
                     f"Voeg een regel '{field}: …' toe aan dit blok.")
    if kind == "extra_forbidden":
        known = _known_fields(_model_at(model, location))
        close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
        where_in = f" (in {_where(location[:-1])})" if location[:-1] else ""
        unusual = _unusual_characters(field)
        if unusual:  # looks right, but is not: a look-alike letter or an invisible character
            retype = f"Typ de veldnaam opnieuw met gewone letters{f': {close[0]!r}' if close else ''}."
            return error(name, line, f"onbekend veld '{field}'{where_in}: de naam bevat {unusual}", retype)
        suggestion = f"Bedoel je '{close[0]}'? " if close else ""
        allowed = f"Toegestane velden hier: {', '.join(known)}." if known else "Verwijder dit veld."
        return error(name, line, f"onbekend veld '{field}'{where_in}", suggestion + allowed)
    if kind == "string_type":
        return error(name, line, f"'{field}' moet een tekst zijn, maar is {_kind(value)} ({where})",
                     "Schrijf de tekst direct achter de dubbele punt, op dezelfde regel (lange tekst: '>-' en de tekst ingesprongen eronder).")
    if kind == "list_type":
        return error(name, line, f"'{field}' moet een lijst zijn, maar is {_kind(value)} ({where})",
                     "Schrijf elk item op een eigen regel die begint met '- '.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return error(name, line, f"'{field or where}' moet een blok met velden zijn, maar is {_kind(value)} ({where})",
                     "Schrijf de velden ingesprongen onder elkaar, bv. 'id: …' en 'titel: …'.")
    if kind == "string_too_short":
        return error(name, line, f"'{field}' is leeg ({where})",
                     "Vul de tekst in, of verwijder het hele item als het weg moet.")
    if kind == "string_too_long":
        return error(name, line, f"'{field}' is te lang (meer dan {ctx.get('max_length')} tekens) ({where})",
                     "Maak de tekst korter of splits hem op.")
    if kind == "string_pattern_mismatch":
        what, hint = _PATTERN_HELP.get(ctx.get("pattern", ""), ("heeft niet de juiste vorm", "Controleer de schrijfwijze."))
        unusual = _unusual_characters(str(value)) if ctx.get("pattern") != TERM_PATTERN else ""
        if unusual:
            what += f": de tekst bevat {unusual}"
        return error(name, line, f"'{_short(value)}' {what} (veld '{field}', {where})", hint)
    if kind == "too_short":
        count = ctx.get("min_length")
        return error(name, line, f"'{field}' moet minstens {dutch.count(count, 'item', 'items')} bevatten ({where})",
                     "Voeg de ontbrekende items toe, elk op een regel die begint met '- '.")
    if kind == "too_long":
        count = ctx.get("max_length")
        if field == "sectieniveaus":
            return error(name, line, f"'sectieniveaus' mag hoogstens {dutch.count(count, 'naam', 'namen')} bevatten ({where})",
                         "Een instrument heeft 0, 1 of 2 lagen secties, bv. 'sectieniveaus: [perspectief, thema]'.")
        return error(name, line, f"'{field}' mag hoogstens {dutch.count(count, 'item', 'items')} bevatten ({where})",
                     "Haal items weg of verdeel ze over meer blokken.")
    if kind == "literal_error":
        return error(name, line, f"'{_short(value)}' is geen toegestane waarde voor '{field}' ({where})",
                     f"Kies uit: {ctx.get('expected', '').replace(chr(39), '').replace(' or ', ' of ')}.")
    if kind == "value_error" and isinstance(ctx.get("error"), DutchValueError):
        return error(name, line, f"{ctx['error'].message} (veld '{field}', {where})", ctx["error"].hint)
    return error(name, line, f"ongeldige waarde voor '{field}' ({where})",
                 "Vergelijk dit blok met een vergelijkbaar blok dat wel werkt.")
