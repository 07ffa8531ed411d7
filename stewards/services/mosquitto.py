"""Mosquitto 2.x run by the project: its config, password and ACL files, and the broker process.

One broker per working directory, listening on 127.0.0.1 only:

    mosquitto.conf    regenerated on every start from the constants below
    passwd            `user:hash` lines; PBKDF2-SHA512 hashes made by `mosquitto_passwd -U`
    acl               the gateway reads every band's uplink and writes every band's ack; a band
                      (username = band id in decimal) writes only its own uplink, reads only its own ack
    mosquitto.db      persistence: sessions, subscriptions and queued QoS 1 messages
    mosquitto.log     the broker's log; mosquitto.stderr catches what it prints before opening it

Topic names come from the wire protocol (wire/topics.py): `stewards/v1/bands/{band_id}/up` and
`stewards/v1/bands/{band_id}/ack`. The ACL needs them as filters and `%u` patterns, which is why the
filters are spelled out here; tests pin both against the protocol's topic strings.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import IO, Final, Self

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from stewards.services.errors import (
    ConfigError,
    NotRunningError,
    ServiceError,
    StartError,
    StopError,
)
from stewards.services.host import (
    ServiceUser,
    find_executable,
    give_to,
    prepare_workdir,
    run_as,
    service_user,
)
from stewards.services.ports import LOOPBACK_HOST, free_port

__all__ = [
    "ACK_FILTER",
    "BAND_ACK_PATTERN",
    "BAND_UPLINK_PATTERN",
    "UPLINK_FILTER",
    "Mosquitto",
    "MqttCredentials",
    "hash_passwords",
    "issue_band_credentials",
    "render_acl",
    "render_config",
]

logger = logging.getLogger(__name__)

UPLINK_FILTER: Final = "stewards/v1/bands/+/up"
ACK_FILTER: Final = "stewards/v1/bands/+/ack"
BAND_UPLINK_PATTERN: Final = "stewards/v1/bands/%u/up"
BAND_ACK_PATTERN: Final = "stewards/v1/bands/%u/ack"
# Lets anonymous test clients use the protocol's tree when a caller asks for allow_anonymous.
_PROTOCOL_TREE: Final = "stewards/v1/#"

# The gateway's queue must not drop while it is away (restart, deploy): at 2,000 bands uploading
# every few seconds this holds several minutes of traffic. Mosquitto's default of 1,000 would drop.
MAX_QUEUED_MESSAGES: Final = 100_000
# Unacknowledged QoS 1 deliveries per MQTT 3.1.1 connection (v5 clients announce Receive Maximum
# instead). The gateway acknowledges after its batch is written, so the window must hold a whole
# batch; order is kept except for redeliveries, and records are deduplicated by key anyway.
MAX_INFLIGHT_MESSAGES: Final = 1_000
# Mosquitto writes the whole database on SIGTERM, so a clean restart never loses a queued message;
# the interval only bounds what a crash (SIGKILL, power loss) loses. Saving blocks the broker for
# a few milliseconds per 10,000 queued messages, which is cheap at this interval.
AUTOSAVE_INTERVAL_SECONDS: Final = 5
# MQTT 3.1.1 persistent sessions never expire by themselves; a band that is retired or re-flashed
# with a new client id would otherwise keep its queue forever.
PERSISTENT_CLIENT_EXPIRATION: Final = "1d"
# Largest legitimate packets: a 500-record log segment (18,570 bytes) and a 2,000-range ack
# (26,008 bytes). Anything much larger is garbage and is refused before it is buffered.
MAX_PACKET_SIZE_BYTES: Final = 65_536

DEFAULT_START_TIMEOUT_SECONDS: Final = 10.0
# Saving a large persistence file happens inside the SIGTERM handling; give it time before SIGKILL.
STOP_TIMEOUT_SECONDS: Final = 30.0
RELOAD_TIMEOUT_SECONDS: Final = 10.0
# Readiness probes back off from a quick first retry (the broker starts in ~10 ms) to a calm pace.
_FIRST_RETRY_DELAY_SECONDS: Final = 0.01
_MAX_RETRY_DELAY_SECONDS: Final = 0.25
_PROBE_KEEPALIVE_SECONDS: Final = 10
# A listening broker answers CONNACK within milliseconds; silence means something else holds the port.
_PROBE_ANSWER_TIMEOUT_SECONDS: Final = 1.0
_PASSWD_TIMEOUT_SECONDS: Final = 120.0
_LOG_TAIL_LINES: Final = 20

_BAND_ID_MAX: Final = 2**32 - 1
_FORBIDDEN_PASSWORD_CHARS: Final = frozenset("\n\r\0")
_NO_BANDS: Final[Mapping[int, str]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MqttCredentials:
    """A username and password as the broker's password file holds them."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.username or any(c == ":" or c.isspace() or not c.isprintable() for c in self.username):
            raise ConfigError(
                f"MQTT username {self.username!r} is not usable: it must be non-empty, without ':', "
                "spaces or control characters"
            )
        if not self.password or _FORBIDDEN_PASSWORD_CHARS.intersection(self.password):
            raise ConfigError(f"password for MQTT user {self.username!r} must be non-empty and on one line")


