"""What every schema shares: the base of response schemas, and the bounded input types of the boundary."""

from __future__ import annotations

from typing import Annotated, Final

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field

# The stores' keys are 32-bit INTEGER columns: a larger id names no row, and PostgreSQL would refuse the query.
STORE_ID_MAX: Final = 2**31 - 1
YEAR_MIN: Final = 1
YEAR_MAX: Final = 9999  # the last year a Python date holds

StoreId = Annotated[int, Interval(ge=1, le=STORE_ID_MAX)]
Year = Annotated[int, Interval(ge=YEAR_MIN, le=YEAR_MAX)]
# PostgreSQL's text cannot hold NUL; refusing it here keeps both stores answering the same.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class OutModel(BaseModel):
    """A response schema: validated from a view object's attributes, nested views included."""

    model_config = ConfigDict(from_attributes=True)


class InModel(BaseModel):
    """A request body. A field it does not declare is refused, not ignored: a client that still sends
    an actor, a chief or a steward id learns that the credential decides who acts, not the body."""

    model_config = ConfigDict(extra="forbid")
