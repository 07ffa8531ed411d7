"""Scoring's check-in vocabulary mirrors the wire protocol's, value for value.

Scoring may not import `wire` (the import rules), so the two enumerations are pinned here, where
both can be imported: a kind or category added on one side only fails this test.
"""

from __future__ import annotations

from scoring.cases.workflow import CaseCategory
from scoring.checkins import CheckInKind
from wire import Kind, ProblemCategory


def test_checkin_kinds_are_the_wire_kinds() -> None:
    assert {k.name: k.value for k in CheckInKind} == {k.name: k.value for k in Kind}


def test_case_categories_carry_the_wire_problem_categories() -> None:
    assert {c.name: c.code for c in CaseCategory} == {c.name: c.value for c in ProblemCategory}
