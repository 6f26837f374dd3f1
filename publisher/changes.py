"""What changes for readers between two versions of the editors' files: the base of a
pull request (e.g. `main`) and the working tree.

Both versions are loaded with the same loader and rendered with the same templates
(the working tree's), so only what editors changed shows: questions added, removed
and reworded by their stable id, and the pages of the site whose text changed.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import Publication
from .pages import StagedPage, staged_pages
from .project import Project
from .repository import RevisionError, extract_revision
from .site_check import planned_downloads
from .structure import navigation
from .validate import Loaded, load_publication

ADDED, REMOVED, REWORDED = "toegevoegd", "verwijderd", "anders geformuleerd"
NEW_PAGE, REMOVED_PAGE, CHANGED_PAGE = "nieuw", "verwijderd", "gewijzigd"

# What editors write; everything else (templates, mkdocs.yml) is taken from the working tree.
EDITOR_INPUTS = ("site_config.yaml", "indicators", "content")


@dataclass(frozen=True)
class QuestionChange:
    school_type: str  # id, e.g. 'bo'
    kind: str  # ADDED, REMOVED or REWORDED
    question_id: str
    old: str | None  # the text before (None when added)
    new: str | None  # the text after (None when removed)
    number: int | None  # the number after (before, when removed)


@dataclass(frozen=True)
class PageChange:
    path: str  # as in the staged docs, e.g. 'bo/reflectievragen.md'
    title: str
    kind: str  # NEW_PAGE, REMOVED_PAGE or CHANGED_PAGE


@dataclass(frozen=True)
class Changes:
    base: str  # what was compared with, as the person gave it ('origin/main', a folder)
    questions: list[QuestionChange]
    pages: list[PageChange]

    @property
    def empty(self) -> bool:
        return not self.questions and not self.pages


def question_changes(base: Publication, head: Publication) -> list[QuestionChange]:
    """Per school type (in the order of the working tree, removed school types last): questions
    added or reworded in their new order, then questions removed in their old order."""
    changes: list[QuestionChange] = []
    before = {s.id: s for s in base.school_types}
    after = {s.id: s for s in head.school_types}
    for type_id in [*after, *(t for t in before if t not in after)]:
        old = {i.question.id: i for i in before[type_id].numbered_questions()} if type_id in before else {}
        new = after[type_id].numbered_questions() if type_id in after else []
        new_ids = {item.question.id for item in new}
        for item in new:
            previous = old.get(item.question.id)
            if previous is None:
                changes.append(QuestionChange(type_id, ADDED, item.question.id, None, item.question.text, item.number))
            elif previous.question.text != item.question.text:
                changes.append(QuestionChange(type_id, REWORDED, item.question.id, previous.question.text,
                                              item.question.text, item.number))
        for question_id, item in old.items():
            if question_id not in new_ids:
                changes.append(QuestionChange(type_id, REMOVED, question_id, item.question.text, None, item.number))
    return changes


def _staged(project: Project, loaded: Loaded) -> dict[str, StagedPage]:
    downloads, exports = planned_downloads(project, loaded.publication)
    return {page.path: page for page in staged_pages(project, loaded.publication, loaded.pages, downloads, exports)}


def page_title(page: StagedPage) -> str:
    """The title a reader sees in the menu (from the staged page's front matter)."""
    if page.text.startswith("---\n"):
        meta = yaml.safe_load(page.text[4:].split("\n---\n", 1)[0]) or {}
        if isinstance(meta.get("title"), str):
            return html.unescape(meta["title"])
    return page.path


def page_changes(base_project: Project, base: Loaded, head_project: Project, head: Loaded) -> list[PageChange]:
    """Pages whose text differs, in the menu order of the working tree (removed pages last)."""
    before, after = _staged(base_project, base), _staged(head_project, head)
    order = {path: index for index, path in enumerate(navigation(head.publication.config, head.publication.school_types))}
    changes = []
    for path in sorted(after, key=lambda p: (order.get(p, len(order)), p)):
        if path not in before:
            changes.append(PageChange(path, page_title(after[path]), NEW_PAGE))
        elif before[path].text != after[path].text:
            changes.append(PageChange(path, page_title(after[path]), CHANGED_PAGE))
    changes += [PageChange(path, page_title(page), REMOVED_PAGE) for path, page in before.items() if path not in after]
    return changes


def prepare_base(project: Project, base: str, target: Path) -> Project:
    """A project in `target` with the editors' files of `base` (a folder, or a Git version such
    as 'origin/main') and the templates and engine configuration of the working tree."""
    source = Path(base)
    if source.is_dir():
        # Links are copied as links (never followed: a link in a loop or out of the folder is
        # reported by the check of that version, like in the working tree).
        try:
            for name in EDITOR_INPUTS:
                if (source / name).is_dir() and not (source / name).is_symlink():
                    shutil.copytree(source / name, target / name, symlinks=True)
                elif (source / name).is_file() or (source / name).is_symlink():
                    shutil.copy2(source / name, target / name, follow_symlinks=False)
        except (OSError, shutil.Error) as exc:
            raise RevisionError(f"de map '{base}' kon niet gelezen worden ({type(exc).__name__})") from exc
    else:
        extract_revision(project, base, target / "_version")
        for name in EDITOR_INPUTS:
            if (target / "_version" / name).exists():
                (target / "_version" / name).rename(target / name)
        shutil.rmtree(target / "_version")
    # Everything else the pages are made from comes from the working tree: templates, the engine's
    # configuration, and what the accessibility statement reads (test markers, pinned versions).
    shutil.copytree(project.templates, target / "templates")
    shutil.copy2(project.mkdocs_config, target / "mkdocs.yml")
    if (project.root / "requirements.lock").is_file():
        shutil.copy2(project.root / "requirements.lock", target / "requirements.lock")
    (target / "tests").mkdir()
    for test_file in (project.root / "tests").glob("test_*.py"):
        shutil.copy2(test_file, target / "tests" / test_file.name)
    return Project.at(target)


def compare_with_base(project: Project, head: Loaded, base: str) -> Changes:
    """What changes for readers from `base` to the working tree (which loaded without errors).
    Raises RevisionError (a Dutch message) when the base cannot be read or has errors itself."""
    with tempfile.TemporaryDirectory(prefix="basis-") as folder:
        base_project = prepare_base(project, base, Path(folder))
        loaded = load_publication(base_project)
        if loaded.publication is None:
            raise RevisionError(f"de versie '{base}' heeft zelf fouten ({len(loaded.errors)}); "
                                "vergelijken kan pas als die versie in orde is")
        return Changes(base, question_changes(loaded.publication, head.publication),
                       page_changes(base_project, loaded, project, head))


def describe(changes: Changes) -> list[str]:
    """The changes as lines for the terminal (Dutch)."""
    if changes.empty:
        return [f"vergeleken met {changes.base}: geen vragen of pagina's veranderd"]
    lines = [f"vergeleken met {changes.base}: {len(changes.questions)} vragen en {len(changes.pages)} pagina's veranderd"]
    for change in changes.questions:
        text = {ADDED: f"“{change.new}”", REMOVED: f"was “{change.old}”",
                REWORDED: f"“{change.old}” → “{change.new}”"}[change.kind]
        lines.append(f"    {change.school_type} vraag {change.number} ({change.question_id}) {change.kind}: {text}")
    lines += [f"    pagina {page.path} ({page.title}) {page.kind}" for page in changes.pages]
    return lines
