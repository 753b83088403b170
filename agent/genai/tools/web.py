"""URL tools for user-supplied URLs, both behind the SSRF guard with size/time caps.

``http_request`` keeps the strands_tools name and core parameters but is our own: the
strands_tools version asks for console consent and cannot be pinned to checked addresses.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from strands import tool

from genai.net.fetch import FetchError, fetch
from genai.net.guard import BlockedAddressError, current_policy

MAX_DOWNLOAD_BYTES = 2_000_000
MAX_TEXT_CHARS = 20_000
TIMEOUT_SECONDS = 15.0
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(html)
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def _guarded(url: str, **kwargs):
    return fetch(url, guard=current_policy(), max_bytes=MAX_DOWNLOAD_BYTES,
                 timeout=TIMEOUT_SECONDS, **kwargs)


@tool
def get_text_from_url(url: str) -> str:
    """Download a public web page and return its readable text.

    Args:
        url: The http(s) address of the page.
    """
    try:
        result = _guarded(url, headers={"Accept": "text/html,text/plain;q=0.9,*/*;q=0.5"})
    except (BlockedAddressError, FetchError) as exc:
        raise ValueError(str(exc)) from exc
    if result.status >= 400:
        raise ValueError(f"{url} answered HTTP {result.status}")
    body = result.text()
    if "html" in result.headers.get("content-type", "") or body.lstrip()[:1] == "<":
        body = html_to_text(body)
    note = " [truncated]" if result.truncated or len(body) > MAX_TEXT_CHARS else ""
    return body[:MAX_TEXT_CHARS] + note


@tool
def http_request(
    method: str, url: str, headers: dict | None = None, body: str | None = None
) -> str:
    """Make an HTTP request to a public URL and return status, headers and body.

    Args:
        method: HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS).
        url: The http(s) URL to call.
        headers: Optional request headers.
        body: Optional request body (text or JSON string).
    """
    verb = method.upper()
    if verb not in METHODS:
        raise ValueError(f"unsupported method {method!r}")
    try:
        result = _guarded(
            url,
            method=verb,
            headers={str(k): str(v) for k, v in (headers or {}).items()},
            body=body.encode() if body is not None else None,
        )
    except (BlockedAddressError, FetchError) as exc:
        raise ValueError(str(exc)) from exc
    text = result.text()
    note = " [truncated]" if result.truncated or len(text) > MAX_TEXT_CHARS else ""
    keep = ("content-type", "content-length", "location", "date")
    return json.dumps(
        {
            "status": result.status,
            "url": result.url,
            "headers": {k: v for k, v in result.headers.items() if k in keep},
            "body": text[:MAX_TEXT_CHARS] + note,
        },
        ensure_ascii=False,
    )
