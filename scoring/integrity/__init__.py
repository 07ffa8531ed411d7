"""Integrity: what the scorer flags and how a flag is settled.

`states` holds a flag's states and the audit trail's actions, shared by the scorer that raises flags
and the store that settles them; `store` holds what a steward sees of a flag, the appeal, a chief's
decision and the audit rows. Nothing here deletes a check-in or a points entry.
"""
