"""What an edge hands the gateway, whatever carried it: a band's bytes and a way to answer that band.

The pipeline never sees a transport. MQTT delivers a message on a topic and wants a PUBACK after the
commit; a Bluetooth LE sync delivers a log segment over a link and waits for the acks to write back.
Both become an `Inbound` carrying the band the transport says sent it and a `Reply`; the batcher
settles every reply once the batch is stored, or abandons it when nothing was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import wire


class Reply(Protocol):
    """How the edge that delivered an item answers for it."""

    def settle(self, acks: Sequence[wire.Ack]) -> None:
        """The item's batch is committed: send `acks` (its band's; none when another item of the
        same band carries them, or when nothing may be acked) and release the item."""

    def abandon(self, reason: str) -> None:
        """Nothing of the item was stored: ack nothing, so the band (or the broker) sends it again."""


@dataclass(frozen=True, slots=True)
class Inbound:
    band_id: int | None  # the band the transport says sent this; None when it named no band
    payload: bytes
    reply: Reply
    source: str  # where it came from, kept with a refusal: the MQTT topic, or "ble:" and the band


class _NoReply:
    """For callers that commit directly and read the acks from the result (benches, tests)."""

    def settle(self, acks: Sequence[wire.Ack]) -> None:
        pass

    def abandon(self, reason: str) -> None:
        pass


NO_REPLY: Final[Reply] = _NoReply()
