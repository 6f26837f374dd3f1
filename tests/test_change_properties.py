"""Property test (Hypothesis) for the change summary of a pull request (issue 20): any edit of a
fixture set (items reworded, removed, added, renamed with `was:`, whole instruments removed or
added) is reported exactly, in the documented order, with the numbers a reader sees, and in the
terminal lines of `describe`.

The oracle is the list of edits Hypothesis made, applied to the plain YAML (yaml.safe_load) of
the fixture publications; numbers are counted here by hand (1 to N in reading order: an
instrument's own items, then per section its subsections before its own items). The code under
test (`publisher.changes`) only gets the two publications. No site is built: fast enough to be
one of the mutation tool's targets (bench/mutate.py).
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, PUBLICATION_FOLDERS, load_yaml, publication_from_data
from publisher.changes import (ADDED, REMOVED, RENAMED, REWORDED, Changes, InstrumentChange, ItemChange, describe,
                               instrument_changes, item_changes)

FOLDERS = {name: PUBLICATION_FOLDERS[name] for name in ("kcr", "instrumenten")}


@pytest.fixture(scope="module", params=sorted(FOLDERS))
def fixture_set(request) -> tuple[dict, dict, dict]:
    folder = FOLDERS[request.param]
    config = load_yaml(folder / "site_config.yaml")
    glossary = load_yaml(folder / "content" / "begrippen.yaml") if (folder / "content" / "begrippen.yaml").exists() else None
    instruments = {i: load_yaml(folder / "indicators" / f"{i}.yaml") for i in config["instrumenten"]}
    return config, glossary, instruments


def _item_lists(data: dict) -> list[list[dict]]:
    """Every list of items of an instrument, in reading order (own items, then per section its
    subsections before its own items)."""
    def walk(sections):
        for section in sections:
            yield from walk(section.get("secties", []))
            yield section.setdefault("items", [])
    return [data.setdefault("items", []), *walk(data.get("secties", []))]


def _numbered(data: dict) -> list[tuple[int, dict]]:
    return list(enumerate((item for items in _item_lists(data) for item in items), start=1))


def _norm(text: str) -> str:
    return text.strip()


# One edit per item: what happens to it; and per item list: how many new items are appended.
EDIT = st.sampled_from(["keep", "keep", "reword", "remove", "rename", "rename+reword"])
WORDS = st.lists(st.sampled_from(["Hoe", "vaak", "werken", "leerlingen", "samen", "met", "de", "kunstenaar", "?",
                                  "“citaat”", "&", "<b>", "école"]), min_size=1, max_size=8).map(" ".join)


@st.composite
def edits(draw, instruments: dict):
    plan = {}
    ids = list(instruments)
    removed = draw(st.sets(st.sampled_from(ids), max_size=len(ids) - 1)) if len(ids) > 1 else set()
    for instrument_id in ids:
        if instrument_id in removed:
            continue
        lists = _item_lists(copy.deepcopy(instruments[instrument_id]))
        plan[instrument_id] = [([(draw(EDIT), draw(WORDS)) for _ in items], draw(st.lists(WORDS, max_size=2)))
                               for items in lists]
    added = draw(st.booleans())
    return removed, plan, added


def _apply(instruments: dict, removed: set, plan: dict, added: bool):
    """The head version's YAML and the item changes expected, computed from the edit list."""
    head = {}
    expected: list[tuple] = []
    counter = 0
    for instrument_id, data in instruments.items():
        if instrument_id in removed:
            continue
        before = _numbered(copy.deepcopy(data))
        old_number = {item["id"]: number for number, item in before}
        new = copy.deepcopy(data)
        fate = {}  # new item id → (kind, old id)
        for items, (per_item, appended) in zip(_item_lists(new), plan[instrument_id]):
            kept = []
            for item, (edit, words) in zip(items, per_item):
                if edit == "remove" and (kept or item is not items[-1] or appended):
                    continue  # never leave a list that had items empty (the model refuses an empty section)
                if edit in ("reword", "rename+reword") and _norm(words) != _norm(item["tekst"]):
                    item["tekst"] = words
                    kind = REWORDED
                else:
                    kind = None
                if edit.startswith("rename"):
                    counter += 1
                    old_id = item["id"]
                    item["id"] = f"hernoemd-{counter}"
                    item["was"] = [*item.get("was", []), old_id]
                    fate[item["id"]] = (RENAMED, old_id)
                else:
                    fate[item["id"]] = (kind, item["id"])
                kept.append(item)
            for words in appended:
                counter += 1
                kept.append({"id": f"nieuw-{counter}", "tekst": words})
                fate[f"nieuw-{counter}"] = (ADDED, None)
            items[:] = kept
        head[instrument_id] = new
        old_text = {item["id"]: _norm(item["tekst"]) for _, item in before}
        for number, item in _numbered(new):
            kind, old_id = fate[item["id"]]
            if kind is None:
                continue
            text = _norm(item["tekst"])
            expected.append((instrument_id, kind, item["id"], old_text.get(old_id), text, number,
                             old_id if kind == RENAMED else None))
        still = {old_id for kind, old_id in fate.values() if old_id}
        expected += [(instrument_id, REMOVED, item["id"], old_text[item["id"]], None, old_number[item["id"]], None)
                     for _, item in before if item["id"] not in still]
    new_instrument = None
    if added:
        first = next(iter(instruments))
        new_instrument = copy.deepcopy(instruments[first])
        new_instrument["id"] = "nieuw-instrument"
        new_instrument["naam"] = "Nieuw instrument"
        new_instrument.pop("paginas", None)
        head = {"nieuw-instrument": new_instrument, **head}  # first: the instruments after it are still compared
    return head, expected, new_instrument


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_edit_is_reported_exactly(fixture_set, data) -> None:
    config, glossary, instruments = fixture_set
    removed, plan, added = data.draw(edits(instruments))
    head, expected, new_instrument = _apply(instruments, removed, plan, added)
    head_config = copy.deepcopy(config)
    head_config["instrumenten"] = list(head)
    base_publication = publication_from_data(config, glossary, instruments)
    head_publication = publication_from_data(head_config, glossary, head)

    found = [(c.instrument, c.kind, c.item_id, c.old, c.new, c.number, c.old_id)
             for c in item_changes(base_publication, head_publication)]
    assert found == expected

    expected_instruments = ([("nieuw-instrument", "Nieuw instrument", ADDED,
                              sum(len(items) for items in _item_lists(copy.deepcopy(new_instrument))))] if added else [])
    expected_instruments += [(i, instruments[i]["naam"], REMOVED, len(_numbered(copy.deepcopy(instruments[i]))))
                             for i in instruments if i in removed]
    assert [(c.instrument, c.name, c.kind, c.items) for c in instrument_changes(base_publication, head_publication)] \
        == expected_instruments

    changes = Changes("origin/main", item_changes(base_publication, head_publication), [],
                      instrument_changes(base_publication, head_publication))
    lines = describe(changes)
    if not expected and not expected_instruments:
        assert changes.empty
        assert lines == ["vergeleken met origin/main: geen instrumenten, vragen of pagina's veranderd"]
        return
    assert not changes.empty
    plural = lambda n, one, more: f"{n} {one if n == 1 else more}"  # noqa: E731
    assert lines[0] == (f"vergeleken met origin/main: {plural(len(expected_instruments), 'instrument', 'instrumenten')}, "
                        f"{plural(len(expected), 'vraag', 'vragen')} en 0 pagina's veranderd")
    body = lines[1:]
    assert body[:len(expected_instruments)] == [
        f"    instrument {i} ({name}, {plural(n, 'vraag', 'vragen')}) {kind}" for i, name, kind, n in expected_instruments]
    for line, (instrument, kind, item_id, old, new, number, old_id) in zip(body[len(expected_instruments):], expected):
        text = {ADDED: f"“{new}”", REMOVED: f"was “{old}”", REWORDED: f"“{old}” → “{new}”",
                RENAMED: f"was {old_id}" + (f", “{old}” → “{new}”" if old != new else "")}[kind]
        assert line == f"    {instrument} vraag {number} ({item_id}) {kind}: {text}"
    assert len(body) == len(expected_instruments) + len(expected)


