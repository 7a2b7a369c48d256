"""Emoji shortcodes (`:smile:`, `:+1:`) shown as the emoji they name, as GitHub shows them."""

from __future__ import annotations

import re
from functools import cache

# A shortcode stands on its own: never inside a word, a number or an address
# (`http://x:8080:`, `10:30:00`, `/a/:b:/`). One right after another (`:+1::tada:`) is
# checked in `_emoji`.
_SHORTCODE = re.compile(r"(?<![\w/]):[A-Za-z0-9_+-]{1,60}:(?!\w)")
# cmark escapes every `<` it writes as text, so each `<` in its HTML starts a tag (or a
# comment); text is what lies between them.
_TAG = re.compile(r"<[^>]*>")
_CODE_TAG = re.compile(r"<(/?)(?:code|pre)\b", re.IGNORECASE)


def with_emoji(html: str) -> str:
    """cmark's HTML with each known shortcode in its text an emoji; code, attributes and
    unknown names (`:nope:`) stay as written."""
    if ":" not in html:
        return html
    parts: list[str] = []
    code_depth = 0
    written = 0
    for tag in _TAG.finditer(html):
        text = html[written : tag.start()]
        parts += [text if code_depth else _emoji(text), tag.group(0)]
        written = tag.end()
        if code := _CODE_TAG.match(tag.group(0)):
            code_depth = max(0, code_depth + (-1 if code.group(1) else 1))
    parts.append(html[written:] if code_depth else _emoji(html[written:]))
    return "".join(parts)


def _emoji(text: str) -> str:
    if ":" not in text:
        return text
    names = _names()
    replaced_to = -1

    def shown(shortcode: re.Match[str]) -> str:
        nonlocal replaced_to
        start = shortcode.start()
        # After a colon, only where a shortcode just ended: `:+1::tada:`, not `std::map:`.
        if start > 0 and text[start - 1] == ":" and start != replaced_to:
            return shortcode.group(0)
        emoji = names.get(shortcode.group(0))
        if emoji is None:
            return shortcode.group(0)
        replaced_to = shortcode.end()
        return emoji

    return _SHORTCODE.sub(shown, text)


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
