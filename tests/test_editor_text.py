"""Issue 18: nothing an editor writes (YAML or Markdown text, ids, file names) can forge
GitHub Actions output, and editor text is escaped for each place it lands outside HTML.

The expectations here are written out by hand from GitHub's runner rules (a line is a
workflow command when, after leading whitespace, it starts with '::', or when it holds
'##[' anywhere; lines end at LF, CR or CR LF), not derived from publisher.github.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_project

# Every workflow command GitHub knows (current and deprecated), plus the old '##[' syntax.
COMMANDS = ["debug", "notice", "warning", "error", "group", "endgroup", "add-mask", "stop-commands", "echo",
            "set-output", "set-env", "add-path", "save-state", "add-matcher", "remove-matcher"]
OWN_ANNOTATION = re.compile(r"::(error|warning) file=[^,:\r\n]+(,line=[0-9]+)?,title=Controle%3A (fout|waarschuwing)::\S.*")


def runner_lines(data: bytes) -> list[str]:
    """The lines as GitHub's runner reads them from a step's output."""
    return re.split(r"\r\n|\r|\n", data.decode("utf-8"))


def executed(line: str) -> bool:
    return line.lstrip().startswith("::") or "##[" in line


def hostile(command: str) -> str:
    return f"::{command} file=x,line=1::nep %0A%25 ::{command}::"


def _hostile_text(project: Path) -> int:
    """Workflow commands in YAML text: double-quoted escapes (LF, CR), block style, an id."""
    bo = project / "indicators" / "bo.yaml"
    text = bo.read_text(encoding="utf-8")
    lines = "\\n".join(hostile(c) for c in COMMANDS[:8])
    more = "\\r\\n".join(hostile(c) for c in COMMANDS[8:])
    text = text.replace("tekst: Ervaren leerlingen herkenning?", f'tekst: "Ervaren\\n{lines}\\n##[error]oud"')
    text = text.replace("tekst: Zijn eigenaarschap en presentatiedurf zichtbaar?",
                        "tekst: |-\n              Zijn eigenaarschap\n              ::stop-commands::tok\n"
                        "                ::add-mask::geheim\n              ::tok::")
    bo.write_text(text, encoding="utf-8")
    go = project / "indicators" / "go.yaml"
    go.write_text(go.read_text(encoding="utf-8").replace("id: escalaties-nemen-af\n", 'id: "escalaties\\r::set-output::x"\n'),
                  encoding="utf-8")
    glossary = project / "content" / "begrippen.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        '    uitleg: "Leerkracht of medewerker', '    uitleg: "' + more + '\\r\\nLeerkracht'), encoding="utf-8")
    config = project / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "organisatie: Kenniscentrum Cultuuronderwijs Rotterdam (KCR)",
        'organisatie: "KCR\\n::warning::nep 100%"'), encoding="utf-8")
    return 4  # at least: two warnings (no question mark), the id, the glossary's CR


def _hostile_file_names(project: Path) -> int:
    """Workflow commands in file names, with LF, CR, '::' and '%'; the YAML stays valid."""
    page = "# Pagina\n\nTekst.\n"
    for index, command in enumerate(COMMANDS):
        breaker = "\n" if index % 2 else "\r"
        (project / "content" / f"p{index}{breaker}::{command}::x%0A.md").write_text(page, encoding="utf-8")
    (project / "content" / "  ::error::begint met spaties.md").write_text(page, encoding="utf-8")
    (project / "indicators" / "x\n::add-mask::y.yaml").write_text("id: x\n", encoding="utf-8")
    return len(COMMANDS) + 2


@pytest.mark.parametrize("inject", [_hostile_text, _hostile_file_names], ids=["tekst", "bestandsnamen"])
def test_check_in_github_actions_writes_no_forged_workflow_command(inject, tmp_path) -> None:
    project = copy_project(tmp_path / "project")
    at_least = inject(project)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_ACTIONS": "true", "CI": "true",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    env.pop("GITHUB_BASE_REF", None)
    result = subprocess.run([sys.executable, "-c", "import sys; from publisher.cli import main; "
                             "sys.exit(main(['check'], root=sys.argv[1]))", str(project)],
                            capture_output=True, env=env, timeout=300)
    assert result.returncode == 1
    stdout, stderr = runner_lines(result.stdout), runner_lines(result.stderr)
    assert "Traceback" not in result.stderr.decode()

    commands = [line for line in stdout + stderr if executed(line)]
    forged = [line for line in commands if not OWN_ANNOTATION.fullmatch(line)]
    assert not forged, forged
    assert all(line in stdout for line in commands), "annotaties alleen op stdout"
    # One annotation per problem: the problems on stderr are one line each (plus their hint).
    problems = [line for line in stderr if re.match(r"^\S.*?(:[0-9]+)?: (fout|waarschuwing): ", line)]
    assert len(commands) == len(problems) >= at_least, (commands, problems)
    # The editor's text is there, as text, on the problem's line: line breaks as \n and \r.
    shown = result.stderr.decode()
    if inject is _hostile_text:
        assert "'escalaties\\r::set-output" in shown and "'Zijn eigenaarschap\\n::stop-commands::tok" in shown
    else:
        assert "content/p1\\n::notice::x%0A.md: fout:" in shown and "content/p0\\r::debug::x%0A.md: fout:" in shown


@pytest.mark.parametrize("writes", [
    ["::error::nep\n"],
    ["::", "add-mask::geheim\n"],
    ["tekst\r::stop-commands::tok\n"],
    ["  \t::warning::ingesprongen\n"],
    ["\u2003::notice::brede spatie\n"],
    ["vooraf ##[error]oud\n"],
    ["goed\n::set-output name=a::b"],  # no line end: written when the stream closes
])
def test_guard_defuses_every_line_github_would_execute(writes, monkeypatch) -> None:
    """Root fix: in GitHub Actions stdout and stderr pass a guard. Whatever prints there (a
    forgotten print, a library's log), a line GitHub would execute comes out as text."""
    from publisher.github import guarded_output

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    with guarded_output():
        for text in writes:
            sys.stderr.write(text)
            sys.stdout.write(text)
            sys.stderr.flush()
    for stream in (out, err):
        lines = re.split(r"\r\n|\r|\n", stream.getvalue())
        assert not [line for line in lines if executed(line)], lines
        assert re.sub(r"[\s#]", "", "".join(writes)) == re.sub(r"[\s#›]", "", stream.getvalue()), "tekst blijft staan"


WORKER_PRINTS = """
from concurrent.futures import ProcessPoolExecutor
from publisher.github import guarded_output
from publisher.sheet_render import worker_context, worker_start
with guarded_output():
    with ProcessPoolExecutor(1, initializer=worker_start, mp_context=worker_context()) as pool:
        pool.submit(exec, "print('tekst\\\\r::error::nep', flush=True)").result()
        pool.submit(exec, "import sys; print('::add-mask::geheim', file=sys.stderr, flush=True)").result()
"""


def test_a_sheet_worker_passes_the_same_guard(tmp_path) -> None:
    """Sheet workers are started by multiprocessing's fork server: they do not share the build's
    guarded sys.stdout and sys.stderr but write to the file descriptors. Their start-up installs
    the guard too, so whatever a worker prints (a library's message) is never executed."""
    environment = {**os.environ, "GITHUB_ACTIONS": "true", "PYTHONPATH": str(ROOT), "TMPDIR": "/tmp"}
    result = subprocess.run([sys.executable, "-c", WORKER_PRINTS], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    for stream in (result.stdout, result.stderr):
        lines = re.split(r"\r\n|\r|\n", stream)
        assert not [line for line in lines if executed(line)], lines
    assert "error::nep" in result.stdout and "add-mask::geheim" in result.stderr, (result.stdout, result.stderr)


def test_guard_lets_the_tools_own_annotations_through(monkeypatch) -> None:
    from publisher.github import guarded_output, write_annotations
    from publisher.problems import error

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with guarded_output():
        write_annotations([error("indicators/bo.yaml", 3, "tekst\n::error::nep")], sys.stdout)
    assert out.getvalue() == "::error file=indicators/bo.yaml,line=3,title=Controle%3A fout::tekst%0A::error::nep\n"


def test_a_problem_is_one_line_plus_its_hint_whatever_the_editor_wrote() -> None:
    """Root fix: file name, message and hint of a problem show control characters as escapes."""
    from publisher.problems import error

    problem = error("content/a\n::error::b.md", 4, "de vraag 'x\r\n::add-mask::y\u2028z\x1b[2J' …",
                    "Doe iets\n::warning::nep")
    text = str(problem)
    assert text == ("content/a\\n::error::b.md:4: fout: de vraag 'x\\r\\n::add-mask::y\\u2028z\\x1b[2J' …\n"
                    "    → Doe iets\\n::warning::nep")


# ------------------------------------------------------------------ escaping per destination


def _rendered(project: Path, path: str) -> str:
    from publisher.pages import staged_pages
    from publisher.project import Project
    from publisher.site_check import planned_downloads, render_page
    from publisher.validate import load_publication

    loaded = load_publication(Project.at(project))
    assert loaded.publication is not None, [str(p) for p in loaded.errors]
    downloads, exports = planned_downloads(Project.at(project), loaded.publication)
    staged = staged_pages(Project.at(project), loaded.publication, loaded.pages, downloads, exports)
    page = next(p for p in staged if p.path == path)
    return render_page(Project.at(project), page).html


@pytest.mark.parametrize("contact, href", [
    ("toegankelijkheid_meldingen@kc-r.nl", "mailto:toegankelijkheid_meldingen@kc-r.nl"),
    ("a+b.c_d@kc-r.nl", "mailto:a+b.c_d@kc-r.nl"),
    ("https://kc-r.nl/melden_hier/", "https://kc-r.nl/melden_hier/"),
])
def test_contact_address_is_linked_and_shown_as_typed(contact, href, tmp_path) -> None:
    """A contact address is a link target (percent-encoding), not Markdown text (character references)."""
    import lxml.html

    project = copy_project(tmp_path / "project")
    config = project / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("contact: https://kc-r.nl/kunstpakt",
                                                                  f"contact: {contact}"), encoding="utf-8")
    tree = lxml.html.fromstring(_rendered(project, "toegankelijkheid.md"))
    links = [a for a in tree.iter("a") if a.text_content() == contact]
    assert len(links) == 1, lxml.html.tostring(tree, encoding="unicode")[:2000]
    assert links[0].get("href") == href


def test_office_properties_fit_words_limit(tmp_path) -> None:
    """Root fix: every Word/Excel property goes through one function (one line, at most 255
    characters); a long site title plus a long school-type name, each within its limit, fit."""
    import docx
    import openpyxl

    from publisher import exports
    from publisher.project import Project
    from publisher.repository import Revision
    from publisher.validate import load_publication

    project = copy_project(tmp_path / "project")
    title, name = "T" * 190 + " titel", "Basisonderwijs " + "n" * 180
    config = project / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("titel: Impactonderzoek KunstPakt CmK3", f"titel: {title}"),
                      encoding="utf-8")
    bo = project / "indicators" / "bo.yaml"
    bo.write_text(bo.read_text(encoding="utf-8").replace("naam: Basisonderwijs\n", f"naam: {name}\n"), encoding="utf-8")
    loaded = load_publication(Project.at(project))
    assert loaded.publication is not None, [str(p) for p in loaded.errors]
    publication = loaded.publication
    school_type = publication.instrument("bo")
    document = docx.Document(io.BytesIO(exports.export_docx(Project.at(project), publication, school_type, Revision(None))))
    expected = f"Reflectievragen {name[:1].lower()}{name[1:]} (bo) – {title}"
    assert len(expected) > 255
    assert document.core_properties.title == expected[:254].rstrip() + "…"
    book = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(Project.at(project), publication, [school_type],
                                                                 Revision(None))))
    assert book.properties.subject == title


def test_office_property_and_single_line() -> None:
    from publisher.escaping import office_property, single_line

    assert single_line("a\n\tb\r\n  c\x1b\u202ed") == "a b cd"
    assert office_property("x" * 255) == "x" * 255
    assert office_property("x" * 256) == "x" * 254 + "…"
    assert office_property("regel 1\nregel 2") == "regel 1 regel 2"
