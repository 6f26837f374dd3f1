"""Command line: `python build.py [build|serve|check|clean|schema|ids]`.

Thin on purpose: it parses arguments, calls the package and turns results into
exit codes. Everything a person reads here is Dutch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .project import TOOL_ROOT, Project
from .report import Reporter


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    _restore_ctrl_c()
    try:
        return _main(argv, root)
    except KeyboardInterrupt:
        # Ctrl+C: every step writes to a new directory or an atomic rename, so nothing half is published.
        print("✗ Afgebroken (Ctrl+C). De vorige versie in site/ is niet aangepast.", file=sys.stderr, flush=True)
        return 130


def _restore_ctrl_c() -> None:
    """Ctrl+C must stop a build with its Dutch message even when the parent started us with
    SIGINT ignored (`nohup`, some CI wrappers): Python then keeps ignoring it. Restore the
    default handler (only the main thread may install one; in-process callers in other
    threads keep theirs)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _main(argv: list[str] | None, root: Path | None) -> int:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Bouwt de site en de reflectiebladen uit content/, indicators/ en site_config.yaml.",
    )
    parser.add_argument("command", nargs="?", default="build",
                        choices=["build", "serve", "check", "clean", "schema", "ids"],
                        help="build (standaard): alles bouwen naar site/; serve: voorbeeld met live herladen; "
                             "check: alleen controleren; clean: site/ en tussenbestanden weggooien; "
                             "schema: JSON Schema-bestanden opnieuw maken; "
                             "ids: de vaste ids van deze editie vastleggen in gepubliceerd/<editie>.json "
                             "(doe dit bij elke uitgave, en commit het bestand)")
    parser.add_argument("-q", "--quiet", action="store_true", help="alleen problemen en het eindresultaat tonen")
    parser.add_argument("-v", "--verbose", action="store_true", help="ook details per stap tonen")
    parser.add_argument("--port", type=int, default=8000, help="poort voor serve (standaard 8000)")
    parser.add_argument("--jobs", type=int, default=None, help="aantal PDF's tegelijk (standaard: aantal cores)")
    parser.add_argument("--base", default=None, metavar="VERSIE",
                        help="check: laat zien wat er voor lezers verandert ten opzichte van deze Git-versie "
                             "(bv. main of origin/main) of map (standaard in een pull request op GitHub: de basis-branch)")
    parser.add_argument("--project", default=None, metavar="MAP",
                        help="de map van de publicatie (met site_config.yaml, content/ en indicators/); de site komt "
                             "in MAP/site/. Standaard: de map van dit programma (de publicatie van KCR). "
                             "Bv. --project voorbeelden/lindeoord")
    args = parser.parse_args(argv)

    tool = Path(root) if root is not None else TOOL_ROOT
    if args.project is None:
        project = Project.at(tool)
    else:
        folder = Path(args.project).expanduser()
        if not (folder / "site_config.yaml").is_file():
            what = "bestaat niet" if not folder.exists() else "heeft geen site_config.yaml"
            print(f"✗ De map van de publicatie {args.project} {what}.\n"
                  "  Geef met --project de map die site_config.yaml, content/ en indicators/ bevat, "
                  "bv. --project voorbeelden/lindeoord.", file=sys.stderr)
            return 2
        project = Project.at(folder, tool=tool)
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
    if args.command == "ids":
        from .ids import write_registry
        from .problems import summary
        from .validate import load_publication

        loaded = load_publication(project)
        reporter.problems(loaded.problems)
        if loaded.errors:
            reporter.fail(f"Ids niet vastgelegd: eerst de fouten oplossen ({summary(loaded.problems)}).")
            return 1
        path = write_registry(project, loaded.publication)
        reporter.done(f"Vastgelegd: {project.name(path)} (editie {loaded.publication.config.edition}). "
                      "Commit dit bestand; 'check' bewaakt deze ids vanaf nu.")
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
