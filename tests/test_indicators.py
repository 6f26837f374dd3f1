"""The indicator data: every question of the publication, in order, in the right
theme, perspective and instrument (school type); the schema; YAML loading rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, run_limited
from publisher.model import Instrument
from publisher.load import validate_document
from publisher.schema import SCHEMAS, schema_text
from publisher.yamlfile import parse_yaml, read_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "reflectievragen.txt"


def transcription() -> dict[str, list[tuple[str, str, list[str]]]]:
    """{school type: [(perspective heading, theme title, [questions])]} from the fixture."""
    result: dict[str, list] = {}
    perspective = None
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# ") and perspective is None and not result:
            continue
        if line.startswith("== "):
            current = result.setdefault(line[3:].strip(), [])
            perspective = None
        elif line.startswith("# "):
            perspective = line[2:].strip()
        elif line.startswith("- "):
            current[-1][2].append(line[2:].strip())
        else:
            current.append((perspective, line.strip(), []))
    return result


def perspective_heading(publication, instrument: Instrument, index: int) -> str:
    perspective = instrument.sections[index]
    label = publication.config.structure(instrument.structure).label(perspective.id)
    return f"{index + 1}. {label} – {perspective.title}"


def items(instrument: Instrument) -> list:
    return [item for _, item in instrument.item_paths()]


def themes(instrument: Instrument) -> list:
    return [theme for perspective in instrument.sections for theme in perspective.sections]


def normalise_dash(text: str) -> str:
    return text.replace(" - ", " – ")


def test_fixture_counts() -> None:
    data = transcription()
    assert list(data) == ["bo", "go", "vo-mbo"]
    counts = {k: (sum(len(q) for _, _, q in v), len(v)) for k, v in data.items()}
    assert counts == {"bo": (32, 16), "go": (40, 14), "vo-mbo": (30, 10)}


def test_counts(publication) -> None:
    assert [s.id for s in publication.instruments] == ["bo", "go", "vo-mbo"]
    assert sum(len(items(s)) for s in publication.instruments) == 102
    assert sum(len(themes(s)) for s in publication.instruments) == 40
    counts = {s.id: (len(items(s)), len(themes(s))) for s in publication.instruments}
    assert counts == {"bo": (32, 16), "go": (40, 14), "vo-mbo": (30, 10)}


@pytest.mark.parametrize("type_id", ["bo", "go", "vo-mbo"])
def test_every_question_in_order_in_its_theme_and_perspective(publication, type_id: str) -> None:
    instrument = publication.instrument(type_id)
    assert instrument.structure == "impactdriehoek"
    assert instrument.section_levels == ["perspectief", "thema"]
    expected = transcription()[type_id]
    actual = []
    for index, perspective in enumerate(instrument.sections):
        heading = perspective_heading(publication, instrument, index)
        assert not perspective.items
        for theme in perspective.sections:
            assert not theme.sections
            actual.append((heading, theme.title, [q.text for q in theme.items]))
    assert [(normalise_dash(p), t, q) for p, t, q in actual] == [(normalise_dash(p), t, q) for p, t, q in expected]


def test_last_go_theme_has_one_question_as_in_source(publication) -> None:
    last = publication.instrument("go").sections[-1].sections[-1]
    assert last.title == "Inbedding beleid & overleg"
    assert len(last.items) == 1


def test_vo_mbo_third_perspective_is_verankering(publication) -> None:
    titles = [p.title for p in publication.instrument("vo-mbo").sections]
    assert titles == ["Veranderingen & effecten", "Condities & werkzame factoren", "Duurzaamheid & verankering"]


def test_impact_themes_and_recommendations(publication) -> None:
    counts = {s.id: (len(s.impact_themes), len(s.recommendations)) for s in publication.instruments}
    assert counts == {"bo": (5, 7), "go": (8, 6), "vo-mbo": (7, 9)}
    assert publication.instrument("go").impact_themes[0].title == "Emotieregulatie & prikkelmanagement"
    assert publication.instrument("vo-mbo").recommendations[-1].title == "Betrek community en netwerk"


def test_no_extraction_damage_left(publication) -> None:
    """Broken hyphenation ('maat- schappelijke') or double spaces must not survive transcription."""
    import re

    for instrument in publication.instruments:
        texts = [instrument.intro] + [q.text for q in items(instrument)]
        texts += [t.text for t in instrument.impact_themes] + [r.text for r in instrument.recommendations]
        for text in texts:
            assert not re.search(r"[a-zë]- [a-z]", text.replace("- en ", "").replace("- of ", "")) or " - " in text, text
            assert "  " not in text and "\n" not in text, text


def test_ids_are_slugs_and_unique_per_instrument(publication) -> None:
    for instrument in publication.instruments:
        ids = [s.id for s in instrument.all_sections()] + [q.id for q in items(instrument)]
        assert len(ids) == len(set(ids)), instrument.id


def test_sheet_titles(publication) -> None:
    assert publication.instrument("bo").sheet_title == "Reflectievragen basisonderwijs (bo)"
    assert publication.instrument("vo-mbo").sheet_title == "Reflectievragen voortgezet onderwijs en mbo (vo & mbo)"


def test_answer_scale(publication) -> None:
    """Today's scale: explicit, stable option ids (PDF states, saved answers) with their labels."""
    form = publication.config.forms["schaal"]
    assert form.kind == "keuze" and form.notes
    assert [(o.id, o.label) for o in form.options] == [("ja", "ja"), ("deels", "deels"), ("nee", "nee"), ("nvt", "n.v.t.")]
    for instrument in publication.instruments:
        assert {n.form.id for n in publication.numbered_items(instrument)} == {"schaal"}


