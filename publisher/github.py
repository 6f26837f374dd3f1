"""The pull-request loop on GitHub Actions: every problem as an annotation on its line of
the pull request's diff, and a job summary with all problems in a table or, when the
check passes, what changes for readers.

Annotations are workflow commands (`::error file=…,line=…,title=…::message`) printed on
standard output. Values are escaped by GitHub's rules: in the message `%`, CR and LF; in
the properties also `:` and `,`. The summary is Markdown appended to the file named by
GITHUB_STEP_SUMMARY; every text in it goes through `escaping.markdown_text`, so an
editor's text shows as typed (a `|` does not break the table, `<b>` is not HTML).
GitHub shows at most 10 annotations of each kind per step; the summary lists them all.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .escaping import markdown_text
from .problems import Problem, summary

if TYPE_CHECKING:  # changes.py loads the whole model: imported where it is used (a no-change build needs none of it)
    from .changes import Changes


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS", "").lower() == "true"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem) -> str:
    """One workflow command for one problem; the hint goes on a second line of the message."""
    command = "error" if problem.is_error else "warning"
    properties = {"file": problem.file}
    if problem.line:
        properties["line"] = str(problem.line)
    properties["title"] = f"Controle: {problem.severity.value}"
    message = problem.message + (f"\n→ {problem.hint}" if problem.hint else "")
    fields = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {fields}::{escape_data(message)}"


def write_annotations(problems: list[Problem], stream: TextIO) -> None:
    for problem in problems:
        line = annotation(problem)
        if isinstance(stream, CommandGuard):
            stream.write_command(line)
        else:
            print(line, file=stream, flush=True)


# ------------------------------------------------------------------------- workflow commands
# The runner reads every line a step writes to stdout or stderr; a line whose text, after leading
# whitespace, starts with '::' is a workflow command (`::error`, `::add-mask::`, `::stop-commands::`
# …), and so is '##[' anywhere in a line (the old syntax). Lines end at LF, CR or CR LF. Only the
# tool's own annotations may be commands: `CommandGuard` wraps stdout and stderr in GitHub Actions
# and defuses every other line that GitHub would execute, whatever wrote it.

_LINE_BREAK = re.compile(r"(\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029])")


def is_workflow_command(line: str) -> bool:
    return line.lstrip().startswith("::") or "##[" in line


def defuse(line: str) -> str:
    """A line shown as text, never executed: a mark in front of '::', '##[' broken up."""
    if line.lstrip().startswith("::"):
        line = "› " + line.lstrip()
    return line.replace("##[", "# #[")


class CommandGuard(io.TextIOBase):
    """A text stream that passes text on line by line, defusing workflow commands."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.pending = ""

    def write_command(self, line: str) -> None:
        """One of the tool's own workflow commands (an annotation): written as it is."""
        self.flush_line()
        self.stream.write(line + "\n")
        self.stream.flush()

    def write(self, text: str) -> int:
        parts = _LINE_BREAK.split(self.pending + text)
        self.pending = parts.pop()
        for line, end in zip(parts[::2], parts[1::2]):
            self.stream.write(defuse(line) + end)
        return len(text)

    def flush_line(self) -> None:
        if self.pending:
            self.stream.write(defuse(self.pending) + "\n")
            self.pending = ""

    def flush(self) -> None:
        # A partial line waits for its end (it could still become a command); the rest goes out.
        self.stream.flush()

    def close_guard(self) -> None:
        self.flush_line()
        self.stream.flush()

    @property
    def encoding(self):
        return getattr(self.stream, "encoding", "utf-8")

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:  # for libraries that ask; every subprocess of the build captures its output
        return self.stream.fileno()

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def guarded_output():
    """In GitHub Actions: stdout and stderr through a CommandGuard for the duration."""
    if not in_github_actions():
        yield
        return
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CommandGuard(old[0]), CommandGuard(old[1])
    try:
        yield
    finally:
        guards = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = old
        for guard in guards:
            if isinstance(guard, CommandGuard):
                guard.close_guard()


def guard_worker_output() -> None:
    """The same guard in a worker process that does not share the build's sys.stdout and
    sys.stderr (a sheet worker started by the fork server writes to the file descriptors), for
    the rest of that process."""
    if in_github_actions() and not isinstance(sys.stdout, CommandGuard):
        sys.stdout, sys.stderr = CommandGuard(sys.stdout), CommandGuard(sys.stderr)


def _cell(value: object) -> str:
    return str(markdown_text("" if value is None else value))


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines + [""]


def problems_markdown(problems: list[Problem]) -> list[str]:
    return _table(["Bestand", "Regel", "Soort", "Melding", "Wat je kunt doen"],
                  [[p.file, p.line or "", p.severity.value, p.message, p.hint or ""] for p in problems])


def changes_markdown(changes: Changes | None, note: str | None = None) -> list[str]:
    """The reader-visible changes; `note` says why there are none to show (comparing failed)."""
    from .changes import ADDED, REMOVED, RENAMED, REWORDED

    if changes is None and note is None:
        return []
    against = f" (vergeleken met {_cell(changes.base)})" if changes else ""
    lines = [f"### Wat verandert er voor lezers{against}", ""]
    if changes is None:
        return lines + [_cell(note), ""]
    if changes.empty:
        return lines + ["Geen instrumenten, vragen of pagina's veranderd.", ""]
    if changes.instruments:
        counts = {kind: sum(c.kind == kind for c in changes.instruments) for kind in (ADDED, REMOVED)}
        lines += [f"**Instrumenten**: {counts[ADDED]} toegevoegd, {counts[REMOVED]} verwijderd", ""]
        lines += _table(["Instrument", "Naam", "Vragen", "Wijziging"],
                        [[c.instrument, c.name, c.items, c.kind] for c in changes.instruments])
    if changes.items:
        counts = {kind: sum(c.kind == kind for c in changes.items) for kind in (ADDED, REMOVED, REWORDED, RENAMED)}
        lines += [f"**Vragen**: {counts[ADDED]} toegevoegd, {counts[REMOVED]} verwijderd, "
                  f"{counts[REWORDED]} anders geformuleerd, {counts[RENAMED]} hernoemd", ""]
        lines += _table(["Instrument", "Nr.", "Wijziging", "Id", "Was", "Wordt"],
                        [[c.instrument, c.number, c.kind, c.item_id if c.kind != RENAMED else f"{c.old_id} → {c.item_id}",
                          c.old or "–", c.new or "–"] for c in changes.items])
    if changes.pages:
        lines += [f"**Pagina's**: {len(changes.pages)}", ""]
        lines += _table(["Pagina", "Bestand", "Wijziging"], [[p.title, p.path, p.kind] for p in changes.pages])
    return lines


def check_summary(problems: list[Problem], changes: Changes | None = None, note: str | None = None) -> str:
    """The job summary of `build.py check` (Markdown)."""
    errors = [p for p in problems if p.is_error]
    if errors:
        lines = [f"## ✗ Controle mislukt: {summary(problems)}", "",
                 "Er wordt niets gepubliceerd tot deze fouten zijn opgelost. Elke melding staat ook bij de regel "
                 "in het tabblad *Files changed* van de pull request.", ""]
    else:
        lines = [f"## ✓ Controle geslaagd ({summary(problems)})", ""]
    if problems:
        lines += problems_markdown(problems)
    if not errors:
        lines += changes_markdown(changes, note)
    return "\n".join(lines) + "\n"


def append_summary(text: str) -> None:
    """Add to the job summary of this step (nothing outside GitHub Actions)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)
