"""A tiny local HTTP server (127.0.0.1, ephemeral port) for tool tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.helpers import ThreadedServer

Route = Callable[[str, dict, bytes], tuple[int, dict, bytes]]


def json_route(data) -> Route:
    return lambda method, query, body: (200, {"Content-Type": "application/json"},
                                        json.dumps(data).encode())


class LocalServer(ThreadedServer):
    """Serve ``routes`` (path -> handler); records every request."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[tuple[str, str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, parts.path, query))
                route = outer.routes.get(parts.path)
                status, headers, payload = (
                    route(self.command, query, body) if route else (404, {}, b"not found")
                )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)


class GatedAwsPeer(ThreadedServer):
    """An AWS JSON endpoint on 127.0.0.1 that holds every call until ``release`` is set.

    Point ``AWS_ENDPOINT_URL`` at it to make a Secrets Manager lookup slow on purpose:
    ``entered`` is set when a call arrives; after ``release`` (or 30 s, so nothing hangs)
    it answers ResourceNotFoundException.
    """

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.targets: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.targets.append(self.headers.get("X-Amz-Target", ""))
                outer.entered.set()
                outer.release.wait(timeout=30)
                body = b'{"__type": "ResourceNotFoundException", "message": "not here"}'
                self.send_response(400)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)

    def __exit__(self, *exc) -> None:
        self.release.set()  # never leave a handler waiting
        super().__exit__(*exc)
