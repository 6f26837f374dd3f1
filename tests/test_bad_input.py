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


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_bad_input_gives_dutch_message(case: dict, project_copy: Path) -> None:
    for target, corpus_file in case["files"].items():
        data = (CORPUS / corpus_file).read_bytes()
        if "pad_to_bytes" in case:
            data += b"# " + b"x" * (case["pad_to_bytes"] - len(data) - 3) + b"\n"
        destination = project_copy / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)

    code, output = run_cli(["check"], project_copy)

    assert "Traceback" not in output
    for expected in case["expect"]:
        assert expected in output, f"verwacht:\n  {expected}\nkreeg:\n{output}"
    for unexpected in case.get("absent", []):
        assert unexpected not in output
    assert code == case.get("exit", 1), output


def test_corpus_files_are_all_used() -> None:
    used = {name for case in CASES for name in case["files"].values()}
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
