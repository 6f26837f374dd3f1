"""The `check` command: validate everything editors wrote and report it where the editor
looks: the terminal, and in GitHub Actions also annotations on the lines of the pull
request and a job summary. When the check passes and there is a base to compare with
(`--base`, or the pull request's base branch in GitHub Actions), the summary lists
what changes for readers.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from .changes import compare_with_base, describe
from .github import append_summary, check_summary, in_github_actions, write_annotations
from .problems import summary
from .project import Project
from .report import Reporter
from .problems import Problem
from .repository import RevisionError, _repository_prefix
from .validate import load_publication


def default_base() -> str | None:
    """In a pull request on GitHub Actions: its base branch as fetched by actions/checkout."""
    branch = os.environ.get("GITHUB_BASE_REF", "").strip()
    return f"origin/{branch}" if branch and in_github_actions() else None


def repository_paths(project: Project, problems: list[Problem]) -> list[Problem]:
    """Problems named as GitHub names files: relative to the repository. A project in a
    subfolder (`--project voorbeelden/lindeoord`) puts its folder in front of its own files,
    so the annotations land on the lines of the pull request."""
    prefix = _repository_prefix(project.root) if project.separate_tool else None
    if not prefix:
        return problems
    return [replace(problem, file=prefix + problem.file) if (project.root / problem.file).exists() else problem
            for problem in problems]


def run_check(project: Project, reporter: Reporter, base: str | None = None) -> int:
    loaded = load_publication(project)
    reporter.problems(loaded.problems)
    github = in_github_actions()
    if github:
        write_annotations(repository_paths(project, loaded.problems), sys.stdout)
    if loaded.errors:
        if github:
            append_summary(check_summary(loaded.problems))
        reporter.fail(f"Controle mislukt: {summary(loaded.problems)}.")
        return 1

    base = base or default_base()
    changes, note = None, None
    if base:
        try:
            changes = compare_with_base(project, loaded, base)
        except RevisionError as exc:
            note = f"Vergelijken met '{base}' lukte niet: {exc}."
            reporter.step(note)
        else:
            for line in describe(changes):
                reporter.step(line)
    if github:
        append_summary(check_summary(loaded.problems, changes, note))
    reporter.done(f"Controle geslaagd ({summary(loaded.problems)}).")
    return 0
