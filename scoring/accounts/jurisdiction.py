"""Who may see what: each role its own area, and nothing of anyone else's.

An area is a set of lanes. A chief's is his lane (a street chief's the main street he leads and the
lanes that open onto it); a property company's the lane it serves; a coordinator's or a station's
every lane of the subdistrict; a district administrator's every lane of the district; an
administrator's and a machine's, all.
A steward reaches no lane's work: only their own data, and the public boards.

A steward's data is seen by the steward, and by those whose area holds a lane the steward lives on or
has claimed, or (coordinators, stations and district administrators) the steward's subdistrict or
district. A property company sees its lane's cases, never a steward's data or the chiefs' inbox (nor
the 周查 they keep). An export (scoring.exports) holds what these same checks and reaches let through.

A subdistrict's documents (月评, 季通报, the award report and its winners) are for its street office and
stations, its district, and the chiefs of its lanes. An award's certificate and credential are for the
stewards it names (a team's: its members that year) and the street office and district of their
subdistrict. Checking a credential is public: `check` routes need no account.
Bands are the operators' stock (区 and the administrator enrol them); a band is handed over, taken back
or reported lost at the desk of the steward who wears it (the station, the street office; the wearer
reports their own lost); who wore it is seen by whoever sees the wearer's data.
A steward's 名片 (name and phone) is for the same people who see the steward's data, but no machine:
none has a use for a phone. An account's API keys are its holder's and the administrator's to manage; a key
reaches what its account reaches.

The programme's own work (报名 and 认领): station staff enter paper sign-ups for the lanes of their
subdistrict; its coordinator (a district administrator for the district) reads and decides them. A
steward claims segments of their own subdistrict; a claim is released by its steward, or by the lane's
chiefs and offices, who alone hand it to another steward; a segment's claim history is its lane's area's.
Each check raises NotAuthorisedError naming who may, or UnknownScopeError for an id that names nobody.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.errors import NotAuthorisedError, UnknownScopeError
from scoring.periods import Period
from scoring.storage import tables as t

EVERYWHERE = None  # the reach of an administrator or a machine


def lanes_in_reach(session: Session, principal: Principal) -> frozenset[int] | None:
    """The lanes whose work this principal sees; None means every lane."""
    role = principal.role
    if role in (Role.ADMIN, Role.SERVICE):
        return EVERYWHERE
    if role is Role.CHIEF and principal.chief_id is not None:
        chief = session.get(t.Chief, principal.chief_id)
        if chief is None or chief.lane_id is None:
            return frozenset()
        # A street's chiefs (街长 and the street's deputies) oversee the lanes that open onto it; a lane's
        # chiefs have no lanes opening onto theirs, so this one query serves both.
        on_street = session.scalars(select(t.Lane.id).where(t.Lane.street_id == chief.lane_id))
        return frozenset({chief.lane_id, *on_street})
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
    check_lane_oversight(principal, f"lane {lane_id}'s patrol alerts")
    check_lane(session, principal, lane_id)


def check_lane_oversight(principal: Principal, what: str) -> None:
    """What the chiefs and offices keep of their lanes (patrol alerts, 周查) is theirs: a steward sees their
    own data, a property company its lane's cases."""
    if principal.role in (Role.STEWARD, Role.CONTRACTOR):
        raise NotAuthorisedError(f"{what} are for the lane's chiefs and its street office")


def check_inspections(session: Session, principal: Principal, lane_id: int) -> None:
    """A lane's 周查 (scores, the chief's notes) are its chiefs' and offices' record, as its patrol alerts are."""
    check_lane_oversight(principal, f"lane {lane_id}'s 周查")
    check_lane(session, principal, lane_id)


def check_stewards_data(principal: Principal) -> None:
    """No steward's data is a property company's: it serves a lane's cases, not its people."""
    if principal.role is Role.CONTRACTOR:
        raise NotAuthorisedError("a property company sees its lane's cases, not the stewards' data")


def check_steward(session: Session, principal: Principal, steward_id: int) -> None:
    """A steward's own data is for the steward, and for the chiefs and offices of their lanes."""
    if session.get(t.Steward, steward_id) is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    if principal.role is Role.STEWARD:
        if principal.steward_id == steward_id:
            return
        raise NotAuthorisedError("a steward sees their own data only; the public boards show everyone's points")
    check_stewards_data(principal)
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


@dataclass(frozen=True, slots=True)
class CaseReach:
    """What bounds a list of cases: the area's lanes (None: no bound by lane), or a steward's own reports."""

    lane_ids: frozenset[int] | None
    reported_by: int | None = None


def cases_in_reach(session: Session, principal: Principal, lane_id: int | None = None) -> CaseReach:
    """The cases a list may hold: a steward's own reports (of any lane they ask for); else the one lane
    asked for, if it is in the area; else the area's."""
    if principal.role is Role.STEWARD:
        return CaseReach(None, principal.steward())
    if lane_id is not None:
        check_lane(session, principal, lane_id)  # then the lane alone bounds the list: no second reach query
        return CaseReach(None)
    return CaseReach(lanes_in_reach(session, principal))


def check_account_keys(session: Session, principal: Principal, account_id: int) -> None:
    """An account's API keys are for its holder to issue, list and revoke, and for the installation's
    administrator; no office manages another account's credentials."""
    if session.get(t.Account, account_id) is None:
        raise UnknownScopeError(f"no account with id {account_id}")
    if principal.account_id == account_id or principal.role is Role.ADMIN:
        return
    raise NotAuthorisedError("an account's API keys are its holder's and the administrator's to manage")


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


