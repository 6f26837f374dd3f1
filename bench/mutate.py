#!/usr/bin/env python3
"""Mutation tool (not collected by pytest, not in CI, not in ./dev test): how many
machine-made bugs do the tests notice, per module?

    python3 bench/mutate.py py                          # mutmut over every module in PY_TARGETS
    python3 bench/mutate.py py html_policy site_audit    # only these modules
    python3 bench/mutate.py js                           # Stryker over the form's pure logic (FORM_LOGIC)
    python3 bench/mutate.py js --ref form                # ... as committed on branch 'form' (read with git, not checked out)
    python3 bench/mutate.py all

Python: mutmut 3 (PyPI) in its own virtual environment `bench/.venv-mutmut/` (git-ignored,
made here from requirements.lock + MUTMUT; the shared .venv is never touched). Each module
runs in a temporary copy of the repository with only that module mutated and only its
targeted tests (PY_TARGETS) run against each mutant, one process at a time under `nice -n 19`.

JavaScript: Stryker (`@stryker-mutator/core`, pinned in bench/js/package.json + lock,
installed with Debian's node/npm into the git-ignored bench/js/node_modules/) with its
command runner around Node's own test runner (`node --test`). FORM_LOGIC names the module,
FORM_LOGIC_TESTS its tests; the module's folder and the tests are copied (or read from --ref) into a temporary folder.

Each run ends with a table per module: killed, survived, timeout, equivalent (a survivor
listed in EQUIVALENT with the reason it cannot change what a user gets), and the score
= killed / (all − equivalent). Survivors that are not explained are printed with their diff.
Exit code 0 only when every module reaches TARGET.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TARGET = 0.90

# ----------------------------------------------------------------------------- configuration

MUTMUT = "mutmut==3.8.1"
VENV = BENCH / ".venv-mutmut"

# module (publisher/<name>.py) → the tests that guard it (pytest selections, fast ones only:
# every mutant runs them). Keep them small: mutmut runs only the tests that reach the mutated
# function, but each selection is collected once per module.
PY_TARGETS: dict[str, list[str]] = {
    "html_policy": ["tests/test_security_walls.py", "-m", "not slow and not browser"],
    "site_audit": ["tests/test_security_walls.py", "-m", "not slow and not browser"],
    "sources": ["tests/test_security_walls.py", "tests/test_sources.py", "-m", "not slow and not browser"],
    "changes": ["tests/test_change_properties.py", "tests/test_pull_request.py", "-m", "not slow and not browser"],
    "reflection_form": ["tests/test_form_view.py", "tests/test_form_logic.py", "-m", "not slow and not browser"],
    "exports": ["tests/test_export_files.py", "tests/test_export_properties.py", "tests/test_export_writers.py", "-m",
                "not slow and not browser"],
    "pdfform": ["tests/test_pdfform.py", "-m", "not slow and not browser"],
}

# The online form's logic: one ES module without DOM access, and its Node tests.
FORM_LOGIC = os.environ.get("FORM_LOGIC", "templates/site/assets/javascripts/reflectie-logica.js")
FORM_LOGIC_TESTS = os.environ.get("FORM_LOGIC_TESTS", "tests/js")
# What the Node tests read besides the module (copied along).
FORM_LOGIC_DATA = ["tests/fixtures"]

# Survivors that cannot change what a user gets: mutant name → (the changed line as mutmut
# shows it after '+', the reason). A listed mutant whose line changed is reported as stale.
EQUIVALENT: dict[str, tuple[str, str]] = {}
EQUIVALENT_FILE = BENCH / "mutation_equivalent.json"

_IGNORED_EVERYWHERE = shutil.ignore_patterns(".git", ".venv", ".venv-mutmut", "node_modules", "__pycache__", ".pytest_cache",
                                             "*.pyc", ".cache", "mutants", ".hypothesis")
_IGNORED_AT_ROOT = {"site", ".site.new", ".site.old", "out"}  # build output; templates/site/ is source


def COPY_IGNORE(folder: str, names: list[str]) -> set[str]:
    ignored = set(_IGNORED_EVERYWHERE(folder, names))
    if Path(folder).resolve() == ROOT:
        ignored |= _IGNORED_AT_ROOT & set(names)
    return ignored


ALSO_COPY = ["tests", "templates", "content", "indicators", "schema", "docs", "voorbeelden", "site_config.yaml", "mkdocs.yml",
             "requirements.lock", "pytest.ini", "build.py"]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_equivalent() -> dict[str, tuple[str, str]]:
    known = dict(EQUIVALENT)
    if EQUIVALENT_FILE.exists():
        for name, entry in json.loads(EQUIVALENT_FILE.read_text(encoding="utf-8")).items():
            known[name] = (entry["change"], entry["reason"])
    return known


@dataclass
class Score:
    module: str
    statuses: dict[str, str] = field(default_factory=dict)  # mutant → killed/survived/timeout/…
    diffs: dict[str, str] = field(default_factory=dict)  # survivor → diff
    equivalent: dict[str, str] = field(default_factory=dict)  # survivor → reason
    stale: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for name, s in self.statuses.items() if s == status and name not in self.equivalent)

    @property
    def score(self) -> float:
        counted = len(self.statuses) - len(self.equivalent)
        return (self.count("killed") + self.count("timeout")) / counted if counted else 1.0


def table(scores: list[Score]) -> str:
    lines = [f"{'module':<34} {'mutants':>7} {'killed':>6} {'survived':>8} {'timeout':>7} {'equivalent':>10} "
             f"{'other':>5} {'score':>6}"]
    for s in scores:
        other = len(s.statuses) - s.count("killed") - s.count("survived") - s.count("timeout") - len(s.equivalent)
        lines.append(f"{s.module:<34} {len(s.statuses):>7} {s.count('killed'):>6} {s.count('survived'):>8} "
                     f"{s.count('timeout'):>7} {len(s.equivalent):>10} {other:>5} {100 * s.score:>5.1f}%")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- Python: mutmut


def mutmut_venv() -> Path:
    """bench/.venv-mutmut with requirements.lock and mutmut, (re)made when either changed."""
    want = hashlib.sha256(((ROOT / "requirements.lock").read_text(encoding="utf-8") + MUTMUT).encode()).hexdigest()
    stamp = VENV / ".stamp"
    if not (VENV / "bin" / "python").exists():
        say(f"• virtuele omgeving voor mutmut maken in {VENV.relative_to(ROOT)}/")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != want:
        say("• requirements.lock en mutmut installeren")
        subprocess.run(["nice", "-n", "19", str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(ROOT / "requirements.lock"), MUTMUT], check=True)
        stamp.write_text(want)
    return VENV / "bin"


def setup_cfg(module: str, tests: list[str]) -> str:
    def listing(values: list[str]) -> str:
        return "\n" + "\n".join(f"    {value}" for value in values)

    return "\n".join([
        "[mutmut]",
        "paths_to_mutate = publisher/",
        f"only_mutate = publisher/{module}.py",
        f"also_copy = {listing(ALSO_COPY)}",
        f"pytest_add_cli_args_test_selection = {listing(tests)}",
        f"pytest_add_cli_args = {listing(['-p', 'no:cacheprovider', '-p', 'no:xdist', '-q'])}",
        "use_git_change_detection = false",
        "",
    ])


def run_mutmut(module: str, tests: list[str], keep: bool, children: int, only: list[str] | None = None,
               sample: str | None = None) -> Score:
    binaries = mutmut_venv()
    work = Path(tempfile.mkdtemp(prefix=f"mutmut-{module}-"))
    try:
        copy = work / "repo"
        shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
        (copy / "setup.cfg").write_text(setup_cfg(module, tests), encoding="utf-8")
        env = {**os.environ, "PATH": f"{binaries}:{os.environ['PATH']}", "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("VIRTUAL_ENV", None)
        say(f"• mutmut: publisher/{module}.py met {' '.join(tests)}")
        # --sample 036: only the mutants whose number ends in one of these digits (a deterministic subset)
        end = f"[{sample}]" if sample else ""
        patterns = [f"publisher.{module}.x_{name}__mutmut_*{end}" for name in only or []]
        run = subprocess.run(["nice", "-n", "19", str(binaries / "mutmut"), "run", "--max-children", str(children),
                              *patterns],
                             cwd=copy, env=env, capture_output=True, text=True)
        (work / "mutmut.log").write_text(run.stdout + run.stderr, encoding="utf-8")
        meta = copy / "mutants" / "publisher" / f"{module}.py.meta"
        if not meta.exists():
            say(run.stdout[-3000:] + run.stderr[-3000:])
            raise SystemExit(f"mutmut gaf geen resultaat voor {module} (zie hierboven)")
        from_exit = {1: "killed", 3: "killed", 0: "survived", 36: "timeout", 24: "timeout", -24: "timeout",
                     152: "timeout", 255: "timeout", 33: "no tests", 5: "no tests", 34: "skipped", None: "not checked"}
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        score = Score(f"publisher/{module}.py" + (f" ({len(only)} functies)" if only else "")
                      + (f" (steekproef *{end})" if sample else ""))
        score.statuses = {name: from_exit.get(code, "suspicious") for name, code in codes.items()
                          if not only or code is not None}  # --only: the functions not run are not counted
        if not score.statuses:
            say((work / "mutmut.log").read_text(encoding="utf-8")[-3000:])
            raise SystemExit(f"mutmut testte geen enkele mutant van {module} (zie hierboven)")
        known = load_equivalent()
        for name, status in score.statuses.items():
            if status in ("killed", "timeout"):
                continue
            diff = subprocess.run([str(binaries / "mutmut"), "show", name], cwd=copy, env=env, capture_output=True,
                                  text=True).stdout
            score.diffs[name] = diff
            if name in known:
                change, reason = known[name]
                if change.strip() in [line[1:].strip() for line in diff.splitlines() if line.startswith("+")]:
                    score.equivalent[name] = reason
                else:
                    score.stale.append(name)
        return score
    finally:
        if keep:
            say(f"  (bewaard: {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- JavaScript: Stryker


def stryker_bin() -> Path:
    js = BENCH / "js"
    core = js / "node_modules" / "@stryker-mutator" / "core" / "bin" / "stryker.js"
    if not core.exists():
        if not shutil.which("npm"):
            raise SystemExit("npm ontbreekt: sudo apt-get install -y nodejs npm")
        say("• Stryker installeren in bench/js/node_modules/ (npm ci)")
        subprocess.run(["nice", "-n", "19", "npm", "ci", "--no-audit", "--no-fund"], cwd=js, check=True)
    return core


def form_logic_files(target: Path, ref: str | None) -> None:
    """The module's whole folder (the tests import its sibling modules too, such as
    reflectie-pdf-logica.js, which uses the module), its tests and their data."""
    paths = [str(Path(FORM_LOGIC).parent), FORM_LOGIC_TESTS, *FORM_LOGIC_DATA]
    if ref:  # read from git: nothing is checked out, no other worktree is touched
        archive = subprocess.run(["git", "archive", ref, "--", *paths], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        return
    for path in paths:
        source = ROOT / path
        if source.is_dir():
            shutil.copytree(source, target / path, dirs_exist_ok=True)
        elif source.exists():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / path)


def run_stryker(ref: str | None, keep: bool, children: int, lines: list[int] | None = None) -> Score:
    core = stryker_bin()
    work = Path(tempfile.mkdtemp(prefix="stryker-"))
    try:
        form_logic_files(work, ref)
        if not (work / FORM_LOGIC).exists():
            raise SystemExit(f"{FORM_LOGIC} bestaat niet{' in ' + ref if ref else ''} (zet FORM_LOGIC=…)")
        config = {
            "$schema": "./node_modules/@stryker-mutator/core/schema/stryker-schema.json",
            "testRunner": "command",
            "commandRunner": {"command": f"node --test {FORM_LOGIC_TESTS}"},
            # --lines: only the mutants on these lines (a re-run of earlier survivors after new tests).
            "mutate": [f"{FORM_LOGIC}:{line}-{line + 1}" for line in lines] if lines else [FORM_LOGIC],
            "reporters": ["json", "clear-text"],
            "jsonReporter": {"fileName": "stryker-report.json"},
            "concurrency": children,
            "timeoutMS": 10000,
            "cleanTempDir": True,
            "plugins": [],
        }
        (work / "stryker.config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        env = {**os.environ, "NODE_PATH": str(BENCH / "js" / "node_modules")}
        say(f"• Stryker: {FORM_LOGIC}{' (' + ref + ')' if ref else ''} met node --test {FORM_LOGIC_TESTS}")
        run = subprocess.run(["nice", "-n", "19", "node", str(core), "run", "stryker.config.json"], cwd=work, env=env,
                             capture_output=True, text=True)
        (work / "stryker.log").write_text(run.stdout + run.stderr, encoding="utf-8")
        report = work / "stryker-report.json"
        if not report.exists():
            say(run.stdout[-3000:] + run.stderr[-3000:])
            raise SystemExit("Stryker gaf geen rapport (zie hierboven)")
        data = json.loads(report.read_text(encoding="utf-8"))
        score = Score(FORM_LOGIC + (f" ({len(lines)} regels)" if lines else ""))
        known = load_equivalent()
        source = (work / FORM_LOGIC).read_text(encoding="utf-8").split("\n")
        for file in data["files"].values():
            for mutant in file["mutants"]:
                status = {"Killed": "killed", "Survived": "survived", "Timeout": "timeout", "NoCoverage": "survived",
                          "CompileError": "invalid", "RuntimeError": "killed"}.get(mutant["status"], mutant["status"])
                start = mutant["location"]["start"]
                name = f"js:{start['line']}:{start['column']}:{mutant['mutatorName']}:{mutant['id']}"
                score.statuses[name] = status
                if status == "survived":
                    line = source[start["line"] - 1].strip()
                    score.diffs[name] = f"regel {start['line']}: {line}\n  → {mutant.get('replacement', '?')}"
                    key = f"js:{start['line']}:{start['column']}:{mutant['mutatorName']}"
                    if key in known:
                        score.equivalent[name] = known[key][1]
        return score
    finally:
        if keep:
            say(f"  (bewaard: {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["py", "js", "all"])
    parser.add_argument("modules", nargs="*", help="Python modules (names in PY_TARGETS); default: all")
    parser.add_argument("--ref", help="js: take the module and its tests from this git ref (e.g. form)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies (to inspect mutants)")
    parser.add_argument("--children", type=int, default=1, help="parallel test processes (default 1: shared machine)")
    parser.add_argument("--only", nargs="+", metavar="FUNCTIE",
                        help="py, one module: only the mutants of these functions (mutmut's x_<name>; a * pattern "
                             "works), for a module too big to run whole on a shared machine")
    parser.add_argument("--sample", metavar="CIJFERS",
                        help="py, with --only: only the mutants whose number ends in one of these digits (e.g. 036: "
                             "about 30 %%), a deterministic subset for a module too slow to run whole")
    parser.add_argument("--tests", nargs="+", metavar="TESTBESTAND",
                        help="py, one module: run only these test files against its mutants instead of PY_TARGETS' "
                             "(fast tests only: '-m not slow and not browser' is added)")
    parser.add_argument("--lines", type=lambda v: [int(x) for x in v.split(",")],
                        help="js: only the mutants on these lines, e.g. 47,49,61 (after new tests: re-run the survivors)")
    parser.add_argument("--quiet", action="store_true", help="do not print the survivors' diffs")
    args = parser.parse_args()

    scores: list[Score] = []
    if args.what in ("py", "all"):
        for module in args.modules or PY_TARGETS:
            if module not in PY_TARGETS:
                parser.error(f"onbekende module {module}; kies uit {', '.join(PY_TARGETS)}")
            tests = [*args.tests, "-m", "not slow and not browser"] if args.tests else PY_TARGETS[module]
            if args.sample and not args.only:
                parser.error("--sample werkt alleen samen met --only")
            scores.append(run_mutmut(module, tests, args.keep, args.children, args.only, args.sample))
    if args.what in ("js", "all"):
        scores.append(run_stryker(args.ref, args.keep, args.children, args.lines))

    for score in scores:
        unexplained = [name for name, status in score.statuses.items()
                       if status not in ("killed", "timeout") and name not in score.equivalent]
        if unexplained and not args.quiet:
            print(f"\n## {score.module}: {len(unexplained)} niet gedood en niet verklaard")
            for name in unexplained:
                print(f"\n### {name}: {score.statuses[name]}\n{score.diffs.get(name, '').strip()}")
        for name in score.stale:
            print(f"! {score.module}: {name} staat als equivalent in de lijst, maar de mutatie is anders geworden")
    print()
    print(table(scores))
    return 0 if all(s.score >= TARGET for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
