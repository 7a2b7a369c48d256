"""Turn an untrusted source file into a PostDocument, or into errors an author can act on."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from pressroom.assets import (
    ASSET_CACHE_CONTROL,
    HUGO_CONTENT,
    SNIFF_BYTES,
    AssetType,
    asset_path,
    asset_type,
    ignored_reason,
    in_drafts_folder,
    refusal,
    reserved_problem,
    signature_problem,
)
from pressroom.bodies import rebase_relative_links, rendering_fingerprint
from pressroom.characters import describe_character, first_bidi_control
from pressroom.dates import WrittenDate, date_from_file_name, parse_date, parse_written_date
from pressroom.exceptions import FrontMatterError
from pressroom.frontmatter import FrontMatter, decode_source, parse_front_matter
from pressroom.limits import DEFAULT_LIMITS, Limits
from pressroom.markdown import BodyShape, measure_markdown, render_markdown, summary_text
from pressroom.models import (
    PERMALINK_PLACEHOLDERS,
    PLACEHOLDER,
    AssetSummary,
    Issue,
    PostDocument,
    PostSummary,
    ValidationOutcome,
    excerpt,
    format_instant,
    section_path,
)
from pressroom.permalinks import filled_pattern
from pressroom.ports import SourceObject
from pressroom.siteconfig import (
    MAX_CONFIG_BYTES,
    is_config_source,
    site_source,
    validate_config,
)
from pressroom.slugs import (
    GENERATED_FOLDERS,
    claimed_slug,
    page_path,
    slug_from_source_key,
    slug_problem,
    slugify,
    tag_key,
)
from pressroom.svg import SvgError, sanitise_svg

DEFAULT_LAYOUTS = frozenset({"post", "page"})
"""Templates the default theme provides for whole pages."""

MARKDOWN_SUFFIXES = (".md", ".markdown")
PAGES_FOLDERS = ("pages/", "content/pages/")
"""Markdown files here are pages (`about.md` → `/about/`), as `layout: page` makes them:
at the top, or in a Hugo site's `content/`."""
POSTS_SECTION = "posts"


def hugo_section(source_key: str) -> str | None:
    """The section of a file of Hugo's `content/` folder, which Hugo puts in its URL: the
    folders between `content/` and the file (a page bundle's own folder left out), `""` at
    the top; None for a file outside `content/`."""
    if not source_key.startswith(HUGO_CONTENT):
        return None
    path = PurePosixPath(source_key.removeprefix(HUGO_CONTENT))
    folder = path.parent.parent if path.stem == "index" else path.parent
    return "" if folder == PurePosixPath(".") else folder.as_posix()


_LIST_SEPARATORS = re.compile(r"[\s,]+")
_JEKYLL_POSTS = "_posts"


def _jekyll_folder_categories(source_key: str) -> list[str]:
    """The folders above a Jekyll `_posts/` folder (`travel/europe/_posts/x.md`): Jekyll's
    first categories of the posts in it."""
    folders = source_key.split("/")[:-1]
    return folders[: folders.index(_JEKYLL_POSTS)] if _JEKYLL_POSTS in folders else []


BODY_RENDERED_HERE_BYTES = 64 * 1024
"""The largest body (cmark's HTML, as measured) the validator renders into its document:
every post a blog writes by hand. A larger one is left to the renderer, as the render
budget was measured for, so that a batch of the worst files the limits accept takes the
validator no longer than it did (docs/architecture.md, "The render budget")."""


def validate_post(
    raw: bytes,
    source_key: str,
    *,
    first_seen: datetime,
    limits: Limits = DEFAULT_LIMITS,
    layouts: frozenset[str] = DEFAULT_LAYOUTS,
) -> ValidationOutcome:
    """Validate one source file. Never raises for bad content: errors are in the outcome.

    `first_seen` is the post's date when neither the front matter nor the
    file name gives one (the upload time, with a warning).
    """
    if not source_key.lower().endswith(MARKDOWN_SUFFIXES):
        return _refused(
            source_key,
            Issue(message="only Markdown files (.md, .markdown) are published; rename the file"),
        )
    if len(raw) > limits.max_object_bytes:
        return _refused(source_key, _object_too_large(len(raw), limits))
    key_bytes = len(source_key.encode("utf-8"))
    if key_bytes > limits.max_source_key_bytes:
        return _refused(source_key, Issue(message=_key_too_long(key_bytes, limits)))
    try:
        text = decode_source(raw)
        front_matter = parse_front_matter(text, limits)
    except FrontMatterError as error:
        return _refused(
            source_key, Issue(field=error.field, message=error.message, line=error.line)
        )
    shape = measure_markdown(
        front_matter.body,
        max_elements=limits.max_body_elements,
        max_depth=limits.max_body_depth,
        max_table_cells=limits.max_table_cells,
    )
    # The body is the file's last lines: its first is the file's line count less its own.
    lines_before = len(text.splitlines()) - len(front_matter.body.splitlines())

    def in_file(issue: Issue) -> Issue:
        return issue.model_copy(update={"line": issue.line + lines_before if issue.line else None})

    if problem := body_problem(shape, limits):
        return _refused(source_key, in_file(problem))
    body_warnings = tuple(map(in_file, shape.warnings))
    validator = _PostValidator(source_key, front_matter, first_seen, limits, layouts, body_warnings)
    return validator.run(renders_body=shape.html_bytes <= BODY_RENDERED_HERE_BYTES)


