"""The no-change shortcut of `build`, and the build lock.

Before anything is loaded, `build` hashes every input a build reads (`input_digest`): the
editors' files, the tool's templates, schema, code and the test files the accessibility page
is made from, the installed packages, the source version Git reports, and the environment
variables that change an output. When that digest, site/ and the sheet cache are exactly what
the last successful build recorded (`replay`), the build only repeats that build's warnings
and stops: there is nothing a new build could write differently. Any doubt (a file that
cannot be read, a damaged stamp, a changed file in site/ or .cache/pdf/) means a normal build.

This module imports nothing heavy on purpose: a no-change build must not pay for loading the
model, MkDocs or WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from .problems import Problem, Severity
from .project import Project
from .report import Reporter

# The tool's own code: a change to any module may change an output.
PACKAGE_DIR = Path(__file__).resolve().parent
# Variables that change what a build writes (dates, the source version without Git).
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "GITHUB_SHA")
_SKIPPED = {"__pycache__", ".pytest_cache"}


def _add_tree(digest, path: Path, label: str) -> None:
    """A file or every file below a folder: names and contents (a missing path counts too)."""
    if path.is_file():
        digest.update(f"{label}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
        return
    if not path.is_dir():
        digest.update(f"{label} ontbreekt\0".encode())
        return
    for folder, directories, files in os.walk(path, followlinks=True):
        directories[:] = sorted(d for d in directories if d not in _SKIPPED)
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            file = Path(folder) / name
            digest.update(f"{label}/{file.relative_to(path).as_posix()}\0".encode())
            if file.is_file():
                digest.update(hashlib.sha256(file.read_bytes()).digest())
            else:  # a named pipe, socket or broken link: never read (a pipe would wait forever)
                digest.update(f"geen bestand {file.is_symlink()} {os.path.realpath(file)}\0".encode())


def _installed_packages() -> list[str]:
    """The names of the installed distributions with their versions (the .dist-info folders)."""
    found = []
    for entry in sys.path:
        try:
            found += [name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return sorted(found)


def input_digest(project: Project) -> str | None:
    """Everything a build reads, hashed; None when something cannot be read (then: a normal build)."""
    from .repository import source_revision

    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\n{os.path.realpath(sys.executable)}\n".encode())
    digest.update("\n".join(_installed_packages()).encode() + b"\n")
    for name in ENVIRONMENT:
        digest.update(f"{name}={os.environ.get(name)!r}\n".encode())
    digest.update(repr(source_revision(project)).encode() + b"\n")
    digest.update(f"{project.root}\n{project.tool_root}\n".encode())
    try:
        for label, path in (("publisher", PACKAGE_DIR), ("site_config.yaml", project.site_config),
                            ("content", project.content), ("indicators", project.indicators),
                            ("mkdocs.yml", project.mkdocs_config), ("gepubliceerd", project.root / "gepubliceerd"),
                            ("templates", project.templates), ("schema", project.schema_dir),
                            ("requirements.lock", project.requirements_lock), ("tests", project.tests)):
            _add_tree(digest, path, label)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _stamp_file(project: Project) -> Path:
    return project.work / "stamps" / "invoer.json"


def _outputs_digest(project: Project) -> str | None:
    """site/ and the sheet cache as they are now (a file edited or removed by hand shows)."""
    digest = hashlib.sha256()
    try:
        for label, path in (("site", project.output), ("pdf", project.work / "pdf")):
            if not path.is_dir():
                return None
            _add_tree(digest, path, label)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def replay(project: Project, inputs: str | None, reporter: Reporter) -> bool:
    """When nothing changed since the last successful build: show its warnings again, say so,
    and return True. Otherwise (or when in doubt) return False."""
    if inputs is None:
        return False
    try:
        stamp = json.loads(_stamp_file(project).read_bytes().decode("utf-8"))
        if stamp.get("inputs") != inputs:
            return False
        warnings = [Problem(p["file"], p["line"], p["message"], p["hint"], Severity(p["severity"]))
                    for p in stamp["warnings"]]
        outputs = stamp["outputs"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return False
    if outputs != _outputs_digest(project):
        return False
    reporter.problems(warnings)
    reporter.step("niets veranderd sinds de vorige bouw")
    reporter.done(f"Klaar: {project.name(project.output)}/ was al bijgewerkt.")
    return True


def record(project: Project, inputs: str | None, problems: list[Problem]) -> None:
    """After a successful build of `inputs` (the digest taken before it read anything)."""
    outputs = _outputs_digest(project)
    if inputs is None or outputs is None:
        return
    stamp = {"inputs": inputs, "outputs": outputs,
             "warnings": [{"file": p.file, "line": p.line, "message": p.message, "hint": p.hint,
                           "severity": p.severity.value} for p in problems]}
    target = _stamp_file(project)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(stamp, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


@contextmanager
def build_lock(project: Project, reporter: Reporter):
    """One build at a time per project (also `serve` and `clean`). A second build waits
    for the first and says so; the operating system releases the lock when a build
    ends in any way, also when it is killed."""
    import fcntl

    lock_file = project.root / ".build.lock"
    with open(lock_file, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            reporter.step("er loopt al een bouw in deze map; wachten tot die klaar is …")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            repair_work_dir(project)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


WORK_DIRS = ("pdf", "staging", "stamps", "jinja", "serve", "exports")


def repair_work_dir(project: Project) -> None:
    """.cache/ and its folders are scratch space the build owns: a file or a link found where a
    folder belongs (someone saved a file as .cache/pdf) is removed, so the build makes the folder."""
    for path in (project.work, *(project.work / name for name in WORK_DIRS)):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
