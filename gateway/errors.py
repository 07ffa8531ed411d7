"""The gateway's errors: what it raises when it cannot do its job at all (a retried outage is not one).

GatewayError
├── BrokerUnavailableError   the MQTT broker refused or dropped the connection at start-up
├── StoreUnavailableError    the database was unreachable when the gateway needed its band directory to start
└── RadioUnavailableError    there is no Bluetooth LE radio to scan on
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error raised by the gateway."""


class BrokerUnavailableError(GatewayError):
    pass


class StoreUnavailableError(GatewayError):
    pass


class RadioUnavailableError(GatewayError):
    pass
