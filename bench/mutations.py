#!/usr/bin/env python3
"""Mutation check (not collected by pytest): do the tests notice realistic bugs?

    .venv/bin/python bench/mutations.py               # every mutation, then a table
    .venv/bin/python bench/mutations.py --list
    .venv/bin/python bench/mutations.py --only sitemap-datum-van-vandaag --only skip-negeert-thema

Copies the repository to a temporary directory (the working tree is never changed; a
symbolic link `shared` beside the copy points at the shared sources, as in CI), runs the
named tests once unchanged (they must pass), then for each mutation: replaces `old` by
`new` in the copy (each `old` must occur exactly once, else the mutation is "verouderd"
and must be updated), runs only the named tests (`-x -q -p no:cacheprovider`), reports
whether a test failed and which, and puts the file back. Exit code 0 only when every
mutation was caught.

Add a mutation for every guarantee in the README's table that you touch. The sheet-side
mutations of issue 14 (PDF dates and XMP, render-cache key inputs, answer order, |safe in
the sheet template, QR code target, field names) belong here too, once the sheet rewrite
(publisher/sheets.py, templates/sheets/, tests/test_sheets.py) has landed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL_OUTPUT = {"site", ".cache", ".site.new", ".site.old", ".build.lock"}  # not templates/site/!
ANYWHERE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.pyc")


def ignore(directory: str, names: list[str]) -> set[str]:
    ignored = set(ANYWHERE(directory, names))
    if Path(directory) == ROOT or Path(directory).parent == ROOT / "voorbeelden":  # also a --project's output
        ignored |= TOP_LEVEL_OUTPUT & set(names)
    return ignored


@dataclass
class Mutation:
    name: str
    what: str  # the bug, in a few words
    file: str
    edits: list[tuple[str, str]]  # (old, new), applied in order
    tests: list[str]  # pytest node ids that must catch it


SITE = "publisher/site.py"
MUTATIONS = [
    Mutation("atomaire-wissel-uit", "atomic swap disabled: MkDocs writes straight into site/", SITE, [
        ("new_site, preview_url=preview_url, assets=loaded.assets)", "output, preview_url=preview_url, assets=loaded.assets)"),
        ("problems = index_site(new_site)", "problems = index_site(output)"),
        ("problems = audit_site(new_site, project.name(output), cache=project.work / \"audit\")",
         "problems = audit_site(output, project.name(output), cache=project.work / \"audit\")"),
        ("        swap_into_place(new_site, output)\n", ""),
    ], ["tests/test_build.py::test_late_failure_leaves_site_byte_identical_and_says_so"]),
    Mutation("nieuwe-site-is-site", "the 'new' directory is site/ itself", SITE, [
        ('new_site = output.parent / f".{output.name}.new"', "new_site = output"),
        ("        swap_into_place(new_site, output)\n", ""),
    ], ["tests/test_build.py::test_late_failure_leaves_site_byte_identical_and_says_so"]),
    Mutation("half-werk-blijft-liggen", "a failed site step leaves .site.new/ behind", SITE, [
        ('    if problems:\n        remove_tree(new_site, ignore_errors=True)\n        return failed(problems, "site")',
         '    if problems:\n        return failed(problems, "site")'),
    ], ["tests/test_build.py::test_late_failure_leaves_site_byte_identical_and_says_so"]),
    Mutation("sitemap-datum-van-vandaag", "sitemap date taken from the build day", SITE, [
        ('os.environ["SOURCE_DATE_EPOCH"] = str(int(document_moment(publication).timestamp()))',
         'os.environ["SOURCE_DATE_EPOCH"] = str(int(time.time()))'),
    ], ["tests/test_site.py::test_every_date_comes_from_the_edition_whatever_the_clock_says"]),
    Mutation("sitemap-datum-van-mkdocs", "edition date not passed to MkDocs (MkDocs uses now)", SITE, [
        ('    previous = os.environ.get("SOURCE_DATE_EPOCH")\n    if previous is None:\n        os.environ',
         '    previous = os.environ.get("SOURCE_DATE_EPOCH")\n    if False:\n        os.environ'),
    ], ["tests/test_site.py::test_every_date_comes_from_the_edition_whatever_the_clock_says"]),
    Mutation("source-date-epoch-genegeerd", "SOURCE_DATE_EPOCH overridden by the edition", SITE, [
        ('    previous = os.environ.get("SOURCE_DATE_EPOCH")\n    if previous is None:\n        os.environ',
         '    previous = os.environ.pop("SOURCE_DATE_EPOCH", None)\n    if True:\n        os.environ'),
    ], ["tests/test_site.py::test_source_date_epoch_sets_the_sitemap_date"]),
    Mutation("skip-negeert-thema", "MkDocs skip ignores templates/site/", SITE, [
        ('for directory in (staged.docs_dir, project.templates / "site"):', "for directory in (staged.docs_dir,):"),
    ], ["tests/test_build.py::test_editing_the_site_theme_rebuilds_the_site"]),
    Mutation("yaml-vertaling-weg", "Dutch translation of one YAML error removed", "publisher/yamlfile.py", [
        ("""    (("mapping keys are not allowed here",), "een waarde mag niet met '? ' beginnen", QUOTE_HINT, "problem"),\n""",
         ""),
    ], ["tests/test_bad_input.py::test_every_dutch_yaml_message_has_a_corpus_case"]),
    Mutation("yaml-vertaling-anders", "a YAML translation reworded without its corpus case", "publisher/yamlfile.py", [
        ('"een lijst tussen [ ] is niet goed afgesloten"', '"een lijst is niet goed afgesloten"'),
    ], ["tests/test_bad_input.py::test_every_dutch_yaml_message_has_a_corpus_case"]),
    Mutation("ankers-toegestaan", "YAML anchors/aliases accepted (billion laughs)", "publisher/yamlfile.py", [
        ('if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):', "if False:"),
    ], ["tests/test_indicators.py::test_billion_laughs_is_refused_before_expansion"]),
    Mutation("geen-dieptegrens", "no nesting limit", "publisher/yamlfile.py", [
        ("    if depth > MAX_DEPTH:", "    if False:"),
    ], ["tests/test_indicators.py::test_deep_nesting_is_refused"]),
    Mutation("voettekst-zonder-editie", "edition dropped from the footer", "publisher/pages.py", [
        ('html_text(f"© {site.year} {site.organisation} · editie {site.edition}")', 'html_text(f"© {site.year} {site.organisation}")'),
    ], ["tests/test_site.py::test_every_page_prints_the_edition_in_its_footer_and_on_paper"]),
    Mutation("downloads-zonder-editie", "edition dropped from the downloads page", "templates/pages/downloads.md.j2", [
        (" Editie {{ config.edition }}.", ""),
    ], ["tests/test_site.py::test_downloads_page_lists_every_sheet_with_size_and_edition"]),
    Mutation("reflectievragen-voorin", "reflection page first in its chapter (chapter no longer leads to it)",
             "publisher/structure.py", [
        ("    at = pages.index(reflection_page(school_type.id)) + 1\n    return pages[:at] + [form_page(school_type.id)] + pages[at:]",
         "    pages.remove(reflection_page(school_type.id))\n    return [reflection_page(school_type.id), form_page(school_type.id)] + pages"),
    ], ["tests/test_site.py::test_chapters_link_to_their_reflection_questions_and_downloads"]),
    Mutation("vraag-id-hernoemd", "a published question id renamed", "indicators/go.yaml", [
        ("- id: escalaties-nemen-af\n", "- id: escalaties-afname\n"),
    ], ["tests/test_site.py::test_published_question_addresses_still_point_at_their_question"]),
    Mutation("voorbeeld-wacht-op-bladen", "live preview renders the sheets before showing the page", "publisher/serve.py", [
        ("output=output, render_sheets=False,", "output=output, render_sheets=True,"),
    ], ["tests/test_build.py::test_serve_picks_up_yaml_change_and_survives_bad_input"]),
    Mutation("bronkopie-aangepast", "tests/fixtures/source.txt edited so that it drifts from ../shared",
             "tests/fixtures/source.txt", [
        ("door iets kostbaars:", "door iets heel kostbaars:"),
    ], ["tests/test_content_fidelity.py::test_source_copy_matches_shared_seed"]),
    Mutation("zoekvraag-lege-pagina", "a search expectation that matches anything (empty page)",
             "tests/fixtures/zoekvragen.yaml", [
        ("{zoek: kerstconcert, paginas: [bo/resultaten/]", "{zoek: kerstconcert, paginas: ['']"),
    ], ["tests/test_search.py::test_every_expected_page_is_a_page_of_the_site"]),
    # The sheets (issue 14, after the sheet rewrite of issue 9).
    Mutation("pdf-datum-van-vandaag", "PDF dates from today at midnight instead of the edition", "publisher/sheets.py", [
        ("    return datetime(publication.config.year, 1, 1, tzinfo=timezone.utc)",
         "    return datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)"),
    ], ["tests/test_sheet_guarantees.py::test_pdf_dates_and_xmp_metadata_are_the_editions_date"]),
    Mutation("cache-negeert-weasyprint", "render cache key ignores the WeasyPrint version", "publisher/sheets.py", [
        ('    digest.update(f"weasyprint {metadata.version(\'weasyprint\')}\\n".encode())\n', ""),
    ], ["tests/test_sheet_guarantees.py::test_render_cache_key_covers_weasyprint_stylesheet_templates_and_fonts"]),
    Mutation("cache-negeert-lettertypen", "render cache key ignores the fonts", "publisher/sheets.py", [
        ('(project.templates / "sheets").rglob("*")', '(project.templates / "sheets").glob("*")'),
    ], ["tests/test_sheet_guarantees.py::test_render_cache_key_covers_weasyprint_stylesheet_templates_and_fonts"]),
    Mutation("antwoorden-andere-volgorde", "answer options printed in another order", "publisher/sheets.py", [
        ('"answers": [{"id": answer_id, "label": label} for answer_id, label in config.answer_options()],',
         '"answers": [{"id": answer_id, "label": label} for answer_id, label in sorted(config.answer_options())],'),
    ], ["tests/test_sheet_guarantees.py::test_answer_scale_is_printed_in_the_configured_order_at_every_question"]),
    Mutation("vraag-als-html-in-blad", "a question rendered with |safe in the sheet template", "templates/sheets/reflectieblad.html.j2", [
        ("</span> {{ question.text }}</p>", "</span> {{ question.text | safe }}</p>"),
    ], ["tests/test_hostile_input.py::test_pdf_sheet_shows_payload_as_text"]),
    Mutation("qr-naar-beginpagina", "the QR code points at the site root", "publisher/sheets.py", [
        ("    return f\"{publication.config.base_url}{reflection_page(school_type.id).removesuffix('.md')}/\"",
         "    return publication.config.base_url"),
    ], ["tests/test_sheet_guarantees.py::test_qr_code_decodes_to_the_school_types_reflection_page"]),
    Mutation("huisstijl-contrast-niet-gecontroleerd", "a house colour too light for white text is accepted",
             "publisher/validate.py", [
        ("        if ratio < MINIMUM_CONTRAST:", "        if False:"),
    ], ["tests/test_example_publication.py::test_low_contrast_house_colour_is_refused_in_dutch"]),
    Mutation("sjablonen-uit-project", "--project takes the templates from the project, not the tool",
             "publisher/project.py", [
        ('        return self.tool_root / "templates"', '        return self.root / "templates"'),
    ], ["tests/test_example_publication.py::test_project_keeps_the_tool_files_apart"]),
    Mutation("huisstijl-niet-op-de-site", "the house style's stylesheet is not linked from the pages",
             "publisher/pages.py", [
        ('        config["extra_css"] = list(config.get("extra_css", [])) + [HOUSE_STYLE_SHEET]\n', ""),
    ], ["tests/test_example_publication.py::test_example_site_has_the_house_style"]),
    # Issue 18: one root fix per class.
    Mutation("regeleinde-in-melding", "problems printed with the editor's line breaks as they are", "publisher/escaping.py", [
        ("    if not any(_shown_as_escape(c) for c in text):\n        return text",
         "    if True:\n        return text"),
    ], ["tests/test_editor_text.py::test_a_problem_is_one_line_plus_its_hint_whatever_the_editor_wrote"]),
    Mutation("geen-bewaker-in-actions", "stdout/stderr not guarded in GitHub Actions", "publisher/github.py", [
        ("    if not in_github_actions():\n        yield\n        return", "    if True:\n        yield\n        return"),
    ], ["tests/test_editor_text.py::test_guard_defuses_every_line_github_would_execute"]),
    Mutation("escape-codes-niet-gecontroleerd", "hidden characters written as YAML escapes pass", "publisher/yamlfile.py", [
        ("        if hidden is not None:", "        if False:"),
    ], ["tests/test_bad_input.py::test_bad_input_gives_dutch_message"]),
    Mutation("word-titel-niet-ingekort", "Word properties longer than 255 characters", "publisher/escaping.py", [
        ("    if len(text) > OFFICE_PROPERTY_LIMIT:", "    if False:"),
    ], ["tests/test_editor_text.py::test_office_properties_fit_words_limit"]),
    Mutation("mailto-als-markdown", "contact address as a Markdown autolink of Markdown-escaped text (the bug of issue 18)",
             "templates/pages/toegankelijkheid.md.j2", [
        ("[{{ config.accessibility.contact }}]({{ config.accessibility.contact | mailto }})",
         "<{{ config.accessibility.contact }}>"),
    ], ["tests/test_editor_text.py::test_contact_address_is_linked_and_shown_as_typed"]),
    Mutation("argparse-engels", "argparse's English messages", "publisher/cli.py", [
        ("        raise _UsageError(_dutch_usage_message(message))", "        super().error(message)"),
    ], ["tests/test_faults.py::test_command_line_mistakes_are_answered_in_dutch"]),
    Mutation("cache-niet-hersteld", "a file where a .cache folder belongs is left there", "publisher/unchanged.py", [
        ("            repair_work_dir(project)\n", ""),
    ], ["tests/test_faults.py::test_files_where_the_cache_folders_belong_are_replaced"]),
    Mutation("source-date-epoch-niet-gecontroleerd", "an invalid SOURCE_DATE_EPOCH passes check", "publisher/validate.py", [
        ("    problems += environment_problems()", "    problems += []"),
    ], ["tests/test_faults.py::test_invalid_source_date_epoch_is_refused_in_dutch"]),
    Mutation("een-markdown-motor-voor-alle-draden", "one Markdown engine shared by the preview's threads",
             "publisher/site_check.py", [
        ("_ENGINES = threading.local()", '_ENGINES = type("Shared", (), {})()'),
    ], ["tests/test_preview.py::test_rebuilds_and_sheet_renders_at_the_same_time_find_no_false_problem"]),
    Mutation("windows-regeleinden-geweigerd", "CRLF line endings kept in the text (U+000D refused)", "publisher/sources.py", [
        ('return text.replace("\\r\\n", "\\n"), []', "return text, []"),
    ], ["tests/test_bad_input.py::test_windows_line_endings_and_byte_order_mark_give_the_same_messages"]),
    Mutation("geen-foutbalk-in-voorbeeld", "the preview shows no banner while the input is broken", "publisher/serve.py", [
        ("        body = _BODY.search(content) if banner else None", "        body = None"),
    ], ["tests/test_preview.py::test_preview_shows_the_change_then_the_mistake_then_the_fix"]),
    Mutation("eerste-yaml-fout-alleen", "check stops at the first YAML syntax error of a file", "publisher/yamlfile.py", [
        ("        if line is None or len(problems) >= limit or", "        if True or line is None or len(problems) >= limit or"),
    ], ["tests/test_pull_request.py::test_every_mistake_of_every_file_in_one_run"]),
    Mutation("voettekst-dubbel-geescaped", "the footer escapes the pre-escaped title again (screen readers hear '&amp;')",
             "templates/site/partials/footer.html", [
        ('aria-label="{{ direction }}: {{ page.next_page.title }}"', 'aria-label="{{ direction }}: {{ page.next_page.title | e }}"'),
    ], ["tests/test_browser.py::test_screen_readers_get_names_escaped_once"]),
    Mutation("altijd-meervoud", "counts always in the plural ('1 vragen')", "publisher/dutch.py", [
        ('return f"{number} {singular if number == 1 else plural}"', 'return f"{number} {plural}"'),
    ], ["tests/test_dutch.py::test_one_question_is_one_vraag_in_what_the_build_says"]),
    Mutation("zoekvenster-reset", "the search window's clear button in English again", "publisher/search.py", [
        ('    "clear_search": "Wissen",', ""),
    ], ["tests/test_search.py::test_search_window_has_no_english"]),
    Mutation("hoofdstuk-zonder-hulpmiddelen", "a chapter's first page without the way to its tools", "publisher/pages.py", [
        ("        if path in first_pages:", "        if False:"),
    ], ["tests/test_tools_reachable.py::test_chapter_and_reflection_pages_link_form_and_both_sheets"]),
    Mutation("word-nr-smal", "the Word sheet's number column too narrow for 'Nr.'", "publisher/exports.py", [
        ('    number = _heading_column(texts["number"], 1.3)\n    if form.kind == "keuze":\n        answers',
         '    number = round(1.0 * _TWIPS_PER_CM)\n    if form.kind == "keuze":\n        answers'),
    ], ["tests/test_exports.py::test_docx_tables_read_well"]),
    # issue 21 point 3: paper and screen as one (the online form's PDF actions)
    Mutation("pdf-radio-niet-gelezen", "a filled sheet's chosen answers are not read into the form",
             "templates/site/assets/javascripts/reflectie-pdf.js", [
        ("if (on.length === 1) return on[0]", "if (on.length === 1) return null"),
    ], ["tests/test_form_pdf.py::test_a_sheet_filled_in_a_pdf_tool_opens_in_the_online_form"]),
    Mutation("pdf-toelichting-in-verkeerd-vak", "every note written into the first question's notes field of the sheet",
             "templates/site/assets/javascripts/reflectie-pdf-logica.js", [
        ('if (item.note) values.push({ name: item.note,', 'if (item.note) values.push({ name: sheet.items[0].note,'),
    ], ["tests/test_form_pdf.py::test_the_online_answers_download_as_a_filled_sheet_that_every_reader_shows"]),
    Mutation("pdf-ander-blad-geopend", "a sheet of another instrument is opened (everything emptied) instead of refused",
             "templates/site/assets/javascripts/reflectie-pdf-logica.js", [
        ("  if (!matched) {", "  if (false) {"),
    ], ["tests/test_form_pdf.py::test_other_files_are_refused_in_dutch_and_change_nothing"]),
    Mutation("pdf-lib-altijd-geladen", "pdf-lib loaded with every form page instead of on use",
             "templates/site/assets/javascripts/reflectie-pdf.js", [
        ('import * as sheetLogic from "./reflectie-pdf-logica.js"',
         'import "./vendor/pdf-lib/pdf-lib.esm.min.js"\nimport * as sheetLogic from "./reflectie-pdf-logica.js"'),
    ], ["tests/test_form_pdf.py::test_a_sheet_filled_in_a_pdf_tool_opens_in_the_online_form"]),
]


def shared_dir() -> Path | None:
    """The shared sources: beside this clone, or beside the main clone of a `git worktree`."""
    candidates = [ROOT.parent / "shared"]
    common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                            capture_output=True, text=True).stdout.strip()
    if common:
        candidates.append(Path(common).parent.parent / "shared")
    return next((path for path in candidates if path.is_dir()), None)


def run_tests(copy: Path, tests: list[str], stop_at_first: bool = True) -> tuple[int, str, float]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(["-x"] if stop_at_first else []), *tests]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=copy, capture_output=True, text=True, env=env, timeout=1200)
    except subprocess.TimeoutExpired as exc:
        return -1, f"time-out: {exc}", time.perf_counter() - started
    return result.returncode, result.stdout + result.stderr, time.perf_counter() - started


def failed_tests(output: str) -> list[str]:
    """The failed tests; an error in a fixture (e.g. the session's build) is marked as such."""
    return [match.group(2) + (" (fout in de opzet)" if match.group(1) == "ERROR" else "")
            for match in re.finditer(r"^(FAILED|ERROR) (\S+)", output, re.MULTILINE)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only this mutation (by name; repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the unchanged copy")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    if args.list or not chosen:
        for m in MUTATIONS:
            print(f"{m.name:30} {m.file:34} {m.what}")
        return 0 if args.list else 2

    with tempfile.TemporaryDirectory(prefix="mutaties-") as temporary:
        copy = Path(temporary) / "repo"
        shutil.copytree(ROOT, copy, ignore=ignore)
        shared = shared_dir()
        if shared:
            (Path(temporary) / "shared").symlink_to(shared, target_is_directory=True)
        print(f"kopie: {copy}{'' if shared else ' (zonder ../shared)'}", flush=True)

        if not args.no_baseline:
            tests = sorted({test for m in chosen for test in m.tests})
            code, output, seconds = run_tests(copy, tests, stop_at_first=False)
            if code != 0:
                print(output[-4000:])
                print(f"✗ de genoemde tests slagen niet op de onveranderde kopie (code {code}); eerst dat oplossen")
                return 2
            print(f"• nulmeting: {len(tests)} tests geslaagd ({seconds:.0f} s)", flush=True)

        rows = []
        for m in chosen:
            target = copy / m.file
            original = target.read_text(encoding="utf-8")
            text = original
            stale = [old for old, _ in m.edits if text.count(old) != 1]
            if stale:
                rows.append((m, "verouderd", f"tekst niet precies één keer gevonden: {stale[0][:60]!r}", 0.0))
                print(f"• {m.name}: verouderd", flush=True)
                continue
            for old, new in m.edits:
                text = text.replace(old, new)
            target.write_text(text, encoding="utf-8")
            try:
                code, output, seconds = run_tests(copy, m.tests)
            finally:
                target.write_text(original, encoding="utf-8")
            if code == 1:
                status, detail = "gevangen", ", ".join(failed_tests(output)) or "?"
            elif code == 0:
                status, detail = "GEMIST", "alle genoemde tests slaagden"
            else:
                status, detail = "fout", f"pytest gaf code {code}: {output.strip().splitlines()[-1:] or ''}"
            rows.append((m, status, detail, seconds))
            print(f"• {m.name}: {status} ({seconds:.0f} s)", flush=True)

    print()
    print("| mutatie | wat | resultaat | gevangen door | s |")
    print("| --- | --- | --- | --- | --- |")
    for m, status, detail, seconds in rows:
        print(f"| {m.name} | {m.what} | {status} | {detail.replace('|', '/')} | {seconds:.0f} |")
    missed = [m.name for m, status, _, _ in rows if status != "gevangen"]
    print()
    print(f"{len(rows) - len(missed)} van {len(rows)} mutaties gevangen" + (f"; niet: {', '.join(missed)}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
