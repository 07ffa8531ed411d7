"""The radio package's errors, in one tree.

    RadioError
     ├── RadioParameterError (also ValueError)  a path-loss setting or a position is not usable
     ├── RadioAddressError (also ValueError)    a radio address is not "tcp:HOST:PORT"
     └── PlacementError                         a controller refused or ignored the set-position command
"""

from __future__ import annotations


class RadioError(Exception):
    """Base of every error the emulated radio raises."""


class RadioParameterError(RadioError, ValueError):
    """A path-loss setting or a position is not a finite number in its range."""


class RadioAddressError(RadioError, ValueError):
    """A radio address string could not be parsed."""


class PlacementError(RadioError):
    """The controller did not accept the set-position vendor command."""