def test_a_page_change_gets_its_own_line_and_count() -> None:
    from publisher.changes import CHANGED_PAGE, NEW_PAGE, PageChange

    changes = Changes("main", [], [PageChange("over.md", "Over", CHANGED_PAGE), PageChange("nieuw.md", "Nieuw", NEW_PAGE)])
    assert not changes.empty
    assert describe(changes) == ["vergeleken met main: 0 instrumenten, 0 vragen en 2 pagina's veranderd",
                                 "    pagina over.md (Over) gewijzigd", "    pagina nieuw.md (Nieuw) nieuw"]
    one = Changes("main", [], [PageChange("a.md", "A", CHANGED_PAGE)],
                  [InstrumentChange("x", "X", ADDED, 1)])
    assert describe(one)[:2] == ["vergeleken met main: 1 instrument, 0 vragen en 1 pagina veranderd",
                                 "    instrument x (X, 1 vraag) toegevoegd"]
    single = Changes("b", [ItemChange("bo", REWORDED, "a", "x", "y", 3)], [])
    assert describe(single)[0] == "vergeleken met b: 0 instrumenten, 1 vraag en 0 pagina's veranderd"


def test_a_page_title_is_read_from_its_front_matter_only() -> None:
    from publisher.changes import page_title
    from publisher.pages import StagedPage

    assert page_title(StagedPage("a.md", "---\ntitle: Over &amp; verder\n---\nTekst\n\n---\ntitle: Niet dit\n---\n")) == "Over & verder"
    assert page_title(StagedPage("b.md", "---\ntitle: 5\n---\nTekst")) == "b.md"
    assert page_title(StagedPage("c.md", "# Kop\n---\ntitle: X\n---\n")) == "c.md"


def test_a_base_with_errors_of_its_own_is_refused_in_dutch(tmp_path) -> None:
    from publisher.changes import compare_with_base
    from publisher.project import Project
    from publisher.repository import RevisionError

    base = tmp_path / "basis"
    base.mkdir()
    (base / "site_config.yaml").write_text("titel: [kapot\n", encoding="utf-8")
    with pytest.raises(RevisionError) as raised:
        compare_with_base(Project.at(ROOT), None, str(base))
    message = str(raised.value)
    assert message.startswith(f"de versie '{base}' heeft zelf fouten (")
    assert message.endswith("); vergelijken kan pas als die versie in orde is")
