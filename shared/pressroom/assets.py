"""Static files (images, media, fonts, documents): which keys are published as they are,
where, with which headers and within which size; and the keys no generator publishes.

Pure functions: the validator, `check` and the renderer's tests all decide from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

MiB = 1024 * 1024

ASSET_CACHE_CONTROL = "public, max-age=3600"
"""An asset keeps its URL when its file is replaced (the URL is the author's path, not a
hash), so browsers may keep it an hour, not forever."""

SNIFF_BYTES = 32
"""How much of a binary file the validator reads: enough for every signature below. The
rest is never read; the renderer copies the object inside S3."""

MAX_COPY_BYTES = 200 * MiB
"""Largest asset of any type: one CopyObject takes it well within the renderer's 30 s
(CopyObject itself takes up to 5 GB)."""


@dataclass(frozen=True)
class AssetType:
    content_type: str
    max_bytes: int
    signatures: tuple[tuple[int, bytes], ...] = ()
    """(offset, bytes) of which one must be in the file; empty: no fixed signature (text)."""
    sanitised: bool = False
    """Read whole, rewritten by the validator, and the rewrite published (SVG)."""


_IMAGE = 20 * MiB
_ISO_MEDIA = ((4, b"ftyp"),)

ASSET_TYPES: dict[str, AssetType] = {
    ".png": AssetType("image/png", _IMAGE, ((0, b"\x89PNG\r\n\x1a\n"),)),
    ".jpg": AssetType("image/jpeg", _IMAGE, ((0, b"\xff\xd8\xff"),)),
    ".jpeg": AssetType("image/jpeg", _IMAGE, ((0, b"\xff\xd8\xff"),)),
    ".gif": AssetType("image/gif", _IMAGE, ((0, b"GIF87a"), (0, b"GIF89a"))),
    ".webp": AssetType("image/webp", _IMAGE, ((8, b"WEBP"),)),
    ".avif": AssetType("image/avif", _IMAGE, _ISO_MEDIA),
    ".ico": AssetType("image/vnd.microsoft.icon", 1 * MiB, ((0, b"\x00\x00\x01\x00"),)),
    ".svg": AssetType("image/svg+xml", 1 * MiB, sanitised=True),
    ".pdf": AssetType("application/pdf", 100 * MiB, ((0, b"%PDF-"),)),
    ".mp4": AssetType("video/mp4", MAX_COPY_BYTES, _ISO_MEDIA),
    ".webm": AssetType("video/webm", MAX_COPY_BYTES, ((0, b"\x1a\x45\xdf\xa3"),)),
    ".mp3": AssetType(
        "audio/mpeg", 100 * MiB, ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2"))
    ),
    ".txt": AssetType("text/plain; charset=utf-8", 1 * MiB),
    ".woff2": AssetType("font/woff2", 5 * MiB, ((0, b"wOF2"),)),
    ".woff": AssetType("font/woff", 5 * MiB, ((0, b"wOFF"),)),
}

_REFUSED = {
    ".html": "HTML is not published as it is (it could run script on the site); write the "
    "page in Markdown (.md)",
    ".htm": "HTML is not published as it is (it could run script on the site); write the "
    "page in Markdown (.md)",
    ".xhtml": "XHTML is not published (it could run script on the site); write the page in "
    "Markdown (.md)",
    ".js": "JavaScript is never published: the site runs no script of its authors'",
    ".mjs": "JavaScript is never published: the site runs no script of its authors'",
}

RESERVED_FOLDERS = ("tags/", "categories/", "archive/", "page/", "sitemaps/", "search/")
"""Where the renderer keeps listings it trims (every key under them that it did not write
goes): an asset there would be deleted by the next listing."""

DRAFTS_FOLDER = "_drafts/"
"""Jekyll's folder of drafts: ignored, but for a drafts preview (`--drafts`)."""

_GENERATOR_FOLDERS = {
    "_drafts": "a draft (Jekyll's `_drafts/`): never published; move it out of `_drafts/` "
    "when it is ready",
}


def asset_type(key: str) -> AssetType | None:
    return ASSET_TYPES.get(PurePosixPath(key).suffix.lower())


HUGO_CONTENT = "content/"
"""Hugo's (and Zola's) folder of posts and pages, and of a page bundle's files."""
JIGSAW_SOURCE = "source/"
"""Jigsaw's folder of the site's files, with its `_layouts/`, `_partials/` and `_assets/`
in it as Jekyll's are beside them."""
SERVED_FROM_ROOT = ("static/", HUGO_CONTENT, JIGSAW_SOURCE)
"""Folders whose files a generator serves at the site's root: Hugo's `static/img/cat.png`
at `/img/cat.png`, a page bundle's `content/posts/walk/cliffs.png` beside its page
`/posts/walk/`, Jigsaw's `source/assets/images/x.png` at `/assets/images/x.png`. Jekyll's
`assets/` stays."""


