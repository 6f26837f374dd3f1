"""The Git repository around a project: which version of the source an output was
made from, and the files of another version (the base of a pull request).

Everything here works without Git too: a copy of the project that is not a
repository has an unknown source version, and then says so.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .project import Project


@dataclass(frozen=True)
class Revision:
    """The source version outputs are stamped with."""

    commit: str | None  # full hash, None when unknown
    modified: bool = False  # the inputs differ from that commit (a local build with unsaved work)
    day: date | None = None  # the commit's date, when Git is there to tell

    @property
    def label(self) -> str:
        """How the version is named in files and on the site: '3f2a1b9c0d1e', 'onbekend'."""
        if not self.commit:
            return "onbekend"
        return self.commit[:12] + (" met lokale wijzigingen" if self.modified else "")


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30,
                                stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _repository_prefix(root: Path) -> str | None:
    """Where `root` is in its Git repository: '' at the repository's top, 'voorbeelden/lindeoord/'
    for a project in a subfolder (`--project`); None outside a repository."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    top_path, here = Path(top.strip()).resolve(), root.resolve()
    if here == top_path:
        return ""
    if top_path in here.parents:
        return here.relative_to(top_path).as_posix() + "/"
    return None


def _is_repository_root(root: Path) -> bool:
    return _repository_prefix(root) == ""


def source_revision(project: Project) -> Revision:
    """The commit the project's inputs come from: Git's HEAD when the project is the root of a
    repository or a folder in one (`--project`; marked as modified when an input differs from
    it), else GITHUB_SHA (a CI checkout without Git), else unknown."""
    if _repository_prefix(project.root) is not None:
        commit, _, day = (_git(project.root, "log", "-1", "--format=%H %cs") or "").strip().partition(" ")
        if commit:
            inputs = [project.name(p) for p in (project.site_config, project.indicators, project.content)]
            # The tool's templates: by name in the KCR checkout, by full path for another project.
            inputs.append(str(project.templates) if project.separate_tool else project.name(project.templates))
            status = _git(project.root, "status", "--porcelain", "--", *inputs)
            return Revision(commit, modified=bool(status and status.strip()), day=date.fromisoformat(day))
    commit = os.environ.get("GITHUB_SHA", "").strip()
    if len(commit) == 40 and all(c in "0123456789abcdef" for c in commit):
        return Revision(commit)
    return Revision(None)


class RevisionError(Exception):
    """A version that cannot be read (unknown name, not a repository); the message is Dutch."""


def extract_revision(project: Project, ref: str, target: Path) -> None:
    """Write the files of version `ref` (a branch, tag or commit) into `target`."""
    prefix = _repository_prefix(project.root)
    if prefix is None:
        raise RevisionError(f"{project.root.name}/ is geen Git-repository; vergelijken met '{ref}' kan niet")
    if ref.startswith("-") or _git(project.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        raise RevisionError(f"de versie '{ref}' bestaat niet in deze repository")
    try:
        if prefix and _git(project.root, "rev-parse", "--verify", "--quiet", f"{ref}:{prefix}") is None:
            raise RevisionError(f"de map {prefix} bestaat niet in de versie '{ref}'")
        tree = f"{ref}:{prefix}" if prefix else ref  # a project in a subfolder: only its files
        top = (_git(project.root, "rev-parse", "--show-toplevel") or str(project.root)).strip()
        archive = subprocess.run(["git", "-C", top, "archive", "--format=tar", tree],
                                 capture_output=True, timeout=120, stdin=subprocess.DEVNULL, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise RevisionError(f"de bestanden van '{ref}' konden niet gelezen worden ({exc})") from exc
    target.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter=_safe_member)
    except (tarfile.TarError, OSError) as exc:
        raise RevisionError(f"de bestanden van '{ref}' konden niet uitgepakt worden ({type(exc).__name__})") from exc


def _safe_member(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's 'data' filter, but a member it refuses (a committed link to an absolute path or
    outside the version) is left out instead of stopping the comparison: the check of that version
    then reports the file as missing."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None
