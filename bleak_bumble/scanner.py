"""bleak's scanner interface on a Bumble device: advertisements in, `BLEDevice` + `AdvertisementData` out.

Use the class a `BumbleBackend` hands out (`backend.scanner`); it is bound to that backend's device.
Each `BLEDevice` carries the peer's `bumble.hci.Address` (with its public/random type) in `.details`,
which is what `BumbleClient` connects to. `BLEDevice.address` is the address in the usual
"AA:BB:CC:DD:EE:FF" form; a public and a random address with the same six bytes are two devices.

The scan never filters duplicates, so the detection callbacks see every advertisement, as bleak
expects. Service UUID filters are applied here (`is_allowed_uuid`), not in the controller.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bumble.device import Advertisement

from bleak_bumble.advertisement import advertisement_fields
from bleak_bumble.central import Central
from bleak_bumble.errors import BackendSetupError

__all__ = ["BumbleScanner", "device_key"]


def device_key(advertisement: Advertisement) -> str:
    """The `seen_devices` key of the advertiser: its address with a /P suffix when public."""
    return advertisement.address.to_string(with_type_qualifier=True)


class BumbleScanner(BaseBleakScanner):
    """A bleak scanner backend; take the bound subclass from `BumbleBackend(device).scanner`.

    `scanning_mode` "passive" asks for a passive scan; it is active anyway while another scanner on
    the same device wants active scanning. The `bluez`, `cb` and other platform arguments bleak
    passes are accepted and ignored.
    """

    _bound_central: ClassVar[Central | None] = None

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: Literal["active", "passive"] = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        central = type(self)._bound_central
        if central is None:
            raise BackendSetupError(
                "BumbleScanner is not bound to a device: pass `backend=BumbleBackend(device).scanner`"
            )
        if scanning_mode not in ("active", "passive"):
            raise BackendSetupError(f'scanning_mode must be "active" or "passive", not {scanning_mode!r}')
        self._central = central
        self._active = scanning_mode == "active"
        self._running = False
        self._sink = self._on_advertisement  # one bound method, so the central can find it again

    async def start(self) -> None:
        """Start receiving advertisements; `seen_devices` starts empty."""
        if self._running:
            return
        self.seen_devices = {}
        await self._central.add_scanner(self._sink, active=self._active)
        self._running = True

    async def stop(self) -> None:
        """Stop receiving advertisements; `seen_devices` keeps what was seen."""
        if not self._running:
            return
        self._running = False
        await self._central.remove_scanner(self._sink)

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        if advertisement.is_anonymous:
            return  # no address: nothing to report a device by, nor to connect to
        fields = advertisement_fields(advertisement.data.ad_structures)
        if not self.is_allowed_uuid(fields.service_uuids):
            return
        key = device_key(advertisement)
        name = fields.local_name
        if name is None and key in self.seen_devices:
            # An advertisement without its scan response carries no name; keep the one seen before.
            name = self.seen_devices[key][0].name
        data = AdvertisementData(
            local_name=fields.local_name,
            manufacturer_data=fields.manufacturer_data,
            service_data=fields.service_data,
            service_uuids=fields.service_uuids,
            tx_power=fields.tx_power_dbm,
            rssi=advertisement.rssi,
            platform_data=(advertisement,),
        )
        device: BLEDevice = self.create_or_update_device(
            key, advertisement.address.to_string(with_type_qualifier=False), name, advertisement.address, data
        )
        self.call_detection_callbacks(device, data)
