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


def is_public(address: Address) -> bool:
    """Globally routable unicast, judging IPv4-mapped/6to4 IPv6 by their IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
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
