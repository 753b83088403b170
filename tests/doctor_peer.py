"""A local AgentCore control-plane peer for doctor's live tests: it answers
GetAgentRuntimeEndpoint (moto lacks the DEFAULT endpoint) and forwards every other request
to the moto server, recording what it was asked."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

from tests.helpers import ThreadedServer

ENDPOINT_PATH = re.compile(r"^/runtimes/([^/]+)/runtime-endpoints/([^/]+)/?$")


class ControlPlanePeer(ThreadedServer):
    """``endpoints``: runtime id -> DEFAULT endpoint reply (absent: 404 not found)."""

    def __init__(self, moto_url: str, delay_s: float = 0.0) -> None:
        self.moto_url = moto_url
        self.delay_s = delay_s  # a simulated network round trip (benchmarks)
        self.endpoints: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path))
                if outer.delay_s:
                    time.sleep(outer.delay_s)
                match = ENDPOINT_PATH.match(self.path.split("?")[0])
                if match:
                    reply = outer.endpoints.get(match.group(1))
                    if reply is None:
                        self._send(404, {"message": "endpoint not found"},
                                   {"x-amzn-ErrorType": "ResourceNotFoundException"})
                    else:
                        self._send(200, reply)
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(outer.moto_url + self.path, data=body or None,
                                             method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(req, timeout=10) as upstream:
                        status, data, up_headers = upstream.status, upstream.read(), \
                            upstream.headers
                except urllib.error.HTTPError as error:
                    status, data, up_headers = error.code, error.read(), error.headers
                self.send_response(status)
                for key, value in up_headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                           "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._serve_with(Handler)

    def count(self, path_re: str) -> int:
        """How many requests matched ``path_re``."""
        return sum(1 for _, path in self.requests if re.search(path_re, path))
