"""Problems found in the editors' input, reported in Dutch with file and line.

Every check in the package reports through `Problem`; nothing raises a Python
traceback at an editor. The text of each message is written where the problem
is detected; this module only formats and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .escaping import terminal_text


class Severity(str, Enum):
    ERROR = "fout"
    WARNING = "waarschuwing"


@dataclass(frozen=True)
class Problem:
    file: str  # path relative to the project root, with forward slashes
    line: int | None
    message: str  # what is wrong (Dutch)
    hint: str | None = None  # what to do (Dutch)
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        """For a terminal or CI log: file name, message and hint can hold an editor's text,
        so each is one line with control characters shown as escapes (escaping.terminal_text)."""
        where = f"{terminal_text(self.file)}:{self.line}" if self.line else terminal_text(self.file)
        text = f"{where}: {self.severity.value}: {terminal_text(self.message)}"
        if self.hint:
            text += f"\n    → {terminal_text(self.hint)}"
        return text

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(file: str, line: int | None, message: str, hint: str | None = None) -> Problem:
    return Problem(file, line, message, hint, Severity.ERROR)


def warning(file: str, line: int | None, message: str, hint: str | None = None) -> Problem:
    return Problem(file, line, message, hint, Severity.WARNING)


def sort_key(problem: Problem) -> tuple:
    return (problem.file, problem.line or 0, problem.message)


def summary(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} {'fout' if errors == 1 else 'fouten'}")
    if warnings:
        parts.append(f"{warnings} {'waarschuwing' if warnings == 1 else 'waarschuwingen'}")
    return ", ".join(parts) if parts else "geen problemen"


class InputError(Exception):
    """Raised by a build step when the input has errors; carries the problems."""

    def __init__(self, problems: list[Problem]):
        super().__init__(summary(problems))
        self.problems = problems
