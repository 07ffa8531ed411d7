"""The same data gives the same bytes in any process: no hash-seed order, clock, zone or id leaks in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.scoring.reports.samples import sample_digests

REPO_ROOT = Path(__file__).resolve().parents[3]
SUBPROCESS_TIMEOUT_SECONDS = 120


def _digests_in_a_new_process(hash_seed: str, zone: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-c", "from tests.scoring.reports.samples import sample_digests; print(sample_digests())"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True, timeout=SUBPROCESS_TIMEOUT_SECONDS,
    )
    return done.stdout.strip()


def test_reproducible_across_processes() -> None:
    here = sample_digests()
    assert _digests_in_a_new_process("1", "America/New_York") == here
    assert _digests_in_a_new_process("2", "Asia/Shanghai") == here
