"""Issue 18, property: for generated editor input (strings from a hostile alphabet in every
text field) `check` and `build` agree. Either both refuse, with the same problems on the same
lines, or both succeed and the build writes every output (site, both sheets per school type,
every export). Hypothesis, derandomized (the same examples every run), few examples: each
successful one is a real build.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import copy_project, run_cli, seed_pdf_cache

pytestmark = pytest.mark.slow

# Pieces that broke something once or that mean something somewhere: workflow commands, percent
# escapes, Markdown/HTML/shortcode syntax, YAML-ish punctuation, control characters (written by
# yaml.safe_dump as escapes like "\e" and "\v"), bidi and invisible characters, line separators,
# astral characters, long runs (Word's 255-character title).
PIECES = ["Vraag", " ", "?", "\n", "\r", "\t", ":", "::", "%", "%0A", "#", "##[", "<b>", "&", "*", "_", "[", "]", "{",
          "}", "|", "\\", '"', "'", "\v", "\x1b", "\u202e", "\u200b", "\x85", "\u2028", "é", "😀", "::error::",
          "::add-mask::", "::stop-commands::", "`", "- ", "{{< downloads bo >}}", "x" * 90]
hostile_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)

# (file, path in the YAML data) of every kind of editor text.
FIELDS = [
    ("site_config.yaml", ("titel",)),
    ("site_config.yaml", ("organisatie",)),
    ("site_config.yaml", ("toegankelijkheid", "bekende_beperkingen", 0)),
    ("indicators/bo.yaml", ("naam",)),
    ("indicators/bo.yaml", ("afkorting",)),
    ("indicators/bo.yaml", ("inleiding",)),
    ("indicators/bo.yaml", ("secties", 0, "titel")),
    ("indicators/bo.yaml", ("secties", 0, "secties", 0, "titel")),
    ("indicators/bo.yaml", ("secties", 0, "secties", 0, "items", 0, "tekst")),
    ("indicators/bo.yaml", ("impactthemas", 0, "titel")),
    ("indicators/bo.yaml", ("impactthemas", 0, "tekst")),
    ("indicators/bo.yaml", ("aanbevelingen", 0, "titel")),
    ("indicators/bo.yaml", ("aanbevelingen", 0, "tekst")),
    ("content/begrippen.yaml", ("begrippen", 0, "uitleg")),
]
# None: the field keeps its value, so some examples have only a few hostile fields.
field_values = st.fixed_dictionaries({index: st.one_of(st.none(), hostile_text) for index in range(len(FIELDS))})

PRINTABLE = "::error file=x,line=1::nep %0A%25 ##[warning] <b>&amp; *_[x]_* {{< downloads bo >}} | `::add-mask::`?"
LONG = "Lange titel " + "t" * 180  # each within its limit, together longer than Word's 255 characters


def put(project: Path, values: dict[int, str | None]) -> None:
    for file in sorted({file for file, _ in FIELDS}):
        path = project / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, (field_file, location) in enumerate(FIELDS):
            if field_file != file or values.get(index) is None:
                continue
            target = data
            for key in location[:-1]:
                target = target[key]
            target[location[-1]] = values[index]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


ERROR = re.compile(r"^(.+?): fout: (.*)$", re.MULTILINE)


def errors(output: str) -> set[str]:
    return {match.group(0) for match in ERROR.finditer(output)}


def assert_everything_written(project: Path) -> None:
    site = project / "site"
    assert (site / "index.html").is_file()
    for type_id in ("bo", "go", "vo-mbo"):
        assert (site / type_id / "reflectievragen" / "index.html").is_file()
        for suffix in ("docx", "xlsx", "csv", "json"):
            assert (site / "downloads" / f"reflectievragen-{type_id}.{suffix}").stat().st_size > 0
    pdfs = sorted((site / "downloads").glob("*.pdf"))
    assert len(pdfs) == 6 and all(p.read_bytes().startswith(b"%PDF-") for p in pdfs), pdfs
    for suffix in ("xlsx", "csv", "json"):
        assert (site / "downloads" / f"reflectievragen.{suffix}").stat().st_size > 0


@settings(max_examples=4, derandomize=True, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=field_values)
@example(values={index: PRINTABLE for index in range(len(FIELDS))} | {1: "KCR " + PRINTABLE, 4: "bo::x%"})
@example(values={0: LONG, 3: "Basisonderwijs " + "n" * 180})
@example(values={8: "Vraag\v?", 0: "Titel\x1b[31m", 6: "Wat\u202e"})
def test_check_and_build_agree(values, built_project) -> None:
    with tempfile.TemporaryDirectory(prefix="eens-") as folder:
        project = copy_project(Path(folder) / "project")
        seed_pdf_cache(built_project, project)
        put(project, values)
        check_code, check_output = run_cli(["check"], project)
        build_code, build_output = run_cli(["build"], project)
        assert "Traceback" not in check_output + build_output
        assert check_code in (0, 1) and build_code in (0, 1), (check_output, build_output)
        if check_code == 1:
            assert build_code == 1, build_output
            assert errors(check_output) and errors(check_output) == errors(build_output), (check_output, build_output)
            assert not (project / "site").exists()
        else:
            assert build_code == 0, f"check slaagde, de bouw niet:\n{build_output}"
            assert_everything_written(project)
