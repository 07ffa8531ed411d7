"""Test hooks: faults a gateway injects into itself, so a fault harness can hit moments it cannot reach
from outside. Never set one in production.

`STEWARDS_FAULT=kill-after-commit:<n>` makes the gateway SIGKILL itself right after its n-th database
commit, before it sends a single ack or PUBACK for that batch: the one moment where the records are
stored and nobody has been told. The bands must then send them again and get DUPLICATE, and the
broker must redeliver what the dead gateway had in flight (`stewards chaos` checks both).

The hook costs the ingest loop one `is None` test per batch when unset; the batcher calls it between
the commit and the settling of the replies (`gateway.batcher.Batcher`, `after_commit`).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from typing import Final

log = logging.getLogger(__name__)

KILL_AFTER_COMMIT: Final = "kill-after-commit"
SPELLING: Final = f"{KILL_AFTER_COMMIT}:<n>, n ≥ 1"


class FaultSpecError(ValueError):
    """A fault hook that does not parse; the message says how to write one."""


def parse_fault(spec: str) -> Callable[[], None] | None:
    """The after-commit hook `spec` asks for; None for an empty spec. Raises FaultSpecError."""
    spec = spec.strip()
    if not spec:
        return None
    name, _, count = spec.partition(":")
    if name != KILL_AFTER_COMMIT or not count.isdigit() or int(count) < 1:
        raise FaultSpecError(f"fault {spec!r} is not one the gateway knows: write {SPELLING} (a test hook)")
    return KillAfterCommit(int(count))


class KillAfterCommit:
    """Counts commits and SIGKILLs this process after the n-th, before anything of it is acked."""

    def __init__(self, commits: int) -> None:
        if commits < 1:
            raise FaultSpecError(f"kill-after-commit needs n ≥ 1, got {commits}")
        self.commits = commits
        self._seen = 0

    def __call__(self) -> None:
        self._seen += 1
        if self._seen >= self.commits:
            # SIGKILL, not an exception or exit(): no handler, no flush, no ack may run after this line.
            log.warning("test hook %s:%d: killing the gateway after its commit, before the acks",
                        KILL_AFTER_COMMIT, self.commits)
            os.kill(os.getpid(), signal.SIGKILL)
