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

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .problems import Problem, error, warning
from .sources import character_name, hidden_character_problem, read_text

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


# PyYAML's messages are English; every one of them reaches editors in Dutch. Each entry:
# (text in PyYAML's message, Dutch message, what to do, which mark gives the line:
# "problem" = where PyYAML noticed it, "context" = where the construct began).
QUOTE_HINT = "Zet de tekst tussen aanhalingstekens, bv. vraag: \"…\"."
INDENT_HINT = "Zorg dat velden van hetzelfde blok precies even ver zijn ingesprongen (met spaties)."
_YAML_PROBLEMS = [
    (("found character '\\t'", "found a tab character"), "er staat een tab-teken",
     "Gebruik spaties om in te springen, geen tabs (stel je editor in op 'spaties').", "problem"),
    (("while scanning a quoted scalar",), "een aanhalingsteken wordt niet afgesloten",
     "Sluit de tekst af met hetzelfde aanhalingsteken als waarmee hij begint (\" of ').", "context"),
    (("mapping values are not allowed here",),
     "het inspringen klopt niet, of er staat een dubbele punt op een plek waar dat niet mag",
     "Controleer het inspringen van deze regel, of zet tekst die een dubbele punt bevat tussen aanhalingstekens.", "problem"),
    (("could not find expected ':'",), "deze regel is geen 'veld: waarde' en hoort ook niet bij de tekst erboven",
     "Schrijf 'naam: waarde'. Is het het vervolg van een lange tekst, spring de regel dan verder in dan de "
     "veldnaam van die tekst.", "context"),
    (("sequence entries are not allowed here",), "een lijst-item ('- ') staat op een plek waar geen lijst kan beginnen",
     "Zet '- ' alleen op een eigen regel onder een veld dat een lijst is, even ver ingesprongen als de andere items; "
     "begint de tekst zelf met '- ', zet hem dan tussen aanhalingstekens.", "problem"),
    (("expected <block end>",), "het inspringen klopt niet", INDENT_HINT, "problem"),
    (("expected a single document",), "het bestand bevat meer dan één YAML-document ('---')",
     "Verwijder de extra regel '---'; één bestand bevat één schooltype of één instelling.", "problem"),
    (("found unknown escape character", "hexadecimal numbers"),
     "onbekend escape-teken (\\) in tekst tussen dubbele aanhalingstekens",
     "Gebruik enkele aanhalingstekens, of schrijf een backslash als \\\\.", "problem"),
    (("expected alphabetic or numeric character",), "een waarde mag niet met & of * beginnen", QUOTE_HINT, "problem"),
    (("that cannot start any token",), "een waarde mag niet met het teken '{}' beginnen", QUOTE_HINT, "problem"),
    (("expected ',' or ']'",), "een lijst tussen [ ] is niet goed afgesloten",
     "Sluit de lijst af met ], of zet tekst met komma's tussen aanhalingstekens.", "problem"),
    (("expected ',' or '}'",), "een blok tussen { } is niet goed afgesloten",
     "Sluit het blok af met }, of zet tekst tussen aanhalingstekens.", "problem"),
    (("mapping keys are not allowed here",), "een waarde mag niet met '? ' beginnen", QUOTE_HINT, "problem"),
    (("while scanning a block scalar",), "na '>' of '|' mag op dezelfde regel niets anders staan",
     "Zet '>-' aan het eind van de regel met de veldnaam, en de tekst ingesprongen op de regels eronder.", "problem"),
    (("expected the node content",), "er staat een leesteken op een plek waar tekst verwacht wordt", QUOTE_HINT, "problem"),
    (("while scanning a directive", "expected '<document start>'", "YAML directive", "YAML document"),
     "een regel die met % begint, betekent in YAML iets bijzonders",
     "Begin een regel niet met %; zet tekst met % tussen aanhalingstekens.", "problem"),
    (("tag handle", "while scanning a tag", "while parsing a tag"), "een waarde mag niet met ! beginnen", QUOTE_HINT,
     "problem"),
]
_FALLBACK = ("de YAML-opmaak klopt niet op deze regel",
             "Vergelijk deze regel met de regels erboven; let op inspringen, dubbele punten en aanhalingstekens.")
_QUOTED_THEN_MORE = re.compile(r"""^\s*(?:-\s+)?[^\s:#'"][^:#]*:\s+(["']).*?\1\s*[^\s#]""")


_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def yaml_lines(text: str) -> list[str]:
    """The lines as PyYAML counts them (its marks): NEL, LS and PS end a line too."""
    return _YAML_LINE_BREAK.split(text)


