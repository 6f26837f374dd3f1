"""The bad-input corpus (tests/bad_input/cases.yaml): every mistake gives its
Dutch message with file and line, a non-zero exit code and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import fixture_project, run_cli

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
    A whole corpus file in place of an instrument is checked on its own, without the project's
    published ids (gepubliceerd/), unless the case puts a registry there itself.
    `as_windows`: every file the case writes is saved with CRLF and a byte order mark."""
    targets = case.get("files", {})
    if any(t.startswith("indicators/") for t in targets) and not any(t.startswith("gepubliceerd/") for t in targets):
        shutil.rmtree(project / "gepubliceerd", ignore_errors=True)
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


def case_project(case: dict, project_copy: Path) -> Path:
    """The project a case changes: a copy of the real project, or with `project: <name>` a copy of
    the fixture publication tests/fixtures/<name>/ (answer forms open, geen and rubriek)."""
    if "project" in case:
        return fixture_project(case["project"], project_copy.parent / case["project"])
    return project_copy


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_bad_input_gives_dutch_message(case: dict, project_copy: Path) -> None:
    project_copy = case_project(case, project_copy)
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
    project_copy = case_project(case, project_copy)
    apply_case(case, project_copy, as_windows=True)

    code, output = run_cli(["check"], project_copy)

    assert "Traceback" not in output
    for expected in case["expect"]:
        assert expected in output, f"verwacht:\n  {expected}\nkreeg:\n{output}"
    windows_marks = [mark for mark in ("U+000D", "U+FEFF", "begint met een BOM")
                     if not any(mark in expected for expected in case["expect"])]  # unless the case is about it
    for unexpected in case.get("absent", []) + windows_marks:
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
    apply_case({"files": {"indicators/bo.yaml": "geen-vraagteken.yaml"}}, project_copy)
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
    "er staat een bijzondere spatie, {}, waar YAML een gewone spatie nodig heeft": "harde spatie direct na 'tekst:'",
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


# Cases of the KCR project (a fixture-project case is built in its own test: test_sheet_layout.py).
PASSING = [case for case in CASES if case.get("exit", 1) == 0 and "project" not in case]


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


