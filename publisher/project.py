"""Where things are. One place for every path.

Two roots:

- the **project root**: what editors write and what a build makes of it
  (`site_config.yaml`, `content/`, `indicators/`, `mkdocs.yml`, `site/`, `.cache/`);
- the **tool root**: where the tool itself lives, next to `publisher/` (`templates/`,
  `schema/`, `requirements.lock`, and `tests/`, which the accessibility page reads).

For the KCR publication both are the repository root. Another publication, such as
`voorbeelden/lindeoord/`, has its own project root and shares the tool root
(`python build.py build --project voorbeelden/lindeoord`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The repository the `publisher` package is in: the tool root of a normal checkout.
TOOL_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    root: Path  # the project root (the editors' files and the build's output)
    tool_root: Path = field(default=None)  # the tool's own files; the project root when not given

    def __post_init__(self) -> None:
        if self.tool_root is None:
            object.__setattr__(self, "tool_root", self.root)

    @classmethod
    def at(cls, root: Path | str, tool: Path | str | None = None) -> "Project":
        """A project at `root`. Without `tool` the tool's files are looked for in `root` as
        well (a whole checkout or a copy of one, as the tests make)."""
        root = Path(root).resolve()
        return cls(root, Path(tool).resolve() if tool is not None else root)

    @property
    def separate_tool(self) -> bool:
        """Whether the project is not the tool's own checkout (e.g. `voorbeelden/<naam>/`)."""
        return self.root != self.tool_root

    # ------------------------------------------------------------------ the editors' files

    @property
    def site_config(self) -> Path:
        return self.root / "site_config.yaml"

    @property
    def indicators(self) -> Path:
        return self.root / "indicators"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def glossary(self) -> Path:
        return self.content / "begrippen.yaml"

    @property
    def mkdocs_config(self) -> Path:
        """The project's own mkdocs.yml; a project without one uses the tool's."""
        own = self.root / "mkdocs.yml"
        return own if own.is_file() or not self.separate_tool else self.tool_root / "mkdocs.yml"

    @property
    def output(self) -> Path:
        return self.root / "site"

    @property
    def work(self) -> Path:
        """Scratch space: staging dirs, the PDF cache. Safe to delete (`build.py clean`)."""
        return self.root / ".cache"

    # ------------------------------------------------------------------ the tool's files

    @property
    def templates(self) -> Path:
        return self.tool_root / "templates"

    @property
    def schema_dir(self) -> Path:
        return self.tool_root / "schema"

    @property
    def requirements_lock(self) -> Path:
        return self.tool_root / "requirements.lock"

    @property
    def tests(self) -> Path:
        """The tool's tests: the accessibility page lists the checks marked in them."""
        return self.tool_root / "tests"

    def name(self, path: Path) -> str:
        """A path as editors see it in messages: relative to the project (or else to the tool),
        forward slashes. Symbolic links are not followed: a link is named as the link, not as
        its target."""
        absolute = Path(os.path.abspath(path))
        for base in (self.root, self.tool_root):
            try:
                return absolute.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()
