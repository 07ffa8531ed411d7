"""A peripheral's discovered GATT database, from Bumble's client proxies into bleak's service collection.

Handles are ATT handles as the peripheral numbers them: a service by its declaration, a
characteristic by its value (the handle reads, writes and notifications name), a descriptor by
itself; so a characteristic's handle never collides with one of its descriptors'. Each bleak object
keeps its Bumble proxy in `.obj`, which the client uses to talk to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from bleak.assigned_numbers import CHARACTERISTIC_PROPERTIES, CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bumble import core
from bumble.gatt_client import ServiceProxy

__all__ = ["bleak_uuid", "property_names", "service_collection"]


def bleak_uuid(bumble_uuid: core.UUID) -> str:
    """A Bumble UUID (16-, 32- or 128-bit) as bleak's 128-bit lowercase string."""
    return str(uuid.UUID(bytes=bumble_uuid.uuid_128_bytes[::-1]))


def property_names(properties: int) -> list[CharacteristicPropertyName]:
    """The characteristic properties bit field as bleak's names, lowest bit first."""
    return [name for bit, name in sorted(CHARACTERISTIC_PROPERTIES.items()) if properties & bit]


def service_collection(
    services: Iterable[ServiceProxy], max_write_without_response_bytes: Callable[[], int]
) -> BleakGATTServiceCollection:
    """bleak's view of `services`, whose characteristics and descriptors have been discovered.

    `max_write_without_response_bytes` is asked each time, so it follows the link's current MTU.
    """
    collection = BleakGATTServiceCollection()
    for service in services:
        bleak_service = BleakGATTService(service, service.handle, bleak_uuid(service.uuid))
        collection.add_service(bleak_service)
        for characteristic in service.characteristics:
            bleak_characteristic = BleakGATTCharacteristic(
                characteristic,
                characteristic.handle,
                bleak_uuid(characteristic.uuid),
                property_names(int(characteristic.properties)),
                max_write_without_response_bytes,
                bleak_service,
            )
            collection.add_characteristic(bleak_characteristic)
            for descriptor in characteristic.descriptors:
                collection.add_descriptor(
                    BleakGATTDescriptor(
                        descriptor, descriptor.handle, bleak_uuid(descriptor.type), bleak_characteristic
                    )
                )
    return collection
