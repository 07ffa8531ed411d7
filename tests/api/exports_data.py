"""What the export tests export: the jurisdiction world with a day of work in it, near her and far from her.

On 2017-09-05 (a Tuesday) 赵云华 and 韩险峰 patrol one segment each and are scored; everyone else with a
claim misses the day's patrols, so the lanes' chiefs have alerts. Cases: hers on her lane, another
steward's on another lane of 龙潭, and one of hers on a lane of 西长安街 (another district's). Inspections:
her lane's, the other 龙潭 lane's and the 西长安街 lane's. The residents' words start with the characters a
spreadsheet would run as a formula, and hold commas, quotes and a line break.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select

from scoring.cases.store import report_case
from scoring.cases.workflow import CaseCategory, ProblemReport
from scoring.ingest import IngestStore
from scoring.inspections import ItemResult, default_checklist, record_inspection
from scoring.patrol_alerts import raise_patrol_alerts
from scoring.rulebook import OutboxNotifier
from scoring.scorer import score_pending
from scoring.seed.dataset import Dataset
from scoring.storage import tables as t
from scoring.storage.engine import session_factory
from tests.api.jurisdiction_world import World
from tests.scoring.checkins import Recorder, at, patroller

DAY = date(2017, 9, 5)
SCORED_AT = datetime(2017, 9, 6, 1, 0, tzinfo=UTC)
HER_NOTE = '=HYPERLINK("http://example.invalid","点我")'
OTHER_NOTE = '+86 报修,"三轮车"占道\n两辆'
FAR_NOTE = "@所有人 -5 个地锁"
INSPECTION_NOTE = "-17号楼北侧有堆物"


@dataclass(frozen=True)
class Work:
    world: World
    far_lane: int  # a lane of 西长安街, in the other district
    other_lane: int  # the other 龙潭 chief's lane
    her_case: int
    other_case: int
    far_case: int  # hers too: a steward sees every case she reported


def fill(engine: Engine, data: Dataset, world: World) -> Work:
    recorder = Recorder()
    rows = []
    for name in ("赵云华", "韩险峰"):
        rows += recorder.walk(patroller(engine, data, name), at(DAY, 7))
    IngestStore(engine).commit(rows, [], received_at=SCORED_AT)
    with session_factory(engine).begin() as s:
        other_lane = s.scalar(select(t.Chief.lane_id).where(t.Chief.id == world.other_chief))
        far_lane, far_chief = s.execute(select(t.Chief.lane_id, t.Chief.id).join(t.Lane, t.Lane.id == t.Chief.lane_id)
                                        .where(t.Lane.subdistrict_id == world.other_subdistrict)
                                        .order_by(t.Chief.id).limit(1)).one()
        assert other_lane is not None
        cases = [
            report_case(s, ProblemReport(world.steward, CaseCategory.WALL_OPENING, at(DAY, 8), lane_id=world.lane,
                                         position_m=35.5, note=HER_NOTE, photo_ref="photos/1.jpg")).case_id,
            report_case(s, ProblemReport(world.other_steward, CaseCategory.STREET_VENDING, at(DAY, 9),
                                         lane_id=other_lane, position_m=12, note=OTHER_NOTE)).case_id,
            report_case(s, ProblemReport(world.steward, CaseCategory.PARKING_LOCK, at(DAY, 10), lane_id=far_lane,
                                         position_m=3, note=FAR_NOTE)).case_id,
        ]
        checklist = default_checklist()
        for lane, chief, failed in ((world.lane, world.chief, {"W10"}), (other_lane, world.other_chief, set()),
                                    (far_lane, far_chief, {"Y01", "W02"})):
            results = [ItemResult(i.code, i.code not in failed, "未整改" if i.code in failed else "")
                       for i in checklist.items]
            record_inspection(s, lane_id=lane, chief_id=chief, inspected_at=at(DAY, 15), results=results,
                              checklist=checklist, note=INSPECTION_NOTE)
    score_pending(engine)
    raise_patrol_alerts(engine, None, DAY, notifier=OutboxNotifier(), clock=lambda: SCORED_AT)
    return Work(world, far_lane, other_lane, *cases)
