"""The files editors write: finding them and reading them safely.

- Only files inside the project are read. A file or folder that is a symbolic
  link to somewhere outside the project is refused by name and never opened,
  so no message can show what such a file contains.
- Backup and swap files of editors (`bo.yaml~`, `.bo.yaml.swp`, `#bo.yaml#`,
  `bo.yaml.bak`, `bo.yaml.orig`) are ignored, with a note.
- Text is UTF-8 without NUL characters and not larger than MAX_BYTES (YAML and
  Markdown alike). A UTF-8 byte order mark and Windows line endings (CRLF, as Git
  for Windows checks files out and many editors save) are accepted: the text is
  read without the mark and with plain line ends, so line numbers stay the same.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, error, warning

MAX_BYTES = 512 * 1024
_BACKUP = re.compile(r"(~|\.swp|\.swo|\.swx|\.bak|\.orig|\.rej|\.tmp)$|^\.#|^#.*#$|^\.~lock\.|^~\$")


def is_backup_file(name: str) -> bool:
    return bool(_BACKUP.search(name))


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, with every symbolic link followed, is inside `root`."""
    try:
        resolved, base = path.resolve(), root.resolve()
    except (OSError, RuntimeError):  # a link in a loop (Python 3.11 raises RuntimeError)
        return False
    return resolved == base or base in resolved.parents


def is_link_loop(path: Path) -> bool:
    """Whether `path` is a symbolic link that never reaches a file or folder (a loop)."""
    if not path.is_symlink():
        return False
    try:
        path.resolve(strict=True)
    except FileNotFoundError:
        return False
    except (OSError, RuntimeError):
        return True
    return False


@dataclass
class Listing:
    files: list[Path] = field(default_factory=list)  # regular files inside the project, sorted
    problems: list[Problem] = field(default_factory=list)
    outside: bool = False  # the folder itself (or one above it) is a link out of the project: nothing listed


def list_files(root: Path, directory: Path, name_of) -> Listing:
    """Every editor file below `directory`, without following links out of the project;
    backup files are left out with a warning. `name_of(path)` names a path in messages."""
    if not inside(root, directory):
        return Listing(problems=[_outside(name_of(directory), "map", is_link_loop(directory))], outside=True)
    listing = Listing()
    if not directory.is_dir():
        return listing
    for folder, subfolders, files in os.walk(directory, followlinks=False):
        here = Path(folder)
        for sub in sorted(subfolders):
            if (here / sub).is_symlink() and not inside(root, here / sub):
                listing.problems.append(_outside(name_of(here / sub), "map", is_link_loop(here / sub)))
        subfolders[:] = sorted(s for s in subfolders if not (here / s).is_symlink() or inside(root, here / s))
        for file_name in sorted(files):
            path = here / file_name
            if is_backup_file(file_name):
                listing.problems.append(warning(name_of(path), None,
                                                "reservekopie of tijdelijk bestand van een editor; wordt genegeerd",
                                                "Verwijder het bestand als je het niet meer nodig hebt (het hoort niet in een pull request)."))
            elif path.is_symlink() and not inside(root, path):
                listing.problems.append(_outside(name_of(path), "bestand", is_link_loop(path)))
            else:
                listing.files.append(path)
    listing.files.sort()
    return listing


def _outside(name: str, what: str, loop: bool = False) -> Problem:
    if loop:
        return error(name, None, "dit is een snelkoppeling (symbolische link) die in een kring naar zichzelf "
                                 "verwijst; die wordt niet gelezen",
                     "Verwijder de snelkoppeling en zet het bestand of de map zelf op deze plek.")
    article = "de" if what == "map" else "het"
    return error(name, None, f"dit is een snelkoppeling (symbolische link) naar een {what} buiten het project; "
                             "die wordt niet gelezen",
                 f"Zet {article} {what} zelf in het project in plaats van een link ernaar.")


def _in_linked_folder(name: str) -> Problem:
    return error(name, None, "een map waarin dit bestand staat is een snelkoppeling (symbolische link) naar een "
                             "map buiten het project; het bestand wordt niet gelezen",
                 "Zet de map zelf in het project in plaats van een link ernaar.")


# Characters nobody sees that change what a file means. Named in messages by their Unicode name.
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c",
             *map(chr, range(0x202a, 0x202f)), *map(chr, range(0x2066, 0x206a))}


def character_name(character: str) -> str:
    """'NO-BREAK SPACE (U+00A0)'; control characters, which have no name, as 'stuurteken (U+0007)'."""
    return f"{unicodedata.name(character, 'stuurteken')} (U+{ord(character):04X})"


