"""Phone numbers on a sign-up and a steward's 名片: a mainland mobile, or a landline.

Accepted as people write them, and stored in one form: a mobile as its 11 digits ("+86 138-1234-5678"
is "13812345678"); a landline as area code, number and extension joined by hyphens ("(010) 6701 2345"
is "010-67012345"; a number without its area code stays without). Nothing else passes: a number the
station cannot call is no use on a 名片.
"""

from __future__ import annotations

import re
from typing import Final

from scoring.registry.errors import InvalidSignupError

PHONE_INPUT_MAX: Final = 24  # characters as typed, spaces and separators included
_MOBILE: Final = re.compile(r"1[3-9]\d{9}", re.ASCII)  # ASCII: \d alone takes any script's digits
# An area code is 0 and two digits starting 1 or 2 (010 Beijing, 021 Shanghai) or three starting 3 to 9
# (0755), so a number written without its hyphen splits one way only; a local number has 7 or 8 digits
# and starts with 2 to 9.
_AREA: Final = r"0(?:[12]\d|[3-9]\d{2})"
_LANDLINE: Final = re.compile(
    rf"(?:\(({_AREA})\)|({_AREA}))?-?([2-9]\d{{6,7}})(?:(?:-|转|ext\.?)(\d{{1,6}}))?", re.ASCII)


def normalise_phone(text: str) -> str:
    """The number in its stored form; InvalidSignupError for anything that is not a phone number."""
    if len(text) > PHONE_INPUT_MAX:
        raise InvalidSignupError(f"a phone number has at most {PHONE_INPUT_MAX} characters")
    compact = re.sub(r"\s+", "", text)
    digits = compact.replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if _MOBILE.fullmatch(digits):
        return digits
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area = landline.group(1) or landline.group(2)
        number, extension = landline.group(3), landline.group(4)
        return "-".join(part for part in (area, number, extension) if part)
    raise InvalidSignupError(
        f"phone {text!r} is neither a mainland mobile (11 digits from 13 to 19, e.g. 13812345678) nor a "
        "landline (e.g. 010-67012345)")
