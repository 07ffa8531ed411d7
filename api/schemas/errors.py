"""The one body of every error answer; `api.errors` decides which error gets which status and code."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    """One problem with a request's input, as FastAPI's request validation reports it."""

    model_config = ConfigDict(extra="allow")  # input, ctx and url come and go with pydantic's versions

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    code: str = Field(description="stable and machine-readable, e.g. unknown_case, illegal_transition, invalid_request")
    detail: str | list[FieldProblem] = Field(
        description="what went wrong and what to do next; for invalid_request, the list of field problems",
    )
