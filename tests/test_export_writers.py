"""The Word and Excel writers (exports.export_xlsx, exports.export_docx) called directly on a
publication loaded from its YAML (no MkDocs, no WeasyPrint), their files read back (openpyxl,
python-docx and the XML in the ZIP) and compared, cell by cell and paragraph by paragraph, with
expectations computed from the plain YAML (yaml.safe_load) and the fixed texts in
templates/exports/teksten.yaml (issue 20). Fast: a target of the mutation tool (bench/mutate.py),
so every test makes its own file (a shared one would hide the later tests from mutmut).
"""

from __future__ import annotations

import copy
import io
import re
import zipfile

import docx
import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from conftest import PUBLICATION_FOLDERS, ROOT, load_yaml, publication_from_data
from publisher import exports
from publisher.project import Project
from publisher.repository import Revision
from test_export_files import LABEL, REVISION, Yaml

TEXTS = load_yaml(ROOT / "templates" / "exports" / "teksten.yaml")
BOOK = TEXTS["workbook"]
DOC = TEXTS["document"]
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# (publication, instrument) for every instrument of the fixture publication and the real one
SINGLE = [(name, i) for name in ("kcr", "instrumenten")
          for i in load_yaml(PUBLICATION_FOLDERS[name] / "site_config.yaml")["instrumenten"]]


