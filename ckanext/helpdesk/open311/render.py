"""GeoReport v2 bodies in JSON and XML.

The spec derives JSON from XML by the Spark convention: a JSON array is an
XML container element whose children all carry one item name
(``<services><service>…``), a JSON object is an element with one child per
key. Absent values are ``null`` in JSON and empty elements in XML, and every
field of a record is always present, so both formats carry the same data.
"""
import datetime
import json
import re

from lxml import etree

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
FORMATS = tuple(CONTENT_TYPES)
# As the spec's examples write it (lxml's own uses single quotes).
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters XML 1.0 cannot carry at all (control characters, surrogates).
NOT_XML_CHARS = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# The item element of each array, by the array's own element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def w3c_datetime(value):
    """An aware datetime as a W3C date-time with an offset:
    2010-04-14T06:37:38-08:00, or ...Z for UTC."""
    text = value.replace(microsecond=0).isoformat()
    return text[:-len("+00:00")] + "Z" if text.endswith("+00:00") else text


def parse_w3c_datetime(text):
    """A W3C/ISO 8601 date-time with an offset (Z or ±HH:MM), as an aware
    datetime; ValueError otherwise. Python 3.10's fromisoformat knows no Z."""
    text = text.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None or "T" not in text:
        raise ValueError("a date-time with a time zone offset is required")
    return value


def body(fmt, root, data):
    """The serialized body of `data` (a list or dict) in format `fmt`;
    `root` names the XML root element."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False)
    return XML_DECLARATION + etree.tostring(
        _element(root, data), encoding="UTF-8", pretty_print=True)


def _element(name, value):
    element = etree.Element(name)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        item_name = ITEM_NAMES[name]
        for child in value:
            element.append(_element(item_name, child))
    else:
        element.text = _text(value)
    return element


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML_CHARS.sub("\ufffd", str(value))
