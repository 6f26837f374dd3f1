"""What changes for readers between two versions of the editors' files: the base of a
pull request (e.g. `main`) and the working tree.

Both versions are loaded with the same loader and rendered with the same templates
(the working tree's), so only what editors changed shows: instruments added or removed;
per instrument the items added, removed, reworded or renamed (via `was:`) by their stable
id; and the pages of the site that are new, removed or whose text changed.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .accessibility import statement_inputs
from .dutch import count
from .model import Publication
from .pages import StagedPage, staged_pages
from .project import Project
from .repository import RevisionError, extract_revision
from .site_check import planned_downloads
from .structure import navigation
from .validate import Loaded, load_publication

ADDED, REMOVED, REWORDED, RENAMED = "toegevoegd", "verwijderd", "anders geformuleerd", "hernoemd"
NEW_PAGE, REMOVED_PAGE, CHANGED_PAGE = "nieuw", "verwijderd", "gewijzigd"

# What editors write; everything else (templates, mkdocs.yml) is taken from the working tree.
# gepubliceerd/: the ids of published editions, which the base version is checked against too.
EDITOR_INPUTS = ("site_config.yaml", "indicators", "content", "gepubliceerd")


@dataclass(frozen=True)
class InstrumentChange:
    instrument: str  # id, e.g. 'bo'
    name: str
    kind: str  # ADDED or REMOVED
    items: int  # how many items it has (after; before, when removed)


@dataclass(frozen=True)
class ItemChange:
    instrument: str  # id, e.g. 'bo'
    kind: str  # ADDED, REMOVED, REWORDED or RENAMED
    item_id: str  # the id after (before, when removed)
    old: str | None  # the text before (None when added)
    new: str | None  # the text after (None when removed)
    number: int | None  # the number after (before, when removed)
    old_id: str | None = None  # RENAMED: the id before (the new item lists it under 'was:')


@dataclass(frozen=True)
class PageChange:
    path: str  # as in the staged docs, e.g. 'bo/reflectievragen.md'
    title: str
    kind: str  # NEW_PAGE, REMOVED_PAGE or CHANGED_PAGE


@dataclass(frozen=True)
class Changes:
    base: str  # what was compared with, as the person gave it ('origin/main', a folder)
    items: list[ItemChange]
    pages: list[PageChange]
    instruments: list[InstrumentChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.items and not self.pages and not self.instruments


def instrument_changes(base: Publication, head: Publication) -> list[InstrumentChange]:
    """Instruments added (in the working tree's order), then instruments removed (in the base's order)."""
    before = {i.id for i in base.instruments}
    after = {i.id for i in head.instruments}
    return ([InstrumentChange(i.id, i.name, ADDED, len(i.item_paths())) for i in head.instruments if i.id not in before]
            + [InstrumentChange(i.id, i.name, REMOVED, len(i.item_paths())) for i in base.instruments if i.id not in after])


def item_changes(base: Publication, head: Publication) -> list[ItemChange]:
    """Per instrument present in both versions (in the working tree's order): items added,
    reworded or renamed in their new order, then items removed in their old order. An item whose
    `was:` names an id of the base is renamed, not removed and added. A whole instrument added
    or removed is one InstrumentChange, not a list of its items."""
    changes: list[ItemChange] = []
    before = {i.id: i for i in base.instruments}
    for instrument in head.instruments:
        if instrument.id not in before:
            continue
        old = {n.item.id: n for n in base.numbered_items(before[instrument.id])}
        new = head.numbered_items(instrument)
        kept: set[str] = set()
        for numbered in new:
            item = numbered.item
            previous = old.get(item.id)
            if previous is None:
                earlier = next((old_id for old_id in item.was if old_id in old), None)
                if earlier is None:
                    changes.append(ItemChange(instrument.id, ADDED, item.id, None, item.text, numbered.number))
                    continue
                previous = old[earlier]
                changes.append(ItemChange(instrument.id, RENAMED, item.id, previous.item.text, item.text,
                                          numbered.number, old_id=earlier))
            elif previous.item.text != item.text:
                changes.append(ItemChange(instrument.id, REWORDED, item.id, previous.item.text, item.text, numbered.number))
            kept.add(previous.item.id)
        for item_id, numbered in old.items():
            if item_id not in kept:
                changes.append(ItemChange(instrument.id, REMOVED, item_id, numbered.item.text, None, numbered.number))
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
    order = {path: index for index, path in enumerate(navigation(head.publication.config, head.publication.instruments))}
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
    if project.requirements_lock.is_file():
        shutil.copy2(project.requirements_lock, target / "requirements.lock")
    for test_file in statement_inputs(project.tests):
        copy = target / "tests" / test_file.relative_to(project.tests)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(test_file, copy)
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
        return Changes(base, item_changes(loaded.publication, head.publication),
                       page_changes(base_project, loaded, project, head),
                       instrument_changes(loaded.publication, head.publication))


def describe(changes: Changes) -> list[str]:
    """The changes as lines for the terminal (Dutch)."""
    if changes.empty:
        return [f"vergeleken met {changes.base}: geen instrumenten, vragen of pagina's veranderd"]
    changed = [count(len(changes.instruments), "instrument", "instrumenten"), count(len(changes.items), "vraag", "vragen"),
               count(len(changes.pages), "pagina", "pagina's")]
    lines = [f"vergeleken met {changes.base}: {changed[0]}, {changed[1]} en {changed[2]} veranderd"]
    lines += [f"    instrument {change.instrument} ({change.name}, {count(change.items, 'vraag', 'vragen')}) {change.kind}"
              for change in changes.instruments]
    for change in changes.items:
        text = {ADDED: f"“{change.new}”", REMOVED: f"was “{change.old}”",
                REWORDED: f"“{change.old}” → “{change.new}”",
                RENAMED: f"was {change.old_id}" + (f", “{change.old}” → “{change.new}”" if change.old != change.new else "")
                }[change.kind]
        lines.append(f"    {change.instrument} vraag {change.number} ({change.item_id}) {change.kind}: {text}")
    lines += [f"    pagina {page.path} ({page.title}) {page.kind}" for page in changes.pages]
    return lines
