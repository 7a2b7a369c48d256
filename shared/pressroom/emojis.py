"""Emoji shortcodes (`:smile:`, `:+1:`) shown as the emoji they name, as GitHub shows them."""

from __future__ import annotations

import re
from functools import cache

# A shortcode stands on its own: never inside a word, a number or an address
# (`http://x:8080:`, `10:30:00`, `/a/:b:/`), which `_glued` checks of the character before
# it (a look-behind here would cost the scan the speed of its leading literal).
_SHORTCODE = re.compile(r":[A-Za-z0-9_+-]{1,60}:(?!\w)")


def with_emoji(html: str) -> str:
    """cmark's HTML with each known shortcode in its text an emoji; code, attributes and
    unknown names (`:nope:`) stay as written."""
    names = _names() if _SHORTCODE.search(html) else {}
    parts: list[str] = []
    written = scanned = 0
    in_tag = False
    code_depth = 0
    replaced_to = -1
    # Only the stretch since the last candidate is read, with the C-speed `rfind` and
    # `count`: a post holds few shortcodes and many tags (each token of highlighted code).
    for shortcode in _SHORTCODE.finditer(html) if names else ():
        start = shortcode.start()
        # cmark escapes every `<` and `>` it writes as text: the last one before a
        # shortcode says whether it is inside a tag.
        opened, closed = html.rfind("<", scanned, start), html.rfind(">", scanned, start)
        if opened != closed:
            in_tag = opened > closed
        code_depth = max(0, code_depth + _code_opened(html, scanned, start))
        scanned = shortcode.end()
        emoji = names.get(shortcode.group(0))
        if in_tag or code_depth or emoji is None or _glued(html, start, replaced_to):
            continue
        parts += [html[written:start], emoji]
        written = replaced_to = shortcode.end()
    parts.append(html[written:])
    return "".join(parts)


def _glued(html: str, start: int, replaced_to: int) -> bool:
    """Whether a shortcode at `start` is part of a word or an address. After a colon, it
    stands alone only where a shortcode just ended: `:+1::tada:`, not `std::map:`."""
    before = html[start - 1] if start else " "
    return before.isalnum() or before in "_/" or (before == ":" and start != replaced_to)


def _code_opened(html: str, start: int, end: int) -> int:
    """How many more code elements (`<code>`, `<pre>`) open than close in a stretch."""
    return sum(
        html.count(f"<{name}", start, end) - html.count(f"</{name}", start, end)
        for name in ("code", "pre")
    )


@cache
def _names() -> dict[str, str]:
    """Every shortcode the `emoji` package knows (its GitHub and Slack aliases first, then
    Unicode's own names), as `emoji.emojize(language="alias")` reads them: one dictionary
    look-up a shortcode, where the package's own search reads its whole table for each."""
    # Imported at first use: loading its tables costs a function that renders no post
    # (the validator) a tenth of a second of its cold start.
    import emoji

    fully_qualified = emoji.STATUS["fully_qualified"]
    known = list(emoji.EMOJI_DATA.items())
    names: dict[str, str] = {}
    for char, data in known:
        if data["status"] <= fully_qualified:
            for alias in data.get("alias", []):
                names.setdefault(alias, char)
    for char, data in known:
        if data["status"] <= fully_qualified:
            names.setdefault(data["en"], char)
    return names
