"""Where a band's key or a beacon's secret came from, as `bands.key_origin` and `beacons.key_origin` hold it.

`demo` keys and secrets are the data set's (`db seed`): derived from ids and keys by public code
(scoring.seed.derive), so anyone who reads the code can forge them. The gateway refuses them unless the
deployment allows demo keys. `enrolled` bands report their own key at provisioning; `installed` beacons
got a random secret from `stewards beacons install|replace`.
"""

from __future__ import annotations

import enum


class KeyOrigin(enum.StrEnum):
    DEMO = "demo"
    ENROLLED = "enrolled"  # a band's key, as the band reported it
    INSTALLED = "installed"  # a beacon's random secret