def test_yaml_1_1_values_stay_text() -> None:
    document, problems = parse_yaml("a: no\nb: ja\nc: on\nd: 2025-01-01\ne: 1.0\nf: ~\ng: 0x1F\n", "x.yaml")
    assert not problems
    assert document.data == {"a": "no", "b": "ja", "c": "on", "d": "2025-01-01", "e": "1.0", "f": "~", "g": "0x1F"}
    corpus = Path(__file__).parent / "bad_input" / "ja-nee-blijven-tekst.yaml"
    document, problems = read_yaml(corpus, "bo.yaml", corpus.parent)
    instrument, problems = validate_document(document, Instrument)
    assert not problems
    assert instrument is not None and instrument.abbreviation == "no"


def test_line_numbers_point_at_values() -> None:
    document, _ = parse_yaml("id: bo\nsecties:\n  - id: a\n    items:\n      - tekst: x\n", "x.yaml")
    assert document.line(("secties", 0, "items", 0, "tekst")) == 5
    assert document.line(("secties", 0)) == 3
    assert document.line(("secties", 0, "ontbreekt")) == 3



def test_a_file_read_again_gives_the_same_document_and_never_a_shared_one() -> None:
    """parse_yaml remembers what it parsed (the preview and a check read unchanged files again):
    the same text gives an equal document every time, but never the same objects, so what one
    caller changes (or one thread) cannot reach the next."""
    text = (ROOT / "indicators" / "bo.yaml").read_text(encoding="utf-8")
    first, problems = parse_yaml(text, "indicators/bo.yaml", partial=True)
    assert problems == [] and first.data["id"] == "bo"
    question = first.data["secties"][0]["secties"][0]["items"][0]["tekst"]
    first.data["id"] = "veranderd"
    first.data["secties"][0]["secties"][0]["items"][0]["tekst"] = "veranderd"
    first.lines.clear()
    second, _ = parse_yaml(text, "indicators/bo.yaml", partial=True)
    assert second.data["id"] == "bo" and second.data["secties"][0]["secties"][0]["items"][0]["tekst"] == question
    assert second.line(("secties", 0, "secties", 0, "items", 0, "tekst")) == \
        next(n for n, line in enumerate(text.split("\n"), start=1) if line.strip() == f"tekst: {question}")
    # what the result depends on is part of what is remembered: the name, the first line, `partial`
    broken = "a: 1\nb: [\n"
    assert [(p.file, p.line) for p in parse_yaml(broken, "x.yaml")[1]] == [("x.yaml", 3)]
    assert [(p.file, p.line) for p in parse_yaml(broken, "x.yaml", first_line=5)[1]] == [("x.yaml", 7)]
    assert [(p.file, p.line) for p in parse_yaml(broken, "y.yaml")[1]] == [("y.yaml", 3)]
    tab = "a: 1\nb:\n  - x\n  -\tkapot: ja\nc: 3\n"
    assert parse_yaml(tab, "x.yaml")[0] is None
    assert parse_yaml(tab, "x.yaml", partial=True)[0].data == {"a": "1", "b": ["x"], "c": "3"}
    assert parse_yaml(tab, "x.yaml")[0] is None


