"""Issuer keys: deterministic from a seed, private files kept 0600, public files that refuse edits."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from scoring.awards.errors import KeyFileError
from scoring.awards.keys import IssuerKey, IssuerPublicKey, load_trusted_issuers

SEED = bytes(range(32))
LONGTAN = "龙潭街道办事处"
# bytes(range(32)) is also the wire protocol's demo seed; its public key is pinned there too.
PUBLIC_KEY_HEX = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
DID = "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd"


def test_a_seed_gives_the_same_key_every_time() -> None:
    key = IssuerKey.from_seed(SEED, LONGTAN)
    assert key.public.public_key.hex() == PUBLIC_KEY_HEX
    assert key.public.did == DID
    assert key.public.verification_method == f"{DID}#{DID.removeprefix('did:key:')}"
    assert IssuerKey.from_seed(SEED, LONGTAN).public == key.public


def test_generated_keys_differ_and_the_seed_stays_out_of_repr() -> None:
    a, b = IssuerKey.generate(LONGTAN), IssuerKey.generate(LONGTAN)
    assert a.public != b.public
    assert a.seed.hex() not in repr(a) and "seed" not in repr(a)


@pytest.mark.parametrize(("seed", "name"), [(bytes(31), LONGTAN), (bytes(32), ""), (bytes(32), " 龙潭"),
                                            ("x" * 32, LONGTAN), (bytes(32), "龙潭\u200b街道")])
def test_bad_seeds_and_names_are_refused(seed: bytes, name: str) -> None:
    with pytest.raises(KeyFileError):
        IssuerKey.from_seed(seed, name)


def test_private_key_file_round_trip_is_mode_0600(tmp_path: Path) -> None:
    path = IssuerKey.from_seed(SEED, LONGTAN).save(tmp_path / "longtan.key.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = IssuerKey.load(path)
    assert loaded.seed == SEED and loaded.name == LONGTAN


def test_saving_over_an_open_file_closes_it_to_others(tmp_path: Path) -> None:
    path = tmp_path / "longtan.key.json"
    path.write_text("old")
    path.chmod(0o644)
    IssuerKey.from_seed(SEED, LONGTAN).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_private_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = IssuerKey.from_seed(SEED, LONGTAN).save(tmp_path / "longtan.key.json")
    path.chmod(0o640)
    with pytest.raises(KeyFileError, match="chmod 600"):
        IssuerKey.load(path)


def test_public_key_file_round_trip(tmp_path: Path) -> None:
    key = IssuerKey.from_seed(SEED, LONGTAN)
    path = key.save_public(tmp_path / "longtan.pub.json")
    assert IssuerPublicKey.load(path) == key.public
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["id"] == DID and document["name"] == LONGTAN
    assert document["verificationMethod"]["type"] == "Multikey"
    assert "secretKeyMultibase" not in path.read_text(encoding="utf-8")


def _edited_public_file(tmp_path: Path, edit: dict[str, object]) -> Path:
    document = IssuerKey.from_seed(SEED, LONGTAN).public.to_json()
    document.update(edit)
    path = tmp_path / "edited.pub.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}, "does not agree"),
        ({"extra": 1}, "does not agree"),
        ({"verificationMethod": {"publicKeyMultibase": "z6Mk"}}, "Ed25519 Multikey"),
        ({"verificationMethod": "z6Mk"}, "no verificationMethod"),
        ({"name": ""}, "name"),
        ({"format": "lane-stewards/issuer-key/v1"}, "private key file: give verifiers the public"),
        ({"format": ["x"]}, "not an issuer key file"),
    ],
)
def test_edited_public_key_files_are_refused(tmp_path: Path, edit: dict[str, object], message: str) -> None:
    with pytest.raises(KeyFileError, match=message):
        IssuerPublicKey.load(_edited_public_file(tmp_path, edit))


def test_a_public_key_file_cannot_sign(tmp_path: Path) -> None:
    path = IssuerKey.from_seed(SEED, LONGTAN).save_public(tmp_path / "longtan.pub.json")
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="public key file: signing needs the private key file"):
        IssuerKey.load(path)


def test_a_private_key_file_assembled_from_two_keys_is_refused(tmp_path: Path) -> None:
    path = IssuerKey.from_seed(SEED, LONGTAN).save(tmp_path / "longtan.key.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["secretKeyMultibase"] = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(KeyFileError, match="does not belong to its secret key"):
        IssuerKey.load(path)


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"format": 1, "format": 2}', b"\xff\xfe", b"[" * 100000])
def test_garbage_key_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(content)
    with pytest.raises(KeyFileError):
        IssuerPublicKey.load(path)


def test_missing_key_files_say_which_path(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="nowhere.json"):
        IssuerPublicKey.load(tmp_path / "nowhere.json")
    with pytest.raises(KeyFileError, match="nowhere.json"):
        IssuerKey.load(tmp_path / "nowhere.json")


def test_trusted_issuers_load_and_conflicting_names_for_one_key_are_refused(tmp_path: Path) -> None:
    longtan = IssuerKey.from_seed(SEED, LONGTAN).save_public(tmp_path / "a.json")
    again = IssuerKey.from_seed(SEED, LONGTAN).save_public(tmp_path / "b.json")
    other = IssuerKey.from_seed(bytes(32), "体育馆路街道办事处").save_public(tmp_path / "c.json")
    assert [i.name for i in load_trusted_issuers([longtan, again, other])] == [LONGTAN, "体育馆路街道办事处"]
    renamed = IssuerKey.from_seed(SEED, "西长安街街道办事处").save_public(tmp_path / "d.json")
    with pytest.raises(KeyFileError, match="another file names it"):
        load_trusted_issuers([longtan, renamed])

