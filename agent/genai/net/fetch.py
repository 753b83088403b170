"""Bounded HTTP client (stdlib): size and time caps, manual redirects, pinned addresses.

With a guard policy every hop (first URL and each redirect) is resolved once, checked, and
the connection goes to that checked address, so DNS cannot be re-answered in between.
"""

from __future__ import annotations

import http.client
import io
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


class _DeadlineReader(io.RawIOBase):
    """Raw socket reader that re-arms the socket timeout to the time left before each recv.

    A per-recv timeout alone lets a server that drips one byte at a time hold a read open
    forever; bounding every recv by the overall deadline makes the deadline real, for the
    status line and headers as much as for the body.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        # The socket's own raw file keeps it open (reference-counted) after http.client
        # closes the connection object, as a normal response file does.
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("fetch deadline reached")
        self._sock.settimeout(remaining)
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What HTTPResponse sees as its socket: ``makefile`` returns a deadline-bound reader."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _PinnedMixin:
    """Connect to a pre-checked address; read the response under an overall deadline."""

    _address: str
    _deadline: float

    def _pin(self, address: str, deadline: float) -> None:
        self._address = address
        self._deadline = deadline
        self.response_class = self._response  # type: ignore[assignment]

    def _response(self, sock: socket.socket, *args: Any, **kwargs: Any) -> Any:
        return http.client.HTTPResponse(_DeadlineSocket(sock, self._deadline), *args, **kwargs)

    def _open(self) -> socket.socket:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("fetch deadline reached")
        return socket.create_connection((self._address, self.port), remaining)  # type: ignore[attr-defined]


class _PinnedHTTP(_PinnedMixin, http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=max(0.001, deadline - time.monotonic()))
        self._pin(address, deadline)

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPS(_PinnedMixin, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=max(0.001, deadline - time.monotonic()),
                         context=ssl.create_default_context())
        self._pin(address, deadline)

    def connect(self) -> None:
        sock = self._open()
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
        if time.monotonic() >= deadline:
            raise FetchError(f"timed out after {timeout:g} s")
        conn_cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        conn = conn_cls(host, port, address, deadline)
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
                # read1: whatever has arrived (one recv at most), never waiting for a full block.
                block = resp.read1(min(65536, max_bytes + 1 - len(data)))
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
        except TimeoutError as exc:
            raise FetchError(f"request to {host} timed out after {timeout:g} s") from exc
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
