"""The Bumble backend's exception tree.

Every error is a `bleak.exc.BleakError`, so code written against bleak's public API catches it
without knowing which backend runs underneath:

    BleakError                          (bleak)
    └── BumbleBackendError              anything this backend refuses
        ├── BackendSetupError           the backend was built or used the wrong way (a programming error)
        ├── ControllerError             the HCI controller refused or did not answer a command
        └── NotConnectedError           the operation needs a connection and there is none
            └── ConnectionLostError     the link dropped while the operation was in flight

Besides these, the client raises bleak's own `BleakGATTProtocolError` when the peripheral answers
with an ATT error, `BleakDeviceNotFoundError` when a bare address is not found by a scan, and the
builtin `TimeoutError` when a connection is not made in time.
"""

from __future__ import annotations

from bleak.exc import BleakError

__all__ = [
    "BackendSetupError",
    "BumbleBackendError",
    "ConnectionLostError",
    "ControllerError",
    "NotConnectedError",
]


class BumbleBackendError(BleakError):
    """Base class of every error raised by the `bleak_bumble` package."""


class BackendSetupError(BumbleBackendError):
    """The backend was built or used the wrong way; the message says how to build it."""


class ControllerError(BumbleBackendError):
    """The HCI controller under the Bumble device refused a command or did not answer it."""


class NotConnectedError(BumbleBackendError):
    """The operation needs a connection to the peripheral and the client has none."""


class ConnectionLostError(NotConnectedError):
    """The link to the peripheral dropped while the operation was in flight."""
