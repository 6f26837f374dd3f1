"""The bad-input corpus (tests/bad_input/cases.yaml): every mistake gives its
Dutch message with file and line, a non-zero exit code and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

CORPUS = Path(__file__).parent / "bad_input"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


def apply_case(case: dict, project: Path) -> None:
    """Put a case in place: whole corpus files (`files`) and/or edits of the real project
    files (`edits`: replace `old` by `new`, which must occur exactly once, or append `new`).
    Characters nobody can see are written as YAML escapes in double quotes ("\\u00a0")."""
    for target, corpus_file in case.get("files", {}).items():
        data = (CORPUS / corpus_file).read_bytes()
        if "pad_to_bytes" in case:
            data += b"# " + b"x" * (case["pad_to_bytes"] - len(data) - 3) + b"\n"
        destination = project / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
    for edit in case.get("edits", []):
        destination = project / edit["file"]
        text = destination.read_text(encoding="utf-8") if destination.exists() else ""
        new = edit["new"]
        if "old" in edit:
            assert text.count(edit["old"]) == 1, f"{edit['old']!r} staat niet precies één keer in {edit['file']}"
            text = text.replace(edit["old"], new)
        else:
            text += new
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_bad_input_gives_dutch_message(case: dict, project_copy: Path) -> None:
    apply_case(case, project_copy)

    code, output = run_cli(["check"], project_copy)

    assert "Traceback" not in output
    for expected in case["expect"]:
        assert expected in output, f"verwacht:\n  {expected}\nkreeg:\n{output}"
    for unexpected in case.get("absent", []):
        assert unexpected not in output
    assert code == case.get("exit", 1), output


def test_corpus_files_are_all_used() -> None:
    used = {name for case in CASES for name in case.get("files", {}).values()}
    present = {p.name for p in CORPUS.iterdir() if p.name != "cases.yaml"}
    assert present - used <= {"geldig-klein.yaml", "ja-nee-blijven-tekst.yaml"}, present - used


def test_the_real_project_passes_the_check() -> None:
    from conftest import ROOT

    code, output = run_cli(["check"], ROOT)
    assert code == 0, output
    assert "fout" not in output


def test_quiet_ci_output_still_shows_warnings_and_errors(project_copy: Path, monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    (project_copy / "indicators" / "bo.yaml").write_bytes((CORPUS / "geen-vraagteken.yaml").read_bytes())
    code, output = run_cli(["check"], project_copy)
    assert code == 0
    assert "waarschuwing: de vraag 'Keuze in onderwerp/materiaal/rol' eindigt niet op een vraagteken" in output
    (project_copy / "indicators" / "go.yaml").write_bytes((CORPUS / "tab-inspringen.yaml").read_bytes())
    code, output = run_cli(["build"], project_copy)
    assert code == 1 and "tab-teken" in output
    assert "• controle" not in output, "geen voortgangsregels in CI"


def test_every_dutch_yaml_message_has_a_corpus_case() -> None:
    """Each translation of a PyYAML message is reached by at least one case, so none can
    silently fall back to English (or to the generic message)."""
    from publisher.yamlfile import _YAML_PROBLEMS

    expected = " ".join(line for case in CASES for line in case["expect"])
    missing = [message for _, message, _, _ in _YAML_PROBLEMS if f"fout: {message.split('{}')[0]}" not in expected]
    assert not missing, missing


PASSING = [case for case in CASES if case.get("exit", 1) == 0]


@pytest.mark.slow
@pytest.mark.parametrize("case", PASSING, ids=[c["case"] for c in PASSING])
def test_build_accepts_what_check_accepts(case: dict, built_project: Path, project_copy: Path) -> None:
    """The build never fails on something `check` passed (it runs the same checks, then
    renders: nothing it refuses may be missed by `check`)."""
    from conftest import seed_pdf_cache

    seed_pdf_cache(built_project, project_copy)
    apply_case(case, project_copy)
    code, output = run_cli(["build"], project_copy)
    assert code == 0, output
    assert "Traceback" not in output