def body_problem(shape: BodyShape, limits: Limits) -> Issue | None:
    """Why a body of this shape would cost the renderer more than its budget
    (limits.RENDER_BUDGET), or None; its line is the body's own."""
    match shape.passed:
        case "elements":
            message = (
                f"the body makes more than {limits.max_body_elements:,} HTML elements "
                "(max_body_elements) by this line; split the post"
            )
        case "depth":
            message = (
                f"the body nests more than {limits.max_body_depth} levels deep here "
                "(max_body_depth): quotes in quotes, lists in lists or HTML tags; flatten it"
            )
        case "table_cells":
            message = (
                f"the body's tables have more than {limits.max_table_cells:,} cells by this "
                "line (max_table_cells); split the table or link to a file"
            )
        case _ if shape.html_bytes > limits.max_body_html_bytes:
            message = (
                f"the body renders to {shape.html_bytes:,} bytes of HTML, over the limit of "
                f"{limits.max_body_html_bytes:,} (max_body_html_bytes); split the post"
            )
        case _:
            return None
    return Issue(message=message, line=shape.line)


@dataclass(frozen=True)
class ReadPlan:
    """How much of a source the validator reads: all of it up to `max_bytes`, or (`whole`
    False) only its first `max_bytes`, the rest staying in S3 for the renderer's copy."""

    max_bytes: int
    whole: bool = True


def read_plan(key: str, limits: Limits = DEFAULT_LIMITS, *, drafts: bool = False) -> ReadPlan:
    """What `validate_source` needs of the object at `key` (with `drafts` as it is given)."""
    if is_config_source(key):
        return ReadPlan(MAX_CONFIG_BYTES)
    kind = asset_type(key)
    if _ignored(key, drafts) is not None or (kind is None and not _is_markdown(key)):
        return ReadPlan(0, whole=False)
    if kind is None:
        return ReadPlan(limits.max_object_bytes)
    if kind.sanitised or not kind.signatures:
        return ReadPlan(kind.max_bytes)
    return ReadPlan(SNIFF_BYTES, whole=False)


def validate_source(
    source: SourceObject,
    *,
    first_seen: datetime,
    limits: Limits = DEFAULT_LIMITS,
    layouts: frozenset[str] = DEFAULT_LAYOUTS,
    drafts: bool = False,
) -> ValidationOutcome:
    """Validate a source as a store handed it over (as `read_plan` asked): a post over
    `max_object_bytes` is refused from its size, its body never read; an asset from its
    size and first bytes. `check` and the validator both come through here. With `drafts`
    (a preview, never a deployed site), a post under `_drafts/` is read as a draft."""
    if is_config_source(source.key):
        return validate_site_config(source, limits)
    if (reason := _ignored(source.key, drafts)) is not None:
        return ValidationOutcome(
            source_key=source.key, kind="ignored", warnings=(Issue(message=reason),)
        )
    if (kind := asset_type(source.key)) is not None:
        return validate_asset(source, kind, limits)
    if not _is_markdown(source.key):
        return ValidationOutcome(
            source_key=source.key, kind=None, errors=(Issue(message=refusal(source.key)),)
        )
    if source.body is None:
        return _refused(source.key, _object_too_large(source.size, limits))
    return validate_post(
        source.body, source.key, first_seen=first_seen, limits=limits, layouts=layouts
    )


def validate_site_config(source: SourceObject, limits: Limits) -> ValidationOutcome:
    """The site's configuration (`pressroom.yaml`, or Jekyll's or Hugo's file)."""
    verdict = validate_config(source.key, source.body, source.size, limits)
    return ValidationOutcome(
        source_key=source.key,
        kind="config",
        site=site_source(source.key, verdict.settings) if verdict.settings else None,
        errors=verdict.errors,
        warnings=verdict.warnings,
    )


def _ignored(key: str, drafts: bool) -> str | None:
    """Why a key is never published; a post in `_drafts/` is, when drafts are previewed."""
    if drafts and in_drafts_folder(key) and _is_markdown(key):
        return None
    return ignored_reason(key)


