"""The HTTP API over `scoring`: FastAPI, one router per resource.

| home | owns |
|---|---|
| `app.py` | the composition root: `create_app(engine, clock=...)` wires sessions, the clock, the error table, routers |
| `errors.py` | the one error table: domain error -> (HTTP status, code), the handlers, and its OpenAPI responses |
| `deps.py` | the request's session (one commit, rollback, outage -> 503), the clock, the period named, paging |
| `openapi.py` | each route's OpenAPI answers completed from its parts (parameters, body, `@declares`) |
| `ratelimit.py` | rate limits: sign-in per username and address, writes per account (429, Retry-After) |
| `body_limit.py` | one limit on every request body (413) |
| `request_log.py` | request ids on every answer, one access line per request, the log filter that stamps the id |
| `schemas/` | every request and response schema, one module a resource, built from scoring's views |
| `routers/` | one module a resource: parse the request, call scoring, return a schema; no commit, no HTTP errors |
"""
