"""Open311 GeoReport v2 over the work ledger: `router` (the routes), `mapping` (cases ↔ service
requests), `schemas` (the documents), `xml` (their XML spelling), `answers` (formats and errors)."""
