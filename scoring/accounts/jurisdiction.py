"""Who may see what: each role its own area, and nothing of anyone else's.

An area is a set of lanes. A chief's is his lane (a street chief's the main street he leads); a
property company's the lane it serves; a coordinator's or a station's every lane of the subdistrict;
a district administrator's every lane of the district; an administrator's and a machine's, all.
A steward reaches no lane's work: only their own data, and the public boards.

A steward's data is seen by the steward, and by those whose area holds a lane the steward lives on or
has claimed, or (coordinators, stations and district administrators) the steward's subdistrict or
district. A property company sees its lane's cases, never a steward's data or the chiefs' inbox.
A steward's 名片 (name and phone) is for the same people, but no machine: none has a use for a phone.

The programme's own work (报名 and 认领): station staff enter paper sign-ups for the lanes of their
subdistrict; its coordinator (a district administrator for the district) reads and decides them. A
steward claims segments of their own subdistrict; a claim is released by its steward, or by the lane's
chiefs and offices, who alone hand it to another steward; a segment's claim history is its lane's area's.
Each check raises NotAuthorisedError naming who may, or UnknownScopeError for an id that names nobody.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.errors import NotAuthorisedError, UnknownScopeError
from scoring.storage import tables as t

EVERYWHERE = None  # the reach of an administrator or a machine


def lanes_in_reach(session: Session, principal: Principal) -> frozenset[int] | None:
    """The lanes whose work this principal sees; None means every lane."""
    role = principal.role
    if role in (Role.ADMIN, Role.SERVICE):
        return EVERYWHERE
    if role is Role.CHIEF and principal.chief_id is not None:
        chief = session.get(t.Chief, principal.chief_id)
        return frozenset({chief.lane_id}) if chief is not None and chief.lane_id is not None else frozenset()
    if role is Role.CONTRACTOR and principal.contractor_id is not None:
        contractor = session.get(t.Contractor, principal.contractor_id)
        return frozenset({contractor.lane_id}) if contractor is not None else frozenset()
    if role in (Role.COORDINATOR, Role.STATION_STAFF):
        return frozenset(session.scalars(select(t.Lane.id).where(t.Lane.subdistrict_id == principal.subdistrict_id)))
    if role is Role.DISTRICT_ADMIN:
        return frozenset(session.scalars(
            select(t.Lane.id).join(t.Subdistrict).where(t.Subdistrict.district_id == principal.district_id)))
    return frozenset()


def check_lane(session: Session, principal: Principal, lane_id: int) -> None:
    """A lane's work (its cases, its chiefs' inbox) is for those whose area holds it."""
    if session.get(t.Lane, lane_id) is None:
        raise UnknownScopeError(f"no lane with id {lane_id}: list them under /registry/lanes")
    reach = lanes_in_reach(session, principal)
    if reach is not EVERYWHERE and lane_id not in reach:
        raise NotAuthorisedError(f"lane {lane_id} is not in your area: its chiefs and its street office see it")


def check_inbox(session: Session, principal: Principal, lane_id: int) -> None:
    """A lane's patrol alerts are its chiefs' and its offices' to act on."""
    if principal.role in (Role.STEWARD, Role.CONTRACTOR):
        raise NotAuthorisedError(f"lane {lane_id}'s patrol alerts are for its chiefs and its street office")
    check_lane(session, principal, lane_id)


def check_steward(session: Session, principal: Principal, steward_id: int) -> None:
    """A steward's own data is for the steward, and for the chiefs and offices of their lanes."""
    if session.get(t.Steward, steward_id) is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    if principal.role is Role.STEWARD:
        if principal.steward_id == steward_id:
            return
        raise NotAuthorisedError("a steward sees their own data only; the public boards show everyone's points")
    if principal.role is Role.CONTRACTOR:
        raise NotAuthorisedError("a property company sees its lane's cases, not the stewards' data")
    # One rule for who reaches which steward, the one the registry's lists use (`stewards_in_reach`).
    seen = stewards_in_reach(session, principal)
    if seen is EVERYWHERE or steward_id in seen:
        return
    raise NotAuthorisedError(f"steward {steward_id} is not in your area: the chiefs of their lanes and their "
                             "street office see their data")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        names = ", ".join(r.value for r in roles)
        raise NotAuthorisedError(f"this is for {names} accounts; yours is a {principal.role.value} account")


