"""The gateway: what bands upload, verified, stored exactly once, and acked only once stored.

Edges know a transport; nothing behind them does. `mqtt` (paho) and `ble` (a bleak central) turn
what they receive into `inbound.Inbound` items, each with the band the transport names and a reply
handle, and hand them to one `batcher.Batcher`. The batcher keeps the band directory fresh, runs
each batch through `pipeline` (pure `verify` and beacon `tokens`, one commit through
`scoring.ingest`, acks by band), retries while the database is down, and settles every reply after
the commit. `errors` holds what the gateway raises when it cannot work at all; `faults`, a test hook
that fault drills arm with STEWARDS_FAULT (never in production).

Imports: `wire` and `scoring.ingest` of the project, nothing else of it.
"""
