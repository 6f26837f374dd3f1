"""Reading the editors' files (publisher/sources.py) as an editor meets it: which files are
read, which are skipped, and the exact Dutch message for each bad file (issue 20: these are
the tests mutmut runs against sources.py; bench/mutate.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher import sources


def name_of(root: Path):
    return lambda path: path.relative_to(root).as_posix()


@pytest.mark.parametrize("name,backup", [
    ("bo.yaml~", True), (".bo.yaml.swp", True), ("bo.yaml.swo", True), ("bo.yaml.swx", True), ("bo.yaml.bak", True),
    ("bo.yaml.orig", True), ("bo.yaml.rej", True), ("bo.yaml.tmp", True), (".#bo.yaml", True), ("#bo.yaml#", True),
    (".~lock.bo.xlsx#", True), ("~$rapport.docx", True),
    ("bo.yaml", False), ("bak.yaml", False), ("swp.md", False), ("a#b.md", False), ("#kop.md", False),
    ("bo.yaml.bakker", False), ("x~y.md", False), ("lock.md", False), ("$.md", False), ("orig.md", False),
])
def test_backup_files(name: str, backup: bool) -> None:
    assert sources.is_backup_file(name) is backup


def test_list_files_reads_the_project_and_skips_backups_with_a_note(tmp_path: Path) -> None:
    root = tmp_path / "project"
    content = root / "content"
    (content / "b" / "c").mkdir(parents=True)
    for path in ("z.md", "a.md", "b/x.md", "b/c/y.md", "a.md~", "b/.x.md.swp"):
        (content / path).write_text("tekst\n", encoding="utf-8")
    (content / "b" / "link.md").symlink_to(content / "a.md")  # inside the project: fine
    listing = sources.list_files(root, content, name_of(root))
    assert [p.relative_to(content).as_posix() for p in listing.files] == [
        "a.md", "b/c/y.md", "b/link.md", "b/x.md", "z.md"]
    assert [str(p) for p in listing.problems] == [
        "content/a.md~: waarschuwing: reservekopie of tijdelijk bestand van een editor; wordt genegeerd\n"
        "    → Verwijder het bestand als je het niet meer nodig hebt (het hoort niet in een pull request).",
        "content/b/.x.md.swp: waarschuwing: reservekopie of tijdelijk bestand van een editor; wordt genegeerd\n"
        "    → Verwijder het bestand als je het niet meer nodig hebt (het hoort niet in een pull request)."]
    assert not any(p.is_error for p in listing.problems)
    assert sources.list_files(root, root / "bestaat-niet", name_of(root)).files == []
    (root / "bestand").write_text("x", encoding="utf-8")
    assert sources.list_files(root, root / "bestand", name_of(root)).files == []


def test_links_out_of_the_project_are_named_and_never_listed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    outside = tmp_path / "elders"
    (outside / "map").mkdir(parents=True)
    (outside / "geheim.md").write_text("GEHEIM\n", encoding="utf-8")
    (outside / "map" / "ook.md").write_text("GEHEIM\n", encoding="utf-8")
    (root / "content" / "a-link.md").symlink_to(outside / "geheim.md")
    (root / "content" / "b-map").symlink_to(outside / "map", target_is_directory=True)
    listing = sources.list_files(root, root / "content", name_of(root))
    assert listing.files == []
    assert [(p.file, p.line, p.message, p.hint, p.is_error) for p in listing.problems] == [
        ("content/b-map", None, "dit is een snelkoppeling (symbolische link) naar een map buiten het project; die wordt "
         "niet gelezen", "Zet de map zelf in het project in plaats van een link ernaar.", True),
        ("content/a-link.md", None, "dit is een snelkoppeling (symbolische link) naar een bestand buiten het project; "
         "die wordt niet gelezen", "Zet het bestand zelf in het project in plaats van een link ernaar.", True)]


def read(tmp_path: Path, data: bytes, name: str = "content/p.md"):
    path = tmp_path / "p.md"
    path.write_bytes(data)
    return sources.read_text(path, name, tmp_path)


def test_a_good_file_is_read_whole(tmp_path: Path) -> None:
    text = "Kop\n\nCoördinator — “citaat”\n"
    assert read(tmp_path, text.encode()) == (text, [])
    # saved by a Windows editor (issue 19): UTF-8 with a byte order mark and CRLF is the same text
    assert read(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()) == (text, [])
    assert read(tmp_path, b"x" * sources.MAX_BYTES) == ("x" * sources.MAX_BYTES, [])


@pytest.mark.parametrize("data,line,message,hint", [
    (b"x" * (512 * 1024 + 1), None, "het bestand is te groot (512 kB; maximaal 512 kB)",
     "Splits de inhoud op of controleer of er per ongeluk iets groots in is geplakt."),
    (b"x" * (700 * 1024), None, "het bestand is te groot (700 kB; maximaal 512 kB)",
     "Splits de inhoud op of controleer of er per ongeluk iets groots in is geplakt."),
    ("kop\n".encode("utf-16-le").join([b"\xff\xfe", b""]), 1, "het bestand is opgeslagen als UTF-16, niet als UTF-8",
     "Sla het bestand op als 'UTF-8' (in VS Code: klik rechtsonder op de codering)."),
    (b"\xfe\xff\x00k", 1, "het bestand is opgeslagen als UTF-16, niet als UTF-8",
     "Sla het bestand op als 'UTF-8' (in VS Code: klik rechtsonder op de codering)."),
    (b"regel\nregel\nco\xf6rdinator\n", 3, "het bestand is geen geldige UTF-8 (onleesbaar teken, byte 0xf6)",
     "Sla het bestand op met de codering 'UTF-8'."),
    (b"\x80", 1, "het bestand is geen geldige UTF-8 (onleesbaar teken, byte 0x80)",
     "Sla het bestand op met de codering 'UTF-8'."),
    (b"a\nb\n\nc\x00d\n", 4, "het bestand bevat een nul-teken (binair bestand?)",
     "Controleer of dit echt een tekstbestand is."),
    (b"a\x00\nb\n\x00", 1, "het bestand bevat een nul-teken (binair bestand?)",
     "Controleer of dit echt een tekstbestand is."),
])
def test_a_bad_file_gets_one_dutch_message(tmp_path: Path, data: bytes, line, message: str, hint: str) -> None:
    text, problems = read(tmp_path, data)
    assert text is None
    assert [(p.file, p.line, p.message, p.hint, p.is_error) for p in problems] == [
        ("content/p.md", line, message, hint, True)]


def test_invisible_characters_are_named_with_line_and_column(tmp_path: Path) -> None:
    text = "schoon\nab\u200bc en \u00ad\nzo\u202eo\n\u2066x\u2069 \u2060\n\x07\n\u2069\n\u202f"
    result, problems = read(tmp_path, text.encode())
    assert result == text
    hint = ("Verwijder het teken: zet de cursor erachter en druk op Backspace (het komt vaak mee bij kopiëren "
            "uit Word of een PDF).")
    assert {p.file for p in problems} == {"content/p.md"}
    assert [(p.line, p.message, p.hint, p.is_error) for p in problems] == [
        (2, "onzichtbaar teken ZERO WIDTH SPACE (U+200B) in kolom 3", hint, True),
        (3, "onzichtbaar teken RIGHT-TO-LEFT OVERRIDE (U+202E) in kolom 3", hint, True),
        (4, "onzichtbaar teken LEFT-TO-RIGHT ISOLATE (U+2066) in kolom 1", hint, True),
        (5, "het bestand bevat een stuurteken dat niet in tekst hoort, stuurteken (U+0007)",
         "Verwijder het teken; kopieer tekst eventueel opnieuw als platte tekst.", True),
        (6, "onzichtbaar teken POP DIRECTIONAL ISOLATE (U+2069) in kolom 1", hint, True),
    ]
    assert sources.character_name("\x07") == "stuurteken (U+0007)"
    assert sources.character_name("\u00a0") == "NO-BREAK SPACE (U+00A0)"
    assert sources.character_name("\U0001f600") == "GRINNING FACE (U+1F600)"
    assert {"\u200c", "\u200d", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c", "\u202a", "\u202d", "\u2067",
            "\u2068"} <= sources.INVISIBLE
    assert not {"\u2029", "\u202f", "\u2065", "\u206a", " ", "\u00a0"} & sources.INVISIBLE


def test_a_folder_a_missing_file_and_an_unreadable_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "map.md").mkdir()
    assert sources.read_text(tmp_path / "map.md", "content/map.md", tmp_path) == (None, [sources.error(
        "content/map.md", None, "dit is een map, geen bestand",
        "Zet hier een bestand neer, of verwijs naar het juiste bestand.")])
    assert sources.read_text(tmp_path / "weg.md", "content/weg.md", tmp_path) == (None, [sources.error(
        "content/weg.md", None, "het bestand ontbreekt", "Maak het bestand aan (zie docs/redacteuren.md).")])
    (tmp_path / "dicht.md").write_text("x", encoding="utf-8")
    real = Path.read_bytes

    def refuse(path: Path) -> bytes:  # as for a file without read permission (root can read anything)
        if path.name == "dicht.md":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert sources.read_text(tmp_path / "dicht.md", "content/dicht.md", tmp_path) == (None, [sources.error(
        "content/dicht.md", None, "het bestand kan niet gelezen worden (foutcode 13)",
        "Controleer of het bestand bestaat en leesbaar is.")])


def test_a_content_folder_that_is_itself_a_link_out_of_the_project_is_not_read(tmp_path: Path) -> None:
    """The whole folder an editor's files are listed from is a link to somewhere else."""
    root = tmp_path / "project"
    root.mkdir()
    outside = tmp_path / "elders"
    (outside / "sub").mkdir(parents=True)
    (outside / "geheim.md").write_text("GEHEIM\n", encoding="utf-8")
    (outside / "sub" / "ook.md").write_text("GEHEIM\n", encoding="utf-8")
    (root / "content").symlink_to(outside, target_is_directory=True)
    listing = sources.list_files(root, root / "content", name_of(root))
    assert listing.files == []
    assert [str(p).split("\n")[0] for p in listing.problems] == [
        "content: fout: dit is een snelkoppeling (symbolische link) naar een map buiten het project; die wordt niet gelezen"]


