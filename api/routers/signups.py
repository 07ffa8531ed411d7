"""报名 over HTTP: a resident signs up online (no account yet), station staff enter paper forms, the street
office lists and decides them, and re-issues a lost activation code."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from api.auth import PrincipalDep
from api.deps import NowDep, PageDep, SessionDep
from api.errors import error_responses
from api.ratelimit import AnonymousWriteLimitDep
from api.schemas.base import StoreId
from api.schemas.signups import (
    ActivationCodeOut,
    ApprovalOut,
    PaperSignupIn,
    RejectIn,
    SignupIn,
    SignupOut,
    SignupReceiptOut,
)
from scoring.accounts import audit
from scoring.accounts.errors import AlreadyActivatedError, SignInError
from scoring.errors import NotAuthorisedError, StorageUnavailableError, UnknownScopeError
from scoring.registry import signup as signups
from scoring.registry.errors import InvalidSignupError, SignupDecidedError, UnknownSignupError, UsernameTakenError
from scoring.registry.signup import SignupState, SignupView

router = APIRouter(prefix="/signups", tags=["signups"],
                   responses=error_responses(RequestValidationError, StorageUnavailableError))

_OFFICE_ERRORS = (SignInError, NotAuthorisedError, UnknownSignupError)


@router.post("", response_model=SignupReceiptOut, status_code=201,
             responses=error_responses(InvalidSignupError, UsernameTakenError))
def post_signup(body: SignupIn, session: SessionDep, now: NowDep,
                _limited: AnonymousWriteLimitDep) -> SignupReceiptOut:
    """A resident signs up online; no sign-in: they have no account until the street office approves."""
    form = body.form()
    made = signups.submit_online(session, form, body.password, now=now)
    audit.record(session, None, now, "signup.submit", f"signup:{made.id}", lane_id=made.lane_id, after=_state(made))
    return SignupReceiptOut.model_validate(made)


@router.post("/paper", response_model=SignupOut, status_code=201,
             responses=error_responses(InvalidSignupError, UsernameTakenError, SignInError, NotAuthorisedError,
                                       UnknownScopeError))
def post_paper_signup(body: PaperSignupIn, principal: PrincipalDep, session: SessionDep, now: NowDep) -> SignupOut:
    """Station staff enter a paper form handed in at their community service station."""
    made = signups.enter_paper(session, principal, body.form(), now=now)
    audit.record(session, principal, now, "signup.enter", f"signup:{made.id}", lane_id=made.lane_id,
                 after=_state(made))
    return SignupOut.model_validate(made)


@router.get("", response_model=list[SignupOut], responses=error_responses(SignInError, NotAuthorisedError))
def get_signups(principal: PrincipalDep, session: SessionDep, page: PageDep,
                state: SignupState | None = None) -> list[SignupOut]:
    """The sign-ups of the caller's area: for its coordinator and district.

    Order: oldest first."""
    found = signups.list_signups(session, principal, state=state, limit=page.limit, offset=page.offset)
    return [SignupOut.model_validate(s) for s in found]


@router.get("/{signup_id:int}", response_model=SignupOut, responses=error_responses(*_OFFICE_ERRORS))
def get_signup(signup_id: StoreId, principal: PrincipalDep, session: SessionDep) -> SignupOut:
    return SignupOut.model_validate(signups.get_signup(session, principal, signup_id))


@router.post("/{signup_id}/approve", response_model=ApprovalOut,
             responses=error_responses(*_OFFICE_ERRORS, SignupDecidedError, UsernameTakenError))
def post_approve(signup_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ApprovalOut:
    """Make the steward (where they live) and their account; a paper sign-up's answer carries its
    activation code, shown this once."""
    approval = signups.approve(session, principal, signup_id, now=now)
    audit.record(session, principal, now, "signup.approve", f"signup:{signup_id}", lane_id=approval.signup.lane_id,
                 before={"state": SignupState.PENDING.value},
                 after={**_state(approval.signup), "steward_id": approval.steward_id,
                        "account_id": approval.account_id, "activation_code_issued": approval.activation is not None})
    return ApprovalOut.model_validate(approval)


@router.post("/{signup_id}/reject", response_model=SignupOut,
             responses=error_responses(*_OFFICE_ERRORS, SignupDecidedError, InvalidSignupError))
def post_reject(signup_id: StoreId, body: RejectIn, principal: PrincipalDep, session: SessionDep,
                now: NowDep) -> SignupOut:
    rejected = signups.reject(session, principal, signup_id, body.reason, now=now)
    audit.record(session, principal, now, "signup.reject", f"signup:{signup_id}", lane_id=rejected.lane_id,
                 before={"state": SignupState.PENDING.value}, after={**_state(rejected), "reason": rejected.reason})
    return SignupOut.model_validate(rejected)


@router.post("/{signup_id}/activation", response_model=ActivationCodeOut,
             responses=error_responses(*_OFFICE_ERRORS, SignupDecidedError, AlreadyActivatedError))
def post_activation(signup_id: StoreId, principal: PrincipalDep, session: SessionDep, now: NowDep) -> ActivationCodeOut:
    """A new activation code for an approved paper sign-up whose steward has not set a password; the
    codes before it stop working."""
    issued = signups.reissue_activation(session, principal, signup_id, now=now)
    found = signups.get_signup(session, principal, signup_id)
    audit.record(session, principal, now, "signup.activation_code", f"signup:{signup_id}", lane_id=found.lane_id,
                 after={"expires_at": issued.expires_at.isoformat()})
    return ActivationCodeOut.model_validate(issued)


def _state(view: SignupView) -> dict[str, object]:
    """What the audit log keeps of a sign-up: its state, never the resident's name, phone or address."""
    return {"state": view.state.value, "channel": view.channel.value, "lane_id": view.lane_id}
