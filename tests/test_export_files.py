"""The export files' content without a site build (issue 20): every column and cell of the CSV,
every field of the JSON, the XLSX's questions, drop-down lists and print header, and the names,
labels and grouping of the files, against expectations computed from the plain YAML
(yaml.safe_load) of the fixture publications, never from the exporter's own data. Fast, so it is
one of the mutation tool's targets (bench/mutate.py); tests/test_exports.py reads the files of a
real build.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, PUBLICATION_FOLDERS, load_yaml, publication_from_yaml
from publisher import exports
from publisher.project import Project
from publisher.repository import Revision

FOLDERS = PUBLICATION_FOLDERS
REVISION = Revision("0123456789abcdef0123456789abcdef01234567", modified=True)
LABEL = "0123456789ab met lokale wijzigingen"


@pytest.fixture(scope="module")
def publications() -> dict:
    return {name: publication_from_yaml(folder) for name, folder in FOLDERS.items()}


class Yaml:
    """One fixture publication as plain YAML, with the few rules the exports document."""

    def __init__(self, folder):
        self.config = load_yaml(folder / "site_config.yaml")
        self.instruments = {i: load_yaml(folder / "indicators" / f"{i}.yaml") for i in self.config["instrumenten"]}
        glossary = folder / "content" / "begrippen.yaml"
        self.glossary = load_yaml(glossary) if glossary.exists() else {"begrippen": []}
        self.words = {}
        for structure in self.config.get("structuren", []):
            self.words[structure["id"]] = {s["id"]: s["vraagwoord"] for s in structure["secties"]}

    def rows(self, instrument_id: str):
        """(number, item, [(level name, section id, section title as the exports show it)])."""
        data = self.instruments[instrument_id]
        names = data.get("sectieniveaus", [])

        def title(section, depth):
            if depth == 0 and data.get("structuur"):
                return f"{self.words[data['structuur']][section['id']]} – {section['titel'].strip()}"
            return section["titel"].strip()

        def walk(sections, above):
            for section in sections:
                chain = above + [(names[len(above)], section["id"], title(section, len(above)))]
                yield from walk(section.get("secties", []), chain)
                for item in section.get("items", []):
                    yield item, chain

        pairs = [(i, []) for i in data.get("items", [])] + list(walk(data.get("secties", []), []))
        return [(number, item, chain) for number, (item, chain) in enumerate(pairs, start=1)]

    def url(self, instrument_id: str) -> str:
        return f"{self.config['basis_url']}{instrument_id}/reflectievragen/"


CASES = [(name, ids) for name, folder in FOLDERS.items()
         for ids in [[i] for i in load_yaml(folder / "site_config.yaml")["instrumenten"]]
         + [load_yaml(folder / "site_config.yaml")["instrumenten"]]]


def _guard(text: str) -> str:  # the documented CSV guard, by hand
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else text


@pytest.mark.parametrize("name, ids", CASES, ids=lambda v: v if isinstance(v, str) else "+".join(v))
def test_csv_has_every_column_and_cell_from_the_yaml(publications, name, ids) -> None:
    source = Yaml(FOLDERS[name])
    publication = publications[name]
    levels = []
    for instrument_id in ids:
        levels += [n for n in source.instruments[instrument_id].get("sectieniveaus", []) if n not in levels]
    noun = source.config.get("instrumentnaam", {}).get("enkelvoud", "instrument")
    header = [noun, "nummer", "vraag_id", "vraag", *[c for n in reversed(levels) for c in (f"{n}_id", n)], "editie",
              "bronversie"]
    expected = [header]
    for instrument_id in ids:
        for number, item, chain in source.rows(instrument_id):
            found = {level: (section_id, title) for level, section_id, title in chain}
            cells = [c for n in reversed(levels) for c in (found.get(n, ("", ""))[0], _guard(found.get(n, ("", ""))[1]))]
            expected.append([instrument_id, str(number), item["id"], _guard(item["tekst"].strip()), *cells,
                             str(source.config["editie"]), LABEL])
    raw = exports.export_csv(publication, [publication.instrument(i) for i in ids], REVISION)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")[1:]
    assert "\r\n" in text and text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""), delimiter=";")) == expected


def _json_items(instrument_id, items, numbers, source):
    return [{"id": i["id"], "nummer": numbers[i["id"]], "tekst": i["tekst"].strip(),
             "antwoordvorm": i.get("antwoordvorm", source.instruments[instrument_id]["antwoordvorm"]),
             "niveaus": {k: v.strip() for k, v in i.get("niveaus", {}).items()}, "was": i.get("was", []),
             "adres": f"{source.url(instrument_id)}#{i['id']}"} for i in items]


@pytest.mark.parametrize("name, ids", CASES, ids=lambda v: v if isinstance(v, str) else "+".join(v))
def test_json_holds_the_yaml(publications, name, ids) -> None:
    source = Yaml(FOLDERS[name])
    publication = publications[name]
    data = json.loads(exports.export_json(publication, [publication.instrument(i) for i in ids], REVISION))
    config = source.config
    assert data["$schema"] == f"{config['basis_url']}downloads/reflectievragen-schema.json"
    assert (data["formaatversie"], data["titel"], data["organisatie"], data["basis_url"]) == (
        2, config["titel"], config["organisatie"], config["basis_url"])
    assert data["bron"] == {"editie": str(config["editie"]), "datum": f"{config['editie']}-01-01",
                            "commit": REVISION.commit, "lokale_wijzigingen": True}
    assert data["antwoordvormen"] == [{"id": f["id"], "soort": f["soort"], "toelichting": bool(f.get("toelichting")),
                                       "opties": [{"id": o["id"], "label": o["label"]} for o in f.get("opties", [])]}
                                      for f in config["antwoordvormen"]]
    assert [(t["term"], t["voluit"], t["uitleg"].split()) for t in data["begrippen"]] == [
        (t["term"], t.get("voluit"), t["uitleg"].split()) for t in source.glossary["begrippen"]]
    assert [i["id"] for i in data["instrumenten"]] == ids
    for instrument_id, got in zip(ids, data["instrumenten"]):
        yaml_data = source.instruments[instrument_id]
        numbers = {item["id"]: number for number, item, _ in source.rows(instrument_id)}
        words = source.words.get(yaml_data.get("structuur"), {})

        def section(s, top):
            return {"id": s["id"], "titel": s["titel"].strip(), "vraagwoord": words.get(s["id"]) if top else None,
                    "secties": [section(c, False) for c in s.get("secties", [])],
                    "items": _json_items(instrument_id, s.get("items", []), numbers, source)}

        bron = yaml_data.get("bron")
        assert got == {
            "id": instrument_id, "naam": yaml_data["naam"], "afkorting": yaml_data.get("afkorting"),
            "inleiding": got["inleiding"], "adres": source.url(instrument_id), "structuur": yaml_data.get("structuur"),
            "sectieniveaus": yaml_data.get("sectieniveaus", []), "antwoordvorm": yaml_data["antwoordvorm"],
            "rubriekniveaus": [{"id": lv["id"], "label": lv["label"]} for lv in yaml_data.get("rubriekniveaus", [])],
            "bron": {"titel": bron["titel"], "eigenaar": bron["eigenaar"], "licentie": bron.get("licentie"),
                     "webadres": bron.get("webadres")} if bron else None,
            "secties": [section(s, True) for s in yaml_data.get("secties", [])],
            "items": _json_items(instrument_id, yaml_data.get("items", []), numbers, source),
            "impactthemas": [{"id": t["id"], "titel": t["titel"], "tekst": got_t["tekst"]}
                             for t, got_t in zip(yaml_data.get("impactthemas", []), got["impactthemas"])],
            "aanbevelingen": [{"id": r["id"], "nummer": n, "titel": r["titel"], "tekst": got_r["tekst"]}
                              for n, (r, got_r) in enumerate(zip(yaml_data.get("aanbevelingen", []), got["aanbevelingen"]),
                                                             start=1)],
        }
        assert got["inleiding"].split() == yaml_data["inleiding"].split()
        assert len(got["impactthemas"]) == len(yaml_data.get("impactthemas", []))
        assert len(got["aanbevelingen"]) == len(yaml_data.get("aanbevelingen", []))
        for t, got_t in zip(yaml_data.get("impactthemas", []) + yaml_data.get("aanbevelingen", []),
                            got["impactthemas"] + got["aanbevelingen"]):
            assert got_t["tekst"].split() == t["tekst"].split()


@pytest.mark.parametrize("name, ids", [c for c in CASES if c[0] != "lindeoord"],
                         ids=lambda v: v if isinstance(v, str) else "+".join(v))
def test_xlsx_holds_every_question_its_answer_list_and_a_print_header(publications, name, ids) -> None:
    source = Yaml(FOLDERS[name])
    publication = publications[name]
    data = exports.export_xlsx(Project.at(FOLDERS["kcr"]), publication, [publication.instrument(i) for i in ids], REVISION)
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    joined = "\n".join(values)
    for instrument_id in ids:
        for number, item, chain in source.rows(instrument_id):
            assert " ".join(item["tekst"].split()) in " ".join(joined.split()), item["id"]
    forms = {f["id"]: f for f in source.config["antwoordvormen"]}
    for instrument_id in ids:
        data_yaml = source.instruments[instrument_id]
        used = {i.get("antwoordvorm", data_yaml["antwoordvorm"]) for _, i, _ in source.rows(instrument_id)}
        for form_id in used:
            for option in forms[form_id].get("opties", []):
                assert option["label"] in values
        if any(forms[f]["soort"] == "rubriek" for f in used):
            for level in data_yaml["rubriekniveaus"]:
                assert level["label"] in values
    stamp = (f"{source.config['titel']} · {source.config['organisatie']} · editie {source.config['editie']} · "
             f"bronversie {LABEL}").replace("&", "&&")
    questions = [sheet for sheet in book.worksheets if sheet.print_area]
    assert questions
    for sheet in questions:
        assert sheet.oddFooter.left.text == stamp
        assert sheet.oddFooter.right.text == "Pagina &P van &N"
        # The print area reaches the last question: its last row holds the last item's text.
        last_row = int(sheet.print_area.rsplit("$", 1)[1])
        texts = [str(c.value) for c in sheet[last_row] if c.value is not None]
        last_item = [item for i in ids for _, item, _ in source.rows(i)][-1] if len(ids) == 1 else None
        if last_item is not None:
            assert " ".join(last_item["tekst"].split()) in [" ".join(t.split()) for t in texts]


def test_print_header_text_doubles_the_ampersand_and_keeps_one_line() -> None:
    assert exports.excel_header_text("Kunst & Cultuur\n  &P") == "Kunst && Cultuur &&P"
    assert exports.excel_header_text("a\tb") == "a b"


def test_sheet_names_are_what_excel_accepts_and_unique() -> None:
    used: set[str] = set()
    assert exports.sheet_name("Wat: [a]/b?*\\c", used) == "Wat- -a--b---c"
    assert exports.sheet_name("'x'", used) == "x"
    assert exports.sheet_name("   ", used) == "blad"
    assert exports.sheet_name("X", used) == "X (2)"
    assert exports.sheet_name("x", used) == "x (3)"
    long = "a" * 40
    assert exports.sheet_name(long, used) == "a" * 31
    assert exports.sheet_name(long, used) == "a" * 27 + " (2)"
    assert used == {"wat- -a--b---c", "x", "blad", "x (2)", "x (3)", "a" * 31, "a" * 27 + " (2)"}


def test_file_names_labels_and_grouping(publications) -> None:
    publication = publications["kcr"]
    ids = load_yaml(ROOT / "site_config.yaml")["instrumenten"]
    assert exports.export_file_name("bo", "csv") == "reflectievragen-bo.csv"
    assert exports.export_file_name(None, "xlsx") == "reflectievragen.xlsx"
    plan = exports.planned_exports(Project.at(ROOT), publication, REVISION)
    expected = [(f"reflectievragen-{i}.{suffix}", label, i) for i in ids for suffix, label in
                (("docx", "Word-reflectieblad"), ("xlsx", "Excel-checklist"), ("csv", "CSV-tabel"), ("json", "JSON-gegevens"))]
    expected += [("reflectievragen.xlsx", "Excel-checklist", None), ("reflectievragen.csv", "CSV-tabel", None),
                 ("reflectievragen.json", "JSON-gegevens", None), ("reflectievragen-schema.json", "JSON Schema", None)]
    assert [(p.file_name, p.label, p.instrument_id) for p in plan] == expected
    placeholders = exports.placeholder_exports(Project.at(ROOT), publication)
    assert list(placeholders.instruments) == ids
    assert {i: [d.file_name for d in files] for i, files in placeholders.instruments.items()} == {
        i: [f"reflectievragen-{i}.{s}" for s in ("docx", "xlsx", "csv", "json")] for i in ids}
    assert [d.file_name for d in placeholders.together] == ["reflectievragen.xlsx", "reflectievragen.csv",
                                                             "reflectievragen.json"]
    assert placeholders.schema.file_name == "reflectievragen-schema.json"
    assert placeholders.revision.commit is None
    for download in placeholders.files():
        assert (download.size, download.path) == (0, Path(download.file_name))
    assert [d.label for d in placeholders.files()] == [p[1] for p in expected]
    assert [d.file_name for d in placeholders.files()] == [p[0] for p in expected]
    # The one-instrument files hold that instrument only, the together files all of them.
    for planned in plan:
        if planned.file_name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(planned.make().decode("utf-8")[1:], newline=""), delimiter=";"))[1:]
            assert {r[0] for r in rows} == ({planned.instrument_id} if planned.instrument_id else set(ids))
        if planned.file_name.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(planned.make()))
            texts = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
            wanted = [planned.instrument_id] if planned.instrument_id else ids
            for instrument_id in wanted:  # the first question of every instrument it holds, and no other's
                first = _first_text(instrument_id)
                assert any(first in " ".join(t.split()) for t in texts), (planned.file_name, first)
            for other in set(ids) - set(wanted):
                assert not any(_first_text(other) in " ".join(t.split()) for t in texts), (planned.file_name, other)
        if planned.file_name.endswith(".docx"):
            document = zipfile.ZipFile(io.BytesIO(planned.make())).read("word/document.xml").decode("utf-8")
            assert _first_text(planned.instrument_id).split()[0] in document
        if planned.file_name == "reflectievragen-schema.json":
            assert json.loads(planned.make())["$schema"].startswith("https://json-schema.org/")
        if planned.file_name.endswith(".json") and "schema" not in planned.file_name:
            raw = planned.make()
            assert raw.endswith(b"}\n") and raw.split(b"\n")[1].startswith(b'  "') and not raw.split(b"\n")[1].startswith(b"   ")
            assert "ICC’er".encode("utf-8") in raw  # written as it is, not as a \\u escape
            data = json.loads(planned.make())
            assert [i["id"] for i in data["instrumenten"]] == ([planned.instrument_id] if planned.instrument_id else ids)


@lru_cache(maxsize=None)
def _first_text(instrument_id: str) -> str:
    """The first question of an instrument of the main publication, whitespace folded."""
    source = Yaml(FOLDERS["kcr"])
    return " ".join(source.rows(instrument_id)[0][1]["tekst"].split())


def test_reproducible_zip_dates_every_entry_and_keeps_the_order() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as original:
        original.writestr("[Content_Types].xml", "<a/>")
        original.writestr("b/c.xml", "x" * 1000)
    moment = datetime(2025, 3, 4, 5, 6, 8, tzinfo=timezone.utc)
    again = exports.reproducible_zip(buffer.getvalue(), moment)
    with zipfile.ZipFile(io.BytesIO(again)) as made:
        infos = made.infolist()
        assert [i.filename for i in infos] == ["[Content_Types].xml", "b/c.xml"]
        assert [i.date_time for i in infos] == [(2025, 3, 4, 5, 6, 8)] * 2
        assert {(i.compress_type, i.external_attr, i.create_system) for i in infos} == {(zipfile.ZIP_DEFLATED, 0o644 << 16, 3)}
        assert made.read("b/c.xml") == b"x" * 1000
    assert exports.reproducible_zip(buffer.getvalue(), moment) == again
    old = exports.reproducible_zip(buffer.getvalue(), datetime(1970, 1, 2, tzinfo=timezone.utc))
    assert zipfile.ZipFile(io.BytesIO(old)).infolist()[0].date_time == (1980, 1, 2, 0, 0, 0)
