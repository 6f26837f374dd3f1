"""The page Toegankelijkheid (an accessibility statement in the Dutch model's form) names
only checks that exist: the tests marked `toegankelijkheid`, read by the build
(publisher/accessibility.py). Here: every marked test is a real, collected test; the
built page shows exactly those checks with their tool versions; removing a marker
removes the claim; the contact route comes from site_config.yaml."""

from __future__ import annotations

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


def test_statement_page_lists_exactly_the_marked_checks(site_dir) -> None:
    expected = statement(Project.at(ROOT)).checks
    root = lxml.html.fromstring((site_dir / "toegankelijkheid" / "index.html").read_bytes())
    items = root.xpath("//article//div[contains(@class, 'controles')]/ul/li")
    assert [item.xpath(".//code")[0].text_content() for item in items] == [check.test for check in expected]
    versions = locked_versions(ROOT / "requirements.lock")
    axe = next(" ".join(item.text_content().split()) for item in items if "axe-core" in item.text_content())
    assert f"hulpmiddel: axe-core (via axe-playwright-python {versions['axe-playwright-python']})" in axe
    text = root.text_content()
    assert "https://kc-r.nl/kunstpakt" in text  # the contact route of site_config.yaml
    assert "Bekende beperkingen" in text and "WCAG-EM" in text


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
