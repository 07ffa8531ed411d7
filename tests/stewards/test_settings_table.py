"""The README's settings table lists every STEWARDS_* variable, with the default the code has."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import SecretStr

from stewards.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Read by typer options (envvar=...) rather than by Settings.
OPTION_VARIABLES = {"STEWARDS_FLEET_SECRET": "", "STEWARDS_ISSUER_SECRET": ""}


def _table() -> dict[str, str]:
    rows = re.findall(r"^\| `(STEWARDS_[A-Z_]+)` \| ([^|]+) \|", (ROOT / "README.md").read_text(encoding="utf-8"),
                      flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def _shown(value: object) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def test_every_setting_is_in_the_readme_with_its_default() -> None:
    expected = {f"STEWARDS_{name.upper()}": _shown(field.default) for name, field in Settings.model_fields.items()}
    expected.update({name: _shown(default) for name, default in OPTION_VARIABLES.items()})
    table = _table()
    assert set(table) == set(expected)
    for name, default in expected.items():
        assert table[name].split(" (")[0] == default, name


def test_every_stewards_variable_the_code_reads_is_a_setting_or_an_option() -> None:
    read = set()
    for path in (ROOT / "stewards").rglob("*.py"):
        read |= set(re.findall(r'envvar="(STEWARDS_[A-Z_]+)"', path.read_text(encoding="utf-8")))
    assert read == set(OPTION_VARIABLES)
