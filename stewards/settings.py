"""One typed settings class for every entry point, read from STEWARDS_* environment variables."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "password"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEWARDS_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/stewards.db"

    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 1883
    mqtt_version: Annotated[Literal[3, 5], BeforeValidator(int)] = 5  # env values arrive as text
    gateway_username: str = "gateway"
    gateway_password: SecretStr = SecretStr("")
    gateway_client_id: str = "gateway-1"
    gateway_shared_group: str = "gateways"
    #: The embedded broker (demo) runs without credentials on loopback; a real broker never does.
    mqtt_anonymous: bool = False

    max_future_skew_seconds: float = 300.0
    max_age_seconds: float = 30 * 86_400.0
    #: A test hook for fault drills (`gateway.faults`), e.g. "kill-after-commit:3"; never set in production.
    fault: str = ""

    #: Bluetooth LE: "tcp:HOST:PORT" of an emulated radio (`stewards radio`); empty means the
    #: platform's own Bluetooth stack (BlueZ on Linux) and a real adapter.
    ble_radio: str = ""
    ble_adapter: str = ""  # BlueZ adapter name, e.g. hci1; empty = the system default
    ble_max_links: int = 4  # concurrent band connections: what one adapter handles reliably
    radio_host: str = "127.0.0.1"
    radio_port: int = 9200

    #: Derives each street office's award-signing key (`stewards cycle`, the closing scheduler).
    issuer_secret: SecretStr = SecretStr("")
    cycle_dir: str = "var/cycle"  # where bulletins, award reports, certificates and credentials go

    #: Signs the API's access tokens (HS256): at least 32 bytes, e.g. `openssl rand -base64 48`. `serve`
    #: refuses to start without one; the demo makes one up for its run.
    auth_secret: SecretStr = SecretStr("")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    score_every_seconds: float = 5.0

    @field_validator("database_url")
    @classmethod
    def _parse_database_url(cls, url: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(url)
        except ArgumentError:
            raise ValueError(
                f"{url!r} is not a database URL; e.g. postgresql+psycopg://user@host/stewards or "
                "sqlite:///var/stewards.db"
            ) from None
        return url

    @field_validator("fault")
    @classmethod
    def _parse_fault(cls, spec: str) -> str:
        from gateway.faults import parse_fault

        parse_fault(spec)  # raises with the spelling it expects
        return spec

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if not self.mqtt_anonymous and self.gateway_password.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "STEWARDS_GATEWAY_PASSWORD is empty or a placeholder: set the gateway's broker password "
                "(or STEWARDS_MQTT_ANONYMOUS=true for a loopback-only embedded broker)"
            )
        return self
