"""Rate limits (the `limits` library, moving windows): sign-in per username and per client address, writes
per account. Past a limit the answer is 429 `rate_limited` with `Retry-After`, the seconds until the oldest
counted request leaves the window.

These sit in front of the store's own lock-out (five wrong passwords lock an account, scoring.accounts):
the lock-out protects one account whoever guesses, the address limit stops one client guessing at many
accounts, and the write limit keeps one credential, a leaked token or a looping client, from flooding the
work ledger and the audit log. The writes of people without an account (报名 online, activating a paper
sign-up) are counted by address. Sign-in is counted before the password is checked, so a flood never costs
an argon2 hash per request.

Counts are kept in the process's memory, forgotten on restart: each API process counts on its own, so N
processes behind one balancer let N times the limit through (limits' Redis storage would share them). Keys
hold a hash of the username, never the name itself.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.errors import RateLimitedError, declares

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The limits in `limits`' notation ("10/minute", "100 per hour"); `enabled=False` for tests and load tests."""

    sign_in_per_username: str = "10/minute"
    sign_in_per_address: str = "60/minute"  # a station's tablets share one address: a room of stewards at once
    writes_per_account: str = "120/minute"  # a chief's 周查 is one write; two a second is a loop, not a person
    enabled: bool = True
    # 报名 online and activating a paper sign-up's account: the writes of people with no account yet
    anonymous_writes_per_address: str = "20/hour"

    def __post_init__(self) -> None:
        for text in (self.sign_in_per_username, self.sign_in_per_address, self.writes_per_account,
                     self.anonymous_writes_per_address):
            parse(text)  # a limit that does not parse fails at start-up, not at the first request


NO_RATE_LIMITS: Final = RateLimits(enabled=False)


class Limiter:
    def __init__(self, limits: RateLimits) -> None:
        self.enabled = limits.enabled
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._username = parse(limits.sign_in_per_username)
        self._address = parse(limits.sign_in_per_address)
        self._writes = parse(limits.writes_per_account)
        self._anonymous = parse(limits.anonymous_writes_per_address)

    def sign_in(self, username: str, address: str) -> None:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        self._hit(self._address, "sign-in-address", address,
                  message="too many sign-ins from this address: wait, then try again")
        self._hit(self._username, "sign-in-username", digest,
                  message="too many sign-ins for this username: wait, then try again, or ask your coordinator")

    def refresh(self, address: str) -> None:
        self._hit(self._address, "sign-in-address", address,
                  message="too many sign-ins from this address: wait, then try again")

    def write(self, account_id: int) -> None:
        self._hit(self._writes, "write-account", str(account_id),
                  message="too many changes from this account in a short time: wait, then go on")

    def anonymous_write(self, address: str) -> None:
        self._hit(self._anonymous, "anonymous-write-address", address,
                  message="too many sign-ups or activations from this address: wait, then try again, or ask "
                          "your community service station")

    def _hit(self, item: RateLimitItem, *key: str, message: str) -> None:
        if not self.enabled or self._limiter.hit(item, *key):
            return
        reset_at, _ = self._limiter.get_window_stats(item, *key)
        raise RateLimitedError(message, max(1, math.ceil(reset_at - time.time())))


def limiter_of(request: Request) -> Limiter:
    limiter: Limiter = request.app.state.limiter
    return limiter


def client_address(request: Request) -> str:
    """The peer's address as the server saw it (behind a proxy, uvicorn's --proxy-headers puts the client's)."""
    return request.client.host if request.client is not None else "unknown"


@declares(RateLimitedError)
def _refresh_limited(request: Request) -> None:
    limiter_of(request).refresh(client_address(request))


RefreshLimitDep = Annotated[None, Depends(_refresh_limited)]


@declares(RateLimitedError)
def _anonymous_write_limited(request: Request) -> None:
    limiter_of(request).anonymous_write(client_address(request))


# A write with no account to count it against (报名 online, activation): counted by the client's address.
AnonymousWriteLimitDep = Annotated[None, Depends(_anonymous_write_limited)]
