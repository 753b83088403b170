"""A local IAM peer in front of moto that answers AccessDenied for chosen IAM actions.

Everything else is forwarded to the moto server unchanged, so the caller sees a real AWS
conversation in which it lacks exactly one permission (moto does not enforce IAM).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

from tests.helpers import ThreadedServer

DENIED_XML = """<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: {who} is not authorized to
perform: iam:{action} on resource: role {role} because no identity-based policy allows the
iam:{action} action</Message></Error><RequestId>4f1c0f6e-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>"""


class DenyingPeer(ThreadedServer):
    """Forward to ``upstream``; IAM Query calls whose Action is in ``deny`` get a 403."""

    def __init__(self, upstream: str, deny: set[str], who: str) -> None:
        self.denied: list[str] = []
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = dict(p.split("=", 1) for p in body.decode().split("&") if "=" in p)
                action = params.get("Action", "")
                if action in deny:
                    peer.denied.append(action)
                    role = params.get("RoleName", "")
                    self._reply(403, DENIED_XML.format(who=who, action=action, role=role)
                                .encode(), "text/xml")
                    return
                self._forward("POST", body)

            def do_GET(self) -> None:
                self._forward("GET", None)

            def _forward(self, method: str, body: bytes | None) -> None:
                request = urllib.request.Request(upstream + self.path, data=body,
                                                 method=method, headers=dict(self.headers))
                try:
                    with urllib.request.urlopen(request, timeout=10) as reply:
                        self._reply(reply.status, reply.read(),
                                    reply.headers.get("Content-Type", ""))
                except urllib.error.HTTPError as error:
                    self._reply(error.code, error.read(),
                                error.headers.get("Content-Type", ""))

            def _reply(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._serve_with(Handler)
