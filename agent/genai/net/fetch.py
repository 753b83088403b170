"""Bounded HTTP client (stdlib): size and time caps, manual redirects, pinned addresses.

With a guard policy every hop (first URL and each redirect) is resolved once, checked, and
the connection goes to that checked address, so DNS cannot be re-answered in between.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from genai.net.guard import AddressPolicy, BlockedAddressError

USER_AGENT = "MyAIBOX-Agent/1.0 (+https://github.com/aibox-ops)"
REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(RuntimeError):
    """A fetch that failed or exceeded its limits."""


@dataclass(frozen=True)
class FetchResult:
    """A finished response (body possibly truncated at the size cap)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 by default)."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";"):
            if part.strip().lower().startswith("charset="):
                charset = part.split("=", 1)[1].strip() or charset
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http(s) URLs with a host are allowed, got {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    guard: AddressPolicy | None = None,
    max_bytes: int = 2_000_000,
    timeout: float = 15.0,
    max_redirects: int = 5,
) -> FetchResult:
    """Fetch ``url``; ``guard`` (for user-supplied URLs) refuses non-public addresses."""
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        scheme, host, port, path = _split(url)
        address = guard.pick(host, port) if guard is not None else host
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timed out after {timeout:g} s")
        conn_cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        conn = conn_cls(host, port, address, remaining)
        try:
            send_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
            send_headers.update(headers or {})
            conn.request(method, path, body=body, headers=send_headers)
            resp = conn.getresponse()
            if resp.status in REDIRECTS and resp.getheader("Location"):
                url = urllib.parse.urljoin(url, resp.getheader("Location", ""))
                if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                    method, body = "GET", None
                continue
            data = bytearray()
            while len(data) <= max_bytes:
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out after {timeout:g} s")
                block = resp.read(min(65536, max_bytes + 1 - len(data)))
                if not block:
                    break
                data.extend(block)
            truncated = len(data) > max_bytes
            return FetchResult(
                url=url,
                status=resp.status,
                headers={k.lower(): v for k, v in resp.getheaders()},
                body=bytes(data[:max_bytes]),
                truncated=truncated,
            )
        except BlockedAddressError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"request to {host} failed: {exc}") from exc
        finally:
            conn.close()
    raise FetchError(f"too many redirects (more than {max_redirects})")


def get_json(url: str, params: dict[str, Any], timeout: float = 10.0) -> Any:
    """GET a trusted, operator-configured JSON API (no guard: its base URL is not user input)."""
    query = urllib.parse.urlencode(params)
    result = fetch(f"{url}{'&' if '?' in url else '?'}{query}", timeout=timeout,
                   headers={"Accept": "application/json"})
    if result.status != 200:
        raise FetchError(f"{urllib.parse.urlsplit(url).hostname} answered HTTP {result.status}")
    return result.json()
