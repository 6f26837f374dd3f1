"""Command line: `python build.py [build|serve|check|clean|schema|ids]`.

Thin on purpose: it parses arguments, calls the package and turns results into
exit codes. Everything a person reads here is Dutch.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import NoReturn

from .escaping import terminal_text
from .project import TOOL_ROOT, Project
from .report import Reporter


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    _restore_ctrl_c()
    from .github import guarded_output

    with guarded_output():
        return _guarded_main(argv, root)


def exit_at_once(code: int) -> NoReturn:
    """End the process as `sys.exit(code)` would, but without the interpreter's teardown of its
    modules, which only frees memory and takes about 0.1 s with MkDocs and WeasyPrint loaded (a
    twentieth of an edit build). As at a normal exit, other threads are waited for, exit
    handlers run (logging, multiprocessing, temporary folders) and the output is flushed. Both
    steps are CPython's own (private) functions; a Python without them exits the usual way."""
    import atexit
    import threading

    shutdown_threads, run_exit_handlers = getattr(threading, "_shutdown", None), getattr(atexit, "_run_exitfuncs", None)
    if shutdown_threads is None or run_exit_handlers is None:
        sys.exit(code)
    shutdown_threads()  # what the interpreter does first at exit: its thread exit hooks, then join the other threads
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nobody reads the output any more
            pass
    os._exit(code)


def _guarded_main(argv: list[str] | None, root: Path | None) -> int:
    try:
        return _main(argv, root)
    except KeyboardInterrupt:
        # Ctrl+C: every step writes to a new directory or an atomic rename, so nothing half is published.
        print("✗ Afgebroken (Ctrl+C). De vorige versie in site/ is niet aangepast.", file=sys.stderr, flush=True)
        return 130
    except _UsageError as exc:
        print(f"✗ {exc}\n    → Gebruik: python build.py [{'|'.join(COMMANDS)}] [opties]; "
              "alle opties: python build.py --help", file=sys.stderr, flush=True)
        return 2
    except OSError as exc:
        # The last safety net: whatever file or port a step could not use, said in Dutch.
        print(f"✗ {os_error_message(exc)}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - no traceback at an editor, ever
        if os.environ.get("PUBLISHER_TRACEBACK"):
            raise
        print(f"✗ Interne fout in de bouw ({type(exc).__name__}). Dit is geen fout in je tekst. Meld het bij de "
              "beheerder van de site, met de opdracht die je gaf; met PUBLISHER_TRACEBACK=1 zie je de details.",
              file=sys.stderr, flush=True)
        return 1


_ERRNO_TEXT = {
    errno.EEXIST: "het bestaat al (een bestand waar een map hoort?)",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EISDIR: "het is een map, geen bestand",
    errno.EACCES: "er is geen toestemming om het te lezen of te schrijven",
    errno.EPERM: "er is geen toestemming om het te lezen of te schrijven",
    errno.ENOSPC: "de schijf is vol",
    errno.ENOENT: "het bestaat niet",
    errno.ELOOP: "het is een snelkoppeling die in een kring naar zichzelf verwijst",
    errno.EADDRINUSE: "de poort is al in gebruik door een ander programma",
    errno.EROFS: "de schijf is alleen-lezen",
}


def os_error_message(exc: OSError) -> str:
    """A Dutch sentence for a file or network error: what, where, and what to do."""
    where = exc.filename if exc.filename is not None else None
    if exc.errno in _ERRNO_TEXT:
        what = _ERRNO_TEXT[exc.errno]
    elif exc.errno is not None:
        what = f"foutcode {exc.errno} ({terminal_text(exc.strerror or '')})"
    else:  # no code (e.g. a socket address that is too long): the system's own words
        what = f"het systeem meldt: {terminal_text(str(exc) or type(exc).__name__)}"
    subject = f"'{terminal_text(where)}'" if where else "Een bestand of map"
    return (f"{subject} kon niet gebruikt worden: {what}. Niets is gepubliceerd; de vorige versie in site/ is niet aangepast. "
            "Los dit op en probeer het opnieuw (tussenbestanden weggooien: python build.py clean).")


class _UsageError(Exception):
    """A command line argparse refused, with the Dutch message."""


class _DutchArgumentParser(argparse.ArgumentParser):
    """argparse in Dutch: its own English messages become Dutch ones, usage and help headings too."""

    def error(self, message: str):
        raise _UsageError(_dutch_usage_message(message))

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "gebruik:", 1)

    def format_help(self) -> str:
        return (super().format_help().replace("usage:", "gebruik:", 1)
                .replace("positional arguments:", "opdracht:").replace("options:", "opties:"))


