"""Liquid tags (Jekyll), Hugo shortcodes and raw HTML embeds, translated before cmark reads
a post, so posts written for those generators read as their authors meant.

No template engine ever runs on an author's text: a small scanner finds each tag, and a
fixed table says what it becomes.

- `{% highlight ruby %}…{% endhighlight %}` (and Hugo's `{{< highlight go >}}`) becomes a
  fenced code block, which `highlight.py` colours like any other.
- `{% raw %}…{% endraw %}` is replaced by its content, which nothing here translates.
- `{% post_url 2010-07-21-name %}`, `{% link _posts/x.md %}` and Hugo's `ref`/`relref`
  become the site path the named file is published at, its slug made from the file name as
  `slugs.slug_from_source_key` makes it; `{{ site.baseurl }}` and `{{ site.url }}` become
  nothing (links are site-relative), `{{ "/x/" | relative_url }}` the path itself.
- `{{< figure >}}` becomes `<figure>`; `{{< youtube >}}` and `{{< vimeo >}}` a sandboxed,
  lazy frame from `EMBED_ORIGINS`; `{{< gist >}}` and `{{< tweet >}}` plain links (no
  script of another site runs here).
- `{% include %}` is dropped: it names another generator's template.
- `{{</* youtube x */>}}` is Hugo's way to show a shortcode: it prints `{{< youtube x >}}`.
- A raw `<iframe>` whose address is on the allow-list is kept, as the frame the shortcode
  makes; any other frame, and every `<script>`, `<object>`, `<embed>` and `<form>`, is
  removed with everything inside it, so nothing of it is left to print as text.

Anything else of the kind stays visible, exactly as written, and is reported as a warning
naming its line; so is a tag that cannot be translated (a video id that is not one, a
block that is never closed). Code is left alone: code blocks as cmark finds them (fenced or
indented, in lists and quotes too) and inline code spans. The sanitiser
(`markdown.sanitize_html`) still has the last word on every element written here.

The scan is linear in the post's length: a tag is at most `MAX_TAG_CHARS` long, and each
closing delimiter is searched for from a position that only moves forward.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qs, quote, urlsplit

from cmarkgfm.cmark import Options

from pressroom.assets import asset_path, asset_type
from pressroom.commonmark import cmark_html
from pressroom.models import Issue, post_path
from pressroom.slugs import slug_from_source_key

EMBED_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
"""The only sites whose frames a post may hold, and the site's CSP allows (frame-src)."""
EMBED_SANDBOX = "allow-scripts allow-same-origin allow-presentation"
"""A player runs its own script in its own origin; it may not open windows, navigate the
page, submit forms or download."""
EMBED_REFERRER_POLICY = "strict-origin-when-cross-origin"
"""The player learns the site's origin (YouTube plays nothing without one), not the page."""
EMBED_SRC = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}"
    r"|https://player\.vimeo\.com/video/[0-9]{1,12}(?:\?h=[0-9a-f]{1,20})?"
)
"""Every address a kept frame may have (the sanitiser checks each `src` against it)."""
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,12}")
# An unlisted Vimeo video plays only with its hash.
_VIMEO_HASH = re.compile(r"[0-9a-f]{1,20}")
# Frames as share dialogs wrote them over the years (youtube.com, `http:`, `//`).
_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "youtube-nocookie.com", "www.youtube-nocookie.com"}
)
_YOUTUBE_PATH = re.compile(r"/embed/([A-Za-z0-9_-]{11})")
_VIMEO_PATH = re.compile(r"/video/([0-9]{1,12})")

MAX_TAG_CHARS = 1_000
"""Longest tag read as one (a figure's caption may take a few lines); past it, or past a
blank line, an opening `{{` or `{%` is only text."""
MAX_START_TAG_CHARS = 4_000
"""Longest start tag of a raw frame, script, object, embed or form read (a map's frame
carries a long address); a longer one is left to cmark, which escapes it as text."""
MAX_WARNINGS = 20
"""Warnings a post gets for its tags; the rest are counted in one more. Warnings travel
with the post's status (an SQS message, a DynamoDB item), both bounded."""

