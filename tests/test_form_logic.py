"""The online form's logic (templates/site/assets/javascripts/reflectie-logica.js, an ES module
without DOM access) is unit-tested in Node's test runner over many generated cases:
tests/js/*.test.mjs. This runs them as part of `./dev test`; `node --test tests/js/` runs them
alone (well under a second)."""

from __future__ import annotations

import shutil
import subprocess

from conftest import ROOT


def test_form_logic_in_nodes_test_runner() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "Node.js ontbreekt: sudo apt-get install -y nodejs"
    result = subprocess.run([node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    summary = [line for line in result.stdout.splitlines() if line.startswith(("# tests", "# pass", "# fail"))]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in summary and any(line.startswith("# pass") and int(line.split()[-1]) > 0 for line in summary), summary
