"""Host plumbing shared by the service managers: finding executables, the OS user a daemon runs as,
and handing a working directory over to that user.

PostgreSQL refuses to run as root and Mosquitto opens its files after dropping privileges, so when
we are root every daemon runs as its own OS user (`postgres`, `mosquitto`) and its working directory
must belong to that user and be reachable by it. When we are not root the daemons simply run as us.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from stewards.services.errors import INSTALL_HINT, NotInstalledError, WorkdirError

logger = logging.getLogger(__name__)

# Debian puts daemons in sbin, which is not on a non-root PATH; look there after PATH.
SYSTEM_BIN_DIRS: Final[tuple[Path, ...]] = (
    Path("/usr/local/sbin"),
    Path("/usr/local/bin"),
    Path("/usr/sbin"),
    Path("/usr/bin"),
)

# Enough for `test`, which only stats the path.
_ACCESS_CHECK_TIMEOUT_SECONDS: Final = 10.0


@dataclass(frozen=True, slots=True)
class ServiceUser:
    """The OS account a daemon runs as when we are root."""

    name: str
    uid: int
    gid: int
    home: str

    def popen_kwargs(self) -> dict[str, Any]:
        """Keyword arguments that make `subprocess` start a child as this user, with its own HOME."""
        env = dict(os.environ)
        env["HOME"] = self.home
        env["USER"] = env["LOGNAME"] = self.name
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "env": env}


def find_executable(name: str, dirs: Iterable[Path] = ()) -> Path:
    """The path of `name`: first in `dirs`, then on PATH, then in the system bin directories."""
    dirs = tuple(dirs)
    for directory in dirs:
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    if dirs:
        searched = ", ".join(str(d) for d in dirs)
        raise NotInstalledError(f"{name} not found in {searched}: {INSTALL_HINT}")
    on_path = shutil.which(name)
    if on_path is not None:
        return Path(on_path)
    for directory in SYSTEM_BIN_DIRS:
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise NotInstalledError(f"{name} not found on PATH or in /usr/sbin: {INSTALL_HINT}")


def service_user(name: str) -> ServiceUser | None:
    """The account a daemon must run as, or None when we are not root (the daemon then runs as us)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise NotInstalledError(
            f"OS user {name!r} does not exist; the Debian package creates it: {INSTALL_HINT}"
        ) from None
    return ServiceUser(name=name, uid=entry.pw_uid, gid=entry.pw_gid, home=entry.pw_dir)


def run_as(
    argv: Sequence[str | Path], user: ServiceUser | None, *, timeout_seconds: float
) -> subprocess.CompletedProcess[str]:
    """Run a short command as `user` (or as us), capturing its output; never raises on exit status."""
    kwargs: dict[str, Any] = user.popen_kwargs() if user is not None else {}
    return subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
        **kwargs,
    )


def give_to(path: Path, user: ServiceUser | None) -> None:
    """Make `path` belong to `user`; a no-op when we are not root."""
    if user is not None:
        os.chown(path, user.uid, user.gid)


def prepare_workdir(workdir: Path, user: ServiceUser | None) -> Path:
    """Create `workdir` if needed, make it private to `user`, and prove `user` can reach it.

    Returns the absolute path. Raises WorkdirError naming the directory that blocks the way, since a
    daemon that cannot reach its directory otherwise fails later with a less helpful message.
    """
    workdir = workdir.absolute()
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        give_to(workdir, user)
        workdir.chmod(0o700)
    except OSError as exc:
        raise WorkdirError(f"cannot prepare working directory {workdir}: {exc}") from exc
    if user is None:
        return workdir
    probe = run_as(
        ["test", "-r", str(workdir), "-a", "-w", str(workdir), "-a", "-x", str(workdir)],
        user,
        timeout_seconds=_ACCESS_CHECK_TIMEOUT_SECONDS,
    )
    if probe.returncode != 0:
        blocker = _first_unsearchable_ancestor(workdir, user)
        where = f"{blocker} (mode {stat.S_IMODE(blocker.stat().st_mode):04o})" if blocker else "a parent"
        raise WorkdirError(
            f"OS user {user.name!r} cannot reach working directory {workdir}: {where} is not searchable "
            f"by it. Use a workdir whose parents other users may enter, e.g. "
            f"tempfile.mkdtemp(prefix='stewards-') directly under /tmp, or run: chmod o+x {blocker or '<parent>'}"
        )
    return workdir


def _first_unsearchable_ancestor(path: Path, user: ServiceUser) -> Path | None:
    """The outermost ancestor whose permission bits deny `user` search access (ignores ACLs)."""
    for ancestor in reversed(path.parents):
        info = ancestor.stat()
        if info.st_uid == user.uid:
            bit = stat.S_IXUSR
        elif info.st_gid == user.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return ancestor
    return None