def asset_path(key: str) -> str:
    """The site-bucket key (and URL path) of an asset, or of any file a post links to: its
    own key, less a leading folder of `SERVED_FROM_ROOT`."""
    folder = next((folder for folder in SERVED_FROM_ROOT if key.startswith(folder)), "")
    return key.removeprefix(folder)


_GENERATORS_OWN_FOLDERS = {
    # Hugo's folders beside content/ and static/.
    "archetypes": "Hugo's templates for new posts",
    "layouts": "a theme's templates",
    "themes": "Hugo's themes: their templates, and their demo site's posts",
    "i18n": "a theme's translations",
    "resources": "Hugo's cache of the images and styles it processed",
    "public": "the site Hugo (or Zola) built",
    # Zola's, beside the same content/ and static/.
    "templates": "Zola's templates",
    "sass": "Zola's style sheets, before it compiles them",
    # Jekyll's default `exclude`, and what a Node build leaves.
    "vendor": "bundled gems",
    "node_modules": "JavaScript packages",
}
"""Top-level folders of a generator's repository that hold its tools, never the site's
files: `aws s3 sync` of a whole repository uploads them."""

_REPOSITORY_FILES = frozenset(
    {"readme", "license", "licence", "changelog", "contributing", "code_of_conduct"}
    | {"gemfile", "package", "yarn", "composer", "cname"}
    | {"config", "webpack", "tailwind"}
)
"""Top-level files a repository has for its readers and tools (by name up to its first
dot, any case): `README.md`, `LICENSE`, `Gemfile.lock`, `package.json`, GitHub Pages'
`CNAME`, and Jigsaw's `config.php` and build files (`webpack.mix.js`). A generator's
configuration Pressroom reads (`hugo.toml`, `config.toml`, `_config.yml`) is read as
one before this is asked."""

HUGO_LIST_PAGES = frozenset({"_index.md", "_index.markdown"})
"""The text of a Hugo list page (the home page, a section's), which Pressroom writes its own
way: published as a post, it would list itself."""

WELL_KNOWN = ".well-known"
"""The one hidden folder a site publishes (`security.txt`, domain verification)."""


def ignored_reason(key: str) -> str | None:
    """Why a key is never published, or None: what Jekyll and Hugo leave out of a site
    too. Files under `_`-prefixed folders other than `_posts/` (another generator's drafts
    and internals), hidden files and folders but `.well-known/`, the generators' own
    top-level folders and a repository's own files, and Hugo's list pages."""
    parts = key.split("/")
    if hidden := next((part for part in parts if part.startswith(".") and part != WELL_KNOWN), ""):
        return f"`{hidden}` is hidden: not published (only `{WELL_KNOWN}/` is)"
    top, name = parts[0], parts[-1]
    if top + "/" == JIGSAW_SOURCE and len(parts) > 2 and parts[1].startswith("_"):
        top, parts = parts[1], parts[1:]
    if len(parts) == 1:
        stem = name.split(".")[0].lower()
        if stem == "config":
            return (
                f"`{name}` is a generator's configuration Pressroom does not read: not "
                "published (give the site's settings in `pressroom.yaml`)"
            )
        if stem in _REPOSITORY_FILES:
            return f"`{name}` is the repository's, not the site's: not published"
        return None
    if top.startswith("_") and top != "_posts":
        return _GENERATOR_FOLDERS.get(
            top,
            f"`{top}/` holds another generator's internals (layouts, includes, data), or a "
            f"Jekyll collection: not published (move a collection's posts out of `{top}/`)",
        )
    if top in _GENERATORS_OWN_FOLDERS:
        return f"`{top}/` holds {_GENERATORS_OWN_FOLDERS[top]}: not published"
    if name in HUGO_LIST_PAGES:
        return (
            f"`{name}` is the text of a Hugo list page: not published (Pressroom writes its "
            "own home, tag and archive pages)"
        )
    return None


def in_drafts_folder(key: str) -> bool:
    return key.startswith(DRAFTS_FOLDER)


def refusal(key: str) -> str:
    """Why a key that is neither a post nor an asset is refused."""
    suffix = PurePosixPath(key).suffix.lower()
    if suffix in _REFUSED:
        return _REFUSED[suffix]
    published = ", ".join(sorted(s.lstrip(".") for s in ASSET_TYPES))
    what = f"`{suffix}` files are" if suffix else "files without an extension are"
    return f"{what} not published; posts are Markdown (.md, .markdown), files one of: {published}"


def signature_problem(kind: AssetType, head: bytes) -> bool:
    """Whether the file's first bytes are not its type's (a renamed file, or another format)."""
    if not kind.signatures:
        return False
    return not any(head[offset : offset + len(magic)] == magic for offset, magic in kind.signatures)


def reserved_problem(path: str) -> str | None:
    folder = next((folder for folder in RESERVED_FOLDERS if path.startswith(folder)), None)
    if folder is None:
        return None
    return f"`{folder}` is where the site's listings live; put the file in another folder"
