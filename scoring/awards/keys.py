"""Issuer keys: a subdistrict office's Ed25519 signing key, its shareable public half, and their files.

Each issuing office (e.g. 龙潭街道办事处) holds one `IssuerKey`. Its public half, `IssuerPublicKey`,
is what verifiers trust: the office hands out the public key file, and a credential verifies
offline against a set of such files. The issuer's identity in a credential is the key's `did:key`
(see `scoring.awards.multikey`), so the issuer profile itself publishes the key.

Files are JSON, UTF-8:

- private key file (mode 0600, refused on load if group or others may read it):
  {"format": "lane-stewards/issuer-key/v1", "name", "id" (did:key), "publicKeyMultibase",
   "secretKeyMultibase"}
- public key file (shareable): {"format": "lane-stewards/issuer-public-key/v1", "name", "id",
  "verificationMethod": {"id", "type": "Multikey", "controller", "publicKeyMultibase"}}

The derived members (ids, controller, public key) are written for people and other tools to read;
on load they must agree with the key, so a hand-edited file is refused rather than half-believed.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.signing import SigningKey

from scoring.awards.errors import KeyFileError, MalformedCredentialError
from scoring.awards.jsonio import loads_strict, read_capped
from scoring.awards.model import check_text
from scoring.awards.multikey import (
    KEY_BYTES,
    did_key,
    public_key_from_multibase,
    public_key_multibase,
    seed_from_multibase,
    seed_multibase,
    verification_method,
)

__all__ = [
    "PRIVATE_KEY_FORMAT",
    "PUBLIC_KEY_FORMAT",
    "IssuerKey",
    "IssuerPublicKey",
    "load_trusted_issuers",
]

logger = logging.getLogger(__name__)

PRIVATE_KEY_FORMAT: Final = "lane-stewards/issuer-key/v1"
PUBLIC_KEY_FORMAT: Final = "lane-stewards/issuer-public-key/v1"
PRIVATE_KEY_FILE_MODE: Final = 0o600
_GROUP_OR_OTHER_BITS: Final = stat.S_IRWXG | stat.S_IRWXO


@dataclass(frozen=True, slots=True)
class IssuerPublicKey:
    """A trusted issuer: the office's name and its 32-byte Ed25519 public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_text(self.name, "issuer name", KeyFileError)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != KEY_BYTES:
            raise KeyFileError(f"an issuer public key is exactly {KEY_BYTES} bytes")
        if not crypto_core_ed25519_is_valid_point(self.public_key):
            raise KeyFileError("these 32 bytes are not a valid Ed25519 public key; get the key file again")

    @property
    def did(self) -> str:
        """The issuer's id in credentials: did:key:z6Mk..."""
        return did_key(self.public_key)

    @property
    def verification_method(self) -> str:
        return verification_method(self.public_key)

    @property
    def public_key_multibase(self) -> str:
        return public_key_multibase(self.public_key)

    def to_json(self) -> dict[str, object]:
        return {
            "format": PUBLIC_KEY_FORMAT,
            "name": self.name,
            "id": self.did,
            "verificationMethod": {
                "id": self.verification_method,
                "type": "Multikey",
                "controller": self.did,
                "publicKeyMultibase": self.public_key_multibase,
            },
        }

    @classmethod
    def from_json(cls, document: object, source: str = "public key file") -> IssuerPublicKey:
        members = _members(document, PUBLIC_KEY_FORMAT, source)
        method = members.get("verificationMethod")
        if not isinstance(method, Mapping):
            raise KeyFileError(f"{source} has no verificationMethod object; export the public key again")
        key = _public_key(method.get("publicKeyMultibase"), source)
        issuer = cls(_name(members, source), key)
        expected = issuer.to_json()
        if members != expected:
            raise KeyFileError(
                f"{source} does not agree with its own key (ids, controller or type were edited); "
                "export the public key again from the issuer's key file"
            )
        return issuer

    def save(self, path: Path | str) -> Path:
        """Write the shareable public key file."""
        path = Path(path)
        path.write_text(_dumps(self.to_json()), encoding="utf-8")
        logger.info("wrote the public key of %s (%s) to %s", self.name, self.did, path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> IssuerPublicKey:
        path = Path(path)
        source = f"public key file {path}"
        return cls.from_json(_load(path, source), source)


@dataclass(frozen=True, eq=False)
class IssuerKey:
    """An issuing office's signing key: a 32-byte Ed25519 seed and the office's name.

    Deterministic from its seed, so the demo can rebuild the same key (and the same credentials)
    on every run; production keys come from `generate()` and never leave the office's machine.
    """

    name: str
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_text(self.name, "issuer name", KeyFileError)
        if not isinstance(self.seed, bytes) or len(self.seed) != KEY_BYTES:
            raise KeyFileError(f"an Ed25519 seed is exactly {KEY_BYTES} bytes")

    @classmethod
    def generate(cls, name: str) -> IssuerKey:
        return cls(name, bytes(SigningKey.generate()))

    @classmethod
    def from_seed(cls, seed: bytes, name: str) -> IssuerKey:
        return cls(name, seed)

    @property
    def signing_key(self) -> SigningKey:
        return SigningKey(self.seed)

    @property
    def public(self) -> IssuerPublicKey:
        return IssuerPublicKey(self.name, bytes(self.signing_key.verify_key))

    def save(self, path: Path | str) -> Path:
        """Write the private key file with mode 0600, replacing any file at `path`."""
        path = Path(path)
        public = self.public
        document = {
            "format": PRIVATE_KEY_FORMAT,
            "name": self.name,
            "id": public.did,
            "publicKeyMultibase": public.public_key_multibase,
            "secretKeyMultibase": seed_multibase(self.seed),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_KEY_FILE_MODE)
        # The mode passed to open() only applies to a new file; an old one keeps its own mode.
        os.fchmod(fd, PRIVATE_KEY_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_dumps(document))
        logger.info("wrote the signing key of %s (%s) to %s", self.name, public.did, path)
        return path

    def save_public(self, path: Path | str) -> Path:
        return self.public.save(path)

    @classmethod
    def load(cls, path: Path | str) -> IssuerKey:
        path = Path(path)
        source = f"private key file {path}"
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise KeyFileError(f"cannot read {source}: {exc.strerror or exc}; check the path") from None
        if mode & _GROUP_OR_OTHER_BITS:
            raise KeyFileError(
                f"{source} is open to other users (mode {stat.filemode(mode)}); whoever reads it can "
                f"sign awards: run `chmod 600 {path}` and consider the key exposed"
            )
        members = _members(_load(path, source), PRIVATE_KEY_FORMAT, source)
        secret = members.get("secretKeyMultibase")
        if not isinstance(secret, str):
            raise KeyFileError(f"{source} has no secretKeyMultibase string")
        try:
            seed = seed_from_multibase(secret)
        except MalformedCredentialError as exc:
            raise KeyFileError(f"{source}: {exc}") from None
        key = cls(_name(members, source), seed)
        public = key.public
        stated = (members.get("publicKeyMultibase"), members.get("id"))
        if stated != (public.public_key_multibase, public.did):
            raise KeyFileError(
                f"{source}: its public key or id does not belong to its secret key; the file was "
                "edited or assembled from two keys; restore it from the office's backup"
            )
        return key


def load_trusted_issuers(paths: Iterable[Path | str]) -> tuple[IssuerPublicKey, ...]:
    """The public key files a verifier trusts; refuses two files for one key with different names."""
    by_did: dict[str, IssuerPublicKey] = {}
    for path in paths:
        issuer = IssuerPublicKey.load(path)
        known = by_did.get(issuer.did)
        if known is not None and known.name != issuer.name:
            raise KeyFileError(
                f"public key file {path} names {issuer.did} {issuer.name!r}, another file names it "
                f"{known.name!r}; keep only the file the issuing office gave you"
            )
        by_did[issuer.did] = issuer
    return tuple(by_did.values())


def _load(path: Path, source: str) -> object:
    data = read_capped(path, source, KeyFileError)
    try:
        return loads_strict(data, source)
    except MalformedCredentialError as exc:
        raise KeyFileError(str(exc)) from None


def _members(document: object, expected_format: str, source: str) -> Mapping[str, object]:
    if not isinstance(document, Mapping):
        raise KeyFileError(f"{source} is not a JSON object; it is not an issuer key file")
    found = document.get("format")
    if found != expected_format:
        if found == PRIVATE_KEY_FORMAT:
            hint = "this is a private key file: give verifiers the public key file"
        elif found == PUBLIC_KEY_FORMAT:
            hint = "this is a public key file: signing needs the private key file"
        else:
            hint = "it is not an issuer key file of this programme"
        raise KeyFileError(f"{source} has format {repr(found)[:60]}, expected {expected_format!r}; {hint}")
    return document


def _name(members: Mapping[str, object], source: str) -> str:
    return check_text(members.get("name"), f"{source}: name", KeyFileError)


def _public_key(value: object, source: str) -> bytes:
    try:
        return public_key_from_multibase(value)  # type: ignore[arg-type]  # checked inside
    except MalformedCredentialError as exc:
        raise KeyFileError(f"{source}: {exc}") from None


def _dumps(document: Mapping[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
