"""Bands in the store, on both stores: enrolment with a claim code kept hashed, bindings by code and at the
station, lost and returned bands, the history of who wore which, and the lock-out on wrong codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from nacl.signing import SigningKey
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scoring.accounts.errors import AccountLockedError
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.accounts.store import NewAccount, create_account
from scoring.errors import NotAuthorisedError
from scoring.registry import claim_codes
from scoring.registry.bands import enrol_band, enrol_bands, read_factory_csv
from scoring.registry.bindings import (
    CLAIM_LOCK_OUT,
    MAX_WRONG_CLAIM_CODES,
    band_history,
    bind_band,
    claim_band,
    report_lost,
    return_band,
    steward_bands,
)
from scoring.registry.errors import (
    BandBoundError,
    BandExistsError,
    BandLostError,
    BandNotBoundError,
    ClaimCodeUsedError,
    InvalidBandError,
    InvalidBandKeyError,
    WrongClaimCodeError,
)
from scoring.storage import tables as t
from scoring.storage.engine import session_factory

NOW = datetime(2017, 9, 30, 4, 0, tzinfo=UTC)
WRONG_CODE = "0000-0000-0000-0000"


def key(n: int) -> str:
    return bytes(SigningKey(bytes([n]) * 32).verify_key).hex()


class People:
    """Principals of the seeded registry: two stewards of 龙潭 without a band, their station and coordinator."""

    def __init__(self, session: Session) -> None:
        zhao, other = session.scalars(select(t.Steward).where(t.Steward.subdistrict_id == select(
            t.Steward.subdistrict_id).where(t.Steward.name == "赵云华").scalar_subquery()).order_by(t.Steward.id)
            .limit(2)).all()
        far = session.scalars(select(t.Subdistrict.id).where(t.Subdistrict.id != zhao.subdistrict_id)).first()
        for steward in (zhao, other):  # the seed gave everyone a band: hand those back first
            for worn in session.scalars(select(t.BandBinding).where(t.BandBinding.steward_id == steward.id,
                                                                    t.BandBinding.valid_to.is_(None))):
                worn.valid_to, worn.ended_reason = NOW - timedelta(days=1), "returned"
        session.flush()
        self.zhao, self.other = zhao.id, other.id
        self.steward = self._make(session, "s1", Role.STEWARD, steward_id=zhao.id)
        self.other_steward = self._make(session, "s2", Role.STEWARD, steward_id=other.id)
        self.station = self._make(session, "st", Role.STATION_STAFF, subdistrict_id=zhao.subdistrict_id)
        self.far_station = self._make(session, "st2", Role.STATION_STAFF, subdistrict_id=far)
        self.coordinator = self._make(session, "co", Role.COORDINATOR, subdistrict_id=zhao.subdistrict_id)
        self.admin = self._make(session, "ad", Role.ADMIN)

    @staticmethod
    def _make(session: Session, name: str, role: Role, **links: int | None) -> Principal:
        # A stored hash of nothing: these accounts never sign in, and argon2 costs a quarter of a second.
        return create_account(session, NewAccount(name, "x" * 12, role, **links), now=NOW, password_hash="-")


@pytest.fixture
def session(seeded: Engine) -> Session:
    with session_factory(seeded)() as s:
        yield s  # type: ignore[misc]


def test_an_enrolled_band_keeps_its_key_and_only_the_hash_of_its_claim_code(session: Session) -> None:
    enrolled = enrol_band(session, 70_001, key(1), now=NOW)
    band = session.get(t.Band, 70_001)
    assert band is not None and band.public_key.hex() == key(1) and band.key_origin == "enrolled"
    assert band.claim_code_sha256 == claim_codes.digest(enrolled.claim_code) and band.claim_code_used_at is None
    row = session.execute(select(t.Band.__table__).where(t.Band.id == 70_001)).one()
    stored = repr(tuple(row)).encode() + b"".join(bytes(v) for v in row if isinstance(v, bytes))
    assert enrolled.claim_code.encode() not in stored and enrolled.claim_code.replace("-", "").encode() not in stored
    with pytest.raises(BandExistsError, match="enrolled already"):
        enrol_band(session, 70_001, key(2), now=NOW)
    with pytest.raises(BandExistsError, match="enrolled already"):
        enrol_band(session, 1001, key(2), now=NOW)  # a seeded band
    with pytest.raises(InvalidBandError, match="outside 1..4294967295"):
        enrol_band(session, 2**32, key(2), now=NOW)


def test_a_factory_batch_goes_in_whole_or_not_at_all(session: Session) -> None:
    text = f"band_id,public_key\n# run 7\n70101,{key(3)}\n\n70102,{key(4)}\n70103,{(bytes([1]) + bytes(31)).hex()}\n"
    rows, where = read_factory_csv(text)
    assert rows[:2] == [(70101, key(3)), (70102, key(4))] and where == ["line 3", "line 5", "line 6"]
    with pytest.raises(InvalidBandKeyError, match="^line 6: .*small order"):
        enrol_bands(session, rows, now=NOW, where=where)
    assert session.scalar(select(func.count()).select_from(t.Band).where(t.Band.id > 70_000)) == 0
    codes = enrol_bands(session, rows[:2], now=NOW, where=where[:2])
    assert [c.band_id for c in codes] == [70101, 70102] and len({c.claim_code for c in codes}) == 2
    with pytest.raises(BandExistsError, match="twice"):
        enrol_bands(session, [(70201, key(5)), (70201, key(6))], now=NOW)
    for bad, reason in [("", "no bands"), ("id,key\n1,2\n", "header"), (f"band_id,public_key\nx,{key(1)}\n",
                        "not a number"), ("band_id,public_key\n1,2,3\n", "3 fields")]:
        with pytest.raises(InvalidBandError, match=reason):
            read_factory_csv(bad)


def test_a_steward_binds_a_band_with_its_code_once(session: Session) -> None:
    people = People(session)
    code = enrol_band(session, 70_001, key(1), now=NOW).claim_code
    binding = claim_band(session, people.steward, code.lower().replace("-", " "), now=NOW)
    assert (binding.band_id, binding.steward_id, binding.valid_from, binding.valid_to) == (70_001, people.zhao, NOW,
                                                                                          None)
    assert session.get(t.Band, 70_001).claim_code_used_at == NOW  # type: ignore[union-attr]
    with pytest.raises(ClaimCodeUsedError):
        claim_band(session, people.other_steward, code, now=NOW)
    second = enrol_band(session, 70_002, key(2), now=NOW).claim_code
    with pytest.raises(BandBoundError, match="one band at a time"):
        claim_band(session, people.steward, second, now=NOW)
    with pytest.raises(NotAuthorisedError):
        claim_band(session, people.station, second, now=NOW)


def test_wrong_codes_are_counted_and_lock_the_account_out(session: Session) -> None:
    people = People(session)
    code = enrol_band(session, 70_001, key(1), now=NOW).claim_code
    for attempt in range(1, MAX_WRONG_CLAIM_CODES + 1):
        with pytest.raises(WrongClaimCodeError, match="matches no band"):
            claim_band(session, people.steward, WRONG_CODE if attempt % 2 else "not a code", now=NOW)
    with pytest.raises(AccountLockedError, match="too many wrong claim codes") as locked:
        claim_band(session, people.steward, code, now=NOW + timedelta(minutes=1))  # even the right one waits
    assert locked.value.until == NOW + CLAIM_LOCK_OUT
    claim_band(session, people.other_steward, code, now=NOW)  # another account is not locked out


def test_the_lock_out_ends_and_a_right_code_clears_the_count(session: Session) -> None:
    people = People(session)
    code = enrol_band(session, 70_001, key(1), now=NOW).claim_code
    for _ in range(MAX_WRONG_CLAIM_CODES):
        with pytest.raises(WrongClaimCodeError):
            claim_band(session, people.steward, WRONG_CODE, now=NOW)
    later = NOW + CLAIM_LOCK_OUT + timedelta(seconds=1)
    with pytest.raises(WrongClaimCodeError):
        claim_band(session, people.steward, WRONG_CODE, now=later)
    claim_band(session, people.steward, code, now=later)
    assert session.get(t.BandClaimLockout, people.steward.account_id).failures == 0  # type: ignore[union-attr]


def test_a_lost_band_is_never_bound_again_and_its_replacement_is_a_new_band(session: Session) -> None:
    people = People(session)
    code = enrol_band(session, 70_001, key(1), now=NOW).claim_code
    claim_band(session, people.steward, code, now=NOW)
    lost = report_lost(session, people.steward, 70_001, now=NOW + timedelta(days=3))
    assert lost.ended is not None and lost.ended.valid_to == NOW + timedelta(days=3)
    assert lost.ended.ended_reason == "lost" and session.get(t.Band, 70_001).lost_at == lost.lost_at  # type: ignore[union-attr]
    with pytest.raises(BandLostError, match="never bound again"):
        bind_band(session, people.station, 70_001, people.other, now=NOW + timedelta(days=4))
    with pytest.raises(BandLostError, match="reported lost"):
        report_lost(session, people.coordinator, 70_001, now=NOW + timedelta(days=4))
    enrol_band(session, 70_002, key(2), now=NOW)
    bind_band(session, people.station, 70_002, people.zhao, now=NOW + timedelta(days=4))  # handed over at the station
    mine = steward_bands(session, people.steward, people.zhao, limit=10)
    assert [(b.band_id, b.ended_reason) for b in mine][-2:] == [(70_001, "lost"), (70_002, None)]
    assert mine[0].ended_reason == "returned"  # the seeded band, handed back before: kept, not overwritten


def test_a_returned_band_goes_back_to_stock_and_to_another_steward(session: Session) -> None:
    people = People(session)
    enrol_band(session, 70_001, key(1), now=NOW)
    bind_band(session, people.station, 70_001, people.zhao, now=NOW)
    with pytest.raises(NotAuthorisedError):
        return_band(session, people.steward, 70_001, now=NOW)  # handed back at the station, not by the wearer
    with pytest.raises(NotAuthorisedError):
        return_band(session, people.far_station, 70_001, now=NOW)
    ended = return_band(session, people.coordinator, 70_001, now=NOW + timedelta(hours=2))
    assert (ended.valid_to, ended.ended_reason) == (NOW + timedelta(hours=2), "returned")
    with pytest.raises(BandNotBoundError):
        return_band(session, people.station, 70_001, now=NOW + timedelta(hours=3))
    bind_band(session, people.station, 70_001, people.other, now=NOW + timedelta(hours=3))
    history = band_history(session, people.admin, 70_001, limit=10)
    assert [(b.steward_id, b.valid_to) for b in history] == [(people.zhao, NOW + timedelta(hours=2)),
                                                             (people.other, None)]
    assert [b.steward_id for b in band_history(session, people.steward, 70_001, limit=10)] == [people.zhao]


def test_the_store_itself_holds_one_open_binding_per_band_and_per_steward(seeded: Engine) -> None:
    with session_factory(seeded)() as s:
        band, steward = s.execute(select(t.BandBinding.band_id, t.BandBinding.steward_id)).first()  # type: ignore[misc]
        other_steward = s.scalar(select(t.Steward.id).where(t.Steward.id != steward).order_by(t.Steward.id.desc()))
        spare = s.scalar(select(t.BandBinding.band_id).where(t.BandBinding.steward_id == other_steward))
    for band_id, steward_id in [(band, other_steward), (spare, steward)]:
        with pytest.raises(IntegrityError), session_factory(seeded).begin() as s:
            s.add(t.BandBinding(band_id=band_id, steward_id=steward_id, valid_from=NOW))


def test_a_band_nobody_wears_is_reported_lost_by_an_operator_only(session: Session) -> None:
    people = People(session)
    enrol_band(session, 70_001, key(1), now=NOW)
    with pytest.raises(NotAuthorisedError):
        report_lost(session, people.station, 70_001, now=NOW)  # no wearer: nobody's desk but the stock's
    lost = report_lost(session, people.admin, 70_001, now=NOW)
    assert lost.ended is None and lost.lost_at == NOW
    with pytest.raises(BandLostError):
        bind_band(session, people.station, 70_001, people.zhao, now=NOW)
