"""Where things are in a project checkout. One place for every path."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, root: Path | str) -> "Project":
        return cls(Path(root).resolve())

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
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def mkdocs_config(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    @property
    def output(self) -> Path:
        return self.root / "site"

    @property
    def work(self) -> Path:
        """Scratch space: staging dirs, the PDF cache. Safe to delete (`build.py clean`)."""
        return self.root / ".cache"

    def name(self, path: Path) -> str:
        """A path as editors see it in messages: relative to the project, forward slashes.
        Symbolic links are not followed: a link is named as the link, not as its target."""
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()
