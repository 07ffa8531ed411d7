"""Files the closing jobs write: atomic writes, their SHA-256, and paths kept relative to the output folder;
and reading them back, as recorded, for the API.

A job writes its files before it records them; a crash between the two leaves files that the next run
overwrites with the same bytes, because every document is a function of the stored data.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from scoring.closing.errors import DocumentMissingError

logger = logging.getLogger(__name__)


def write_file(out_dir: Path, relative: str, data: bytes) -> str:
    """Write `data` to out_dir/relative through a temporary file and a rename; return its SHA-256."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return hashlib.sha256(data).hexdigest()


def slug(key: str) -> str:
    """A registry key as one path component: longtan/xingfu -> longtan_xingfu."""
    return key.replace("/", "_").replace(":", "_")


def read_recorded(out_dir: Path, relative: str, sha256: str | None = None) -> bytes:
    """A file a closing job recorded, checked against its recorded SHA-256 when there is one.

    A file that is gone, or whose bytes are not the ones recorded, is the operator's to restore: the
    caller gets `DocumentMissingError`, never other bytes.
    """
    path = out_dir / relative
    try:
        data = path.read_bytes()
    except OSError as exc:
        logger.error("cannot read the recorded document %s: %s", path, exc)
        raise DocumentMissingError(f"{relative} is recorded but cannot be read from the closing jobs' folder; "
                                   "the operator restores the folder") from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        logger.error("%s does not match the SHA-256 recorded at closing", path)
        raise DocumentMissingError(f"{relative} differs from the file recorded at closing; it is not served: the "
                                   "operator restores the original")
    return data
