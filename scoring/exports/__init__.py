"""Exports: the boards, the points ledger, the 工作台账, the 周查 and the patrol alerts as CSV and XLSX files,
each holding only what the caller's area holds.

- `table`: a table's typed columns in their fixed order, an export's rows, formula neutralising, the row limit
- `csv_file`, `xlsx_file`: the two formats; pure, they write what a table holds and nothing else
- `leaderboard`, `points`, `cases`, `inspections`, `alerts`: one table each, with its columns, a pure row of
  a view, and the query that checks the caller's jurisdiction (`scoring.accounts.jurisdiction`) and fetches
  the rows
- `names`: the registry's names shown beside ids
- `record`: the audit entry every export leaves, and why it does

One header row, in Chinese, for the people who open the file; no second row of machine keys, since Excel's
sort, filter and pivot take every row under the header as data and would sort the keys in with it. A
program reads the columns by position: each table's order is fixed (its `Column.key`s, listed in the API's
description of the route) and a new column is only ever added at the end. Programs that want names read
the JSON routes.

Bounded: an export asks for one row more than it may hold (STEWARDS_EXPORT_MAX_ROWS) and is refused whole
when it gets it (`ExportTooLargeError`), never cut short, since a file that silently lacks rows would be
taken for the whole. Rows are fetched before a byte is sent, so a refusal is a clean error answer, and the
bound is what keeps the fetched rows' memory small; the CSV then goes out a slice at a time.
"""
