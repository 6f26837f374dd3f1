"""Command line: `python build.py [build|serve|check|clean|schema]`.

Thin on purpose: it parses arguments, calls the package and turns results into
exit codes. Everything a person reads here is Dutch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .project import Project
from .report import Reporter


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    from .github import guarded_output

    with guarded_output():
        return _guarded_main(argv, root)


def _guarded_main(argv: list[str] | None, root: Path | None) -> int:
    try:
        return _main(argv, root)
    except KeyboardInterrupt:
        # Ctrl+C: every step writes to a new directory or an atomic rename, so nothing half is published.
        print("✗ Afgebroken (Ctrl+C). De vorige versie in site/ is niet aangepast.", file=sys.stderr, flush=True)
        return 130


def _main(argv: list[str] | None, root: Path | None) -> int:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Bouwt de site en de reflectiebladen uit content/, indicators/ en site_config.yaml.",
    )
    parser.add_argument("command", nargs="?", default="build",
                        choices=["build", "serve", "check", "clean", "schema"],
                        help="build (standaard): alles bouwen naar site/; serve: voorbeeld met live herladen; "
                             "check: alleen controleren; clean: site/ en tussenbestanden weggooien; "
                             "schema: JSON Schema-bestanden opnieuw maken")
    parser.add_argument("-q", "--quiet", action="store_true", help="alleen problemen en het eindresultaat tonen")
    parser.add_argument("-v", "--verbose", action="store_true", help="ook details per stap tonen")
    parser.add_argument("--port", type=int, default=8000, help="poort voor serve (standaard 8000)")
    parser.add_argument("--jobs", type=int, default=None, help="aantal PDF's tegelijk (standaard: aantal cores)")
    parser.add_argument("--base", default=None, metavar="VERSIE",
                        help="check: laat zien wat er voor lezers verandert ten opzichte van deze Git-versie "
                             "(bv. main of origin/main) of map (standaard in een pull request op GitHub: de basis-branch)")
    args = parser.parse_args(argv)

    project = Project.at(root or Path(__file__).resolve().parent.parent)
    # Quiet by default in CI (problems and the result are always shown); the live preview
    # is interactive and always reports what it does.
    in_ci = os.environ.get("CI", "").lower() in ("1", "true")
    quiet = args.quiet or (in_ci and not args.verbose and args.command != "serve")
    reporter = Reporter(quiet=quiet, verbose=args.verbose)

    if args.command == "check":
        from .check import run_check

        return run_check(project, reporter, base=args.base)
    if args.command == "schema":
        from .schema import write_schemas

        for name in write_schemas(project):
            reporter.step(f"geschreven: {name}")
        return 0
    if args.command == "clean":
        from .site import clean

        clean(project, reporter)
        reporter.done("site/ en .cache/ verwijderd.")
        return 0
    if args.command in ("build", "serve"):
        from .system import missing_message

        message = missing_message()
        if message:
            reporter.fail(message)
            return 1
    if args.command == "serve":
        from .serve import serve

        return serve(project, reporter, port=args.port, jobs=args.jobs)

    from .site import build

    return 0 if build(project, reporter, jobs=args.jobs) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
