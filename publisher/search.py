"""The site's search index: Pagefind, run over the built HTML.

Pagefind reads the finished pages (only the part marked `data-pagefind-body`,
see templates/site/main.html), stems Dutch words, and writes a static index plus
its search interface into `<site>/pagefind/`. It does not depend on the site
engine: the same index works for any generator that writes HTML, which keeps the
move away from Material for MkDocs (end of life 2027) cheap.

Why Pagefind and not Material's own lunr search: measured with bench/search.py on
the reader queries of tests/fixtures/zoekvragen.yaml (see README, "Search").
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import cbor2

from .problems import Problem, error

BUNDLE = "pagefind"
# Pagefind writes three interfaces; the site uses the Component UI (templates/site/partials/header.html).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-highlight.js")


@lru_cache(maxsize=1)
def _pagefind() -> tuple[str, ...]:
    """The Pagefind binary that `python -m pagefind` would exec, found once per process: one Python
    start-up less per build (about 0.3 s on a busy machine, each preview rebuild). If the package's
    (private) lookup moves, `python -m pagefind` as before."""
    try:
        from pagefind.service import _must_get_executable

        return (str(_must_get_executable().resolve().absolute()),)
    except Exception:  # noqa: BLE001 - any failure of the lookup: the documented way
        return (sys.executable, "-m", "pagefind")


def index_site(site: Path) -> list[Problem]:
    """Write the search index and interface into `site/pagefind/`."""
    command = [*_pagefind(), "--site", str(site), "--output-subdir", BUNDLE, "--silent",
               "--exclude-selectors", ".headerlink"]  # the '#' permalinks of headings
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [_failed(f"{type(exc).__name__}")]
    if result.returncode != 0 or not (site / BUNDLE / "pagefind-entry.json").is_file():
        return [_failed((result.stderr or result.stdout).strip()[:500] or f"exitcode {result.returncode}")]
    for name in UNUSED:
        (site / BUNDLE / name).unlink(missing_ok=True)
    try:
        canonical_filters(site / BUNDLE)
    except (ValueError, KeyError, OSError, cbor2.CBORError) as exc:
        return [_failed(f"filterbestanden konden niet op vaste volgorde gezet worden: {exc}")]
    try:
        dutch_interface(site / BUNDLE / INTERFACE)
    except (ValueError, OSError) as exc:
        return [_failed(f"de Nederlandse teksten van het zoekvenster konden niet gezet worden: {exc}")]
    return []


# --------------------------------------------------------------------------- Dutch search window
#
# The search window speaks the page's language (<html lang="nl">) with Pagefind's own Dutch
# texts, which are bundled in its interface script (nothing is fetched). Pagefind 1.5.2's
# Dutch has one English word: the button that empties the search box says "Reset". Setting
# texts at run time (setTranslations) makes the modal render a second dialog inside the first,
# so the build writes the right words into the bundled Dutch texts instead.

INTERFACE = "pagefind-component-ui.js"
# Pagefind's Dutch texts are the object with this entry (there is exactly one).
DUTCH_MARKER = 'placeholder:"Zoeken",'
DUTCH_TEXTS = {
    "clear_search": "Wissen",  # Pagefind: "Reset"
    "input_hint": "Resultaten verschijnen terwijl je typt",  # Pagefind: "… terwijl u typt"; the site says 'je'
}


def dutch_interface(script: Path) -> None:
    """Put DUTCH_TEXTS into the Dutch texts bundled in Pagefind's interface script."""
    text = script.read_text(encoding="utf-8")
    if text.count(DUTCH_MARKER) != 1:
        raise ValueError(f"{script.name}: de Nederlandse teksten van Pagefind zijn niet gevonden "
                         f"({DUTCH_MARKER!r} komt {text.count(DUTCH_MARKER)} keer voor); kijk DUTCH_TEXTS na")
    start = text.rindex("{", 0, text.index(DUTCH_MARKER))
    end = text.index("}", start)
    strings = text[start:end]
    for key, value in DUTCH_TEXTS.items():
        pattern = re.compile(rf'(?<=[{{,]){key}:"(?:[^"\\]|\\.)*"')
        if len(pattern.findall(strings)) != 1:
            raise ValueError(f"{script.name}: de tekst '{key}' staat niet (één keer) in de Nederlandse teksten van Pagefind")
        strings = pattern.sub(lambda _: f'{key}:{json.dumps(value, ensure_ascii=True)}', strings)
    script.write_text(text[:start] + strings + text[end:], encoding="utf-8")


# --------------------------------------------------------------------------- reproducible filters
#
# Pagefind 1.5.2 writes the values of a filter (our school types) in hash-map order,
# which differs on every run, so two builds of the same input gave different files.
# The build puts them in a fixed order. Pagefind's format: gzip of a 12-byte signature
# plus CBOR; a file is named after the SHA-1 of its decompressed content without the
# signature (first 7 hex digits for filters, 10 for the meta file); the meta file
# lists the filter files, the entry file names the meta file.

SIGNATURE = b"pagefind_dcd"


def canonical_filters(bundle: Path) -> None:
    renamed: dict[str, str] = {}
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        name, values = _read(path)
        language = path.stem.split("_")[0]
        body = cbor2.dumps([name, sorted(values, key=lambda item: item[0])])
        new = f"{language}_{hashlib.sha1(body).hexdigest()[:7]}"
        path.unlink()
        _write(bundle / "filter" / f"{new}.pf_filter", body)
        renamed[path.stem] = new
    if not renamed:
        return
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_file = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _replace(_read(meta_file), renamed)
        body = cbor2.dumps(meta)
        new = f"{language['hash'].split('_')[0]}_{hashlib.sha1(body).hexdigest()[:10]}"
        meta_file.unlink()
        _write(bundle / f"pagefind.{new}.pf_meta", body)
        language["hash"] = new
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"onbekend bestandsformaat: {path.name}")
    body = data[len(SIGNATURE):]
    value = cbor2.loads(body)
    if cbor2.dumps(value) != body:  # our re-encoding must be Pagefind's exactly
        raise ValueError(f"CBOR van {path.name} is niet terug te schrijven zoals Pagefind het schreef")
    return value


def _write(path: Path, body: bytes) -> None:
    path.write_bytes(gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0))


def _replace(value, renamed: dict[str, str]):
    if isinstance(value, list):
        return [_replace(item, renamed) for item in value]
    return renamed.get(value, value) if isinstance(value, str) else value


def _failed(detail: str) -> Problem:
    return error("templates/site/", None, "de zoekindex kon niet gemaakt worden",
                 f"Technische melding van Pagefind (voor een ontwikkelaar): {detail}")
