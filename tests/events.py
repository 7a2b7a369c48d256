"""Event payloads in the shapes AWS sends, from events/ (also used with `sam local invoke`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


def s3_notification(event_file: str) -> str:
    """The S3 notification an SQS event file carries, as the message body string."""
    body: str = load_event(event_file)["Records"][0]["body"]
    return body
