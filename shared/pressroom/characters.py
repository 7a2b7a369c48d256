"""Characters that text from an author or an uploader must not carry where it is shown.

Three audiences, three sets:
- a page or a feed: XML 1.0 (section 2.2) forbids the C0 controls other than tab,
  LF and CR, lone surrogates and U+FFFE/U+FFFF, and one such character makes a
  whole feed unreadable. DEL and the C1 controls are allowed there but are no
  text either (U+0085 is a line break to some readers, U+009B starts a terminal
  command), so they are refused with the rest;
- a one-line field (a title, a tag): the explicit bidi embeddings, overrides and
  isolates of UAX #9. One left open reverses everything after it, in the page's
  `<title>` and every listing; right-to-left text needs none of them;
- a terminal: everything above, plus line and paragraph separators, which move
  the cursor or rewrite what is on screen.
"""

from __future__ import annotations

import re
import unicodedata

_UNPUBLISHABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# HTML's parser also reports the noncharacters (U+FDD0 to U+FDEF and the last two code
# points of every plane) as errors, which XML allows. The other planes' are found among
# all their characters, a range, and told apart by `_as_html_reads_its_reference`: a class
# of the 32 single characters made each search ten times slower over any text (250 µs
# against 23 for a post of 8 KB). The other planes' characters are rare (emoji): a body
# of nothing else, the worst case, takes 60 ms a MiB (11 with the class).
_NOT_IN_A_PAGE = re.compile(_UNPUBLISHABLE.pattern[:-1] + "\ufdd0-\ufdef\U00010000-\U0010ffff]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069]"
)


def first_unpublishable(text: str) -> int | None:
    """Where the first character that no page or feed can carry is, if there is one."""
    found = _UNPUBLISHABLE.search(text)
    return found.start() if found else None


def replace_unpublishable(text: str) -> str:
    """`text` with each character that no page or feed can carry, noncharacters included,
    replaced as HTML's parser replaces a character reference to it: a C1 control by the
    windows-1252 character of that code (`&#128;` is €, `&#153;` ™), any other by U+FFFD."""
    return _NOT_IN_A_PAGE.sub(_as_html_reads_its_reference, text)


def _as_html_reads_its_reference(found: re.Match[str]) -> str:
    char = found.group()
    if char > "\uffff" and ord(char) & 0xFFFE != 0xFFFE:
        return char
    if "\x80" <= char <= "\x9f":
        # The five codes windows-1252 leaves undefined decode to U+FFFD.
        return char.encode("latin-1").decode("cp1252", "replace")
    return "\ufffd"


def strip_bidi_controls(text: str) -> str:
    """`text` without explicit bidi embeddings, overrides and isolates: for text cut from a
    post's body to stand alone (a summary), where an unclosed one would run on."""
    return _BIDI_CONTROLS.sub("", text)


def first_bidi_control(text: str) -> int | None:
    """Where the first explicit bidi embedding, override or isolate is, if there is one."""
    found = _BIDI_CONTROLS.search(text)
    return found.start() if found else None


def describe_character(char: str) -> str:
    """`U+0007, a control character`: what an author needs to find and remove it."""
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"{code}, half a character (a lone surrogate)"
    if char in "\ufffe\uffff":
        return f"{code}, a noncharacter"
    name = unicodedata.name(char, "")
    return f"{code} ({name})" if name else f"{code}, a control character"


def for_terminal(text: str) -> str:
    """`text` with every character a terminal would obey rather than show written as an
    escape (`\\x1b`, `\\u202e`), so that a file name or a title cannot redraw the screen."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