COMMANDS = ("build", "serve", "check", "clean", "schema", "ids")


def _dutch_usage_message(message: str) -> str:
    import re

    if match := re.search(r"invalid choice: '?(.*?)'? \(choose from", message):
        return f"onbekende opdracht '{terminal_text(match.group(1))}'; kies uit: {', '.join(COMMANDS)}"
    if match := re.search(r"argument (\S+): invalid (?:int|port) value: '?(.*?)'?$", message):
        return f"de optie {match.group(1)} verwacht een geheel getal, niet '{terminal_text(match.group(2))}'"
    if match := re.search(r"argument (\S+): expected one argument", message):
        return f"de optie {match.group(1)} heeft een waarde nodig"
    if match := re.search(r"unrecognized arguments: (.*)", message):
        return f"onbekende optie of opdracht: {terminal_text(match.group(1))}"
    if match := re.search(r"argument (\S+): ignored explicit argument '?(.*?)'?$", message):
        return f"de optie {match.group(1)} heeft geen waarde ('{terminal_text(match.group(2))}')"
    if match := re.search(r"argument (\S+): (.*)", message):
        return f"de optie {match.group(1)} klopt niet: {terminal_text(match.group(2))}"
    return f"de opdracht klopt niet: {terminal_text(message)}"


def _port(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is geen poortnummer (1 tot en met 65535)")
    return int(value)


def _jobs(value: str) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 256:
        raise argparse.ArgumentTypeError(f"'{value}' is geen aantal (1 tot en met 256)")
    return int(value)


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
    parser = _DutchArgumentParser(
        prog="build.py", add_help=False,
        description="Bouwt de site en de reflectiebladen uit content/, indicators/ en site_config.yaml.",
    )
    parser.add_argument("-h", "--help", action="help", help="deze uitleg tonen en stoppen")
    parser.add_argument("command", nargs="?", default="build",
                        choices=list(COMMANDS),
                        help="build (standaard): alles bouwen naar site/; serve: voorbeeld met live herladen; "
                             "check: alleen controleren; clean: site/ en tussenbestanden weggooien; "
                             "schema: JSON Schema-bestanden opnieuw maken; "
                             "ids: de vaste ids van deze editie vastleggen in gepubliceerd/<editie>.json "
                             "(doe dit bij elke uitgave, en commit het bestand)")
    parser.add_argument("-q", "--quiet", action="store_true", help="alleen problemen en het eindresultaat tonen")
    parser.add_argument("-v", "--verbose", action="store_true", help="ook details per stap tonen")
    parser.add_argument("--port", type=_port, default=8000, metavar="POORT", help="poort voor serve (standaard 8000)")
    parser.add_argument("--jobs", type=_jobs, default=None, metavar="AANTAL", help="aantal PDF's tegelijk (standaard: aantal cores)")
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

    from .unchanged import build_lock, input_digest, replay

    with build_lock(project, reporter):  # nothing changed: done without loading the model, MkDocs or WeasyPrint
        inputs = input_digest(project)
        if replay(project, inputs, reporter):
            return 0
    from .sheet_render import start_sheet_workers

    start_sheet_workers()  # WeasyPrint loads in the background while this process checks the input
    from .site import build

    return 0 if build(project, reporter, jobs=args.jobs, inputs=inputs) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
