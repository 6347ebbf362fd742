"""Publication dates: parse the forms feeds and files use into a real :class:`datetime.date`.

Fast paths cover ISO forms (``2023-11-27``, ``2023-11-27 08:45:59.000000000Z``,
``2023-11-27T08:45:59+00:00``); ``dateparser`` handles the rest ("Nov 27, 2023", "27 November
2023", RFC 2822). Impossible dates (``2023-02-30``) are refused rather than guessed.

Two uses, two rules. A date a *file* declares is the file's word: :func:`read_date` keeps any real
calendar date, and :func:`date_warning` says when it is implausible for a news article (more than
a day in the future, or before 1800), so every loader keeps such a date and reports it the same
way instead of one format dropping it in silence. A date a *person types* (a filter box) goes
through :func:`parse_date`, which refuses years outside 1800..2200 as typing mistakes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_EPOCH_DAY = date(1970, 1, 1)
UNKNOWN_ORDINAL = -1_000_000  # below any representable date (0001-01-01 is -719,162)

#: Publication dates before this are reported as implausible (and kept).
EARLIEST_PLAUSIBLE = date(1800, 1, 1)
#: How far past today a publication date may lie before it is reported: a day covers time zones
#: (a story dated tomorrow in Auckland) and a clock slightly ahead.
FUTURE_SLACK = timedelta(days=1)


def parse_date(value: object) -> date | None:
    """Parse a date typed by a person (a filter box).

    Args:
        value: a string, date, datetime, epoch number, or None.

    Returns:
        The date, or None when ``value`` is empty, unreadable, or outside 1800..2200.
    """
    try:
        day = read_date(value)
    except ValueError:
        return None
    return day if day and 1800 <= day.year <= 2200 else None


def read_date(value: object) -> date | None:
    """Parse the publication date a file declares, whatever its year.

    Args:
        value: a string, date, datetime, epoch number (seconds, or milliseconds as JavaScript
            writes them), or None.

    Returns:
        The date, or None when ``value`` is None or blank.

    Raises:
        ValueError: ``value`` is not a date, or an impossible one (``2023-02-30``).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"epoch time {value!r} is out of range") from None
    text = str(value).strip()
    if not text:
        return None
    match = _ISO.match(text)
    if match:
        # A fuzzy parser would turn 2023-02-30 into some other day: refuse it instead.
        return date(int(match[1]), int(match[2]), int(match[3]))
    day = _fuzzy(text)
    if day is None:
        raise ValueError(f"not a date: {text[:40]!r}")
    return day


def _fuzzy(text: str) -> date | None:
    import dateparser  # slow import: only when a non-ISO date shows up

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None


def date_warning(day: date | None, today: date | None = None) -> str | None:
    """Why ``day`` is implausible as an article's publication date, or None when it is not.

    Args:
        day: the date a file gave (None: no date, nothing to say).
        today: the reference day (default: today, local time).

    Returns:
        One line such as ``"date 2031-09-10 is in the future (kept as given)"``, or None.
    """
    if day is None:
        return None
    today = today or date.today()
    if day > today + FUTURE_SLACK:
        return f"date {day.isoformat()} is in the future (kept as given)"
    if day < EARLIEST_PLAUSIBLE:
        return f"date {day.isoformat()} is before {EARLIEST_PLAUSIBLE.year} (kept as given)"
    return None


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
