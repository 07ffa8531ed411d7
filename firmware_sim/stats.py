"""Counters of a band and of the whole fleet, as immutable snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

__all__ = ["BandStats", "FleetStats"]


@dataclass(frozen=True, slots=True)
class BandStats:
    """One band's counters since the simulator started it."""

    band_id: int
    boot: int
    made: int  # records written to flash
    published_messages: int  # MQTT messages the broker accepted (PUBACK)
    published_records: int  # records carried by those messages, resends included
    resent_records: int  # records sent again after the ack timeout
    acked_stored: int  # records freed by a STORED ack
    acked_duplicate: int  # records freed by a DUPLICATE ack
    acked_refused: int  # records freed by a REFUSED ack (quarantined on the server)
    unmatched_acks: int  # ack outcomes for records no longer in flash (a resend's second ack)
    bad_acks: int  # ack messages that did not decode or were for another band
    overflowed: int  # records dropped from a full flash, never acked
    reconnects: int  # connections lost or refused and tried again
    pending: int  # records in flash waiting for an ack
    connected: bool


_TOTALLED = tuple(f.name for f in fields(BandStats) if f.name not in ("band_id", "boot", "connected"))


@dataclass(frozen=True, slots=True)
class FleetStats:
    """Totals over every band, plus each band's own counters in `bands`."""

    made: int
    published_messages: int
    published_records: int
    resent_records: int
    acked_stored: int
    acked_duplicate: int
    acked_refused: int
    unmatched_acks: int
    bad_acks: int
    overflowed: int
    reconnects: int
    pending: int
    connected: int  # bands connected to the broker right now
    bands: Mapping[int, BandStats] = field(repr=False)

    @property
    def acked(self) -> int:
        return self.acked_stored + self.acked_duplicate + self.acked_refused

    def band(self, band_id: int) -> BandStats:
        return self.bands[band_id]

    @classmethod
    def collect(cls, per_band: list[BandStats]) -> FleetStats:
        totals = {name: sum(getattr(stats, name) for stats in per_band) for name in _TOTALLED}
        return cls(
            **totals,
            connected=sum(stats.connected for stats in per_band),
            bands=MappingProxyType({stats.band_id: stats for stats in per_band}),
        )
