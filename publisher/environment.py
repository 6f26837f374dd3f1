"""Settings the build takes from the environment, checked like editors' input: an invalid
value is a Dutch problem from `check` and `build` alike, never a traceback."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from .escaping import terminal_text
from .problems import Problem, error

# Outputs carry this date: ZIP containers (XLSX, DOCX) cannot hold dates before 1980, and an
# edition year is at most 2099.
EARLIEST = int(datetime(1980, 1, 1, tzinfo=timezone.utc).timestamp())
LATEST = int(datetime(2099, 12, 31, 23, 59, 59, tzinfo=timezone.utc).timestamp())
_DIGITS = re.compile(r"[0-9]+")


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a date, or None when it is not set or not valid (see below)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not _DIGITS.fullmatch(value) or not EARLIEST <= int(value) <= LATEST:
        return None
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


def environment_problems() -> list[Problem]:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "" or source_date() is not None:
        return []
    shown = terminal_text(raw if len(raw) <= 40 else raw[:40] + "…")
    return [error("SOURCE_DATE_EPOCH", None,
                  f"de omgevingsvariabele SOURCE_DATE_EPOCH is '{shown}', geen geldig tijdstip",
                  f"Zet er een aantal seconden sinds 1 januari 1970 in, tussen {EARLIEST} (1980) en {LATEST} (2099), "
                  "bv. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), of haal de variabele weg.")]
