"""The work ledger's rules and the other pure vocabulary import with no database library loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_MODULES = [
    "scoring.cases.workflow",
    "scoring.cases.errors",
    "scoring.cases.views",
    "scoring.checkins",
    "scoring.integrity.states",
    "scoring.ledger.entries",
    "scoring.errors",
    "scoring.rulebook",
    "scoring.rulebook_default",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_imports_without_sqlalchemy(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'sqlalchemy' or m.startswith('sqlalchemy.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} loads {result.stdout.strip()}"


def test_the_probe_sees_sqlalchemy_when_a_store_loads_it() -> None:
    # The store does load SQLAlchemy: the probe above would notice a pure module that did.
    probe = "import sys, scoring.cases.store\nprint('sqlalchemy' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