def check_subdistrict_documents(session: Session, principal: Principal, subdistrict_id: int) -> None:
    """A subdistrict's 月评, 季通报 and award report: its street office and stations, its district, its chiefs."""
    sub = session.get(t.Subdistrict, subdistrict_id)
    if sub is None:
        raise UnknownScopeError(f"no subdistrict with id {subdistrict_id}: list them under /registry/places")
    role = principal.role
    if role in (Role.ADMIN, Role.SERVICE):
        return
    if role in (Role.COORDINATOR, Role.STATION_STAFF) and principal.subdistrict_id == sub.id:
        return
    if role is Role.DISTRICT_ADMIN and principal.district_id == sub.district_id:
        return
    if role is Role.CHIEF and principal.chief_id is not None:
        lane = session.scalar(select(t.Lane.subdistrict_id).join(t.Chief, t.Chief.lane_id == t.Lane.id)
                              .where(t.Chief.id == principal.chief_id))
        if lane == sub.id:
            return
    raise NotAuthorisedError(f"{sub.name}'s 月评, 季通报 and award report are for its street office and stations, "
                             "its district and the chiefs of its lanes; the public boards show everyone's points")


def check_award_documents(session: Session, principal: Principal, subdistrict_id: int,
                          holders: Collection[int]) -> None:
    """An award's certificate and credential: the stewards it names, their street office and their district."""
    role = principal.role
    if role is Role.STEWARD:
        if principal.steward_id in holders:
            return
        raise NotAuthorisedError("a steward gets the certificates and credentials of their own awards; the award "
                                 "report names every winner")
    if role in (Role.ADMIN, Role.SERVICE):
        return
    if role is Role.COORDINATOR and principal.subdistrict_id == subdistrict_id:
        return
    if role is Role.DISTRICT_ADMIN and principal.district_id == session.scalar(
            select(t.Subdistrict.district_id).where(t.Subdistrict.id == subdistrict_id)):
        return
    raise NotAuthorisedError("an award's certificate and credential are for the stewards it names and the street "
                             "office and district that award them")


def check_steward_awards(session: Session, principal: Principal, steward_id: int) -> None:
    """A steward's awards: theirs, and their subdistrict's street office and district's."""
    steward = session.get(t.Steward, steward_id)
    if steward is None:
        raise UnknownScopeError(f"no steward with id {steward_id}: list them under /registry/stewards")
    check_award_documents(session, principal, steward.subdistrict_id, {steward.id})


def check_team_awards(session: Session, principal: Principal, team_id: int, year: Period) -> None:
    """A team's award of a year: its members of that year, and its lane's street office and district."""
    team = session.get(t.Team, team_id)
    if team is None:
        raise UnknownScopeError(f"no team with id {team_id}: list them under /registry/teams")
    subdistrict = session.scalar(select(t.Lane.subdistrict_id).where(t.Lane.id == team.lane_id))
    assert subdistrict is not None  # a team's lane is a foreign key
    check_award_documents(session, principal, subdistrict, team_members(session, team.id, year))


def team_members(session: Session, team_id: int, period: Period) -> frozenset[int]:
    """Everyone who was a member of the team at some time in the period (Asia/Shanghai)."""
    m = t.TeamMembership
    return frozenset(session.scalars(select(m.steward_id).where(
        m.team_id == team_id, m.valid_from < period.ends_at(),
        (m.valid_to.is_(None)) | (m.valid_to > period.starts_at()))))


# --- Bands: stock, handover, history -------------------------------------------------------------

OPERATORS = (Role.ADMIN, Role.DISTRICT_ADMIN)  # the installation's and the district's: band stock, beacons


def check_band_stock(principal: Principal) -> None:
    """Enrolling bands, and marking lost a band nobody wears, are the operators' (区 and the administrator)."""
    require_role(principal, *OPERATORS)


def check_band_desk(session: Session, principal: Principal, wearer: int, *, roles: Collection[Role],
                    wearer_may: bool = False) -> None:
    """A band handed to a steward, taken back or reported lost: by the desk (`roles`: the community service
    station, the street office) of the steward concerned; with `wearer_may`, by that steward too."""
    if wearer_may and principal.role is Role.STEWARD and principal.steward_id == wearer:
        return
    if principal.role not in roles:
        who = ", ".join(r.value for r in roles) + (" or the steward who wears it" if wearer_may else "")
        raise NotAuthorisedError(f"this is for {who}; yours is a {principal.role.value} account")
    check_steward(session, principal, wearer)


def check_beacons(session: Session, principal: Principal, lane_id: int) -> None:
    """A checkpoint's beacons are the operators' of its area: who installed what, and when."""
    require_role(principal, *OPERATORS)
    check_lane(session, principal, lane_id)


def wearers_in_reach(session: Session, principal: Principal, wearers: Collection[int]) -> frozenset[int] | None:
    """Whose bindings of a band the caller sees: the wearers whose data they see (None: all of them).

    Operators may ask about any band, their stock, and see the wearers in their area; anyone else who
    sees none of the band's wearers is refused."""
    seen = stewards_in_reach(session, principal)
    if seen is EVERYWHERE:
        return EVERYWHERE
    if principal.role in OPERATORS or seen & set(wearers):
        return seen
    raise NotAuthorisedError("this band was worn by no steward in your area: their chiefs and offices see it")


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
