"""Publication dates: parse the forms feeds and files use into a real :class:`datetime.date`.

Fast paths cover ISO forms (``2023-11-27``, ``2023-11-27 08:45:59.000000000Z``,
``2023-11-27T08:45:59+00:00``); ``dateparser`` handles the rest ("Nov 27, 2023", "27 November
2023", RFC 2822). Impossible dates (``2023-02-30``) and years outside 1800..2200 are refused
rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_EPOCH_DAY = date(1970, 1, 1)
UNKNOWN_ORDINAL = -1_000_000  # below any plausible date (1800 is about -62,000)


def parse_date(value: object) -> date | None:
    """Parse a publication date.

    Args:
        value: a string, date, datetime, epoch number, or None.

    Returns:
        The date, or None when ``value`` is empty or not a plausible date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Epoch seconds (or milliseconds, as JavaScript feeds write them).
        seconds = value / 1000 if value > 1e11 else value
        try:
            return _plausible(datetime.utcfromtimestamp(seconds).date())
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    match = _ISO.match(text)
    if match:
        try:
            return _plausible(date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            return None  # e.g. 2023-02-30: refuse rather than let a fuzzy parser guess
    return _fuzzy(text)


def _fuzzy(text: str) -> date | None:
    import dateparser  # slow import: only when a non-ISO date shows up

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return _plausible(parsed.date()) if parsed else None


def _plausible(d: date) -> date | None:
    return d if 1800 <= d.year <= 2200 else None


def to_ordinal(d: date | None) -> int:
    """Days since 1970-01-01, stored in the vector store for range filters.

    Returns :data:`UNKNOWN_ORDINAL` for an unknown date, so undated articles fall outside every
    date range.
    """
    return (d - _EPOCH_DAY).days if d else UNKNOWN_ORDINAL


def from_ordinal(n: int | None) -> date | None:
    """Inverse of :func:`to_ordinal`."""
    if n is None or n <= UNKNOWN_ORDINAL:
        return None
    return date.fromordinal(_EPOCH_DAY.toordinal() + int(n))
