"""The public corpus published once per session, served over HTTP, and a headless Chromium."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pressroom_local.cli import main
from tests.corpus import CORPUS
from tests.site.support import EXAMPLES, SITE_URL, PublishedSite


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> PublishedSite:
    """Every good and bad file of the corpus, and the examples, through the whole pipeline."""
    root = tmp_path_factory.mktemp("site")
    command = ["publish", str(CORPUS), str(EXAMPLES), "--site", str(root), "--site-url", SITE_URL]
    summary = io.StringIO()
    # The functions' INFO logs would fill the report of whichever test failed first.
    logging.disable(logging.INFO)
    try:
        with contextlib.redirect_stdout(summary):
            exit_code = main([*command, "--json"])
    finally:
        logging.disable(logging.NOTSET)
    assert exit_code == 1, "publish must report the corpus's bad files as rejected (exit 1)"
    return PublishedSite(root, json.loads(summary.getvalue()))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """A site folder over HTTP on 127.0.0.1: root-relative links need a server. Its base URL.
    Like S3 behind CloudFront, the server decodes a percent-encoded path to the UTF-8 name."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=root))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def served_site(site: PublishedSite) -> Iterator[str]:
    """The published site over HTTP. Its base URL."""
    with serve_folder(site.root) as base_url:
        yield base_url
