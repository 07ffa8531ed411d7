"""Strict reading of the JSON files this package trusts nothing about: credentials and key files.

Python's `json` accepts things a signed document must not contain: duplicate member names (the last
one wins, so two readers can see two different credentials), NaN and Infinity, and floats whose
text does not survive a round trip. All of these are refused here, as is anything over a size cap,
so a hostile file costs bounded work and ends in the caller's error class, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final, NoReturn

from scoring.awards.errors import CredentialError, MalformedCredentialError

__all__ = ["MAX_JSON_BYTES", "loads_strict", "read_capped"]

# A credential is about 3 KiB; a key file under 1 KiB. Generous, and still cheap to parse.
MAX_JSON_BYTES: Final = 256 * 1024


def loads_strict(data: bytes | str, what: str) -> object:
    """Parse UTF-8 JSON with no duplicate names, no floats and no NaN/Infinity."""
    if isinstance(data, bytes):
        if len(data) > MAX_JSON_BYTES:
            _too_large(what, len(data))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedCredentialError(
                f"{what} is not UTF-8 text (byte {exc.start}); it is not a JSON file of this programme"
            ) from None
    else:
        text = data
        if len(text) > MAX_JSON_BYTES:
            _too_large(what, len(text))
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise MalformedCredentialError(
            f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "ask for the original file"
        ) from None
    except RecursionError:
        raise MalformedCredentialError(f"{what} nests deeper than any credential does") from None


def read_capped(path: Path, what: str, error: type[CredentialError]) -> bytes:
    """The bytes of a file of at most MAX_JSON_BYTES; any OS failure becomes `error`."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}; check the path") from None
    if len(data) > MAX_JSON_BYTES:
        raise error(f"{what} {path} is larger than {MAX_JSON_BYTES} bytes; it is not one of ours")
    return data


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for name, value in pairs:
        if name in result:
            raise MalformedCredentialError(
                f"member {name!r} appears twice in one object; readers would disagree on its value, "
                "so the file is refused"
            )
        result[name] = value
    return result


def _no_float(text: str) -> NoReturn:
    raise MalformedCredentialError(
        f"number {text[:30]} is not an integer; award credentials carry integers only"
    )


def _no_constant(text: str) -> NoReturn:
    raise MalformedCredentialError(f"{text} is not JSON; award credentials carry integers only")


def _too_large(what: str, size: int) -> NoReturn:
    raise MalformedCredentialError(
        f"{what} is {size} long, over the {MAX_JSON_BYTES} cap; it is not one of ours"
    )
