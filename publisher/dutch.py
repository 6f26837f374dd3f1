"""Dutch wording shared by every output: dates as readers write them ('10 juni 2024') and
counts in the singular or plural ('1 vraag', '32 vragen').

Everything a reader, advisor or editor sees uses these: the pages, the sheets, the exports
and the messages of the command line. Machine formats (JSON, ids, file names, PDF and
document metadata, the sitemap) keep ISO dates.
"""

from __future__ import annotations

from datetime import date

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def dutch_date(day: date) -> str:
    """'10 juni 2024' (a `date` or a `datetime`)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def count(number: int, singular: str, plural: str) -> str:
    """'1 vraag', '0 vragen', '32 vragen'."""
    return f"{number} {singular if number == 1 else plural}"