# Where a tag, or a raw element never kept as written, may start. Longer openers first:
# `{{</*` is also `{{<`, which is also `{{`.
_OPENER = re.compile(
    r"\{\{</\*|\{\{%/\*|\{\{<|\{\{%|\{\{|\{%|<(iframe|script|object|embed|form)(?=[\s/>])",
    re.IGNORECASE,
)
_CLOSERS = {
    "{{</*": "*/>}}",
    "{{%/*": "*/%}}",
    "{{<": ">}}",
    "{{%": "%}}",
    "{{": "}}",
    "{%": "%}",
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LIQUID_END = {
    name: re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}") for name in ("raw", "highlight")
}
_HUGO_HIGHLIGHT_END = re.compile(r"\{\{(?:<\s*/\s*highlight\s*>|%\s*/\s*highlight\s*%)\}\}")
# A tag's arguments: words, quoted strings (Go's backquotes too), `name=value` pairs.
_ARGUMENT = re.compile(
    r"""\s*(?:([A-Za-z_][\w-]*)\s*=\s*)?("[^"]*"|'[^']*'|`[^`]*`|[^\s"'`=]+)\s*""", re.ASCII
)
# Liquid's output of a string through a URL filter: `{{ "/about/" | relative_url }}`.
_URL_FILTER = re.compile(r"""("[^"]*"|'[^']*')\s*\|\s*(?:relative_url|absolute_url)""")
_SITE_ROOT = frozenset({"site.baseurl", "site.url"})
# An attribute of a raw start tag, as CommonMark reads raw HTML.
_ATTRIBUTE = re.compile(
    r"""\s+([A-Za-z_:][A-Za-z0-9_.:-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""", re.ASCII
)
_START_TAG_END = re.compile(r"\s*/?>")
_REMOVED_BECAUSE = {
    "iframe": "only YouTube (youtube-nocookie.com) and Vimeo (player.vimeo.com) players are kept",
    "script": "no script of another site runs on this one",
    "object": "plugins do not run on this site",
    "embed": "plugins do not run on this site",
    "form": "a post cannot send what a reader types anywhere",
}
# An element's end tag (an `<embed>` has none).
_ELEMENT_END = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in _REMOVED_BECAUSE
    if name != "embed"
}
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,40}")
# A path a link takes as it is: nothing that could end a Markdown link or an attribute.
_PLAIN_PATH = re.compile(r"[^\s\"'<>()\[\]\\`]{0,500}")
_GIST_USER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}", re.ASCII)
_GIST_ID = re.compile(r"[A-Za-z0-9]{1,40}", re.ASCII)
_TWEET_USER = re.compile(r"[A-Za-z0-9_]{1,15}", re.ASCII)
_TWEET_ID = re.compile(r"[0-9]{1,20}", re.ASCII)
_BACKTICKS = re.compile(r"`+")
_REST_BLANK = re.compile(r"[ \t]*(?:\n|\Z)")
# A code block as cmark writes it with source positions. Raw HTML is left out of that
# rendering (no CMARK_OPT_UNSAFE), so an author's own `<pre data-sourcepos>` passes for none.
_CODE_BLOCK_LINES = re.compile(r'<pre data-sourcepos="(\d+):\d+-(\d+):\d+"')
_CODE_OPTIONS = Options.CMARK_OPT_SOURCEPOS | Options.CMARK_OPT_FOOTNOTES
# What Markdown would read as markup in a tag kept as written: each shown as itself.
_AS_WRITTEN = str.maketrans({char: f"&#{ord(char)};" for char in "&<>*_[]`\\~|"})
_EMBED_MARKER = re.compile(r"<!--pressroom-embed-(\d{1,9})-->")
_UNKNOWN_LIQUID_TAG = (
    "is shown as written: Pressroom runs no template, and translates only the Liquid tags "
    "highlight, raw, post_url, link and include"
)
_UNKNOWN_LIQUID_OUTPUT = (
    "is shown as written: Pressroom runs no template, and translates only site.baseurl, "
    "site.url and relative_url"
)
_UNKNOWN_SHORTCODE = (
    "is shown as written: Pressroom translates only the shortcodes figure, youtube, vimeo, "
    "gist, tweet, ref, relref and highlight"
)