def validate_asset(source: SourceObject, kind: AssetType, limits: Limits) -> ValidationOutcome:
    """A static file: within its type's size, its first bytes its type's, an SVG rebuilt
    from its safe parts (`svg.sanitise_svg`), a text file UTF-8."""
    key, body = source.key, source.body
    path = asset_path(key)

    def refused(message: str) -> ValidationOutcome:
        return ValidationOutcome(source_key=key, kind="asset", errors=(Issue(message=message),))

    key_bytes = len(key.encode("utf-8"))
    if key_bytes > limits.max_source_key_bytes:
        return refused(_key_too_long(key_bytes, limits))
    if problem := reserved_problem(path):
        return refused(problem)
    if source.size > kind.max_bytes or body is None:
        return refused(
            f"the file is {source.size:,} bytes, over the limit of {kind.max_bytes:,} bytes "
            f"for {kind.content_type} files; make it smaller"
        )
    if signature_problem(kind, body):
        return refused(
            f"the file does not begin as {kind.content_type} files do: it is another format "
            "under this name; save it as the type its name says"
        )
    published, content_hash = body, None
    if kind.sanitised:
        try:
            published = sanitise_svg(body)
        except SvgError as error:
            return refused(f"the SVG {error}")
        content_hash = hashlib.sha256(published).hexdigest()
    elif not kind.signatures:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            return refused(f"a text file must be UTF-8; byte {error.start + 1} is not")
    asset = AssetSummary(
        source_key=key,
        path=path,
        content_type=kind.content_type,
        cache_control=ASSET_CACHE_CONTROL,
        size=len(published) if kind.sanitised else source.size,
        content_hash=content_hash,
    )
    return ValidationOutcome(
        source_key=key,
        kind="asset",
        asset=asset,
        sanitised=published if kind.sanitised else None,
        version_id=source.version_id,
    )


def _is_markdown(key: str) -> bool:
    return key.lower().endswith(MARKDOWN_SUFFIXES)


def _key_too_long(key_bytes: int, limits: Limits) -> str:
    return (
        f"the file's path is {key_bytes:,} bytes, over the limit of "
        f"{limits.max_source_key_bytes} (max_source_key_bytes); use a shorter name"
    )


def _object_too_large(size: int, limits: Limits) -> Issue:
    return Issue(
        message=f"the file is {size:,} bytes, over the limit of {limits.max_object_bytes:,} "
        "bytes (max_object_bytes)"
    )


def _refused(source_key: str, *errors: Issue) -> ValidationOutcome:
    return ValidationOutcome(source_key=source_key, errors=errors)


@dataclass(frozen=True, kw_only=True)
class FrontMatterField:
    """Document fields one parser makes from the front matter. `FRONT_MATTER_FIELDS` holds
    them all; which keys have a meaning and which fields a content hash leaves out are read
    from there, so a new field is one entry."""

    fields: tuple[str, ...]
    """The PostDocument fields it makes; a parser of several returns them in this order."""
    keys: tuple[str, ...]
    """The front-matter keys it reads, in order of precedence (an alias after the key it
    stands for). They have a meaning here, so none of them is kept in `extra`."""
    parse: Callable[[_PostValidator, FrontMatterField, Mapping[str, Any]], Any]
    """The validator's method that reads the keys, given this entry and the fields read
    before it (by name), reporting what it cannot use."""
    also_reads: tuple[str, ...] = ()
    """Keys it reads without claiming them: another entry's (`published` is the date's
    unless it is true or false), or keys that stay in `extra` for templates (`menu`)."""
    hashed_unless: Mapping[str, object] = field(default_factory=dict)
    """Defaults of fields added since content hashes were first kept: such a field counts
    in the hash only when it differs, so a post that does not use it keeps its hash and an
    upgrade re-renders nothing."""


_DATED_BY_UPLOAD = Issue(
    field="date",
    message="no `date:` and no YYYY-MM-DD- file-name prefix; "
    "the post is dated by the file's first upload",
)