def check_case(session: Session, principal: Principal, lane_id: int, reporters: Collection[int]) -> None:
    """A case is for its lane's area, and for the stewards who reported it."""
    if principal.role is Role.STEWARD:
        if principal.steward_id in reporters:
            return
        raise NotAuthorisedError("a steward sees the cases they reported; the lane's chiefs see all of its cases")
    check_lane(session, principal, lane_id)


def stewards_in_reach(session: Session, principal: Principal) -> frozenset[int] | None:
    """The stewards whose data this principal sees, in one pass; None means every steward."""
    reach = lanes_in_reach(session, principal)
    if reach is EVERYWHERE:
        return EVERYWHERE
    if principal.role is Role.STEWARD:
        return frozenset({principal.steward_id}) if principal.steward_id is not None else frozenset()
    if principal.role is Role.CONTRACTOR:
        return frozenset()
    query = select(t.Steward.id).where(t.Steward.home_lane_id.in_(sorted(reach)))
    claimed = (select(t.Claim.steward_id).join(t.Segment, t.Claim.segment_id == t.Segment.id)
               .where(t.Segment.lane_id.in_(sorted(reach))))
    found = set(session.scalars(query)) | set(session.scalars(claimed))
    if principal.role in (Role.COORDINATOR, Role.STATION_STAFF):
        found |= set(session.scalars(select(t.Steward.id).where(t.Steward.subdistrict_id == principal.subdistrict_id)))
    if principal.role is Role.DISTRICT_ADMIN:
        in_district = (select(t.Steward.id).join(t.Subdistrict, t.Steward.subdistrict_id == t.Subdistrict.id)
                       .where(t.Subdistrict.district_id == principal.district_id))
        found |= set(session.scalars(in_district))
    return frozenset(found)


# --- 报名 and 认领 ---------------------------------------------------------------------------------

SIGNUP_OFFICES = (Role.COORDINATOR, Role.DISTRICT_ADMIN, Role.ADMIN)
PAPER_ENTRY = (Role.STATION_STAFF, *SIGNUP_OFFICES)
CLAIM_OFFICES = (Role.CHIEF, Role.COORDINATOR, Role.DISTRICT_ADMIN, Role.ADMIN)


def check_paper_entry(session: Session, principal: Principal, lane_id: int) -> None:
    """A paper sign-up form is entered by the station (or an office) of the lane the resident lives on."""
    require_role(principal, *PAPER_ENTRY)
    check_lane(session, principal, lane_id)


def check_signup_office(session: Session, principal: Principal, lane_id: int) -> None:
    """A sign-up is read and decided by the coordinator of its lane's subdistrict, or its district's."""
    require_role(principal, *SIGNUP_OFFICES)
    check_lane(session, principal, lane_id)


def check_claim_office(session: Session, principal: Principal, lane_id: int) -> None:
    """Another steward's claim is released or handed on by the lane's chiefs and its offices."""
    require_role(principal, *CLAIM_OFFICES)
    check_lane(session, principal, lane_id)


def check_claim_history(session: Session, principal: Principal, lane_id: int) -> None:
    """Who held a segment, and when, is stewards' data of the lane's area: not for stewards or its property
    company."""
    if principal.role in (Role.STEWARD, Role.CONTRACTOR):
        raise NotAuthorisedError("a segment's claim history is for its lane's chiefs and offices")
    check_lane(session, principal, lane_id)


def check_card(session: Session, principal: Principal, steward_id: int) -> None:
    """A steward's 名片 (name, phone, lanes) is for the steward and for those whose area reaches them."""
    if principal.role is Role.SERVICE:
        raise NotAuthorisedError("a steward's 名片 is for people of their area, not for a machine")
    check_steward(session, principal, steward_id)
