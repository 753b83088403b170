"""SSRF guard and the bounded fetcher: refusals before and after redirects and DNS."""

from __future__ import annotations

import ipaddress
import socket
import threading

import pytest
from agent_http import LocalServer
from genai.net.fetch import FetchError, fetch
from genai.net.guard import AddressPolicy, BlockedAddressError, override_policy
from genai.tools.web import get_text_from_url, html_to_text, http_request

LOOPBACK_OK = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "169.254.169.254", "10.0.0.5", "172.16.0.1", "192.168.1.1", "100.64.0.1",
     "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
     "::ffff:169.254.169.254", "2002:a9fe:a9fe::1",
     # NAT64 (well-known and local-use), IPv4-compatible, IPv4-translated, site-local, Teredo
     "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::a9fe:a9fe",
     "64:ff9b:1::808:808", "::7f00:1", "::a9fe:a9fe", "::ffff:0:7f00:1",
     "::ffff:0:a9fe:a9fe", "fec0::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
     "100::1", "2001:db8::1", "ff02::1", "::"],
)
def test_internal_addresses_are_refused(address):
    with pytest.raises(BlockedAddressError):
        AddressPolicy().pick(address, 80)


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "2606:4700:4700::1111", "::ffff:93.184.215.14", "64:ff9b::808:808",
     "2002:808:808::1"],
)
def test_public_address_passes(address):
    picked = AddressPolicy().pick(address, 443)
    assert ipaddress.ip_address(picked) == ipaddress.ip_address(address)


def test_dns_answer_is_checked_and_pinned():
    """A public name that resolves to the metadata service is refused."""
    rebinding = AddressPolicy(resolver=lambda host, port: ["169.254.169.254"])
    with pytest.raises(BlockedAddressError, match="169.254.169.254"):
        fetch("http://metadata.example.com/latest/meta-data/", guard=rebinding)
    mixed = AddressPolicy(resolver=lambda host, port: ["93.184.215.14", "10.1.2.3"])
    with pytest.raises(BlockedAddressError, match="10.1.2.3"):
        mixed.pick("mixed.example.com", 80)


def test_guarded_tools_refuse_loopback_and_metadata():
    with pytest.raises(ValueError, match="not public"):
        get_text_from_url("http://127.0.0.1:9/")
    with pytest.raises(ValueError, match="169.254.169.254"):
        http_request("GET", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError, match="only http"):
        get_text_from_url("file:///etc/passwd")


def test_redirect_to_metadata_service_is_refused():
    redirect = {"/go": lambda m, q, b: (302, {"Location": "http://169.254.169.254/latest/"}, b"")}
    with LocalServer(redirect) as server, override_policy(LOOPBACK_OK):
        with pytest.raises(ValueError, match="169.254.169.254"):
            get_text_from_url(f"{server.url}/go")
        with pytest.raises(ValueError, match="169.254.169.254"):
            http_request("GET", f"{server.url}/go")
    assert [r[1] for r in server.requests] == ["/go", "/go"]


def test_redirect_to_a_name_resolving_internal_is_refused():
    redirect = {"/go": lambda m, q, b: (301, {"Location": "http://internal.test/x"}, b"")}

    def resolve(host, port):
        return ["127.0.0.1"] if host == "127.0.0.1" else ["10.9.8.7"]

    policy = AddressPolicy(resolver=resolve, allowed_networks=LOOPBACK_OK.allowed_networks)
    with LocalServer(redirect) as server, override_policy(policy), \
            pytest.raises(ValueError, match="10.9.8.7"):
        get_text_from_url(f"{server.url}/go")


def test_page_text_size_cap_and_redirect_follow():
    page = b"<html><head><style>x{}</style><script>evil()</script></head>" \
           b"<body><h1>Title</h1><p>Hello &amp; welcome</p></body></html>"
    routes = {
        "/page": lambda m, q, b: (200, {"Content-Type": "text/html; charset=utf-8"}, page),
        "/moved": lambda m, q, b: (301, {"Location": "/page"}, b""),
        "/big": lambda m, q, b: (200, {"Content-Type": "text/plain"}, b"a" * 50_000),
    }
    with LocalServer(routes) as server, override_policy(LOOPBACK_OK):
        assert get_text_from_url(f"{server.url}/moved") == "Title\nHello & welcome"
        capped = fetch(f"{server.url}/big", guard=LOOPBACK_OK, max_bytes=1000)
        assert capped.truncated and len(capped.body) == 1000
        loop = {"/loop": lambda m, q, b: (302, {"Location": "/loop"}, b"")}
        server.routes.update(loop)
        with pytest.raises(FetchError, match="too many redirects"):
            fetch(f"{server.url}/loop", guard=LOOPBACK_OK, max_redirects=2)


def test_http_request_methods_and_body():
    def echo(method, query, body):
        return 201, {"Content-Type": "application/json"}, body or b"{}"

    with LocalServer({"/echo": echo}) as server, override_policy(LOOPBACK_OK):
        out = http_request("post", f"{server.url}/echo", {"X-A": "1"}, '{"a": 1}')
        with pytest.raises(ValueError, match="unsupported method"):
            http_request("TRACE", f"{server.url}/echo")
    assert '"status": 201' in out and '\\"a\\": 1' in out


def test_html_to_text_skips_scripts():
    assert html_to_text("<p>a</p><script>b</script><p>c</p>") == "a\nc"


class DripServer:
    """A raw HTTP peer on 127.0.0.1 that sends ``head`` then one byte per ``pace`` seconds.

    It stops after ``limit`` bytes (so a broken deadline ends the test instead of hanging
    it) and records whether it was still sending when the client gave up.
    """

    def __init__(self, head: bytes, limit: int = 200, pace: float = 0.02) -> None:
        self.head, self.limit, self.pace = head, limit, pace
        self.sent = 0
        self.finished = threading.Event()
        self.client_gone = threading.Event()
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(self.head)
            try:
                while self.sent < self.limit and not self.stop.wait(self.pace):
                    conn.sendall(b"a")
                    self.sent += 1
            except OSError:
                self.client_gone.set()
                return
        self.finished.set()

    def __enter__(self) -> DripServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.mark.parametrize(
    "head",
    [b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: text/plain\r\n\r\n",
     b"HTTP/1.1 200 OK\r\nX-Slow: "],  # body drip, and a header that never ends
    ids=["body", "headers"],
)
def test_fetch_deadline_holds_against_a_dripping_server(head):
    with DripServer(head) as server:
        with pytest.raises(FetchError, match=r"timed out after 0\.3 s"):
            fetch(f"http://127.0.0.1:{server.port}/", guard=LOOPBACK_OK, timeout=0.3)
        # The client gave up while the server still had bytes to send.
        assert not server.finished.is_set()
        assert server.sent < server.limit
