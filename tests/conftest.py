"""Shared test fixtures. Tests run against the real project files; tests that
change files work on a copy in a temporary directory."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ["content", "indicators", "templates", "site_config.yaml", "mkdocs.yml"]


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run_cli(args: list[str], root: Path) -> tuple[int, str]:
    """Run build.py's main in-process; returns (exit code, everything printed)."""
    from publisher.cli import main

    output = io.StringIO()
    with contextlib.redirect_stderr(output), contextlib.redirect_stdout(output):
        code = main(args, root=root)
    return code, output.getvalue()
