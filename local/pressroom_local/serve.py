"""The site bucket over HTTP, answered the way CloudFront answers for the deployed stack.

Every path is looked up as a key in the bucket, never on disk: `/` and
`/posts/x/` are served their `index.html`, `/posts/x` is redirected to
`/posts/x/` when that page exists, and a missing page gets the site's own
`404.html` with status 404.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

INDEX = "index.html"
NOT_FOUND_PAGE = "404.html"
_MISSING = {"NoSuchKey", "404", "NotFound"}


@dataclass(frozen=True)
class SiteObject:
    body: bytes
    content_type: str


class SiteServer(ThreadingHTTPServer):
    """Serves one bucket; each request in its own thread (the S3 client is thread-safe)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], s3: S3Client, bucket: str) -> None:
        super().__init__(address, _SiteRequestHandler)
        self.s3 = s3
        self.bucket = bucket

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
            return SiteObject(body.read(), response.get("ContentType", "binary/octet-stream"))

    def exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True


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
        key = unquote(urlsplit(self.path).path).lstrip("/")
        if key == "" or key.endswith("/"):
            key += INDEX
        try:
            found = self.server.fetch(key)
            if found is None and not key.endswith(INDEX) and self.server.exists(f"{key}/{INDEX}"):
                self._redirect("/" + quote(key) + "/")
                return
            if found is None:
                page = self.server.fetch(NOT_FOUND_PAGE) or SiteObject(
                    b"404 Not Found\n", "text/plain; charset=utf-8"
                )
                self._send(HTTPStatus.NOT_FOUND, page, with_body=with_body)
                return
        except (BotoCoreError, ClientError) as error:
            message = f"the site bucket: {error}\n".encode()
            failure = SiteObject(message, "text/plain; charset=utf-8")
            self._send(HTTPStatus.BAD_GATEWAY, failure, with_body=with_body)
            return
        self._send(HTTPStatus.OK, found, with_body=with_body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, page: SiteObject, *, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        # Pages change as the author writes: the browser must ask again every time.
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if with_body:
            self.wfile.write(page.body)
