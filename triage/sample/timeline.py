"""When tickets arrive: a year of Europe/Amsterdam office life, in local time and UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

START = date(2025, 1, 1)
DAYS = 365
EXPORT_AT = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
"""The moment the history was exported (midnight in Amsterdam): later events have not happened."""
OFFICE_OPEN, OFFICE_CLOSE = 8, 17

HOLIDAYS = frozenset(
    {
        date(2025, 1, 1),
        date(2025, 4, 21),
        date(2025, 4, 26),
        date(2025, 5, 5),
        date(2025, 5, 29),
        date(2025, 6, 9),
        date(2025, 12, 25),
        date(2025, 12, 26),
    }
)
_WEEKDAY = np.array([1.25, 1.05, 1.0, 1.0, 0.85, 0.06, 0.04])
_HOURS_WORKDAY = np.array(
    [
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        2.0,
        6.0,
        9.0,
        8.5,
        7.0,
        5.0,
        7.0,
        7.5,
        6.5,
        5.0,
        3.0,
        1.5,
        1.0,
        0.8,
        0.6,
        0.4,
        0.3,
    ]
)
_MONDAY_BOOST = np.array([1.0] * 8 + [1.6, 1.5, 1.3] + [1.0] * 13)
_HOURS_QUIET = np.array([0.5] * 7 + [1.0] * 14 + [0.6] * 3)


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def utc_offset(local: datetime) -> timedelta:
    """Europe/Amsterdam offset for a naive local time: +2 h in summer time, else +1 h."""
    begin = datetime.combine(_last_sunday(local.year, 3), datetime.min.time()).replace(hour=2)
    end = datetime.combine(_last_sunday(local.year, 10), datetime.min.time()).replace(hour=3)
    return timedelta(hours=2 if begin <= local < end else 1)


def to_utc(local: datetime) -> datetime:
    """Aware UTC datetime of a naive Europe/Amsterdam local time."""
    return (local - utc_offset(local)).replace(tzinfo=UTC)


def to_local(moment: datetime) -> datetime:
    """Naive Europe/Amsterdam local time of an aware datetime."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive + utc_offset(naive + timedelta(hours=1))


def day_weights() -> NDArray[np.float64]:
    """Relative ticket volume per day of the year, shape (DAYS,): weekdays, holidays, summer."""
    weights = np.empty(DAYS)
    for i in range(DAYS):
        day = START + timedelta(days=i)
        w = _WEEKDAY[day.weekday()] * (0.92 + 0.16 * i / DAYS)
        if day in HOLIDAYS:
            w *= 0.08
        elif day.month in (7, 8) or (day.month == 12 and day.day >= 22):
            w *= 0.7
        weights[i] = w
    normalised: NDArray[np.float64] = weights / weights.sum()
    return normalised


def sample_times(
    rng: np.random.Generator, n: int, around_the_clock: bool = False
) -> list[datetime]:
    """`n` naive local creation times over the year (office-hour and Monday-morning peaks).

    With `around_the_clock` (monitoring) every hour and day is equally likely.
    """
    if around_the_clock:
        days = rng.integers(0, DAYS, n)
        hours = rng.integers(0, 24, n)
    else:
        days = rng.choice(DAYS, size=n, p=day_weights())
        hours = _sample_hours(rng, days)
    seconds = rng.integers(0, 3600, n)
    base = datetime.combine(START, datetime.min.time())
    return [
        base + timedelta(days=int(d), hours=int(h), seconds=int(s))
        for d, h, s in zip(days, hours, seconds, strict=True)
    ]


def _sample_hours(rng: np.random.Generator, days: NDArray[np.int64]) -> NDArray[np.int64]:
    weekday = (np.asarray(days) + START.weekday()) % 7
    profiles = {
        "monday": _HOURS_WORKDAY * _MONDAY_BOOST,
        "workday": _HOURS_WORKDAY,
        "weekend": _HOURS_QUIET,
    }
    kinds = np.where(weekday == 0, "monday", np.where(weekday >= 5, "weekend", "workday"))
    hours = np.zeros(len(days), dtype=np.int64)
    for kind, profile in profiles.items():
        mask = kinds == kind
        hours[mask] = rng.choice(24, size=int(mask.sum()), p=profile / profile.sum())
    return hours


def is_office_hours(local: datetime) -> bool:
    """True on a working day (not weekend or public holiday) between 08:00 and 17:00 local."""
    return (
        local.weekday() < 5
        and local.date() not in HOLIDAYS
        and OFFICE_OPEN <= local.hour < OFFICE_CLOSE
    )


def next_office_time(local: datetime) -> datetime:
    """`local` itself during office hours, else the next opening (08:00 on a working day)."""
    if is_office_hours(local):
        return local
    day = local.date() if local.hour < OFFICE_OPEN else local.date() + timedelta(days=1)
    while day.weekday() >= 5 or day in HOLIDAYS:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=OFFICE_OPEN)
