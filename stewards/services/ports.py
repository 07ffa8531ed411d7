"""Free TCP ports on loopback for the services the project starts.

The kernel picks the port; we release it at once and the service binds it a moment later. Another
process could take it in between; the managers then fail to start with a clear error and the caller
may simply try again with a new port.
"""

from __future__ import annotations

import socket
from typing import Final

LOOPBACK_HOST: Final = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK_HOST, 0))
        port: int = sock.getsockname()[1]
        return port
