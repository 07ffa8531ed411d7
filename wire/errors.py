"""The wire protocol's exception tree.

    WireError                       anything this package refuses
    ├── FrameError (ValueError)     bytes or field values that are not a valid v1 frame; `.reason`
    ├── TopicError (ValueError)     a topic or band id that is not a valid v1 topic
    ├── KeyFormatError (ValueError) a key, seed or secret of the wrong size; an invalid point
    └── TimestampError (ValueError) a naive datetime, or an instant the protocol cannot carry

A frame that fails to decode is a recorded rejection for the gateway, never a crash: callers catch
`FrameError` (or `WireError`) and map it to the refusal reason "malformed".
"""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = [
    "FRAME_ERROR_REASONS",
    "FrameError",
    "FrameErrorReason",
    "KeyFormatError",
    "TimestampError",
    "TopicError",
    "WireError",
]

FrameErrorReason = Literal[
    "truncated",  # fewer bytes than the layout or the declared count needs
    "too_long",  # more bytes than the largest legal message of that kind
    "bad_version",  # version byte is not 1
    "bad_type",  # message type byte unknown, or not valid in this direction
    "bad_length",  # count outside its range, or bytes left over after the declared content
    "field_range",  # a field value outside its documented range
    "not_increasing",  # records or ack ranges out of order, repeated or overlapping
    "band_mismatch",  # a record's band_id differs from the segment header's
]

FRAME_ERROR_REASONS: Final[frozenset[str]] = frozenset(get_args(FrameErrorReason))


class WireError(Exception):
    """Base class of every error raised by the `wire` package."""


class FrameError(WireError, ValueError):
    """Bytes or field values that do not form a valid v1 frame.

    `reason` is a short stable code (see `FrameErrorReason`) for metrics and quarantine rows;
    `message` (also `str(error)`) says what was wrong in words an operator can act on.
    """

    reason: FrameErrorReason
    message: str

    def __init__(self, reason: FrameErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[FrameError], tuple[str, str]]:
        # Keeps the error picklable across process pools despite the two-argument constructor.
        return (type(self), (self.reason, self.message))


class TopicError(WireError, ValueError):
    """A topic string or band id that is not valid in the v1 topic scheme."""


class KeyFormatError(WireError, ValueError):
    """A key, seed or secret of the wrong length, or a public key that is not a valid point."""


class TimestampError(WireError, ValueError):
    """A naive datetime, or an instant outside what the protocol can carry."""
