"""SLA arithmetic: business calendars, open time and deadlines (domain.md §4 and §6).

Plain Python, no Django: the Django layer loads calendars and targets from the database and
calls these functions. Every datetime in and out is aware; a naive one raises ValueError.

Conventions (to the microsecond):

* Open intervals are half-open, [open, close). A case received exactly at an opening starts at
  once; one received exactly at a closing instant (or while closed) starts at the next opening.
* ``add_open_time(start, d)`` for d > 0 returns the instant at which d of open time has been
  used, so a deadline may equal a closing instant (4 h from 13:00 with a 17:00 close is 17:00
  the same day). Every deadline therefore lies in (open, close] of some stretch of open time.
  ``add_open_time(start, 0)`` is ``next_opening(start)``.
* Open time is real elapsed time. Each local day's intervals are turned into real instants
  (24:00 is the next local day's 00:00), so a day that loses an hour to daylight saving has
  one hour less. A wall time that does not exist (spring-forward gap) or exists twice
  (fall-back) is resolved the way zoneinfo resolves ``fold=0``: an ambiguous time is its first
  occurrence; a missing time is read with the offset in force before the transition (02:30
  on a US spring-forward day becomes 03:30 daylight time; 02:00 becomes the transition itself).
* Intervals that touch, including across midnight (Sun 19:00-24:00 then Mon 00:00-24:00),
  form one stretch of open time.

Design, for speed: each local calendar year is turned once, lazily, into sorted arrays of
merged open stretches in integer epoch microseconds plus the cumulative open time before each
stretch. Adding open time or measuring it is then a couple of ``bisect`` calls; the cost grows
with the number of calendar years spanned, never with minutes. Integers keep the arithmetic
exact to the microsecond.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "NEXT_BUSINESS_DAY",
    "BusinessDayCalendar",
    "Calendar",
    "WeeklyInterval",
    "first_response_due",
    "holiday_dates",
    "parse_weekly",
]

NEXT_BUSINESS_DAY = "next_business_day"  # a target that is not a duration

MINUTES_PER_DAY = 1440
# A calendar (or business-day calendar) that finds no open time / business day in this many
# consecutive days is treated as having none at all, instead of searching forever.
MAX_CLOSED_DAYS = 366

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US_PER_SECOND = 1_000_000
_US_PER_AVERAGE_YEAR = 31_556_952 * _US_PER_SECOND  # 365.2425 days, only to guess a year
_ONE_DAY = timedelta(days=1)
# Years whose whole local span (and the next New Year's midnight) datetime can represent.
_MIN_YEAR, _MAX_YEAR = 2, 9998


@dataclass(frozen=True)
class WeeklyInterval:
    """One weekly open interval in local wall-clock time."""

    weekday: int  # 0 = Monday … 6 = Sunday (local)
    start: int  # minutes after local midnight, 0..1439
    end: int  # minutes after local midnight, start < end <= 1440 (1440 = 24:00)

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"need 0 <= start < end <= 1440 minutes, got start={self.start} end={self.end}")


# --------------------------------------------------------------------------- helpers


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")


def _to_us(value: datetime) -> int:
    """Epoch microseconds of an aware datetime (exact; faster than ``// timedelta``)."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US_PER_SECOND + delta.microseconds


def _from_us(us: int, tz: ZoneInfo) -> datetime:
    """Aware datetime in ``tz`` for epoch microseconds, with the right ``fold``."""
    seconds, micro = divmod(us, _US_PER_SECOND)
    if micro == 0:
        return datetime.fromtimestamp(seconds, tz)  # fast path; sets fold itself
    # Adding microseconds to a local datetime would drop fold=1 in a repeated hour: go via UTC.
    return (_EPOCH + timedelta(microseconds=us)).astimezone(tz)


def _load_zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:  # "America" is a folder
        raise ValueError(f"unknown time zone {time_zone!r}") from exc


def _check_dates(closed_dates: Iterable[date]) -> frozenset[date]:
    dates = frozenset(closed_dates)
    for day in dates:
        # A datetime is a date subclass but would never match a date in a set lookup.
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"closed dates must be dates, got {day!r}")
    return dates


# --------------------------------------------------------------------------- Calendar


