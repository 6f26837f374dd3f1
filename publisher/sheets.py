"""Reflection sheets: one print PDF and one fillable PDF form per instrument.

HTML comes from templates/sheets/ (Jinja2), the PDF from WeasyPrint. Both sheets of
an instrument come from one HTML page, laid out once and written twice: without form
fields (print) and with them (fillable, finished by pdfform.py); so they have the
same pages, and the layout, most of the work, is done once. PDFs are tagged
(PDF/UA-1, lang nl), reproducible (dates from the edition or SOURCE_DATE_EPOCH) and
cached by a hash of everything that goes into them, so a rebuild only renders the
instruments whose input changed. Instruments render in parallel worker processes
because WeasyPrint is single-threaded; what a worker runs is in sheet_render.py.

The sheet follows the instrument model: sections in 0-2 levels, items numbered 1..N
straight through, and per item its answer form: `keuze` (a box per option, a radio group
`<instrument>-<item>` whose states are the option ids, notes `<item>-toelichting`), `open`
(ruled lines, a multi-line field `<instrument>-<item>-antwoord`), `geen` (text only) and
`rubriek` (a table: a row per item, a column per level with its description, a radio group
whose states are the level ids). Everything the template shows is worked out here (the
view); the template only formats it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import metadata
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import segno

from .environment import source_date
from .escaping import single_line
from .model import AnswerForm, Instrument, NumberedItem, Publication, Section
from .problems import Problem, error
from .sheet_render import intact, render_sheets, worker_context, worker_start
from .project import Project
from .templating import render
from .structure import reflection_page

SHEET_TEMPLATE = "sheets/reflectieblad.html.j2"
SHEET_ACTIONS = 6  # empty rows in the 'Afspraken en vervolgstappen' table
WRITING_LINES = 5  # handwriting lines per note or open answer (the field covers them on screen)
RUBRIC_NOTE_LINES = 3  # handwriting lines for the notes under a rubric row
# The sizes the page is laid out with, in mm: defined here only, written into the sheet's
# HTML (<style> in the template) and used by question_height_mm to warn in `check` when a
# question cannot fit on one page.
PAGE_MM = (210.0, 297.0)  # A4
PAGE_MARGINS_MM = (12.0, 16.0, 10.0, 16.0)  # top, right, bottom, left
LINE_MM = 8.0  # one handwriting line (the ruled lines; the fields cover them)
TEXT_LINE_MM = 4.41  # one line of question text (10 pt, line-height 1.25)
RUBRIC_LINE_MM = 4.13  # one line of a rubric cell (9 pt, line-height 1.3)
SCALE_ROW_MM = 5.2  # the row of answer boxes with its margin
QUESTION_GAP_MM = 0.8  # space under the question text and under the question
NOTES_LABEL_MM = 4.5  # 'Toelichting / voorbeeld' above the notes of an open question
CHAR_MM = 2.05  # a generous average width of a character of the question text (10 pt bold)
RUBRIC_CHAR_MM = 1.75  # the same for a rubric cell (9 pt)
QUESTION_INDENT_MM = 6.0
OPTION_MM = 22.0  # one answer option of a choice: its box and label (reflectieblad.css, .optie)
OPTION_BOX_MM = 6.7  # the box with its margins (reflectieblad.css, input[type="radio"])
OPTION_CHAR_MM = 1.8  # a generous average width of a character of an option's label (10 pt)
NOTES_LABEL_ROW_MM = 40.0  # 'Toelichting / voorbeeld' after the options (8.5 pt, 4 mm margin)
# The conversation details at the top: (field name, label, lines). Several lines: a
# multi-line field on the fillable sheet (room for ten attendees), ruled lines on paper.
HEADER_FIELDS = [("school", "School", 1), ("project", "Project", 1), ("datum", "Datum", 1), ("aanwezigen", "Aanwezigen", 2)]


@dataclass(frozen=True)
class SheetSpec:
    instrument: Instrument
    fillable: bool

    @property
    def file_name(self) -> str:
        return sheet_file_name(self.instrument.id, self.fillable)

    @property
    def label(self) -> str:
        return "Invulbaar" if self.fillable else "Afdrukbaar"


@dataclass(frozen=True)
class Download:
    file_name: str
    label: str
    size: int
    path: Path  # the rendered PDF (in the cache), or another file of the downloads page

    @property
    def format(self) -> str:
        """'PDF', 'XLSX': the type of file as the downloads page names it."""
        return self.file_name.rsplit(".", 1)[-1].upper()


@dataclass
class SheetResult:
    downloads: dict[str, list[Download]]  # per instrument id, print sheet first
    rendered: list[str]  # file names rendered in this run (not from the cache)
    problems: list[Problem]
    pending: list[str] = field(default_factory=list)  # outdated sheets used as they are (render=False)


def sheet_file_name(instrument_id: str, fillable: bool) -> str:
    return f"reflectievragen-{instrument_id}{'-invulbaar' if fillable else ''}.pdf"


def sheet_specs(publication: Publication) -> list[SheetSpec]:
    return [SheetSpec(i, fillable) for i in publication.instruments for fillable in (False, True)]


def reflection_page_url(publication: Publication, instrument: Instrument) -> str:
    """The published address of the reflection page (MkDocs' directory URLs: 'bo/reflectievragen/')."""
    return f"{publication.config.base_url}{reflection_page(instrument.id).removesuffix('.md')}/"


def document_moment(publication: Publication) -> datetime:
    """The date of every output: SOURCE_DATE_EPOCH if set, else 1 January of the edition year."""
    return source_date() or datetime(publication.config.year, 1, 1, tzinfo=timezone.utc)


def document_date(publication: Publication) -> str:
    """W3C date for the PDF metadata."""
    return document_moment(publication).strftime("%Y-%m-%dT%H:%M:%SZ")


def qr_code_data_uri(url: str) -> str:
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=1, border=0, omitsize=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class SheetSource:
    """What the two sheets of an instrument are made from: one HTML page, laid out once and
    written twice (print sheet, fillable sheet); the document title of each; and the
    accessible name of each answer group (radio group field name -> 'Vraag 5: ...'), which
    the fillable PDF gets in post-processing (WeasyPrint names a group after its first option)."""
    html: str
    titles: tuple[str, str]  # print sheet, fillable sheet
    group_names: dict[str, str]

    def fingerprint_text(self) -> str:
        return "\n".join([self.html, *self.titles, json.dumps(self.group_names, ensure_ascii=False, sort_keys=True)])


def sheet_html(project: Project, publication: Publication, spec: SheetSpec) -> str:
    """The HTML of a sheet (the same for the print and the fillable sheet of an instrument)."""
    return sheet_source(project, publication, spec.instrument).html


# --------------------------------------------------------------------------- the view


def item_fields(instrument: Instrument, item, form: AnswerForm) -> dict[str, str]:
    """The form fields of an item on the fillable sheet, by role (published promises): 'keuze',
    the radio group of a keuze or rubriek item ('bo-herkenning'); 'antwoord', the text field of an
    open item ('…-antwoord'); 'toelichting', the notes field ('…-toelichting')."""
    name = f"{instrument.id}-{item.id}"
    fields = {}
    if form.kind in ("keuze", "rubriek"):
        fields["keuze"] = name
    elif form.kind == "open":
        fields["antwoord"] = f"{name}-antwoord"
    if form.notes:
        fields["toelichting"] = f"{name}-toelichting"
    return fields


ACTION_COLUMNS = ("wat", "wie", "wanneer")  # the columns of the 'Afspraken en vervolgstappen' table
NEXT_REFLECTION_FIELD = "volgend-reflectiemoment"  # the date of the next reflection (a published promise)


def action_field(number: int, column: str) -> str:
    """The field of an agreement on the fillable sheet ('afspraak-1-wat'; a published promise)."""
    return f"afspraak-{number}-{column}"


def _item_view(instrument: Instrument, numbered: NumberedItem, group_names: dict[str, str]) -> dict:
    number, _, item, form = numbered
    fields = item_fields(instrument, item, form)
    label = f"Vraag {number}: {item.text}"
    view: dict = {"number": number, "text": item.text, "kind": form.kind, "field": fields.get("keuze"), "options": [],
                  "levels": [], "answer_field": fields.get("antwoord"), "answer_title": None,
                  "note_field": fields.get("toelichting"), "note_title": None}
    if "keuze" in fields:
        group_names[fields["keuze"]] = label
    if form.kind == "keuze":
        view.update(options=[{"id": o.id, "label": o.label} for o in form.options])
    elif form.kind == "rubriek":
        view.update(levels=[{"id": level.id, "label": level.label,
                             "description": item.levels.get(level.id, ""),
                             "title": f"{level.label}: {item.levels[level.id]}" if level.id in item.levels
                             else level.label}
                            for level in instrument.rubric_levels])
    elif form.kind == "open":
        view.update(answer_title=label)
    if form.notes:
        what = "toelichting" if form.kind == "rubriek" else "toelichting of voorbeeld"
        view.update(note_title=f"Vraag {number}, {what}: {item.text}")
    return view


def _parts(items: list[dict], levels: list[dict]) -> list[dict]:
    """Consecutive rubric items become one table (a row per item); other items stand one by one."""
    parts: list[dict] = []
    for item in items:
        table = item["kind"] == "rubriek"
        if parts and parts[-1]["table"] == table:
            parts[-1]["entries"].append(item)
        else:
            parts.append({"table": table, "entries": [item], "levels": levels if table else []})
    return parts


def sheet_view(publication: Publication, instrument: Instrument) -> tuple[list[dict], dict[str, str]]:
    """The sections of the sheet as nested blocks, and the accessible names of the answer groups.

    A block is a section: its id, the headings printed at its top, its items (grouped into
    parts: single questions or a rubric table), its subsections. Sections flow across pages
    (a question never splits: the sheet's CSS). A section that has only subsections prints its heading at the top of its first
    subsection, so that a heading never ends a page alone."""
    group_names: dict[str, str] = {}
    numbered = {id(n.item): n for n in publication.numbered_items(instrument)}
    levels = [{"id": level.id, "label": level.label} for level in instrument.rubric_levels]

    def items_of(items) -> list[dict]:
        return [_item_view(instrument, numbered[id(item)], group_names) for item in items]

    def block(section: Section, anchor: str, depth: int, index: int | None, carried: list[dict]) -> dict:
        heading = {"level": min(depth + 2, 4), "text": publication.section_heading(instrument, section, index)}
        items = items_of(section.items)
        anchor = f"{anchor}-{section.id}" if anchor else section.id
        own = carried + [heading]
        children = []
        for position, child in enumerate(section.sections):
            # The heading of a section without items of its own goes with its first subsection.
            take = own if position == 0 and not items else []
            children.append(block(child, anchor, depth + 1, None, take))
        return {"id": anchor, "headings": own if items or not section.sections else [],
                "parts": _parts(items, levels), "children": children}

    blocks = [block(section, "", 0, index, []) for index, section in enumerate(instrument.sections, start=1)]
    if instrument.items:  # an instrument without sections: its items under one heading
        items = items_of(instrument.items)
        heading = "Rubriek" if all(i["kind"] == "rubriek" for i in items) else "Vragen"
        blocks.insert(0, {"id": f"{instrument.id}-items", "headings": [{"level": 2, "text": heading}],
                          "parts": _parts(items, levels), "children": []})
    return blocks, group_names


def _text_lines(text: str, width_mm: float, char_mm: float) -> int:
    """How many lines `text` takes in a column `width_mm` wide (word wrap, an estimate)."""
    per_line = max(1, int(width_mm / char_mm))
    lines, used = 1, 0
    for word in text.split():
        length = len(word) + (1 if used else 0)
        if used and used + length > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += length
        while used > per_line:  # a word longer than the line breaks anywhere
            lines, used = lines + 1, used - per_line
    return lines


def page_height_mm() -> float:
    """The height a page has for questions (between the margins)."""
    return PAGE_MM[1] - PAGE_MARGINS_MM[0] - PAGE_MARGINS_MM[2]


def question_height_mm(item, form: AnswerForm, levels: int = 0) -> float:
    """An estimate of the height of one question on the sheet (it never splits across pages):
    its text and what the answer form adds (boxes, ruled lines, a rubric row and its notes)."""
    width = PAGE_MM[0] - PAGE_MARGINS_MM[1] - PAGE_MARGINS_MM[3]
    if form.kind == "rubriek":
        heading = _text_lines(item.text, width * 0.24 - 9, RUBRIC_CHAR_MM)
        cell = max([_text_lines(text, width * 0.76 / max(1, levels) - 3, RUBRIC_CHAR_MM) + 2
                    for text in item.levels.values()] or [0])
        height = max(heading, cell) * RUBRIC_LINE_MM + 3
        return height + (RUBRIC_NOTE_LINES * LINE_MM + 6 if form.notes else 0)
    height = _text_lines(item.text, width - QUESTION_INDENT_MM, CHAR_MM) * TEXT_LINE_MM + 2 * QUESTION_GAP_MM
    if form.kind == "keuze":
        height += SCALE_ROW_MM + (WRITING_LINES * LINE_MM if form.notes else 0)
    elif form.kind == "open":
        height += WRITING_LINES * LINE_MM + (NOTES_LABEL_MM + WRITING_LINES * LINE_MM if form.notes else 0)
    return height


def long_option(form: AnswerForm) -> tuple[int, float, float] | None:
    """The first answer of a choice whose label is wider than its place on the sheet's row (an
    estimate, like question_height_mm): (its index, its width, the room), or None."""
    room = OPTION_MM - OPTION_BOX_MM
    for index, option in enumerate(form.options):
        if len(option.label) * OPTION_CHAR_MM > room:
            return index, len(option.label) * OPTION_CHAR_MM, room
    return None


def options_row_overflow(form: AnswerForm) -> tuple[float, float] | None:
    """(the row's width, the line's) when a choice's answers and its notes label together are
    wider than the sheet's line; None when they fit."""
    line = PAGE_MM[0] - PAGE_MARGINS_MM[1] - PAGE_MARGINS_MM[3] - QUESTION_INDENT_MM
    row = len(form.options) * OPTION_MM + (NOTES_LABEL_ROW_MM if form.notes else 0)
    return (row, line) if row > line else None


def usage(publication: Publication, instrument: Instrument) -> str:
    """The line under the sheet's title: how to use it on paper and on screen, by what its items ask."""
    kinds = {numbered.form.kind for numbered in publication.numbered_items(instrument)}
    if kinds & {"keuze", "rubriek"}:
        paper = "kruis aan en schrijf op de lijnen"
    elif "open" in kinds:
        paper = "schrijf op de lijnen"
    else:  # example questions only: what is written are the details and the agreements
        paper = "schrijf de gegevens en afspraken op de lijnen"
    return f"Op papier: {paper}. Op het scherm: vul de invulbare PDF in en sla hem op."


def instructions(publication: Publication, instrument: Instrument) -> list[str]:
    """How to fill in the sheet, one sentence per answer form the instrument uses."""
    forms: dict[str, AnswerForm] = {}
    for numbered in publication.numbered_items(instrument):
        forms.setdefault(numbered.form.id, numbered.form)
    sentences = []
    for form in forms.values():
        if form.kind == "keuze":
            options = " / ".join(o.label for o in form.options)
            sentences.append(f"Kies per vraag een antwoord ({options})" + (
                " en noteer bij ‘Toelichting / voorbeeld’ wat je ziet of een voorbeeld uit de praktijk."
                if form.notes else "."))
        elif form.kind == "open":
            sentences.append("Schrijf bij een open vraag het antwoord in de ruimte eronder.")
        elif form.kind == "geen":
            sentences.append("Vragen zonder vakjes of lijnen zijn voorbeeldvragen voor het gesprek: "
                             "daar hoef je niets in te vullen.")
        else:
            levels = " / ".join(level.label for level in instrument.rubric_levels)
            sentences.append(f"Kies per onderdeel het niveau dat het best past ({levels})" + (
                " en noteer bij ‘Toelichting’ waarom." if form.notes else "."))
    return sentences


def sheet_source(project: Project, publication: Publication, instrument: Instrument) -> SheetSource:
    config = publication.config
    blocks, group_names = sheet_view(publication, instrument)
    url = reflection_page_url(publication, instrument)
    # PDF metadata (title, XMP): one line each (escaping.single_line), whatever the YAML holds.
    titles = (single_line(f"{instrument.sheet_title} – {config.title}"),
              single_line(f"{instrument.sheet_title} (invulbaar) – {config.title}"))
    source = instrument.source
    html = render(
        project.templates, SHEET_TEMPLATE,
        title=instrument.sheet_title,
        document_title=titles[0],
        instrument_name=instrument.name,
        publication_title=config.title,
        organisation=config.organisation,
        edition=config.edition,
        date=document_date(publication),
        intro=instrument.intro,
        credit=source.credit if source else None,
        credit_url=source.url if source else None,
        instructions=" ".join(instructions(publication, instrument)),
        usage=usage(publication, instrument),
        header_fields=[{"name": name, "label": label, "lines": lines} for name, label, lines in HEADER_FIELDS],
        writing_lines=WRITING_LINES,
        page_margins=" ".join(f"{m:g}mm" for m in PAGE_MARGINS_MM),
        line_height=f"{LINE_MM:g}mm",
        rubric_note_lines=RUBRIC_NOTE_LINES,
        blocks=blocks,
        actions=[{"number": i, "fields": [{"name": action_field(i, column), "title": f"Afspraak {i}: {column}"}
                                          for column in ACTION_COLUMNS]}
                 for i in range(1, SHEET_ACTIONS + 1)],
        next_field=NEXT_REFLECTION_FIELD,
        url=url,
        qr_code=qr_code_data_uri(url),
        colour=config.house_style.colour if config.house_style else None,  # validated '#rrggbb'
    )
    return SheetSource(html, titles, group_names)


# --------------------------------------------------------------------------- rendering


def _inputs_digest(project: Project) -> bytes:
    """What every sheet depends on besides its HTML: WeasyPrint, the stylesheet, the fonts."""
    digest = hashlib.sha256()
    digest.update(f"weasyprint {metadata.version('weasyprint')}\n".encode())
    for file in sorted((project.templates / "sheets").rglob("*")):  # templates, stylesheet, fonts
        if file.is_file():
            digest.update(file.relative_to(project.tool_root).as_posix().encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.digest()


def _fingerprint(inputs: bytes, html: str) -> str:
    return hashlib.sha256(inputs + html.encode("utf-8")).hexdigest()[:32]


def build_sheets(project: Project, publication: Publication, cache_dir: Path, jobs: int | None = None,
                 render: bool = True,
                 while_rendering: Callable[[dict[str, list[Download]] | None], None] | None = None) -> SheetResult:
    """Render the sheets whose input changed; return every sheet (from the cache or fresh).

    With render=False (live preview) an outdated sheet that has an earlier render
    is used as it is and listed in `pending`, so the pages can be shown at once and
    the sheets rendered afterwards. `while_rendering` runs in this process while
    the workers render (only when there is something to render). It gets the downloads
    as they will probably be: every sheet being rendered as its earlier render (same
    name, probably about the same size), or None when a sheet has none (a first build)
    or the sheets are not rendered in other processes."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    problems: list[Problem] = []
    todo: list[tuple[list[SheetSpec], SheetSource, list[Path]]] = []  # both sheets of an instrument
    planned: list[tuple[SheetSpec, Path]] = []
    pending: list[str] = []
    inputs = _inputs_digest(project)
    for instrument in publication.instruments:
        specs = [SheetSpec(instrument, fillable) for fillable in (False, True)]
        source = sheet_source(project, publication, instrument)
        fingerprint = _fingerprint(inputs, source.fingerprint_text())
        cached = [cache_dir / f"{spec.file_name[:-4]}-{fingerprint}.pdf" for spec in specs]
        if all(intact(path) for path in cached):
            planned += zip(specs, cached)
            continue
        if not render:
            earlier = [_latest_render(cache_dir, spec.file_name[:-4]) for spec in specs]
            if all(path is not None for path in earlier):
                planned += zip(specs, earlier)
                pending += [spec.file_name for spec in specs]
                continue
        # Never rendered, or damaged since: render both (again); they share one layout.
        planned += zip(specs, cached)
        todo.append((specs, source, cached))

    allowed = [str(project.templates)]
    base_dir = str(project.templates / "sheets")
    if todo:
        # Largest sheets first, so the workers finish at about the same time.
        todo.sort(key=lambda item: len(item[1].html), reverse=True)
        arguments = [(source.html, base_dir, allowed, tuple(str(path) for path in cached), source.titles,
                      source.group_names) for _, source, cached in todo]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        # One instrument to render (an edit) still gets a worker of its own when there is a
        # second core: the main process does `while_rendering` meanwhile instead of before.
        if jobs == 1 or (os.cpu_count() or 1) == 1:
            if while_rendering:
                while_rendering(None)
            outcomes = [_outcome(None, render_sheets, *args) for args in arguments]
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=worker_start, mp_context=worker_context()) as pool:
                futures = [pool.submit(render_sheets, *args) for args in arguments]
                try:
                    if while_rendering:  # the main process is otherwise idle until the sheets are done
                        while_rendering(_provisional(cache_dir, planned, {path for _, _, paths in todo for path in paths}))
                    outcomes = [_outcome(future) for future in futures]
                except KeyboardInterrupt:  # Ctrl+C: drop what has not started; renders under way finish
                    for future in futures:
                        future.cancel()
                    raise
        for (specs, _, _), outcome in zip(todo, outcomes):
            if isinstance(outcome, BaseException):
                for spec in specs:
                    problems.append(error(f"templates/{SHEET_TEMPLATE}", None,
                                          f"het reflectieblad {spec.file_name} kon niet gemaakt worden "
                                          f"({type(outcome).__name__}: {outcome})",
                                          "Controleer de laatste wijziging in templates/sheets/; meld het aan een ontwikkelaar."))
            elif outcome is not None:
                problems.append(_refusal_problem(*outcome))

    downloads: dict[str, list[Download]] = {}
    if not problems:
        downloads = _downloads(planned)
        if render:  # the live preview never prunes: a render may be under way in the background
            _prune_cache(cache_dir, {cached for _, cached in planned})
    return SheetResult(downloads, [spec.file_name for specs, _, _ in todo for spec in specs], _unique(problems), pending)


def _provisional(cache_dir: Path, planned: list[tuple[SheetSpec, Path]], rendering: set[Path]) -> dict[str, list[Download]] | None:
    """The downloads with each sheet that is being rendered replaced by its earlier render; None
    when one has no earlier render."""
    earlier = [(spec, _latest_render(cache_dir, spec.file_name[:-4]) if cached in rendering else cached)
               for spec, cached in planned]
    return None if any(path is None for _, path in earlier) else _downloads(earlier)


def _downloads(planned: list[tuple[SheetSpec, Path]]) -> dict[str, list[Download]]:
    downloads: dict[str, list[Download]] = {}
    for spec, cached in planned:
        downloads.setdefault(spec.instrument.id, []).append(Download(spec.file_name, spec.label, cached.stat().st_size, cached))
    return downloads


def _latest_render(cache_dir: Path, stem: str) -> Path | None:
    renders = [p for p in cache_dir.glob(f"{stem}-*.pdf") if _stem(p) == stem and intact(p)]
    return max(renders, key=lambda p: p.stat().st_mtime_ns, default=None)


def _stem(cached: Path) -> str:
    """'reflectievragen-bo-invulbaar' for 'reflectievragen-bo-invulbaar-<hash>.pdf'."""
    return cached.name.rsplit("-", 1)[0]


def _outcome(future, function=None, *args):
    """The result of a render, or the exception it raised (reported as a problem, not a traceback)."""
    try:
        return future.result() if future is not None else function(*args)
    except Exception as exc:  # noqa: BLE001 - any failure of the renderer becomes a Dutch problem
        return exc


def _refusal_problem(kind: str, url: str) -> Problem:
    if kind == "extern":
        return error(f"templates/{SHEET_TEMPLATE.rsplit('/', 1)[0]}/", None,
                     f"een sjabloon of stijlblad van het reflectieblad verwijst naar een adres buiten deze computer: {url}",
                     "De bouw haalt niets van internet. Zet het bestand (lettertype, afbeelding) in templates/ en verwijs daarnaar.")
    return error(f"templates/{SHEET_TEMPLATE.rsplit('/', 1)[0]}/", None,
                 f"een sjabloon of stijlblad van het reflectieblad verwijst naar een bestand buiten het project: {url}",
                 "Alleen bestanden in templates/ mogen gebruikt worden; kopieer het bestand daarheen.")


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _prune_cache(cache_dir: Path, keep: set[Path]) -> None:
    """Remove renders that no current sheet uses (outdated versions, removed instruments)."""
    for file in cache_dir.glob("*.pdf"):
        if file not in keep:
            file.unlink()
    for seal in cache_dir.glob("*.pdf.sha256"):
        if seal.with_name(seal.name[:-len(".sha256")]) not in keep:
            seal.unlink()