def _translate(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str, int]:
    """Dutch message, hint and line for a PyYAML error; never PyYAML's English."""
    described = f"{exc.context or ''} {exc.problem or ''}"
    problem_line = exc.problem_mark.line + 1 if exc.problem_mark else None
    context_line = exc.context_mark.line + 1 if exc.context_mark else None
    lines = yaml_lines(text)
    # A text that starts with a quote and goes on after the closing quote: PyYAML says
    # "expected <block end>", the real cause is the quote.
    for candidate in filter(None, (problem_line, context_line)):
        if 0 < candidate <= len(lines) and _QUOTED_THEN_MORE.match(lines[candidate - 1]):
            return ("de tekst begint met een aanhalingsteken, maar gaat na het sluitende aanhalingsteken nog verder",
                    "Zet de hele tekst tussen (andere) aanhalingstekens, bv. vraag: '\"Ervaren\" leerlingen …?', "
                    "of laat het aanhalingsteken aan het begin weg.", candidate)
    for needles, message, hint, mark in _YAML_PROBLEMS:
        if any(needle in described for needle in needles):
            line = (context_line if mark == "context" else problem_line) or problem_line or context_line or 1
            if "{}" in message:  # the character PyYAML names: "found character '@' that cannot start any token"
                message = message.format(exc.problem.split("'")[1] if exc.problem and "'" in exc.problem else "?")
            return message, hint, line
    return (*_FALLBACK, problem_line or context_line or 1)


_STRUCTURAL_SPACE = re.compile(r"^(\s*(?:-\s+)*)(\S[^:#]*:)?(\s*)")


def structural_spaces(text: str, name: str) -> list[Problem]:
    """Unusual spaces (like the no-break space) where YAML needs an ordinary space: in the
    indentation, after '- ' or right after 'veld:'."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _STRUCTURAL_SPACE.match(line)
        for character in match.group(0) if match else "":
            if character.isspace() and character not in " \t":
                problems.append(error(name, number, f"er staat een bijzondere spatie, {character_name(character)}, "
                                                    "waar YAML een gewone spatie nodig heeft",
                                      "Vervang het teken door een gewone spatie (het komt vaak mee bij kopiëren)."))
                break
    return problems


def parse_yaml(text: str, name: str, first_line: int = 1) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML text; `first_line` shifts line numbers (front matter inside Markdown)."""
    offset = first_line - 1
    spaces = [Problem(p.file, p.line + offset, p.message, p.hint, p.severity) for p in structural_spaces(text, name)]
    if spaces:  # PyYAML would report something misleading further on
        return None, spaces
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        return None, [error(name, exc.mark.line + 1 + offset, exc.message, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        message, hint, line = _translate(exc, text)
        return None, [error(name, line + offset, message, hint)]
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return None, [error(name, line + offset, f"het bestand bevat een stuurteken dat niet in tekst hoort, "
                                                         f"{character_name(chr(exc.character))}",
                                    "Verwijder het teken; kopieer tekst eventueel opnieuw als platte tekst.")]
    except (yaml.YAMLError, RecursionError):
        line = _too_deep_line(text)
        if line is not None:
            return None, [error(name, line + offset, "de gegevens zijn te diep genest",
                                "Vergelijk de opbouw met een ander bestand in dezelfde map.")]
        return None, [error(name, None, "het bestand kan niet als YAML gelezen worden (te diep genest?)",
                                    "Vergelijk de opbouw met een ander bestand in dezelfde map.")]
    if node is None:
        return None, [error(name, 1, "het bestand is leeg", "Vul het bestand of verwijder het.")]
    document = YamlDocument(name=name, data=None)
    problems: list[Problem] = []
    document.data = _to_data(node, (), document, problems, offset, depth=0)
    problems += _cut_off_comments(node, yaml_lines(text), name, offset)
    return document, problems


def _too_deep_line(text: str) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH, found with PyYAML's event parser
    (a loop, not a recursion like the composer that gave up), or None."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_StrictLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except (yaml.YAMLError, RecursionError):
        return None
    return None


def read_yaml(path: Path, name: str, root: Path) -> tuple[YamlDocument | None, list[Problem]]:
    text, problems = read_text(path, name, root)
    if text is None:
        return None, problems
    document, found = parse_yaml(text, name)
    return document, problems + found


def _cut_off_comments(node, lines: list[str], name: str, offset: int) -> list[Problem]:
    """' #' after a plain text starts a comment: the rest of the line is silently dropped.
    Warn with the text that is cut off."""
    problems = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(value for _, value in current.value)
        elif current.style is None and current.value:
            line = lines[current.end_mark.line]
            rest = line[current.end_mark.column:]
            if rest.lstrip().startswith("#") and rest[:1].isspace():
                problems.append(warning(name, current.end_mark.line + 1 + offset,
                                        f"de tekst na ' #' wordt als commentaar gelezen en weggelaten: '{rest.strip()}'",
                                        "Hoort dit bij de tekst, zet de hele tekst dan tussen aanhalingstekens; is het "
                                        "commentaar, zet het dan op een eigen regel."))
    return sorted(problems, key=lambda p: p.line)


def _to_data(node, location: Location, doc: YamlDocument, problems: list[Problem], offset: int, depth: int):
    doc.lines[location] = node.start_mark.line + 1 + offset
    if depth > MAX_DEPTH:
        problems.append(error(doc.name, node.start_mark.line + 1 + offset, "de gegevens zijn te diep genest",
                              "Vergelijk de opbouw met een ander bestand in dezelfde map."))
        return None
    if isinstance(node, yaml.ScalarNode):
        source = (node.start_mark.buffer or "")[node.start_mark.pointer:node.end_mark.pointer]
        hidden = hidden_character_problem(doc.name, node.start_mark.line + 1 + offset, node.value, source)
        if hidden is not None:  # written as an escape ("\e", "\u202e"): the reader did not see it
            problems.append(hidden)
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
