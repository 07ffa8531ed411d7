"""JSON Canonicalization Scheme (RFC 8785) for the JSON values that award credentials are made of.

The signature of a credential covers these bytes, so they must be the same on every machine that
signs or verifies. The rules that matter for our documents:

- Objects: members sorted by their names compared as arrays of UTF-16 code units (not code points:
  a name with a character beyond U+FFFF sorts by its surrogates), no whitespace anywhere.
- Strings: UTF-8; only `"`, `\\` and the controls U+0000..U+001F are escaped, the five with a short
  form (\\b \\t \\n \\f \\r) by it and the rest as \\u00xx with lower-case hex; everything else,
  Chinese included, is written as itself. Lone surrogates are not valid Unicode and are refused.
- Numbers: integers only, within ±(2**53 - 1), where an IEEE 754 double (what RFC 8785 serialises)
  is exact and its ECMAScript form is the plain decimal. Floats are refused rather than formatted:
  every number in a credential is a count or a year, and the float formatting rules of RFC 8785 are
  the part where implementations disagree.
- `true`, `false`, `null` as themselves; nothing else (no tuples of bytes, dates or sets) is JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from scoring.awards.errors import MalformedCredentialError

__all__ = ["MAX_SAFE_INTEGER", "CanonicalizationError", "canonicalize"]

# Beyond this an IEEE 754 double, which is what a JSON number is to most verifiers, loses integers.
MAX_SAFE_INTEGER: Final = 2**53 - 1

_SHORT_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                         "\f": "\\f", "\r": "\\r"}


class CanonicalizationError(MalformedCredentialError):
    """The value is not in the JSON subset that can be canonicalised and signed."""


def canonicalize(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value (dict, list, str, int, bool, None)."""
    parts: list[str] = []
    _write(value, parts, "$")
    return "".join(parts).encode("utf-8")


def _write(value: object, out: list[str], where: str) -> None:
    # bool before int: True is an int to Python but `true` to JSON.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalizationError(
                f"{where}: integer {value} is outside ±(2**53 - 1), where JSON numbers stay exact; "
                "store it as a string"
            )
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise CanonicalizationError(
            f"{where}: {value!r} is a float; award credentials carry integers only (counts, years), "
            "so round it or store it as a string"
        )
    elif isinstance(value, str):
        out.append(_string(value, where))
    elif isinstance(value, Mapping):
        _write_object(value, out, where)
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, f"{where}[{i}]")
        out.append("]")
    else:
        raise CanonicalizationError(
            f"{where}: a {type(value).__name__} is not a JSON value; convert it to a string or an integer"
        )


def _write_object(value: Mapping[object, object], out: list[str], where: str) -> None:
    names: list[str] = []
    for name in value:
        if not isinstance(name, str):
            raise CanonicalizationError(f"{where}: member name {name!r} is not a string")
        names.append(name)
    names.sort(key=_utf16_order)
    out.append("{")
    for i, name in enumerate(names):
        if i:
            out.append(",")
        out.append(_string(name, f"{where} member name"))
        out.append(":")
        _write(value[name], out, f"{where}.{name}")
    out.append("}")


def _utf16_order(name: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the code-unit arrays RFC 8785 section 3.2.3 sorts by.
    return name.encode("utf-16-be", "surrogatepass")


def _string(value: str, where: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalizationError(
            f"{where}: the string holds a lone surrogate, which is not Unicode text; fix its source"
        ) from None
    chars = []
    for ch in value:
        if ch in _SHORT_ESCAPES:
            chars.append(_SHORT_ESCAPES[ch])
        elif ch < " ":
            chars.append(f"\\u{ord(ch):04x}")
        else:
            chars.append(ch)
    return '"' + "".join(chars) + '"'
