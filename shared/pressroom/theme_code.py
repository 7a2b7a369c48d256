"""The themes' Jinja environment, and their templates compiled to Python ahead of time.

Jinja turns a template into Python source and compiles that on its first use: about 30 ms
of CPU for the default theme's templates, which a renderer writing listings pays in each
cold start. The layer's build (`shared/Makefile`) runs this module over the layer's
themes: each theme's templates, its own over the default theme's, are written as Python
modules under `themes/_compiled/<theme>/`, whose bytecode the layer ships too, and
`site.Theme` loads them from there when they are there (on Lambda; not in this tree).

This module imports Jinja alone: the build runs it with the layer's wheels, built for
Lambda's machine, whose compiled extensions the build machine may not load.

    python -m pressroom.theme_code THEMES_FOLDER
"""

from __future__ import annotations

import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2

DEFAULT_THEME_NAME = "default"
"""The theme beside every other (`config.DEFAULT_THEME`), whose files another's fall back on."""
COMPILED_FOLDER = "_compiled"
"""Under a themes folder: no theme's name starts with `_` (`RendererSettings.theme`)."""

FILTERS_PASSED_CONTEXT = {"isodate": False, "humandate": True}
"""Each filter the templates call, and whether it is passed the template's context (a
compiled template calls it so): `site.Theme` sets the filters themselves."""


class ThemeEnvironment(jinja2.Environment):
    """Each template's globals as a plain dict.

    Jinja chains a template's globals to the environment's, and copies the chain on
    every render: that costs more than rendering a listing entry. The globals are set
    before any template loads and never change, so a copy taken at load time is the same.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def theme_environment(loader: jinja2.BaseLoader) -> ThemeEnvironment:
    """The environment every theme's templates are compiled and rendered in: the same
    options for both, since the compiled code depends on them."""
    return ThemeEnvironment(
        loader=loader,
        # Templates ship with the function: they cannot change under a running container.
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def source_loader(theme: Path, default: Path) -> jinja2.FileSystemLoader:
    """A theme's files: its own override the default theme's."""
    return jinja2.FileSystemLoader(list(dict.fromkeys([theme, default])))


def compiled_folder(theme: Path) -> Path:
    """Where the layer's build writes a theme's compiled templates."""
    return theme.parent / COMPILED_FOLDER / theme.name


def compile_themes(themes: Path) -> list[Path]:
    """Write each theme's templates under `themes` as Python modules; the folders written."""
    written = []
    for theme in sorted(themes.iterdir()):
        if not theme.is_dir() or theme.name.startswith(("_", ".")):
            continue
        environment = theme_environment(source_loader(theme, themes / DEFAULT_THEME_NAME))
        environment.filters.update(
            {name: _stand_in(passed) for name, passed in FILTERS_PASSED_CONTEXT.items()}
        )
        target = compiled_folder(theme)
        environment.compile_templates(target, zip=None, ignore_errors=False)
        written.append(target)
    return written


def _stand_in(passed_context: bool) -> Callable[..., str]:
    """A filter to compile calls of: a new function each time, since `pass_context` marks
    the function it is given."""

    def never_called(*_: object) -> str:
        raise AssertionError("a filter of the compiling environment is never called")

    return jinja2.pass_context(never_called) if passed_context else never_called


if __name__ == "__main__":
    for folder in compile_themes(Path(sys.argv[1])):
        print(f"compiled {folder}")
