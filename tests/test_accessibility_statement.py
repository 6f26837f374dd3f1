"""The page Toegankelijkheid (an accessibility statement in the Dutch model's form) names
only checks that exist: the tests marked `toegankelijkheid`, read by the build
(publisher/accessibility.py). Here: every marked test is a real, collected test; the
built page shows exactly those checks with their tool versions; removing a marker
removes the claim; the contact route comes from site_config.yaml."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import lxml.html
import pytest

from conftest import ROOT
from publisher.accessibility import locked_versions, marked_checks, statement
from publisher.project import Project


def test_every_claimed_check_is_a_test_that_pytest_runs() -> None:
    checks = marked_checks(ROOT / "tests", {})
    assert len(checks) >= 8
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
                                *[check.test for check in checks]], cwd=ROOT, capture_output=True, text=True)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    names = {line.split("[")[0] for line in collected.stdout.splitlines() if "::" in line}
    assert {check.test for check in checks} <= names


def _statement_items(site_dir):
    root = lxml.html.fromstring((site_dir / "toegankelijkheid" / "index.html").read_bytes())
    return root, root.xpath("//article//div[contains(@class, 'controles')]/ul/li")


def test_statement_page_lists_exactly_the_marked_checks(site_dir) -> None:
    expected = statement(Project.at(ROOT)).checks
    root, items = _statement_items(site_dir)
    assert [" ".join(item.xpath("./p")[0].text_content().split()) for item in items] == [check.what for check in expected]
    versions = locked_versions(ROOT / "requirements.lock")
    texts = [" ".join(item.text_content().split()) for item in items]
    # axe-core is the vendored copy the tests inject; its version is on its first line ("/*! axe v4.14.1")
    axe_version = re.match(r"/\*! axe v(\S+)", (ROOT / "tests/vendor/axe-core/axe.min.js").read_text(encoding="utf-8"))[1]
    axe = [text for text in texts if "axe-core" in text]
    assert axe and all(f"hulpmiddel: axe-core {axe_version}" in text for text in axe), axe
    chromium = next(text for text in texts if "Chromium" in text)
    assert f"hulpmiddel: Chromium (via playwright {versions['playwright']})" in chromium
    text = root.text_content()
    assert "https://kc-r.nl/kunstpakt" in text  # the contact route of site_config.yaml
    assert "Bekende beperkingen" in text and "WCAG-EM" in text


# Words of which a Dutch sentence of a few words almost always has one.
_DUTCH_WORDS = {"de", "het", "een", "en", "of", "op", "met", "van", "in", "is", "zijn", "heeft", "hebben", "geen", "elke",
                "elk", "bij", "per", "naar", "die", "dat", "wat", "zonder", "onder", "naast", "als", "ook", "niet", "gaan"}
# What a reader must not meet: test functions, files, module paths, snake_case or camelCase names.
_PYTHON_IDENTIFIER = re.compile(r"\btest_\w*|\w+\.py\b|::|\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z]\w*\b")


def test_every_check_is_described_in_dutch_and_the_page_names_no_test(site_dir) -> None:
    """Readers see what was checked in Dutch, not the names of test functions: every marked
    check has a description of its own (a Dutch sentence, no identifier), and the built page
    holds no Python identifier at all."""
    checks = marked_checks(ROOT / "tests", {})
    assert len(checks) >= 8
    for check in checks:
        words = re.findall(r"[a-zà-ÿ]+", check.what.lower())
        assert len(words) >= 4 and _DUTCH_WORDS & set(words), check
        assert not _PYTHON_IDENTIFIER.search(check.what), check
    assert len({check.what for check in checks}) == len(checks), "elke controle heeft een eigen beschrijving"
    root, items = _statement_items(site_dir)
    assert len(items) == len(checks)
    article = root.xpath("//article")[0].text_content()
    found = _PYTHON_IDENTIFIER.findall(article)
    assert not found, found
    for check in checks:
        assert check.test.split("::")[1] not in article


def test_removing_a_marked_test_removes_its_claim(tmp_path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tmp_path / "requirements.lock").write_text("playwright==1.2.3\n", encoding="utf-8")
    source = textwrap.dedent('''
        import pytest

        @pytest.mark.toegankelijkheid("Knoppen hebben een naam", hulpmiddel="Chromium", pakket="playwright", wcag=["4.1.2"])
        def test_buttons(): ...

        def test_other(): ...
    ''')
    (tests / "test_voorbeeld.py").write_text(source, encoding="utf-8")
    checks = statement(Project.at(tmp_path)).checks
    assert [(c.what, c.tool, c.package, c.version, c.wcag, c.test) for c in checks] == [
        ("Knoppen hebben een naam", "Chromium", "playwright", "1.2.3", ("4.1.2",), "tests/test_voorbeeld.py::test_buttons")]
    (tests / "test_voorbeeld.py").write_text(source.replace("@pytest.mark.toegankelijkheid", "# @pytest"), encoding="utf-8")
    assert statement(Project.at(tmp_path)).checks == []


def test_a_marker_without_description_stops_the_build(tmp_path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("import pytest\n\n@pytest.mark.toegankelijkheid()\ndef test_x(): ...\n",
                                                  encoding="utf-8")
    with pytest.raises(ValueError, match="zonder beschrijving"):
        statement(Project.at(tmp_path))
