"""What every schema shares: the base of response schemas, and the bounded input types of the boundary.

Every input the API reads is bounded here, once: ids to the stores' integer range, years and days to what
a date holds, text to a length (and no NUL), days and instants to ISO 8601 text. pydantic's lax mode would
read `0` as 1970-01-01 and a full-width "２０１７" as a year; a client that sends those has made a mistake,
and is told so rather than answered about another day.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Final

from annotated_types import Interval
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

# The stores' keys are 32-bit INTEGER columns: a larger id names no row, and PostgreSQL would refuse the query.
STORE_ID_MAX: Final = 2**31 - 1
YEAR_MIN: Final = 1
YEAR_MAX: Final = 9999  # the last year a Python date holds
# A note, a reason, a comment: a long paragraph, well past anything typed on a phone, and short enough that a
# body of them stays far below the app's body limit (api.body_limit).
TEXT_MAX_CHARS: Final = 2000

StoreId = Annotated[int, Interval(ge=1, le=STORE_ID_MAX)]
Year = Annotated[int, Interval(ge=YEAR_MIN, le=YEAR_MAX)]
# PostgreSQL's text cannot hold NUL; refusing it here keeps both stores answering the same. A field may set
# a smaller max_length of its own (Annotated[Text, Field(max_length=...)]).
Text = Annotated[str, Field(pattern=r"^[^\x00]*$", max_length=TEXT_MAX_CHARS)]

# A period's label, by its shape (which kind it must be is the `period` parameter's): 2017-05-03, 2017-W18,
# 2017-05, 2017-Q2, 2017, 2017-05-01..2018-04-30. ASCII digits only, four of them a year, two a month.
PERIOD_LABEL_PATTERN: Final = (r"^[0-9]{4}(-W[0-9]{2}|-Q[1-4]|-[0-9]{2}(-[0-9]{2}"
                                r"(\.\.[0-9]{4}-[0-9]{2}-[0-9]{2})?)?)?$")
PERIOD_LABEL_MAX_CHARS: Final = len("2017-05-01..2018-04-30")

_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_INSTANT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                                 r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?")


def _iso_day(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("a day is written YYYY-MM-DD, e.g. 2017-09-05")


def _iso_instant(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_INSTANT.fullmatch(value)):
        return value
    raise ValueError("an instant is written in ISO 8601 with its offset, e.g. 2017-09-08T15:00:00+08:00")


Day = Annotated[date, BeforeValidator(_iso_day)]
Instant = Annotated[datetime, BeforeValidator(_iso_instant)]


class OutModel(BaseModel):
    """A response schema: validated from a view object's attributes, nested views included."""

    model_config = ConfigDict(from_attributes=True)


class InModel(BaseModel):
    """A request body. A field it does not declare is refused, not ignored: a client that still sends
    an actor, a chief or a steward id learns that the credential decides who acts, not the body.
    Every text field has a max_length and every list a max_length (a test walks them)."""

    model_config = ConfigDict(extra="forbid")