def hidden_character(text: str) -> str | None:
    """The first character in a value that no reader sees but that changes what the value
    does: a control character other than tab and line break (ESC, vertical tab, CR, NEL …),
    a line or paragraph separator, an invisible character (bidi overrides) or half of a
    surrogate pair. A YAML file can hold these written as escapes ("\\e", "\\u202e")."""
    for character in text:
        if character in "\t\n":
            continue
        if character in INVISIBLE or unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp"):
            return character
    return None


def hidden_character_problem(name: str, line: int | None, text: str, source: str = "") -> Problem | None:
    """The Dutch message for a value with a hidden character (see above); `source` is the value
    as it stands in the file, to tell a typed character from one written as an escape."""
    character = hidden_character(text)
    if character is None:
        return None
    if character in source:  # typed as it is: invisible_characters (or the YAML reader) names it on its line
        return None
    if character in INVISIBLE:
        what = f"het onzichtbare teken {character_name(character)}"
    elif unicodedata.category(character) == "Cs":
        what = f"een half teken (surrogaat U+{ord(character):04X})"
    else:
        what = f"een stuurteken dat niet in tekst hoort, {character_name(character)}"
    return error(name, line, f"de tekst bevat {what}, geschreven als escape-code met een backslash",
                 "Haal de escape-code (\\ gevolgd door een letter of cijfers) weg; alleen \\n (nieuwe regel) en "
                 "\\t (tab) mogen in tekst tussen dubbele aanhalingstekens.")


def invisible_characters(text: str, name: str) -> list[Problem]:
    """Invisible characters anywhere in an editor's file (YAML or Markdown)."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for column, character in enumerate(line, start=1):
            if character in INVISIBLE:
                problems.append(error(name, number, f"onzichtbaar teken {character_name(character)} in kolom {column}",
                                      "Verwijder het teken: zet de cursor erachter en druk op Backspace (het komt vaak "
                                      "mee bij kopiëren uit Word of een PDF)."))
                break  # one message per line is enough
            if character in "\u2028\u2029":
                problems.append(error(name, number, f"het bestand bevat een ongebruikelijk regeleinde, "
                                                    f"{character_name(character)}",
                                      "Verwijder het teken en begin eventueel een nieuwe regel met Enter (het komt "
                                      "vaak mee bij kopiëren uit een PDF of een website)."))
                break
            if character not in "\t\r" and unicodedata.category(character) == "Cc":
                # The same message as the YAML reader's (yamlfile.py), so a YAML file gets it once.
                problems.append(error(name, number, "het bestand bevat een stuurteken dat niet in tekst hoort, "
                                                    f"{character_name(character)}",
                                      "Verwijder het teken; kopieer tekst eventueel opnieuw als platte tekst."))
                break
    return problems


def read_text(path: Path, name: str, root: Path) -> tuple[str | None, list[Problem]]:
    """Read an editor's text file (YAML or Markdown) inside the project at `root`."""
    if not inside(root, path):  # the file, or a folder it is in, is a link out of the project
        return None, [_outside(name, "bestand", is_link_loop(path)) if path.is_symlink() else _in_linked_folder(name)]
    if path.is_dir():
        return None, [error(name, None, "dit is een map, geen bestand",
                            "Zet hier een bestand neer, of verwijs naar het juiste bestand.")]
    if not path.is_file():
        return None, [error(name, None, "het bestand ontbreekt", "Maak het bestand aan (zie docs/redacteuren.md).")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [error(name, None, f"het bestand kan niet gelezen worden (foutcode {exc.errno})",
                            "Controleer of het bestand bestaat en leesbaar is.")]
    text, problems = decode(raw, name)
    if text is None:
        return None, problems
    return text, invisible_characters(text, name)


def decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    if len(raw) > MAX_BYTES:
        return None, [error(name, None, f"het bestand is te groot ({len(raw) // 1024} kB; maximaal {MAX_BYTES // 1024} kB)",
                            "Splits de inhoud op of controleer of er per ongeluk iets groots in is geplakt.")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [error(name, 1, "het bestand is opgeslagen als UTF-16, niet als UTF-8",
                            "Sla het bestand op als 'UTF-8' (in VS Code: klik rechtsonder op de codering).")]
    if raw.startswith(b"\xef\xbb\xbf"):  # UTF-8 with byte order mark (Windows editors): the same text
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(name, line, f"het bestand is geen geldige UTF-8 (onleesbaar teken, byte 0x{raw[exc.start]:02x})",
                            "Sla het bestand op met de codering 'UTF-8'.")]
    if "\x00" in text:
        return None, [error(name, text[: text.index("\x00")].count("\n") + 1, "het bestand bevat een nul-teken (binair bestand?)",
                            "Controleer of dit echt een tekstbestand is.")]
    return text.replace("\r\n", "\n"), []  # Windows line endings: one line end per line, the same line numbers
