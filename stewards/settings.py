"""One typed settings class for every entry point, read from STEWARDS_* environment variables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from api.ratelimit import RateLimits

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

    #: Seals beacon secrets at rest (AES-256-GCM): base64 of 32 random bytes, `openssl rand -base64 32`.
    #: `stewards beacons install|replace` and a gateway that does not allow demo keys refuse to run without it.
    beacon_key: SecretStr = SecretStr("")
    #: Trust `db seed`'s derived band keys and beacon secrets (public by construction): a demo or a test only.
    allow_demo_keys: bool = False

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
    #: The most rows one export (/exports/…) may hold; beyond it the export is refused, never cut short.
    export_max_rows: Annotated[int, Field(ge=1)] = 50_000
    #: The API's rate limits, in `limits` notation ("10/minute", "100 per hour"); 429 with Retry-After past one.
    sign_in_rate_per_username: str = "10/minute"
    sign_in_rate_per_address: str = "60/minute"
    write_rate_per_account: str = "120/minute"
    anonymous_write_rate_per_address: str = "20/hour"
    #: false turns every rate limit off: for a load test on loopback, never for a served API.
    rate_limits: bool = True
    #: The largest request body the API reads; a larger one is refused with 413.
    max_body_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024

    @field_validator("sign_in_rate_per_username", "sign_in_rate_per_address", "write_rate_per_account",
                     "anonymous_write_rate_per_address")
    @classmethod
    def _parse_rate(cls, text: str) -> str:
        from limits import parse

        try:
            parse(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a rate: write it like 10/minute or 100 per hour") from None
        return text

    def api_rate_limits(self) -> RateLimits:
        from api.ratelimit import RateLimits

        return RateLimits(self.sign_in_rate_per_username, self.sign_in_rate_per_address,
                          self.write_rate_per_account, enabled=self.rate_limits,
                          anonymous_writes_per_address=self.anonymous_write_rate_per_address)

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

    @field_validator("beacon_key")
    @classmethod
    def _parse_beacon_key(cls, key: SecretStr) -> SecretStr:
        from scoring.registry.beacon_secrets import parse_beacon_key

        if key.get_secret_value():
            parse_beacon_key(key.get_secret_value())  # raises ValueError naming what is wrong
        return key

    def beacon_key_bytes(self) -> bytes | None:
        """STEWARDS_BEACON_KEY's 32 bytes, None when it is not set."""
        from scoring.registry.beacon_secrets import parse_beacon_key

        text = self.beacon_key.get_secret_value()
        return parse_beacon_key(text) if text else None

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
