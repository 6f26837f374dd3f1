#!/usr/bin/env python3
"""Build benchmark (not a test): how the build compares with the bare tools.

    ./dev bench                 # 3 runs per figure (medians), includes the 10x corpus
    ./dev bench --runs 5 --skip-10x

Every figure is the median wall-clock time of separate processes, measured on a
copy of the project in a temporary directory (your site/ and .cache/ stay as
they are):

- cold build: `build.py build` with an empty cache and no site/;
- bare mkdocs: `mkdocs build` of the same staged docs (.cache/staging/mkdocs.yml);
- bare WeasyPrint: one process rendering the same six sheet HTML files one after
  the other with the same options (PDF/UA-1, forms), no orchestration;
- no-change rebuild, one-question edit rebuild;
- a synthetic corpus ten times larger (30 generated school types), cold;
- per school type: the median time of `publisher.sheet_render.render_sheets` (what a build
  worker runs: one WeasyPrint layout written as the print and the fillable sheet, plus
  our form post-processing), wall-clock and CPU, in one warmed-up process, one school
  type at a time, with the size of both PDFs (`--sheets-only` prints just these).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.project import Project  # noqa: E402
from publisher.sheets import sheet_source, sheet_specs  # noqa: E402
from publisher.validate import load_publication  # noqa: E402

PROJECT_FILES = ["content", "indicators", "templates", "site_config.yaml", "mkdocs.yml", "build.py", "publisher"]

BARE_WEASYPRINT = """
import sys
from pathlib import Path
from weasyprint import HTML
base, out = Path(sys.argv[1]), Path(sys.argv[2])
for html in sorted(base.glob("*.html")):
    HTML(filename=str(html), base_url=sys.argv[3]).write_pdf(out / (html.stem + ".pdf"), pdf_variant="pdf/ua-1", pdf_forms=True)
"""


PER_SHEET = """
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from publisher.sheet_render import render_sheets
html_dir, pdf_dir, templates, runs = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
types = json.loads((html_dir / "sources.json").read_text(encoding="utf-8"))

def render(stem, source):
    html = (html_dir / source["html"]).read_text(encoding="utf-8")
    targets = (str(pdf_dir / f"{stem}.pdf"), str(pdf_dir / f"{stem}-invulbaar.pdf"))
    render_sheets(html, templates + "/sheets", [templates], targets, tuple(source["titles"]), source["groups"])
    return targets

render(*next(iter(types.items())))  # warm-up
times = {}
for _ in range(runs):
    for stem, source in types.items():
        start, cpu = time.perf_counter(), time.process_time()
        targets = render(stem, source)
        times.setdefault(stem, []).append((time.perf_counter() - start, time.process_time() - cpu))
print(json.dumps({stem: [statistics.median(w for w, _ in values), statistics.median(c for _, c in values),
                         *(Path(t).stat().st_size for t in render(stem, types[stem]))]
                  for stem, values in times.items()}))
