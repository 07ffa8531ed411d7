"""File answers: a document's bytes with a Content-Disposition that names it, for every client.

RFC 6266: `filename` is the fallback for clients that only read ASCII (and must be a plain token-safe
name), `filename*` the name in UTF-8 (RFC 8187), e.g. 龙潭街道2018年第一季度小巷管家工作通报.pdf.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import quote

from fastapi.responses import Response

PDF: Final = "application/pdf"
# A credential is JSON-LD; application/ld+json is the type every JSON-LD tool reads (IANA also lists
# application/vc for VC 2.0 credentials, which fewer tools know yet).
CREDENTIAL: Final = "application/ld+json"
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(data: bytes, media_type: str, ascii_name: str, name: str) -> Response:
    fallback = _UNSAFE.sub("_", ascii_name).strip("._") or "download"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def file_responses(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a route answering with a file."""
    return {200: {"content": {media_type: {}}, "description": description}}