def test_threads_reading_the_same_file_each_get_their_own_document() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = (ROOT / "indicators" / "go.yaml").read_text(encoding="utf-8")

    def read_and_change(number: int) -> tuple[str, int]:
        document, _ = parse_yaml(text, "indicators/go.yaml", partial=True)
        seen = (document.data["id"], len(document.lines))
        document.data["id"] = f"draad-{number}"
        document.lines.clear()
        return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(read_and_change, range(200)))
    assert set(seen) == {seen[0]} and seen[0][0] == "go" and seen[0][1] > 100

# Refusals that protect memory run in a child process with a memory and time limit (conftest.run_limited).
PARSE_AND_REPORT = """
import json, sys
from publisher.yamlfile import parse_yaml
document, problems = parse_yaml(sys.stdin.read(), "x.yaml")
print(json.dumps({"parsed": document is not None, "messages": [p.message for p in problems],
                  "lines": [p.line for p in problems]}))
"""


def parse_limited(text: str) -> dict:
    return json.loads(run_limited(PARSE_AND_REPORT, stdin=text))


def test_billion_laughs_is_refused_before_expansion() -> None:
    """Nine levels of nine aliases: about 387 million strings if expanded."""
    text = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    result = parse_limited(text)
    assert not result["parsed"]
    # every line with an anchor is reported (check lists every mistake at once), none expanded
    assert result["messages"] == ["ankers en verwijzingen (& en *) zijn niet toegestaan"] * 9
    assert result["lines"] == list(range(1, 10))


def test_deep_nesting_is_refused() -> None:
    """Nested blocks deeper than anyone writes: one Dutch message, no crash, no runaway memory."""
    deep_blocks = "".join(f"{'  ' * i}n{i}:\n" for i in range(60)) + "  " * 60 + "x: y\n"
    result = parse_limited(deep_blocks)
    assert "de gegevens zijn te diep genest" in result["messages"]
    assert result["lines"][0] == 22  # the first value below the allowed depth (20)
    result = parse_limited("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert not result["parsed"]
    # Issue 18: also when the composer gives up, the message is the usual one, with its line.
    assert result["messages"] == ["de gegevens zijn te diep genest"]
    assert result["lines"] == [1]


@pytest.mark.parametrize("file_name", sorted(SCHEMAS))
def test_committed_json_schema_is_current(file_name: str) -> None:
    model, title = SCHEMAS[file_name]
    committed = (ROOT / "schema" / file_name).read_text(encoding="utf-8")
    assert committed == schema_text(model, title), "Run: python build.py schema"
    assert json.loads(committed)["additionalProperties"] is False


def test_yaml_files_reference_their_schema() -> None:
    for path in sorted((ROOT / "indicators").glob("*.yaml")):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schema/instrument.schema.json")
    assert (ROOT / "site_config.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=schema/site_config.schema.json")