def test_a_linked_indicators_folder_is_refused_by_check_without_showing_what_is_behind_it(tmp_path: Path) -> None:
    """`indicators/` as a whole is a link to a folder outside the project (found by mutmut,
    issue 20): `check` names each file and the link, in Dutch, and shows nothing of the files."""
    from conftest import copy_project, run_cli

    root = copy_project(tmp_path / "project")
    outside = tmp_path / "elders"
    (root / "indicators").rename(outside)
    for file in outside.glob("*.yaml"):
        file.write_text(file.read_text(encoding="utf-8").replace("naam:", "naam: GEHEIM", 1), encoding="utf-8")
    (root / "indicators").symlink_to(outside, target_is_directory=True)
    code, output = run_cli(["check"], root)
    assert code == 1, output
    assert "GEHEIM" not in output, output
    assert output.splitlines()[:2] == [
        "indicators: fout: dit is een snelkoppeling (symbolische link) naar een map buiten het project; die wordt niet gelezen",
        "    → Zet de map zelf in het project in plaats van een link ernaar."], output
    assert "onbekend instrument" not in output, output  # said once, of the folder, not per instrument
    assert "✗ Controle mislukt: 1 fout." in output, output

    # content/ as a link: its pages are not read either
    (root / "indicators").unlink()
    outside.rename(root / "indicators")
    (root / "content").rename(tmp_path / "inhoud")
    (root / "content").symlink_to(tmp_path / "inhoud", target_is_directory=True)
    code, output = run_cli(["check"], root)
    assert code == 1, output
    assert output.startswith("content: fout: dit is een snelkoppeling (symbolische link) naar een map buiten het project"), output
