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


def windows(data: bytes) -> bytes:
    """The file as a Windows editor saves it: CRLF line endings and a UTF-8 byte order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16: a case of its own
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data if data.startswith(b"\xef\xbb\xbf") else b"\xef\xbb\xbf" + data


def apply_case(case: dict, project: Path, as_windows: bool = False) -> None:
    """Put a case in place: whole corpus files (`files`) and/or edits of the real project
    files (`edits`: replace `old` by `new`, which must occur exactly once, or append `new`).
    Characters nobody can see are written as YAML escapes in double quotes ("\\u00a0").
    `as_windows`: every file the case writes is saved with CRLF and a byte order mark."""
    for target, corpus_file in case.get("files", {}).items():
        data = (CORPUS / corpus_file).read_bytes()
        if "pad_to_bytes" in case:
            data += b"# " + b"x" * (case["pad_to_bytes"] - len(data) - 3) + b"\n"
        if as_windows and target.endswith((".yaml", ".md")):
            data = windows(data)
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
        data = text.encode("utf-8")
        destination.write_bytes(windows(data) if as_windows and edit["file"].endswith((".yaml", ".md")) else data)


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


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_windows_line_endings_and_byte_order_mark_give_the_same_messages(case: dict, project_copy: Path) -> None:
    """The same case with every file it writes saved as a Windows editor does (CRLF, UTF-8 with
    BOM): the same messages on the same lines, the same exit code, nothing about U+000D or a BOM."""
    apply_case(case, project_copy, as_windows=True)

    code, output = run_cli(["check"], project_copy)

    assert "Traceback" not in output
    for expected in case["expect"]:
        assert expected in output, f"verwacht:\n  {expected}\nkreeg:\n{output}"
    for unexpected in case.get("absent", []) + ["U+000D", "U+FEFF", "begint met een BOM"]:
        assert unexpected not in output, output
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


# Every Dutch message of publisher/yamlfile.py and the corpus case that must produce it, written out
# here by hand (not read from the code under test): a translation that is removed or changed, or a
# new one without a case, fails the test below.
DUTCH_YAML_MESSAGES = {
    # translations of PyYAML's English messages (_YAML_PROBLEMS)
    "er staat een tab-teken": "tab in plaats van spaties",
    "een aanhalingsteken wordt niet afgesloten": "aanhalingsteken niet gesloten (regel waar het begint)",
    "het inspringen klopt niet, of er staat een dubbele punt op een plek waar dat niet mag":
        "dubbele punt in een tekst zonder aanhalingstekens",
    "deze regel is geen 'veld: waarde' en hoort ook niet bij de tekst erboven":
        "vervolgregel van een lange tekst te weinig ingesprongen",
    "een lijst-item ('- ') staat op een plek waar geen lijst kan beginnen":
        "lijst-item op een plek waar geen lijst kan beginnen",
    "het inspringen klopt niet": "lijst-item minder ver ingesprongen dan de andere",
    "het bestand bevat meer dan één YAML-document ('---')": "twee YAML-documenten in een bestand",
    "onbekend escape-teken (\\) in tekst tussen dubbele aanhalingstekens":
        "onbekend escape-teken tussen dubbele aanhalingstekens",
    "een waarde mag niet met & of * beginnen": "waarde die met & begint (anker)",
    "een waarde mag niet met het teken '{}' beginnen": "waarde die met % begint",
    "een lijst tussen [ ] is niet goed afgesloten": "bestand houdt op midden in een lijst",
    "een blok tussen { } is niet goed afgesloten": "blok tussen accolades niet afgesloten",
    "een waarde mag niet met '? ' beginnen": "waarde die met een vraagteken en spatie begint",
    "na '>' of '|' mag op dezelfde regel niets anders staan": "tekst achter >- op dezelfde regel",
    "er staat een leesteken op een plek waar tekst verwacht wordt": "onbekende YAML-regel (leesteken waar tekst hoort)",
    "een regel die met % begint, betekent in YAML iets bijzonders": "regel die met % begint (YAML-opdracht)",
    "een waarde mag niet met ! beginnen": "waarde die met ! begint",
}
OTHER_DUTCH_YAML_MESSAGES = {  # the messages of yamlfile.py's own rules
    "ankers en verwijzingen (& en *) zijn niet toegestaan": "ankers en aliassen (billion laughs) geweigerd",
    "YAML-tags zoals '{}' zijn niet toegestaan": "YAML-tag geweigerd",
    "de tekst begint met een aanhalingsteken, maar gaat na het sluitende aanhalingsteken nog verder":
        "vraag die met een aanhalingsteken begint",
    "er staat een bijzondere spatie, {}, waar YAML een gewone spatie nodig heeft": "harde spatie direct na 'vraag:'",
    "het bestand bevat een stuurteken dat niet in tekst hoort, {}": "stuurteken (bel) in een vraag",
    "het bestand is leeg": "leeg bestand (alleen commentaar)",
    "de gegevens zijn te diep genest": "gegevens te diep genest",
    "een veldnaam moet gewone tekst zijn": "veldnaam die een lijst is",
    "het veld '{}' staat twee keer in hetzelfde blok (eerder op regel {})": "dubbele sleutel",
    "de tekst na ' #' wordt als commentaar gelezen en weggelaten: '{}'": "hekje in een vraag knipt de rest af (waarschuwing)",
}


def yaml_of_case(case: dict) -> tuple[str, str]:
    """(file name, text) of the one YAML file a case changes, as the build would read it."""
    from conftest import ROOT

    targets = set(case.get("files", {})) | {edit["file"] for edit in case.get("edits", [])}
    assert len(targets) == 1, case["case"]
    target = targets.pop()
    if target in case.get("files", {}):
        text = (CORPUS / case["files"][target]).read_text(encoding="utf-8")
    else:
        text = (ROOT / target).read_text(encoding="utf-8")
    for edit in case.get("edits", []):
        text = text.replace(edit["old"], edit["new"]) if "old" in edit else text + edit["new"]
    return target, text


@pytest.mark.parametrize("messages", [DUTCH_YAML_MESSAGES, OTHER_DUTCH_YAML_MESSAGES], ids=["vertalingen", "eigen-regels"])
def test_every_dutch_yaml_message_has_a_corpus_case(messages: dict[str, str]) -> None:
    """Each Dutch YAML message has its own corpus case, and that case's file gives exactly that
    message from the YAML reader (not the generic fallback, not English) at the line the case
    expects. Together with test_bad_input_gives_dutch_message (the whole check, in-process)."""
    import re

    from publisher.yamlfile import _YAML_PROBLEMS, parse_yaml

    if messages is DUTCH_YAML_MESSAGES:
        in_code = [message for _, message, _, _ in _YAML_PROBLEMS]
        assert len(in_code) == len(set(in_code))
        assert sorted(in_code) == sorted(messages), "vertaling verdwenen of nieuw zonder geval in het corpus"
    cases = {case["case"]: case for case in CASES}
    assert len(set(messages.values())) == len(messages), "één eigen geval per melding"
    wrong = []
    for message, name in messages.items():
        case = cases[name]
        pattern = re.escape(message).replace(re.escape("{}"), ".+?")
        expected = [line for line in case["expect"] if re.search(r": (fout|waarschuwing): " + pattern, line)]
        assert len(expected) == 1, (name, message, case["expect"])
        target, text = yaml_of_case(case)
        _, problems = parse_yaml(text, target)
        if not any(re.fullmatch(pattern, p.message) and str(p).startswith(expected[0]) for p in problems):
            wrong.append((name, expected[0], [str(p) for p in problems]))
    assert not wrong, wrong


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
