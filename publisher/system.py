"""System libraries the build needs, with a one-line Dutch message when one is missing."""

from __future__ import annotations

import ctypes.util

# (library name for ctypes, Debian package)
LIBRARIES = [
    ("pango-1.0", "libpango-1.0-0"),
    ("pangoft2-1.0", "libpangoft2-1.0-0"),
    # HarfBuzz's subsetter makes WeasyPrint's font subsetting deterministic (byte-identical PDFs) and fast.
    ("harfbuzz-subset", "libharfbuzz-subset0"),
]


def missing_packages() -> list[str]:
    return [package for library, package in LIBRARIES if ctypes.util.find_library(library) is None]


def missing_message() -> str | None:
    packages = missing_packages()
    if not packages:
        return None
    return f"Ontbrekende systeembibliotheken. Installeer ze met: sudo apt-get install -y {' '.join(packages)}"
