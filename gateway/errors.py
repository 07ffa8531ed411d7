"""The gateway's errors.

GatewayError
├── BrokerUnavailableError   the MQTT broker refused or dropped the connection at start-up
└── StoreUnavailableError    the database stayed unreachable past the retry budget
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error raised by the gateway."""


class BrokerUnavailableError(GatewayError):
    pass


class StoreUnavailableError(GatewayError):
    pass