class _Year:
    """Open time of one local calendar year, as merged stretches in epoch microseconds."""

    __slots__ = (
        "year",
        "lo",
        "hi",
        "first_ordinal",
        "starts",
        "ends",
        "cum",
        "cum_end",
        "total",
        "day_close",
    )

    def __init__(self, year: int, lo: int, hi: int, first_ordinal: int) -> None:
        self.year = year
        self.lo = lo  # first instant of the local year (its Jan 1 00:00)
        self.hi = hi  # first instant of the next local year
        self.first_ordinal = first_ordinal
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []  # open time in this year before stretch i
        self.cum_end: list[int] = []  # open time in this year up to the end of stretch i
        self.total = 0
        # Per local day: the close of its last open interval, or None if it has no open time.
        self.day_close: list[int | None] = []

    def open_before(self, t: int) -> int:
        """Open time in this year before instant t (lo <= t <= hi)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cum[i] + (t if t < end else end) - self.starts[i]


class Calendar:
    """A business calendar: a time zone, weekly open intervals in local time, closed dates.

    ``closed_dates`` close whole local days; pass every year you will compute in (see
    ``holiday_dates``). Intervals given for the same weekday may overlap or touch; they are
    merged.

    Build one per calendar row and keep it: the per-year index is built on first use (about
    1.5 ms a year) and cached on the instance. Sharing an instance between threads is safe:
    a year is published only once complete, at worst built twice.
    """

    def __init__(
        self,
        *,
        time_zone: str,
        weekly: Iterable[WeeklyInterval],
        closed_dates: Iterable[date] = (),
    ) -> None:
        self.time_zone = time_zone
        self.tz = _load_zone(time_zone)
        self.closed_dates = _check_dates(closed_dates)
        per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for interval in weekly:
            if not isinstance(interval, WeeklyInterval):
                raise ValueError(f"weekly must hold WeeklyInterval, got {interval!r}")
            per_day[interval.weekday].append((interval.start, interval.end))
        # Normalised: per weekday, sorted, overlapping or touching intervals merged.
        self._weekly: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple(_merge(sorted(spans))) for spans in per_day
        )
        self.weekly: tuple[WeeklyInterval, ...] = tuple(
            WeeklyInterval(weekday, start, end)
            for weekday, spans in enumerate(self._weekly)
            for start, end in spans
        )
        self._years: dict[int, _Year] = {}
        self._year_starts: dict[int, int] = {}
        self._last: _Year | None = None  # the year used last: most lookups hit it

    def __repr__(self) -> str:
        return (
            f"Calendar(time_zone={self.time_zone!r}, weekly={list(self.weekly)!r}, "
            f"closed_dates=<{len(self.closed_dates)} dates>)"
        )

    # ------------------------------------------------------------------ public API

    def is_open(self, instant: datetime) -> bool:
        _require_aware(instant, "instant")
        t = _to_us(instant)
        year = self._year_of(t)
        i = bisect_right(year.starts, t) - 1
        return i >= 0 and t < year.ends[i]

    def next_opening(self, instant: datetime) -> datetime:
        """The instant itself if open, else the start of the next open stretch."""
        _require_aware(instant, "instant")
        return _from_us(self._next_opening_us(_to_us(instant)), self.tz)

    def add_open_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of open time, counted from ``start``, is used up."""
        _require_aware(start, "start")
        return _from_us(self._add_us(_to_us(start), _duration_us(duration)), self.tz)

    def open_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time in [start, end); zero if end <= start."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        a, b = _to_us(start), _to_us(end)
        if b <= a:
            return timedelta(0)
        year_a, year_b = self._year_of(a), self._year_of(b)
        if year_a is year_b:
            return timedelta(microseconds=year_b.open_before(b) - year_a.open_before(a))
        total = year_a.total - year_a.open_before(a)
        for y in range(year_a.year + 1, year_b.year):
            total += self._year(y).total
        total += year_b.open_before(b)
        return timedelta(microseconds=total)

    def is_business_day(self, day: date) -> bool:
        """Whether the local date has any open time."""
        return self._day_close(_plain_date(day)) is not None

    def next_business_day_close(self, received_at: datetime) -> datetime:
        """Close of the last open interval of the first business day strictly after the
        local date on which the case was received."""
        _require_aware(received_at, "received_at")
        day = received_at.astimezone(self.tz).date()
        for _ in range(MAX_CLOSED_DAYS):
            day += _ONE_DAY
            close = self._day_close(day)
            if close is not None:
                return _from_us(close, self.tz)
        raise ValueError(f"calendar has no business day in the {MAX_CLOSED_DAYS} days after {day}")

    # ------------------------------------------------------------------ epoch-µs core

    def _next_opening_us(self, t: int) -> int:
        year = self._year_of(t)
        i = bisect_right(year.ends, t)  # first stretch that closes after t
        if i < len(year.ends):
            start = year.starts[i]
            return t if t >= start else start
        year = self._year(year.year + 1)
        if not year.starts:
            raise ValueError("calendar has no open time in a whole year")
        return year.starts[0]

    def _add_us(self, t: int, duration: int) -> int:
        if duration == 0:
            return self._next_opening_us(t)
        year = self._year_of(t)
        # Target as open time counted from the start of t's year; walk whole years if needed.
        target = year.open_before(t) + duration
        while target > year.total:
            target -= year.total
            year = self._year(year.year + 1)
            if not year.starts:
                raise ValueError("calendar has no open time in a whole year")
        # First stretch whose cumulative end reaches the target: the deadline may be its close.
        i = bisect_left(year.cum_end, target)
        return year.starts[i] + (target - year.cum[i])

    # ------------------------------------------------------------------ year index

    def _year_start(self, year: int) -> int:
        """Epoch µs of local Jan 1 00:00 of ``year``."""
        start = self._year_starts.get(year)
        if start is None:
            if not _MIN_YEAR <= year <= _MAX_YEAR + 1:
                raise ValueError(f"year {year} is outside the supported range")
            start = _to_us(datetime(year, 1, 1, tzinfo=self.tz))
            self._year_starts[year] = start
        return start

    def _year_of(self, t: int) -> _Year:
        last = self._last
        if last is not None and last.lo <= t < last.hi:
            return last
        y = 1970 + t // _US_PER_AVERAGE_YEAR  # a guess, corrected below
        while t < self._year_start(y):
            y -= 1
        while t >= self._year_start(y + 1):
            y += 1
        year = self._year(y)
        self._last = year
        return year

    def _year(self, y: int) -> _Year:
        year = self._years.get(y)
        if year is None:
            year = self._build_year(y)
            self._years[y] = year
        return year

    def _day_close(self, day: date) -> int | None:
        year = self._year(day.year)
        return year.day_close[day.toordinal() - year.first_ordinal]

    def _build_year(self, y: int) -> _Year:
        if not _MIN_YEAR <= y <= _MAX_YEAR:
            raise ValueError(f"year {y} is outside the supported range")
        tz = self.tz
        first = date(y, 1, 1)
        year = _Year(y, self._year_start(y), self._year_start(y + 1), first.toordinal())
        starts, ends, day_close = year.starts, year.ends, year.day_close
        day = first
        while day.year == y:
            weekly = self._weekly[day.weekday()]
            if not weekly or day in self.closed_dates:
                day_close.append(None)
                day += _ONE_DAY
                continue
            next_day = day + _ONE_DAY
            spans = []
            for start_min, end_min in weekly:
                s = _to_us(datetime(day.year, day.month, day.day, start_min // 60, start_min % 60, tzinfo=tz))
                if end_min == MINUTES_PER_DAY:  # 24:00 is the next local day's midnight
                    e = _to_us(datetime(next_day.year, next_day.month, next_day.day, tzinfo=tz))
                else:
                    e = _to_us(datetime(day.year, day.month, day.day, end_min // 60, end_min % 60, tzinfo=tz))
                if e > s:  # an interval inside a spring-forward gap has no real time
                    spans.append((s, e))
            # fold=0 in a gap can make real instants overlap: sort and merge again.
            spans = _merge(sorted(spans))
            day_close.append(spans[-1][1] if spans else None)
            for s, e in spans:
                if ends and s <= ends[-1]:  # touches the previous stretch (e.g. over midnight)
                    if e > ends[-1]:
                        ends[-1] = e
                else:
                    starts.append(s)
                    ends.append(e)
            day = next_day
        running = 0
        for s, e in zip(starts, ends, strict=True):
            year.cum.append(running)
            running += e - s
            year.cum_end.append(running)
        year.total = running
        return year


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge sorted (start, end) pairs that overlap or touch."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _duration_us(duration: timedelta) -> int:
    if not isinstance(duration, timedelta):
        raise ValueError(f"duration must be a timedelta, got {duration!r}")
    us = (duration.days * 86_400 + duration.seconds) * _US_PER_SECOND + duration.microseconds
    if us < 0:
        raise ValueError(f"duration must not be negative, got {duration}")
    return us


def _plain_date(day: date) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"expected a date, got {day!r}")
    return day


# --------------------------------------------------------------------------- auto-close


class BusinessDayCalendar:
    """Business days for auto-close (domain.md §6): Monday–Friday and not a closed date."""

    def __init__(self, *, time_zone: str, closed_dates: Iterable[date] = ()) -> None:
        self.time_zone = time_zone
        self.tz = _load_zone(time_zone)
        self.closed_dates = _check_dates(closed_dates)

    def __repr__(self) -> str:
        return (
            f"BusinessDayCalendar(time_zone={self.time_zone!r}, "
            f"closed_dates=<{len(self.closed_dates)} dates>)"
        )

    def is_business_day(self, day: date) -> bool:
        day = _plain_date(day)
        return day.weekday() < 5 and day not in self.closed_dates

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Same local wall-clock time on the ``days``-th business day after start's local date.

        ``days == 0`` gives start's own local date. If the wall time does not exist on the
        target date (spring-forward gap) or exists twice (fall-back), zoneinfo's ``fold=0``
        resolution applies: an ambiguous time is its first occurrence, a missing one is read
        with the pre-transition offset (02:30 in a 02:00→03:00 gap becomes 03:30). The result
        is normalised so its wall time and offset are real.
        """
        _require_aware(start, "start")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(f"days must be a non-negative int, got {days!r}")
        local = start.astimezone(self.tz)
        day = local.date()
        closed = self.closed_dates
        remaining = days
        run = 0  # consecutive non-business days: bounds the search for a broken calendar
        while remaining:
            day += _ONE_DAY
            if day.weekday() < 5 and day not in closed:
                remaining -= 1
                run = 0
            else:
                run += 1
                if run > MAX_CLOSED_DAYS:
                    raise ValueError(f"no business day in {MAX_CLOSED_DAYS} days after {day}")
        wall = datetime.combine(day, local.time().replace(fold=0), tzinfo=self.tz)
        # Round-trip through UTC so a gap time comes back as a real wall time (fold=0 reading).
        return wall.astimezone(UTC).astimezone(self.tz)


# --------------------------------------------------------------------------- targets


def first_response_due(*, received_at: datetime, target: timedelta | str, calendar: Calendar) -> datetime:
    """First-response deadline: ``target`` of open time from receipt, or next business day."""
    if isinstance(target, str):
        if target != NEXT_BUSINESS_DAY:
            raise ValueError(f"unknown target {target!r}")
        return calendar.next_business_day_close(received_at)
    return calendar.add_open_time(received_at, target)


def holiday_dates(*, country: str, subdivision: str | None = None, years: Iterable[int]) -> set[date]:
    """Dates of the public holidays of ``country`` (and ``subdivision``) as the ``holidays``
    package lists them, observed days included (``country="US"``: the federal holidays).

    An observed day is listed in the year it falls in: New Year's Day 2028 (a Saturday) is
    observed on Fri 2027-12-31, which appears only when 2027 is among ``years``. Pass every
    year the calendar will compute in, plus one on each side to be safe.
    """
    import holidays  # only here: the engine itself works on plain date sets

    return set(holidays.country_holidays(country, subdiv=subdivision, years=sorted(set(years))))


# --------------------------------------------------------------------------- parse_weekly

_DAY_NAMES = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_TIME = r"(\d{1,2}):(\d{2})"
_DAY = r"([A-Za-z]+)"
_SPAN_RE = re.compile(rf"^{_DAY}\s+{_TIME}\s*-\s*{_DAY}\s+{_TIME}$")
_DAYS_RE = re.compile(rf"^{_DAY}(?:\s*-\s*{_DAY})?\s+{_TIME}\s*-\s*{_TIME}$")


def parse_weekly(spec: str) -> list[WeeklyInterval]:
    """Parse a weekly schedule written for people into WeeklyInterval objects.

    Grammar (case-insensitive, whitespace around separators is free)::

        spec   := clause (";" clause)*
        clause := days time "-" time          same hours on each day, e.g. "Mon-Fri 09:00-17:00"
                | day time "-" day time       one span from a day and time to a later day
                                              and time, e.g. "Sun 19:00-Fri 19:00"
        days   := day | day "-" day           a range, wrapping the week if needed ("Fri-Mon")
        day    := Mon | Tue | Wed | Thu | Fri | Sat | Sun   (or the full English name)
        time   := H:MM or HH:MM, 00:00 … 24:00 (24:00 only as an end)

    In the first form the end must be after the start (no overnight shifts: write those as a
    span, e.g. "Mon 22:00-Tue 06:00"). A span runs forward from its start and wraps the
    week ("Fri 19:00-Mon 07:00" is the weekend shift); it is cut at each midnight into
    per-day intervals, which the calendar treats as one contiguous stretch. A span that starts
    and ends at the same day and time is rejected as ambiguous (use "Mon-Sun 00:00-24:00").

    Examples: "Mon-Fri 09:00-17:00"; "Sun 19:00-Fri 19:00"; "Mon-Sun 00:00-24:00";
    "Mon-Fri 08:00-12:00; Mon-Fri 13:00-17:00".
    """
    intervals: list[WeeklyInterval] = []
    clauses = [c.strip() for c in spec.split(";")]
    if not any(clauses):
        raise ValueError("empty weekly schedule")
    for clause in clauses:
        if not clause:
            continue
        span = _SPAN_RE.match(clause)
        if span:
            d1, h1, m1, d2, h2, m2 = span.groups()
            intervals.extend(
                _span_intervals(
                    _day(d1), _minutes(h1, m1, clause), _day(d2), _minutes(h2, m2, clause), clause
                )
            )
            continue
        days = _DAYS_RE.match(clause)
        if not days:
            raise ValueError(f"cannot read weekly clause {clause!r}")
        d1, d2, h1, m1, h2, m2 = days.groups()
        start, end = _minutes(h1, m1, clause), _minutes(h2, m2, clause)
        if start >= end:
            raise ValueError(f"end must be after start in {clause!r} (write overnight hours as a span)")
        first = _day(d1)
        last = _day(d2) if d2 else first
        for k in range((last - first) % 7 + 1):
            intervals.append(WeeklyInterval((first + k) % 7, start, end))
    return intervals


def _day(name: str) -> int:
    try:
        return _DAY_NAMES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown day {name!r}") from None


def _minutes(hours: str, minutes: str, clause: str) -> int:
    h, m = int(hours), int(minutes)
    value = h * 60 + m
    if m >= 60 or value > MINUTES_PER_DAY:
        raise ValueError(f"bad time {hours}:{minutes} in {clause!r}")
    return value


def _span_intervals(d1: int, t1: int, d2: int, t2: int, clause: str) -> list[WeeklyInterval]:
    if t1 == MINUTES_PER_DAY:  # "Mon 24:00" is "Tue 00:00"
        d1, t1 = (d1 + 1) % 7, 0
    if t2 == 0:  # "Tue 00:00" as an end is "Mon 24:00"
        d2, t2 = (d2 - 1) % 7, MINUTES_PER_DAY
    start, end = d1 * MINUTES_PER_DAY + t1, d2 * MINUTES_PER_DAY + t2
    if start == end or (start - end) % (7 * MINUTES_PER_DAY) == 0:
        raise ValueError(f"span {clause!r} starts where it ends")
    if end < start:
        end += 7 * MINUTES_PER_DAY  # wrap the week
    out = []
    cursor = start
    while cursor < end:
        day_index, minute = divmod(cursor, MINUTES_PER_DAY)
        stop = min(end, (day_index + 1) * MINUTES_PER_DAY)
        out.append(WeeklyInterval(day_index % 7, minute, stop - day_index * MINUTES_PER_DAY))
        cursor = stop
    return out
