"""SSRF guard: which addresses a user-supplied URL may reach.

Only globally routable unicast addresses pass; loopback, link-local (169.254.169.254, the
metadata service), private, shared, multicast and reserved ranges are refused. Tests widen
the policy explicitly with ``override_policy`` (never via the environment).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class BlockedAddressError(PermissionError):
    """A URL resolves to an address the agent must not reach."""


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to (A and AAAA)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


# IPv6 forms that carry an IPv4 address in their low 32 bits; judged by that address.
_IPV4_IN_LOW_BITS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052)
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "::/96",  # IPv4-compatible (deprecated; includes :: and ::1)
    )
)
# Refused outright: local-use NAT64 (RFC 8215; the IPv4 position depends on the operator's
# prefix length) and Teredo (a tunnel whose far end we cannot judge).
_REFUSED_V6 = tuple(ipaddress.ip_network(net) for net in ("64:ff9b:1::/48", "2001::/32"))
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, compatible, 6to4)."""
    if address.sixtofour is not None:
        return address.sixtofour
    for net in _IPV4_IN_LOW_BITS:
        if address in net:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Globally routable unicast.

    IPv4: ``is_global`` and not multicast. IPv6: forms embedding an IPv4 address are
    judged by that address; otherwise only global unicast (2000::/3, ``is_global``)
    passes, so site-local (fec0::/10), ULA, link-local, discard-only and documentation
    ranges are refused, as are local-use NAT64 and Teredo.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in _REFUSED_V6):
            return False
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
        if address not in _GLOBAL_UNICAST_V6:
            return False
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """How URLs are resolved and which extra networks are allowed (tests only)."""

    resolver: Resolver = system_resolver
    allowed_networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(
        default_factory=tuple
    )

    def allows(self, address: Address) -> bool:
        """Whether connecting to ``address`` is permitted."""
        return is_public(address) or any(address in net for net in self.allowed_networks)

    def pick(self, host: str, port: int) -> str:
        """Resolve ``host`` and return an address to connect to; all must be allowed."""
        try:
            candidates = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                answers = self.resolver(host, port)
                candidates = [ipaddress.ip_address(a.split("%")[0]) for a in answers]
            except OSError as exc:
                raise BlockedAddressError(f"cannot resolve host {host!r}: {exc}") from exc
        if not candidates:
            raise BlockedAddressError(f"host {host!r} has no addresses")
        # Refuse if ANY answer is internal: a mixed answer is a rebinding attempt.
        for address in candidates:
            if not self.allows(address):
                raise BlockedAddressError(
                    f"refusing to fetch {host!r}: address {address} is not public "
                    "(loopback, link-local, private or reserved)"
                )
        return str(candidates[0])


_policy = AddressPolicy()


def current_policy() -> AddressPolicy:
    """The policy URL-fetching tools use now."""
    return _policy


@contextlib.contextmanager
def override_policy(policy: AddressPolicy) -> Iterator[AddressPolicy]:
    """Use ``policy`` inside the block (test hook: e.g. allow 127.0.0.0/8 for a local server)."""
    global _policy
    previous, _policy = _policy, policy
    try:
        yield policy
    finally:
        _policy = previous
