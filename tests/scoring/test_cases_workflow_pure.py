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


@pytest.mark.parametrize(
    ("to", "actor", "actor_lane_id", "allowed"),
    [
        ("confirmed", "chief:1", 7, True),
        ("confirmed", "chief:1", 8, False),  # a chief of another lane
        ("confirmed", "chief:1", None, False),  # not in the registry, or of no lane
        ("fixed", "contractor:2", 7, True),
        ("fixed", "contractor:2", 8, False),
        ("confirmed", "contractor:2", 7, False),  # a property company only records fixes
        ("fixed", "system", None, True),
        ("closed", "system", None, False),
        ("fixed", "steward:3", None, False),
    ],
)
def test_who_may_move_a_case_is_decided_without_a_database(
    to: str, actor: str, actor_lane_id: int | None, allowed: bool
) -> None:
    from scoring.cases.workflow import Actor, CaseState, check_actor
    from scoring.errors import NotAuthorisedError

    if allowed:
        check_actor(5, 7, CaseState(to), Actor.parse(actor), actor_lane_id)
    else:
        with pytest.raises(NotAuthorisedError, match="lane"):
            check_actor(5, 7, CaseState(to), Actor.parse(actor), actor_lane_id)
