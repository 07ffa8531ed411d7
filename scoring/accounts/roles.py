"""The roles of the programme, as accounts hold them.

A chief's kind (街长, 巷长 or 副街巷长) is the registry's (`chiefs.role`), not the account's: one
account role, `chief`, tied to its chief row, so the two can never disagree.
"""

from __future__ import annotations

import enum
from typing import Final


class Role(enum.StrEnum):
    STEWARD = "steward"  # 小巷管家: their own data, the public boards
    CHIEF = "chief"  # 街长 / 巷长 / 副街巷长: their lanes (a street chief: the lanes of his street)
    STATION_STAFF = "station_staff"  # 社区服务站: enters paper sign-up forms for their subdistrict
    COORDINATOR = "coordinator"  # 街道: their subdistrict
    DISTRICT_ADMIN = "district_admin"  # 区: their district
    CONTRACTOR = "contractor"  # 物业: the cases of the lane they serve
    SERVICE = "service"  # a machine (gateway, scorer): acts as `system`, never a person
    ADMIN = "admin"  # runs the installation: creates accounts


# Which registry link or area each role must have, and which it may not.
NEEDS: Final[dict[Role, str | None]] = {
    Role.STEWARD: "steward_id",
    Role.CHIEF: "chief_id",
    Role.STATION_STAFF: "subdistrict_id",
    Role.COORDINATOR: "subdistrict_id",
    Role.DISTRICT_ADMIN: "district_id",
    Role.CONTRACTOR: "contractor_id",
    Role.SERVICE: None,
    Role.ADMIN: None,
}
