"""A bleak backend on Google's Bumble: bleak's public API over an emulated (or any HCI) Bluetooth LE radio.

Code written against `BleakScanner` and `BleakClient` runs unchanged on BlueZ with a real adapter
and, with `backend=` pointing here, on a `bumble.device.Device`: in tests, one whose controller is
`bumble.controller.Controller` on a `bumble.link.LocalLink` shared with emulated peripherals.

    backend = BumbleBackend(device)       # device: bumble.device.Device, already powered on
    BleakScanner(callback, backend=backend.scanner)
    BleakClient(ble_device, backend=backend.client)

This package imports bleak and bumble only.

Not provided, on purpose or for now:
- pairing and bonding (`pair`/`unpair` raise NotImplementedError): the patrol-log service needs none;
- bleak's `BleakAdapter` (connected-device lookup), included services, and the extended properties
  of the 0x2900 descriptor ("reliable-write", "writable-auxiliaries");
- scan response data on Bumble's emulated controller, which repeats the advertising data as the
  scan response: every advertisement reaches the detection callbacks twice.
A characteristic's `handle` is its value handle, the one ATT reads, writes and notifications name;
other backends may number characteristics by their declaration handle, so code should not keep
handles across backends.
"""

from __future__ import annotations

from bleak_bumble.backend import BumbleBackend
from bleak_bumble.client import ATT_MTU_REQUEST_BYTES, BumbleClient
from bleak_bumble.errors import (
    BackendSetupError,
    BumbleBackendError,
    ConnectionLostError,
    ControllerError,
    NotConnectedError,
)
from bleak_bumble.scanner import BumbleScanner

__all__ = [
    "ATT_MTU_REQUEST_BYTES",
    "BackendSetupError",
    "BumbleBackend",
    "BumbleBackendError",
    "BumbleClient",
    "BumbleScanner",
    "ConnectionLostError",
    "ControllerError",
    "NotConnectedError",
]
