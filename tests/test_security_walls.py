"""Security walls with an independent oracle (issue 20).

One table, written by hand: for each place an address can go in HTML (tag × attribute) and
each kind of address (same site, other host, protocol-relative, data:, javascript:, and
variants in mixed case, with spaces, tabs and character references), whether
- `check` refuses it in an editor's Markdown page (the allowlist of html_policy.py), and
- the build's last audit (site_audit.py) refuses it in a page MkDocs has built;
and, for every case, that Chromium under the site's real Content-Security-Policy asks no
other host for anything and runs nothing. The expectations below are not derived from the
code: they say what the site promises ("nothing is loaded from other hosts, nothing runs").

Fast layers (the policy and the audit on the HTML itself) run without a build; the slow ones
run `check` on real Markdown pages, the audit on pages of a real build, and Chromium.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import run_cli, serve_directory

from publisher import html_policy, site_audit, sources

OTHER = "evil.example"
SELF_HOST = "kc-r.nl"  # the host of site_config.yaml's basis_url (the production site)

# Kinds of address. {self} is the site's own origin (production host for check and audit, the
# test server in Chromium). Written as they stand in the HTML source (character references too).
KINDS = {
    "relatief": "muur.png",
    "vanaf-root": "/muur.png",
    "eigen-host-absoluut": "{self}muur.png",
    "https-ander": f"https://{OTHER}/muur.png",
    "http-ander": f"http://{OTHER}/muur.png",
    "protocol-relatief": f"//{OTHER}/muur.png",
    "backslash-relatief": f"/\\{OTHER}/muur.png",
    "https-hoofdletters-spatie": f" HTTPS://{OTHER}/muur.png",
    "https-entiteit": f"https&#58;//{OTHER}/muur.png",
    "data": "data:image/png;base64,iVBORw0KGgo=",
    "data-hoofdletters": " DATA:image/png;base64,iVBORw0KGgo=",
    "javascript": "javascript:alert(1)",
    "javascript-hoofdletters-spatie": " JaVaScRiPt:alert(1)",
    "javascript-tab": "java\tscript:alert(1)",
    "javascript-entiteit": "&#106;ava&#x09;script:alert(1)",
}

# Where the address goes.
PLACES = {
    "img/src": '<img src="{u}" alt="x">',
    "img/srcset": '<img src="muur.png" srcset="{u} 2x" alt="x">',
    "source/srcset": '<picture><source srcset="{u}"><img src="muur.png" alt="x"></picture>',
    "a/href": '<a href="{u}">x</a>',
    "link/stylesheet": '<link rel="stylesheet" href="{u}">',
    "script/src": '<script src="{u}"></script>',
    "iframe/src": '<iframe src="{u}"></iframe>',
    "object/data": '<object data="{u}"></object>',
    "video/poster": '<video poster="{u}"></video>',
    "style/url": '<table><tr><td style="text-align: left; background-image: url({u})">x</td></tr></table>',
    "svg/use": '<svg><use href="{u}#a"></use></svg>',
    "form/action": '<form action="{u}"><button>x</button></form>',
    "meta/refresh": '<meta http-equiv="refresh" content="0; url={u}">',
}

ALL = set(KINDS)
SAME_SITE = {"relatief", "vanaf-root"}
WEB_LINKS = {"relatief", "vanaf-root", "eigen-host-absoluut", "https-ander", "http-ander", "https-hoofdletters-spatie",
             "https-entiteit"}

# What an editor's page may hold (check): only a relative image and links to pages or web addresses
# (not from the root: the site lives under a path, so '/muur.png' would not be found).
CHECK_ALLOWS: dict[str, set[str]] = {
    "img/src": {"relatief"},
    "a/href": WEB_LINKS - {"vanaf-root"},
}
# What a built page may hold (audit): anything of the site itself; links anywhere but not
# to javascript:/data:; nothing that loads or submits to another host; no frame, object, refresh.
AUDIT_ALLOWS: dict[str, set[str]] = {
    "img/src": SAME_SITE,
    "img/srcset": SAME_SITE,
    "source/srcset": SAME_SITE,
    "a/href": WEB_LINKS | {"protocol-relatief", "backslash-relatief"},
    "link/stylesheet": SAME_SITE,
    "script/src": SAME_SITE,
    "video/poster": SAME_SITE,
    "style/url": SAME_SITE,
    "svg/use": SAME_SITE,
    "form/action": SAME_SITE,
}

CASES = [(place, kind) for place in PLACES for kind in KINDS]


def snippet(place: str, kind: str, origin: str = f"https://{SELF_HOST}/") -> str:
    return PLACES[place].replace("{u}", KINDS[kind].replace("{self}", origin))


def case_id(place: str, kind: str) -> str:
    return f"{place.replace('/', '-')}--{kind}"


def test_the_table_is_complete_and_names_only_known_cases() -> None:
    assert set(CHECK_ALLOWS) <= set(PLACES) and set(AUDIT_ALLOWS) <= set(PLACES)
    for allowed in (*CHECK_ALLOWS.values(), *AUDIT_ALLOWS.values()):
        assert allowed <= ALL
    # What check lets through, the audit must let through too (else a page passes check and breaks the build).
    for place, allowed in CHECK_ALLOWS.items():
        assert allowed <= AUDIT_ALLOWS.get(place, set()), place
    assert len(CASES) == len(PLACES) * len(KINDS) >= 180


# --------------------------------------------------------------------------- fast: the HTML itself


@pytest.mark.parametrize("place,kind", CASES, ids=[case_id(*c) for c in CASES])
def test_editor_html_policy(place: str, kind: str) -> None:
    """The allowlist that `check` applies to every page as MkDocs will render it."""
    found = html_policy.violations(snippet(place, kind))
    refused = bool(found)
    # The policy alone allows a link from the root; the link check of `check` refuses it (test below).
    expected_refused = kind not in CHECK_ALLOWS.get(place, set()) | ({"vanaf-root"} if place == "a/href" else set())
    assert refused == expected_refused, (snippet(place, kind), found)
    for violation in found:  # every refusal says what to write instead, in Dutch
        assert violation.message and violation.hint and violation.line == 1


@pytest.mark.parametrize("place,kind", CASES, ids=[case_id(*c) for c in CASES])
def test_audit_of_a_built_page(place: str, kind: str) -> None:
    page = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>t</title></head>'
            f'<body><article>{snippet(place, kind)}</article></body></html>')
    findings = site_audit.audit_page(page)
    expected_refused = kind not in AUDIT_ALLOWS.get(place, set())
    assert bool(findings) == expected_refused, (snippet(place, kind), findings)


def test_a_clean_page_passes_the_audit_and_json_data_is_not_code() -> None:
    page = ('<form action="bewaar"><button formaction="bewaar2">b</button><input type="image" src="b.png" alt="b">'
            f'</form><form><button>b</button></form><div action="https://{OTHER}/" poster="https://{OTHER}/">x</div>'
            f'<link rel="alternate" href="https://{OTHER}/feed" imagesrcset="https://{OTHER}/x.png 2x">'
            f'<input src="https://{OTHER}/b.png" type="text"><p href="https://{OTHER}/">x</p>'
            f'<svg><a href="https://{OTHER}/">x</a><use href="#icoon"/></svg><a href="x.html,javascript:x">x</a>'
            '<p style="color: red">x</p><span title="url(https://evil.example/)">x</span><link href="x.css">'
            '<input name="x"><script src="x.js" async></script><meta charset="utf-8"><meta name="x" content="y">'
            '<script type="application/json">{"a": 1}</script>'
            '<!doctype html><html><head><link rel="stylesheet" href="../assets/x.css"><link rel="canonical" '
            f'href="https://{OTHER}/"><script src="../assets/x.js"></script></head><body>'
            '<script type="application/json">{"a": 1}</script><script type="Application/LD+JSON">{}</script>'
            f'<a href="https://{OTHER}/">x</a><img src="x.png" srcset="x.png 1x, y.png 2x" alt=""></body></html>')
    assert site_audit.audit_page(page) == []


@pytest.mark.parametrize("html,finding", [
    ("<script>alert(1)</script>", "een script met code in de pagina zelf"),
    ('<script type="module">alert(1)</script>', "een script met code in de pagina zelf"),
    (f'<script src="https://{OTHER}/x.js"></script>', f"een script van een ander adres (https://{OTHER}/x.js)"),
    ('<img src="x.png" onerror="alert(1)" alt="">', "een onerror-attribuut op <img> (code)"),
    ('<a href="x.html" ONCLICK="alert(1)">x</a>', "een onclick-attribuut op <a> (code)"),
    ('<a href="javascript:alert(1)">x</a>', "een javascript:-adres in href op <a>"),
    ('<a href="VBScript:x">x</a>', "een vbscript:-adres in href op <a>"),
    ('<a href="file:///etc/passwd">x</a>', "een file:-adres in href op <a>"),
    ('<img src="x.png" srcset="x.png 1x, data:image/png;base64,AA 2x" alt="">', "een data:-adres in srcset op <img>"),
    ('<iframe src="x.html"></iframe>', "een <iframe>-element"),
    ('<embed src="x.swf">', "een <embed>-element"),
    ('<base href="/">', "een <base>-element"),
    ('<meta http-equiv="Refresh" content="5">', "een automatische doorverwijzing (meta refresh)"),
    (f'<link rel="Icon" href="//{OTHER}/f.ico">', f"iets dat van een andere website geladen wordt (//{OTHER}/f.ico)"),
    (f'<link rel="preload stylesheet" href="HTTP://{OTHER}/x.css">',
     f"iets dat van een andere website geladen wordt (HTTP://{OTHER}/x.css)"),
    (f'<input type="IMAGE" src="https://{OTHER}/b.png" alt="x">',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/b.png)"),
    (f'<audio src="https://{OTHER}/a.mp3"></audio>', f"iets dat van een andere website geladen wordt (https://{OTHER}/a.mp3)"),
    (f'<template><img src="https://{OTHER}/t.png" alt=""></template>',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/t.png)"),
    ("<p>tekst <em>nadruk</em> en dan <script>alert(1)</script></p>", "een script met code in de pagina zelf"),
    (f'<img src="x.png" srcset="x.png 1x,  https://{OTHER}/y.png 2x" alt="">',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/y.png)"),
    (f'<link rel="preload" as="image" imagesrcset="a.png 1x, //{OTHER}/b.png 2x">',
     f"iets dat van een andere website geladen wordt (//{OTHER}/b.png)"),
    ('<link rel="preload" as="image" href="a.png" imagesrcset="javascript:x 2x">',
     "een javascript:-adres in imagesrcset op <link>"),
    (f'<video src="v.mp4"><track src="https://{OTHER}/t.vtt"></video>',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/t.vtt)"),
    (f'<video src="https://{OTHER}/v.mp4"></video>', f"iets dat van een andere website geladen wordt (https://{OTHER}/v.mp4)"),
    (f'<video poster="//{OTHER}/p.png"></video>', f"iets dat van een andere website geladen wordt (//{OTHER}/p.png)"),
    (f'<svg><image href="https://{OTHER}/i.png"/></svg>',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/i.png)"),
    (f'<svg><filter><feImage xlink:href="https://{OTHER}/f.png"/></filter></svg>',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/f.png)"),
    (f'<svg><use xlink:href="https://{OTHER}/s.svg#a"/></svg>',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/s.svg#a)"),
    (f'<p style="background: url( \'https://{OTHER}/b.png\' )">x</p>',
     f"iets dat van een andere website geladen wordt (https://{OTHER}/b.png)"),
    (f'<p style="background: URL(&quot;//{OTHER}/b.png&quot;)">x</p>',
     f"iets dat van een andere website geladen wordt (//{OTHER}/b.png)"),
    ('<table><tr><td style="background: url(javascript:alert(1))">x</td></tr></table>',
     "een javascript:-adres in style op <td>"),
    ('<p style="color: red; background: url(x.png), url(data:image/png;base64,AA)">x</p>', "een data:-adres in style op <p>"),
    (f'<form action="https://{OTHER}/in"><button>x</button></form>',
     f"een formulier dat naar een andere website verstuurt (https://{OTHER}/in)"),
    (f'<form><button formaction="//{OTHER}/in">x</button></form>',
     f"een formulier dat naar een andere website verstuurt (//{OTHER}/in)"),
    (f'<form action="bewaar"><input type="submit" formaction="http://{OTHER}/in"></form>',
     f"een formulier dat naar een andere website verstuurt (http://{OTHER}/in)"),
])
def test_audit_names_what_it_found(html: str, finding: str) -> None:
    """The audit's words are what a developer reads when a build is refused."""
    assert finding in site_audit.audit_page(f"<!doctype html><html><body>{html}</body></html>")


