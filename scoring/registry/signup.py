"""报名 as commands: a resident signs up (online, or on a paper form the station enters), and the street
office approves or rejects it.

Approval makes the steward where the resident lives (按照居住原则分配): the subdistrict, community and
home lane are those of the lane on the form. It makes their account too: an online sign-up's with the
username and password chosen with it (the password was hashed on arrival and never stored in clear;
the sign-up gives its hash to the account and keeps none), a paper one's with the username on the form
and no password, and a one-time activation code (`scoring.accounts.activation`) with which the steward
sets one. A sign-up is decided once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts.activation import IssuedCode, issue_code
from scoring.accounts.errors import InvalidAccountError
from scoring.accounts.jurisdiction import (
    EVERYWHERE,
    PAPER_ENTRY,
    SIGNUP_OFFICES,
    check_paper_entry,
    check_signup_office,
    lanes_in_reach,
    require_role,
)
from scoring.accounts.passwords import hash_password
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.accounts.store import NewAccount, check_password, check_username, create_account, username_taken
from scoring.periods import local_day
from scoring.registry.errors import InvalidSignupError, SignupDecidedError, UnknownSignupError, UsernameTakenError
from scoring.registry.phones import normalise_phone
from scoring.storage import tables as t

NAME_MAX: Final = 40
ADDRESS_MAX: Final = 200
REASON_MAX: Final = 500


class SignupState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Channel(enum.StrEnum):
    ONLINE = "online"  # on the street office's website, by the resident
    PAPER = "paper"  # the form handed in at the community service station, entered by its staff


@dataclass(frozen=True, slots=True)
class SignupForm:
    """What a resident writes on the form (报名表), online or on paper."""

    name: str
    phone: str
    lane_id: int  # the lane they live on
    address: str
    username: str
    party_member: bool = False


@dataclass(frozen=True, slots=True)
class SignupView:
    id: int
    channel: Channel
    state: SignupState
    name: str
    phone: str
    lane_id: int
    subdistrict_id: int
    address: str
    party_member: bool
    username: str
    submitted_at: datetime
    entered_by: int | None
    decided_at: datetime | None
    decided_by: int | None
    reason: str
    steward_id: int | None


@dataclass(frozen=True, slots=True)
class Approval:
    signup: SignupView
    steward_id: int
    account_id: int
    username: str
    activation: IssuedCode | None  # a paper sign-up's: shown once, in this answer


def submit_online(session: Session, form: SignupForm, password: str, *, now: datetime) -> SignupView:
    """A resident signs up on the website, choosing the username and password of their account-to-be."""
    try:
        check_password(password)
    except InvalidAccountError as exc:
        raise InvalidSignupError(str(exc)) from None
    row = _new(session, form, Channel.ONLINE, now)
    row.password_hash = hash_password(password)
    session.add(row)
    session.flush()
    return _view(row)


def enter_paper(session: Session, principal: Principal, form: SignupForm, *, now: datetime) -> SignupView:
    """Station staff enter a paper form of their subdistrict; no password: it is set on activation."""
    require_role(principal, *PAPER_ENTRY)
    row = _new(session, form, Channel.PAPER, now)  # first: a lane that does not exist is the form's fault
    check_paper_entry(session, principal, row.lane_id)
    row.entered_by = principal.account_id
    session.add(row)
    session.flush()
    return _view(row)


def list_signups(session: Session, principal: Principal, *, state: SignupState | None, limit: int,
                 offset: int) -> list[SignupView]:
    """The sign-ups of the caller's area, oldest first; for its coordinator and district."""
    require_role(principal, *SIGNUP_OFFICES)
    query = select(t.Signup).order_by(t.Signup.id).limit(limit).offset(offset)
    if state is not None:
        query = query.where(t.Signup.state == state.value)
    reach = lanes_in_reach(session, principal)
    if reach is not EVERYWHERE:  # an office's reach is whole subdistricts: ask by them, as the index has it
        query = query.where(t.Signup.subdistrict_id.in_(
            select(t.Lane.subdistrict_id).where(t.Lane.id.in_(sorted(reach))).distinct()))
    return [_view(row) for row in session.scalars(query)]


def get_signup(session: Session, principal: Principal, signup_id: int) -> SignupView:
    row = _signup(session, signup_id)
    check_signup_office(session, principal, row.lane_id)
    return _view(row)


