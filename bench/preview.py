#!/usr/bin/env python3
"""Live-preview benchmark (not a test): how long after saving a question the preview shows it.

    .venv/bin/python bench/preview.py            # 5 edits, median and maximum
    .venv/bin/python bench/preview.py --runs 9

Starts `build.py serve` on a copy of the project (your site/ and .cache/ stay as they are),
waits for the first build, then changes one question of indicators/bo.yaml per run and
measures, from the moment the file is written, (1) until the page at /bo/reflectievragen/
shows the new text and (2) until the preview's sheet reflectievragen-bo.pdf has it too
(rendered in the background). tests/test_build.py checks the behaviour (the page does not
wait for the sheets); the timings live here because wall-clock limits make tests flaky on
a busy machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from benchmark import copy_project  # noqa: E402

QUESTION = "Ervaren leerlingen herkenning?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process `pid` and its waited-for children so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def seconds_until(condition, start: float, timeout: float = 120) -> float:
    while time.perf_counter() - start < timeout:
        try:
            if condition():
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"niet binnen {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as temporary:
        project = copy_project(Path(temporary) / "project")
        port = free_port()
        log = Path(temporary) / "serve.log"
        env = {**os.environ, "PYTHONPATH": str(project), "CI": ""}
        with open(log, "w") as out:
            server = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=project,
                                      stdout=out, stderr=subprocess.STDOUT, env=env)
        page_url = f"http://127.0.0.1:{port}/bo/reflectievragen/"
        pdf_url = f"http://127.0.0.1:{port}/downloads/reflectievragen-bo.pdf"
        try:
            seconds_until(lambda: QUESTION.encode() in fetch(page_url), time.perf_counter(), timeout=300)
            yaml_file = project / "indicators" / "bo.yaml"
            original = yaml_file.read_text(encoding="utf-8")
            pages, sheets, cpus = [], [], []
            time.sleep(2)  # the first build's background work
            for run in range(1, args.runs + 1):
                marker = f"herkenning (meting {run})?"
                start, cpu = time.perf_counter(), cpu_seconds(server.pid)
                yaml_file.write_text(original.replace(QUESTION, f"Ervaren leerlingen {marker}"), encoding="utf-8")
                pages.append(seconds_until(lambda: marker.encode() in fetch(page_url), start))
                cpus.append(cpu_seconds(server.pid) - cpu)
                sheets.append(seconds_until(lambda: f"meting {run}" in pdf_text(fetch(pdf_url)), start))
                time.sleep(1)  # let the preview settle before the next edit
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.runs} edits; "
          f"load average {load_before:.2f} at start, {os.getloadavg()[0]:.2f} at the end")
    print(f"question saved → page shows it:  median {statistics.median(pages):.2f} s, max {max(pages):.2f} s   "
          "(target ≤ 1 s median)")
    print(f"  CPU time of the preview process meanwhile: median {statistics.median(cpus):.2f} s, max {max(cpus):.2f} s "
          "(what the edit costs on an idle core; sheet workers not included)")
    print(f"question saved → sheet shows it: median {statistics.median(sheets):.2f} s, max {max(sheets):.2f} s")


if __name__ == "__main__":
    main()