@dataclass(frozen=True)
class Translation:
    """A post's Markdown with its tags translated, and what cmark must not see."""

    markdown: str
    """The text cmark reads."""
    embeds: tuple[str, ...] = ()
    """Each kept frame's HTML. The text holds a marker in its place (cmark's tag filter
    would escape an `<iframe>`); `place_embeds` puts it into cmark's HTML."""
    warnings: tuple[Issue, ...] = ()
    """Tags left as written or dropped, each with its line in the text translated."""
    shifted_from: tuple[int, ...] = ()
    """Lines of `markdown` from which on `shifts` says how far its lines are from the
    text's: a translation may take more lines or fewer than the tag it replaces."""
    shifts: tuple[int, ...] = ()

    def source_line(self, line: int) -> int:
        """The line of the text translated that `markdown`'s `line` comes from."""
        at = bisect_right(self.shifted_from, line) - 1
        return line + self.shifts[at] if at >= 0 else line


def translate_shortcodes(text: str) -> Translation:
    """`text` with every Liquid tag, Hugo shortcode and raw embed outside code translated."""
    if _OPENER.search(text) is None:
        return Translation(text)
    return _Translator(text).run()


def place_embeds(html_text: str, embeds: tuple[str, ...]) -> str:
    """cmark's HTML with each embed where its marker is. A marker an author wrote names at
    most an embed of the same post; any other stays a comment, which the sanitiser drops."""
    if not embeds:
        return html_text

    def embed(found: re.Match[str]) -> str:
        number = int(found.group(1))
        return embeds[number] if number < len(embeds) else found.group(0)

    return _EMBED_MARKER.sub(embed, html_text)


def embed_frame(src: str, title: str) -> str:
    """A player's frame, with every attribute the sanitiser keeps on one."""
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" '
        f'sandbox="{EMBED_SANDBOX}" loading="lazy" '
        f'referrerpolicy="{EMBED_REFERRER_POLICY}"></iframe>'
    )


def embed_address(src: str) -> tuple[str, str] | None:
    """The allowed address of a frame an author pasted, with what it shows; None when its
    address is not a YouTube or Vimeo player's."""
    try:
        parts = urlsplit("https:" + src if src.startswith("//") else src)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    if host in _YOUTUBE_HOSTS and (video := _YOUTUBE_PATH.fullmatch(parts.path)):
        return youtube_address(video.group(1)), "YouTube video"
    if host == "player.vimeo.com" and (video := _VIMEO_PATH.fullmatch(parts.path)):
        unlisted = parse_qs(parts.query).get("h", [""])[0]
        return vimeo_address(video.group(1), unlisted), "Vimeo video"
    return None


def youtube_address(video: str) -> str:
    return f"{EMBED_ORIGINS[0]}/embed/{video}"


def vimeo_address(video: str, unlisted: str = "") -> str:
    query = f"?h={unlisted}" if _VIMEO_HASH.fullmatch(unlisted) else ""
    return f"{EMBED_ORIGINS[1]}/video/{video}{query}"


class _Skip(Exception):
    """A tag that stays as written, and why."""


