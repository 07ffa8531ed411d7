"""The error tree of `stewards.services`: what can go wrong starting and driving the real components.

ServiceError                  base; every message says what to do next
├── NotInstalledError         a binary, extension or OS user is missing
├── ConfigError (ValueError)  a caller passed something the service cannot be configured with
├── WorkdirError              the working directory is unusable by the service's OS user
├── StartError                the process exited or was not ready in time
├── StopError                 the process did not shut down cleanly
└── NotRunningError           the operation needs the service running
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ConfigError",
    "NotInstalledError",
    "NotRunningError",
    "ServiceError",
    "StartError",
    "StopError",
    "WorkdirError",
]

# Appended to every "missing" message so the operator knows the one command that fixes it.
INSTALL_HINT: Final = "run scripts/install-services.sh (as root) to install it"


class ServiceError(Exception):
    """Base of every error raised by the service managers."""


class NotInstalledError(ServiceError):
    """A binary, an extension or an OS user the service needs is not on this machine."""


class ConfigError(ServiceError, ValueError):
    """A value cannot be written into the service's configuration."""


class WorkdirError(ServiceError):
    """The working directory cannot be used by the OS user the service runs as."""


class StartError(ServiceError):
    """The service process exited during start-up or did not become ready in time."""


class StopError(ServiceError):
    """The service did not shut down cleanly; state it persists on shutdown may be lost."""


class NotRunningError(ServiceError):
    """The operation needs the service running."""