def test_audit_site_reports_every_page_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(f'<img src="https://{OTHER}/x.png" alt="">', encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>niets</p>", encoding="utf-8")
    (tmp_path / "c.html").write_text("<script>x()</script><iframe></iframe>", encoding="utf-8")
    problems = site_audit.audit_site(tmp_path, "site")
    assert [(p.file, p.line, p.is_error) for p in problems] == [("site/a/index.html", None, True),
                                                               ("site/c.html", None, True), ("site/c.html", None, True)]
    assert [p.hint for p in problems] == ["Er is niets gepubliceerd. Meld dit aan een ontwikkelaar, met de laatst "
                                          "gewijzigde pagina, het YAML-bestand of het sjabloon in templates/."] * 3
    assert problems[0].message == (f"de gebouwde pagina bevat iets dat van een andere website geladen wordt "
                                   f"(https://{OTHER}/x.png); de controle had dit moeten tegenhouden")
    assert problems[0].hint.startswith("Er is niets gepubliceerd. Meld dit aan een ontwikkelaar")
    assert "templates/" in problems[0].hint


@pytest.mark.parametrize("url,scheme", [
    ("https://x", "https"), (" \x01HTTPS://x", "https"), ("java\tscr\nipt:x", "javascript"), ("\x1fdata:x", "data"),
    ("//x", "//"), ("\\\\x", "//"), ("/\\x", "//"), ("x.png", None), ("/x.png", None), ("#kop", None),
    ("a+b.c-d:x", "a+b.c-d"), ("Xhttps://x", "xhttps"), ("XX", None), ("1abc:x", None), ("mailto:a@b.nl", "mailto"), ("", None), ("?q=1", None),
    ("\t//x", "//"),
])
def test_url_scheme_as_a_browser_reads_it(url: str, scheme: str | None) -> None:
    assert html_policy.url_scheme(url) == scheme
    assert html_policy.is_external(url) == (scheme is not None)


def test_refusal_messages_for_editors() -> None:
    assert html_policy.link_problem(f"//{OTHER}/") == (
        f"de link '//{OTHER}/' begint met // (zonder https:)", "Schrijf het volledige adres: https://….")
    assert html_policy.link_problem("ftp://x/") == (
        "de link 'ftp://x/' gebruikt 'ftp:', dat is niet toegestaan",
        "Gebruik een webadres (https://…), een e-mailadres (mailto:…) of een link naar een pagina van de site.")
    assert html_policy.link_problem("mailto:a@b.nl") is None
    assert html_policy.image_problem(f"https://{OTHER}/p.png") == (
        f"de afbeelding 'https://{OTHER}/p.png' wordt van een andere website geladen",
        "Download de afbeelding, zet hem naast de pagina in content/ en verwijs ernaar met ![beschrijving](bestand.png).")
    assert html_policy.image_problem("/p.png") == (
        "de afbeelding '/p.png' is geen bestand van de site",
        "Zet de afbeelding als bestand naast de pagina in content/ en verwijs ernaar met ![beschrijving](bestand.png).")
    assert html_policy.image_problem("data:image/png;base64,AA")[0] == \
        "de afbeelding 'data:image/png;base64,AA' is geen bestand van de site"
    assert html_policy.image_problem("beeld/p.png") is None
    assert html_policy.split_target("../bo/index.md#kop") == ("../bo/index.md", "kop")
    assert html_policy.split_target("../bo/index.md?x=1") == ("../bo/index.md", None)
    assert html_policy.split_target("#kop") == ("", "kop")
    assert html_policy.split_target("a.md#") == ("a.md", None)
    assert html_policy.split_target("a.md?x=1?y#k#l") == ("a.md", "k#l")
    assert html_policy.split_target("a.md#k#l") == ("a.md", "k#l")
    for url in (f"http://{OTHER}/p.png", f"//{OTHER}/p.png", f" HTTPS://{OTHER}/p.png"):
        assert html_policy.image_problem(url)[0] == f"de afbeelding '{url}' wordt van een andere website geladen"


@pytest.mark.parametrize("html,expected", [
    ("<script>x()</script>", [(1, "script", None, None, "de HTML-code <script> is niet toegestaan in een pagina",
                               html_policy._INSTEAD["script"])]),
    ("<p>a</p>\n<blink>b</blink>", [(2, "blink", None, None, "de HTML-code <blink> is niet toegestaan in een pagina",
                                     "Gebruik Markdown of een van de toegestane HTML-codes (zie docs/redacteuren.md, "
                                     "'HTML in een pagina').")]),
    ('<p onclick="x()">a</p>', [(1, "p", "onclick", "x()", 'het attribuut onclick="…" op <p> voert code uit en is niet toegestaan',
                                "Haal het attribuut weg; een pagina bevat geen scripts.")]),
    ('<p style="color: red">a</p>', [(1, "p", "style", "color: red", 'het attribuut style="…" op <p> is niet toegestaan',
                                     "Opmaak hoort in het stijlblad van de site; gebruik een class die daar bestaat.")]),
    ('<table><tr><td style="color: red">a</td></tr></table>', [(1, "td", "style", "color: red",
                                        'het attribuut style="color: red" op <td> is niet toegestaan',
                                        "Opmaak hoort in het stijlblad van de site; gebruik een class die daar bestaat.")]),
    ('<p data-x="1">a</p>', [(1, "p", "data-x", "1", 'het attribuut data-x="…" op <p> is niet toegestaan',
                              "Haal het attribuut weg (toegestaan zijn onder meer class, id, title en aria-label).")]),
    ('<svg><circle r="1"/></svg>', [(1, "svg", None, None, "de HTML-code <svg> is niet toegestaan in een pagina",
                                     html_policy._INSTEAD["svg"])]),
    ('<div><span><a href="javascript:x">a</a></span></div>', [
        (1, "a", "href", "javascript:x", "de link 'javascript:x' gebruikt 'javascript:', dat is niet toegestaan",
         "Gebruik een webadres (https://…), een e-mailadres (mailto:…) of een link naar een pagina van de site.")]),
    ('<blink>b</blink><p onclick="x()">a</p>', [
        (1, "blink", None, None, "de HTML-code <blink> is niet toegestaan in een pagina",
         "Gebruik Markdown of een van de toegestane HTML-codes (zie docs/redacteuren.md, 'HTML in een pagina')."),
        (1, "p", "onclick", "x()", 'het attribuut onclick="…" op <p> voert code uit en is niet toegestaan',
         "Haal het attribuut weg; een pagina bevat geen scripts.")]),
    ('<table><tr><td style>a</td></tr></table>', [(1, "td", "style", "", 'het attribuut style="" op <td> is niet toegestaan',
                                                  "Opmaak hoort in het stijlblad van de site; gebruik een class die daar bestaat.")]),
    ('<a href="x.md" title="javascript: de uitleg" rel="nofollow">a</a><img src="a.png" alt="https://voorbeeld.nl">', []),
    ('<table><tr><td style=" text-align: center; ">a</td><th style="text-align: right">b</th></tr></table>', []),
    ('<p class="x" id="y" title="z" lang="nl" aria-label="a">a</p><ol start="2" reversed type="a"><li>x</li></ol>', []),
    ('<img src="a.png" alt="a" width="1" height="2" loading="lazy"><details open><summary>s</summary></details>', []),
])
def test_policy_violations_say_where_and_what(html: str, expected: list) -> None:
    found = [(v.line, v.tag, v.attribute, v.value, v.message, v.hint) for v in html_policy.violations(html)]
    assert found == expected


FORM_PAGE = ('<form><fieldset><legend>l</legend><label for="a">a</label><input type="radio" name="a" id="a" value="1" '
             'checked required><input type="file" accept=".json" hidden><textarea name="t" rows="3" maxlength="9">'
             '</textarea><select name="s" multiple><option value="x">x</option></select><button type="button" disabled '
             'data-actie="bewaar">b</button><div aria-live="polite" data-school-type="bo"></div></fieldset></form>')


def test_generated_form_pages_may_hold_form_elements_but_never_send_or_load() -> None:
    assert html_policy.violations(FORM_PAGE, form=True) == []
    assert {v.tag for v in html_policy.violations(FORM_PAGE)} == {"form"}  # an editor's page: refused
    for bad, attribute in [('<form action="https://evil.example/">', "action"),
                           ('<button formaction="https://evil.example/">b</button>', "formaction"),
                           ('<input type="image" src="https://evil.example/b.png">', "type"),
                           ('<input type="submit">', "type"), ('<input src="x.png">', "src"),
                           ('<div data-x1="y">a</div>', "data-x1"), ('<div data-="y">a</div>', "data-"),
                           ('<div data-1a="y">a</div>', "data-1a"), ('<div data--="y">a</div>', "data--"),
                           ('<input type="text" onfocus="x()">', "onfocus")]:
        found = html_policy.violations(bad, form=True)
        assert attribute in [v.attribute for v in found], bad
    assert html_policy.violations('<div data-ab-cd="y">a</div>', form=True) == []


# --------------------------------------------------------------------------- the symlink check


def _sibling_setup(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "x" / "project"
    evil = tmp_path / "x" / "project-evil"
    (project / "content").mkdir(parents=True)
    evil.mkdir(parents=True)
    (evil / "geheim.md").write_text("GEHEIM-sibling\n", encoding="utf-8")
    (evil / "map").mkdir()
    (evil / "map" / "ook.md").write_text("GEHEIM-map\n", encoding="utf-8")
    return project, evil


def test_symlink_check_is_not_fooled_by_a_sibling_whose_name_starts_with_the_projects(tmp_path: Path) -> None:
    project, evil = _sibling_setup(tmp_path)
    link = project / "content" / "pagina.md"
    link.symlink_to(evil / "geheim.md")
    (project / "content" / "map").symlink_to(evil / "map", target_is_directory=True)
    (project / "content" / "echt.md").write_text("echt\n", encoding="utf-8")
    (project / "content" / "binnen.md").symlink_to(project / "content" / "echt.md")
    assert not sources.inside(project, link)
    assert not sources.inside(project, evil)
    assert sources.inside(project, project) and sources.inside(project, project / "content" / "binnen.md")
    text, problems = sources.read_text(link, "content/pagina.md", project)
    assert text is None
    assert [str(p) for p in problems] == [
        "content/pagina.md: fout: dit is een snelkoppeling (symbolische link) naar een bestand buiten het project; "
        "die wordt niet gelezen\n    → Zet het bestand zelf in het project in plaats van een link ernaar."]
    listing = sources.list_files(project, project / "content", lambda p: p.relative_to(project).as_posix())
    assert listing.files == [project / "content" / "binnen.md", project / "content" / "echt.md"]
    assert [str(p) for p in listing.problems] == [
        "content/map: fout: dit is een snelkoppeling (symbolische link) naar een map buiten het project; "
        "die wordt niet gelezen\n    → Zet de map zelf in het project in plaats van een link ernaar.",
        "content/pagina.md: fout: dit is een snelkoppeling (symbolische link) naar een bestand buiten het project; "
        "die wordt niet gelezen\n    → Zet het bestand zelf in het project in plaats van een link ernaar."]
    # A project reached through a link of its own (a checkout under a symlinked home) is still itself.
    alias = tmp_path / "alias"
    alias.symlink_to(project, target_is_directory=True)
    assert sources.inside(alias, project / "content" / "echt.md")
    assert sources.read_text(alias / "content" / "binnen.md", "content/binnen.md", alias) == ("echt\n", [])


@pytest.mark.slow
def test_check_refuses_a_link_into_a_sibling_folder_with_the_projects_name(tmp_path: Path) -> None:
    from conftest import copy_project

    project = copy_project(tmp_path / "x" / "project")
    evil = tmp_path / "x" / "project-evil"
    evil.mkdir()
    (evil / "voorwoord.md").write_text("# GEHEIM-sibling\n", encoding="utf-8")
    (project / "content" / "voorwoord.md").unlink()
    (project / "content" / "voorwoord.md").symlink_to(evil / "voorwoord.md")
    code, output = run_cli(["check"], project)
    assert code == 1
    assert "GEHEIM" not in output
    assert ("content/voorwoord.md: fout: dit is een snelkoppeling (symbolische link) naar een bestand buiten het project"
            in output), output


# --------------------------------------------------------------------------- slow: check, build, Chromium

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


@pytest.mark.slow
def test_check_on_editor_pages(project_copy: Path) -> None:
    """Every case as raw HTML in an editor's Markdown page (one page per case), one `check`."""
    folder = project_copy / "content" / "muren"
    folder.mkdir()
    (folder / "muur.png").write_bytes(PNG)
    for place, kind in CASES:
        (folder / f"{case_id(place, kind)}.md").write_text(f"# Muur\n\nTekst.\n\n{snippet(place, kind)}\n\nEinde.\n",
                                                          encoding="utf-8")
    code, output = run_cli(["check"], project_copy)
    assert "Traceback" not in output
    wrong = []
    for place, kind in CASES:
        name = f"content/muren/{case_id(place, kind)}.md"
        # Every page here is outside the menu (an error of its own, not counted); a refusal of the HTML names
        # line 5, or no line when Markdown changed the text there (a tab expanded to spaces).
        refused = any("staat niet in het menu" not in line
                      for line in re.findall(rf"^{re.escape(name)}(?::5)?: fout: .*$", output, re.M))
        if refused != (kind not in CHECK_ALLOWS.get(place, set())):
            wrong.append((place, kind, "geweigerd" if refused else "doorgelaten"))
    assert not wrong, wrong
    assert code == 1


def _inject(page_html: str, html: str) -> str:
    marker = page_html.index("</article>")
    return page_html[:marker] + html + page_html[marker:]


@pytest.fixture(scope="module")
def walled_site(site_dir: Path, tmp_path_factory) -> tuple[Path, str]:
    """A served copy of the built site's assets with one built page per case (voorwoord, with the
    case put into its article after MkDocs); returns (folder, the page's HTML)."""
    root = tmp_path_factory.mktemp("muren")
    for name in ("assets", "pagefind", "search"):
        if (site_dir / name).exists():
            (root / name).symlink_to(site_dir / name, target_is_directory=True)
    built = (site_dir / "voorwoord" / "index.html").read_text(encoding="utf-8")
    return root, built


@pytest.mark.slow
def test_audit_on_built_pages(walled_site) -> None:
    root, built = walled_site
    site = root.parent / "audit-site"
    site.mkdir(exist_ok=True)
    assert site_audit.audit_page(built) == []  # the page as MkDocs built it is clean
    for place, kind in CASES:
        (site / case_id(place, kind)).mkdir(exist_ok=True)
        (site / case_id(place, kind) / "index.html").write_text(_inject(built, snippet(place, kind)), encoding="utf-8")
    refused = {p.file.split("/")[1] for p in site_audit.audit_site(site, "site")}
    wrong = [(place, kind) for place, kind in CASES
             if (case_id(place, kind) in refused) != (kind not in AUDIT_ALLOWS.get(place, set()))]
    assert not wrong, wrong


@pytest.mark.slow
def test_build_refuses_a_stylesheet_from_another_host_after_mkdocs(project_copy: Path, built_project: Path,
                                                                   monkeypatch) -> None:
    """The theme (or a plugin) writes a stylesheet from another host into a page after every
    input check: the build's last audit refuses the site and says so; site/ is not written."""
    import publisher.site
    from conftest import seed_pdf_cache

    seed_pdf_cache(built_project, project_copy)

    real_run_mkdocs = publisher.site.run_mkdocs

    def run_and_inject(config_file, project):
        import yaml

        problems = real_run_mkdocs(config_file, project)
        site_dir = Path(yaml.safe_load(config_file.read_text(encoding="utf-8"))["site_dir"])
        page = site_dir / "voorwoord" / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace(
            "</head>", f'<link rel="StyleSheet" href=" HTTPS://{OTHER}/x.css"></head>'), encoding="utf-8")
        return problems

    monkeypatch.setattr(publisher.site, "run_mkdocs", run_and_inject)
    code, output = run_cli(["build"], project_copy)
    assert code == 1
    assert (f"site/voorwoord/index.html: fout: de gebouwde pagina bevat iets dat van een andere website geladen wordt "
            f"( HTTPS://{OTHER}/x.css)") in output, output
    assert not (project_copy / "site" / "voorwoord").exists()


def _csp_of(page_html: str) -> dict[str, list[str]]:
    import lxml.html

    meta = lxml.html.fromstring(page_html).cssselect('meta[http-equiv="Content-Security-Policy"]')
    assert len(meta) == 1
    directives = {}
    for part in meta[0].get("content").split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


@pytest.mark.slow
def test_csp_allows_no_inline_script_and_nothing_from_elsewhere(site_dir: Path) -> None:
    for file in sorted(site_dir.rglob("*.html")):
        csp = _csp_of(file.read_text(encoding="utf-8"))
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts is not None, file
        for word in scripts:
            assert word in ("'self'", "'wasm-unsafe-eval'"), (file, word)  # no 'unsafe-inline', nonce, hash, host
        assert csp["default-src"] == ["'none'"]
        for directive, words in csp.items():
            for word in words:
                assert word in ("'self'", "'none'", "'wasm-unsafe-eval'", "data:"), (file, directive, word)
        assert "data:" not in csp.get("script-src", []) and csp.get("object-src") == ["'none'"]
        assert csp.get("base-uri") == ["'none'"] and csp.get("form-action") == ["'none'"]


@pytest.mark.slow
@pytest.mark.browser
def test_chromium_under_the_sites_csp_asks_no_other_host_and_runs_nothing(browser, walled_site) -> None:
    """One built page per place holding every kind of address, served and opened in Chromium under
    the page's own CSP. A control page, the same without its CSP, shows that the probes work: there
    the inline script and the handler run and the other host is asked."""
    root, built = walled_site
    (root / "muur.png").write_bytes(PNG)
    probe = ('<script>window.inlineRan = true</script><img src="muur.png" alt="" '
             'onload="window.handlerRan = true" onerror="window.handlerRan = true">')
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", built)
    assert without_csp != built
    with serve_directory(root) as origin:
        pages = {"controle": _inject(without_csp, probe + f'<img src="https://{OTHER}/controle.png" alt="">')}
        for place in PLACES:
            if place == "meta/refresh":
                continue  # a refresh is a navigation, which no CSP stops: the check and the audit are its walls
            pages[place.replace("/", "-")] = _inject(built, "".join(snippet(place, kind, origin) for kind in KINDS) + probe)
        for name, html in pages.items():
            (root / name).mkdir(exist_ok=True)
            (root / name / "muur.png").write_bytes(PNG)
            (root / name / "index.html").write_text(html, encoding="utf-8")
        context = browser.new_context()
        elsewhere: list[tuple[str, str]] = []
        current = {"page": ""}

        def record(route) -> None:
            if urlsplit(route.request.url).hostname != "127.0.0.1":
                elsewhere.append((current["page"], route.request.url))
                route.abort()
            else:
                route.continue_()

        context.route("**/*", record)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(f"{current['page']}: {d.message}"), d.dismiss()))
        ran = {}
        for name in pages:
            current["page"] = name
            page.goto(f"{origin}{name}/", wait_until="load")
            page.wait_for_timeout(100)
            ran[name] = page.evaluate("() => [!!window.inlineRan, !!window.handlerRan]")
        context.close()
    assert ran.pop("controle") == [True, True]  # the probes work where no CSP stops them
    assert ("controle", f"https://{OTHER}/controle.png") in elsewhere
    elsewhere.remove(("controle", f"https://{OTHER}/controle.png"))
    assert not elsewhere, elsewhere
    assert not dialogs, dialogs
    assert not [name for name, state in ran.items() if any(state)], ran  # no nonce-less inline script or handler ran
