"""Accounts: who may sign in, as what, over which area; the principal every write is made by.

`roles` names the roles, `principal` is what a verified credential says about its holder (and the
case-ledger actor it acts as), `passwords` hashes them (argon2), `store` creates accounts, signs them
in with a lock-out after repeated failures and keeps refresh tokens, `api_keys` the long-lived keys a
civic tool holds for an account (Open311's api_key), `errors` their error tree. Issuing
and checking access tokens is the API's (`api.auth`): scoring knows accounts, not HTTP.
"""
