"""Files the closing jobs write: atomic writes, their SHA-256, and paths kept relative to the output folder.

A job writes its files before it records them; a crash between the two leaves files that the next run
overwrites with the same bytes, because every document is a function of the stored data.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


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
