"""Where webhooks may point: http(s) URLs of hosts on the public internet.

A webhook makes the portal's servers send requests to a URL an
organization's admin typed: without a check, to the portal's own
database, metadata service or intranet (server-side request forgery).
Hosts that resolve to private, loopback, link-local or otherwise
non-global addresses are refused when the webhook is made and again
before each delivery (a name may resolve elsewhere later), unless
ckanext.helpdesk.webhooks.allow_private_addresses says otherwise (an
intranet portal, the tests' local receiver).
"""
from __future__ import annotations

import ipaddress
import socket
import urllib.parse

import ckan.plugins.toolkit as tk

SCHEMES = ("http", "https")
URL_LENGTH = 2000


class Refused(Exception):
    """The URL may not be used; the message says why."""


def check(url: str) -> None:
    """Raise Refused unless `url` is an http(s) URL whose host resolves
    only to addresses webhooks may reach."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise Refused(tk._("Must be an http:// or https:// URL"))
    if parts.username or parts.password:
        raise Refused(tk._("Must not carry a user name or password"))
    try:
        port = parts.port
    except ValueError:
        raise Refused(tk._("The port is not a number from 0 to 65535")
                      ) from None
    if _private_allowed():
        return
    for address in _addresses(parts.hostname, port):
        if not address.is_global:
            raise Refused(tk._(
                "Points to a private or local address ({0}), which "
                "webhooks may not reach").format(address))


def _private_allowed() -> bool:
    return tk.config["ckanext.helpdesk.webhooks.allow_private_addresses"]


def _addresses(host, port):
    try:
        found = socket.getaddrinfo(host, port or 443,
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise Refused(tk._("The host {0} cannot be found").format(
            host)) from None
    return {ipaddress.ip_address(info[4][0].split("%", 1)[0])
            for info in found}
