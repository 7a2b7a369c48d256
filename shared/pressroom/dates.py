"""Front-matter dates to UTC instants."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import NamedTuple

from pressroom.models import excerpt, format_instant

# `YYYY-MM-DD-` at the start of a file name, as Jekyll names posts.
_FILE_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

DATE_FORMS = (
    "epoch seconds, ISO 8601 (2020-10-10T16:30:00+02:00), YYYY-MM-DD[ HH:MM[:SS]] or Jul 01 2022"
)
# A day written with its month's English name, as Astro's and WordPress exports' `pubDate`
# have it. strptime reads month names in the C locale, which is the Lambda runtime's.
_MONTH_NAME_FORMS = ("%b %d %Y", "%b %d, %Y", "%B %d %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")


class WrittenDate(NamedTuple):
    instant: datetime
    """In UTC, whole seconds; a date or time written without a zone taken as UTC."""
    floats: bool
    """Written without a zone (`2022-06-01`, `2022-06-01 09:30`): a wall-clock time, which
    the site's `timezone` places (`SiteConfig.when`)."""


def parse_date(value: object) -> datetime:
    """An instant in UTC, whole seconds, from any date form front matter uses.

    Raises ValueError, with a message for the author, when `value` is no date.
    A date or time without a zone is taken as UTC.
    """
    return parse_written_date(value).instant


def parse_written_date(value: object) -> WrittenDate:
    """`parse_date`, saying whether the date was written without a zone."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date; write {DATE_FORMS}")
    if isinstance(value, int | float):
        instant = _from_number(value)
    elif isinstance(value, datetime):
        instant = value
    elif isinstance(value, date):
        instant = datetime.combine(value, time())
    elif isinstance(value, str):
        instant = _parse_date_text(value.strip())
    else:
        raise ValueError(f"expected a date, found a {type(value).__name__}; write {DATE_FORMS}")
    floats = instant.tzinfo is None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    try:
        return WrittenDate(instant.astimezone(UTC).replace(microsecond=0), floats)
    except OverflowError:
        # 0001-01-01T00:00+01:00 is a real datetime, but its UTC instant is before year 1.
        raise ValueError(f"{instant.isoformat()} is out of range in UTC") from None


def _from_number(seconds: float) -> datetime:
    compact = _compact_date(seconds)
    if compact is not None:
        # YAML, TOML and JSON read 20200101 as a number, fromisoformat reads "20200101" as a
        # date: either way one spelling would silently mean 1970 and the other 2020.
        raise ValueError(
            f"{seconds} is ambiguous: the date {compact} without its dashes, or "
            f"{format_instant(_from_epoch(seconds))} in epoch seconds; write {compact} "
            "(or the instant meant, in ISO 8601)"
        )
    return _from_epoch(seconds)


def _compact_date(number: float) -> str | None:
    """`2020-01-01` for 20200101: an eight-digit number that is also a real date."""
    if not isinstance(number, int) or not 10_000_000 <= number <= 99_999_999:
        return None
    try:
        return date(number // 10_000, number // 100 % 100, number % 100).isoformat()
    except ValueError:
        return None


def _from_epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{excerpt(seconds)} is out of range for epoch seconds") from None


def _parse_date_text(text: str) -> datetime:
    if _NUMBER.fullmatch(text):
        # Digits are a number however they are quoted: "20200101" means what 20200101 does.
        return _from_number(float(text) if "." in text else int(text))
    try:
        # RFC 3339 allows `t` and `z` in lower case; fromisoformat takes only upper case.
        return datetime.fromisoformat(text.upper())
    except ValueError:
        pass
    for form in _MONTH_NAME_FORMS:
        try:
            return datetime.strptime(text, form)  # no zone: parse_date takes it as UTC
        except ValueError:
            continue
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
