"""Markdown to HTML the way GitHub renders it, then sanitised so nothing in it can run."""

from __future__ import annotations

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

# Raw HTML is let through cmark (UNSAFE) on purpose: authors may write
# <kbd>, <details> or a plain <a>. nh3 (ammonia) then keeps only what
# cannot run code: no scripts, event handlers, javascript:/data: URLs,
# frames, forms or styles.
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG

_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"input"}
_ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    # GitHub task lists render as disabled checkboxes (`type` is limited below).
    "input": {"checked", "disabled"},
}
_ONLY_CHECKBOXES = {"input": {"type": {"checkbox"}}}
_ALWAYS_DISABLED = {"input": {"disabled": "disabled"}}
_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML for a post body."""
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=_CMARK_OPTIONS)
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        tag_attribute_values=_ONLY_CHECKBOXES,
        set_tag_attribute_values=_ALWAYS_DISABLED,
        url_schemes=_URL_SCHEMES,
    )
