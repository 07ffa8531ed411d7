"""The gateway's test hook: STEWARDS_FAULT=kill-after-commit:<n> SIGKILLs the process after its n-th
commit. Spelling mistakes are refused up front; the kill itself is exercised by `stewards chaos`
(tests/integration/test_chaos.py) on a real gateway process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from gateway.faults import FaultSpecError, KillAfterCommit, parse_fault


def test_no_spec_arms_nothing() -> None:
    assert parse_fault("") is None and parse_fault("  ") is None


@pytest.mark.parametrize("spec", ["kill-after-commit", "kill-after-commit:0", "kill-after-commit:x",
                                  "kill-before-commit:1", "kill-after-commit:-2"])
def test_a_spec_it_does_not_know_is_refused_with_the_spelling(spec: str) -> None:
    with pytest.raises(FaultSpecError, match=r"kill-after-commit:<n>"):
        parse_fault(spec)


def test_kill_after_commit_counts_commits() -> None:
    hook = parse_fault("kill-after-commit:3")
    assert isinstance(hook, KillAfterCommit) and hook.commits == 3


def test_the_process_is_killed_at_the_nth_commit_and_not_before() -> None:
    # In a child process: the hook kills whatever process calls it.
    program = (
        "from gateway.faults import parse_fault\n"
        "hook = parse_fault('kill-after-commit:2')\n"
        "hook(); print('after the first commit', flush=True)\n"
        "hook(); print('after the second commit', flush=True)\n"
    )
    child = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                           env={**os.environ})
    assert child.returncode == -signal.SIGKILL
    assert child.stdout == "after the first commit\n"
