"""cmark-gfm, called the one way every reader of a post's Markdown calls it.

The library is cmarkgfm's build of cmark-gfm, but not its Python wrapper: the wrapper
(`markdown_to_html_with_extensions`) frees neither the parse tree nor the HTML it
returns, so a warm function kept some 30 KiB a post, and a renderer grew by hundreds of
MiB over a back catalogue until Lambda would stop it for memory. The same calls are made
here through ctypes, on cmarkgfm's own shared object (the library its import has already
loaded, so one cmark and one allocator), and every allocation is given back. ctypes
rather than cffi's ABI mode: declaring functions to cffi loads a C parser, 20 ms of every
cold start.
"""

from __future__ import annotations

import ctypes
from functools import cache

from cmarkgfm import _cmark

_pointer = ctypes.c_void_p


class _Allocator(ctypes.Structure):
    """cmark's `cmark_mem`: the functions its trees and output are allocated with."""

    _fields_ = [
        ("calloc", _pointer),
        ("realloc", _pointer),
        ("free", ctypes.CFUNCTYPE(None, _pointer)),
    ]


_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "cmark_gfm_core_extensions_ensure_registered": (None, []),
    "cmark_find_syntax_extension": (_pointer, [ctypes.c_char_p]),
    "cmark_get_default_mem_allocator": (ctypes.POINTER(_Allocator), []),
    "cmark_parser_new": (_pointer, [ctypes.c_int]),
    "cmark_parser_attach_syntax_extension": (ctypes.c_int, [_pointer, _pointer]),
    "cmark_parser_feed": (None, [_pointer, ctypes.c_char_p, ctypes.c_size_t]),
    "cmark_parser_finish": (_pointer, [_pointer]),
    "cmark_parser_get_syntax_extensions": (_pointer, [_pointer]),
    "cmark_parser_free": (None, [_pointer]),
    "cmark_render_html": (_pointer, [_pointer, ctypes.c_int, _pointer]),
    "cmark_node_free": (None, [_pointer]),
}


@cache
def _library() -> ctypes.CDLL:
    library = ctypes.CDLL(_cmark.__file__)
    for name, (returns, arguments) in _SIGNATURES.items():
        function = getattr(library, name)
        function.restype, function.argtypes = returns, arguments
    library.cmark_gfm_core_extensions_ensure_registered()
    return library


@cache
def _extension(name: str) -> int:
    extension: int | None = _library().cmark_find_syntax_extension(name.encode())
    if not extension:
        raise ValueError(f"Unknown cmark-gfm extension {name}")
    return extension


def cmark_html(text: str, options: int, extensions: list[str]) -> str:
    """cmark-gfm's HTML for `text`, with the named extensions."""
    library = _library()
    attached = [_extension(name) for name in extensions]
    source = text.encode("utf-8")
    parser = library.cmark_parser_new(options)
    try:
        for extension in attached:
            library.cmark_parser_attach_syntax_extension(parser, extension)
        library.cmark_parser_feed(parser, source, len(source))
        root = library.cmark_parser_finish(parser)
        try:
            rendered = library.cmark_render_html(
                root, options, library.cmark_parser_get_syntax_extensions(parser)
            )
            try:
                html = ctypes.string_at(rendered)
            finally:
                library.cmark_get_default_mem_allocator().contents.free(rendered)
        finally:
            library.cmark_node_free(root)
    finally:
        library.cmark_parser_free(parser)
    # cmark writes a reference to U+FFFE or U+FFFF as the lone byte FE or FF (a sentinel
    # kept from utf8proc), never valid UTF-8: each such byte is shown as U+FFFD.
    return html.decode("utf-8", "replace")
