"""What the Makefile promises a newcomer: `make demo ARGS=--json` is JSON on stdout, and a new release
of a dependency cannot change what `make venv` installs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_demo_json_is_only_json_on_stdout(tmp_path: Path) -> None:
    # -o: the virtual environment of this test run counts as installed; make itself echoes nothing.
    # The environment is a newcomer's shell: under `make test` this process inherits MAKELEVEL, and a
    # make that believes it is a sub-make prints "Entering directory" lines, which a shell never sees.
    shell = {k: v for k, v in os.environ.items() if k not in {"MAKELEVEL", "MAKEFLAGS", "MFLAGS"}}
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", f"BIN={Path(sys.executable).parent}", "demo",
         f"ARGS=--days 2 --once --json --workdir {tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**shell, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["days"] == 2 and summary["committed"] == summary["records_made"] > 0


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None, requirement
    return match.group(0).lower().replace("_", "-")


def test_every_dependency_has_an_upper_bound_and_a_pin() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    unbounded = [r for r in requirements if "<" not in r and "==" not in r]
    assert unbounded == []
    pinned = {
        _name(line) for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and "==" in line
    }
    assert {_name(r) for r in requirements} <= pinned