def band_credentials(band_id: int, password: str) -> MqttCredentials:
    """The credentials of a band: its id in decimal is its username."""
    if isinstance(band_id, bool) or not isinstance(band_id, int) or not 1 <= band_id <= _BAND_ID_MAX:
        raise ConfigError(f"band id {band_id!r} is out of range: band ids are integers 1..{_BAND_ID_MAX}")
    return MqttCredentials(str(band_id), password)


def render_config(
    workdir: Path,
    port: int,
    *,
    allow_anonymous: bool = False,
    persistence: bool = True,
) -> str:
    """The text of mosquitto.conf for a loopback broker whose files all live in `workdir`."""
    lines = [
        "# Generated by stewards.services.mosquitto; rewritten on every start.",
        "per_listener_settings false",
        f"listener {port} {LOOPBACK_HOST}",
        f"allow_anonymous {'true' if allow_anonymous else 'false'}",
        f"password_file {workdir / 'passwd'}",
        f"acl_file {workdir / 'acl'}",
        "",
    ]
    if persistence:
        lines += [
            "persistence true",
            # Mosquitto appends the file name to the location verbatim: the slash is required.
            f"persistence_location {workdir}/",
            "persistence_file mosquitto.db",
            f"autosave_interval {AUTOSAVE_INTERVAL_SECONDS}",
            "autosave_on_changes false",
        ]
    else:
        lines.append("persistence false")
    lines += [
        f"persistent_client_expiration {PERSISTENT_CLIENT_EXPIRATION}",
        "",
        f"max_queued_messages {MAX_QUEUED_MESSAGES}",
        f"max_inflight_messages {MAX_INFLIGHT_MESSAGES}",
        f"max_packet_size {MAX_PACKET_SIZE_BYTES}",
        "set_tcp_nodelay true",
        "",
        f"log_dest file {workdir / 'mosquitto.log'}",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "log_type information",
        "log_timestamp_format %Y-%m-%dT%H:%M:%S",
        "connection_messages true",
        "",
    ]
    return "\n".join(lines)


def render_acl(gateway_username: str, *, allow_anonymous: bool = False) -> str:
    """The ACL file: who may publish and receive on which topics.

    Mosquitto 2.0 grants every SUBSCRIBE, shared (`$share/group/...`) or not, and checks `read`
    against the topic of each message it would deliver; so `topic read` on the plain filter is
    all the gateway needs for shared subscriptions, and a band subscribing to another band's ack
    topic receives nothing.
    """
    lines = ["# Generated by stewards.services.mosquitto."]
    if allow_anonymous:
        lines += [
            "# Anonymous clients (allowed on this broker for tests) may use the whole protocol tree.",
            f"topic readwrite {_PROTOCOL_TREE}",
        ]
    lines += [
        "",
        "# The gateway: reads every band's uplink, answers on every band's ack topic.",
        f"user {gateway_username}",
        f"topic read {UPLINK_FILTER}",
        f"topic write {ACK_FILTER}",
        "",
        "# Every band (username = band id in decimal): its own topics only.",
        f"pattern write {BAND_UPLINK_PATTERN}",
        f"pattern read {BAND_ACK_PATTERN}",
        "",
    ]
    return "\n".join(lines)


