"""GeoReport v2's documents, as JSON has them (the XML spells the same data: `api.open311.xml`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from api.schemas.base import OutModel

Status = Literal["open", "closed"]


class EndpointOut(OutModel):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class DiscoveryOut(OutModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointOut]


class ServiceOut(OutModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool  # true: its definition has attributes (GET services/{code})
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str  # comma separated
    group: str


class ValueOut(OutModel):
    key: str
    name: str


class AttributeOut(OutModel):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[ValueOut]


class ServiceDefinitionOut(OutModel):
    service_code: str
    attributes: list[AttributeOut]


class ServiceRequestOut(OutModel):
    """One case as a service request; no field names or reaches the people who reported it."""

    service_request_id: str
    status: Status
    status_notes: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None  # the work ledger sets no deadline
    address: str
    address_id: str
    zipcode: str | None
    lat: float | None  # known where the case is at a surveyed checkpoint
    long: float | None
    media_url: str | None


class CreatedOut(OutModel):
    """The answer to a POST: realtime, so the case's id at once, and the report's token as well."""

    service_request_id: str
    token: str
    service_notice: str
    account_id: str | None


class TokenOut(OutModel):
    token: str
    service_request_id: str


class Open311ErrorOut(OutModel):
    """One of an answer's errors (the API's own ErrorOut is {code, detail}; the spec's is this)."""

    code: int  # the HTTP status, as the spec's examples have it
    description: str
