"""Front-matter dates to UTC instants."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from pressroom.models import excerpt

# `YYYY-MM-DD-` at the start of a file name, as Jekyll names posts.
_FILE_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")

DATE_FORMS = "epoch seconds, ISO 8601 (2020-10-10T16:30:00+02:00) or YYYY-MM-DD[ HH:MM[:SS]]"


def parse_date(value: object) -> datetime:
    """An instant in UTC, whole seconds, from any date form front matter uses.

    Raises ValueError, with a message for the author, when `value` is no date.
    A date or time without a zone is taken as UTC.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date; write {DATE_FORMS}")
    if isinstance(value, int | float):
        instant = _from_epoch(value)
    elif isinstance(value, datetime):
        instant = value
    elif isinstance(value, date):
        instant = datetime.combine(value, time())
    elif isinstance(value, str):
        instant = _parse_date_text(value.strip())
    else:
        raise ValueError(f"expected a date, found a {type(value).__name__}; write {DATE_FORMS}")
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    try:
        return instant.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        # 0001-01-01T00:00+01:00 is a real datetime, but its UTC instant is before year 1.
        raise ValueError(f"{instant.isoformat()} is out of range in UTC") from None


def _from_epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{excerpt(seconds)} is out of range for epoch seconds") from None


def _parse_date_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return _from_epoch(float(text))
    raise ValueError(f"{excerpt(text)} is not a date; write {DATE_FORMS}")


def date_from_file_name(name: str) -> datetime | None:
    """The date in a Jekyll-style `2016-04-21-title.md` name, if there is a real one."""
    match = _FILE_NAME_DATE.match(name)
    if not match:
        return None
    try:
        year, month, day = (int(part) for part in match.groups())
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