class _Forward:
    """The next match of a pattern at or after a position that only moves forward: one
    search serves every position up to the match it found, so a text of many openers and
    no closer is searched once, not once an opener."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.pattern = pattern
        self.text = text
        self.searched_from = -1
        self.found: re.Match[str] | None = None

    def next(self, position: int) -> re.Match[str] | None:
        stale = self.searched_from < 0 or position < self.searched_from
        if stale or (self.found is not None and self.found.start() < position):
            self.searched_from = position
            self.found = self.pattern.search(self.text, position)
        return self.found


@dataclass
class _Lines:
    """Line numbers of positions that only move forward, counted once."""

    text: str
    position: int = 0
    line: int = 1
    line_start: int = 0
    """Where the line of `position` starts."""

    def at(self, position: int) -> int:
        if position > self.position:
            self.line += self.text.count("\n", self.position, position)
            last = self.text.rfind("\n", self.position, position)
            if last >= 0:
                self.line_start = last + 1
            self.position = position
        return self.line


# In code: Liquid's raw markers, and Hugo's escaped shortcode (`{{</* x */>}}`, `{{%/* x */%}}`).
_CODE_MARKER = re.compile(
    r"\{%-?[ \t]*(?:end)?raw[ \t]*-?%\}"
    r"|(\{\{[<%])/\*(?P<escaped>[^\n]{0,1000}?)\*/([>%]\}\})"
)


class _Translator:
    """One pass over a text: what it has written so far, and what it has found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces: list[str] = []
        self.copied = 0
        """Where the text not yet written to `pieces` starts."""
        self.embeds: list[str] = []
        self.warnings: list[Issue] = []
        self.unreported = 0
        self.lines_written = 0
        self.shifted_from: list[int] = []
        self.shifts: list[int] = []
        self.lines = _Lines(text)
        self.code = code_ranges(text)
        self.next_code = 0
        self.closers = {
            opener: _Forward(re.compile(re.escape(closer)), self.text)
            for opener, closer in _CLOSERS.items()
        }
        self.blank_line = _Forward(_BLANK_LINE, self.text)
        self.ends: dict[re.Pattern[str], _Forward] = {}

    def run(self) -> Translation:
        position = 0
        while opener := _OPENER.search(self.text, position):
            code_end = self._code_end(opener.start())
            if code_end is not None:
                position = self._code(opener.start(), code_end)
            elif opener.group(1):
                position = self._element(opener)
            else:
                position = self._tag(opener)
        self.pieces.append(self.text[self.copied :])
        if self.unreported:
            more = f"{self.unreported} more tags are shown as written or dropped, as above"
            self.warnings.append(Issue(message=more))
        return Translation(
            "".join(self.pieces),
            tuple(self.embeds),
            tuple(self.warnings),
            tuple(self.shifted_from),
            tuple(self.shifts),
        )

    def _code(self, start: int, end: int) -> int:
        """In code, only what Jekyll and Hugo read there too: `{% raw %}` and
        `{% endraw %}` go (what they enclose is shown as written, as everything in code
        is), and Hugo's escape `{{</* x */>}}` shows as `{{< x >}}`. The rest is text."""
        for marker in _CODE_MARKER.finditer(self.text, start, end):
            escaped = marker.group("escaped")
            shown = "" if escaped is None else marker.group(1) + escaped + marker.group(3)
            self._replace(marker.start(), marker.end(), shown)
        return end

    def _code_end(self, position: int) -> int | None:
        """Where the code `position` is in ends, or None when it is in none."""
        while self.next_code < len(self.code) and self.code[self.next_code][1] <= position:
            self.next_code += 1
        if self.next_code < len(self.code) and self.code[self.next_code][0] <= position:
            return self.code[self.next_code][1]
        return None

    def _end(self, pattern: re.Pattern[str], position: int) -> re.Match[str] | None:
        forward = self.ends.setdefault(pattern, _Forward(pattern, self.text))
        return forward.next(position)

    def _tag(self, opener: re.Match[str]) -> int:
        start, inner_start = opener.start(), opener.end()
        closer = self.closers[opener.group(0)].next(inner_start)
        if closer is None or closer.end() - start > MAX_TAG_CHARS:
            return inner_start
        blank = self.blank_line.next(start)
        if blank is not None and blank.start() < closer.start():
            return inner_start
        end, inner = closer.end(), self.text[inner_start : closer.start()]
        try:
            match opener.group(0):
                case "{{</*" | "{{%/*":
                    shown = opener.group(0)[:3] + inner + closer.group(0)[2:]
                    self._replace(start, end, shown.translate(_AS_WRITTEN))
                    return end
                case "{%":
                    return self._liquid_tag(start, end, inner)
                case "{{":
                    return self._liquid_output(start, end, inner)
                case _:
                    return self._shortcode(start, end, inner)
        except _Skip as reason:
            return self._keep(start, end, str(reason))

    def _liquid_tag(self, start: int, end: int, inner: str) -> int:
        name, *arguments = inner.strip("-").split() or [""]
        match name:
            case "highlight":
                return self._highlight(start, end, arguments, _LIQUID_END["highlight"])
            case "raw":
                return self._raw(start, end)
            case "post_url" | "link" if len(arguments) != 1:
                raise _Skip("is shown as written: it names one file")
            case "post_url":
                # Jekyll names the post without its extension, which may hold dots.
                self._replace(start, end, _file_path(arguments[0] + ".md"))
            case "link":
                self._replace(start, end, _file_path(arguments[0]))
            case "include" | "include_relative":
                dropped = "is dropped: an include is a part of another generator's templates"
                self._warn(start, end, dropped)
                self._replace(start, end, "")
            case _:
                return self._keep(start, end, _UNKNOWN_LIQUID_TAG)
        return end

    def _liquid_output(self, start: int, end: int, inner: str) -> int:
        expression = inner.strip("-").strip()
        if expression in _SITE_ROOT:
            # Links are site-relative: the site's address is never needed before a path.
            self._replace(start, end, "")
        elif filtered := _URL_FILTER.fullmatch(expression):
            self._replace(start, end, _site_path(filtered.group(1)[1:-1]))
        else:
            return self._keep(start, end, _UNKNOWN_LIQUID_OUTPUT)
        return end

    def _shortcode(self, start: int, end: int, inner: str) -> int:
        positional, named = _arguments(inner)
        name, given = positional[0], positional[1:]
        match name:
            case "highlight":
                return self._highlight(start, end, given, _HUGO_HIGHLIGHT_END)
            case "figure":
                self._replace(start, end, _figure(named))
            case "youtube" | "vimeo":
                video, title = named.get("id") or _first(given), named.get("title")
                self._embed(start, end, *_player(name, video, title))
            case "gist":
                self._replace(start, end, _gist(given))
            case "tweet" | "x":
                post = named.get("id") or _first(given)
                self._replace(start, end, _post_on_x(named.get("user", ""), post))
            case "ref" | "relref":
                self._replace(start, end, _file_path(named.get("path") or _first(given)))
            case _:
                return self._keep(start, end, _UNKNOWN_SHORTCODE)
        return end

    def _highlight(
        self, start: int, end: int, arguments: list[str], end_tag: re.Pattern[str]
    ) -> int:
        """The block up to its end tag as fenced code, in the language named first."""
        close = self._end(end_tag, end)
        if close is None:
            raise _Skip("is shown as written: no end tag closes the block")
        language = arguments[0] if arguments and _LANGUAGE.fullmatch(arguments[0]) else ""
        self.lines.at(start)
        margin = self.text[self.lines.line_start : start]
        # The code starts on the line after the tag, or right after it.
        after_tag = _REST_BLANK.match(self.text, end)
        code_start = after_tag.end() if after_tag else end
        code_end = max(self.text.rfind("\n", code_start, close.start()) + 1, code_start)
        closing_margin = self.text[code_end : close.start()]
        if not _is_margin(closing_margin):
            code_end, closing_margin = close.start(), ""
        code = self.text[code_start:code_end]
        if code and not code.endswith("\n"):
            code += "\n"
        longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
        fence = "`" * max(3, longest + 1)
        opening = ("" if _is_margin(margin) else "\n") + fence + language + "\n"
        after_close = "" if _REST_BLANK.match(self.text, close.end()) else "\n"
        self._replace(start, close.end(), opening + code + closing_margin + fence + after_close)
        return close.end()

    def _raw(self, start: int, end: int) -> int:
        close = self._end(_LIQUID_END["raw"], end)
        if close is None:
            raise _Skip("is shown as written: no {% endraw %} closes it")
        self._replace(start, close.end(), self.text[end : close.start()])
        return close.end()

    def _element(self, opener: re.Match[str]) -> int:
        """A raw `<iframe>`, `<script>`, `<object>`, `<embed>` or `<form>`: a player's frame
        kept, anything else removed with its content (or, never closed, its start tag)."""
        name = opener.group(1).lower()
        start, position = opener.start(), opener.end()
        limit = min(len(self.text), start + MAX_START_TAG_CHARS)
        attributes: dict[str, str] = {}
        while attribute := _ATTRIBUTE.match(self.text, position, limit):
            value = attribute.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            attributes.setdefault(attribute.group(1).lower(), html.unescape(value))
            position = attribute.end()
        tag_end = _START_TAG_END.match(self.text, position, limit)
        if tag_end is None:
            return opener.end()  # Not a tag, for cmark either: text.
        end = tag_end.end()
        if name in _ELEMENT_END and (close := self._end(_ELEMENT_END[name], end)):
            end = close.end()
        if name == "iframe" and (allowed := embed_address(attributes.get("src", ""))):
            src, shows = allowed
            self._embed(start, end, src, attributes.get("title") or shows)
            return end
        self._warn(start, end, f"is removed, with its content: {_REMOVED_BECAUSE[name]}")
        self._replace(start, end, "")
        return end

    def _embed(self, start: int, end: int, src: str, title: str) -> None:
        self._replace(start, end, f"<!--pressroom-embed-{len(self.embeds)}-->")
        self.embeds.append(embed_frame(src, title))

    def _keep(self, start: int, end: int, reason: str) -> int:
        self._warn(start, end, reason)
        tag = self.text[start:end]
        shown = tag.translate(_AS_WRITTEN)
        if shown != tag:
            self._replace(start, end, shown)
        return end

    def _warn(self, start: int, end: int, reason: str) -> None:
        """A warning that the tag (or element) from `start` to `end` is `reason`."""
        if len(self.warnings) < MAX_WARNINGS:
            message = f"{_quoted(self.text[start:end])} {reason}"
            self.warnings.append(Issue(message=message, line=self.lines.at(start)))
        else:
            self.unreported += 1

    def _replace(self, start: int, end: int, replacement: str) -> None:
        before = self.text[self.copied : start]
        self.pieces += [before, replacement]
        self.lines_written += before.count("\n") + replacement.count("\n")
        self.copied = end
        shift = self.lines.at(end) - 1 - self.lines_written
        if shift != (self.shifts[-1] if self.shifts else 0):
            self.shifted_from.append(self.lines_written + 1)
            self.shifts.append(shift)


