"""The registry: places, people, bands and claims, loaded from a data set (`load`) and read back:
the API's listings (`queries`) and the claims the rule engines read (`claims`). The programme at work
changes it: 报名 (`signup`, with `phones`), 认领 (`claiming`, which re-forms teams: `team_forming`),
and a steward's 名片 (`cards`); `errors` is their error tree."""
