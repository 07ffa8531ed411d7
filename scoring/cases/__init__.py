"""工作台账, the work ledger: problem cases on the lanes, their workflow and audit trail, dissuasions,
and the points they earn.

A steward reports a problem (开墙打洞, 违法建设, ...) with the band's problem button at a checkpoint — a
PROBLEM_REPORT check-in whose `detail` is the category — or through the API; chiefs move the case
through the street office's workflow; the finder earns points when the case and its fix are confirmed.

| module | owns |
|---|---|
| `workflow` | the pure rules: categories, states, transitions, who may move a case, a report as given (no database) |
| `errors` | the work ledger's error tree |
| `views` | what is read back: cases, reports, events, dissuasions |
| `store` | the SQL: reporting, transitions, dissuasions, reading views; takes a session |
| `intake` | band check-ins (problem reports, dissuasions) into the store, idempotently |
| `addresses` | a report's place by address id, by name or by coordinates; a case's place in words |
| `points` | points-entry drafts for confirmations and dissuasions |
"""