@pytest.fixture(autouse=True)
def _no_source_date(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the documents are dated 1 January of the edition year


def fold(text: str) -> str:
    return " ".join(str(text).split())


def publication_of(source: Yaml):
    """The model of (possibly edited) plain YAML, as the build makes it from the files."""
    return publication_from_data(source.config, source.glossary if source.glossary.get("begrippen") else None,
                                 dict(source.instruments))


class Expected:
    """What a reader finds for one instrument, from the plain YAML only."""

    def __init__(self, source: Yaml, instrument_id: str):
        self.source, self.id = source, instrument_id
        self.data = data = source.instruments[instrument_id]
        forms = {f["id"]: f for f in source.config["antwoordvormen"]}
        self.rows = source.rows(instrument_id)
        self.forms = [forms[item.get("antwoordvorm", data["antwoordvorm"])] for _, item, _ in self.rows]
        self.short = data.get("afkorting") or data["naam"]
        name = data["naam"]
        self.title = f"Reflectievragen {name[:1].lower()}{name[1:]} ({data['afkorting']})" if data.get("afkorting") else name
        bron = data.get("bron")
        self.credit = None
        if bron:
            self.credit = f"Naar: {bron['titel']}, {bron['eigenaar']}" + (f" ({bron['licentie']})" if bron.get("licentie") else "")
        self.levels = data.get("rubriekniveaus", [])

    def kinds(self) -> set[str]:
        return {f["soort"] for f in self.forms}

    def columns(self) -> list[tuple[str, int]]:
        names = self.data.get("sectieniveaus", [])
        columns = [(TEXTS["number"], 5)] + [(n[:1].upper() + n[1:], 24 if d == 0 else 28) for d, n in enumerate(names)]
        columns.append((TEXTS["question"], 60))
        if "rubriek" in self.kinds():
            columns.append((TEXTS["levels"], 50))
        if self.kinds() - {"geen"}:
            columns.append((TEXTS["answer"], 40 if "open" in self.kinds() else 14))
        if any(f.get("toelichting") for f in self.forms):
            columns.append((TEXTS["notes"], 48))
        return columns + [(TEXTS["id"], 26)]

    def cells(self) -> list[list]:
        """Every row of the checklist sheet below its header, as openpyxl reads it back."""
        header = [c for c, _ in self.columns()]
        rows = []
        for (number, item, chain), form in zip(self.rows, self.forms):
            row = [number] + [title for _, _, title in chain] + [fold(item["tekst"])]
            if TEXTS["levels"] in header:
                row.append("\n".join(f"{level['label']}: {item.get('niveaus', {}).get(level['id'], '')}" for level in self.levels)
                           if form["soort"] == "rubriek" else "")
            if TEXTS["answer"] in header:
                row.append(None)
            if TEXTS["notes"] in header:
                row.append(None)
            rows.append(row + [item["id"]])
        return rows

    def choices(self) -> list[list[str] | None]:
        """Per item: the labels its answer drop-down offers (None: no drop-down)."""
        return [[o["label"] for o in f.get("opties", [])] if f["soort"] == "keuze" else
                [level["label"] for level in self.levels] if f["soort"] == "rubriek" else None for f in self.forms]


def stamp(source: Yaml) -> str:
    c = source.config
    return f"{c['titel']} · {c['organisatie']} · editie {c['editie']} · bronversie {LABEL}"


def xlsx(source: Yaml, ids: list[str], project: Project | None = None):
    publication = publication_of(source)
    data = exports.export_xlsx(project or Project.at(ROOT), publication, [publication.instrument(i) for i in ids], REVISION)
    return data, openpyxl.load_workbook(io.BytesIO(data))


def values(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def cell_range(book, reference: str) -> list:
    """The values of a reference such as 'Over dit bestand'!$A$12:$A$15 (a drop-down's list)."""
    match = re.fullmatch(r"'((?:[^']|'')+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", reference.lstrip("="))
    assert match, reference
    sheet = book[match[1].replace("''", "'")]
    return [c.value for row in sheet[f"{match[2]}{match[3]}:{match[4]}{match[5]}"] for c in row]


def style(c) -> tuple:
    """(bold, size, font, colour, fill, border, wrap, vertical, horizontal) of a cell as a reader sees it."""
    colour = getattr(c.font.color, "rgb", None)
    fill = c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None
    return (bool(c.font.b), c.font.sz, c.font.name, colour if isinstance(colour, str) else None, fill, c.border.left.style,
            bool(c.alignment.wrap_text), c.alignment.vertical, c.alignment.horizontal)


BLACK, GREY, YELLOW, BLUE = None, "FF444444", "FFFFF8D6", "FFDDE7F0"
PLAIN = (False, 11, "Calibri", BLACK, None, "thin", True, "top", None)
LOOSE = PLAIN[:5] + (None,) + PLAIN[6:]  # the sheet about the file: no borders


def row_height(texts: list[tuple[str, int]]) -> float:
    """The documented rule: room for every wrapped text, at least two lines of 15 points, plus 2."""
    return 15.0 * max(2, *(-(-len(text) // max(1, width - 2)) for text, width in texts)) + 2


def check_checklist(book, sheet, expected: Expected, source: Yaml) -> None:
    columns = expected.columns()
    last_column = get_column_letter(len(columns))
    last_row = 3 + len(expected.rows)
    rows = values(sheet)
    assert rows[0][0] == expected.title and rows[0][1:] == [None] * (len(rows[0]) - 1)
    assert rows[1][0] == (stamp(source) + (f" · {expected.credit}" if expected.credit else ""))
    assert rows[2] == [c for c, _ in columns]
    assert rows[3:] == expected.cells()
    assert [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(columns))] == \
        [pytest.approx(w + 0.7109375, abs=0.01) for _, w in columns]  # xlsxwriter stores Excel's padded width
    # how each cell looks: the header, the answer and notes cells to fill in, the grey id
    header = [c for c, _ in columns]
    widths = [w for _, w in columns]
    assert style(sheet["A1"])[:3] == (True, 14, "Calibri") and not style(sheet["A1"])[6]
    assert style(sheet["A2"])[:4] == (False, 9, "Calibri", GREY) and not style(sheet["A2"])[6]
    assert all(style(c) == (True, 11, "Calibri", BLACK, BLUE, "thin", True, "top", None) for c in sheet[3])
    for row, form, (_, item, chain) in zip(sheet.iter_rows(min_row=4), expected.forms, expected.rows):
        looks = [style(c) for c in row]
        assert looks[0] == PLAIN[:-1] + ("center",)
        for column, name in enumerate(header[1:-1], start=1):
            if name == TEXTS["answer"]:
                wanted = (PLAIN[:4] + (YELLOW,) + PLAIN[5:-1] + (None if form["soort"] == "open" else "center",)
                          if form["soort"] != "geen" else PLAIN)
            elif name == TEXTS["notes"]:
                wanted = PLAIN[:4] + (YELLOW,) + PLAIN[5:] if form.get("toelichting") else PLAIN
            else:
                wanted = PLAIN
            assert looks[column] == wanted, (item["id"], name)
        assert looks[-1] == (False, 9, "Calibri", GREY, None, "thin", True, "top", None)
        texts = [(title, widths[1 + depth]) for depth, (_, _, title) in enumerate(chain)]
        texts.append((fold(item["tekst"]), widths[header.index(TEXTS["question"])]))
        if TEXTS["levels"] in header:
            texts.append((row[header.index(TEXTS["levels"])].value, widths[header.index(TEXTS["levels"])]))
        assert sheet.row_dimensions[row[0].row].height == pytest.approx(row_height(texts), abs=0.5), item["id"]
    # every cell below the header is text, never a formula, whatever the editor wrote
    for row in sheet.iter_rows(min_row=4):
        for c in row[1:]:
            assert c.data_type in ("s", "n"), (c.coordinate, c.value)
            if c.value is not None:
                assert c.data_type == "s", (c.coordinate, c.value)
    # layout: the print area covers the last question and every column, the header repeats
    assert sheet.print_area == f"'{sheet.title}'!$A$1:${last_column}${last_row}"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == f"A3:{last_column}{last_row}"
    setup = sheet.page_setup
    assert (setup.orientation, str(setup.paperSize), setup.fitToWidth or 1, setup.fitToHeight) == ("landscape", "9", 1, 0)  # 1: the default
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.5, 0.5, 0.6, 0.7)
    assert sheet.oddFooter.left.text == stamp(source).replace("&", "&&") and sheet.oddFooter.left.size == 8
    assert sheet.oddFooter.right.text == BOOK["page_footer"] and sheet.oddFooter.right.size == 8
    # the drop-downs: each item with choices has one in the answer column, listing exactly its labels
    answer_column = [c for c, _ in columns].index(TEXTS["answer"]) + 1 if TEXTS["answer"] in [c for c, _ in columns] else None
    offered: dict[int, list] = {}
    for validation in sheet.data_validations.dataValidation:
        assert (validation.type, validation.errorStyle or "stop", bool(validation.showDropDown)) == ("list", "stop", False)
        assert validation.showInputMessage and validation.showErrorMessage
        assert (validation.promptTitle, validation.prompt) == (BOOK["answer_prompt_title"], BOOK["answer_prompt"])
        assert (validation.errorTitle, validation.error) == (BOOK["answer_error_title"], BOOK["answer_error"])
        for ranges in validation.sqref.ranges:
            assert ranges.min_col == ranges.max_col == answer_column
            for row in range(ranges.min_row, ranges.max_row + 1):
                assert row not in offered
                offered[row] = cell_range(book, validation.formula1)
    assert offered == {4 + n: labels for n, labels in enumerate(expected.choices()) if labels is not None}
    # validations are merged per run of consecutive rows with the same list
    lists = [_list_of(expected, n) for n in range(len(expected.rows))]
    runs = sum(1 for n, key in enumerate(lists) if key is not None and (n == 0 or lists[n - 1] != key))
    assert sum(len(v.sqref.ranges) for v in sheet.data_validations.dataValidation) == runs


def _list_of(expected: Expected, n: int):
    form = expected.forms[n]
    return ("form", form["id"]) if form["soort"] == "keuze" else ("levels",) if form["soort"] == "rubriek" else None


def check_about(book, source: Yaml, ids: list[str], title: str) -> None:
    about = book[BOOK["about_sheet"]]
    rows = values(about)
    c = source.config
    assert rows[0][0] == title
    assert rows[1][0] == BOOK["about_intro"] and "A2:B2" in [str(r) for r in about.merged_cells.ranges]
    props = BOOK["properties"]
    wanted = [(props["publication"], c["titel"]), (props["organisation"], c["organisatie"]), (props["edition"], str(c["editie"])),
              (props["revision"], LABEL), (props["date"], f"1 januari {str(c['editie'])[:4]}"), (props["online"], c["basis_url"])]
    wanted += [(props["source"], f"{e.short}: {e.credit}") for e in (Expected(source, i) for i in ids) if e.credit]
    assert [tuple(r[:2]) for r in rows[3:3 + len(wanted)]] == wanted
    assert style(about["A1"])[:3] == (True, 14, "Calibri")
    assert about.row_dimensions[2].height == 45 and style(about["A2"]) == LOOSE
    for row in about.iter_rows(min_row=4, max_row=3 + len(wanted)):
        assert style(row[0]) == (True,) + LOOSE[1:] and style(row[1]) == LOOSE
    assert rows[2] == [None, None] and rows[3 + len(wanted):4 + len(wanted)] in ([], [[None, None]])
    assert sorted((d.min, d.max) for d in about.column_dimensions.values() if d.customWidth) == [(1, 1), (2, 2)]  # A and B only
    assert (about.column_dimensions["A"].width, about.column_dimensions["B"].width) == (pytest.approx(22.71, abs=0.01),
                                                                                         pytest.approx(80.71, abs=0.01))
    assert (str(about.page_setup.paperSize), about.page_setup.fitToWidth or 1, about.page_setup.fitToHeight) == ("9", 1, 0)
    # the answer lists: a heading, its labels, an empty row
    expected_lists = []
    forms = {}
    for i in ids:
        e = Expected(source, i)
        for form in e.forms:
            if form["soort"] == "keuze":
                forms.setdefault(form["id"], form)
    for form in forms.values():
        heading = BOOK["answer_scale"] if len(forms) == 1 else f"{BOOK['answer_scale']} ({form['id']})"
        expected_lists += [heading, *[o["label"] for o in form["opties"]], None]
    for i in ids:
        e = Expected(source, i)
        if "rubriek" in e.kinds():
            expected_lists += [f"{BOOK['levels']} {e.short}", *[level["label"] for level in e.levels], None]
    got = [r[0] for r in rows[4 + len(wanted):]]
    headings = {n for n, v in enumerate(got) if v is not None and (n == 0 or got[n - 1] is None)}
    for n, c in enumerate(about["A"][4 + len(wanted):]):
        if c.value is not None:
            assert style(c) == ((True,) + LOOSE[1:] if n in headings else LOOSE), c.value
    assert (got + [None] if got else []) == expected_lists


def check_properties(book, source: Yaml, title: str) -> None:
    c = source.config
    p = book.properties
    assert (p.title, p.subject, p.creator, p.keywords, p.description) == (
        title, c["titel"], c["organisatie"], "reflectievragen, checklist", stamp(source))
    assert (p.created.year, p.created.month, p.created.day, p.created.hour) == (int(str(c["editie"])[:4]), 1, 1, 0)
    custom = {prop.name: prop.value for prop in book.custom_doc_props.props}
    assert custom == {"Editie": str(c["editie"]), "Bronversie": LABEL}


@pytest.mark.parametrize("name, instrument_id", SINGLE)
def test_xlsx_of_one_instrument_cell_by_cell(name, instrument_id) -> None:
    source = Yaml(PUBLICATION_FOLDERS[name])
    data, book = xlsx(source, [instrument_id])
    expected = Expected(source, instrument_id)
    assert book.sheetnames == [expected.short, BOOK["about_sheet"]]
    check_checklist(book, book.worksheets[0], expected, source)
    check_about(book, source, [instrument_id], expected.title)
    check_properties(book, source, expected.title)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        app = z.read("docProps/app.xml").decode("utf-8")
    assert f"<Company>{source.config['organisatie']}</Company>" in app and f"<Manager>{source.config['organisatie']}</Manager>" in app


@pytest.mark.parametrize("name", ["kcr", "instrumenten"])
def test_xlsx_of_all_instruments_has_a_sheet_each(name) -> None:
    source = Yaml(PUBLICATION_FOLDERS[name])
    ids = source.config["instrumenten"]
    _, book = xlsx(source, ids)
    title = f"Reflectievragen {source.config['titel']}"
    expected = [Expected(source, i) for i in ids]
    assert book.sheetnames == [e.short for e in expected] + [BOOK["about_sheet"]]
    for e, sheet in zip(expected, book.worksheets):
        check_checklist(book, sheet, e, source)
    check_about(book, source, ids, title)
    check_properties(book, source, title)


HOSTILE_STARTS = ["=1+1", "+31 6 1234", "-2", "@SUM(A1:A2)", "'quote", "=HYPERLINK(\"http://x\")"]


def edited_kcr() -> Yaml:
    """The KCR publication with texts that a spreadsheet could take for formulas and a '&' in
    every name that lands in a print footer."""
    source = Yaml(PUBLICATION_FOLDERS["kcr"])
    source.config = copy.deepcopy(source.config)
    source.config["titel"] = "Kunst & Cultuur = samen"
    source.config["organisatie"] = "@Centrum & Co"
    source.instruments = copy.deepcopy(source.instruments)
    instrument_id = source.config["instrumenten"][0]
    items = [item for _, item, _ in source.rows(instrument_id)]
    for item, start in zip(items, HOSTILE_STARTS):
        item["tekst"] = f"{start} {item['tekst']}"
    top = source.instruments[instrument_id]["secties"][0]
    deepest = top
    while deepest.get("secties"):
        deepest = deepest["secties"][0]
    deepest["titel"] = "-" + deepest["titel"]
    return source


def test_xlsx_keeps_formula_like_texts_as_text_and_doubles_ampersands_in_the_footer() -> None:
    source = edited_kcr()
    instrument_id = source.config["instrumenten"][0]
    _, book = xlsx(source, [instrument_id])
    expected = Expected(source, instrument_id)
    sheet = book.worksheets[0]
    check_checklist(book, sheet, expected, source)  # every cell a string with exactly the editor's text
    texts = {c.value for row in sheet.iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for start in HOSTILE_STARTS:
        assert any(t.startswith(start) for t in texts), start
    assert any(t.startswith("-") and not t.startswith("-2") for t in texts)  # the section title
    assert sheet.oddFooter.left.text == stamp(source).replace("&", "&&")
    assert "&&" in sheet.oddFooter.left.text
    check_properties(book, source, expected.title)


def test_xlsx_footer_falls_back_to_edition_and_revision_when_too_long() -> None:
    source = Yaml(PUBLICATION_FOLDERS["kcr"])
    source.config = {**source.config, "titel": ("Kunst & cultuur " * 12).strip()}
    instrument_id = source.config["instrumenten"][0]
    _, book = xlsx(source, [instrument_id])
    footer = book.worksheets[0].oddFooter
    assert footer.left.text == f"editie {source.config['editie']} · bronversie {LABEL}"
    assert footer.right.text == BOOK["page_footer"]
    described = book.properties.description  # a document property: one line of at most 255 characters
    assert len(described) == 255 and described.endswith("…") and stamp(source).startswith(described[:-1])


def test_docx_without_a_known_revision_has_an_empty_identifier() -> None:
    source = Yaml(PUBLICATION_FOLDERS["instrumenten"])
    publication = publication_of(source)
    data = exports.export_docx(Project.at(ROOT), publication, publication.instrument("leidraad"), Revision(None))
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.identifier == "" and properties.comments == "Editie 2026, bronversie onbekend"


def test_xlsx_fixed_texts_come_from_the_editable_texts_file(tmp_path) -> None:
    """An edited templates/exports/teksten.yaml is what the workbook shows, an intro that starts
    like a formula included (it stays text)."""
    tool = tmp_path / "tool"
    (tool / "templates" / "exports").mkdir(parents=True)
    edited = copy.deepcopy(TEXTS)
    edited["workbook"]["about_intro"] = "=1+1 is geen formule & blijft tekst"
    edited["workbook"]["about_sheet"] = "Over: dit/bestand"
    edited["workbook"]["page_footer"] = "Blad &P"
    edited["number"], edited["question"] = "Nummer", "Vraagtekst"
    import yaml
    (tool / "templates" / "exports" / "teksten.yaml").write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    source = Yaml(PUBLICATION_FOLDERS["kcr"])
    instrument_id = source.config["instrumenten"][0]
    _, book = xlsx(source, [instrument_id], Project.at(ROOT, tool))
    assert book.sheetnames[-1] == "Over- dit-bestand"
    intro = book["Over- dit-bestand"]["A2"]
    assert (intro.value, intro.data_type) == ("=1+1 is geen formule & blijft tekst", "s")
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[3]][:1] == ["Nummer"] and "Vraagtekst" in [c.value for c in sheet[3]]
    assert sheet.oddFooter.right.text == "Blad &P"
    assert cell_range(book, sheet.data_validations.dataValidation[0].formula1)[0] is not None


# --------------------------------------------------------------------------- DOCX


def docx_of(source: Yaml, instrument_id: str):
    publication = publication_of(source)
    data = exports.export_docx(Project.at(ROOT), publication, publication.instrument(instrument_id), REVISION)
    return data, docx.Document(io.BytesIO(data))


def body_blocks(document):
    """The body in order: ('p', style, text) and ('t', table)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            p = Paragraph(child, document)
            yield "p", p.style.name, p.text
        elif child.tag == f"{W}tbl":
            yield "t", Table(child, document), None


def table_widths(table) -> tuple[int, list[int], list[list[int]]]:
    tbl = table._tbl
    width = int(tbl.tblPr.find(f"{W}tblW").get(f"{W}w"))
    grid = [int(g.get(f"{W}w")) for g in tbl.tblGrid.findall(f"{W}gridCol")]
    cells = [[int(tc.tcPr.find(f"{W}tcW").get(f"{W}w")) for tc in tr.tc_lst] for tr in tbl.tr_lst]
    return width, grid, cells


def caption(table) -> str:
    return table._tbl.tblPr.find(f"{W}tblCaption").get(f"{W}val")


@pytest.mark.parametrize("name, instrument_id", SINGLE)
def test_docx_holds_the_yaml_in_reading_order(name, instrument_id) -> None:
    check_docx(Yaml(PUBLICATION_FOLDERS[name]), instrument_id)


def check_docx(source: Yaml, instrument_id: str) -> None:
    data, document = docx_of(source, instrument_id)
    e = Expected(source, instrument_id)
    c = source.config
    url = f"{c['basis_url']}{instrument_id}/reflectievragen/"
    # metadata: title, language, dates, revision
    p = document.core_properties
    assert (p.title, p.subject, p.author, p.last_modified_by, p.keywords, p.language, p.version, p.identifier) == (
        f"{e.title} – {c['titel']}", c["titel"], c["organisatie"], c["organisatie"], "reflectievragen, reflectieblad", "nl-NL",
        str(c["editie"]), REVISION.commit)
    assert p.comments == f"Editie {c['editie']}, bronversie {LABEL}" + (f". {e.credit}" if e.credit else "")
    assert (p.created.year, p.created.month, p.created.day) == (int(str(c["editie"])[:4]), 1, 1) and p.modified == p.created
    assert p.revision == 1 and p.category == ""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        names = z.namelist()
        rels = z.read("_rels/.rels").decode("utf-8")
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S)[0]
    assert re.search(r'<w:lang [^>]*w:val="nl-NL"', defaults) and re.search(r'w:eastAsia="nl-NL"', defaults)
    assert not any("thumbnail" in n for n in names) and "thumbnail" not in rels
    # page: A4, 2 cm margins, footer
    section = document.sections[0]
    assert {round(section.page_width.cm, 1), round(section.page_height.cm, 1)} == {21.0, 29.7}
    assert (round(section.left_margin.cm, 2), round(section.right_margin.cm, 2), round(section.top_margin.cm, 2),
            round(section.bottom_margin.cm, 2)) == (2.0, 2.0, 1.8, 1.8)
    text_width = section.page_width.twips - 2 * section.left_margin.twips
    footer = section.footer.paragraphs[0]
    assert footer.text == f"{e.title} · editie {c['editie']} · bronversie {LABEL} · pagina "
    assert round(footer.runs[0].font.size.pt) == 8
    page = footer._p.find(f"{W}fldSimple")
    assert page.get(f"{W}instr") == "PAGE" and page.find(f"{W}r/{W}t").text == "1"  # shown until Word updates the field

    blocks = list(body_blocks(document))
    paragraphs = [(style, text) for kind, style, text in blocks if kind == "p"]
    intro = [fold(part) for part in re.split(r"\n\s*\n", e.data["inleiding"]) if part.strip()]
    head = [("Title", e.title), ("Normal", f"{c['titel']} · {c['organisatie']} · editie {c['editie']}")]
    if e.credit:
        head.append(("Normal", e.credit + (f" · {e.data['bron']['webadres']}" if e.data["bron"].get("webadres") else "")))
    head += [("Normal", DOC["online"].format(url=url)), *[("Normal", t) for t in intro], ("Heading 1", DOC["details"])]
    assert paragraphs[:len(head)] == head
    tables = [t for kind, t, _ in blocks if kind == "t"]
    details = tables[0]
    assert [[cell.text for cell in row.cells] for row in details.rows] == [[f, ""] for f in DOC["detail_fields"]]
    assert all(row.cells[0].paragraphs[0].runs[0].bold for row in details.rows)
    assert [round(row.height.cm, 1) for row in details.rows] == [0.9] * len(DOC["detail_fields"])
    assert all(t.style.name == "Table Grid" for t in tables)
    assert round(document.styles["Table Grid"].font.size.pt) == 10
    assert caption(details) == DOC["details"]
    # after the details: how to fill in the sheet, one sentence per answer form in order of first use
    sentences, used = [], []
    for form in e.forms:
        if form["id"] in used:
            continue
        used.append(form["id"])
        if form["soort"] == "keuze":
            sentences.append(f"Kies per vraag een antwoord ({' / '.join(o['label'] for o in form['opties'])})" + (
                " en noteer bij ‘Toelichting / voorbeeld’ wat je ziet of een voorbeeld uit de praktijk."
                if form.get("toelichting") else "."))
        elif form["soort"] == "open":
            sentences.append("Schrijf bij een open vraag het antwoord in de ruimte eronder.")
        elif form["soort"] == "geen":
            sentences.append("Vragen zonder vakjes of lijnen zijn voorbeeldvragen voor het gesprek: daar hoef je niets in te vullen.")
        else:
            sentences.append(f"Kies per onderdeel het niveau dat het best past ({' / '.join(v['label'] for v in e.levels)})"
                             + (" en noteer bij ‘Toelichting’ waarom." if form.get("toelichting") else "."))
    assert paragraphs[len(head):len(head) + len(sentences)] == [("Normal", t) for t in sentences]
    # the section headings, in reading order, at their depth
    headings, seen = [], set()
    top_number = {s["id"]: n for n, s in enumerate(e.data.get("secties", []), start=1)}
    for _, _, chain in e.rows:
        for depth, (_, section_id, title) in enumerate(chain):
            if (depth, section_id) not in seen:
                seen.add((depth, section_id))
                text = f"{top_number[section_id]}. {title}" if depth == 0 else title
                headings.append((f"Heading {min(depth + 1, 3)}", text))
    got_headings = [(s, t) for s, t in paragraphs[len(head):] if s.startswith("Heading")]
    assert got_headings == headings + [("Heading 1", DOC["actions"])]
    # the questions: one row each, in order, number linked to the question online
    question_rows = []
    for table in tables[1:-1]:
        header = [cell.text for cell in table.rows[0].cells]
        repeat = table.rows[0]._tr.trPr.find(f"{W}tblHeader")
        assert repeat is not None and repeat.get(f"{W}val") == "true"
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
        for row in table.rows[1:]:
            texts = [cell.text for cell in row.cells]
            if texts[0]:
                question_rows.append((header, texts, row, table))
            else:  # a rubric item's notes row
                assert texts[1:] == [f"{TEXTS['notes']}:"] * (len(texts) - 1)
                assert round(row.height.cm, 1) == 1.2
    assert len(question_rows) == len(e.rows)
    links = {r.rId: r.target_ref for r in document.part.rels.values() if r.is_external}
    for (header, texts, row, table), (number, item, chain), form in zip(question_rows, e.rows, e.forms):
        assert texts[:2] == [str(number), fold(item["tekst"])]
        link = row.cells[0].paragraphs[0]._p.find(f"{W}hyperlink")
        assert links[link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")] == f"{url}#{item['id']}"
        assert link.get(f"{W}tooltip") == DOC["question_link"].format(number=number)
        assert link.find(f"{W}r/{W}rPr/{W}color").get(f"{W}val") == "1F4E79"
        assert link.find(f"{W}r/{W}rPr/{W}u").get(f"{W}val") == "single"
        assert table._tbl.tblPr.find(f"{W}jc").get(f"{W}val") == "center"
        titles = {section["id"]: section["titel"] for section in _sections(e.data)}
        assert caption(table) == (fold(titles[chain[-1][1]]) if chain else fold(e.data["naam"]))
        assert round(row.height.cm, 1) == (3.0 if form["soort"] == "open" else 1.2)
        if form["soort"] == "keuze":
            labels = [o["label"] for o in form["opties"]]
            assert header == [TEXTS["number"], TEXTS["question"], *labels] + ([TEXTS["notes"]] if form.get("toelichting") else [])
            assert texts[2:2 + len(labels)] == ["☐"] * len(labels)
            assert all(cell.paragraphs[0].alignment == 1 for cell in row.cells[2:2 + len(labels)])
            assert texts[2 + len(labels):] == ([""] if form.get("toelichting") else [])
        elif form["soort"] == "rubriek":
            assert header == [TEXTS["number"], TEXTS["question"], *[level["label"] for level in e.levels]]
            assert texts[2:] == [f"☐ {item.get('niveaus', {}).get(level['id'], '')}" for level in e.levels]
            keep = row.cells[0].paragraphs[0].paragraph_format.keep_with_next
            assert keep is (True if form.get("toelichting") else None)
        elif form["soort"] == "open":
            assert header == [TEXTS["number"], TEXTS["question"], TEXTS["answer"]] and texts[2:] == [""]
            grid = table_widths(table)[1]
            assert grid[1] == round((text_width - grid[0]) * 0.4)  # the question 40 %, the room to write the rest
        else:
            assert header == [TEXTS["number"], TEXTS["question"]] and texts[2:] == []
    # the agreements and the next moment
    actions = tables[-1]
    assert [[cell.text for cell in row.cells] for row in actions.rows] == [DOC["action_columns"]] + [[""] * 3] * 6
    assert caption(actions) == DOC["actions"]
    assert [round(row.height.cm, 1) for row in actions.rows[1:]] == [1.1] * 6
    assert paragraphs[-2:] == [("Normal", ""), ("Normal", DOC["next_moment"])]
    # every table as wide as the text, its cells as wide as the table, rows never split
    for table in tables:
        width, grid, cells = table_widths(table)
        assert width == sum(grid) == text_width, caption(table)
        assert table._tbl.tblPr.find(f"{W}tblW").get(f"{W}type") == "dxa"
        assert all(sum(row) == text_width for row in cells), caption(table)
        assert table._tbl.tblPr.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
        assert all(tr.trPr.find(f"{W}cantSplit") is not None for tr in table._tbl.tr_lst)
    assert table_widths(details)[1][0] == round(4 * 1440 / 2.54)
    assert table_widths(actions)[1][1:] == [round(4 * 1440 / 2.54)] * 2


def _sections(data):
    def walk(sections):
        for s in sections:
            yield s
            yield from walk(s.get("secties", []))
    return list(walk(data.get("secties", [])))


def test_docx_columns_fit_their_headings_and_share_the_rest() -> None:
    """The number column holds 'Nr.', each answer box its label's longest word; the question
    (and the notes) share what is left; a rubric of many levels turns the page."""
    source = Yaml(PUBLICATION_FOLDERS["kcr"])
    instrument_id = source.config["instrumenten"][0]
    _, document = docx_of(source, instrument_id)
    e = Expected(source, instrument_id)
    tables = [t for kind, t, _ in body_blocks(document) if kind == "t"][1:-1]
    cm = 1440 / 2.54
    for table in tables:
        _, grid, _ = table_widths(table)
        header = [cell.text for cell in table.rows[0].cells]
        assert grid[0] >= round(1.3 * cm)
        form = next(f for f in e.forms if [o["label"] for o in f.get("opties", [])] == header[2:2 + len(f.get("opties", []))])
        boxes = grid[2:2 + len(form["opties"])]
        assert all(box >= round(1.4 * cm) for box in boxes)
        if form.get("toelichting"):
            rest = sum(grid) - grid[0] - sum(boxes)
            assert grid[1] == round(rest * 0.56) and grid[-1] == rest - grid[1]
    # a rubric whose four level headings (Voorbeeldschool...) need more than 17 cm: landscape, as wide as the text
    for levels, landscape in ((None, True), (2, False)):
        source = Yaml(PUBLICATION_FOLDERS["instrumenten"])
        source.instruments = copy.deepcopy(source.instruments)
        if levels:  # two short levels fit in portrait
            source.instruments["rubriek"]["rubriekniveaus"] = source.instruments["rubriek"]["rubriekniveaus"][:levels]
        _, document = docx_of(source, "rubriek")
        section = document.sections[0]
        size = (29.7, 21.0) if landscape else (21.0, 29.7)
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1), section.orientation) == (*size, int(landscape))
        for table in [t for kind, t, _ in body_blocks(document) if kind == "t"]:
            width, grid, _ = table_widths(table)
            assert width == sum(grid) == section.page_width.twips - 2 * section.left_margin.twips
            header = [cell.text for cell in table.rows[0].cells]
            if header[:2] == [TEXTS["number"], TEXTS["question"]] and len(header) > 2:
                assert header[2:] == [level["label"] for level in source.instruments["rubriek"]["rubriekniveaus"]]
                assert grid[1] >= round(3.5 * 1440 / 2.54) - 1  # the question keeps room


@pytest.mark.parametrize("count", [8, 12])
def test_docx_of_many_long_answer_headings_fits_the_page_and_keeps_room_for_the_question(count) -> None:
    """Whatever `check` accepts, the Word sheet is made: a rubric of many long level names and a
    choice form of many long options (found by mutation testing: the question column went
    negative and python-docx refused). Every table is as wide as the text, every column has a
    width, the question (and the notes) keep at least 3 cm; each heading is still in its column."""
    source = Yaml(PUBLICATION_FOLDERS["instrumenten"])
    source.config = copy.deepcopy(source.config)
    source.instruments = copy.deepcopy(source.instruments)
    source.instruments["rubriek"]["rubriekniveaus"] = [
        {"id": f"niveau{n}", "label": f"Buitengewoonniveau{n}"} for n in range(count)]
    options = [{"id": f"optie{n}", "label": f"Ongetwijfeldzekerheid{n}"} for n in range(count)]
    source.config["antwoordvormen"].append({"id": "breed", "soort": "keuze", "opties": options, "toelichting": True})
    source.rows("leidraad")[0][1]["antwoordvorm"] = "breed"
    cm = 1440 / 2.54
    for instrument_id, labels in (("rubriek", [f"Buitengewoonniveau{n}" for n in range(count)]),
                                  ("leidraad", [o["label"] for o in options])):
        _, document = docx_of(source, instrument_id)
        section = document.sections[0]
        text_width = section.page_width.twips - 2 * section.left_margin.twips
        tables = [t for kind, t, _ in body_blocks(document) if kind == "t"]
        found = False
        for table in tables:
            width, grid, cells = table_widths(table)
            assert width == sum(grid) == text_width and all(g > 0 for g in grid), (instrument_id, grid)
            header = [cell.text for cell in table.rows[0].cells]
            if header[2:2 + len(labels)] == labels:
                found = True
                assert grid[1] >= round(3 * cm) - 1, (instrument_id, grid)
                if len(header) > 2 + len(labels):  # the notes column
                    assert grid[-1] >= round(3 * cm) * 0.44 * 2 - 2, (instrument_id, grid)
        assert found, instrument_id


def test_docx_title_and_texts_with_ampersands_and_formula_starts_stay_as_written() -> None:
    source = edited_kcr()
    instrument_id = source.config["instrumenten"][0]
    _, document = docx_of(source, instrument_id)
    e = Expected(source, instrument_id)
    assert document.core_properties.title == f"{e.title} – Kunst & Cultuur = samen"
    texts = [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    for start in HOSTILE_STARTS:
        assert any(t.startswith(start) for t in texts), start


def edited_instrumenten() -> Yaml:
    """The fixture publication with what it lacks: a choice form without notes on two items of
    an open instrument (two answer lists in one workbook), an open item inside the rubric, and an
    instrument abbreviated 'History' (a sheet name Excel keeps for itself)."""
    source = Yaml(PUBLICATION_FOLDERS["instrumenten"])
    source.config = copy.deepcopy(source.config)
    source.instruments = copy.deepcopy(source.instruments)
    source.config["antwoordvormen"].append({"id": "schaal", "soort": "keuze", "opties": [
        {"id": "ja", "label": "Ja"}, {"id": "soms", "label": "Soms"}, {"id": "nee", "label": "Nee"}]})
    for _, item, _ in source.rows("leidraad")[:2]:
        item["antwoordvorm"] = "schaal"
    source.config["antwoordvormen"].append({"id": "duim", "soort": "keuze", "opties": [
        {"id": "omhoog", "label": "Duim omhoog"}, {"id": "omlaag", "label": "Duim omlaag"}]})
    source.rows("gesprek")[0][1]["antwoordvorm"] = "duim"  # a second choice form: a second list, named by its id
    # an item text of 117 characters: three lines in the 60 wide question column (58 characters a line)
    source.rows("leidraad")[2][1]["tekst"] = "a " * 58 + "b"
    source.rows("rubriek")[1][1]["antwoordvorm"] = "open"
    rubric = source.rows("rubriek")[0][1]
    del rubric["niveaus"][source.instruments["rubriek"]["rubriekniveaus"][-1]["id"]]  # a level it does not describe
    source.instruments["rubriek"]["bron"]["webadres"] = "https://example.org/rubriek"
    source.instruments["rubriek"]["inleiding"] = "Eerste alinea\nover twee regels.\n\n  \nTweede alinea."
    source.instruments["gesprek"]["afkorting"] = "History"
    return source


def test_xlsx_and_docx_of_an_edited_fixture_with_two_lists_a_mixed_rubric_and_a_reserved_name() -> None:
    source = edited_instrumenten()
    ids = source.config["instrumenten"]
    _, book = xlsx(source, ids)
    expected = [Expected(source, i) for i in ids]
    assert book.sheetnames == ["Evaluatieleidraad", "History (2)", "Rubriek cultuurbeleid", BOOK["about_sheet"]]
    for e, sheet in zip(expected, book.worksheets):
        check_checklist(book, sheet, e, source)
    check_about(book, source, ids, f"Reflectievragen {source.config['titel']}")
    assert [r[0] for r in values(book["History (2)"])[3:]] == [n for n, _, _ in expected[1].rows]
    for instrument_id in ids:
        check_docx(source, instrument_id)


def test_xlsx_footer_of_exactly_255_characters_is_kept_whole() -> None:
    """Excel's limit is 255 characters, codes included: a footer of exactly 255 stays whole."""
    source = Yaml(PUBLICATION_FOLDERS["kcr"])
    rest = len("&L&8" + stamp(source).replace("&", "&&") + "&R&8" + BOOK["page_footer"]) - len(source.config["titel"])
    source.config = {**source.config, "titel": "T" * (255 - rest)}
    _, book = xlsx(source, [source.config["instrumenten"][0]])
    assert book.worksheets[0].oddFooter.left.text == stamp(source)
    source.config = {**source.config, "titel": "T" * (256 - rest)}
    _, book = xlsx(source, [source.config["instrumenten"][0]])
    assert book.worksheets[0].oddFooter.left.text == f"editie {source.config['editie']} · bronversie {LABEL}"


@pytest.mark.parametrize("intro", ["=1+1 is geen formule & blijft tekst", "2026", "https://example.org/x", "TRUE"])
def test_xlsx_intro_from_the_texts_file_stays_text(tmp_path, intro) -> None:
    """The intro is written as it stands: never a formula, a number, a link or a truth value."""
    import yaml

    tool = tmp_path / "tool"
    (tool / "templates" / "exports").mkdir(parents=True)
    edited = copy.deepcopy(TEXTS)
    edited["workbook"]["about_intro"] = intro
    edited["workbook"]["about_sheet"] = "Over 't bestand"
    (tool / "templates" / "exports" / "teksten.yaml").write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    source = Yaml(PUBLICATION_FOLDERS["kcr"])
    data, book = xlsx(source, [source.config["instrumenten"][0]], Project.at(ROOT, tool))
    cell = book["Over 't bestand"]["A2"]
    assert (cell.value, cell.data_type, cell.hyperlink) == (intro, "s", None)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if "rels" in n and "sheet" in n and b"hyperlink" in z.read(n)]
    # the drop-downs point into a sheet whose name has an apostrophe
    sheet = book.worksheets[0]
    labels = [o["label"] for o in next(f for f in source.config["antwoordvormen"] if f["soort"] == "keuze")["opties"]]
    assert cell_range(book, sheet.data_validations.dataValidation[0].formula1) == labels
