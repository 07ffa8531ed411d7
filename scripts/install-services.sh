#!/usr/bin/env bash
# Installs the real components the integration tests talk to, when they are missing:
#   - Mosquitto 2.x from Debian;
#   - PostgreSQL 15 (Debian) with TimescaleDB (Apache edition) built from Debian 13's source package,
#     because TimescaleDB is not in Debian 12's archive.
# Idempotent: each step checks first and does nothing when its part is already there.
# The system's apt configuration is left untouched: the trixie deb-src line lives in a private
# sources list under $STATE_DIR and is passed to apt-get with -o options.
set -euo pipefail

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
STATE_DIR=${STEWARDS_BUILD_DIR:-/var/tmp/stewards-build}
APT_QUIET=(-y -q -o Dpkg::Use-Pty=0)
export DEBIAN_FRONTEND=noninteractive

log() { printf '[install-services] %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    log "installing system packages needs root; run as root or install them yourself: $*"
    exit 1
  fi
}

apt_updated=0
apt_install() {
  need_root "$@"
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -q >/dev/null
    apt_updated=1
  fi
  apt-get install "${APT_QUIET[@]}" --no-install-recommends "$@" >/dev/null
}

# --- Mosquitto -------------------------------------------------------------------------------
if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  log "installing mosquitto"
  apt_install mosquitto mosquitto-clients
  # The Debian package starts a system broker on :1883; the project runs its own, so stop that one.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
  pkill -x mosquitto 2>/dev/null || true
fi
command -v mosquitto_passwd >/dev/null 2>&1 || apt_install mosquitto
command -v mosquitto_pub >/dev/null 2>&1 || apt_install mosquitto-clients

# --- PostgreSQL ------------------------------------------------------------------------------
if [ ! -x "$PG_BIN/postgres" ]; then
  log "installing postgresql-$PG_MAJOR"
  apt_install "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
fi

# --- TimescaleDB (Apache edition, from source) -----------------------------------------------
PG_LIBDIR=$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/$PG_MAJOR/lib)
if ! ls "$PG_LIBDIR"/timescaledb*.so >/dev/null 2>&1; then
  log "building TimescaleDB (Apache edition) from Debian 13's source package"
  apt_install "postgresql-server-dev-$PG_MAJOR" cmake build-essential dpkg-dev libssl-dev
  mkdir -p "$STATE_DIR/apt/lists/partial" "$STATE_DIR/src"
  echo "deb-src http://deb.debian.org/debian trixie main" > "$STATE_DIR/apt/sources.list"
  APT_PRIVATE=(-o "Dir::Etc::SourceList=$STATE_DIR/apt/sources.list"
               -o "Dir::Etc::SourceParts=/dev/null"
               -o "Dir::State::Lists=$STATE_DIR/apt/lists")
  apt-get "${APT_PRIVATE[@]}" update -q >/dev/null
  cd "$STATE_DIR/src"
  rm -rf timescaledb-*/
  apt-get "${APT_PRIVATE[@]}" source --download-only timescaledb >/dev/null
  dpkg-source -x --no-check timescaledb_*.dsc >/dev/null
  src=$(find . -maxdepth 1 -type d -name 'timescaledb-*' | head -n 1)
  cd "$src"
  ./bootstrap -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
    -DPG_CONFIG="$PG_BIN/pg_config" >/dev/null
  make -C build -j"$(nproc)" >/dev/null
  make -C build install >/dev/null
  log "TimescaleDB installed into $PG_LIBDIR"
fi
log "services ready to start: mosquitto $(mosquitto -h 2>/dev/null | head -n 1 | awk '{print $3}'), postgresql $PG_MAJOR, timescaledb"
