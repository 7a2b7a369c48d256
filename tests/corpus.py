"""The shared corpus (../shared/corpus): real and hostile files with what must happen to each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
SEED = CORPUS / "good" / "armenia-azerbaijan-truce.md"


@dataclass(frozen=True)
class CorpusCase:
    group: str
    name: str
    expected: dict[str, Any]

    @property
    def path(self) -> Path:
        return CORPUS / self.group / self.name

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


@cache
def expectations() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CORPUS / "EXPECTED.json").read_text(encoding="utf-8"))
    return loaded


def cases(group: str | None = None) -> list[CorpusCase]:
    return [
        CorpusCase(name_group, name, expected)
        for name_group in ("good", "bad")
        if group in (None, name_group)
        for name, expected in sorted(expectations()[name_group].items())
    ]
