"""Reading editor-written YAML safely, keeping the line of every value.

One parser (PyYAML) for every YAML file in the project, configured so that the
usual YAML surprises cannot happen:
- no implicit typing: every scalar is text, so `ja`, `no`, `on`, `2025-01-01`
  and `1.0` stay exactly what the editor typed (YAML 1.1 would turn them into
  booleans, dates and numbers);
- no tags (`!!python/object`, `!!str`), no anchors or aliases (`&a`, `*a`):
  refused, so a file cannot blow up memory ("billion laughs");
- duplicate keys are reported (PyYAML silently keeps the last one);
- a size limit, UTF-8 only, no byte order mark (sources.py reads the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .problems import Problem, error
from .sources import read_text

MAX_DEPTH = 20

Location = tuple  # path into the data: ("perspectieven", 0, "themas", 2, "vraag")


@dataclass
class YamlDocument:
    """The plain data of one YAML file plus the line of each value and key."""

    name: str  # file name relative to the project root, for messages
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)  # where each value starts
    key_lines: dict[Location, int] = field(default_factory=dict)  # where each mapping key stands

    def line(self, location: Location) -> int:
        """The line of `location`, or of its nearest enclosing value."""
        location = tuple(location)
        if location in self.key_lines:
            return self.key_lines[location]
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return self.lines.get((), 1)


class _Refused(Exception):
    def __init__(self, message: str, hint: str, mark):
        super().__init__(message)
        self.message, self.hint, self.mark = message, hint, mark


class _TextOnlyResolver(BaseResolver):
    yaml_implicit_resolvers: dict = {}


class _StrictComposer(Composer):
    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                "ankers en verwijzingen (& en *) zijn niet toegestaan",
                "Schrijf de tekst voluit op elke plek waar je hem nodig hebt.",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _Refused(
                f"YAML-tags zoals '{tag.replace('tag:yaml.org,2002:', '!!')}' zijn niet toegestaan",
                "Verwijder de tag (het woord dat met ! begint); zet tekst eventueel tussen aanhalingstekens.",
                event.start_mark,
            )
        return super().compose_node(parent, index)


class _StrictLoader(Reader, Scanner, Parser, _StrictComposer, _TextOnlyResolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictComposer.__init__(self)
        _TextOnlyResolver.__init__(self)


# PyYAML's messages are English; these are the ones editors meet, in Dutch.
_YAML_PROBLEMS = [
    ("found character '\\t'", "er staat een tab-teken",
     "Gebruik spaties om in te springen, geen tabs (stel je editor in op 'spaties')."),
    ("while scanning a quoted scalar", "een aanhalingsteken wordt niet afgesloten",
     "Sluit de tekst af met hetzelfde aanhalingsteken als waarmee hij begint (\" of ')."),
    ("mapping values are not allowed here",
     "het inspringen klopt niet, of er staat een dubbele punt op een plek waar dat niet mag",
     "Controleer het inspringen van deze regel, of zet tekst die een dubbele punt bevat tussen aanhalingstekens."),
    ("could not find expected ':'", "er ontbreekt een dubbele punt achter een veldnaam",
     "Schrijf velden als 'naam: waarde', en controleer of een lange tekst goed is ingesprongen."),
    ("expected <block end>", "het inspringen klopt niet",
     "Zorg dat velden van hetzelfde blok precies even ver zijn ingesprongen (met spaties)."),
    ("did not find expected key", "het inspringen klopt niet",
     "Zorg dat velden van hetzelfde blok precies even ver zijn ingesprongen (met spaties)."),
    ("did not find expected '-' indicator", "een lijst-item is niet goed ingesprongen",
     "Laat elk item van een lijst op dezelfde hoogte met '- ' beginnen."),
    ("expected a single document", "het bestand bevat meer dan één YAML-document ('---')",
     "Verwijder de extra regel '---'; één bestand bevat één schooltype."),
    ("found unknown escape character", "onbekend escape-teken (\\) in tekst tussen dubbele aanhalingstekens",
     "Gebruik enkele aanhalingstekens, of schrijf een backslash als \\\\."),
    ("found undefined alias", "ankers en verwijzingen (& en *) zijn niet toegestaan",
     "Schrijf de tekst voluit op elke plek waar je hem nodig hebt."),
    ("found character '@'", "een waarde mag niet met @ of ` beginnen",
     "Zet de tekst tussen aanhalingstekens."),
    ("found character '`'", "een waarde mag niet met @ of ` beginnen",
     "Zet de tekst tussen aanhalingstekens."),
    ("expected ',' or ']'", "een lijst tussen [ ] is niet goed afgesloten",
     "Sluit de lijst af met ], of zet tekst met komma's tussen aanhalingstekens."),
    ("expected ',' or '}'", "een blok tussen { } is niet goed afgesloten",
     "Sluit het blok af met }, of zet tekst tussen aanhalingstekens."),
    ("found a tab character", "er staat een tab-teken",
     "Gebruik spaties om in te springen, geen tabs."),
    ("unacceptable character", "het bestand bevat een onzichtbaar stuurteken",
     "Verwijder het teken; kopieer tekst eventueel opnieuw als platte tekst."),
]


def _translate(exc: yaml.MarkedYAMLError) -> tuple[str, str, int]:
    text = f"{exc.context or ''} {exc.problem or ''}"
    mark = exc.problem_mark or exc.context_mark
    for needle, message, hint in _YAML_PROBLEMS:
        if needle in text:
            if needle == "while scanning a quoted scalar" and exc.context_mark:
                mark = exc.context_mark  # where the quote was opened, not the end of the file
            return message, hint, (mark.line + 1 if mark else 1)
    problem = (exc.problem or exc.context or "onbekend probleem").strip()
    return (f"de YAML-opmaak klopt niet ({problem})",
            "Vergelijk deze regel met de regels erboven; let op inspringen, dubbele punten en aanhalingstekens.",
            mark.line + 1 if mark else 1)


def parse_yaml(text: str, name: str, first_line: int = 1) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML text; `first_line` shifts line numbers (front matter inside Markdown)."""
    offset = first_line - 1
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        return None, [error(name, exc.mark.line + 1 + offset, exc.message, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        message, hint, line = _translate(exc)
        return None, [error(name, line + offset, message, hint)]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [error(name, None, f"het bestand kan niet als YAML gelezen worden ({type(exc).__name__})",
                            "Controleer de opmaak; is het te diep genest?")]
    if node is None:
        return None, [error(name, 1, "het bestand is leeg", "Vul het bestand of verwijder het.")]
    document = YamlDocument(name=name, data=None)
    problems: list[Problem] = []
    document.data = _to_data(node, (), document, problems, offset, depth=0)
    return document, problems


def read_yaml(path: Path, name: str, root: Path) -> tuple[YamlDocument | None, list[Problem]]:
    text, problems = read_text(path, name, root)
    if text is None:
        return None, problems
    return parse_yaml(text, name)


def _to_data(node, location: Location, doc: YamlDocument, problems: list[Problem], offset: int, depth: int):
    doc.lines[location] = node.start_mark.line + 1 + offset
    if depth > MAX_DEPTH:
        problems.append(error(doc.name, node.start_mark.line + 1 + offset, "de gegevens zijn te diep genest",
                              "Vergelijk de opbouw met een ander bestand in dezelfde map."))
        return None
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, location + (i,), doc, problems, offset, depth + 1) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(error(doc.name, key_line, "een veldnaam moet gewone tekst zijn",
                                  "Schrijf velden als 'naam: waarde'."))
            continue
        key = key_node.value
        if key in result:
            problems.append(error(
                doc.name, key_line,
                f"het veld '{key}' staat twee keer in hetzelfde blok (eerder op regel {doc.key_lines[location + (key,)]})",
                "Verwijder een van beide, of maak er een nieuw item van (met '- ' ervoor).",
            ))
            continue
        doc.key_lines[location + (key,)] = key_line
        result[key] = _to_data(value_node, location + (key,), doc, problems, offset, depth + 1)
    return result