def approve(session: Session, principal: Principal, signup_id: int, *, now: datetime) -> Approval:
    """Make the steward and their account; a paper sign-up's answer carries the activation code."""
    row = _pending(session, principal, signup_id)
    if username_taken(session, row.username):
        raise UsernameTakenError(f"username {row.username!r} was taken since this sign-up: reject it saying so, "
                                 "and the resident signs up again with another")
    lane = session.get(t.Lane, row.lane_id)
    subdistrict = session.get(t.Subdistrict, row.subdistrict_id)
    assert lane is not None and subdistrict is not None  # foreign keys
    steward = t.Steward(key=f"{subdistrict.key}/signup-{row.id:06d}", name=row.name, subdistrict_id=lane.subdistrict_id,
                        community_id=lane.community_id, home_lane_id=lane.id, joined_on=local_day(now),
                        party_member=row.party_member, phone=row.phone)
    session.add(steward)
    session.flush()
    account = create_account(session, NewAccount(row.username, None, Role.STEWARD, steward_id=steward.id), now=now,
                             password_hash=row.password_hash)
    activation = issue_code(session, account.account_id, now=now) if row.channel == Channel.PAPER else None
    _decide(row, principal, now, SignupState.APPROVED)
    row.steward_id = steward.id
    session.flush()
    return Approval(_view(row), steward.id, account.account_id, account.username, activation)


def reject(session: Session, principal: Principal, signup_id: int, reason: str, *, now: datetime) -> SignupView:
    """Turn a sign-up down, saying why (the resident is told, and may sign up again)."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidSignupError(f"a rejection says why, in 1 to {REASON_MAX} characters")
    row = _pending(session, principal, signup_id)
    _decide(row, principal, now, SignupState.REJECTED)
    row.reason = reason
    session.flush()
    return _view(row)


def reissue_activation(session: Session, principal: Principal, signup_id: int, *, now: datetime) -> IssuedCode:
    """A new activation code for an approved paper sign-up whose steward has not set a password yet (the
    first was lost, or expired); the codes before it stop working."""
    row = _signup(session, signup_id)
    check_signup_office(session, principal, row.lane_id)
    if row.state != SignupState.APPROVED or row.channel != Channel.PAPER:
        raise SignupDecidedError(f"sign-up {signup_id} is {row.state}, by {row.channel}: activation codes are for "
                                 "approved paper sign-ups")
    account_id = session.scalar(select(t.Account.id).where(t.Account.steward_id == row.steward_id))
    assert account_id is not None  # approval made it
    return issue_code(session, account_id, now=now)


def _new(session: Session, form: SignupForm, channel: Channel, now: datetime) -> t.Signup:
    name, address = form.name.strip(), form.address.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidSignupError(f"a name has 1 to {NAME_MAX} characters")
    if not address or len(address) > ADDRESS_MAX:
        raise InvalidSignupError(f"an address has 1 to {ADDRESS_MAX} characters")
    phone = normalise_phone(form.phone)
    lane = session.get(t.Lane, form.lane_id)
    if lane is None:
        raise InvalidSignupError(f"no lane with id {form.lane_id}: the lane you live on is one of /registry/lanes")
    try:
        username = check_username(form.username)
    except InvalidAccountError as exc:
        raise InvalidSignupError(str(exc)) from None
    pending = select(t.Signup.id).where(t.Signup.username == username, t.Signup.state == SignupState.PENDING.value)
    if username_taken(session, username) or session.scalar(pending) is not None:
        raise UsernameTakenError(f"username {username!r} is taken: choose another")
    return t.Signup(channel=channel.value, state=SignupState.PENDING.value, name=name, phone=phone, lane_id=lane.id,
                    subdistrict_id=lane.subdistrict_id, address=address, party_member=form.party_member,
                    username=username, submitted_at=now, reason="")


def _signup(session: Session, signup_id: int) -> t.Signup:
    row = session.get(t.Signup, signup_id)
    if row is None:
        raise UnknownSignupError(f"no sign-up with id {signup_id}: list them under /signups")
    return row


def _pending(session: Session, principal: Principal, signup_id: int) -> t.Signup:
    """The sign-up, for its office to decide, locked on PostgreSQL so that two decisions cannot both land."""
    row = _signup(session, signup_id)
    check_signup_office(session, principal, row.lane_id)
    session.refresh(row, with_for_update=True)
    if row.state != SignupState.PENDING:
        when = row.decided_at.isoformat(timespec="minutes") if row.decided_at else "before"
        raise SignupDecidedError(f"sign-up {signup_id} was {row.state} at {when}: a sign-up is decided once"
                                 + ("; the resident may sign up again" if row.state == SignupState.REJECTED else ""))
    return row


def _decide(row: t.Signup, principal: Principal, now: datetime, state: SignupState) -> None:
    row.state, row.decided_at, row.decided_by = state.value, now, principal.account_id
    row.password_hash = None  # an approval gave it to the account; a rejection has no use for it


def _view(row: t.Signup) -> SignupView:
    return SignupView(row.id, Channel(row.channel), SignupState(row.state), row.name, row.phone, row.lane_id,
                      row.subdistrict_id, row.address, row.party_member, row.username, row.submitted_at,
                      row.entered_by, row.decided_at, row.decided_by, row.reason, row.steward_id)