# Every Dutch message of the instrument model's rules (validate.py: the site configuration's answer
# forms, the instruments; ids.py: the published ids) and the corpus case that must produce it,
# written out by hand. '{}' stands for a value. A message that is added, removed or reworded in the
# code without a case here fails test_every_instrument_rule_message_has_a_corpus_case.
INSTRUMENT_RULE_MESSAGES = {
    # validate.py: site_config.yaml
    "de antwoordvorm '{}' is een keuze, maar heeft minder dan twee opties": "keuze met minder dan twee opties",
    "de antwoordvorm '{}' is van soort '{}' en heeft dus geen opties": "open antwoord met opties",
    "het antwoord '{}' is te lang voor het reflectieblad (ongeveer {} mm, er is {} mm): het loopt over het volgende antwoord heen":
        "antwoord te lang voor het blad",
    "de antwoorden van '{}' passen niet op één regel van het reflectieblad (ongeveer {} mm, een regel heeft {} mm)":
        "te veel antwoorden voor een regel van het blad",
    "de antwoordvorm '{}' is van soort 'geen' (niets in te vullen) en kan geen toelichting hebben":
        "antwoordvorm geen met toelichting",
    "het antwoord '{}' heeft dezelfde naam als een veld van elk item": "antwoord 'toelichting' botst met het notitieveld",
    "{} '{}' komt twee keer voor (eerder op regel {})": "oude id van een antwoord die al een ander antwoord is",
    # validate.py: which instruments there are
    "indicators/ mag geen submappen hebben": "submap in indicators",
    "bestanden in indicators/ moeten eindigen op .yaml": "bo.yml naast bo.yaml (niet hernoemen, want dat overschrijft)",
    "het instrument '{}' staat niet in site_config.yaml": "bestand dat niet in site_config.yaml staat",
    "dit is een map, geen bestand": "map met de naam van een instrumentbestand",
    "onbekend instrument '{}': er is geen bestand indicators/{}.yaml": "instrument in site_config.yaml zonder bestand",
    # validate.py: one instrument
    "de id '{}' hoort gelijk te zijn aan de bestandsnaam '{}'": "id past niet bij bestandsnaam (onbekend instrument)",
    "het instrument '{}' is van {} en de toestemming is '{}', niet 'verleend'": "instrument van een ander zonder toestemming",
    "dit instrument heeft secties, maar 'sectieniveaus' is leeg": "secties zonder sectieniveaus",
    "dit instrument heeft sectieniveaus ({}), dus horen de items in de secties, niet direct onder het instrument":
        "items direct onder een instrument met sectieniveaus",
    "dit instrument noemt sectieniveaus, maar heeft geen 'secties'": "sectieniveaus zonder secties",
    "dit instrument heeft geen items": "instrument zonder items",
    "de sectie '{}' staat op niveau {}, maar 'sectieniveaus' noemt er {} ({})": "sectie een niveau te diep",
    "de sectie '{}' ({}) hoort 'secties' te hebben (niveau {}), geen items": "vragen direct onder een perspectief",
    "de sectie '{}' ({}) hoort 'items' te hebben (het laagste niveau)": "sectie een niveau te diep",
    "onbekende antwoordvorm '{}'": "onbekende antwoordvorm van een instrument",
    "onbekende structuur '{}'": "onbekende structuur",
    "'{}' is geen {} van de structuur '{}'": "onbekend perspectief",
    "de bovenste secties moeten precies deze zijn, in deze volgorde: {} (nu: {})": "perspectieven in een andere volgorde",
    "de id '{}' botst met de velden van het formulier (ids mogen niet beginnen met '{}' of eindigen op {})":
        "vraag-id die op -toelichting eindigt",
    "het niveau '{}' heeft dezelfde naam als een veld van elk item": "rubriekniveau 'toelichting' botst met het notitieveld",
    "het item '{}' is een rubriek, maar het instrument heeft geen 'rubriekniveaus'": "rubriek zonder rubriekniveaus",
    "het item '{}' moet een beschrijving hebben voor elk niveau, in de volgorde {} ({})":
        "rubriek met een ontbrekend niveau bij een item",
    "het item '{}' heeft 'niveaus', maar zijn antwoordvorm is geen rubriek": "niveaus bij een item dat geen rubriek is",
    "de vraag '{}' eindigt niet op een vraagteken": "vraag zonder vraagteken is een waarschuwing, geen fout",
    "de vraag '{}' past niet op één pagina van het reflectieblad (ongeveer {} mm, een pagina heeft {} mm)":
        "rubriekrij die niet op één pagina van het reflectieblad past is een waarschuwing",
    "de id '{}' staat onder 'vervallen', maar wordt nog gebruikt": "vervallen id die nog gebruikt wordt",
    "'{}' maakt de bouw zelf": "het formulier als pagina van een hoofdstuk",
    "de pagina content/{}/{} bestaat niet": "pagina van een hoofdstuk die niet bestaat",
    # ids.py: published ids
    "dit bestand met gepubliceerde ids kan niet gelezen worden": "bestand met gepubliceerde ids beschadigd",
    "het instrument '{}' ({}) is gepubliceerd in {}, maar staat niet meer in 'instrumenten': de pagina's {}, de bestanden {} "
    "en opgeslagen reflecties ({}) verwijzen ernaar": "gepubliceerd instrument verwijderd",
    "de sectie '{}' ({}) is gepubliceerd in {}, maar bestaat niet meer in '{}': links naar {} werken dan niet meer":
        "gepubliceerde sectie hernoemd zonder was",
    "het item '{}' (vraag {}: '{}') is gepubliceerd in {}, maar bestaat niet meer in '{}': {} verwijzen ernaar":
        "gepubliceerd item hernoemd zonder was",
    "de id '{}' staat in {} onder 'vervallen', maar nu niet meer": "vervallen id weggehaald",
    "het rubriekniveau '{}' ({}) is gepubliceerd in {}, maar bestaat niet meer in '{}': de PDF-velden in {} en opgeslagen "
    "reflecties gebruiken het als antwoord": "gepubliceerd rubriekniveau hernoemd zonder was",
    "het antwoord '{}' ({}) van antwoordvorm '{}' is gepubliceerd in {}, maar bestaat niet meer: de PDF-velden van de "
    "invulbare reflectiebladen (toestand /{}) en opgeslagen reflecties (antwoord '{}') gebruiken het":
        "gepubliceerd antwoord hernoemd zonder was",
}
RULE_FUNCTIONS = {"validate.py": ("_check_config", "_load_instruments", "_check_instrument", "_duplicates"),
                  "ids.py": None}  # None: the whole module


def messages_in_code() -> set[str]:
    """The message (third argument of error()/warning()) of every problem the rule functions
    report, with '{}' for each value: only to notice a message without a case."""
    import ast

    found = set()
    for file_name, functions in RULE_FUNCTIONS.items():
        tree = ast.parse((Path(__file__).parent.parent / "publisher" / file_name).read_text(encoding="utf-8"))
        scopes = [tree] if functions is None else [n for n in ast.walk(tree)
                                                    if isinstance(n, ast.FunctionDef) and n.name in functions]
        for scope in scopes:
            for call in ast.walk(scope):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in ("error", "warning")
                        and len(call.args) >= 3):
                    message = call.args[2]
                    parts = message.values if isinstance(message, ast.JoinedStr) else [message]
                    found.add("".join(p.value if isinstance(p, ast.Constant) else "{}" for p in parts))
    return found


def test_every_instrument_rule_message_has_a_corpus_case() -> None:
    """Each message of the instrument model's rules has a case whose expected output has that
    message, as an error or warning on a line (the case itself runs in
    test_bad_input_gives_dutch_message)."""
    import re

    assert messages_in_code() == set(INSTRUMENT_RULE_MESSAGES), (
        "melding nieuw of veranderd zonder geval in het corpus",
        messages_in_code() - set(INSTRUMENT_RULE_MESSAGES), set(INSTRUMENT_RULE_MESSAGES) - messages_in_code())
    cases = {case["case"]: case for case in CASES}
    missing = []
    for message, name in INSTRUMENT_RULE_MESSAGES.items():
        pattern = re.escape(message).replace(re.escape("{}"), ".+?")
        lines = [line for line in cases[name]["expect"]
                 if re.search(r"^[^ ]+(:\d+)?: (fout|waarschuwing): " + pattern, line)]
        if not lines:
            missing.append((name, message))
    assert not missing, missing
