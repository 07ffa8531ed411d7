"""GeoReport v2's XML: the JSON answer's data written as the spec's elements.

The JSON and the XML are one document in two spellings: a list is a wrapper element holding one
element per item (`services` → `service`, `endpoints` → `endpoint`), a mapping is an element per
key in its order, None an empty element, a boolean `true`/`false`. Text is UTF-8 with the XML
declaration, as the spec requires, and characters XML 1.0 cannot carry are dropped, so no input
makes an answer a parser refuses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from xml.etree import ElementTree as ET

# The item element of each list, by the list's own element name.
ITEMS: Final[Mapping[str, str]] = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
_NOT_XML: Final = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(root: str, data: Any) -> bytes:
    """`data` (JSON-ready: dicts, lists, str, numbers, bools, None) as the document element `root`."""
    element = ET.Element(root)
    _fill(element, root, data)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _fill(element: ET.Element, name: str, data: Any) -> None:
    if isinstance(data, Mapping):
        for key, value in data.items():
            _fill(ET.SubElement(element, key), key, value)
    elif isinstance(data, Sequence) and not isinstance(data, str):
        item = ITEMS[name]  # a list the table does not name is a programming error, found by the tests
        for value in data:
            _fill(ET.SubElement(element, item), item, value)
    elif isinstance(data, bool):
        element.text = "true" if data else "false"
    elif data is not None:
        element.text = _NOT_XML.sub("", str(data))
