"""Private: robfig/cron v3's ``SpecSchedule.Next``, step for step, on integer Unix seconds.

``spec.go`` finds the next run by walking a ``time.Time`` field by field (month, day, hour,
minute, second) with Go's own calendar operations: ``time.Date`` (which resolves a wall time in
a gap or a fold in its own way), ``AddDate``, ``Add`` and ``Truncate``. Its answers in daylight
saving transitions follow from those operations, so this module reproduces the operations, not
a cron "meaning":

- :func:`go_date` is ``time.Date``: the wall time read as UTC, then shifted by the offset found
  at that instant, and if the result falls outside that offset's period, by the offset found
  at the result (``time.go``, ``Date``). A wall time in a spring-forward gap therefore moves
  forward by the gap; one in a fold gets the offset in force at ``wall - offset``, which is the
  later (winter) reading east of Greenwich and the earlier (summer) one west of it.
- ``Add`` is instant arithmetic; ``AddDate`` is ``go_date`` of the wall fields plus the months
  or days; ``Truncate(time.Minute)`` floors the instant (not the wall time) to a minute.

Offsets come from :class:`zoneinfo.ZoneInfo`. To take several steps at once where no offset
changes (the steps then add up to plain arithmetic), :class:`Offsets` keeps, per UTC year, the
instants where a zone's offset changes, found by sampling the offset once a day and bisecting
each change to the second. That finds every change as long as no two changes are less than a
day apart; in the tz database the closest two are about four days apart
(``tests/test_cron.py::test_offset_changes_are_days_apart`` checks every zone). Nothing
here does wall-clock arithmetic on :class:`datetime.datetime`.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta, tzinfo
from functools import cache
from typing import Final

__all__ = ["STAR", "Offsets", "civil", "days_from_civil", "go_date", "next_spec"]

#: robfig's ``starBit``: set in a field's bits when the field had a ``*`` or ``?`` (no step).
STAR: Final = 1 << 63

_DAY: Final = 86_400
_EPOCH: Final = datetime(1970, 1, 1)
#: The instants Python's datetime can show (years 1 to 9999), with a day of margin.
_LOWEST: Final = -62_135_596_800 + 2 * _DAY
_HIGHEST: Final = 253_402_300_799 - 2 * _DAY


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, any day).

    >>> days_from_civil(1970, 1, 1), days_from_civil(2024, 2, 29)
    (0, 19782)
    """
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil(days: int) -> tuple[int, int, int]:
    """The (year, month, day) of a day count since 1970-01-01.

    >>> civil(19782)
    (2024, 2, 29)
    """
    days += 719_468
    era = days // 146_097
    doe = days - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class Offsets:
    """A zone's UTC offset at any instant, and the stretch of time it holds for.

    ``zone=None`` is UTC. Only for zones whose offsets change at least a day apart (every zone
    in the tz database; see the module docstring).

    >>> from zoneinfo import ZoneInfo
    >>> berlin = Offsets(ZoneInfo("Europe/Berlin"))
    >>> berlin.period(1711846800)  # 2024-03-31T01:00:00Z, the spring-forward instant
    (7200, 1711846800, 1729990800)
    """

    __slots__ = ("_last", "_tables", "_zone")

    def __init__(self, zone: tzinfo | None) -> None:
        self._zone = zone
        self._tables: dict[int, tuple[list[int], list[int], int]] = {}
        self._last: tuple[list[int], list[int], int] = ([0], [0], 0)  # the table used last

    def _offset(self, instant: int) -> int:
        zone = self._zone
        assert zone is not None
        if not _LOWEST <= instant <= _HIGHEST:
            raise OverflowError(instant)
        moment = zone.fromutc((_EPOCH + timedelta(seconds=instant)).replace(tzinfo=zone))
        delta = moment.utcoffset()
        assert delta is not None
        return delta.days * _DAY + delta.seconds

    def _table(self, year: int) -> tuple[list[int], list[int], int]:
        table = self._tables.get(year)
        if table is None:
            low = days_from_civil(year, 1, 1) * _DAY
            high = days_from_civil(year + 1, 1, 1) * _DAY
            starts, offsets = [low], [self._offset(low)]
            before = low
            for sample in range(low + _DAY, high + _DAY, _DAY):
                here = min(sample, high - 1)
                offset = self._offset(here)
                if offset != offsets[-1]:
                    lo, hi = before, here  # offset(lo) is the old one, offset(hi) the new one
                    while hi - lo > 1:
                        mid = (lo + hi) // 2
                        if self._offset(mid) == offsets[-1]:
                            lo = mid
                        else:
                            hi = mid
                    starts.append(hi)
                    offsets.append(offset)
                before = here
            table = (starts, offsets, high)
            self._tables[year] = table
        return table

    def period(self, instant: int) -> tuple[int, int, int]:
        """``(offset, start, end)``: the offset at ``instant``, constant on ``[start, end)``."""
        if self._zone is None:
            return 0, -(1 << 62), 1 << 62
        starts, offsets, high = self._last
        if not starts[0] <= instant < high:
            starts, offsets, high = self._last = self._table(civil(instant // _DAY)[0])
        index = bisect_right(starts, instant) - 1
        end = starts[index + 1] if index + 1 < len(starts) else high
        return offsets[index], starts[index], end

    def offset(self, instant: int) -> int:
        """The UTC offset in seconds at ``instant``."""
        return self.period(instant)[0]


def go_date(
    offsets: Offsets, year: int, month: int, day: int, hour: int, minute: int, second: int
) -> int:
    """Go's ``time.Date(year, month, day, hour, minute, second, 0, loc)`` as Unix seconds.

    Fields out of range carry over as in Go (month 13 is January of the next year, day 0 the
    last day of the month before).

    >>> from zoneinfo import ZoneInfo
    >>> berlin = Offsets(ZoneInfo("Europe/Berlin"))
    >>> go_date(berlin, 2024, 3, 31, 2, 30, 0)  # in the gap: 03:30 CEST, 01:30Z
    1711848600
    >>> go_date(berlin, 2024, 10, 27, 2, 30, 0)  # in the fold: the second 02:30 (CET), 01:30Z
    1729992600
    """
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    wall = (days_from_civil(year, month, 1) + day - 1) * _DAY + hour * 3600 + minute * 60 + second
    offset = offsets.offset(wall)
    if offset:
        offset = offsets.offset(wall - offset)
    return wall - offset


def next_spec(
    offsets: Offsets,
    minute_bits: int,
    hour_bits: int,
    dom_bits: int,
    month_bits: int,
    dow_bits: int,
    start: int,
) -> int | None:
    """Run robfig's ``SpecSchedule.Next`` from ``start`` (the instant after, floored, plus 1 s).

    Returns Unix seconds, or ``None`` where robfig returns the zero time (nothing within its
    five-year search). Raises :class:`OverflowError` past the years Python can show.
    """
    either = not (dom_bits & STAR or dow_bits & STAR)  # robfig's dayMatches: OR, else AND
    dom_any, dow_any = dom_bits & _DAYS_OF_MONTH, dow_bits & _DAYS_OF_WEEK
    if (
        not minute_bits & _MINUTES
        or not hour_bits & _HOURS
        or not month_bits & _MONTHS
        or not (dom_any or dow_any if either else dom_any and dow_any)
    ):
        return None  # a field that matches nothing (",", robfig's empty list): never
    t = start
    wraps = 0
    added = False
    offset, low, high = offsets.period(t)
    limit = civil((t + offset) // _DAY)[0] + 5
    while True:  # robfig's WRAP label
        wraps += 1
        if wraps > _MAX_WRAPS:
            return None
        if not low <= t < high:
            offset, low, high = offsets.period(t)
        days, secs = divmod(t + offset, _DAY)
        year, month, day = civil(days)
        if year > limit:
            return None
        hour, rest = divmod(secs, 3600)
        minute, second = divmod(rest, 60)

        # Month.
        wrapped = False
        if not month_bits >> month & 1:
            days = -1  # moved: the day count is looked up again below
        while not month_bits >> month & 1:
            if not added:
                added = True
                t = go_date(offsets, year, month, 1, 0, 0, 0)
                year, month, day, hour, minute, second = _wall(offsets, t)
            t = go_date(offsets, year, month + 1, day, hour, minute, second)
            year, month, day, hour, minute, second = _wall(offsets, t)
            if month == 1:
                wrapped = True
                break
        if wrapped:
            continue

        # Day.
        if days < 0:
            days = (t + offsets.offset(t)) // _DAY
        first = (days - day + 5) % 7  # the weekday of the 1st (1970-01-01 was a Thursday)
        last = _days_in_month(year, month)
        matching = _month_days(dom_bits, dow_bits & _DAYS_OF_WEEK, either, first, last)
        if not matching >> day & 1:
            shown = month
            seen: set[int] = set()
            while True:
                if not added:
                    added = True
                    t = go_date(offsets, year, month, day, 0, 0, 0)
                    year, month, day, hour, minute, second = _wall(offsets, t)
                if hour == 0:
                    offset, low, high = offsets.period(t)
                    later = matching & ~((2 << day) - 1)
                    target = (later & -later).bit_length() - 1 if later else last + 1
                    jump = (target - day) * _DAY
                    if max(t, t + offset) + jump < high:
                        t += jump
                        wrapped = target > last
                        day = target
                        break
                if t in seen:
                    return None  # robfig loops here for ever (Pacific/Apia, 2011-12-30)
                seen.add(t)
                t = go_date(offsets, year, month, day + 1, hour, minute, second)
                hour = _wall(offsets, t)[3]
                if hour:
                    t += (24 - hour) * 3600 if hour > 12 else -hour * 3600
                year, month, day, hour, minute, second = _wall(offsets, t)
                if day == 1:
                    wrapped = True
                    break
                if month != shown:  # a gap at midnight moved robfig past the 1st
                    shown = month
                    first = ((t + offsets.offset(t)) // _DAY - day + 5) % 7
                    last = _days_in_month(year, month)
                    matching = _month_days(dom_bits, dow_bits & _DAYS_OF_WEEK, either, first, last)
                if matching >> day & 1:
                    break
            if wrapped:
                continue

        # Hour.
        if not hour_bits >> hour & 1:
            while True:
                if not added:
                    added = True
                    t = go_date(offsets, year, month, day, hour, 0, 0)
                    year, month, day, hour, minute, second = _wall(offsets, t)
                offset, low, high = offsets.period(t)
                later = hour_bits & _HOURS & ~((2 << hour) - 1)
                target = (later & -later).bit_length() - 1 if later else 24
                jump = (target - hour) * 3600
                if t + jump < high:
                    t += jump
                    wrapped = target == 24
                    hour = target
                    break
                t += 3600
                year, month, day, hour, minute, second = _wall(offsets, t)
                if hour == 0:
                    wrapped = True
                    break
                if hour_bits >> hour & 1:
                    break
            if wrapped:
                continue

        # Minute.
        if not minute_bits >> minute & 1:
            while True:
                if not added:
                    added = True
                    t -= t % 60
                    year, month, day, hour, minute, second = _wall(offsets, t)
                offset, low, high = offsets.period(t)
                later = minute_bits & _MINUTES & ~((2 << minute) - 1)
                target = (later & -later).bit_length() - 1 if later else 60
                jump = (target - minute) * 60
                if t + jump < high:
                    t += jump
                    wrapped = target == 60
                    minute = target
                    break
                t += 60
                year, month, day, hour, minute, second = _wall(offsets, t)
                if minute == 0:
                    wrapped = True
                    break
                if minute_bits >> minute & 1:
                    break
            if wrapped:
                continue

        # Second: robfig's standard parser always has second 0.
        if second:
            added = True
            while second:
                offset, low, high = offsets.period(t)
                jump = 60 - second
                t += jump if t + jump < high else 1
                year, month, day, hour, minute, second = _wall(offsets, t)
            continue
        return t


_MINUTES: Final = (1 << 60) - 1
_HOURS: Final = (1 << 24) - 1
_DAYS_OF_MONTH: Final = (1 << 32) - 2
_MONTHS: Final = (1 << 13) - 2
_DAYS_OF_WEEK: Final = (1 << 7) - 1
#: A safety net: robfig's search wraps a few thousand times at most in five years.
_MAX_WRAPS: Final = 200_000


def _wall(offsets: Offsets, t: int) -> tuple[int, int, int, int, int, int]:
    days, secs = divmod(t + offsets.offset(t), _DAY)
    year, month, day = civil(days)
    hour, rest = divmod(secs, 3600)
    minute, second = divmod(rest, 60)
    return year, month, day, hour, minute, second


@cache
def _month_days(dom_bits: int, dow_bits: int, either: bool, first: int, last: int) -> int:
    """The days (bits 1-31) robfig's dayMatches accepts in a month starting on weekday ``first``.

    Day of month and day of week must both match, or (``either``) one of them.
    """
    week = 0
    for day in range(1, last + 1):
        if dow_bits >> ((first + day - 1) % 7) & 1:
            week |= 1 << day
    days = dom_bits | week if either else dom_bits & week
    return days & ((2 << last) - 2)
