#!/usr/bin/env python3
"""Search benchmark (not a test): recall, time to first result and index size of the
site's search, measured the way a reader searches (typing into the search box of the
built site in headless Chromium), for the query set in tests/fixtures/zoekvragen.yaml.

    .venv/bin/python bench/search.py                 # the site in site/ (Pagefind)
    .venv/bin/python bench/search.py --site DIR --engine material
                                                     # a site built with Material's lunr search
                                                     # (commit 5794238 or earlier)

Figures:
- recall: expected (query, page) pairs found among the results, and queries whose
  every expected page was found (a query with a school-type filter counts as missed
  when the engine has no filter);
- time to first result: from the first key typed to the first result on screen
  (median and maximum over the queries, each on a freshly loaded page);
- index size: bytes the browser downloads for search during one search session.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import socketserver
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urljoin, urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "fixtures" / "zoekvragen.yaml"
CHROMIUM = "/usr/bin/chromium"
SCHOOL_TYPE_LABELS = {"bo": "Basisonderwijs (bo)", "go": "Gespecialiseerd onderwijs (go)",
                      "vo-mbo": "Voortgezet onderwijs (vo) en mbo"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def site_path(href: str, base: str) -> str:
    path = urlparse(urljoin(base, href)).path
    return path[len(urlparse(base).path):] if path.startswith(urlparse(base).path) else path


def search_material(page, base: str, query: str, school_type: str | None):
    if school_type:
        return None, None
    page.goto(base, wait_until="networkidle")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.wait_for_function("() => document.querySelector('.md-search-result__meta').textContent.includes('Typ om')")
    started = time.perf_counter()
    page.locator("input.md-search__input").press_sequentially(query)
    TYPED.append(time.perf_counter() - started)
    page.wait_for_function("() => !document.querySelector('.md-search-result__meta').textContent.includes('Typ om')",
                           timeout=20_000)
    first = time.perf_counter() - started if page.locator(".md-search-result__item").count() else None
    page.wait_for_timeout(600)
    hrefs = page.evaluate("() => [...document.querySelectorAll('.md-search-result__item a')].map(a => a.getAttribute('href'))")
    return first, hrefs


def search_pagefind(page, base: str, query: str, school_type: str | None):
    page.goto(base, wait_until="networkidle")  # as Material's search, the engine loads when the page is idle
    page.locator("pagefind-modal-trigger button").first.click()
    search_input = page.locator("pagefind-modal input").first
    search_input.wait_for()
    if school_type:
        page.locator("#kcr-zoek-schooltype").select_option(label=SCHOOL_TYPE_LABELS[school_type])
    started = time.perf_counter()
    search_input.press_sequentially(query)
    TYPED.append(time.perf_counter() - started)
    try:
        page.wait_for_selector("pagefind-modal pagefind-results a[href]", timeout=10_000)
        first = time.perf_counter() - started
    except Exception:  # no result at all
        first = None
    return first, pagefind_results(page) if first is not None else []


def pagefind_results(page) -> list[str]:
    """Every result of the search in the open Pagefind window, as a reader scrolling down sees
    them (results load as they scroll into view), in rank order: the main link of each result."""
    page.wait_for_timeout(400)
    for _ in range(60):
        loaded = page.evaluate("""() => {
            const items = [...document.querySelectorAll('pagefind-modal pagefind-results .pf-result')];
            items.forEach(item => item.scrollIntoView());
            return [items.length, items.filter(item => item.querySelector('a[href]')).length] }""")
        if loaded[0] == loaded[1]:
            break
        page.wait_for_timeout(100)
    return page.evaluate("() => [...document.querySelectorAll('pagefind-modal pagefind-results .pf-result')]"
                         ".map(item => item.querySelector('a[href]')?.getAttribute('href')).filter(Boolean)")


TYPED: list[float] = []  # how long typing the query itself took (part of the time to first result)

ENGINES = {"material": search_material, "pagefind": search_pagefind}


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--engine", choices=sorted(ENGINES), default="pagefind")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    search = ENGINES[args.engine]

    server, base = serve(args.site)
    pairs = found_pairs = complete = 0
    timings: list[float] = []
    missed: list[str] = []
    search_bytes = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for number, entry in enumerate(queries):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            downloaded = []
            if number == 0:
                page.on("response", lambda response: downloaded.append(response))
            first, hrefs = search(page, base, str(entry["zoek"]), entry.get("schooltype"))
            if number == 0:
                search_bytes = sum(len(r.body()) for r in downloaded
                                   if any(k in r.url for k in ("search", "lunr", "pagefind")))
            pages = {site_path(h, base).split("#")[0] for h in (hrefs or [])}
            expected = entry["paginas"]
            hits = [p for p in expected if p in pages]
            pairs += len(expected)
            found_pairs += len(hits)
            complete += len(hits) == len(expected)
            if first is not None:
                timings.append(first)
            if len(hits) < len(expected):
                missed.append(f"{entry['zoek']!r}{' [' + entry['schooltype'] + ']' if entry.get('schooltype') else ''}: "
                              f"mist {sorted(set(expected) - set(hits))}")
            if args.verbose:
                print(entry["zoek"], first, sorted(pages)[:8], file=sys.stderr)
            context.close()
        browser.close()
    server.shutdown()

    print(f"engine: {args.engine}   site: {args.site}")
    print(f"queries: {len(queries)}   complete: {complete}/{len(queries)} ({complete / len(queries):.0%})   "
          f"pairs: {found_pairs}/{pairs} ({found_pairs / pairs:.0%})")
    if timings:
        print(f"time to first result: median {statistics.median(timings) * 1000:.0f} ms, "
              f"max {max(timings) * 1000:.0f} ms (typing the query itself: median "
              f"{statistics.median(TYPED) * 1000:.0f} ms)")
    print(f"downloaded for search (first session): {search_bytes / 1024:.0f} kB")
    for line in missed:
        print("  missed:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
