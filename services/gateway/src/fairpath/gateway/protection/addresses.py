"""The client's address: the connection's peer, or, when the peer is one of the configured proxies, the first
hop of X-Forwarded-For (read from the right) that is not a trusted proxy. A client's own X-Forwarded-For is
never believed: only what the trusted proxies appended to it."""

import ipaddress
from collections.abc import Sequence

from starlette.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_FORWARDED_FOR = b"x-forwarded-for"
UNKNOWN = "unknown"
# The client's address as the gateway established it, kept in the request's scope by the protection middleware.
CLIENT_KEY = "fairpath.client"


def client_of(scope: Scope) -> str:
    """The client's address: as the protection middleware established it (the peer without it)."""
    found = scope.get(CLIENT_KEY)
    if found:
        return found
    peer = scope.get("client")
    return peer[0] if peer else UNKNOWN


def _address(text: str) -> IPAddress | None:
    """An address as proxies write it: bare, `[v6]`, `[v6]:port` or `v4:port`; None when it is none of these."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class TrustedProxies:
    def __init__(self, networks: Sequence[IPNetwork]) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def client_address(self, scope: Scope) -> str:
        peer = scope.get("client")
        if not peer:
            return UNKNOWN
        if not self.networks:
            return peer[0]
        current = _address(peer[0])
        if current is None or not self.trusts(current):
            return peer[0]
        hops = [
            hop
            for name, value in scope["headers"]
            if name == _FORWARDED_FOR
            for hop in value.decode("latin-1").split(",")
        ]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # not written by a proxy of ours: the last hop we can vouch for is the client
            current = address
            if not self.trusts(current):
                break
        return str(current)
