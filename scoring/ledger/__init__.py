"""The points ledger: its entries' key grammar (`entries`), the leaderboards and totals read from it
(`leaderboard`), and the explanation of a steward's points for a period (`explanations`).

The ledger is append-only; the scorer and the lane-work job write it, everything here reads it.
"""
