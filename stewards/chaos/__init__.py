"""`stewards chaos`: a fault harness. Bands patrol, over MQTT and Bluetooth LE, while gateways, the broker
and the database are killed (kill -9), cut off from each other and brought back, and BLE links drop in
the middle of a sync; then everything drains and every record the bands made is looked for in the
database: stored once, or the run fails.

- `rig`: the real parts, started on loopback: PostgreSQL/TimescaleDB, mosquitto, the emulated radio,
  `stewards gateway` processes sharing one MQTT v5 subscription, each behind proxies of its own;
- `proxy`: the TCP proxy that partitions a gateway from the broker or the database;
- `gateways`: a gateway process, started, killed and armed with its test hook (`gateway.faults`);
- `faults`: the kinds of fault and how each is brought about and recovered from;
- `patrol`: the fleets' day loops, the sign of life between faults, the drain;
- `tally`: the bands' own logs against the database;
- `run`: one run, and its report.
"""