class _PostValidator:
    """Checks every field, collecting all the errors so an author can fix them in one go."""

    def __init__(
        self,
        source_key: str,
        front_matter: FrontMatter,
        first_seen: datetime,
        limits: Limits,
        layouts: frozenset[str],
        body_warnings: tuple[Issue, ...] = (),
    ) -> None:
        self.source_key = source_key
        self.data = front_matter.data
        self.front_matter = front_matter
        self.first_seen = first_seen
        self.limits = limits
        self.layouts = layouts
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.body_warnings = body_warnings
        """What the body's tags and embeds will not become (`shortcodes.py`), by line."""
        self.summary_is_derived = False

    def run(self, *, renders_body: bool) -> ValidationOutcome:
        """The outcome; with the body's HTML in the document if `renders_body`."""
        parsed: dict[str, Any] = {}
        for entry in FRONT_MATTER_FIELDS:
            value = entry.parse(self, entry, parsed)
            values = value if len(entry.fields) > 1 else (value,)
            parsed.update(zip(entry.fields, values, strict=True))
        if parsed["dated_by_upload"] and parsed["kind"] == "post":
            self.warnings.insert(0, _DATED_BY_UPLOAD)
        warnings = (*self.warnings, *self.body_warnings)
        if self.errors:
            return ValidationOutcome(
                source_key=self.source_key, errors=tuple(self.errors), warnings=warnings
            )
        canonical = {
            "source_key": self.source_key,
            **parsed,
            "extra": {
                key: _plain(value) for key, value in self.data.items() if key not in _KNOWN_KEYS
            },
            "body_markdown": self.front_matter.body,
        }
        # An undated post's date is the upload's time, which the index replaces by the
        # first upload's: it is no part of the content, or every re-upload would differ.
        hashed = {
            k: v for k, v in canonical.items() if not (k == "date" and parsed["dated_by_upload"])
        }
        # Fields added since hashes were first kept count only when set: a post that does
        # not use them keeps the hash it had, so an upgrade re-renders nothing.
        hashed = {
            k: v
            for k, v in hashed.items()
            # A summary made from the body and description is hashed with them already.
            if not (k == "excerpt" and self.summary_is_derived)
            and (k not in _HASHED_WHEN_SET or _HASHED_WHEN_SET[k] != v)
        }
        content_hash = _content_hash(hashed)
        document = PostDocument(**canonical, content_hash=content_hash, warnings=warnings)
        if renders_body:
            # Rendered once, here, rather than by every renderer that writes the page again.
            body_html = rebase_relative_links(
                render_markdown(
                    document.body_markdown, table_of_contents=document.asks_for_contents
                ),
                self.source_key,
            )
            document = document.model_copy(
                update={"body_html": body_html, "body_rendered_by": rendering_fingerprint()}
            )
        summary = document.summary()
        written = summary.model_dump_json()
        summary_bytes = len(written.encode("utf-8"))
        if not _reads_back(written, summary):
            # The indexer and the renderer read the post from this JSON: what does not read
            # back intact would fail there, out of `check`'s sight.
            problem = Issue(
                message="the post's fields do not read back as written (a Pressroom bug: "
                "please report it with this file)"
            )
        elif summary_bytes > self.limits.max_summary_bytes:
            problem = Issue(
                message=f"the title, description, tags and other front-matter fields take "
                f"{summary_bytes:,} bytes, over the limit of {self.limits.max_summary_bytes:,} "
                "(max_summary_bytes); shorten the description",
            )
        else:
            return ValidationOutcome(
                source_key=self.source_key, document=document, warnings=warnings
            )
        return ValidationOutcome(source_key=self.source_key, errors=(problem,), warnings=warnings)

    def _error(self, field: str, message: str) -> None:
        self.errors.append(Issue(field=field, message=message, line=self._line(field)))

    def _warn(self, field: str, message: str) -> None:
        self.warnings.append(Issue(field=field, message=message, line=self._line(field)))

    def _line(self, field: str) -> int | None:
        return self.front_matter.key_lines.get(field)

    def _one_line_text(self, key: str, text: str) -> bool:
        """Whether `text` shows as written wherever one line of it goes (the page's
        `<title>`, listings, the feed); else an error for `key`."""
        position = first_bidi_control(text)
        if position is None:
            return True
        self._error(
            key,
            f"{excerpt(text)} holds {describe_character(text[position])}, which reorders the "
            "text after it wherever it is shown; remove it (right-to-left text needs none)",
        )
        return False

    def _first_key(self, *keys: str) -> str | None:
        return next((key for key in keys if key in self.data), None)

    def _title(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> str:
        key = self._first_key(*entry.keys)
        if key is None:
            self.errors.append(
                Issue(
                    field=entry.keys[0],
                    message=f"required: add a `{entry.keys[0]}:` line to the front matter",
                )
            )
            return ""
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._error(key, f"must be text, not a {_kind(value)}")
            return ""
        title = " ".join(str(value).split())
        if not title:
            self._error(key, "must not be blank")
        elif len(title) > self.limits.max_title_chars:
            self._error(
                key,
                f"is {len(title):,} characters, over the limit of "
                f"{self.limits.max_title_chars} (max_title_chars)",
            )
        self._one_line_text(key, title)
        return title

    def _date(
        self, entry: FrontMatterField, parsed: Mapping[str, Any]
    ) -> tuple[datetime | None, bool, bool]:
        """The post's date, whether it is the upload's (the front matter and the file
        name give none), and whether it was written without a zone (`WrittenDate.floats`).
        A key that holds true or false gives no date: `published: false` is the draft
        flag."""
        key = next(
            (k for k in entry.keys if k in self.data and not isinstance(self.data[k], bool)),
            None,
        )
        if key is not None:
            written = self._parsed_date(key)
            return (written.instant, False, written.floats) if written else (None, False, False)
        from_name = date_from_file_name(PurePosixPath(self.source_key).name)
        if from_name is not None:
            return from_name, False, True
        # Warned of once the kind is known (`run`): a page is in no list by date.
        return parse_date(self.first_seen), True, False

    def _optional_date(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> datetime | None:
        return self._optional_written_date(entry, parsed)[0]

    def _optional_written_date(
        self, entry: FrontMatterField, parsed: Mapping[str, Any]
    ) -> tuple[datetime | None, bool]:
        """`_optional_date`, and whether it was written without a zone."""
        key = self._first_key(*entry.keys)
        written = self._parsed_date(key) if key else None
        return (written.instant, written.floats) if written else (None, False)

    def _parsed_date(self, key: str) -> WrittenDate | None:
        try:
            return parse_written_date(self.data[key])
        except ValueError as error:
            self._error(key, str(error))
            return None

    def _layout(
        self, entry: FrontMatterField, parsed: Mapping[str, Any]
    ) -> tuple[str, Literal["post", "page"]]:
        """The theme template, and whether the file is a post or a page: a page by its
        layout, by Hugo's `type: page` (the entry's last key) or by its folder. A page that
        names no layout has the theme's `page`."""
        *layout_keys, type_key = entry.keys
        key = self._first_key(*layout_keys)
        layout = "post" if key is None else self._layout_name(key)
        # Hugo's pages at the top of `content/` (`content/about.md`) are no blog's posts.
        in_pages = self.source_key.startswith(PAGES_FOLDERS) or hugo_section(self.source_key) == ""
        if layout == "page" or self.data.get(type_key) == "page" or in_pages:
            return ("page" if key is None else layout), "page"
        return layout, "post"

    def _layout_name(self, key: str) -> str:
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            self._error(key, f"must name a layout ({_names(self.layouts)})")
            return "post"
        name = value.strip()
        if key == "extends":
            name = name.removeprefix("_layouts.")
        name = name.removesuffix(".html")
        if name not in self.layouts:
            # Jekyll's minima and its kin make the home page from an `index.md` of this
            # layout: here the home page is the renderer's own.
            home = " (the home page is Pressroom's own: this file is not needed)"
            self._error(
                key,
                f"unknown layout {name!r}; the theme has {_names(self.layouts)}"
                + (home if name == "home" else ""),
            )
        return name

    def _draft(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> bool:
        key = self._first_key(*entry.keys)
        draft = key is not None and self._flag(key, default=False)
        # `published: false` makes a draft too (the key is the date's when it holds a date).
        # A file in `_drafts/` reaches here only when drafts are previewed: it is one.
        unpublished = any(self.data.get(flag) is False for flag in entry.also_reads)
        return draft or unpublished or in_drafts_folder(self.source_key)

    def _menu(
        self, entry: FrontMatterField, parsed: Mapping[str, Any]
    ) -> tuple[str | None, int | None]:
        """A page's entry in the site's navigation (its name, its weight), when it asks for
        one: Hugo's `menu` (`main`, a list naming `main`, or `{main: {name, weight}}`), or a
        `weight` or `nav_order` (Just the Docs) alone. The keys stay in `extra` as well, for
        templates."""
        menu_key, *weight_keys = entry.also_reads
        present = [key for key in entry.also_reads if key in self.data]
        if not present:
            return None, None
        if parsed["kind"] != "page":
            # A post's `weight` orders Hugo's lists: it stays in `extra`, without a word.
            if menu_key in present:
                self._warn(menu_key, "only pages appear in the site's navigation; ignored")
            return None, None
        menu = self.data.get(menu_key)
        menu_entry: dict[str, Any] = {}
        if isinstance(menu, dict):
            main = menu.get("main", {})
            menu_entry = main if isinstance(main, dict) else {}
            if "main" not in menu:
                return None, None
        elif isinstance(menu, list):
            if "main" not in menu:
                return None, None
        elif menu is not None and menu != "main":
            if not isinstance(menu, str):
                self._error(menu_key, f"must name a menu (main), not a {_kind(menu)}")
            return None, None
        name = menu_entry.get("name", parsed["title"])
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            self._error(menu_key, "the menu entry's name must be text of 1 to 100 characters")
            return None, None
        key = next((key for key in weight_keys if key in self.data), menu_key)
        weight = menu_entry.get("weight", self.data.get(key) if key != menu_key else 0)
        if isinstance(weight, bool) or not isinstance(weight, int) or abs(weight) > 10**9:
            self._error(key, f"must be a whole number, not {excerpt(weight)}")
            return None, None
        return " ".join(name.split()), weight

    def _flag(self, key: str, *, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self._error(key, f"must be true or false, not {value!r}")
            return default
        return value

    def _word_list(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> tuple[str, ...]:
        """Tags or categories: the first of the entry's keys that holds a value (the list,
        then Jekyll's singular key), else the list in Zola's table (the key it also reads)."""
        list_key, *singular_keys = entry.keys
        key = next((k for k in entry.keys if self.data.get(k) is not None), list_key)
        value = self.data.get(key)
        (table_key,) = entry.also_reads
        table = self.data.get(table_key)
        if value is None and isinstance(table, dict):
            # An error names the table, whose line is known; its entries' lines are not.
            key, value = table_key, table.get(list_key)
        # Jekyll makes the folders above a `_posts/` its posts' first categories.
        folders = _jekyll_folder_categories(self.source_key) if list_key == "categories" else []
        if value is None and not folders:
            return ()
        if value is None:
            words: Iterable[object] = []
        elif isinstance(value, str) and key in singular_keys:
            # Jekyll's `category:` is one category, spaces and all.
            words = [value]
        elif isinstance(value, str):
            words = _LIST_SEPARATORS.split(value)
        elif isinstance(value, list):
            words = value
        else:
            self._error(key, f"must be a list or a string, not a {_kind(value)}")
            return ()
        words = [*folders, *words]
        unique: dict[str, str] = {}
        for word in words:
            if isinstance(word, bool) or not isinstance(word, str | int | float):
                self._error(key, f"each entry must be text, not a {_kind(word)}")
                return ()
            text = " ".join(str(word).split())
            if text:
                unique.setdefault(text.casefold(), text)
        for text in unique.values():
            if not self._one_line_text(key, text):
                return ()
            tag_bytes = len(tag_key(text).encode("utf-8"))
            if tag_bytes > self.limits.max_tag_key_bytes:
                self._error(
                    key,
                    f"{excerpt(text)} makes a URL name of {tag_bytes:,} bytes, over the limit "
                    f"of {self.limits.max_tag_key_bytes} (max_tag_key_bytes); shorten it",
                )
                return ()
        # One index write holds a post's tag and category entries together: one limit, which
        # the categories share with the tags read before them.
        room = self.limits.max_tags - len(parsed.get("tags", ()))
        if unique and len(unique) > room:
            beside = self.limits.max_tags - room
            tags = f" beside {beside} tags" if beside else ""
            self._error(
                key,
                f"has {len(unique)} entries{tags}, over the limit of {self.limits.max_tags} "
                "(max_tags: tags and categories together)",
            )
        return tuple(unique.values())

    def _description(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> str | None:
        key = self._first_key(*entry.keys)
        value = None if key is None else self.data[key]
        if key is None or value is None or value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._error(key, f"must be text (or false), not a {_kind(value)}")
            return None
        description = " ".join(str(value).split())
        if not self._one_line_text(key, description):
            return None
        return description or None

    def _summary(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> str | None:
        """`summary` or `excerpt` as written, else the description, else the body's own."""
        key = self._first_key(*entry.keys)
        if key is None:
            self.summary_is_derived = True
            return parsed["description"] or summary_text(self.front_matter.body)
        value = self.data[key]
        if value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._error(key, f"must be text (or false), not a {_kind(value)}")
            return None
        summary = " ".join(str(value).split())
        return summary if summary and self._one_line_text(key, summary) else None

    def _image(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> str | None:
        key = self._first_key(*entry.keys)
        value = None if key is None else self.data[key]
        if key is None or value is None:
            return None
        if not isinstance(value, str):
            self._error(key, f"must be a URL, not a {_kind(value)}")
            return None
        image = value.strip()
        if not _is_image_address(image):
            self._error(
                key,
                f"{image!r} is not allowed: use an http(s) URL or a path on this site "
                "starting with /",
            )
            return None
        return image

    def _url(
        self, entry: FrontMatterField, parsed: Mapping[str, Any]
    ) -> tuple[str, str | None, str | None, str | None]:
        """The slug the post claims, its permalink as written, its own site path (None for
        `posts/<slug>/`) and its Hugo section: from a URL written whole, else from the slug
        (the entry's last key)."""
        *url_keys, slug_key = entry.keys
        key = self._first_key(*url_keys)
        if key is not None:
            return *self._own_url(key, slug_key, parsed), None
        slug = self._slug(slug_key, parsed["title"])
        if parsed["kind"] != "page" or not slug:
            return slug, None, None, self._section(slug_key, slug)
        if slug in GENERATED_FOLDERS:
            # A page is at `/<slug>/`: there it would overwrite one of the renderer's
            # listings, or be overwritten or trimmed by it.
            self._error(
                slug_key,
                f"the page would be at /{slug}/, where Pressroom writes its own listings (a "
                "Liquid or shortcode listing of the posts is not needed there): give it a "
                "`slug:` or a `permalink:` of its own, or leave it out",
            )
            return slug, None, None, None
        return slug, None, f"{slug}/", None

    def _section(self, slug_key: str, slug: str) -> str | None:
        """A post's section of Hugo's `content/` other than `posts`, where Hugo placed it
        (`content/blog/x.md` at `/blog/x/`), if it can be a page's folder here."""
        folders = hugo_section(self.source_key)
        if not folders or folders == POSTS_SECTION or not slug:
            return None
        # Hugo lower-cases its URLs, and makes each folder a URL's segment.
        section = "/".join(slugify(folder) for folder in folders.split("/"))
        try:
            page_path(f"/{section}/{slug}/")
        except ValueError as error:
            self._error(
                slug_key,
                f"in Hugo's section `{section}/`, the post would be at /{section}/{slug}/: "
                f"{error}; move it to `content/posts/` or give it a `url:` of its own",
            )
            return None
        return section

    def _own_url(
        self, key: str, slug_key: str, parsed: Mapping[str, Any]
    ) -> tuple[str, str | None, str | None]:
        """A `permalink` or `url`, kept whole: the page is published at that path, and
        claims its last segment, so two files that ask for one URL conflict. Jekyll's
        placeholders in it (`/blog/:year/:title/`) are filled from this post, its date as
        written."""
        value = self.data[key]
        if not isinstance(value, str):
            self._error(key, f"must be a path, not a {_kind(value)}")
            return "", None, None
        permalink = value.strip()
        written = permalink
        if placeholders := set(PLACEHOLDER.findall(permalink)):
            if unknown := sorted(placeholders - PERMALINK_PLACEHOLDERS):
                self._error(key, f"has placeholders Pressroom does not know: {', '.join(unknown)}")
                return "", None, None
            if parsed["date"] is None:
                return "", None, None  # the date's own error says why
            written = filled_pattern(
                permalink,
                slug=self._slug(slug_key, parsed["title"]),
                date=parsed["date"],
                categories=parsed["categories"],
                section=hugo_section(self.source_key),
            )
        try:
            path = page_path(written)
        except ValueError as error:
            self._error(key, str(error))
            return "", None, None
        slug = claimed_slug(path)
        if not slug:
            self._error(key, f"{permalink!r} ends in no URL-safe name to claim")
        # Kept even where it is `posts/<slug>/`: a URL written whole wins over the site's
        # post URL style (`SiteConfig.page_path`).
        return slug, permalink, path

    def _aliases(self, entry: FrontMatterField, parsed: Mapping[str, Any]) -> tuple[str, ...]:
        """`aliases` (Hugo) and `redirect_from` (Jekyll): the old URLs that redirect here,
        from every key that has some, less the post's own."""
        path = parsed["path"] or section_path(parsed["slug"], parsed["section"])
        aliases: list[str] = []
        for key in entry.keys:
            if key not in self.data:
                continue
            value = self.data[key]
            written = [value] if isinstance(value, str) else value
            if not isinstance(written, list) or not all(isinstance(v, str) for v in written):
                self._error(key, f"must be a path or a list of paths, not a {_kind(value)}")
                continue
            for alias in written:
                try:
                    aliases.append(page_path(alias))
                except ValueError as error:
                    self._error(key, str(error))
        unique = [alias for alias in dict.fromkeys(aliases) if alias != path]
        if len(unique) > self.limits.max_aliases:
            self._error(
                entry.keys[0],
                f"{len(unique)} old URLs; at most {self.limits.max_aliases} are kept",
            )
            return ()
        return tuple(unique)

    def _slug(self, key: str, title: str) -> str:
        if key not in self.data:
            derived = slug_from_source_key(self.source_key) or slugify(title)
            if not derived and title:
                self.errors.append(
                    Issue(
                        field=key,
                        message=f"the file name and title give no URL-safe slug; add `{key}:`",
                    )
                )
            return derived
        candidate = self.data[key]
        if not isinstance(candidate, str):
            self._error(key, f"must be text, not a {_kind(candidate)}")
            return ""
        slug = candidate.strip().lower()
        problem = slug_problem(slug)
        if problem:
            self._error(key, problem)
        return slug


FRONT_MATTER_FIELDS: tuple[FrontMatterField, ...] = (
    FrontMatterField(fields=("title",), keys=("title",), parse=_PostValidator._title),
    # `published` dates a post only when it holds a date, as Eleventy's and dev.to's do.
    FrontMatterField(
        fields=("date", "dated_by_upload", "date_floats"),
        keys=("date", "pubDate", "published", "post_date"),
        parse=_PostValidator._date,
        hashed_unless={"date_floats": False},
    ),
    FrontMatterField(
        fields=("updated",),
        keys=("updated", "lastmod", "modified", "last_modified_at"),
        parse=_PostValidator._optional_date,
    ),
    # Hugo reads its keys without regard to case: `publishdate` is `publishDate`.
    FrontMatterField(
        fields=("publish_at", "publish_at_floats"),
        keys=("publishDate", "publishdate"),
        parse=_PostValidator._optional_written_date,
        hashed_unless={"publish_at": None, "publish_at_floats": False},
    ),
    FrontMatterField(
        fields=("expires_at", "expires_at_floats"),
        keys=("expiryDate", "expirydate", "expires"),
        parse=_PostValidator._optional_written_date,
        hashed_unless={"expires_at": None, "expires_at_floats": False},
    ),
    FrontMatterField(
        fields=("layout", "kind"),
        keys=("layout", "extends", "template", "type"),
        parse=_PostValidator._layout,
        hashed_unless={"kind": "post"},
    ),
    FrontMatterField(
        fields=("draft",),
        keys=("draft",),
        also_reads=("published",),
        parse=_PostValidator._draft,
    ),
    # Zola's `[taxonomies]` table stays in `extra`: its `tags` and `categories` are read
    # here, any other taxonomy is the templates'.
    FrontMatterField(
        fields=("tags",),
        keys=("tags",),
        also_reads=("taxonomies",),
        parse=_PostValidator._word_list,
    ),
    FrontMatterField(
        fields=("description",), keys=("description",), parse=_PostValidator._description
    ),
    FrontMatterField(fields=("image",), keys=("image",), parse=_PostValidator._image),
    FrontMatterField(
        fields=("categories",),
        keys=("categories", "category"),
        also_reads=("taxonomies",),
        parse=_PostValidator._word_list,
    ),
    FrontMatterField(
        fields=("excerpt",), keys=("summary", "excerpt"), parse=_PostValidator._summary
    ),
    FrontMatterField(
        fields=("slug", "permalink", "path", "section"),
        keys=("permalink", "url", "slug"),
        parse=_PostValidator._url,
        hashed_unless={"path": None, "section": None},
    ),
    FrontMatterField(
        fields=("aliases",),
        keys=("aliases", "redirect_from"),
        parse=_PostValidator._aliases,
        hashed_unless={"aliases": ()},
    ),
    # Templates read the menu keys too, and Hugo's lists order posts by their `weight`.
    FrontMatterField(
        fields=("menu_name", "menu_weight"),
        keys=(),
        also_reads=("menu", "weight", "nav_order"),
        parse=_PostValidator._menu,
        hashed_unless={"menu_name": None, "menu_weight": None},
    ),
)
"""A post's fields (DESIGN.md, "Front matter") in the order they are read, which is the
order of their errors: a parser may use the fields above it."""

_KNOWN_KEYS = frozenset(key for entry in FRONT_MATTER_FIELDS for key in entry.keys)
"""Keys with a meaning; every other key is kept in `extra` for templates."""
_HASHED_WHEN_SET = {
    name: default for entry in FRONT_MATTER_FIELDS for name, default in entry.hashed_unless.items()
}
"""Document fields that are part of the content hash only when they differ from these."""


def _reads_back(written: str, summary: PostSummary) -> bool:
    try:
        return PostSummary.model_validate_json(written) == summary
    except ValidationError:
        return False


def _is_image_address(image: str) -> bool:
    if image.startswith("/"):
        return not image.startswith("//")
    try:
        parts = urlsplit(image)
    except ValueError:
        # A broken IPv6 host (`http://[`) or one that NFKC folds into `/`, `?` or `@`.
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _content_hash(canonical: dict[str, Any]) -> str:
    encoded = json.dumps(canonical, sort_keys=True, default=_json_default, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return format_instant(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def _plain(value: Any) -> Any:
    """Front-matter values as JSON would have them (dates and TOML's times become ISO strings)."""
    convert: Callable[[Any], Any] = _plain
    if isinstance(value, dict):
        return {str(key): convert(item) for key, item in value.items()}
    if isinstance(value, list):
        return [convert(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if value is None:
        return "empty value"
    return type(value).__name__


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in sorted(names))
