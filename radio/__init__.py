"""An emulated Bluetooth LE radio for bumble controllers, with distance and range.

Bumble's LocalLink joins emulated controllers in one process and reports every advertisement at
-50 dBm. This package places each controller on a plane and derives RSSI, reception and link loss
from distance, and shares one radio between processes over TCP:

- `radio.link.Radio`: the link (log-distance path loss, sensitivity, supervision timeouts);
- `radio.controller.RadioController`: a controller reporting that RSSI and taking Set Position;
- `radio.vendor`: the Set Position vendor command (0xFFF0, `<ff` x_m, y_m);
- `radio.host`: `attach` a bumble Device to a radio, `place` it;
- `radio.server`: `RadioServer` / `serve_radio`, one radio for many processes, H4 over TCP.
"""

from __future__ import annotations

from radio.controller import RadioController
from radio.errors import PlacementError, RadioAddressError, RadioError, RadioParameterError
from radio.host import attach, place
from radio.link import SUPERVISION_TIMEOUT_REASON, Radio
from radio.propagation import PathLoss, Position
from radio.server import RadioServer, serve_radio

__all__ = [
    "SUPERVISION_TIMEOUT_REASON",
    "PathLoss",
    "PlacementError",
    "Position",
    "Radio",
    "RadioAddressError",
    "RadioController",
    "RadioError",
    "RadioParameterError",
    "RadioServer",
    "attach",
    "place",
    "serve_radio",
]
