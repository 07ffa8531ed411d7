"""Enrolling bands: the id and Ed25519 public key a band reports at provisioning, and its claim code.

The code comes back once, to be printed with the band; the store keeps its SHA-256 (see claim_codes).
A factory's batch is enrolled whole or not at all, so a file with one bad line can be fixed and sent
again without working out which bands went in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.registry import claim_codes
from scoring.registry.band_keys import parse_public_key
from scoring.registry.errors import BandExistsError, InvalidBandError, InvalidBandKeyError
from scoring.registry.key_origin import KeyOrigin
from scoring.seed.dataset import BAND_ID_MAX, BAND_ID_MIN
from scoring.storage import tables as t

BATCH_MAX: Final = 100_000  # bands one factory file may hold: a production run, not a typo's worth of rows
_LOOKUP_CHUNK: Final = 500  # ids per IN (...): well inside SQLite's limit on bound parameters


@dataclass(frozen=True, slots=True)
class EnrolledBand:
    band_id: int
    key_origin: str
    registered_at: datetime
    claim_code: str = field(repr=False)  # shown this once


def enrol_band(session: Session, band_id: int, public_key: str, *, now: datetime) -> EnrolledBand:
    """Enrol one band; InvalidBandKeyError, InvalidBandError or BandExistsError saying what to fix."""
    (enrolled,) = enrol_bands(session, [(band_id, public_key)], now=now)
    return enrolled


def enrol_bands(session: Session, bands: Sequence[tuple[int, str]], *, now: datetime,
                where: Sequence[str] | None = None) -> list[EnrolledBand]:
    """Enrol every band or none; `where` names each row in errors (a file's line), by default its band id."""
    if len(bands) > BATCH_MAX:
        raise InvalidBandError(f"{len(bands)} bands at once: enrol at most {BATCH_MAX} per batch")
    keys: dict[int, bytes] = {}
    for i, (band_id, text) in enumerate(bands):
        label = where[i] if where is not None else f"band {band_id}"
        if isinstance(band_id, bool) or not BAND_ID_MIN <= band_id <= BAND_ID_MAX:
            raise InvalidBandError(f"{label}: band id {band_id} is outside {BAND_ID_MIN}..{BAND_ID_MAX}")
        if band_id in keys:
            raise BandExistsError(f"{label}: band {band_id} appears twice in this batch")
        try:
            keys[band_id] = parse_public_key(text)
        except InvalidBandKeyError as exc:
            raise InvalidBandKeyError(f"{label}: {exc}") from None
    ids = sorted(keys)
    taken = [b for i in range(0, len(ids), _LOOKUP_CHUNK)
             for b in session.scalars(select(t.Band.id).where(t.Band.id.in_(ids[i:i + _LOOKUP_CHUNK])))]
    if taken:
        shown = ", ".join(str(b) for b in taken[:10]) + (" …" if len(taken) > 10 else "")
        raise BandExistsError(f"band {shown} {'is' if len(taken) == 1 else 'are'} enrolled already: a band is "
                              "enrolled once; a lost one is replaced by a new band")
    enrolled = []
    rows = []
    for band_id, key in keys.items():
        code = claim_codes.new_claim_code()
        rows.append(dict(id=band_id, public_key=key, registered_at=now, key_origin=KeyOrigin.ENROLLED.value,
                         claim_code_sha256=claim_codes.digest(code)))
        enrolled.append(EnrolledBand(band_id, KeyOrigin.ENROLLED.value, now, code))
    if rows:
        session.execute(t.Band.__table__.insert(), rows)
    return enrolled


def read_factory_csv(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """The (band id, public key) rows of a factory file, with a header `band_id,public_key`, and where each is.

    Blank lines and lines starting with # are skipped; anything else that is not a row is an error."""
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, str]] = []
    where: list[str] = []
    header_seen = False
    for line_no, fields in enumerate(reader, start=1):
        if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
            continue
        cells = [f.strip() for f in fields]
        if not header_seen:
            if [c.lower() for c in cells[:2]] != ["band_id", "public_key"]:
                raise InvalidBandError(f"line {line_no}: the first line must be the header band_id,public_key; "
                                       f"got {','.join(cells)[:60]!r}")
            header_seen = True
            continue
        if len(cells) != 2:
            raise InvalidBandError(f"line {line_no}: expected band_id,public_key; got {len(cells)} fields")
        try:
            band_id = int(cells[0])
        except ValueError:
            raise InvalidBandError(f"line {line_no}: band id {cells[0][:20]!r} is not a number") from None
        rows.append((band_id, cells[1]))
        where.append(f"line {line_no}")
    if not header_seen:
        raise InvalidBandError("the file holds no bands: expected a header band_id,public_key and one line a band")
    return rows, where
