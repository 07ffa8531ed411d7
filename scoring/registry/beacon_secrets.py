"""Beacon secrets at rest: sealed with AES-256-GCM, opened through `open_secret` and nowhere else.

    sealed = 0x01 ‖ nonce (12 random bytes) ‖ ciphertext ‖ tag (16 bytes)
    associated data = "lane-stewards/beacon-secret/v1" ‖ checkpoint id (4 bytes, big-endian)

The key is the deployment's (STEWARDS_BEACON_KEY, 32 bytes). The checkpoint id in the associated data
means a sealed secret copied onto another checkpoint's row does not open. Nonces are random: a
deployment seals one secret per beacon installed, far below the 2^32 messages per key that random
96-bit nonces allow.

Demo secrets (`db seed`, key origin `demo`) are public by construction; they are sealed with
`DEMO_BEACON_KEY`, a key as public as they are. That keeps one column format and one way to read it,
and a demo or a test never needs a deployment's key, while a deployment's installed beacons never open
with the demo's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from scoring.registry.errors import BeaconKeyError
from scoring.registry.key_origin import KeyOrigin
from scoring.seed.dataset import BEACON_SECRET_BYTES

BEACON_KEY_BYTES: Final = 32
DEMO_BEACON_KEY: Final = hashlib.sha256(b"lane-stewards/demo/beacon-key").digest()  # public on purpose
_VERSION: Final = b"\x01"
_NONCE_BYTES: Final = 12
_LABEL: Final = b"lane-stewards/beacon-secret/v1"


def new_beacon_secret() -> bytes:
    return secrets.token_bytes(BEACON_SECRET_BYTES)


def parse_beacon_key(text: str) -> bytes:
    """STEWARDS_BEACON_KEY's 32 bytes from its base64 (`openssl rand -base64 32`); ValueError saying why not."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not base64: make one with `openssl rand -base64 32`") from None
    if len(key) != BEACON_KEY_BYTES:
        raise ValueError(f"is {len(key)} bytes, not {BEACON_KEY_BYTES}: make one with `openssl rand -base64 32`")
    if key == DEMO_BEACON_KEY:
        raise ValueError("is the demo's public key: make one with `openssl rand -base64 32`")
    return key


def seal_secret(secret: bytes, checkpoint_id: int, origin: KeyOrigin, deployment_key: bytes | None) -> bytes:
    """The bytes `beacons.sealed_secret` keeps for `secret` at `checkpoint_id`."""
    nonce = os.urandom(_NONCE_BYTES)
    key = _key_for(origin, deployment_key, checkpoint_id)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, secret, _associated(checkpoint_id))


def open_secret(sealed: bytes, checkpoint_id: int, origin: str, deployment_key: bytes | None) -> bytes:
    """The secret of the beacon at `checkpoint_id`: what every reader of a beacon's secret calls."""
    key = _key_for(KeyOrigin(origin), deployment_key, checkpoint_id)
    sealed = bytes(sealed)
    if sealed[:1] != _VERSION or len(sealed) <= 1 + _NONCE_BYTES:
        raise BeaconKeyError(f"the beacon secret of checkpoint {checkpoint_id} is not sealed in a format this "
                             "version knows: replace the beacon (`stewards beacons replace`)")
    nonce, body = sealed[1:1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, _associated(checkpoint_id))
    except InvalidTag:
        raise BeaconKeyError(
            f"the beacon secret of checkpoint {checkpoint_id} does not open with this STEWARDS_BEACON_KEY: set "
            "the key its beacons were installed with") from None


def _key_for(origin: KeyOrigin, deployment_key: bytes | None, checkpoint_id: int) -> bytes:
    if origin is KeyOrigin.DEMO:
        return DEMO_BEACON_KEY
    if deployment_key is None:
        raise BeaconKeyError(f"checkpoint {checkpoint_id}'s beacon secret is sealed with the deployment's key: "
                             "set STEWARDS_BEACON_KEY (base64 of 32 bytes)")
    return deployment_key


def _associated(checkpoint_id: int) -> bytes:
    return _LABEL + checkpoint_id.to_bytes(4, "big")
