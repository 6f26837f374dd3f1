"""The pull-request loop (issue 13): `check` in GitHub Actions writes an annotation per
problem (file, line, Dutch message, escaped by GitHub's workflow-command rules) and a job
summary; on success the summary lists what changes for readers compared with the base."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import copy_project, run_cli
from publisher.changes import (ADDED, CHANGED_PAGE, NEW_PAGE, REMOVED, REMOVED_PAGE, RENAMED, REWORDED,
                               compare_with_base, describe)
from publisher.github import annotation, check_summary
from publisher.problems import Problem, Severity, error
from publisher.project import Project
from publisher.validate import load_publication

WARNING_QUESTION = "Ervaren 100% van de leerlingen herkenning: ja, soms"


@pytest.fixture
def github(monkeypatch, tmp_path) -> Path:
    """GitHub Actions' environment for one step; returns the job summary file."""
    summary = tmp_path / "step_summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    return summary


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def annotations(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("::")]


def test_check_on_broken_input_annotates_each_line(project_copy, github) -> None:
    bo = project_copy / "indicators" / "bo.yaml"
    bo.write_text(bo.read_text(encoding="utf-8").replace("tekst: Ervaren leerlingen herkenning?",
                                                        f'tekst: "{WARNING_QUESTION}"'), encoding="utf-8")
    go = project_copy / "indicators" / "go.yaml"
    go.write_text(go.read_text(encoding="utf-8").replace("  - id: hoe\n", "\t- id: hoe\n"), encoding="utf-8")

    code, output = run_cli(["check"], project_copy)
    assert code == 1
    lines = annotations(output)
    warning_line, tab_line = line_of(bo, WARNING_QUESTION), line_of(go, "\t- id: hoe")
    # '%' → %25 and the newline before the hint → %0A in the message; ':' stays in a message
    assert ("::warning file=indicators/bo.yaml,line=%d,title=Controle%%3A waarschuwing::"
            "de vraag 'Ervaren 100%%25 van de leerlingen herkenning: ja, soms' eindigt niet op een vraagteken"
            "%%0A→ Controleer of de vraag volledig is; voeg een '?' toe als hij dat mist." % warning_line) in lines
    errors = [line for line in lines if line.startswith("::error ")]
    assert any(re.match(rf"::error file=indicators/go\.yaml,line={tab_line},title=Controle%3A fout::.*tab-teken", line)
               for line in errors), errors
    assert all("\n" not in line and "\r" not in line for line in lines)
    terminal = [line for line in output.splitlines() if re.match(r"^\S+:\d+: (fout|waarschuwing): ", line)]
    assert len(lines) == len(terminal) == 2, "één annotatie per melding"

    summary = github.read_text(encoding="utf-8")
    assert summary.startswith("## ✗ Controle mislukt")
    assert "| Bestand | Regel | Soort | Melding | Wat je kunt doen |" in summary
    assert f"| indicators/go.yaml | {tab_line} | fout |" in summary
    assert f"| indicators/bo.yaml | {warning_line} | waarschuwing |" in summary
    assert "Wat verandert er voor lezers" not in summary


def test_every_mistake_of_every_file_in_one_run(project_copy, github) -> None:
    """A tab, an unclosed quote and a duplicate id in one file and a broken link in another:
    four annotations on their lines and four rows in the job summary, from one `check`."""
    corpus = Path(__file__).parent / "bad_input"
    bo = project_copy / "indicators" / "bo.yaml"
    bo.write_bytes((corpus / "drie-fouten.yaml").read_bytes())
    page = project_copy / "content" / "over-kcr.md"
    page.write_bytes((corpus / "kapotte-link.md").read_bytes())
    lines = bo.read_text(encoding="utf-8").splitlines()
    tab = next(n for n, line in enumerate(lines, start=1) if line.startswith("\t"))
    quote = next(n for n, line in enumerate(lines, start=1) if line.count('"') == 1)
    first_id, second_id = [n for n, line in enumerate(lines, start=1) if line.strip() == "- id: keuze-onderwerp"]
    link = line_of(page, "bestaat-niet.md")

    code, output = run_cli(["check"], project_copy)

    assert code == 1
    errors = [line for line in annotations(output) if line.startswith("::error ")]
    expected = [("indicators/bo\\.yaml", tab, "er staat een tab-teken"),
                ("indicators/bo\\.yaml", quote, "een aanhalingsteken wordt niet afgesloten"),
                ("indicators/bo\\.yaml", second_id, f"de id 'keuze-onderwerp' komt twee keer voor \\(eerder op regel {first_id}\\)"),
                ("content/over-kcr\\.md", link, "de link 'bo/bestaat-niet\\.md' wijst naar een pagina die niet bestaat")]
    for file, line, message in expected:
        assert [e for e in errors if re.match(rf"::error file={file},line={line},title=Controle%3A fout::{message}", e)], \
            (file, line, message, errors)
    summary = github.read_text(encoding="utf-8")
    for file, line, _ in expected:
        assert f"| {file.replace(chr(92), '')} | {line} | fout |" in summary, summary


