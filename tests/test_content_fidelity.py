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

Only the standard library and PyYAML are used.
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
        if os.environ.get("CI", "").lower() in ("1", "true"):
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
    start = 0
    prev_blank = True

    def flush():
        nonlocal cur
        if cur:
            blocks.append(Block(start, _join_lines(cur)))
        cur = []

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
    flush()
    return blocks


def _join_lines(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if not out:
            out = line
        elif _HYPHENATED.search(out):
            out = out[:-1] + HYPHEN_MARK + line  # ambiguous: tried 3 ways
        elif out.endswith("/") or out.endswith("_"):
            out += line  # wrapped path or URL
        else:
            out += " " + line
    return out


def apply_fixes(text: str, exc: Exceptions) -> str:
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
