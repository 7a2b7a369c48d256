"""A post's body as HTML, kept in its document: what made it, and its links rebased.

The validator renders each body once (`markdown.render_markdown`) and keeps the HTML in
the post's document, marked with `rendering_fingerprint()`; a renderer writing the page
again, as it does whenever a post joins beside it, uses that HTML while its own
fingerprint is the same. This module needs none of the Markdown pipeline's libraries, so
a renderer whose documents carry their HTML never loads them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import uuid
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from pressroom.assets import asset_path
from pressroom.models import root_relative

_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)"')
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|[/#?]|\\")


def rebase_relative_links(html: str, source_key: str) -> str:
    """Each relative link and image of a post (`cat.png`, `../img/x.png`) pointed at the
    file it names beside the post's source file: published at its path (less a leading
    `static/` or `content/`, `assets.asset_path`), so it resolves whatever URL the post
    itself has. `html` is the sanitiser's output, whose attribute values are all
    double-quoted."""
    folder = "/" + source_key.rpartition("/")[0] + "/" if "/" in source_key else "/"

    def rebase(match: re.Match[str]) -> str:
        written = match[2]
        if not written or _ABSOLUTE.match(written):
            return match[0]
        path = asset_path(urljoin(folder, written).removeprefix("/"))
        return f'{match[1]}{root_relative(path)}"'

    return _LINK_ATTRIBUTE.sub(rebase, html)


RENDERING_LIBRARIES = ("cmarkgfm", "nh3", "pygments", "latex2mathml", "emoji")
"""The distributions whose code `render_markdown` runs."""


@cache
def rendering_fingerprint() -> str:
    """What made a body's HTML: the sources of this package's modules (every one, so no
    list of the pipeline's can fall behind it) and the versions of RENDERING_LIBRARIES.
    The validator and the renderer of one release agree on it; a body rendered by another
    release is rendered again (`PostDocument.body_rendered_by`)."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    if not sources:
        # A package shipped as bytecode alone: no other process's body is taken as this
        # code's, so each renders its own, as before bodies were kept.
        return f"unread-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    for module in sources:
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    for library in RENDERING_LIBRARIES:
        digest.update(f"{library}=={_installed_version(library)}\0".encode())
    return digest.hexdigest()[:32]


def _installed_version(distribution: str) -> str:
    """A distribution's version from the `<name>-<version>.dist-info` folder beside its
    package, without importing it (latex2mathml's import is 30 ms of a cold start, and
    importlib.metadata's as much again)."""
    spec = importlib.util.find_spec(distribution)
    if spec is None or spec.origin is None:
        return "absent"
    installed_in = Path(spec.origin).parent.parent
    for record in installed_in.glob(f"{distribution}-*.dist-info"):
        return record.name.removeprefix(f"{distribution}-").removesuffix(".dist-info")
    return "unknown"
