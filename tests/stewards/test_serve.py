"""`stewards serve` as an operator runs it: JSON log lines by default, one per request with its id, and text
with --log-format text; the probes answer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scoring.seed.longtan import longtan_dataset
from scoring.storage.engine import make_engine
from stewards.registry import prepare_store

SECRET = "a test secret that signs access tokens, 32+ bytes"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(tmp_path: Path, *options: str) -> tuple[int, str]:
    """Serve a seeded store, ask /health/live once with a request id, stop; the status and what it logged."""
    url = f"sqlite:///{tmp_path / 'stewards.db'}"
    engine = make_engine(url)
    prepare_store(engine, longtan_dataset())
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "STEWARDS_DATABASE_URL": url, "STEWARDS_AUTH_SECRET": SECRET}
    process = subprocess.Popen([sys.executable, "-m", "stewards.cli", "serve", "--port", str(port), *options],
                               env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/health/live",
                                                 headers={"X-Request-ID": "probe-1"})
                with urllib.request.urlopen(request, timeout=5) as answer:
                    status = answer.status
                    assert answer.headers["X-Request-ID"] == "probe-1"
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
    finally:
        process.terminate()
        _, logged = process.communicate(timeout=30)
    return status, logged


@pytest.mark.integration
def test_serve_logs_one_json_object_a_line_by_default(tmp_path: Path) -> None:
    status, logged = _serve(tmp_path)
    assert status == 200
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "api.access" and line.get("request_id") == "probe-1"]
    assert len(access) == 1
    assert access[0]["route"] == "/health/live" and access[0]["status"] == 200 and access[0]["level"] == "info"
    assert {"time", "message", "method", "duration_ms"} <= set(access[0])
    assert SECRET not in logged


@pytest.mark.integration
def test_serve_logs_text_when_asked(tmp_path: Path) -> None:
    status, logged = _serve(tmp_path, "--log-format", "text")
    assert status == 200
    line = next(line for line in logged.splitlines() if "api.access" in line)
    assert "[probe-1]" in line and "GET /health/live 200" in line and not line.startswith("{")
