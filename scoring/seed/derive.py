"""Deterministic secrets for demo and test data: beacon secrets and band signing seeds.

Both are SHA-256 over a domain-separation label and the record's own identity, so the same key
always yields the same secret and no two kinds of secret can coincide. They are public by
construction: fit for demos, tests and benchmarks, never for a deployed beacon or band.
"""

from __future__ import annotations

import hashlib
from typing import Final

from scoring.seed.dataset import BAND_SIGNING_SEED_BYTES, BEACON_SECRET_BYTES

_BEACON_LABEL: Final = b"lane-stewards/seed/beacon-secret\x00"
_BAND_LABEL: Final = b"lane-stewards/seed/band-signing-seed\x00"


def beacon_secret(checkpoint_key: str) -> bytes:
    """The 16-byte secret of the beacon at a checkpoint, from the checkpoint's key."""
    digest = hashlib.sha256(_BEACON_LABEL + checkpoint_key.encode("ascii")).digest()
    return digest[:BEACON_SECRET_BYTES]


def band_signing_seed(band_id: int) -> bytes:
    """The 32-byte Ed25519 seed of a band, from its band id.

    Keyed by the band rather than its steward: a band keeps its key when it is rebound.
    """
    digest = hashlib.sha256(_BAND_LABEL + band_id.to_bytes(4, "big")).digest()
    return digest[:BAND_SIGNING_SEED_BYTES]