def _is_margin(text: str) -> bool:
    """Whether `text`, before a block on its line, is only indentation and quote markers."""
    return not text.strip(" \t>")


def _quoted(tag: str) -> str:
    shown = " ".join(tag.split())
    return f"`{shown if len(shown) <= 60 else shown[:57] + '...'}`"


def _first(values: list[str]) -> str:
    return values[0] if values else ""


def _arguments(inner: str) -> tuple[list[str], dict[str, str]]:
    """A shortcode's name and positional arguments, and its named ones."""
    positional: list[str] = []
    named: dict[str, str] = {}
    position = 0
    while position < len(inner):
        argument = _ARGUMENT.match(inner, position)
        if argument is None or argument.end() == position:
            raise _Skip("is shown as written: its arguments cannot be read")
        value = argument.group(2)
        if value[:1] in ('"', "'", "`"):
            value = value[1:-1]
        if argument.group(1):
            named[argument.group(1).lower()] = value
        else:
            positional.append(value)
        position = argument.end()
    if not positional:
        raise _Skip("is shown as written: it names no shortcode")
    return positional, named


def _site_path(path: str) -> str:
    """A path as Jekyll's `relative_url` gives it on a site at the root."""
    if not _PLAIN_PATH.fullmatch(path):
        raise _Skip("is shown as written: the path holds spaces, quotes or brackets")
    return path if path.startswith("/") or urlsplit(path).scheme else "/" + path


