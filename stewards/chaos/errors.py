"""What the fault harness raises when it cannot run at all (a record lost is a finding, not an error)."""

from __future__ import annotations


class ChaosError(Exception):
    """The harness could not set up or drive a component; the message says which and why."""
