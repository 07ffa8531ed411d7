"""Real `stewards gateway` processes for the fault harness: started, watched, killed, started again.

Each one reaches the broker and the database through its own pair of proxies (so it can be cut off
alone), takes its MQTT client id and the shared subscription group from its options, and logs at INFO
so the harness can see each (re)connection: paho's "connected … subscribed to …" line. Its output is
read on a thread at all times, so a full pipe never stalls it, and the last lines are kept for the
report when it fails.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from stewards.chaos.errors import ChaosError

READY_MARK: Final = "subscribed to"
# The gateway prints its counters every 10 s and when it stops: "received N · committed N · …".
COMMITTED: Final = re.compile(r"· committed (\d+) ·")
START_TIMEOUT_SECONDS: Final = 60.0
STOP_TIMEOUT_SECONDS: Final = 60.0
TAIL_LINES: Final = 40


@dataclass(frozen=True)
class GatewaySpec:
    name: str  # also its MQTT client id: its session, and its share of the stream, survive a restart
    env: Mapping[str, str]  # STEWARDS_* for this process: database and broker (its proxies), radio
    ble: bool = False
    shared_group: str = "gateways"


@dataclass
class _Run:
    """What one process of a gateway said about itself."""

    process: subprocess.Popen[str]
    subscriptions: int = 0  # "subscribed to" lines: one per broker connection
    committed: int = 0  # as it last reported
    output_ended: bool = False


class GatewayProcess:
    """One gateway's process, across its restarts."""

    def __init__(self, spec: GatewaySpec) -> None:
        self.spec = spec
        self.kills = 0
        self._runs: list[_Run] = []
        self._tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._changed = threading.Condition()  # guards the runs and the tail; notified on every line

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def starts(self) -> int:
        return len(self._runs)

    @property
    def _process(self) -> subprocess.Popen[str] | None:
        return self._runs[-1].process if self._runs else None

    @property
    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    @property
    def subscriptions(self) -> int:
        """Times the current process has subscribed: it does again after each lost connection."""
        with self._changed:
            return self._runs[-1].subscriptions if self._runs else 0

    @property
    def committed(self) -> int:
        """Records this gateway committed over all its processes, as each last reported: a killed one's
        last few seconds are missing, so this is a floor. It shows how the stream was shared."""
        with self._changed:
            return sum(run.committed for run in self._runs)

    def tail(self) -> str:
        with self._changed:
            return "".join(self._tail)

    def start(self, *, timeout_seconds: float = START_TIMEOUT_SECONDS) -> None:
        """Start the process and return once it has subscribed to the uplinks."""
        process = self.launch()
        if not self.wait_for_subscriptions(1, timeout_seconds):
            self.kill()
            raise ChaosError(f"gateway {self.name} did not subscribe within {timeout_seconds:.0f} s "
                             f"(exit {process.returncode}):\n{self.tail()}")

    def launch(self, *, fault: str = "") -> subprocess.Popen[str]:
        """Start the process, with a test hook armed if `fault` names one (`gateway.faults`)."""
        if self.running:
            raise ChaosError(f"gateway {self.name} is already running")
        # The rig's registry is `db seed`'s, whose keys are the demo's: trusted here explicitly.
        command = [sys.executable, "-m", "stewards.cli", "gateway", "--verbose", "--client-id", self.name,
                   "--shared-group", self.spec.shared_group, "--allow-demo-keys"]
        if self.spec.ble:
            command.append("--ble")
        env = {**os.environ, **self.spec.env, "STEWARDS_FAULT": fault, "COLUMNS": "300", "NO_COLOR": "1"}
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        run = _Run(process)
        with self._changed:
            self._runs.append(run)
        threading.Thread(target=self._read, args=(run,), name=f"{self.name}-output", daemon=True).start()
        return process

    def wait_for_subscriptions(self, count: int, timeout_seconds: float) -> bool:
        """Wait until the current process has subscribed `count` times; False on timeout, or once its
        output has ended (it exited) without that many."""
        deadline = time.monotonic() + timeout_seconds
        with self._changed:
            run = self._runs[-1]
            while run.subscriptions < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or run.output_ended:
                    return False
                self._changed.wait(remaining)
        return True

    def kill(self) -> None:
        """kill -9, and reap it."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            self.kills += 1
        process.wait()

    def terminate(self, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> int:
        """SIGTERM (a deploy's stop) and wait, until its last words are read too; SIGKILL if it will not
        go. Returns its exit status."""
        if not self._runs:
            return 0
        run = self._runs[-1]
        if run.process.poll() is None:
            run.process.send_signal(signal.SIGTERM)
            try:
                run.process.wait(timeout_seconds)
            except subprocess.TimeoutExpired:
                self.kill()
        status = run.process.wait()
        with self._changed:
            self._changed.wait_for(lambda: run.output_ended, timeout_seconds)
        return status

    def wait_exit(self, timeout_seconds: float) -> int | None:
        """The exit status once the process ends by itself; None if it still runs after the timeout."""
        process = self._process
        if process is None:
            return None
        try:
            return process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            return None

    def _read(self, run: _Run) -> None:
        stdout = run.process.stdout
        assert stdout is not None
        with stdout:
            for line in stdout:
                with self._changed:
                    self._tail.append(line)
                    if READY_MARK in line:
                        run.subscriptions += 1
                    elif committed := COMMITTED.search(line):
                        run.committed = int(committed.group(1))
                    self._changed.notify_all()
        with self._changed:
            run.output_ended = True
            self._changed.notify_all()