def hash_passwords(
    passwords: Mapping[str, str],
    *,
    scratch_dir: Path,
    mosquitto_passwd: Path | None = None,
) -> dict[str, str]:
    """Hash each password the way mosquitto expects: returns username -> `$7$...` (PBKDF2-SHA512).

    The plain text goes into a 0600 scratch file inside `scratch_dir` that is removed afterwards;
    `mosquitto_passwd -U` rewrites it in place (about 0.1 ms per entry).
    """
    if not passwords:
        return {}
    for username, password in passwords.items():
        MqttCredentials(username, password)
    executable = mosquitto_passwd or find_executable("mosquitto_passwd")
    fd, scratch_name = tempfile.mkstemp(prefix=".passwd-plain-", dir=scratch_dir)
    scratch = Path(scratch_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as plain:
            plain.writelines(f"{username}:{password}\n" for username, password in passwords.items())
        result = run_as([executable, "-U", scratch], None, timeout_seconds=_PASSWD_TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise ServiceError(
                f"mosquitto_passwd -U failed ({result.returncode}): {(result.stderr or result.stdout).strip()}"
            )
        hashed = _parse_password_file(scratch.read_text(encoding="utf-8"))
    finally:
        scratch.unlink(missing_ok=True)
    if hashed.keys() != passwords.keys() or not all(h.startswith(("$6$", "$7$")) for h in hashed.values()):
        raise ServiceError(
            "mosquitto_passwd -U produced an unexpected file; check that mosquitto 2.x is installed "
            "(scripts/install-services.sh)"
        )
    return hashed


def issue_band_credentials(
    band_id: int, password: str, *, password_file: Path, acl_file: Path, gateway_username: str,
    mosquitto_passwd: Path | None = None,
) -> None:
    """Give a band its broker login on a broker the project does not run (production, /etc/mosquitto).

    The band's `user:hash` line replaces its old one in `password_file`, or is added; every other line
    stays. `acl_file` must let every band use its own topics (the `%u` patterns of `render_acl`): a file
    that does not exist is written whole, one without the patterns gets them appended. Both files are
    replaced atomically, keeping their owner and mode (0600 for a new file). The broker reads them
    again on SIGHUP (`systemctl reload mosquitto`).
    """
    credentials = band_credentials(band_id, password)
    hashed = hash_passwords({credentials.username: credentials.password}, scratch_dir=password_file.parent,
                            mosquitto_passwd=mosquitto_passwd)
    entry = f"{credentials.username}:{hashed[credentials.username]}"
    lines = password_file.read_text(encoding="utf-8").splitlines() if password_file.exists() else []
    ours = [i for i, line in enumerate(lines) if line.partition(":")[0] == credentials.username and ":" in line]
    kept = [line for i, line in enumerate(lines) if i not in ours[1:]]  # a duplicate line would be a second login
    if ours:
        kept[ours[0]] = entry
    else:
        kept.append(entry)
    _replace_keeping_owner(password_file, "".join(f"{line}\n" for line in kept))
    patterns = (f"pattern write {BAND_UPLINK_PATTERN}", f"pattern read {BAND_ACK_PATTERN}")
    if not acl_file.exists():
        _replace_keeping_owner(acl_file, render_acl(gateway_username))
        return
    acl = acl_file.read_text(encoding="utf-8")
    present = {line.strip() for line in acl.splitlines()}
    missing = [p for p in patterns if p not in present]
    if missing:
        tail = "" if acl.endswith("\n") or not acl else "\n"
        _replace_keeping_owner(acl_file, acl + tail + "\n# Every band (username = band id): its own topics only.\n"
                               + "".join(f"{p}\n" for p in missing))


def _replace_keeping_owner(path: Path, text: str) -> None:
    try:
        before = path.stat()
    except FileNotFoundError:
        before = None
    staging = path.with_name(f".{path.name}.new")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, before.st_mode & 0o777 if before else 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if before is not None and os.geteuid() == 0:
        os.chown(staging, before.st_uid, before.st_gid)
    os.replace(staging, path)


def _parse_password_file(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in text.splitlines():
        username, sep, secret = line.partition(":")
        if not sep:
            raise ServiceError(f"malformed password file line {line[:40]!r}")
        entries[username] = secret
    return entries


class Mosquitto:
    """A Mosquitto broker on 127.0.0.1 for tests, benchmarks and fault drills.

    `start()` writes the configuration and waits until the broker answers an MQTT CONNECT from the
    gateway's credentials; `stop()` sends SIGTERM so the broker saves its persistence file;
    `restart()` brings it back on the same port with the same file, so persistent sessions and their
    queued QoS 1 messages survive.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        gateway: MqttCredentials,
        bands: Mapping[int, str] = _NO_BANDS,
        allow_anonymous: bool = False,
        persistence: bool = True,
    ) -> None:
        if gateway.username.isdigit():
            raise ConfigError(
                f"gateway username {gateway.username!r} looks like a band id; pick a name such as 'gateway'"
            )
        if any(c.isspace() for c in str(workdir.absolute())):
            raise ConfigError(f"mosquitto cannot read paths with spaces; choose another workdir than {workdir}")
        self.host: str = LOOPBACK_HOST
        self.port: int = port if port is not None else free_port()
        self.workdir: Path = workdir.absolute()
        self.gateway: MqttCredentials = gateway
        self._allow_anonymous = allow_anonymous
        self._persistence = persistence
        self._bands: dict[int, str] = {}
        self._merge_bands(bands)
        # Hashing is the slow part of writing the password file; keep what was hashed from which
        # password so that add_bands() hashes only the new entries.
        self._hashes: dict[str, str] = {}
        self._hashed_from: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    # --- files ---------------------------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.workdir / "mosquitto.conf"

    @property
    def password_path(self) -> Path:
        return self.workdir / "passwd"

    @property
    def acl_path(self) -> Path:
        return self.workdir / "acl"

    @property
    def log_path(self) -> Path:
        return self.workdir / "mosquitto.log"

    @property
    def persistence_path(self) -> Path:
        return self.workdir / "mosquitto.db"

    @property
    def bands(self) -> Mapping[int, str]:
        """Band id -> password, as the broker knows them."""
        return MappingProxyType(self._bands)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process is not None else None

    def write_config(self) -> Path:
        """Write mosquitto.conf, the hashed password file and the ACL into the workdir."""
        user = service_user("mosquitto")
        prepare_workdir(self.workdir, user)
        self._write_password_file(user)
        _write_private(self.acl_path, render_acl(self.gateway.username, allow_anonymous=self._allow_anonymous), user)
        config = render_config(
            self.workdir, self.port, allow_anonymous=self._allow_anonymous, persistence=self._persistence
        )
        _write_private(self.config_path, config, user)
        return self.config_path

    def _write_password_file(self, user: ServiceUser | None) -> None:
        wanted = {self.gateway.username: self.gateway.password}
        wanted.update((str(band_id), password) for band_id, password in self._bands.items())
        changed = {name: pw for name, pw in wanted.items() if self._hashed_from.get(name) != pw}
        if changed:
            started = time.monotonic()
            self._hashes.update(hash_passwords(changed, scratch_dir=self.workdir))
            self._hashed_from.update(changed)
            logger.debug("hashed %d MQTT passwords in %.3f s", len(changed), time.monotonic() - started)
        text = "".join(f"{name}:{self._hashes[name]}\n" for name in wanted)
        _write_private(self.password_path, text, user)

    # --- process -------------------------------------------------------------------------------

    def start(self, timeout_seconds: float = DEFAULT_START_TIMEOUT_SECONDS) -> None:
        """Start the broker and return once it accepts the gateway's MQTT CONNECT."""
        if self.running:
            raise StartError(f"mosquitto is already running on port {self.port}; call restart() or stop() first")
        self.stop()  # reaps a broker that died on its own, so its status is logged and its files closed
        executable = find_executable("mosquitto")
        self.write_config()
        user = service_user("mosquitto")
        self._stderr = open(self.workdir / "mosquitto.stderr", "ab")  # noqa: SIM115 - lives with the process
        self._process = subprocess.Popen(
            [str(executable), "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=self._stderr,
            stderr=self._stderr,
            **(user.popen_kwargs() if user is not None else {}),
        )
        logger.info("mosquitto pid %d starting on %s:%d in %s", self._process.pid, self.host, self.port, self.workdir)
        try:
            self._wait_for_credentials(self.gateway, timeout_seconds, what="start")
        except BaseException:
            self._terminate_quietly()
            raise

    def stop(self) -> None:
        """SIGTERM the broker and wait; it saves its persistence file on the way out. Idempotent."""
        process = self._process
        if process is None:
            return
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    raise StopError(
                        f"mosquitto pid {process.pid} ignored SIGTERM for {STOP_TIMEOUT_SECONDS:.0f} s and was "
                        f"killed; messages queued since the last autosave may be lost. See {self.log_path}"
                    ) from None
            if process.returncode != 0:
                logger.warning("mosquitto pid %d exited with status %d", process.pid, process.returncode)
            else:
                logger.info("mosquitto pid %d stopped", process.pid)
        finally:
            self._process = None
            self._close_stderr()

    def restart(self) -> None:
        """Stop and start again on the same port with the same persistence file."""
        self.stop()
        self.start()

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would: nothing is saved since the last autosave. For fault
        drills; `start()` then brings it back on the same port with what its persistence file holds."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        logger.info("mosquitto pid %d killed (SIGKILL)", process.pid)
        self._process = None
        self._close_stderr()

    def add_bands(self, bands: Mapping[int, str]) -> None:
        """Add or re-key bands; a running broker reloads its password file (SIGHUP).

        Returns once the broker accepts the new credentials, so a caller may connect a new band
        straight away.
        """
        before = dict(self._bands)
        self._merge_bands(bands)
        changed = {band_id: pw for band_id, pw in self._bands.items() if before.get(band_id) != pw}
        if not changed:
            return
        process = self._process
        if process is None or process.poll() is not None:
            return
        self._write_password_file(service_user("mosquitto"))
        process.send_signal(signal.SIGHUP)
        band_id, password = next(iter(changed.items()))
        self._wait_for_credentials(band_credentials(band_id, password), RELOAD_TIMEOUT_SECONDS, what="reload")
        logger.info("mosquitto reloaded with %d new or changed bands", len(changed))

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- internals -----------------------------------------------------------------------------

    def _merge_bands(self, bands: Mapping[int, str]) -> None:
        validated = {band_id: band_credentials(band_id, password).password for band_id, password in bands.items()}
        self._bands.update(validated)

    def _wait_for_credentials(self, credentials: MqttCredentials, timeout_seconds: float, *, what: str) -> None:
        """Retry an MQTT CONNECT until the broker accepts `credentials`.

        Between attempts we wait on the process itself, so a broker that dies is reported at once.
        """
        process = self._process
        if process is None:
            raise NotRunningError("mosquitto is not running; call start() first")
        deadline = time.monotonic() + timeout_seconds
        delay = _FIRST_RETRY_DELAY_SECONDS
        last_outcome = "no answer"
        while True:
            remaining = deadline - time.monotonic()
            if process.poll() is not None:
                break
            if remaining <= 0:
                raise StartError(
                    f"mosquitto did not accept {credentials.username!r} within {timeout_seconds:.1f} s after "
                    f"{what} ({last_outcome}). {self._diagnostics()}"
                )
            try:
                reason = _probe_connect(
                    self.host, self.port, credentials, min(remaining, _PROBE_ANSWER_TIMEOUT_SECONDS)
                )
            except OSError as exc:
                last_outcome = str(exc)
            else:
                if reason is not None and not reason.is_failure:
                    return
                last_outcome = f"CONNACK {reason}" if reason is not None else "connection closed"
                # At start the password file was in place before the broker read it, so a refusal is
                # final; after a reload the broker may not have re-read the file yet.
                if what == "start" and reason is not None and process.poll() is None:
                    raise StartError(
                        f"mosquitto is up but refused the gateway credentials ({reason}); "
                        f"check {self.password_path}. {self._diagnostics()}"
                    )
            try:
                process.wait(timeout=min(delay, max(remaining, 0.0)))
            except subprocess.TimeoutExpired:
                delay = min(delay * 2, _MAX_RETRY_DELAY_SECONDS)
                continue
            break
        self._process = None
        self._close_stderr()
        raise StartError(f"mosquitto exited with status {process.returncode} during {what}. {self._diagnostics()}")

    def _diagnostics(self) -> str:
        parts = []
        for path in (self.workdir / "mosquitto.stderr", self.log_path):
            tail = _tail(path, _LOG_TAIL_LINES)
            if tail:
                parts.append(f"--- {path.name} ---\n{tail}")
        return "\n".join(parts) if parts else f"No log was written; see {self.workdir}."

    def _terminate_quietly(self) -> None:
        process = self._process
        self._process = None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        self._close_stderr()

    def _close_stderr(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _probe_connect(host: str, port: int, credentials: MqttCredentials, timeout_seconds: float) -> ReasonCode | None:
    """One MQTT 3.1.1 CONNECT: the broker's CONNACK reason, or None if it closed without answering.

    Raises OSError when nothing listens. Uses its own client id so it never takes over a session.
    """
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=f"stewards-probe-{os.getpid()}",
        protocol=mqtt.MQTTv311,
        clean_session=True,
    )
    client.username_pw_set(credentials.username, credentials.password)
    answers: list[ReasonCode] = []

    def on_connect(
        _client: mqtt.Client, _userdata: object, _flags: object, reason_code: ReasonCode, _properties: object
    ) -> None:
        answers.append(reason_code)

    client.on_connect = on_connect
    client.connect(host, port, keepalive=_PROBE_KEEPALIVE_SECONDS)
    try:
        deadline = time.monotonic() + timeout_seconds
        while not answers:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or client.loop(timeout=min(remaining, 1.0)) != mqtt.MQTT_ERR_SUCCESS:
                break
    finally:
        # Sends DISCONNECT and closes the socket when one is still open; a no-op otherwise.
        client.disconnect()
    return answers[0] if answers else None


def _write_private(path: Path, text: str, user: ServiceUser | None) -> None:
    """Replace `path` atomically with a 0600 file owned by the service user.

    Atomic because a running broker may reload it at any moment (SIGHUP).
    """
    staging = path.with_name(f".{path.name}.new")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    give_to(staging, user)
    os.replace(staging, path)


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
