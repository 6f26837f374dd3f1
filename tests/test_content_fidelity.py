"""Fidelity test: nothing of the source publication may get lost in content/.

The source is the text extracted from the PDF of "Impactonderzoek KunstPakt
CmK3". It is normalised (layout artefacts dropped, line-end hyphenation joined,
whitespace, quotes and dashes unified), split into sentences, and every sentence
of at least ``MIN_WORDS`` words must occur verbatim in the corpus built from
all ``content/**/*.md`` files (Markdown syntax and HTML tags stripped).

Source spans that are rendered from ``indicators/*.yaml`` by the build (impact
themes, numbered recommendations, reflection questions) are listed as ``SPAN:``
entries in ``tests/fixtures/fidelity_exceptions.txt``. They are excluded from
the Markdown check and checked against the string values of the YAML files in
a separate test.

Typo fixes (``old => new``) and layout artefacts (``IGNORE: text``) are listed
in the same fixture, each with a comment.

The checks on the whole site (reading order, headings, glossary; at the end
of this file) read the pages as the build stages them, through the
``publisher`` package; what the site adds or reads differently from the
extracted text is listed in ``docs/redactie.yaml``. The other checks use only
the standard library and PyYAML.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import IN_CI

try:  # PyYAML is only needed for the YAML-related checks
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
INDICATORS = ROOT / "indicators"
FIXTURE = ROOT / "tests" / "fixtures" / "fidelity_exceptions.txt"
SOURCE_CANDIDATES = [
    os.environ.get("FIDELITY_SOURCE", ""),
    # A copy of the publication's text, so the repository is self-contained (GitHub CI).
    str(ROOT / "tests" / "fixtures" / "source.txt"),
    # The shared seeds beside the repository clone (this workplace's CI).
    str(ROOT.parent / "shared" / "seeds" / "000_564f0d8992f6e850.txt"),
]


SHARED_SEED = Path("shared") / "seeds" / "000_564f0d8992f6e850.txt"


def shared_seed() -> Path | None:
    """The shared source beside the repository: beside this clone (CI), or beside the main clone
    when this is a `git worktree` elsewhere."""
    import subprocess

    candidates = [ROOT.parent / SHARED_SEED]
    try:
        common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        common = ""
    if common:
        candidates.append(Path(common).parent.parent / SHARED_SEED)
    return next((path for path in candidates if path.is_file()), None)


def test_source_copy_matches_shared_seed():
    """The copy in tests/fixtures must not drift from the shared source. CI always has the shared
    source beside the clone: there a missing source is a failure, not a silent pass; elsewhere
    (a clone without it) the test is skipped and says why."""
    copy = ROOT / "tests" / "fixtures" / "source.txt"
    assert copy.is_file()
    shared = shared_seed()
    if shared is None:
        message = f"../{SHARED_SEED.as_posix()} ontbreekt naast de repository: de kopie is niet te controleren"
        if IN_CI:
            pytest.fail(message + " (in CI hoort die er altijd te zijn)")
        pytest.skip(message)
    assert copy.read_bytes() == shared.read_bytes(), f"tests/fixtures/source.txt wijkt af van {shared}"

MIN_WORDS = 4  # sentences shorter than this are not checked (labels, numbers)
MIN_WORDS_YAML = 3  # YAML-owned text is checked per line, lines are short
HYPHEN_MARK = "\ue000"  # placeholder for an ambiguous line-end hyphen
BREAK = "\u00b6"  # "¶": break marker usable in layout repairs
FILE_SEP = " \u241e "  # keeps matches from running across two files

# --------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------

_CHAR_MAP = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u2032": "'", "`": "'",
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-", "\u2212": "-",
    "\u00ad": "",  # soft hyphen
}
_TRANS = str.maketrans(_CHAR_MAP)


def norm(text: str) -> str:
    """Unify Unicode form, quotes, dashes, ellipsis and whitespace."""
    text = unicodedata.normalize("NFC", text).translate(_TRANS)
    text = text.replace("\u2026", "...")
    return " ".join(text.split())  # str.split() also splits on NBSP etc.


# --------------------------------------------------------------------------
# fixture
# --------------------------------------------------------------------------


@dataclass
class Exceptions:
    fixes: list[tuple[str, str, str]] = field(default_factory=list)  # old, new, comment
    ignores: list[tuple[str, str]] = field(default_factory=list)  # text, comment
    spans: list[tuple[str, str, str]] = field(default_factory=list)  # start, end, comment
    hyphens: list[tuple[str, str]] = field(default_factory=list)  # "drama-oefeningen", comment
    uncommented: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)


@lru_cache(maxsize=None)
def load_exceptions() -> Exceptions:
    exc = Exceptions()
    for raw in FIXTURE.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        body, sep, comment = raw.partition("  #")
        body, comment = body.strip(), comment.strip()
        if not sep or not comment:
            exc.uncommented.append(raw)
        if body.startswith("IGNORE:"):
            exc.ignores.append((norm(body[len("IGNORE:"):]), comment))
        elif body.startswith("HYPHEN:"):
            exc.hyphens.append((norm(body[len("HYPHEN:"):]), comment))
        elif body.startswith("SPAN:"):
            start, arrow, end = body[len("SPAN:"):].partition(">>>")
            if not arrow:
                exc.malformed.append(raw)
                continue
            exc.spans.append((norm(start), norm(end), comment))
        elif " => " in body:
            old, new = body.split(" => ", 1)
            exc.fixes.append((norm(old), norm(new), comment))
        else:
            exc.malformed.append(raw)
    return exc


# --------------------------------------------------------------------------
# source
# --------------------------------------------------------------------------


def source_path() -> Path | None:
    for candidate in SOURCE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@dataclass
class Block:
    line: int  # 1-based line number of the first source line
    text: str  # joined, normalised text (may contain HYPHEN_MARK)
    attribution: bool = False  # "- Leerkracht 2, school 1": checked whatever its length
    starts: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, source line) per line


_NUMBERING = re.compile(r"^\d{1,2}\.\s+(?=\S)")
_BULLET = re.compile(r"^[\u2022\u25cf\u25aa\u2023]\s*")
_ATTRIBUTION = re.compile(r"^-\s+(?=\S)")
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def _blank_ignored(lines: list[str], ignores: list[tuple[str, str]]) -> list[str]:
    """Blank out (runs of consecutive) lines that make up an IGNORE text."""
    stripped = [norm(line) for line in lines]
    out = list(lines)
    for text, _comment in ignores:
        for i in range(len(stripped)):
            if not stripped[i] or not text.startswith(stripped[i]):
                continue
            acc, j = stripped[i], i
            while acc != text and j + 1 < len(stripped) and stripped[j + 1] \
                    and text.startswith(acc + " " + stripped[j + 1]):
                j += 1
                acc = acc + " " + stripped[j]
            if acc == text:
                for k in range(i, j + 1):
                    out[k] = ""
    return out


def _find_spans(lines: list[str], spans: list[tuple[str, str, str]]):
    """Return [(start_idx, end_idx, comment)] for the SPAN markers (inclusive)."""
    stripped = [norm(line) for line in lines]
    found, missing = [], []
    for start, end, comment in spans:
        if stripped.count(start) != 1:  # a start marker must be unambiguous
            missing.append((start, end))
            continue
        i = stripped.index(start)
        try:
            j = stripped.index(end, i)
        except ValueError:
            missing.append((start, end))
            continue
        found.append((i, j, comment))
    return found, missing


def _join(lines: list[tuple[int, str]]) -> list[Block]:
    """Turn (line number, raw line) pairs into blocks of joined text."""
    blocks: list[Block] = []
    cur: list[str] = []
    numbers: list[int] = []
    start = 0
    prev_blank = True

    def flush():
        nonlocal cur, numbers
        if cur:
            text, offsets = _join_lines_with_offsets(cur)
            blocks.append(Block(start, text, starts=list(zip(offsets, numbers))))
        cur, numbers = [], []

    for number, raw in lines:
        line = norm(raw)
        if not line:
            flush()
            prev_blank = True
            continue
        if _ATTRIBUTION.match(line) and prev_blank:
            # "- Leerkracht 2, school 1" under a quote: its own block
            flush()
            blocks.append(Block(number, _ATTRIBUTION.sub("", line), attribution=True))
            prev_blank = True  # the attribution also ends the block
            continue
        prev_blank = False
        line = _NUMBERING.sub("", line)
        if _BULLET.match(line):
            flush()
            line = _BULLET.sub("", line)
        if not cur:
            start = number
        cur.append(line)
        numbers.append(number)
    flush()
    return blocks


def _join_lines(lines: list[str]) -> str:
    return _join_lines_with_offsets(lines)[0]


def _join_lines_with_offsets(lines: list[str]) -> tuple[str, list[int]]:
    """The lines joined into one text, and where each line starts in it."""
    out = ""
    offsets = []
    for line in lines:
        if not out:
            offsets.append(0)
            out = line
        elif _HYPHENATED.search(out):
            offsets.append(len(out))
            out = out[:-1] + HYPHEN_MARK + line  # ambiguous: tried 3 ways
        elif out.endswith("/") or out.endswith("_"):
            offsets.append(len(out))
            out += line  # wrapped path or URL
        else:
            offsets.append(len(out) + 1)
            out += " " + line
    return out, offsets


def apply_fixes(text: str, exc: Exceptions) -> str:
    for word, _comment in exc.hyphens:  # a real hyphen at a line end: not ambiguous
        first, _, rest = word.partition("-")
        text = text.replace(first + HYPHEN_MARK + rest, word)
    for old, new, _comment in exc.fixes:
        text = text.replace(old, new)
    return text


@dataclass
class Source:
    markdown_blocks: list[Block]
    yaml_spans: list[tuple[str, list[tuple[int, str]]]]  # comment, lines
    missing_spans: list[tuple[str, str]]
    raw_joined: str  # all blocks, before fixes (to validate the fixture)


@lru_cache(maxsize=None)
def load_source() -> Source:
    path = source_path()
    if path is None:
        pytest.fail("source text not found: expected ../shared/seeds/000_564f0d8992f6e850.txt beside the "
                    "repository (or set FIDELITY_SOURCE)")
    exc = load_exceptions()
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = _blank_ignored(lines, exc.ignores)
    spans, missing = _find_spans(lines, exc.spans)
    in_span = set()
    yaml_spans = []
    for i, j, comment in spans:
        in_span.update(range(i, j + 1))
        yaml_spans.append((comment, [(k + 1, lines[k]) for k in range(i, j + 1)]))
    numbered = [(k + 1, "" if k in in_span else line) for k, line in enumerate(lines)]
    blocks = _join(numbered)
    all_blocks = _join([(k + 1, line) for k, line in enumerate(lines)])
    raw_joined = " ".join(b.text.replace(HYPHEN_MARK, "") for b in all_blocks)
    raw_joined += " " + " ".join(b.text.replace(HYPHEN_MARK, "-") for b in all_blocks)
    return Source(blocks, yaml_spans, missing, raw_joined)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+")
_URL_LIKE = re.compile(r"://|\bwww\.|\b[\w-]+\.(?:nl|net|org|com)/")


def words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def sentences(block: Block, exc: Exceptions) -> list[tuple[int, str]]:
    """Sentences of a block that must occur in the corpus.

    Fragments shorter than MIN_WORDS (initials and years in references,
    "(vo school 3).") are merged with the following fragment of the same
    block, a short trailing "(...)" with the preceding one; what stays short
    is only checked when it is URL-like or a quote attribution.
    """
    text = apply_fixes(block.text.replace("*", ""), exc)
    out = []
    for part in text.split(BREAK):
        frags = [f.strip() for f in _SENTENCE_END.split(part) if f.strip()]
        merged: list[str] = []
        buf = ""
        for frag in frags:
            buf = f"{buf} {frag}" if buf else frag
            if words(buf) >= MIN_WORDS:
                merged.append(buf)
                buf = ""
        if buf:
            if buf.startswith("(") and merged:
                merged[-1] = f"{merged[-1]} {buf}"
            else:
                merged.append(buf)
        for sentence in merged:
            sentence = sentence.rstrip(":").strip()
            if (words(sentence) >= MIN_WORDS or _URL_LIKE.search(sentence)
                    or (block.attribution and sentence)):
                out.append((block.line, sentence))
    return out


def variants(text: str):
    """All readings of the ambiguous line-end hyphens in ``text``."""
    parts = text.split(HYPHEN_MARK)
    if len(parts) == 1:
        yield text
        return
    for combo in itertools.product(("", "-", "- "), repeat=len(parts) - 1):
        yield parts[0] + "".join(c + p for c, p in zip(combo, parts[1:]))


# --------------------------------------------------------------------------
# Markdown corpus
# --------------------------------------------------------------------------

_SHORTCODE_LINE = re.compile(r"^\{\{<\s*([\w-]+)\s+([\w-]+)\s*>\}\}$")
_ALLOWED_SHORTCODES = {"impactthemas", "aanbevelingen", "downloads"}
_SITE_WIDE_SHORTCODES = {"schooltypen"}
_ALLOWED_TYPES = {"bo", "go", "vo-mbo"}


def strip_markdown(md: str) -> str:
    """Plain text of a Markdown page (as far as the fidelity check needs)."""
    if md.startswith("---\n"):
        end = md.find("\n---", 4)
        if end != -1:
            md = md[end + 4:]
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.S)
    out_lines = []
    for line in md.splitlines():
        s = line.strip()
        if _SHORTCODE_LINE.match(s):
            continue
        if re.match(r"^(!!!|\?\?\?\+?)\s", s):  # admonition opener
            continue
        if re.match(r"^(-{3,}|\*{3,}|_{3,})$", s):  # horizontal rule
            continue
        if re.match(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$", s):  # table rule
            continue
        s = re.sub(r"^\[\^[^\]]+\]:\s*", "", s)  # footnote definition
        s = re.sub(r"^(>\s?)+", "", s)  # block quote
        s = re.sub(r"^#{1,6}\s+", "", s)  # heading
        s = re.sub(r"^([-*+]|\d+\.)\s+", "", s)  # list item
        s = re.sub(r"^\d+\.\s+", "", s)  # numbered heading "1. Identiteit"
        if s.startswith("|"):
            s = s.strip("|").replace("|", " ")
        out_lines.append(s)
    text = "\n".join(out_lines)
    text = re.sub(r"\[\^[^\]]+\]", "", text)  # footnote reference
    text = re.sub(r"!?(?<!\\)\[((?:[^\]\\]|\\.)*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)", r"\1", text)
    text = re.sub(r"<[^>\n]+>", " ", text)  # HTML tags
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)  # escapes
    text = text.replace("**", "").replace("*", "")
    text = html.unescape(text)
    return norm(text)


def markdown_files() -> list[Path]:
    return sorted(CONTENT.rglob("*.md"))


def build_corpus(texts) -> str:
    return FILE_SEP.join(texts)


@lru_cache(maxsize=None)
def content_corpus() -> str:
    return build_corpus(strip_markdown(p.read_text(encoding="utf-8")) for p in markdown_files())


def missing_sentences(corpus: str, source: Source, exc: Exceptions) -> list[tuple[int, str]]:
    missing = []
    for block in source.markdown_blocks:
        for line, sentence in sentences(block, exc):
            if not any(v in corpus for v in variants(sentence)):
                missing.append((line, sentence.replace(HYPHEN_MARK, "-")))
    return missing


# --------------------------------------------------------------------------
# YAML corpus
# --------------------------------------------------------------------------


def yaml_files() -> list[Path]:
    if not INDICATORS.is_dir():
        return []
    return sorted(list(INDICATORS.glob("*.yaml")) + list(INDICATORS.glob("*.yml")))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _strings(value)


def yaml_units(lines: list[tuple[int, str]], exc: Exceptions) -> list[tuple[int, str]]:
    """Split a YAML-owned span into short units that must occur in the YAML.

    The YAML may split titles, descriptions and list items differently from
    the PDF, so the span is cut at every source line end (except hyphenated
    and wrapped-path line ends), at sentence ends and at spaced dashes. Every
    unit is a substring of the true text, so a faithful YAML always passes.
    """
    units = []
    pending: list[str] = []
    first = 0
    for number, raw in lines + [(0, "")]:
        line = _BULLET.sub("", _NUMBERING.sub("", norm(raw)))
        if pending and (not line or not (_HYPHENATED.search(pending[-1])
                                         or pending[-1].endswith("/"))):
            units.append((first, _join_lines(pending)))
            pending = []
        if line:
            if not pending:
                first = number
            pending.append(line)
    out = []
    for number, unit in units:
        unit = apply_fixes(unit, exc)
        for part in re.split(r"\s+-\s+|" + BREAK + r"|(?<=[.!?])\s+", unit):
            part = part.strip().strip(" .:;,").strip()
            if part.startswith("- "):
                part = part[2:]
            if words(part) >= MIN_WORDS_YAML:
                out.append((number, part))
    return out


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------


def test_fixture_is_well_formed():
    exc = load_exceptions()
    assert not exc.malformed, f"malformed fixture lines: {exc.malformed}"
    assert not exc.uncommented, f"fixture lines without '  # why' comment: {exc.uncommented}"


def test_fixture_entries_match_the_source():
    source = load_source()
    exc = load_exceptions()
    assert not source.missing_spans, f"SPAN markers not found (or start not unique) in source: {source.missing_spans}"
    raw = "".join(b.text for b in source.markdown_blocks)
    stale = [w for w, _c in exc.hyphens if w.replace("-", HYPHEN_MARK, 1) not in raw]
    assert not stale, f"HYPHEN entries that are not a hyphen at a line end in the source: {stale}"
    stale = [old for old, _new, _c in exc.fixes if old not in source.raw_joined]
    assert not stale, f"fixes whose old text does not occur in the source: {stale}"


def test_fixes_are_applied_in_content():
    """A listed typo must not survive in the Markdown."""
    exc = load_exceptions()
    corpus = content_corpus()
    survivors = [old for old, new, _c in exc.fixes
                 if old != new and BREAK not in new and old in corpus]
    assert not survivors, f"typos listed as fixed but still present in content/: {survivors}"


def test_every_source_sentence_is_in_content():
    source = load_source()
    missing = missing_sentences(content_corpus(), source, load_exceptions())
    report = "\n".join(f"  source line {line}: {text}" for line, text in missing)
    assert not missing, f"{len(missing)} source sentence(s) missing from content/:\n{report}"


def test_checker_detects_a_deleted_sentence():
    """Guard the guard: removing one sentence from the corpus must be noticed."""
    source = load_source()
    exc = load_exceptions()
    corpus = content_corpus()
    victim = "Zoiets gebeurt niet zomaar."
    assert victim in corpus
    damaged = corpus.replace(victim, "", 1)
    missing = [text for _line, text in missing_sentences(damaged, source, exc)]
    assert "Zoiets gebeurt niet zomaar." in missing


def test_yaml_owned_spans_are_in_indicators():
    assert yaml is not None, "PyYAML is required"
    source = load_source()
    exc = load_exceptions()
    texts = []
    for path in yaml_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.extend(norm(s) for s in _strings(data))
    corpus = build_corpus(texts).casefold()
    originals = {new.casefold(): old.casefold() for old, new, _c in exc.fixes}
    missing = []
    for comment, lines in source.yaml_spans:
        for number, unit in yaml_units(lines, exc):
            candidates = set()
            for v in variants(unit):
                v = v.casefold()
                candidates.add(v)
                for new, old in originals.items():  # the YAML may keep the typo
                    if new in v:
                        candidates.add(v.replace(new, old))
            if not any(c in corpus for c in candidates):
                missing.append((number, comment, unit.replace(HYPHEN_MARK, "-")))
    report = "\n".join(f"  source line {n} ({c}): {u}" for n, c, u in missing)
    assert not missing, f"{len(missing)} YAML-owned text unit(s) missing from indicators/*.yaml:\n{report}"


def test_pages_have_one_h1_and_valid_shortcodes():
    problems = []
    for path in markdown_files():
        rel = path.relative_to(CONTENT)
        text = path.read_text(encoding="utf-8")
        body = text
        if body.startswith("---\n"):
            end = body.find("\n---", 4)
            body = body[end + 4:] if end != -1 else body
        lines = body.strip("\n").splitlines()
        if not lines or not lines[0].startswith("# "):
            problems.append(f"{rel}: does not start with '# Heading'")
        fence = False
        h1 = 0
        for line in lines:
            if line.startswith("```"):
                fence = not fence
            if fence:
                continue
            if line.startswith("# "):
                h1 += 1
            if "{{" in line or "}}" in line:
                m = _SHORTCODE_LINE.match(line.strip())
                if line.strip() in {f"{{{{< {name} >}}}}" for name in _SITE_WIDE_SHORTCODES}:
                    continue
                if not (m and m.group(1) in _ALLOWED_SHORTCODES and m.group(2) in _ALLOWED_TYPES):
                    problems.append(f"{rel}: invalid template syntax: {line.strip()}")
        if h1 != 1:
            problems.append(f"{rel}: {h1} level-1 headings")
    assert not problems, "\n".join(problems)


_LINK = re.compile(r"(?<![\\!])\[((?:[^\]\\]|\\.)*)\]\(([^)\s]+)\)")
_GENERATED_PAGES = {"downloads.md", "vergelijking.md", "begrippenlijst.md",
                    "bo/reflectievragen.md", "go/reflectievragen.md",
                    "vo-mbo/reflectievragen.md"}


def test_links_point_where_their_text_says():
    """URL-like link texts link to that URL; internal links resolve."""
    problems = []
    for path in markdown_files():
        rel = path.relative_to(CONTENT)
        for text, href in _LINK.findall(path.read_text(encoding="utf-8")):
            text = re.sub(r"\\(.)", r"\1", text)
            if _URL_LIKE.search(text) or text.startswith("http"):
                allowed = {text} if text.startswith("http") else {"https://" + text, "http://" + text}
                if href not in allowed:
                    problems.append(f"{rel}: [{text}] links to {href}")
            elif not re.match(r"^[a-z]+:", href):
                target = (path.parent / href.split("#")[0]).resolve()
                try:
                    target_rel = target.relative_to(CONTENT.resolve()).as_posix()
                except ValueError:
                    target_rel = str(target)
                if not target.is_file() and target_rel not in _GENERATED_PAGES:
                    problems.append(f"{rel}: broken internal link {href}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# the site as a reader goes through it: order, headings, glossary
# --------------------------------------------------------------------------
#
# These checks read the pages exactly as the build stages them for MkDocs
# (publisher.pages.staged_pages): content pages with their shortcodes
# expanded and the pages generated from the YAML files, in menu order.
# What the site adds or reads differently is listed in docs/redactie.yaml.

EDITORIAL = ROOT / "docs" / "redactie.yaml"
GUIDE = ROOT / "docs" / "redacteuren.md"


@dataclass
class StagedSite:
    pages: list[tuple[str, str]]  # (path, Markdown as MkDocs reads it), in menu order
    publication_pages: list[str]  # pages that carry the publication's text (not the site's own pages)
    menu_labels: list[str]  # section labels of the menu
    glossary: list  # publisher.model.Term


@lru_cache(maxsize=None)
def staged_site() -> StagedSite:
    from publisher.pages import menu, staged_pages
    from publisher.project import Project
    from publisher.sheets import Download, sheet_specs
    from publisher.structure import SITE_PAGES, navigation, tool_pages
    from publisher.validate import load_publication

    project = Project.at(ROOT)
    loaded = load_publication(project)
    assert loaded.publication is not None, "\n".join(str(p) for p in loaded.errors)
    publication = loaded.publication
    downloads = {school_type.id: [] for school_type in publication.instruments}
    for spec in sheet_specs(publication):
        downloads[spec.instrument.id].append(Download(spec.file_name, spec.label, 0, Path(spec.file_name)))
    staged = {page.path: page.text for page in staged_pages(project, publication, loaded.pages, downloads)}
    tools = set(tool_pages([school_type.id for school_type in publication.instruments]))
    order = [path for path in navigation(publication.config, publication.instruments) if path not in tools]
    assert set(order) == set(staged) - tools, "every staged page is in the menu"
    labels = [html.unescape(next(iter(entry))) for entry in menu(publication) if isinstance(entry, dict)]
    site_pages = set(SITE_PAGES) | {structure.comparison.page for structure, _ in publication.comparisons()}
    return StagedSite([(path, staged[path]) for path in order], [p for p in order if p not in site_pages],
                      labels, list(publication.glossary.terms))


@lru_cache(maxsize=None)
def editorial() -> dict:
    assert yaml is not None, "PyYAML is required"
    return yaml.safe_load(EDITORIAL.read_text(encoding="utf-8"))


# ---- headings -------------------------------------------------------------

_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.S)
_ATTR_LIST = re.compile(r"\s*\{\s*[#.][^}]*\}")
_FRONT_TITLE = re.compile(r"^title:\s*(.+)$", re.M)


def heading_text(raw: str) -> str:
    return norm(html.unescape(re.sub(r"<[^>]+>", "", _ATTR_LIST.sub("", raw))))


def page_headings(markdown_text: str) -> list[str]:
    """The headings of a staged page, in order (Markdown '#' lines and HTML <h1>-<h6>)."""
    body = markdown_text
    if body.startswith("---\n"):
        body = body[body.find("\n---\n", 4) + 5:]
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    found = []
    for line in body.splitlines():
        match = _MD_HEADING.match(line)
        if match:
            found.append(heading_text(match.group(1)))
        found += [heading_text(h) for h in _HTML_HEADING.findall(line)]
    return [h for h in found if h]


def page_title(markdown_text: str) -> str | None:
    """The title in the staged front matter (menu entry and browser tab)."""
    if not markdown_text.startswith("---\n"):
        return None
    match = _FRONT_TITLE.search(markdown_text[: markdown_text.find("\n---\n", 4)])
    return heading_text(match.group(1)) if match else None


def _heading_key(text: str) -> str:
    return norm(text).casefold().rstrip(":").strip()


@lru_cache(maxsize=None)
def source_headings() -> dict[str, list[int]]:
    """Every text a heading may have if it is the publication's: a source line, or two or three
    consecutive lines read as one, with or without a leading chapter number ('1 Basisonderwijs
    (bo)', 'Basisonderwijs (bo)'), or the part before ' - ' or ':' ('1. WAT' of '1. WAT -
    Veranderingen & effecten'). Value: the source lines where it starts."""
    path = source_path()
    lines = _blank_ignored(path.read_text(encoding="utf-8").splitlines(), load_exceptions().ignores)
    stripped = [norm(line) for line in lines]
    found: dict[str, list[int]] = {}
    for i in range(len(stripped)):
        for length in (1, 2, 3):
            run = stripped[i:i + length]
            if len(run) < length or not all(run):
                break
            for text in variants(_join_lines(run)):
                candidates = {text, re.sub(r"^\d{1,2}\.?\s+", "", text)}
                candidates |= {re.split(r"\s+-\s+|:\s", c, maxsplit=1)[0] for c in list(candidates)}
                for candidate in candidates:
                    found.setdefault(_heading_key(candidate), []).append(i + 1)
    return found


def composed_headings() -> dict[str, list[int]]:
    """Headings whose words stand apart in the extracted text (docs/redactie.yaml)."""
    path = source_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    composed = {}
    for entry in editorial().get("samengestelde_koppen", []):
        text = norm(" ".join(lines[n - 1] for n in entry["regels"]))
        assert _heading_key(text) == _heading_key(entry["kop"]), \
            f"docs/redactie.yaml: source lines {entry['regels']} read '{text}', not '{entry['kop']}'"
        composed[_heading_key(entry["kop"])] = [min(entry["regels"])]
    return composed


def heading_problems(headings: list[str], editorial_titles: set[str]) -> list[str]:
    known = {**source_headings(), **composed_headings()}
    listed = {_heading_key(t) for t in editorial_titles}
    return [h for h in dict.fromkeys(headings) if _heading_key(h) not in known and _heading_key(h) not in listed]


def all_site_headings(site: StagedSite) -> list[str]:
    headings = list(site.menu_labels)
    for _path, text in site.pages:
        headings += page_headings(text)
        title = page_title(text)
        if title:
            headings.append(title)
    return headings


def test_every_heading_is_the_publications_or_listed_as_editorial():
    """Headings, page titles and menu labels are the publication's words, or listed in
    docs/redactie.yaml as an editorial title."""
    site = staged_site()
    titles = {entry["titel"] for entry in editorial()["redactionele_titels"]}
    unknown = heading_problems(all_site_headings(site), titles)
    assert not unknown, ("headings that are not in the publication and not listed under 'redactionele_titels' in "
                         f"docs/redactie.yaml: {unknown}")


def test_heading_check_detects_an_invented_heading():
    titles = {entry["titel"] for entry in editorial()["redactionele_titels"]}
    assert heading_problems(["Resultaten per thema", "Resultaten en inzichten"], titles) == ["Resultaten per thema"]
    assert heading_problems(["3. Voortgezet onderwijs en mbo (vo & mbo)", "3 Voortgezet onderwijs (vo) en mbo",
                             "Reflectievragen basisonderwijs (bo)", "Reflectievragen bo", "Voorwoord"],
                            titles) == ["3. Voortgezet onderwijs en mbo (vo & mbo)", "Reflectievragen basisonderwijs (bo)"]


def test_editorial_list_is_used_and_in_the_guide():
    """No stale entries in docs/redactie.yaml, and the editor's guide lists every one of them."""
    site = staged_site()
    used = {_heading_key(h) for h in all_site_headings(site)}
    guide = norm(GUIDE.read_text(encoding="utf-8"))
    data = editorial()
    stale = [e["titel"] for e in data["redactionele_titels"] if _heading_key(e["titel"]) not in used]
    assert not stale, f"editorial titles listed in docs/redactie.yaml but not on the site: {stale}"
    stale = [e["kop"] for e in data.get("samengestelde_koppen", []) if _heading_key(e["kop"]) not in used]
    assert not stale, f"composed headings listed in docs/redactie.yaml but not on the site: {stale}"
    missing = [e["titel"] for e in data["redactionele_titels"] if norm(e["titel"]) not in guide]
    decisions = [f"{e['regels']} → vóór {e['voor']}" if "voor" in e else f"{e['regels']} → na {e['na']}"
                 for e in data["leesvolgorde"]]
    missing += [d for d in decisions if d not in guide]
    missing += [e["kop"] for e in data.get("samengestelde_koppen", []) if norm(e["kop"]) not in guide]
    assert not missing, f"docs/redacteuren.md does not mention: {missing}"


# ---- reading order --------------------------------------------------------


@dataclass(frozen=True)
class Move:
    first: int
    last: int
    anchor: float  # the reading position: just before or after an (unmoved) source line
    index: int  # moves to the same place keep the order of the list


def reading_moves() -> list[Move]:
    moves = []
    for index, entry in enumerate(editorial()["leesvolgorde"]):
        first, _, last = str(entry["regels"]).partition("-")
        if "voor" in entry:
            anchor = int(entry["voor"]) - 0.25
        else:
            anchor = int(entry["na"]) + 0.25
        moves.append(Move(int(first), int(last or first), anchor, index))
    return moves


def reading_key(line: int, moves: list[Move]) -> tuple:
    """Where a source line comes when the publication is read in the site's order."""
    for move in moves:
        if move.first <= line <= move.last:
            return (move.anchor, move.index, line)
    return (float(line), -1, line)


def _corpus_text(markdown_text: str) -> str:
    """A staged page as plain text, like the content corpus: abbreviation definitions and
    attribute lists dropped."""
    text = "\n".join(line for line in markdown_text.split("\n") if not line.startswith("*["))
    return strip_markdown(_ATTR_LIST.sub("", text)).casefold()


def sentence_lines(block: Block, exc: Exceptions) -> list[tuple[int, str]]:
    """The sentences of a block, each with the source line it starts on (not the block's first line)."""
    fixed = apply_fixes(block.text.replace("*", ""), exc)
    starts = [(len(apply_fixes(block.text[:offset].replace("*", ""), exc)), line) for offset, line in block.starts]
    out, cursor = [], 0
    for _line, sentence in sentences(block, exc):
        at = fixed.find(sentence[:30], cursor)
        if at == -1:
            at = cursor
        cursor = at + 1
        out.append((([line for offset, line in starts if offset <= at] or [block.line])[-1], sentence))
    return out


def source_units(source: Source, exc: Exceptions) -> list[tuple[int, list[str]]]:
    """Every checked unit of the publication (sentences; short units of YAML-owned text) with
    its source line and the spellings it may have on the site."""
    units = []
    for block in source.markdown_blocks:
        for line, sentence in sentence_lines(block, exc):
            units.append((line, [v.casefold() for v in variants(sentence)]))
    originals = {new.casefold(): old.casefold() for old, new, _c in exc.fixes}
    for _comment, lines in source.yaml_spans:
        for line, unit in yaml_units(lines, exc):
            spellings = []
            for v in variants(unit):
                v = v.casefold()
                spellings.append(v)
                spellings += [v.replace(new, old) for new, old in originals.items() if new in v]
            units.append((line, spellings))
    return units


def reading_order_problems(pages: list[tuple[str, str]], moves: list[Move]) -> list[str]:
    """Walk the publication in reading order (source order with the moves of docs/redactie.yaml)
    and find each unit on the site: each must stand after the previous one. Then every heading
    must stand between the units it belongs between. Returns what is out of order."""
    source, exc = load_source(), load_exceptions()
    corpus, starts, heading_positions = "", [], []
    for path, text in pages:
        page_text = _corpus_text(text)
        cursor = 0
        for heading in page_headings(text):
            at = page_text.find(norm(heading).casefold(), cursor)
            if at != -1:
                heading_positions.append((len(corpus) + at, heading, path))
                cursor = at + 1
        starts.append((len(corpus), path))
        corpus += page_text + FILE_SEP

    def page_at(position: int) -> str:
        return [path for start, path in starts if start <= position][-1]

    problems: list[str] = []
    placed: list[tuple[int, tuple, int]] = []  # (site position, reading key, source line)
    previous, previous_line = -1, None
    for line, spellings in sorted(source_units(source, exc), key=lambda u: reading_key(u[0], moves)):
        positions = sorted({m.start() for s in spellings for m in re.finditer(re.escape(s), corpus)})
        if not positions:
            problems.append(f"source line {line}: not found on the site ({spellings[0][:60]}…)")
            continue
        after = [p for p in positions if p > previous]
        if not after:
            problems.append(f"source line {line} ({page_at(positions[0])}: {spellings[0][:50]}…) stands before "
                            f"source line {previous_line} ({page_at(previous)}) on the site")
        position = after[0] if after else positions[0]
        placed.append((position, reading_key(line, moves), line))
        previous, previous_line = position, line
    placed.sort()
    known = {**source_headings(), **composed_headings()}
    for position, heading, path in heading_positions:
        lines = known.get(_heading_key(heading))
        if not lines:
            continue  # an editorial heading: nothing to keep in order
        before = [key for p, key, _ in placed if p < position]
        after = [key for p, key, _ in placed if p > position]
        low = before[-1] if before else (float("-inf"),)
        high = after[0] if after else (float("inf"),)
        if not any(low <= reading_key(n, moves) <= high for n in lines):
            problems.append(f"heading '{heading}' ({path}, source line {', '.join(map(str, lines))}) stands "
                            f"between source lines {low[-1]} and {high[-1]} on the site")
    return problems


def test_site_follows_the_publications_reading_order():
    """Pages, sections, quotes and sentences come in the publication's order; every place where
    the site reads the extracted text differently is a decision in docs/redactie.yaml."""
    site = staged_site()
    pages = [(p, t) for p, t in site.pages if p in site.publication_pages]
    problems = reading_order_problems(pages, reading_moves())
    assert not problems, "out of the publication's order (decide, and list it in docs/redactie.yaml):\n  " + \
        "\n  ".join(problems)


def test_reading_moves_are_well_formed():
    moves = reading_moves()
    for move in moves:
        assert move.first <= move.last
        anchor_line = int(move.anchor + 0.25) if move.anchor % 1 == 0.75 else int(move.anchor - 0.25)
        assert reading_key(anchor_line, moves)[1] == -1, f"the anchor {anchor_line} is itself moved"


def _swap(pages: list[tuple[str, str]], a: str, b: str) -> list[tuple[str, str]]:
    paths = [p for p, _ in pages]
    i, j = paths.index(a), paths.index(b)
    pages = list(pages)
    pages[i], pages[j] = pages[j], pages[i]
    return pages


def test_reading_order_check_detects_a_moved_section_or_quote():
    """Guard the guard: the old order (bo recommendations before the reflection questions),
    a quote moved to another page, and a dropped decision are all noticed."""
    site = staged_site()
    pages = [(p, t) for p, t in site.pages if p in site.publication_pages]
    moves = reading_moves()
    assert any("'Reflectievragen bo'" in problem for problem in
               reading_order_problems(_swap(pages, "bo/reflectievragen.md", "bo/aanbevelingen.md"), moves))
    quote = "“De verschillen tussen de opleidingen hangen"
    moved = []
    for path, text in pages:
        if path == "vo-mbo/resultaten.md":
            start = text.index("<figure", text.index(quote) - 200)
            end = text.index("</figure>", start) + len("</figure>")
            figure, text = text[start:end], text[:start] + text[end:]
        moved.append((path, text))
    moved = [(p, t.replace("# Resultaten en inzichten\n", "# Resultaten en inzichten\n\n" + figure + "\n", 1)
              if p == "vo-mbo/resultaten.md" else t) for p, t in moved]
    assert any("1487" in problem for problem in reading_order_problems(moved, moves))
    without_go_themes = [m for m in moves if m.first != 808]
    assert any(problem.startswith("source line 851 ") for problem in reading_order_problems(pages, without_go_themes))
    heading_moved = [(p, t.replace("## Impact in het go\n", "## Impact in het vo en mbo\n")) for p, t in pages]
    assert any("Impact in het vo en mbo" in problem for problem in reading_order_problems(heading_moved, moves))


# ---- glossary ---------------------------------------------------------------

EDITORIAL_MARK = "Toelichting van de redactie"
EDITORIAL_TOOLTIP = "(toelichting van de redactie)"


def _canon(text: str) -> str:
    """For quotations: letters and digits only, case-folded (line-end hyphens, spaces and
    quote styles of the extracted text do not matter; every word does)."""
    return re.sub(r"[\W_]+", "", norm(text.replace(HYPHEN_MARK, "")).casefold())


@lru_cache(maxsize=None)
def source_canon() -> str:
    source, exc = load_source(), load_exceptions()
    blocks = _join([(k + 1, line) for k, line in enumerate(
        _blank_ignored(source_path().read_text(encoding="utf-8").splitlines(), exc.ignores))])
    # Joined without separators: a quotation may run on where the extraction broke a block.
    return "".join(_canon(apply_fixes(block.text, exc)) for block in blocks)


def _glossary_entries(glossary_page: str) -> dict[str, str]:
    """Term → the text of its entry on the staged glossary page (a definition list: the term
    on its own line, then ':   ' and the indented definition)."""
    lines = glossary_page.split("\n")
    terms = []  # (index of the term line, term)
    for i, line in enumerate(lines):
        if line.startswith(":   "):
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            terms.append((j, html.unescape(lines[j].strip())))
    entries = {}
    for k, (j, term) in enumerate(terms):
        end = terms[k + 1][0] if k + 1 < len(terms) else len(lines)
        entries[term] = " ".join(line.strip() for line in lines[j + 1:end] if line.strip() and not line.startswith("*["))
    return entries


def glossary_problems(terms, glossary_page: str, abbreviation_lines: list[str]) -> list[str]:
    problems = []
    entries = _glossary_entries(glossary_page)
    tooltips = {}
    for line in abbreviation_lines:
        match = re.match(r"^\*\[(.+?)\]:\s*(.*)$", line)
        if match:
            tooltips[match.group(1)] = html.unescape(match.group(2))
    for term in terms:
        entry = entries.get(term.term, "")
        if not entry:
            problems.append(f"{term.term}: not on the glossary page")
            continue
        if term.source == "publicatie":
            if _canon(term.explanation) not in source_canon():
                problems.append(f"{term.term}: 'bron: publicatie', but the explanation is not the publication's text")
            if f"({term.place})" not in entry:
                problems.append(f"{term.term}: the quotation does not link to {term.place}")
        elif EDITORIAL_MARK not in entry:
            problems.append(f"{term.term}: editorial explanation without '{EDITORIAL_MARK}' on the glossary page")
        if term.expansion:
            tooltip = tooltips.get(re.sub(r"^\W+|\W+$", "", term.term))  # as publisher.escaping.abbreviation_term
            if term.expansion_source == "publicatie":
                if _canon(term.expansion) not in source_canon():
                    problems.append(f"{term.term}: 'voluit_bron: publicatie', but '{term.expansion}' is not in the publication")
            elif EDITORIAL_TOOLTIP not in entry:
                problems.append(f"{term.term}: editorial expansion without its mark on the glossary page")
            elif tooltip is None or EDITORIAL_TOOLTIP not in tooltip:
                problems.append(f"{term.term}: editorial expansion without its mark in the tooltip ({tooltip!r})")
    return problems


def _glossary_inputs(site: StagedSite) -> tuple[str, list[str]]:
    pages = dict(site.pages)
    glossary_page = pages["begrippenlijst.md"]
    abbreviations = [line for line in pages["index.md"].split("\n") if line.startswith("*[")]
    return glossary_page, abbreviations


def test_glossary_entries_are_quoted_from_the_publication_or_marked_editorial():
    site = staged_site()
    glossary_page, abbreviations = _glossary_inputs(site)
    problems = glossary_problems(site.glossary, glossary_page, abbreviations)
    assert not problems, "\n".join(problems)


def test_glossary_check_detects_unmarked_editorial_text():
    site = staged_site()
    glossary_page, abbreviations = _glossary_inputs(site)
    zml = next(t for t in site.glossary if t.term == "ZML")
    brede = next(t for t in site.glossary if t.term == "brede ontwikkeling")
    # A paraphrase presented as the publication (the old "brede ontwikkeling" without "/ambacht").
    paraphrase = brede.model_copy(update={"explanation": brede.explanation.replace("vakmanschap/ambacht", "vakmanschap")})
    assert glossary_problems([paraphrase], glossary_page, abbreviations)
    # An editorial expansion presented as the publication's.
    claimed = zml.model_copy(update={"expansion_source": "publicatie"})
    assert glossary_problems([claimed], glossary_page, abbreviations)
    # The marks left out of the page or the tooltip.
    assert glossary_problems([zml], glossary_page.replace(EDITORIAL_MARK, "Uitleg"), abbreviations)
    assert glossary_problems([zml], glossary_page, [a.replace(EDITORIAL_TOOLTIP, "") for a in abbreviations])


def test_so_abbreviation_does_not_fire_inside_v_so():
    """'(v)so' has its own tooltip; the one of 'so' (speciaal onderwijs) is not inside it."""
    from publisher.pages import StagedPage
    from publisher.project import Project
    from publisher.site_check import render_page

    site = staged_site()
    rendered = render_page(Project.at(ROOT), StagedPage("go/index.md", dict(site.pages)["go/index.md"])).html
    assert "(v)so" in re.sub(r"<[^>]+>", "", rendered)
    abbreviations = re.findall(r"<abbr title=\"([^\"]*)\">([^<]*)</abbr>", rendered)
    assert ("speciaal onderwijs", "so") in abbreviations  # "speciaal onderwijs (so)"
    assert not re.search(r"\(v\)<abbr[^>]*>so</abbr>", rendered)
    assert any(text == "v)so" and EDITORIAL_TOOLTIP in title for title, text in abbreviations)
