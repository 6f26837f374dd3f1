"""Progress output a person can follow: what is being built and how long it took."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from .escaping import terminal_text
from .problems import Problem


class Reporter:
    def __init__(self, quiet: bool = False, verbose: bool = False, stream=None):
        self.quiet = quiet
        self.verbose = verbose
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()

    def restart(self) -> None:
        """Measure the next 'done' from now (the live preview builds many times)."""
        self.started = time.perf_counter()

    def _write(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def step(self, text: str) -> None:
        if not self.quiet:
            self._write(f"• {terminal_text(text)}")

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            self._write(f"    {terminal_text(text)}")

    @contextmanager
    def timed(self, text: str):
        start = time.perf_counter()
        yield
        self.step(f"{text} ({time.perf_counter() - start:.1f} s)")

    def problems(self, problems: list[Problem]) -> None:
        """Errors and warnings are always shown, also when quiet."""
        for problem in problems:
            self._write(str(problem))

    def done(self, text: str) -> None:
        self._write(f"✓ {terminal_text(text)} [{time.perf_counter() - self.started:.1f} s]")

    def fail(self, text: str) -> None:
        self._write(f"✗ {terminal_text(text)}")
