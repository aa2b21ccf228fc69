"""Where a wiki source may send git: public addresses only, unless the operator allows a LAN.

Every logged-in user can add a source, so a source URL must not reach inside the server's
network: not the cloud's metadata address, not a database on a private address, not a
service on loopback. The host is resolved here, every address it resolves to is checked,
and git is then pinned to exactly those addresses (`http.curloptResolve`), so a second,
different DNS answer (rebinding) cannot move the connection inside after the check.
Redirects are never followed (sync/repo/execute.py), so a public server cannot point git inside.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from sync.errors import RemoteUnreachable, SourceRefused

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_HINT = "set WIKI_SOURCES_ALLOW_PRIVATE=true to allow a Git server on your own network"
# Ranges that carry an IPv4 address inside an IPv6 one, checked as that IPv4 address.
_EMBEDDING = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def is_internal(address: Address) -> bool:
    """Loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, reserved,
    or anything else not routed on the public internet."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        return is_internal(inner)
    return (
        not address.is_global
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_private
    )


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in network for network in _EMBEDDING):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def pinned_resolution(url: str, *, allow_private: bool) -> list[str]:
    """`http.curloptResolve` entries (`HOST:PORT:ADDRESS,...`) for an http(s) URL, after
    checking every address its host resolves to; [] for a local path or an IP literal.

    Raises SourceRefused for an internal address (unless `allow_private`), and
    RemoteUnreachable when the host name does not resolve.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not allow_private:
        for address in addresses:
            if is_internal(address):
                where = host if str(address) == host else f"{host} ({address})"
                raise SourceRefused(
                    f"The source's address {where} is inside this server's network; a source "
                    f"must be on the public internet ({ALLOW_HINT})."
                )
    if _is_literal(host):
        return []  # nothing to resolve, nothing to rebind
    shown = ",".join(f"[{a}]" if a.version == 6 else str(a) for a in addresses)
    return [f"{host}:{port}:{shown}"]


def _resolve(host: str, port: int) -> list[Address]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise RemoteUnreachable(
            f"The source's host name {host} was not found: check its URL and the network."
        ) from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