def _file_path(reference: str) -> str:
    """The site path of a file an author names (`_posts/2010-07-21-name.md`, Hugo's
    `posts/name` or `name.md#part`): a post's page, its slug from the file's name as the
    validator makes it, or a static file's own path."""
    if not _PLAIN_PATH.fullmatch(reference):
        raise _Skip("is shown as written: it names no file")
    key, _, part = reference.partition("#")
    fragment = f"#{part}" if part else ""
    key = key.strip("/")
    if not key:
        return fragment or "/"
    if asset_type(key) is not None:
        return "/" + quote(asset_path(key), safe="/%~+")
    if PurePosixPath(key).suffix.lower() not in (".md", ".markdown"):
        key += ".md"
    slug = slug_from_source_key(key)
    if not slug:
        raise _Skip("is shown as written: no post's address can be made from its file name")
    return f"/{post_path(slug)}{fragment}"


def _figure(named: dict[str, str]) -> str:
    """Hugo's figure: an image with its caption (Hugo's alt text is its caption unless
    given); its title before the caption, its link around the image."""
    src = named.get("src")
    if not src:
        raise _Skip("is shown as written: a figure needs src")
    title, caption = named.get("title", ""), _inline_markdown(named.get("caption", ""))
    alt = named.get("alt", _plain_text(caption))
    image = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}"'
    for size in ("width", "height"):
        if size in named:
            image += f' {size}="{html.escape(named[size])}"'
    image += ">"
    if link := named.get("link"):
        image = f'<a href="{html.escape(link)}">{image}</a>'
    captioned = " ".join(
        part
        for part in (
            f"<strong>{html.escape(title)}</strong>" if title else "",
            caption,
        )
        if part
    )
    if captioned:
        image += f"<figcaption>{captioned}</figcaption>"
    return f"<figure>{image}</figure>"


