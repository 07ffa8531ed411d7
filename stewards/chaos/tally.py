"""The count at the end of a run: every record the bands made (their own logs) against the database.

A record is *stored once* when exactly one row holds its key (band, boot, seq) and that row says what
the band wrote (time, kind, checkpoint); *duplicated* when more than one row holds its key; *lost* when
no row holds it and no refusal in the quarantine names it. Refused records are counted by reason;
`replay` rows are the copies of resent records the gateway turned away, which faults are expected to
cause. A row no band made is *unexpected*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

import wire
from scoring.storage import tables as t

REPLAY = "replay"


@dataclass(frozen=True)
class Tally:
    made: int
    stored_once: int
    lost: int
    duplicated: int  # extra rows beyond the first, over every key
    altered: int  # one row for the key, but not what the band wrote
    unexpected: int  # rows for keys no band made
    refused: int  # records kept in quarantine with a refusal (acked REFUSED, or waiting for a fix)
    quarantined: dict[str, int] = field(default_factory=dict)  # rows by reason, replays included
    lost_keys: tuple[tuple[int, int, int], ...] = ()  # the first few, for the report
    duplicated_keys: tuple[tuple[int, int, int], ...] = ()


SAMPLE_KEYS = 10


def tally(engine: Engine, records: Iterable[wire.Record]) -> Tally:
    made = {r.key: r for r in records}
    bands = sorted({key[0] for key in made})
    rows: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
    with engine.connect() as conn:
        for band_id, boot, seq, event_at, kind, checkpoint_id in conn.execute(
            select(t.CheckIn.band_id, t.CheckIn.boot, t.CheckIn.seq, t.CheckIn.event_at, t.CheckIn.kind,
                   t.CheckIn.checkpoint_id).where(t.CheckIn.band_id.in_(bands))
        ):
            rows.setdefault((band_id, boot, seq), []).append((wire.epoch_ms(event_at), kind, checkpoint_id))
        quarantined = Counter({reason: n for reason, n in conn.execute(
            select(t.Quarantine.reason, func.count()).group_by(t.Quarantine.reason))})
        refused_keys = {(b, bo, s) for b, bo, s in conn.execute(
            select(t.Quarantine.band_id, t.Quarantine.boot, t.Quarantine.seq)
            .where(t.Quarantine.reason != REPLAY, t.Quarantine.seq.is_not(None)))}
    stored_once = altered = 0
    lost: list[tuple[int, int, int]] = []
    duplicated: list[tuple[int, int, int]] = []
    extra_rows = 0
    for key, record in made.items():
        held = rows.get(key, [])
        if len(held) > 1:
            duplicated.append(key)
            extra_rows += len(held) - 1
        elif len(held) == 1:
            if held[0] == (record.event_at_ms, int(record.kind), record.checkpoint_id):
                stored_once += 1
            else:
                altered += 1
        elif key not in refused_keys:
            lost.append(key)
    return Tally(
        made=len(made), stored_once=stored_once, lost=len(lost), duplicated=extra_rows, altered=altered,
        unexpected=sum(len(held) for key, held in rows.items() if key not in made),
        refused=len(refused_keys & made.keys()), quarantined=dict(sorted(quarantined.items())),
        lost_keys=tuple(sorted(lost)[:SAMPLE_KEYS]), duplicated_keys=tuple(sorted(duplicated)[:SAMPLE_KEYS]),
    )
