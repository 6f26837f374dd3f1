"""What the accessibility statement (the page Toegankelijkheid) says was checked.

The statement lists no hand-typed claims: every check on it is a test in tests/
that carries the marker

    @pytest.mark.toegankelijkheid("wat er gecontroleerd wordt", hulpmiddel="axe-core",
                                  pakket="axe-playwright-python", wcag=["1.4.10"])

The build reads these markers from the test files (without importing or running
them), so a check that is removed from the tests disappears from the page, and a new
one appears. The marker's description is what the page says (Dutch, for readers): the
page names no test functions. Tool versions come from requirements.lock, the pinned set
the tests run with, or, for a tool vendored in tests/vendor/<tool>/ (axe-core), from
that copy. `tests/test_accessibility_statement.py` checks that every marked test is
collected by pytest, so the page cannot name a test that does not run, and that every
check has a Dutch description.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .project import Project
from .repository import Revision

MARKER = "toegankelijkheid"
# What the statement reads in tests/: the marked test files and the vendored tools' READMEs
# (their versions). A copy of the project that must give the same statement copies these.
TEST_INPUTS = ("test_*.py", "vendor/*/README.md")


def statement_inputs(tests_dir: Path) -> list[Path]:
    """The files of `tests_dir` the statement is made from (see TEST_INPUTS)."""
    return sorted(file for pattern in TEST_INPUTS for file in tests_dir.glob(pattern) if file.is_file())


@dataclass(frozen=True)
class Check:
    what: str  # Dutch, one sentence
    tool: str  # e.g. "axe-core"
    package: str | None  # the Python package the tool comes in, e.g. "playwright"; None when vendored
    version: str | None  # of that package (requirements.lock), or of the vendored tool
    wcag: tuple[str, ...] = ()  # success criteria, e.g. ("1.4.3", "1.4.10")
    test: str = ""  # "tests/test_browser.py::test_…"


@dataclass(frozen=True)
class Statement:
    checks: list[Check]
    revision: Revision  # the source version the site is built from (its commit and day, when known)


def statement(project: Project, revision: Revision = Revision(None)) -> Statement:
    """`revision`: the source version the site is built from (`repository.source_revision`)."""
    versions = locked_versions(project.requirements_lock)
    checks = sorted(marked_checks(project.tests, versions, vendored_versions(project.tests / "vendor")),
                    key=lambda c: (c.tool.casefold(), c.test))
    return Statement(checks, revision)


def marked_checks(tests_dir: Path, versions: dict[str, str], vendored: dict[str, str] | None = None) -> list[Check]:
    """Every test function in tests/*.py with a `toegankelijkheid` marker, read with `ast`.
    `vendored`: tools copied into tests/vendor/ ({name: version}); such a tool is named with its
    own version, whatever package the marker names."""
    vendored = vendored or {}
    checks: list[Check] = []
    for file in sorted(tests_dir.glob("test_*.py")):
        for test, what, options in _markers(file.read_text(encoding="utf-8"), file.name):
            tool = str(options.get("hulpmiddel", "pytest"))
            package = None if tool.lower() in vendored else options.get("pakket")
            version = vendored.get(tool.lower()) or (versions.get(str(package).lower()) if package else None)
            checks.append(Check(what=what, tool=tool, package=package, version=version,
                                wcag=tuple(options.get("wcag", ())), test=f"tests/{file.name}::{test}"))
    return checks


_VENDORED_PACKAGE = re.compile(r"^- Package: `(?P<name>[^`]+)` (?P<version>\d[\w.-]*)", re.M)


def vendored_versions(vendor_dir: Path) -> dict[str, str]:
    """{package name (lower case): version} of the tools copied into tests/vendor/, from the
    'Package:' line of each copy's README.md."""
    versions: dict[str, str] = {}
    for readme in sorted(vendor_dir.glob("*/README.md")):
        match = _VENDORED_PACKAGE.search(readme.read_text(encoding="utf-8"))
        if match:
            versions[match["name"].lower()] = match["version"]
    return versions


@lru_cache(maxsize=256)
def _markers(text: str, name: str) -> tuple[tuple[str, str, dict], ...]:
    """(test name, what, options) of each marker in the test file `name` that reads `text`.
    Cached per content: a build stages its pages twice (check and site), the live preview many
    times, and parsing the test files is the slow part (reading them is not)."""
    if MARKER not in text:
        return ()
    found = []
    for node in ast.walk(ast.parse(text, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                marker = _marker_arguments(decorator)
                if marker is not None:
                    found.append((node.name, *marker))
    return tuple(found)


def _marker_arguments(decorator: ast.expr) -> tuple[str, dict] | None:
    """("what", {keyword: literal}) for `@pytest.mark.toegankelijkheid("what", …)`, else None."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == MARKER):
        return None
    if not decorator.args:
        raise ValueError(f"@pytest.mark.{MARKER} zonder beschrijving (regel {decorator.lineno})")
    what = ast.literal_eval(decorator.args[0])
    options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in decorator.keywords}
    return " ".join(str(what).split()), options


def locked_versions(lock_file: Path) -> dict[str, str]:
    """{package name (lower case): version} from requirements.lock ('name==version' lines)."""
    versions: dict[str, str] = {}
    if lock_file.is_file():
        for line in lock_file.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line)
            if match:
                versions[match[1].lower().replace("_", "-")] = match[2]
    return versions
