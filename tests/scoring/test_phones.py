"""Phone numbers as people write them, in one stored form; nothing that is not a number to call."""

from __future__ import annotations

import pytest

from scoring.registry.errors import InvalidSignupError
from scoring.registry.phones import normalise_phone


@pytest.mark.parametrize(("written", "stored"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 199 1234 5678", "19912345678"),
    ("010-67012345", "010-67012345"),
    ("01067012345", "010-67012345"),
    ("(010) 6701 2345", "010-67012345"),
    ("0755-8765432", "0755-8765432"),
    ("67012345", "67012345"),
    ("010-67012345-123", "010-67012345-123"),
    ("010-67012345转123", "010-67012345-123"),
])
def test_a_mobile_or_a_landline_is_stored_in_one_form(written: str, stored: str) -> None:
    assert normalise_phone(written) == stored


@pytest.mark.parametrize("written", [
    "", "   ", "12812345678",  # no mobile starts 12
    "1381234567", "138123456789",  # ten or twelve digits
    "010-0123456",  # a local number does not start with 0
    "phone me", "13812345678; drop table", "138１２３４５６７８", "010-６７０１２３４５",  # full-width digits
    "1" * 25,
])
def test_anything_else_is_refused(written: str) -> None:
    with pytest.raises(InvalidSignupError):
        normalise_phone(written)
