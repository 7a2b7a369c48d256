"""The site bucket over HTTP, answered the way CloudFront answers for the deployed stack.

Every path is looked up as a key in the bucket, never on disk: `/` and
`/posts/x/` are served their `index.html`, `/posts/x` is redirected to
`/posts/x/` when that page exists, a page left at an old URL is answered with
a 301 to the page it names (its object's website redirect location, as the
viewer-response function does), and a missing page gets the site's own
`404.html` with status 404.

With live reload (`pressroom local`), every HTML page it serves carries one
more script, `/_pressroom/live-reload.js`, which listens to
`/_pressroom/events`: server-sent events that say `reload` once the page's
object in the bucket is no longer the one served. The script is added here,
on the way out, so no page in the bucket ever holds it; `_pressroom/` is
under a folder the site never publishes (`_`-prefixed folders are ignored).
"""

from __future__ import annotations

import html
import re
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

INDEX = "index.html"
NOT_FOUND_PAGE = "404.html"
_MISSING = {"NoSuchKey", "404", "NotFound"}
_TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")
_ONE_LEADING_SLASH = re.compile(r"^[/\\\s]*")

LIVE_RELOAD_FOLDER = "/_pressroom/"
EVENTS_PATH = LIVE_RELOAD_FOLDER + "events"
LIVE_RELOAD_SCRIPT_PATH = LIVE_RELOAD_FOLDER + "live-reload.js"
LIVE_RELOAD_SCRIPT = Path(__file__).with_name("live_reload.js")
WATCH_SECONDS = 0.5
"""How often an open page's object is looked at: as often as `--watch` looks at a folder."""
HEARTBEAT_SECONDS = 15.0
"""A comment sent this often on a quiet stream finds a closed tab (its write fails)."""


@dataclass(frozen=True)
class SiteObject:
    body: bytes
    content_type: str
    etag: str = ""
    """The object's ETag: what a page's live reload compares with."""
    redirect_to: str | None = None
    """Its website redirect location: the page at an old URL sends readers there."""


class SiteServer(ThreadingHTTPServer):
    """Serves one bucket; each request in its own thread (the S3 client is thread-safe)."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], s3: S3Client, bucket: str, *, live_reload: bool = False
    ) -> None:
        super().__init__(address, _SiteRequestHandler)
        self.s3 = s3
        self.bucket = bucket
        self.live_reload = live_reload
        self.stopping = threading.Event()
        """Set on shutdown: event streams end rather than hold their threads."""

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser stopped listening (a favicon, a reload): nothing went wrong
        super().handle_error(request, client_address)

    def fetch(self, key: str) -> SiteObject | None:
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        with response["Body"] as body:
            return SiteObject(
                body.read(),
                response.get("ContentType", "binary/octet-stream"),
                response.get("ETag", ""),
                response.get("WebsiteRedirectLocation"),
            )

    def exists(self, key: str) -> bool:
        return self.etag(key) is not None

    def etag(self, key: str) -> str | None:
        """The object's ETag; None when there is no object at `key`."""
        try:
            response = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return response.get("ETag", "")


class _SiteRequestHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "pressroom-local"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the author watches the site, not an access log."""

    def _answer(self, *, with_body: bool) -> None:
        path = urlsplit(self.path).path
        if self.server.live_reload and path.startswith(LIVE_RELOAD_FOLDER):
            self._live_reload(path, with_body=with_body)
            return
        key = request_key(path)
        try:
            found = self.server.fetch(key)
            if found is None and not key.endswith(INDEX) and self.server.exists(f"{key}/{INDEX}"):
                self._redirect("/" + quote(key) + "/")
                return
            if found is None:
                page = self.server.fetch(NOT_FOUND_PAGE) or SiteObject(
                    b"404 Not Found\n", "text/plain; charset=utf-8"
                )
                # Watched as the missing page it stands for: the page appearing reloads it.
                page = SiteObject(page.body, page.content_type)
                self._send(HTTPStatus.NOT_FOUND, page, with_body=with_body)
                return
        except (BotoCoreError, ClientError) as error:
            message = f"the site bucket: {error}\n".encode()
            failure = SiteObject(message, "text/plain; charset=utf-8")
            self._send(HTTPStatus.BAD_GATEWAY, failure, with_body=with_body)
            return
        if found.redirect_to is not None:
            # As the viewer-response function makes it: no tab or newline, and one slash
            # first (`//host` or `/\host` in a Location would leave the site).
            location = _ONE_LEADING_SLASH.sub("/", _TABS_AND_NEWLINES.sub("", found.redirect_to))
            self._redirect(location)
            return
        self._send(HTTPStatus.OK, found, with_body=with_body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _live_reload(self, path: str, *, with_body: bool) -> None:
        if path == LIVE_RELOAD_SCRIPT_PATH:
            script = SiteObject(LIVE_RELOAD_SCRIPT.read_bytes(), "text/javascript; charset=utf-8")
            self._send(HTTPStatus.OK, script, with_body=with_body)
        elif path == EVENTS_PATH and with_body:
            self._stream_events()
        else:
            self._send(
                HTTPStatus.NOT_FOUND,
                SiteObject(b"404 Not Found\n", "text/plain; charset=utf-8"),
                with_body=with_body,
            )

    def _stream_events(self) -> None:
        """Server-sent events for one open page: `reload` once its object's ETag is no longer
        the one it was served with (changed, removed, or there at last), then the end."""
        query = parse_qs(urlsplit(self.path).query)
        key = request_key(query.get("path", ["/"])[0])
        served = query.get("etag", [""])[0]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        # A stream that ends (the stack restarting) is tried again by the browser in a second.
        self._event(b"retry: 1000\n\n")
        quiet = 0.0
        while not self.server.stopping.wait(WATCH_SECONDS):
            try:
                now = self.server.etag(key) or ""
            except (BotoCoreError, ClientError):
                now = served  # the bucket did not answer: nothing is known to have changed
            if now != served:
                self._event(b"event: reload\ndata: changed\n\n")
                return
            quiet += WATCH_SECONDS
            if quiet >= HEARTBEAT_SECONDS:
                self._event(b": watching\n\n")
                quiet = 0.0

    def _event(self, chunk: bytes) -> None:
        self.wfile.write(chunk)
        self.wfile.flush()

    def _send(self, status: HTTPStatus, page: SiteObject, *, with_body: bool) -> None:
        if self.server.live_reload and page.content_type.startswith("text/html"):
            page = with_live_reload(page)
        self.send_response(status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        # Pages change as the author writes: the browser must ask again every time.
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if with_body:
            self.wfile.write(page.body)


def request_key(path: str) -> str:
    """The bucket key a request path names: `/` and `/posts/x/` are their `index.html`."""
    key = unquote(path).lstrip("/")
    return key + INDEX if key == "" or key.endswith("/") else key


def with_live_reload(page: SiteObject) -> SiteObject:
    """An HTML page with the live-reload script before its `</body>` (at its end if it has
    none), told the ETag the page was served with."""
    tag = (
        f'<script src="{LIVE_RELOAD_SCRIPT_PATH}" '
        f'data-etag="{html.escape(page.etag)}" defer></script>\n'
    ).encode()
    body = page.body
    end = body.lower().rfind(b"</body>")
    at = end if end >= 0 else len(body)
    return SiteObject(body[:at] + tag + body[at:], page.content_type, page.etag)
