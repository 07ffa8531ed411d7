"""The whole path a chaos run drives, every part real and started here on loopback.

    bands (MQTT) ──────────────────────────────► mosquitto ◄──proxy── gateway-a ──proxy──► PostgreSQL
    bands (BLE) ── emulated radio ◄── tcp ─────────────────────────── gateway-a             (TimescaleDB)
                                                mosquitto ◄──proxy── gateway-b ──proxy──►

Each gateway is a `stewards gateway` process with its own client id in one MQTT v5 share group, and
reaches the broker and the database through proxies of its own, so either can be cut off alone. Only
gateway-a syncs Bluetooth LE: a second central would need its own radio address. The bands run on this
process's event loop, as two fleets (MQTT and BLE) with simulated clocks of their own; the gateways
use the real clock, and are told to accept records as old as the simulated days.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import Engine

from firmware_sim import Band, BandProfile, BrokerAddress, Fleet, LinkSettings, SimClock, UplinkMode
from firmware_sim.ble_link import BleBandLink
from radio import Radio, RadioServer
from scoring.periods import day_starts_at
from scoring.seed.longtan import longtan_dataset
from scoring.seed.synthetic import synthetic_dataset
from scoring.storage.engine import make_engine
from stewards.ble import band_link_factory
from stewards.chaos.gateways import GatewayProcess, GatewaySpec
from stewards.chaos.proxy import TcpProxy
from stewards.registry import band_mqtt_password, band_profiles, prepare_store
from stewards.services.mosquitto import Mosquitto, MqttCredentials
from stewards.services.ports import LOOPBACK_HOST
from stewards.services.postgres import Postgres

log = logging.getLogger(__name__)

START: Final = date(2017, 9, 4)  # a Monday, after every steward of the data set has joined
DATABASE: Final = "chaos"
SHARE_GROUP: Final = "gateways"
GATEWAY_NAMES: Final = ("gateway-a", "gateway-b", "gateway-c", "gateway-d")
# The simulated days are years behind the gateways' real clock; the age check is not what is tested.
MAX_RECORD_AGE_SECONDS: Final = 30 * 365 * 86_400
# Resends come sooner than the reference band's 10 s so that a short run sees many of them.
ACK_TIMEOUT_SECONDS: Final = 3.0
LINK_SETTINGS: Final = LinkSettings(backoff_base_seconds=0.1, backoff_cap_seconds=2.0)
DAY_TIMEOUT_SECONDS: Final = 15.0  # a day still unacked then is left in flash, and the patrol goes on


@dataclass(frozen=True)
class RigSize:
    bands: int  # MQTT and BLE together
    ble_bands: int
    gateways: int
    mode: UplinkMode  # of the MQTT bands; BLE bands upload log segments


@dataclass
class Rig:
    root: Path
    postgres: Postgres
    mosquitto: Mosquitto
    engine: Engine  # straight to the database, not through a proxy: for the tally
    gateways: list[GatewayProcess]
    broker_proxies: dict[str, TcpProxy]  # by gateway name
    database_proxies: dict[str, TcpProxy]
    radio: Radio
    mqtt_fleet: Fleet | None
    ble_fleet: Fleet | None
    mqtt_clock: SimClock
    ble_clock: SimClock
    ble_links: dict[int, BleBandLink]

    @property
    def fleets(self) -> list[Fleet]:
        return [f for f in (self.mqtt_fleet, self.ble_fleet) if f is not None]



def _workdir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="stewards-chaos-"))
    root.chmod(0o711)  # the daemons run as their own OS users and must pass through
    return root


def choose_profiles(profiles: list[BandProfile], size: RigSize, seed: int) -> tuple[list[BandProfile],
                                                                                      list[BandProfile]]:
    """(MQTT bands, BLE bands): BLE bands are drawn from those with checkpoints to walk."""
    chosen = profiles[: size.bands]
    walkers = [p for p in chosen if any(route.checkpoints for route in p.routes)]
    ble = sorted(random.Random(f"chaos/ble/{seed}").sample(walkers, min(size.ble_bands, len(walkers))),
                 key=lambda p: p.band_id)
    ble_ids = {p.band_id for p in ble}
    return [p for p in chosen if p.band_id not in ble_ids], ble


@contextlib.asynccontextmanager
async def open_rig(size: RigSize, seed: int) -> AsyncIterator[Rig]:
    """Start everything, yield it patrol-ready (every band connected or on the air), stop everything."""
    if not 1 <= size.gateways <= len(GATEWAY_NAMES):
        raise ValueError(f"gateways must be 1..{len(GATEWAY_NAMES)}, got {size.gateways}")
    root = await asyncio.to_thread(_workdir)
    data = synthetic_dataset(max(0, size.bands - len(longtan_dataset().bands)))
    fleet_secret = secrets.token_bytes(16)
    gateway_login = MqttCredentials("gateway", secrets.token_hex(12))
    band_passwords = {b.band_id: band_mqtt_password(b.band_id, fleet_secret) for b in data.bands}
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(shutil.rmtree, root, True)
        postgres = Postgres(root / "pg")
        await asyncio.to_thread(postgres.start)
        stack.push_async_callback(asyncio.to_thread, postgres.stop, "immediate")
        url = await asyncio.to_thread(postgres.create_database, DATABASE)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        await asyncio.to_thread(prepare_store, engine, data)
        mosquitto = Mosquitto(root / "mq", gateway=gateway_login, bands=band_passwords)
        await asyncio.to_thread(mosquitto.start)
        stack.push_async_callback(asyncio.to_thread, mosquitto.stop)

        radio = Radio()
        radio_server = RadioServer(radio, LOOPBACK_HOST, 0)
        await radio_server.start()
        stack.push_async_callback(radio_server.close)

        gateways, broker_proxies, database_proxies = [], {}, {}
        for number, name in enumerate(GATEWAY_NAMES[: size.gateways]):
            broker_proxy = stack.enter_context(TcpProxy(f"{name}-broker", mosquitto.host, mosquitto.port))
            database_proxy = stack.enter_context(TcpProxy(f"{name}-database", postgres.host, postgres.port))
            broker_proxies[name], database_proxies[name] = broker_proxy, database_proxy
            ble = number == 0 and size.ble_bands > 0
            env = {
                "STEWARDS_DATABASE_URL": f"postgresql+psycopg://postgres@{database_proxy.host}:{database_proxy.port}"
                                         f"/{DATABASE}",
                "STEWARDS_MQTT_HOST": broker_proxy.host, "STEWARDS_MQTT_PORT": str(broker_proxy.port),
                "STEWARDS_MQTT_VERSION": "5", "STEWARDS_GATEWAY_USERNAME": gateway_login.username,
                "STEWARDS_GATEWAY_PASSWORD": gateway_login.password,
                "STEWARDS_MAX_AGE_SECONDS": str(MAX_RECORD_AGE_SECONDS),
                "STEWARDS_BLE_RADIO": f"tcp:{radio_server.host}:{radio_server.port}" if ble else "",
            }
            gateways.append(GatewayProcess(GatewaySpec(name, env, ble=ble, shared_group=SHARE_GROUP)))
        for gateway in gateways:  # stopped even if what follows fails
            stack.push_async_callback(asyncio.to_thread, gateway.terminate)
        await asyncio.gather(*(asyncio.to_thread(g.start) for g in gateways))

        mqtt_clock, ble_clock = SimClock(day_starts_at(START)), SimClock(day_starts_at(START))
        profiles = band_profiles(engine, data, fleet_secret=fleet_secret, at=mqtt_clock.now())
        mqtt_profiles, ble_profiles = choose_profiles(profiles, size, seed)
        ble_links: dict[int, BleBandLink] = {}
        mqtt_fleet = ble_fleet = None
        if mqtt_profiles:
            mqtt_fleet = Fleet(mqtt_profiles, BrokerAddress(mosquitto.host, mosquitto.port, 5), mqtt_clock,
                               mode=size.mode, seed=seed, ack_timeout_seconds=ACK_TIMEOUT_SECONDS,
                               day_timeout_seconds=DAY_TIMEOUT_SECONDS, link_settings=LINK_SETTINGS)
        if ble_profiles:
            on_air = band_link_factory(radio, ble_clock.now, (p.band_id for p in ble_profiles))

            def ble_link(band: Band) -> BleBandLink | None:
                link = on_air(band)
                if link is not None:
                    ble_links[band.band_id] = link
                return link

            ble_fleet = Fleet(ble_profiles, None, ble_clock, seed=seed, ack_timeout_seconds=ACK_TIMEOUT_SECONDS,
                              day_timeout_seconds=DAY_TIMEOUT_SECONDS, links=ble_link)
        for fleet in (mqtt_fleet, ble_fleet):
            if fleet is not None:
                await stack.enter_async_context(fleet)
        # And stopped before the bands (terminating twice is harmless): a band that leaves first would look
        # like a fault to them.
        for gateway in gateways:
            stack.push_async_callback(asyncio.to_thread, gateway.terminate)
        log.info("chaos rig up in %s: %d MQTT bands, %d BLE bands, %d gateways", root, len(mqtt_profiles),
                 len(ble_profiles), len(gateways))
        yield Rig(root, postgres, mosquitto, engine, gateways, broker_proxies, database_proxies, radio,
                  mqtt_fleet, ble_fleet, mqtt_clock, ble_clock, ble_links)