def _inline_markdown(text: str) -> str:
    """A caption's Markdown, as Hugo renders it (`markdownify`): emphasis, code and links
    in one paragraph, without the paragraph. Raw HTML in it is escaped, as everywhere a
    shortcode's parameters go; the page's sanitiser sees the rest."""
    if not text:
        return ""
    rendered = cmark_html(text.replace("\n", " "), _CAPTION_OPTIONS, []).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>"):
        rendered = rendered[3:-4]
    return rendered


def _plain_text(markup: str) -> str:
    """The text of a caption's HTML, for the image's alt text (Hugo's `plainify`)."""
    return html.unescape(_MARKUP.sub("", markup))


_MARKUP = re.compile(r"<[^>]*>")

_CAPTION_OPTIONS = Options.CMARK_OPT_DEFAULT
"""cmark's default: raw HTML is left out (an `<!-- raw HTML omitted -->` note), and
unsafe link schemes are dropped."""


def _player(name: str, video: str, title: str | None) -> tuple[str, str]:
    """The address and title of Hugo's youtube or vimeo shortcode's frame."""
    if name == "youtube":
        if not _YOUTUBE_ID.fullmatch(video):
            raise _Skip("is shown as written: a YouTube video id is 11 letters, digits, - or _")
        return youtube_address(video), title or "YouTube video"
    if not _VIMEO_ID.fullmatch(video):
        raise _Skip("is shown as written: a Vimeo video id is a number")
    return vimeo_address(video), title or "Vimeo video"


def _gist(given: list[str]) -> str:
    user, gist = [*given, "", ""][:2]
    if not (_GIST_USER.fullmatch(user) and _GIST_ID.fullmatch(gist)):
        raise _Skip("is shown as written: a gist is named by its user and its id")
    return f'<a href="https://gist.github.com/{user}/{gist}">{user}/{gist} on GitHub Gist</a>'


def _post_on_x(user: str, post: str) -> str:
    if not _TWEET_ID.fullmatch(post) or (user and not _TWEET_USER.fullmatch(user)):
        raise _Skip("is shown as written: a post on X is named by its number (and user)")
    if not user:
        return f'<a href="https://x.com/i/status/{post}">A post on X</a>'
    return f'<a href="https://x.com/{user}/status/{post}">A post by @{user} on X</a>'


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Where `text` holds code, in order: the lines of each code block cmark finds, and the
    inline code spans between them."""
    blocks: list[tuple[int, int]] = []
    # Footnotes' blocks are written at the end of the HTML, out of order.
    found = list(_CODE_BLOCK_LINES.finditer(cmark_html(text, _CODE_OPTIONS, [])))
    if found:
        line_starts = [0, *(newline.end() for newline in re.finditer("\n", text))]
        line_starts.append(len(text))
        for block in found:
            first, last = int(block.group(1)), int(block.group(2))
            # A block that runs to the end of the text ends on its last line.
            last = min(max(last, first), len(line_starts) - 1)
            blocks.append((line_starts[first - 1], line_starts[last]))
        blocks.sort()
    ranges: list[tuple[int, int]] = []
    prose_start = 0
    for block_start, block_end in [*blocks, (len(text), len(text))]:
        ranges += _code_spans(text, prose_start, block_start)
        if block_end > block_start:
            ranges.append((block_start, block_end))
        prose_start = max(prose_start, block_end)
    return ranges


def _code_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Inline code spans between `start` and `end`: a run of backticks to the next run of
    as many in the same paragraph (a backslash before a run escapes its first backtick)."""
    for paragraph_start, paragraph_end in _paragraphs(text, start, end):
        runs: list[tuple[int, int]] = []
        for run in _BACKTICKS.finditer(text, paragraph_start, paragraph_end):
            run_start = run.start() + (run.start() > 0 and text[run.start() - 1] == "\\")
            if run_start < run.end():
                runs.append((run_start, run.end()))
        # Each run's next run of the same length, found in one pass from the end.
        next_same: list[int | None] = [None] * len(runs)
        last_of_length: dict[int, int] = {}
        for number in range(len(runs) - 1, -1, -1):
            length = runs[number][1] - runs[number][0]
            next_same[number] = last_of_length.get(length)
            last_of_length[length] = number
        number = 0
        while number < len(runs):
            closing = next_same[number]
            if closing is None:
                number += 1
                continue
            yield runs[number][0], runs[closing][1]
            number = closing + 1


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for blank in _BLANK_LINE.finditer(text, start, end):
        yield start, blank.start()
        start = blank.end()
    yield start, end
