"""Accept or refuse the beacon token a check-in carries.

A beacon advertises `wire.beacon_token(secret, window)` and rotates it every
`wire.TOKEN_WINDOW_SECONDS`. A record's token is accepted when it is the token of the beacon that
was installed at the record's checkpoint at the record's event time, for the event's window or one
within `tolerance_windows` of it (band and beacon clocks drift; the default of one window allows
five minutes either way). Anything else is refused, and the reason says which lie it was:

    token_stale   this beacon's token, but from a window outside the tolerance (a copied token)
    wrong_beacon  the current token of another checkpoint's beacon (a cloned or moved beacon)
    bad_token     no beacon we know advertised it around that time
    demo_beacon   the token of a beacon whose secret is the demo's (derived, public: anyone can make it),
                  where the deployment does not allow demo keys

Tokens are HMACs, so this module caches them per (secret, window): the accepting path costs a
dictionary lookup for every record after the first of its beacon and window.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import wire
from scoring.ingest import BeaconEntry, RefusalReason

DEFAULT_TOLERANCE_WINDOWS: Final = 1
# How far back a refused token is traced to name it stale rather than bad: one day of windows.
STALE_SEARCH_WINDOWS: Final = 86_400 // wire.TOKEN_WINDOW_SECONDS
_WINDOW_MS: Final = wire.TOKEN_WINDOW_SECONDS * 1000
_TOKEN_CACHE_ENTRIES: Final = 200_000
_OWNER_CACHE_WINDOWS: Final = 8


@dataclass(frozen=True, slots=True)
class TokenRefusal:
    reason: RefusalReason
    detail: str


class TokenChecker:
    """Check tokens against the beacons of a directory snapshot; shared by the verify threads."""

    def __init__(self, beacons: Mapping[int, tuple[BeaconEntry, ...]], *,
                 tolerance_windows: int = DEFAULT_TOLERANCE_WINDOWS, allow_demo: bool = False) -> None:
        if tolerance_windows < 0:
            raise ValueError(f"tolerance_windows must be >= 0, got {tolerance_windows}")
        self._beacons = beacons
        self._tolerance = tolerance_windows
        self._allow_demo = allow_demo
        self._tokens: dict[tuple[bytes, int], bytes] = {}
        self._owners: OrderedDict[int, dict[bytes, int]] = OrderedDict()
        self._owners_lock = threading.Lock()

    def check(self, checkpoint_id: int, at_ms: int, token: bytes) -> TokenRefusal | None:
        """None if `token` is acceptable for a record at `checkpoint_id` at `at_ms`."""
        window = at_ms // _WINDOW_MS
        tolerance = self._tolerance
        for beacon in self._beacons.get(checkpoint_id, ()):
            if beacon.active_from_ms <= at_ms < beacon.active_to_ms:
                for candidate in range(window - tolerance, window + tolerance + 1):
                    if self._token(beacon.secret, candidate) == token:
                        if beacon.demo and not self._allow_demo:
                            return TokenRefusal(
                                RefusalReason.DEMO_BEACON,
                                f"checkpoint {checkpoint_id}'s beacon has the demo's derived secret, which anyone "
                                "can compute: replace it (`stewards beacons replace`), or allow demo keys in a demo",
                            )
                        return None
        return self._explain(checkpoint_id, at_ms, window, token)

    def _token(self, secret: bytes, window: int) -> bytes:
        # Unlocked on purpose: a value is a pure function of its key, so a race only computes twice.
        key = (secret, window)
        token = self._tokens.get(key)
        if token is None:
            if len(self._tokens) >= _TOKEN_CACHE_ENTRIES:
                self._tokens.clear()  # windows move on; old entries are dead weight
            token = self._tokens[key] = wire.beacon_token(secret, window)
        return token

    def _explain(self, checkpoint_id: int, at_ms: int, window: int, token: bytes) -> TokenRefusal:
        # Only refused records come here, so the searches below cost nothing on the normal path.
        for beacon in self._beacons.get(checkpoint_id, ()):
            for back in range(self._tolerance + 1, STALE_SEARCH_WINDOWS + 1):
                if wire.beacon_token(beacon.secret, window - back) == token:
                    return TokenRefusal(
                        RefusalReason.TOKEN_STALE,
                        f"checkpoint {checkpoint_id}'s token from {back * wire.TOKEN_WINDOW_SECONDS // 60} minutes"
                        " before the event: a token is only good in its own window",
                    )
        owner = self._owners_of(window).get(token)
        if owner is not None and owner != checkpoint_id:
            return TokenRefusal(
                RefusalReason.WRONG_BEACON,
                f"the token belongs to checkpoint {owner}'s beacon, not checkpoint {checkpoint_id}'s",
            )
        return TokenRefusal(
            RefusalReason.BAD_TOKEN,
            f"no beacon advertised this token near checkpoint {checkpoint_id} at that time",
        )

    def _owners_of(self, window: int) -> dict[bytes, int]:
        with self._owners_lock:
            return self._owners_of_locked(window)

    def _owners_of_locked(self, window: int) -> dict[bytes, int]:
        owners = self._owners.get(window)
        if owners is None:
            owners = {}
            at_ms = window * _WINDOW_MS
            for checkpoint_id, beacons in self._beacons.items():
                for beacon in beacons:
                    if beacon.active_from_ms <= at_ms < beacon.active_to_ms:
                        for candidate in range(window - self._tolerance, window + self._tolerance + 1):
                            owners[wire.beacon_token(beacon.secret, candidate)] = checkpoint_id
            self._owners[window] = owners
            if len(self._owners) > _OWNER_CACHE_WINDOWS:
                self._owners.popitem(last=False)
        return owners