def test_annotation_properties_escape_colon_comma_and_newlines() -> None:
    problem = Problem("content/a:b,c%.md", None, "regel 1\r\nregel 2: 100%", None, Severity.ERROR)
    assert annotation(problem) == "::error file=content/a%3Ab%2Cc%25.md,title=Controle%3A fout::regel 1%0D%0Aregel 2: 100%25"
    assert annotation(error("indicators/bo.yaml", 7, "x", "y")) == \
        "::error file=indicators/bo.yaml,line=7,title=Controle%3A fout::x%0A→ y"


def test_check_outside_github_writes_no_annotations(project_copy, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    go = project_copy / "indicators" / "go.yaml"
    go.write_text(go.read_text(encoding="utf-8").replace("  - id: hoe\n", "\t- id: hoe\n"), encoding="utf-8")
    code, output = run_cli(["check"], project_copy)
    assert code == 1 and "tab-teken" in output and not annotations(output)


def edit_questions(project: Path) -> None:
    """Add a question, remove one (retired under 'vervallen:', as a published id must be), reword
    one (with characters that mean something in Markdown)."""
    bo = project / "indicators" / "bo.yaml"
    text = bo.read_text(encoding="utf-8")
    text = text.replace("          - id: herkenning\n            tekst: Ervaren leerlingen herkenning?\n",
                        "          - id: herkenning\n            tekst: 'Ervaren leerlingen | ouders <b>herkenning</b>?'\n"
                        "          - id: ouders-betrokken\n            tekst: Waren ouders betrokken bij de presentatie?\n")
    removed = "          - id: trots-eigen-groei\n"
    start = text.index(removed)
    end = text.index("\n", text.index("tekst:", start)) + 1
    text = text[:start] + text[end:]
    text = text.replace("structuur: impactdriehoek\n", "structuur: impactdriehoek\nvervallen:\n"
                        "  - id: trots-eigen-groei\n    reden: Samengevoegd met talenten-rollen-zichtbaar.\n")
    bo.write_text(text, encoding="utf-8")


def test_change_summary_lists_added_removed_and_reworded_questions(project_copy, tmp_path) -> None:
    base = copy_project(tmp_path / "basis")
    edit_questions(project_copy)
    voorwoord = project_copy / "content" / "voorwoord.md"
    voorwoord.write_text(voorwoord.read_text(encoding="utf-8") + "\nEen nieuwe alinea.\n", encoding="utf-8")
    head = load_publication(Project.at(project_copy))
    assert not head.errors, [str(p) for p in head.errors]
    base_publication = load_publication(Project.at(base)).publication
    old = next(item for item in base_publication.numbered_items(base_publication.instrument("bo"))
               if item.item.id == "trots-eigen-groei")
    old_text = old.item.text

    changes = compare_with_base(Project.at(project_copy), head, str(base))
    assert changes.instruments == []
    assert [(c.instrument, c.kind, c.item_id, c.old, c.new, c.number) for c in changes.items] == [
        ("bo", REWORDED, "herkenning", "Ervaren leerlingen herkenning?",
         "Ervaren leerlingen | ouders <b>herkenning</b>?", 1),
        ("bo", ADDED, "ouders-betrokken", None, "Waren ouders betrokken bij de presentatie?", 2),
        ("bo", REMOVED, "trots-eigen-groei", old_text, None, old.number),
    ]
    # bo's pages with its questions change, and pages that count questions; no page of another school type
    pages = [(p.path, p.kind) for p in changes.pages]
    assert pages[:2] == [("voorwoord.md", CHANGED_PAGE), ("bo/reflectievragen.md", CHANGED_PAGE)]
    assert {kind for _, kind in pages} == {CHANGED_PAGE}
    assert all(path.startswith("bo/") or path in ("voorwoord.md", "vergelijking.md", "index.md") for path, _ in pages), pages

    summary = check_summary(head.problems, changes)
    assert "**Vragen**: 1 toegevoegd, 1 verwijderd, 1 anders geformuleerd, 0 hernoemd" in summary
    # an editor's '|' and '<b>' stay text: they neither split the table row nor become HTML
    assert ("| bo | 1 | anders geformuleerd | herkenning | Ervaren leerlingen herkenning? | "
            "Ervaren leerlingen &#124; ouders &#60;b&#62;herkenning&#60;/b&#62;? |") in summary
    assert "| bo | 2 | toegevoegd | ouders-betrokken | – | Waren ouders betrokken bij de presentatie? |" in summary
    assert f"| bo | {old.number} | verwijderd | trots-eigen-groei | {old_text} | – |" in summary
    assert "| Reflectievragen bo | bo/reflectievragen.md | gewijzigd |" in summary


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


def test_check_in_a_pull_request_compares_with_the_base_branch(project_copy, github, monkeypatch) -> None:
    """As in GitHub Actions: the base branch comes from GITHUB_BASE_REF (origin/<branch> after checkout)."""
    git(project_copy, "init", "-q", "-b", "main")
    git(project_copy, "add", ".")
    git(project_copy, "commit", "-qm", "basis")
    git(project_copy, "update-ref", "refs/remotes/origin/main", "HEAD")
    edit_questions(project_copy)
    monkeypatch.setenv("GITHUB_BASE_REF", "main")

    code, output = run_cli(["check"], project_copy)
    assert code == 0, output
    assert not [line for line in annotations(output) if line.startswith("::error")]
    summary = github.read_text(encoding="utf-8")
    assert summary.startswith("## ✓ Controle geslaagd")
    assert "### Wat verandert er voor lezers (vergeleken met origin/main)" in summary
    assert "| bo | 2 | toegevoegd | ouders-betrokken |" in summary
    assert "| Reflectievragen bo | bo/reflectievragen.md | gewijzigd |" in summary
    assert "| go/" not in summary and "vo-mbo/" not in summary

    code, output = run_cli(["check", "--base", "bestaat-niet"], project_copy)
    assert code == 0
    assert "Vergelijken met 'bestaat-niet' lukte niet: de versie 'bestaat-niet' bestaat niet" in github.read_text(encoding="utf-8")


def test_a_renamed_item_is_reported_as_renamed_not_removed_and_added(project_copy, tmp_path) -> None:
    """'was:' carries the item's history: the summary names the old and the new id, once."""
    base = copy_project(tmp_path / "basis")
    bo = project_copy / "indicators" / "bo.yaml"
    bo.write_text(bo.read_text(encoding="utf-8").replace(
        "          - id: herkenning\n            tekst: Ervaren leerlingen herkenning?\n",
        "          - id: herkenning-leerlingen\n            was: [herkenning]\n"
        "            tekst: Ervaren leerlingen herkenning in het project?\n"), encoding="utf-8")
    head = load_publication(Project.at(project_copy))
    assert not head.errors, [str(p) for p in head.errors]

    changes = compare_with_base(Project.at(project_copy), head, str(base))
    assert [(c.instrument, c.kind, c.old_id, c.item_id, c.old, c.new, c.number) for c in changes.items] == [
        ("bo", RENAMED, "herkenning", "herkenning-leerlingen", "Ervaren leerlingen herkenning?",
         "Ervaren leerlingen herkenning in het project?", 1)]
    assert ("    bo vraag 1 (herkenning-leerlingen) hernoemd: was herkenning, “Ervaren leerlingen herkenning?” → "
            "“Ervaren leerlingen herkenning in het project?”") in describe(changes)
    summary = check_summary(head.problems, changes)
    assert "**Vragen**: 0 toegevoegd, 0 verwijderd, 0 anders geformuleerd, 1 hernoemd" in summary
    assert ("| bo | 1 | hernoemd | herkenning → herkenning-leerlingen | Ervaren leerlingen herkenning? | "
            "Ervaren leerlingen herkenning in het project? |") in summary


EXTRA_INSTRUMENT = """id: extra
naam: Extra instrument
inleiding: Een instrument dat alleen in één van beide versies staat.
structuur: impactdriehoek
sectieniveaus: [perspectief, thema]
antwoordvorm: schaal
secties:
  - id: wat
    titel: Veranderingen
    secties:
      - id: eerste-thema
        titel: Eerste thema
        items:
          - id: eerste
            tekst: Wat ging goed?
  - id: hoe
    titel: Condities
    secties:
      - id: tweede-thema
        titel: Tweede thema
        items:
          - id: tweede
            tekst: Wat kan beter?
  - id: wanneer-waar
    titel: Borging
    secties:
      - id: derde-thema
        titel: Derde thema
        items:
          - id: derde
            tekst: Wat houden we vast?
"""


def add_instrument_and_page(project: Path, page: str) -> None:
    """An unpublished instrument 'extra' (after vo-mbo; with the impact triangle, as the pages still expect) and a page `page` under 'Bijlagen'."""
    config = project / "site_config.yaml"
    text = config.read_text(encoding="utf-8").replace("  - vo-mbo\n", "  - vo-mbo\n  - extra\n", 1)
    text = text.replace("        - over-kcr.md\n", f"        - over-kcr.md\n        - {page}\n", 1)
    config.write_text(text, encoding="utf-8")
    (project / "indicators" / "extra.yaml").write_text(EXTRA_INSTRUMENT, encoding="utf-8")
    (project / "content" / page).write_text(f"# Pagina {page}\n\nEen korte pagina.\n", encoding="utf-8")


def test_a_removed_or_added_instrument_and_page_are_reported(project_copy, tmp_path) -> None:
    """Issue 20: a pull request that removes a whole school type, or a page, reported nothing."""
    base = copy_project(tmp_path / "basis")
    add_instrument_and_page(base, "oud.md")
    head = load_publication(Project.at(project_copy))
    changes = compare_with_base(Project.at(project_copy), head, str(base))
    assert [(c.instrument, c.name, c.kind, c.items) for c in changes.instruments] == [
        ("extra", "Extra instrument", REMOVED, 3)]
    assert changes.items == [], "de vragen van een verwijderd instrument staan niet nog eens los in de lijst"
    pages = {(p.path, p.kind) for p in changes.pages}
    assert {("oud.md", REMOVED_PAGE), ("extra/reflectievragen.md", REMOVED_PAGE), ("extra/invullen.md", REMOVED_PAGE)} <= pages
    assert [p.title for p in changes.pages if p.path == "oud.md"] == ["Pagina oud.md"]  # the title it had
    summary = check_summary(head.problems, changes)
    assert "**Instrumenten**: 0 toegevoegd, 1 verwijderd" in summary
    assert "| extra | Extra instrument | 3 | verwijderd |" in summary
    assert "| oud.md | verwijderd |" in summary
    assert "    instrument extra (Extra instrument, 3 vragen) verwijderd" in describe(changes)

    # and the other way round: added
    add_instrument_and_page(project_copy, "nieuw.md")
    head = load_publication(Project.at(project_copy))
    assert not head.errors, [str(p) for p in head.errors]
    changes = compare_with_base(Project.at(project_copy), head, str(copy_project(tmp_path / "basis2")))
    assert [(c.instrument, c.kind, c.items) for c in changes.instruments] == [("extra", ADDED, 3)]
    assert changes.items == []
    assert {("nieuw.md", NEW_PAGE), ("extra/reflectievragen.md", NEW_PAGE)} <= {(p.path, p.kind) for p in changes.pages}
    summary = check_summary(head.problems, changes)
    assert "| extra | Extra instrument | 3 | toegevoegd |" in summary
    assert "| Pagina nieuw.md | nieuw.md | nieuw |" in summary
