"""Local files to content-bucket keys, the same way for `check` and `publish`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pressroom.assets import WELL_KNOWN
from pressroom.exceptions import PressroomError
from pressroom.ports import SourceObject


def collect_sources(paths: Iterable[Path]) -> list[tuple[str, Path]]:
    """(key, file) pairs: a file keeps its name; a folder gives every file in it, keyed by
    relative path, whatever its type (the validator says what each is), except hidden ones
    (`.git/`, `.DS_Store`), which are no part of a site, but `.well-known/` (the validator
    ignores hidden keys in the bucket, which `aws s3 sync` uploads)."""
    sources: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            found = sorted(
                file
                for file in path.rglob("*")
                if file.is_file()
                and not any(
                    part.startswith(".") and part != WELL_KNOWN
                    for part in file.relative_to(path).parts
                )
            )
            pairs = [(file.relative_to(path).as_posix(), file) for file in found]
        elif path.is_file():
            pairs = [(path.name, path)]
        else:
            raise PressroomError(f"{path}: no such file or folder")
        for key, file in pairs:
            if key in sources and sources[key] != file:
                raise PressroomError(f"{file} and {sources[key]} would both be uploaded as {key!r}")
            sources[key] = file
    return sorted(sources.items())


def read_source(path: Path, key: str, *, max_bytes: int, whole: bool = True) -> SourceObject:
    """A local file as the content bucket hands an object over: its size first, its body
    only within `max_bytes`, and never more than `max_bytes` + 1 bytes of it read (a file
    that grows meanwhile is still caught as too large). Not `whole`: its first `max_bytes`
    bytes, whatever its size."""
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        if not whole:
            return SourceObject(key=key, size=size, body=file.read(max_bytes))
        if size > max_bytes:
            return SourceObject(key=key, size=size, body=None)
        body = file.read(max_bytes + 1)
    return SourceObject(key=key, size=max(size, len(body)), body=body)
