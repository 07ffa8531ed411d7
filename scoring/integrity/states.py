"""A flag's states and the actions of its audit trail, as stored in `integrity_flags.state` and
`integrity_actions.action`.

A flag is `open` until a chief decides: `restored` makes its check-ins count again, `upheld` keeps
them withheld. The scorer raises and lapses flags (`raised`, `lapsed`, `reraised`); stewards appeal
and chiefs decide (`appealed`, `upheld`, `restored`).
"""

from __future__ import annotations

import enum
from typing import Final

FLAG_OPEN: Final = "open"
FLAG_UPHELD: Final = "upheld"
FLAG_RESTORED: Final = "restored"

ACTION_RAISED: Final = "raised"
ACTION_LAPSED: Final = "lapsed"
ACTION_RERAISED: Final = "reraised"
ACTION_APPEALED: Final = "appealed"
ACTION_UPHELD: Final = "upheld"
ACTION_RESTORED: Final = "restored"


class FlagState(enum.StrEnum):
    OPEN = FLAG_OPEN
    UPHELD = FLAG_UPHELD
    RESTORED = FLAG_RESTORED

    @property
    def label(self) -> str:
        return {"open": "待复核", "upheld": "维持", "restored": "已恢复"}[self.value]
