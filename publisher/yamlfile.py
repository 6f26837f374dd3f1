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

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
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
    recovered: bool = False  # the file has syntax errors: this is only what could be read around them

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


MAX_SYNTAX_ERRORS = 50
_RECOVERY_BUDGET = 2_000_000  # characters parsed again after errors, at most (a huge file gets fewer rounds)


def parse_yaml(text: str, name: str, first_line: int = 1,
               partial: bool = False) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML text; `first_line` shifts line numbers (front matter inside Markdown).

    The result is remembered in this process by all four arguments (`_parse_remembered`):
    parsing is the slow part of a check (pure-Python PyYAML, kept for its marks and messages),
    and a rebuild in the preview, or a check after an edit, reads the same unchanged files
    again. Each caller gets its own deep copy: nothing mutable is shared between calls or
    threads. A text over _REMEMBERED_LARGEST characters is parsed every time."""
    if len(text) > _REMEMBERED_LARGEST:
        return _parse_yaml(text, name, first_line, partial)
    return copy.deepcopy(_parse_remembered(text, name, first_line, partial))


_REMEMBERED_LARGEST = 256 * 1024  # characters


@lru_cache(maxsize=64)
def _parse_remembered(text: str, name: str, first_line: int,
                      partial: bool) -> tuple[YamlDocument | None, list[Problem]]:
    return _parse_yaml(text, name, first_line, partial)


def _parse_yaml(text: str, name: str, first_line: int,
                partial: bool) -> tuple[YamlDocument | None, list[Problem]]:
    """parse_yaml without the memory.

    Every syntax error of the file is reported, not only the first: after an error the
    item ('- ') or top-level key around it is left out and the rest is read again
    (`_resume_after`). A file with syntax errors gives no document, unless `partial`: then
    the document of what could be read, marked `recovered`, so that checks that do not need
    the whole file (duplicate ids) can still run."""
    offset = first_line - 1
    lines = text.split("\n")
    problems: list[Problem] = []
    affected: list[tuple[int, int]] = []  # (first line, end) of every item with a syntax error
    # Unusual spaces in the indentation: PyYAML would report something misleading further on.
    for problem in structural_spaces(text, name):
        problems.append(Problem(problem.file, problem.line + offset, problem.message, problem.hint, problem.severity))
        affected.append((problem.line, _resume_after(lines, problem.line)))
        _blank(lines, *affected[-1])
    limit = min(MAX_SYNTAX_ERRORS, max(1, _RECOVERY_BUDGET // max(len(text), 1)))
    node = None
    tried: tuple[int, int] | None = None  # the last error's line and where its item ends
    while True:
        found = _parse_once("\n".join(lines), name, offset)
        if not isinstance(found, Problem):
            node = found
            break
        line = found.line - offset if found.line is not None and found.message != TOO_DEEP else None
        if tried is not None and line is not None and tried[0] < line < tried[1]:
            # Leaving out the line alone was not enough (the error goes on in the same item):
            # leave out the whole item and do not report what followed from the first error.
            _blank(lines, tried[0], tried[1])
            tried = None
            continue
        if line is None or len(problems) >= limit or not 0 < line <= len(lines) or not lines[line - 1].strip():
            if not any(p.line == found.line for p in problems):
                problems.append(found)
            break  # nothing left to leave out (or not worth it): stop here
        problems.append(found)
        tried = (line, _resume_after(lines, line))
        affected.append(tried)
        _blank(lines, line, line + 1)
    if problems and (not partial or node is None):
        return None, problems
    if node is None:
        return None, [error(name, 1, "het bestand is leeg", "Vul het bestand of verwijder het.")]
    document = YamlDocument(name=name, data=None, recovered=bool(problems))
    found_in_data: list[Problem] = []
    document.data = _to_data(node, (), document, found_in_data, offset, depth=0)
    # In an item with a syntax error, lines left out make the rest look like something else
    # (a second 'titel' in the item before): only what stands outside those items is reported.
    problems += [p for p in found_in_data
                 if p.line is None or not any(first <= p.line - offset < end for first, end in affected)]
    problems += _cut_off_comments(node, yaml_lines(text), name, offset)
    return document, problems


def _parse_once(text: str, name: str, offset: int):
    """The root node of `text`, or the Problem of its first syntax error."""
    try:
        loader = _StrictLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        return error(name, exc.mark.line + 1 + offset, exc.message, exc.hint)
    except yaml.MarkedYAMLError as exc:
        message, hint, line = _translate(exc, text)
        return error(name, line + offset, message, hint)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        return error(name, line + offset, f"het bestand bevat een stuurteken dat niet in tekst hoort, "
                                          f"{character_name(chr(exc.character))}",
                     "Verwijder het teken; kopieer tekst eventueel opnieuw als platte tekst.")
    except (yaml.YAMLError, RecursionError):
        line = _too_deep_line(text)
        if line is not None:
            return error(name, line + offset, TOO_DEEP, "Vergelijk de opbouw met een ander bestand in dezelfde map.")
        return error(name, None, "het bestand kan niet als YAML gelezen worden (te diep genest?)",
                     "Vergelijk de opbouw met een ander bestand in dezelfde map.")


TOO_DEEP = "de gegevens zijn te diep genest"  # final: such a file is never read again to recover


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


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _is_item(line: str) -> bool:
    stripped = line.lstrip()
    return stripped == "-" or stripped.startswith("- ")


def _resume_after(lines: list[str], number: int) -> int:
    """The line (1-based) where reading can go on after an error on line `number`: the next
    item of the list the error is in (or of a list around it), or the next top-level key."""
    threshold = _intended_indent(lines, number)
    item_indent = None  # the indentation of the '- ' item the error is in
    if _is_item(lines[number - 1]):
        item_indent = threshold
    for line in reversed(lines[:number - 1] if item_indent is None else []):
        if not _is_content(line) or _indent(line) > threshold:
            continue
        if _is_item(line):
            item_indent = _indent(line)
            break
        if _indent(line) == 0:
            break
        threshold = _indent(line) - 1
    for later in range(number + 1, len(lines) + 1):
        line = lines[later - 1]
        if not _is_content(line):
            continue
        if _indent(line) == 0 and not line[:1].isspace():
            return later
        if item_indent is not None and _indent(line) <= item_indent and (_is_item(line) or _indent(line) < item_indent):
            return later
    return len(lines) + 1


def _intended_indent(lines: list[str], number: int) -> int:
    """The indentation of line `number`; with a tab in it, what the editor meant: the
    indentation of the next line (its sibling or child), less '- ' for a list item."""
    line = lines[number - 1]
    if "\t" not in line[: len(line) - len(line.lstrip())]:
        return _indent(line)
    following = next((later for later in lines[number:] if _is_content(later) and "\t" not in later), None)
    if following is None:
        return 0
    return max(0, _indent(following) - (2 if _is_item(line) and not _is_item(following) else 0))


def _blank(lines: list[str], first: int, end: int) -> None:
    """Leave out lines first..end-1 (1-based), keeping the line numbers of the rest."""
    for number in range(first, min(end, len(lines) + 1)):
        lines[number - 1] = ""


def read_yaml(path: Path, name: str, root: Path, partial: bool = False) -> tuple[YamlDocument | None, list[Problem]]:
    text, problems = read_text(path, name, root)
    if text is None:
        return None, problems
    document, found = parse_yaml(text, name, partial=partial)
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