"""


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


CPU_SECONDS: list[float] = []  # CPU time (user + system) of each timed run, children included


def adopt_orphans() -> None:
    """Make this process the one that reaps every process a timed command leaves running (Linux
    'child subreaper'): the build's sheet workers are children of multiprocessing's fork server,
    which outlives the build by a moment and is not waited for by it. Reaped here, their CPU time
    counts in RUSAGE_CHILDREN like the rest of the build's."""
    import ctypes

    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def timed(command: list[str], cwd: Path) -> float:
    """Wall-clock time until the command and everything it started are done (its output pipes
    close only then), and, in CPU_SECONDS, the CPU time of all those processes."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "CI": ""})
    elapsed = time.perf_counter() - start
    while True:  # processes the command left behind (see adopt_orphans)
        try:
            os.wait()
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"mislukt: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return elapsed


def median(values: list[float]) -> float:
    return statistics.median(values)


def build(project: Path) -> float:
    return timed([sys.executable, "build.py", "build", "--quiet"], project)


def cold_build(project: Path) -> float:
    for path in (project / "site", project / ".cache"):
        shutil.rmtree(path, ignore_errors=True)
    return build(project)


def edit_one_question(project: Path, run: int) -> None:
    yaml_file = project / "indicators" / "go.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    marker = "tekst: Nemen escalaties/incidenten af over tijd"
    start = text.index(marker) + len(marker)
    end = text.index("?", start)
    yaml_file.write_text(text[:start] + f" (meting {run})" * (run > 0) + text[end:], encoding="utf-8")


def make_tenfold(project: Path) -> None:
    """Thirty school types: ten generated copies of bo, go and vo & mbo, with their pages."""
    config_file = project / "site_config.yaml"
    config = config_file.read_text(encoding="utf-8")
    ids = []
    for copy in range(1, 10):
        for original in ("bo", "go", "vo-mbo"):
            new_id = f"{original}-kopie-{copy}"
            ids.append(new_id)
            text = (project / "indicators" / f"{original}.yaml").read_text(encoding="utf-8")
            text = text.replace(f"id: {original}\n", f"id: {new_id}\n", 1)
            text = text.replace("naam: ", f"naam: Kopie {copy} van ", 1)
            (project / "indicators" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
            shutil.copytree(project / "content" / original, project / "content" / new_id)
            for page in (project / "content" / new_id).glob("*.md"):
                page.write_text(page.read_text(encoding="utf-8").replace(f" {original} >}}}}", f" {new_id} >}}}}"),
                                encoding="utf-8")
    config = config.replace("  - vo-mbo\n", "  - vo-mbo\n" + "".join(f"  - {i}\n" for i in ids), 1)
    config_file.write_text(config, encoding="utf-8")


def write_sheet_html(project: Path) -> Path:
    """The HTML of every sheet (for the bare WeasyPrint run: six files, the print and the
    fillable sheet of a school type have the same HTML) and sources.json (for render_sheets:
    per school type its HTML file, document titles and answer group names)."""
    project_ = Project.at(project)
    publication = load_publication(project_).publication
    html_dir = project / ".bench-html"
    html_dir.mkdir(exist_ok=True)
    sources = {}
    for spec in sheet_specs(publication):
        source = sheet_source(project_, publication, spec.instrument)
        (html_dir / f"{spec.file_name[:-4]}.html").write_text(source.html, encoding="utf-8")
        if not spec.fillable:
            sources[spec.file_name[:-4]] = {"html": f"{spec.file_name[:-4]}.html", "titles": source.titles,
                                            "groups": source.group_names}
    (html_dir / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    return html_dir


def per_sheet(project: Path, runs: int) -> dict[str, tuple[float, float, int, int]]:
    """Per school type: median time (wall-clock and CPU, s) of rendering both its sheets as a
    build worker does (render_sheets: one layout, two PDFs) and the size (bytes) of each.
    CPU time is the steadier figure on a shared machine."""
    html_dir = write_sheet_html(project)
    pdf_dir = project / ".bench-sheets"
    pdf_dir.mkdir(exist_ok=True)
    result = subprocess.run([sys.executable, "-c", PER_SHEET, str(project), str(html_dir), str(pdf_dir),
                             str(project / "templates"), str(runs)],
                            cwd=project, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"mislukt: per-blad meting\n{result.stdout}\n{result.stderr}")
    return {name: tuple(values) for name, values in json.loads(result.stdout).items()}


def print_per_sheet(timings: dict[str, tuple[float, float, int, int]]) -> None:
    width = max(len(name) for name in timings)
    print(f"{'per school type, both sheets (render_sheets, median)':<{width + 2}}    wall       CPU   print  fillable")
    for name, (seconds, cpu, print_size, fillable_size) in timings.items():
        print(f"  {name:<{width}}  {seconds:6.3f} s  {cpu:6.3f} s  {print_size / 1024:4.0f} KB  {fillable_size / 1024:4.0f} KB")
    print(f"  {'total':<{width}}  {sum(t[0] for t in timings.values()):6.3f} s  {sum(t[1] for t in timings.values()):6.3f} s")


def bare_tools(project: Path, runs: int) -> tuple[float, float]:
    staged = project / ".cache" / "staging" / "mkdocs.yml"
    bare_site = project / ".bench-mkdocs"
    mkdocs = median([timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(staged), "-d", str(bare_site)], project)
                     for _ in range(runs)])
    html_dir = write_sheet_html(project)
    pdf_dir = project / ".bench-pdf"
    pdf_dir.mkdir(exist_ok=True)
    base_url = (project / "templates" / "sheets").as_uri() + "/"
    weasy = median([timed([sys.executable, "-c", BARE_WEASYPRINT, str(html_dir), str(pdf_dir), base_url], project)
                    for _ in range(runs)])
    return mkdocs, weasy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-10x", action="store_true")
    parser.add_argument("--sheets-only", action="store_true", help="only the per-sheet render times")
    parser.add_argument("--skip-sheets", action="store_true", help="without the per-sheet render times")
    parser.add_argument("--skip-bare", action="store_true", help="without the bare mkdocs and WeasyPrint runs")
    args = parser.parse_args()
    adopt_orphans()

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        project = copy_project(Path(tmp) / "project")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.runs} runs per figure (median); "
              f"load average at start {os.getloadavg()[0]:.2f}")
        if args.sheets_only:
            print_per_sheet(per_sheet(project, args.runs))
            return

        cold = median([cold_build(project) for _ in range(args.runs)])
        cold_cpu = median(CPU_SECONDS[-args.runs:])
        mkdocs, weasy = (None, None) if args.skip_bare else bare_tools(project, args.runs)
        unchanged = median([build(project) for _ in range(args.runs)])
        unchanged_cpu = median(CPU_SECONDS[-args.runs:])
        edits = []
        for run in range(1, args.runs + 1):
            edit_one_question(project, run)
            edits.append(build(project))
        edit = median(edits)
        edit_cpu = median(CPU_SECONDS[-args.runs:])
        # CPU time depends much less on what else the machine is doing than wall-clock time
        print(f"CPU time (median): cold {cold_cpu:.2f} s, no change {unchanged_cpu:.2f} s "
              f"({unchanged_cpu / cold_cpu:.3f}x), one-question edit {edit_cpu:.2f} s ({edit_cpu / cold_cpu:.2f}x)")
        print("issue 19 targets (median of separate processes; wall-clock / CPU incl. child processes):")
        print(f"  no-change rebuild          {unchanged:6.2f} s / {unchanged_cpu:5.2f} s CPU = "
              f"{unchanged / cold:.3f}x / {unchanged_cpu / cold_cpu:.3f}x of cold   (target ≤ 0.1x)")
        print(f"  one-question edit rebuild  {edit:6.2f} s / {edit_cpu:5.2f} s CPU = "
              f"{edit / cold:.3f}x / {edit_cpu / cold_cpu:.3f}x of cold   (target ≤ 0.5x)")
        print(f"  cold build                 {cold:6.2f} s / {cold_cpu:5.2f} s CPU")
        print("  (edit → visible in the preview: bench/preview.py)")

        rows = [("cold full build (site + 6 PDFs)", cold, "")]
        if mkdocs is not None:
            rows += [
                ("bare mkdocs build (same staged docs)", mkdocs, ""),
                ("bare WeasyPrint (same 6 sheet HTMLs, one process)", weasy, ""),
                ("full / (bare mkdocs + bare WeasyPrint)", None, f"{cold / (mkdocs + weasy):.2f}x   (target ≤ 1.0x)"),
            ]
        rows += [
            ("no-change rebuild", unchanged, f"{unchanged / cold:.2f}x of cold   (target ≤ 0.1x)"),
            ("one-question edit rebuild (go)", edit, f"{edit / cold:.2f}x of cold   (target ≤ 0.5x)"),
        ]
        if not args.skip_10x:
            big = copy_project(Path(tmp) / "tenfold")
            make_tenfold(big)
            tenfold = median([cold_build(big) for _ in range(args.runs)])
            rows.append(("10x corpus cold build (30 school types, 60 PDFs)", tenfold,
                         f"{tenfold / cold:.2f}x of 1x   (target ≤ 10x)"))

        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        width = max(len(name) for name, _, _ in rows)
        for name, seconds, ratio in rows:
            figure = f"{seconds:6.2f} s" if seconds is not None else " " * 8
            print(f"{name:<{width}}  {figure}  {ratio}")
        if not args.skip_sheets:
            print_per_sheet(per_sheet(project, args.runs))


if __name__ == "__main__":
    main()
