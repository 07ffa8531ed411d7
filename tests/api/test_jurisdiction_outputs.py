"""Jurisdiction matrix of the cycle's outputs: every route × every caller of the world, allowed or refused.

A subdistrict's documents (月评, 季通报, the award report, its winners) are for its street office and
stations, its district and the chiefs of its lanes; an award's certificate and credential for the
stewards it names and their street office and district; checking a credential is for anyone.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.api.closed_cycle import QUARTER, YEAR, close_small_cycle
from tests.api.jurisdiction_world import CALLERS, World, check_matrix

OFFICES = {"her coordinator", "her district", "a machine", "the administrator"}
SUBDISTRICT_DOCUMENTS = OFFICES | {"her station", "her lane's chief", "another lane's chief", "her street's chief",
                                   "another street's chief"}
HER_AWARDS = OFFICES | {"the steward"}


def test_a_subdistricts_documents_and_an_awards_files_reach_whom_they_are_for(
    seeded: Engine, world: World, tmp_path: Path
) -> None:
    closed = close_small_cycle(seeded, tmp_path / "cycle")
    assert closed.subdistrict == world.subdistrict and closed.zhao == world.steward
    client, accounts = closed.client(), closed.accounts()
    sub = f"/subdistricts/{world.subdistrict}"
    for path in (f"{sub}/reviews/2018-01", f"{sub}/bulletins/{QUARTER}", f"{sub}/bulletins/{QUARTER}/pdf",
                 f"{sub}/awards/{YEAR}", f"{sub}/awards/{YEAR}/pdf", f"{sub}/awards/{YEAR}/gold-stewards",
                 f"{sub}/awards/{YEAR}/gold-teams"):
        check_matrix(client, accounts, world, "GET", path, SUBDISTRICT_DOCUMENTS)

    her = f"/stewards/{world.steward}/awards"
    for path in (her, f"{her}/{YEAR}/certificate", f"{her}/{YEAR}/credential"):
        check_matrix(client, accounts, world, "GET", path, HER_AWARDS)

    # The gold team's members that year get its files; whether "another steward" is one is the data set's.
    members = {caller for caller, steward in (("the steward", world.steward), ("another steward", world.other_steward))
               if steward in closed.members}
    assert "another steward" in members  # 韩险峰 of 幸福北里: the team's files reach a member other than her
    team = f"/teams/{closed.team}/awards/{YEAR}"
    for path in (f"{team}/certificate", f"{team}/credential"):
        check_matrix(client, accounts, world, "GET", path, OFFICES | members)


def test_checking_a_credential_needs_no_account_and_refuses_no_caller(seeded: Engine, world: World,
                                                                      tmp_path: Path) -> None:
    closed = close_small_cycle(seeded, tmp_path / "cycle")
    client, accounts = closed.client(), closed.accounts()
    credential = client.get(f"/stewards/{world.steward}/awards/{YEAR}/credential",
                            headers=accounts.service()).content
    assert client.post("/credentials/verify", content=credential).json()["valid"]
    assert client.get("/credentials/issuers").status_code == 200
    for who in CALLERS.values():
        role, links = who(world)
        headers = accounts.headers(role, **links)
        assert client.post("/credentials/verify", content=credential, headers=headers).json()["valid"]
        assert client.get("/credentials/issuers", headers=headers).status_code == 200
