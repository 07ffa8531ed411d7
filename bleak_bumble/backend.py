"""`BumbleBackend`: bleak's scanner and client backend classes, bound to one Bumble device.

bleak takes a backend as a class (`BleakScanner(..., backend=cls)`), so binding to a device means
handing out subclasses that carry it: every scanner and client made from one backend shares that
device's central (one scan for all scanners, one connection attempt at a time).

    backend = BumbleBackend(device)       # device: bumble.device.Device, already powered on
    BleakScanner(callback, backend=backend.scanner)
    BleakClient(ble_device, backend=backend.client)
"""

from __future__ import annotations

from bumble.device import Device

from bleak_bumble.central import Central
from bleak_bumble.client import BumbleClient
from bleak_bumble.scanner import BumbleScanner

__all__ = ["BumbleBackend"]


class BumbleBackend:
    """The bleak backend classes for one powered-on `bumble.device.Device` (emulated or a real HCI)."""

    device: Device
    scanner: type[BumbleScanner]
    client: type[BumbleClient]

    def __init__(self, device: Device) -> None:
        """Raises BackendSetupError when the device is not powered on yet."""
        central = Central(device)
        self._central = central
        self.device = device
        self.scanner = _bind_scanner(central)
        self.client = _bind_client(central, self.scanner)

    @property
    def scanning(self) -> bool:
        """Whether the device is scanning for this backend's scanners right now."""
        return self._central.scanning


def _bind_scanner(central: Central) -> type[BumbleScanner]:
    class BoundBumbleScanner(BumbleScanner):
        _bound_central = central

    # bleak names a custom backend by its class name (`BleakScanner.backend_id`).
    BoundBumbleScanner.__name__ = BoundBumbleScanner.__qualname__ = BumbleScanner.__name__
    return BoundBumbleScanner


def _bind_client(central: Central, scanner: type[BumbleScanner]) -> type[BumbleClient]:
    class BoundBumbleClient(BumbleClient):
        _bound_central = central
        _bound_scanner = scanner

    BoundBumbleClient.__name__ = BoundBumbleClient.__qualname__ = BumbleClient.__name__
    return BoundBumbleClient
