"""`stewards chaos`, short: every kind of fault at least once while 30 bands patrol over MQTT and BLE
into two gateways that share the stream; then not one record lost, not one stored twice.

The harness runs as the CLI does, in its own process: it starts its own PostgreSQL, mosquitto, radio
and gateway processes, and kills them with SIGKILL. The seed is fixed so a failure can be replayed
with `stewards chaos --seed 20170904 …`; the harness's own parts are tested in tests/stewards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from stewards.chaos.faults import KINDS

SEED = "20170904"
TIMEOUT_SECONDS = 600


def test_every_kind_of_fault_loses_nothing_and_stores_nothing_twice() -> None:
    command = [sys.executable, "-m", "stewards.cli", "chaos", "--cycles", str(len(KINDS)), "--bands", "30",
               "--ble-bands", "4", "--seed", SEED, "--mode", "live", "--json"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                         env={**os.environ, "NO_COLOR": "1"})
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stderr[-4000:]}\n{run.stdout[-4000:]}"
    report = json.loads(run.stdout)
    tally = report["tally"]

    assert report["faults_by_kind"] == dict.fromkeys(KINDS, 1), report["faults"]
    assert all(fault["injected"] and fault["recovered"] for fault in report["faults"]), report["faults"]
    assert tally["lost"] == 0 and tally["duplicated"] == 0, tally
    assert tally["altered"] == tally["unexpected"] == tally["refused"] == 0, tally
    assert tally["made"] == tally["stored_once"] > 1_000
    assert report["drained"] and report["band_acks"]["pending"] == 0 and report["band_acks"]["overflowed"] == 0
    assert report["ok"] is True
    # The blows landed: records committed before a kill came back as replays.
    assert tally["quarantined"].get("replay", 0) > 0 and set(tally["quarantined"]) == {"replay"}
    assert (report["mqtt_bands"], report["ble_bands"]) == (26, 4)
    assert report["gateways"] == ["gateway-a", "gateway-b"] and report["share_group"] == "gateways"
