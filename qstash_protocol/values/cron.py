"""``Upstash-Cron``: a schedule's cron expression, read as QStash's robfig/cron v3 reads it.

>>> schedule = parse_cron("CRON_TZ=Europe/Berlin 30 2 * * *")
>>> from datetime import datetime, UTC
>>> [str(run) for run in schedule.next_runs(datetime(2024, 10, 26, 12, tzinfo=UTC), 3)]
['2024-10-27 00:30:00+00:00', '2024-10-27 01:30:00+00:00', '2024-10-28 01:30:00+00:00']
>>> validate_cron("*/5  * * * ?")
'*/5 * * * ?'

(02:30 in Berlin happened twice on 2024-10-27, once in summer time and once in winter time;
robfig fires at both.)

Facts
-----
**The rule.** ``Upstash-Cron`` holds five fields, ``minute hour day-of-month month
day-of-week``, evaluated in UTC unless the text starts with ``CRON_TZ=<IANA zone>``
(https://upstash.com/docs/qstash/features/schedules, "Timezones"). The service answered an
empty value with ``Invalid cron expression empty spec string``, the error text of
robfig/cron v3's parser (https://github.com/upstash/qstash-js/pull/50), so this module is
robfig v3's standard five-field parser, ``Parse`` in
https://github.com/robfig/cron/blob/v3.0.1/parser.go, and its ``SpecSchedule.Next`` in
https://github.com/robfig/cron/blob/v3.0.1/spec.go, reproduced bug for bug. The vectors in
``tests/vectors/cron.json`` are robfig's own verdicts and next runs, produced by running
robfig v3 on every case (``tests/vectors/README.md``).

**What robfig accepts**, in robfig's order of checks (the first failure is the error):

- An empty text is ``cron.empty`` ("empty spec string"). Only the empty string: a text of
  spaces is ``cron.field_count`` (robfig finds 0 fields).
- A text starting exactly with ``TZ=`` or ``CRON_TZ=`` (no space before it) has a zone: the
  characters after the ``=`` up to the first space (U+0020 only; a tab is part of the name).
  The zone must load with Go's ``time.LoadLocation`` (``cron.unknown_zone``, robfig's
  "provided bad location"): ``UTC``, ``Local``, the empty name (``TZ= 0 * * * *``, which Go
  reads as UTC), or a name in the IANA tz database, with its exact case (``utc`` and
  ``europe/berlin`` are refused). The zone list is the ``tzdata`` package's; the service's
  Go finds the same names in its tz database (the ``posix/`` and ``right/`` copies some systems
  add are refused here). A zone prefix with no space after it makes robfig crash (a slice
  out of range), so the service cannot accept it: ``cron.field_count``.
- ``TZ=`` is accepted as ``CRON_TZ=`` is (robfig treats them alike; the docs show only
  ``CRON_TZ=``); the canonical form writes ``CRON_TZ=``, and the empty zone as ``UTC``.
- ``Local`` is Go's local zone, the service's; **reading taken**: it is UTC here, as a
  schedule without a zone is (the docs: "By default, we evaluate cron expressions in UTC").
- The rest is split at whitespace as Go's ``strings.Fields`` splits (Unicode white space,
  not the ASCII separators U+001C-U+001F that Python's ``str.split`` also splits at) into
  exactly five fields (``cron.field_count``, "expected exactly 5 fields").
- Each field is ``grammars/cron.lark``: a comma-separated list of items. **Bug for bug**:
  empty items are dropped, so ``1,,2``, ``,5,`` and even ``,`` (no items at all: the schedule
  never fires) are accepted. The grammar accepts every text and its items are the text between
  commas, so fields are split at commas without running Lark (which costs ~20 ms to import
  and ~100 us a field); ``tests/test_fast_paths.py`` checks the split against the grammar.
- An item is ``range[/step]``; a range is ``*``, ``?`` (the same as ``*``, in any field),
  ``a`` or ``a-b``; a value is a number or, in the month and weekday fields, a name
  (``JAN``-``DEC``, ``SUN``-``SAT``, any case; Go's lower-casing also maps ``İ`` to ``i``, so
  ``FRİ`` is Friday). ``a/n`` means ``a-max/n``. Ranges: minute 0-59, hour 0-23, day of month
  1-31, month 1-12, day of week 0-6 with 0 = Sunday (**7 is refused**: robfig's range is 0-6).
- Numbers are Go's ``strconv.Atoi``: ASCII digits with an optional sign, so ``+5`` is 5 and
  ``007`` is 7 (**bug for bug**); other text is ``cron.invalid_number`` ("failed to parse int")
  or, in a field with names, ``cron.unknown_name``.
- **Bug for bug**: after ``*`` or ``?`` robfig ignores the rest of the range part, so ``*-5``
  and ``?-x`` mean ``*``. Otherwise three or more pieces are ``cron.too_many_hyphens`` and two
  slashes ``cron.too_many_slashes``.
- The step is a whole number (``cron.invalid_step``: not a number, negative, or 0). A value
  below or above the field's range is ``cron.out_of_range`` (robfig's "beginning of range
  below minimum", "end of range above maximum"), a range going down ``cron.reversed_range``.
- Descriptors (``@yearly``, ``@annually``, ``@monthly``, ``@weekly``, ``@daily``,
  ``@midnight``, ``@hourly``, ``@every <Go duration>``): whether the service's parser enables
  them is unknown. **Reading taken**: refused (``cron.unsupported``, robfig's "parser does not
  accept descriptors") unless ``descriptors=True``; then they are robfig's ``ParseStandard``
  descriptors, matched exactly (``@Daily`` is ``cron.unknown_descriptor``), and ``@every``
  takes Go's ``time.ParseDuration`` (``cron.invalid_every``), rounded down to whole seconds,
  at least one second (so ``@every -5m`` is every second, **bug for bug**).
- **Deliberate deviation**: texts longer than :data:`MAX_CRON_LENGTH` are ``cron.too_long``,
  a bound on the work hostile input causes; a five-field expression that lists every value of
  every field, with a zone, is under 450 characters.

**Canonical form** (``str()``, what :func:`validate_cron` returns): ``CRON_TZ=<zone> `` if
there is a zone, then the five fields as written, joined by single spaces (or the
descriptor). robfig gives it the same meaning.

**Next runs** (:meth:`CronSchedule.next_run`) are robfig's ``Next`` given the same instant,
step for step with Go's calendar operations (``qstash_protocol/values/_cron_next.py``):

- The next run is strictly after ``after``, on a whole minute; ``after`` is first moved to
  the next whole second (robfig: ``t.Add(1*time.Second - t.Nanosecond())``).
- Day of month and day of week: if either field has a ``*`` or ``?`` item without a step
  (robfig's star bit), both must match; otherwise either may (``0 0 13 * FRI`` is every 13th
  and every Friday). ``1-31`` is not a star.
- A wall time that a spring-forward gap skips does not run that day (``30 2 * * *`` in
  Europe/Berlin skips 2024-03-31); with Lord Howe's half-hour gap, 02:45 still runs.
- In a fall-back fold a time runs once per offset: ``30 2 * * *`` in Europe/Berlin runs at
  02:30 CEST and again at 02:30 CET on 2024-10-27 (robfig walks minutes as instants and
  finds the wall time twice).
- Where midnight falls in a gap (zones that moved clocks at midnight), robfig's day step lands
  on 01:00, moves back an hour into the day before and can pass over a day entirely; so does
  this module (in Asia/Kolkata, ``0 0 1 * *`` skips 1942-09-01, as robfig does).
- Nothing within robfig's search (until the end of the fifth year after ``after``'s year in
  the schedule's zone) gives ``None``: ``0 0 30 2 *`` never runs.
- **Deviation, of necessity**: on a day a zone skipped entirely (Pacific/Apia, 2011-12-30)
  robfig's day step returns to the same instant and ``Next`` never returns; here that is
  ``None``.
- **Reading taken**: a schedule without a zone (or with ``Local``) runs in UTC, as the docs
  say; robfig would use the zone of the time it is given, and the service gives UTC.
- Runs past the year 9999, which :class:`~datetime.datetime` cannot show, are ``None``.
- Results are aware datetimes in ``after``'s time zone (robfig returns its result "in the
  original location"); ``after`` must be aware (a naive datetime is a ``TypeError``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from typing import TYPE_CHECKING, ClassVar, Final, NamedTuple, NoReturn

from qstash_protocol._resources import lark_parser
from qstash_protocol.errors import ProtocolError
from qstash_protocol.values import _cron_next as _next

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["MAX_CRON_LENGTH", "CronSchedule", "InvalidCron", "parse_cron", "validate_cron"]

#: The longest cron text looked at (a deliberate bound; see the Facts above).
MAX_CRON_LENGTH: Final = 1024


class InvalidCron(ProtocolError):
    """An ``Upstash-Cron`` value is invalid: robfig/cron v3 refuses it.

    >>> try:
    ...     validate_cron("0 0 * * 7")
    ... except InvalidCron as err:
    ...     print(err.code)
    ...     print(err)
    cron.out_of_range
    end of range (7) above maximum (6): '7'; the day-of-week field is 0-6 (SUN-SAT), 0 is Sunday
      0 0 * * 7
              ^
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "cron.empty": "the value is empty (robfig: 'empty spec string')",
        "cron.too_long": "longer than MAX_CRON_LENGTH",
        "cron.field_count": "not exactly five fields",
        "cron.unknown_zone": "a CRON_TZ= or TZ= zone that is not in the tz database",
        "cron.unsupported": "a descriptor (@daily, @every 1h) without descriptors=True",
        "cron.unknown_descriptor": "an @ descriptor robfig does not know",
        "cron.invalid_every": "an @every duration Go's time.ParseDuration refuses",
        "cron.invalid_number": "a value that is not a number (robfig: 'failed to parse int')",
        "cron.unknown_name": "a word that is not a month or weekday name",
        "cron.too_many_hyphens": "a range with more than two values, such as 1-2-3",
        "cron.too_many_slashes": "an item with more than one step, such as 1/2/3",
        "cron.invalid_step": "a step that is not a whole number >= 1",
        "cron.out_of_range": "a value outside the field's range",
        "cron.reversed_range": "a range whose beginning is beyond its end, such as 5-1",
    }


# --- The fields ------------------------------------------------------------------------------

_MONTHS: Final = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_WEEKDAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class _Field(NamedTuple):  # a NamedTuple: a dataclass costs a millisecond at import
    name: str
    low: int
    high: int
    names: Mapping[str, int] | None
    shown: str


_FIELDS: Final = (
    _Field("minute", 0, 59, None, "0-59"),
    _Field("hour", 0, 23, None, "0-23"),
    _Field("day-of-month", 1, 31, None, "1-31"),
    _Field("month", 1, 12, {n: i + 1 for i, n in enumerate(_MONTHS)}, "1-12 (JAN-DEC)"),
    _Field(
        "day-of-week", 0, 6, {n: i for i, n in enumerate(_WEEKDAYS)}, "0-6 (SUN-SAT), 0 is Sunday"
    ),
)

#: Go's unicode.IsSpace: what strings.Fields splits at and strings.TrimSpace trims.
_GO_SPACE: Final = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)

_DESCRIPTORS: Final[Mapping[str, tuple[int, int, int, int, int]]] = {
    "@yearly": (1, 1, 1 << 1, 1 << 1, _next.STAR | 0x7F),
    "@annually": (1, 1, 1 << 1, 1 << 1, _next.STAR | 0x7F),
    "@monthly": (1, 1, 1 << 1, _next.STAR | 0x1FFE, _next.STAR | 0x7F),
    "@weekly": (1, 1, _next.STAR | 0xFFFFFFFE, _next.STAR | 0x1FFE, 1),
    "@daily": (1, 1, _next.STAR | 0xFFFFFFFE, _next.STAR | 0x1FFE, _next.STAR | 0x7F),
    "@midnight": (1, 1, _next.STAR | 0xFFFFFFFE, _next.STAR | 0x1FFE, _next.STAR | 0x7F),
    "@hourly": (
        1,
        _next.STAR | 0xFFFFFF,
        _next.STAR | 0xFFFFFFFE,
        _next.STAR | 0x1FFE,
        _next.STAR | 0x7F,
    ),
}


def _fail(code: str, message: str, text: str, span: tuple[int, int]) -> NoReturn:
    raise InvalidCron(message, code=code, value=text, span=span)


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# --- The schedule ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed ``Upstash-Cron`` value: when robfig/cron v3 (and so QStash) runs it.

    ``str()`` is the canonical text. ``zone`` is the zone name as written (``None`` without a
    prefix, ``"UTC"`` for an empty one); ``every`` is the interval of an ``@every`` descriptor.

    >>> from datetime import datetime, UTC
    >>> schedule = parse_cron("0 9 * * MON-FRI")
    >>> print(schedule.next_run(datetime(2024, 6, 1, tzinfo=UTC)))  # a Saturday
    2024-06-03 09:00:00+00:00
    >>> sorted(schedule.days_of_week), schedule.zone
    ([1, 2, 3, 4, 5], None)
    """

    text: str
    zone: str | None
    every: timedelta | None
    _bits: tuple[int, int, int, int, int] = field(repr=False, compare=False)
    _offsets: _next.Offsets = field(repr=False, compare=False)

    def __str__(self) -> str:
        return self.text

    def _set(self, index: int) -> frozenset[int]:
        bits = self._bits[index] & ~_next.STAR
        return frozenset(i for i in range(64) if bits >> i & 1)

    @property
    def minutes(self) -> frozenset[int]:
        """The minutes (0-59) the schedule runs at (empty for ``@every``)."""
        return self._set(0)

    @property
    def hours(self) -> frozenset[int]:
        """The hours (0-23) the schedule runs at."""
        return self._set(1)

    @property
    def days_of_month(self) -> frozenset[int]:
        """The days of the month (1-31) in the day-of-month field."""
        return self._set(2)

    @property
    def months(self) -> frozenset[int]:
        """The months (1-12) the schedule runs in."""
        return self._set(3)

    @property
    def days_of_week(self) -> frozenset[int]:
        """The weekdays (0-6, 0 is Sunday) in the day-of-week field."""
        return self._set(4)

    @property
    def tzinfo(self) -> tzinfo:
        """The zone the schedule runs in: its ``CRON_TZ=`` zone, else UTC (also for ``Local``).

        >>> parse_cron("CRON_TZ=Asia/Kolkata 0 9 * * *").tzinfo
        zoneinfo.ZoneInfo(key='Asia/Kolkata')
        >>> parse_cron("0 9 * * *").tzinfo
        datetime.timezone.utc
        """
        if self.zone in (None, "UTC", "Local"):
            return UTC
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        return ZoneInfo(self.zone)

    @property
    def either_day(self) -> bool:
        """True if a day matching either day field runs (both restricted, robfig's OR).

        >>> parse_cron("0 0 13 * FRI").either_day, parse_cron("0 0 13 * *").either_day
        (True, False)
        """
        return not (self._bits[2] & _next.STAR or self._bits[4] & _next.STAR)

    def next_run(self, after: datetime) -> datetime | None:
        """The first run strictly after ``after`` (aware), in ``after``'s zone; or ``None``.

        >>> from datetime import datetime, UTC
        >>> print(parse_cron("0 0 29 2 *").next_run(datetime(2025, 1, 1, tzinfo=UTC)))
        2028-02-29 00:00:00+00:00
        >>> print(parse_cron("0 0 30 2 *").next_run(datetime(2025, 1, 1, tzinfo=UTC)))
        None

        Raises:
            TypeError: if ``after`` is not an aware datetime.

        """
        runs = self._runs(after, 1)
        return next(runs, None)

    def next_runs(self, after: datetime, count: int) -> list[datetime]:
        """Up to ``count`` runs after ``after``, each the :meth:`next_run` of the one before.

        Shorter than ``count`` only where robfig finds no next run.

        >>> from datetime import datetime, UTC
        >>> [run.minute for run in parse_cron("*/20 * * * *").next_runs(
        ...     datetime(2024, 1, 1, tzinfo=UTC), 4)]
        [20, 40, 0, 20]
        """
        return list(self._runs(after, count))

    def _runs(self, after: datetime, count: int) -> Iterator[datetime]:
        if not isinstance(after, datetime) or after.utcoffset() is None:
            msg = f"after must be an aware datetime, got {after!r}"
            raise TypeError(msg)
        zone = after.tzinfo
        delta = after - _EPOCH
        instant = delta.days * 86_400 + delta.seconds  # floored to the second
        every = self.every
        for _ in range(count):
            if every is not None:
                instant += every.days * 86_400 + every.seconds
            else:
                try:
                    found = _next.next_spec(self._offsets, *self._bits, instant + 1)
                except OverflowError:
                    return
                if found is None:
                    return
                instant = found
            try:
                moment = _EPOCH + timedelta(seconds=instant)
            except OverflowError:
                return
            yield moment.astimezone(zone)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_UTC_OFFSETS: Final = _next.Offsets(None)


# --- Zones -----------------------------------------------------------------------------------


def _zone_names() -> frozenset[str]:
    """The IANA zone names tzdata ships, read once per process (static data, like the parser)."""
    names = _ZONE_NAMES_HOLDER.get("names")
    if names is None:
        from importlib.resources import files  # noqa: PLC0415

        names = frozenset((files("tzdata") / "zones").read_text(encoding="utf-8").split())
        _ZONE_NAMES_HOLDER["names"] = names
    return names


_ZONE_NAMES_HOLDER: dict[str, frozenset[str]] = {}


@cache
def _zone_offsets(name: str) -> _next.Offsets:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    return _next.Offsets(ZoneInfo(name))


# --- Parsing ---------------------------------------------------------------------------------


def _parser() -> Lark:
    """The Lark parser of one field, built on first use (not at import) and kept."""
    return lark_parser("cron.lark")


def _go_fields(text: str, start: int) -> list[tuple[int, str]]:
    """Go's strings.Fields(text[start:]) with the offset of each field in ``text``."""
    rest = text[start:]
    if not rest.isprintable():  # a Go space other than " " may be in it (all are unprintable)
        return _go_fields_by_char(text, start)
    fields: list[tuple[int, str]] = []
    for part in rest.split(" "):
        if part:
            fields.append((start, part))
        start += len(part) + 1
    return fields


def _go_fields_by_char(text: str, start: int) -> list[tuple[int, str]]:
    """:func:`_go_fields`, testing every character for unicode.IsSpace as Go does."""
    fields: list[tuple[int, str]] = []
    begin = -1
    for index in range(start, len(text)):
        if text[index] in _GO_SPACE:
            if begin >= 0:
                fields.append((begin, text[begin:index]))
                begin = -1
        elif begin < 0:
            begin = index
    if begin >= 0:
        fields.append((begin, text[begin:]))
    return fields


def _go_atoi(piece: str) -> tuple[int | None, str]:
    """Go's strconv.Atoi: the value, or None and Go's reason ("invalid syntax", ...)."""
    body = piece[1:] if piece[:1] in ("+", "-") else piece
    if not body:
        return None, "invalid syntax"
    value = 0
    for char in body:
        if not "0" <= char <= "9":
            return None, "invalid syntax"
        value = value * 10 + ord(char) - 48
        if value >= 1 << 64:
            return None, "value out of range"
    if value > (1 << 63) - (piece[0] != "-"):
        return None, "value out of range"
    return (-value if piece[0] == "-" else value), ""


def _piece_value(text: str, at: int, piece: str, spec: _Field) -> int:
    """Read a value as robfig's parseIntOrName does, with the errors it can give."""
    if spec.names is not None:
        named = spec.names.get(piece.replace("\u0130", "i").lower())
        if named is not None:
            return named
    value, reason = _go_atoi(piece)
    span = (at, at + len(piece))
    if value is None:
        if spec.names is not None and piece.isalpha():
            _fail(
                "cron.unknown_name",
                f"unknown name {_quoted(piece)} in the {spec.name} field; expected "
                f"{spec.shown} ({'JAN' if spec.name == 'month' else 'SUN'}, ... in any case)",
                text,
                span,
            )
        what = "an empty value" if not piece else _quoted(piece)
        _fail(
            "cron.invalid_number",
            f"failed to parse int from {what} ({reason}); the {spec.name} field takes "
            f"{'numbers or names' if spec.names else 'numbers'} {spec.shown}",
            text,
            span,
        )
    # Atoi's minus never reaches here from a range (robfig splits at '-'), only "+5" does.
    return value


def _item_bits(text: str, start: int, end: int, spec: _Field) -> int:
    """Return the bits of the item ``text[start:end]`` as robfig's getRange (its check order)."""
    item = text[start:end]
    range_and_step = item.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    extra = 0
    if low_and_high[0] in ("*", "?"):
        first, last, extra = spec.low, spec.high, _next.STAR
    else:
        first = _piece_value(text, start, low_and_high[0], spec)
        if len(low_and_high) == 1:
            last = first
        elif len(low_and_high) == 2:
            last = _piece_value(text, start + len(low_and_high[0]) + 1, low_and_high[1], spec)
        else:
            _fail(
                "cron.too_many_hyphens",
                f"too many hyphens in {_quoted(range_and_step[0])}; a range in the "
                f"{spec.name} field is a-b",
                text,
                (start, start + len(range_and_step[0])),
            )
    step = 1
    step_at = start + len(range_and_step[0]) + 1
    if len(range_and_step) == 2:
        step_text = range_and_step[1]
        step_span = (step_at, step_at + len(step_text))
        value, reason = _go_atoi(step_text)
        if value is None:
            what = "an empty step" if not step_text else _quoted(step_text)
            _fail(
                "cron.invalid_step",
                f"failed to parse int from {what} ({reason}); a step is a whole number >= 1",
                text,
                step_span,
            )
        if value < 0:
            _fail(
                "cron.invalid_step",
                f"negative number ({value}) not allowed: {_quoted(step_text)}; "
                "a step is a whole number >= 1",
                text,
                step_span,
            )
        step = value
        if single:
            last = spec.high
        if step > 1:
            extra = 0
    elif len(range_and_step) > 2:
        _fail(
            "cron.too_many_slashes",
            f"too many slashes in {_quoted(item)}; an item is a range and at most one /step",
            text,
            (step_at - 1 + len(range_and_step[1]) + 1, end),
        )
    if first < spec.low:
        _fail(
            "cron.out_of_range",
            f"beginning of range ({first}) below minimum ({spec.low}): {_quoted(item)}; "
            f"the {spec.name} field is {spec.shown}",
            text,
            (start, start + len(low_and_high[0])),
        )
    if last > spec.high:
        at = start if single else start + len(low_and_high[0]) + 1
        width = len(low_and_high[0] if single else low_and_high[1])
        _fail(
            "cron.out_of_range",
            f"end of range ({last}) above maximum ({spec.high}): {_quoted(item)}; "
            f"the {spec.name} field is {spec.shown}",
            text,
            (at, at + width),
        )
    if first > last:
        _fail(
            "cron.reversed_range",
            f"beginning of range ({first}) beyond end of range ({last}): {_quoted(item)}; "
            f"write the smaller value first",
            text,
            (start, start + len(range_and_step[0])),
        )
    if step == 0:
        _fail(
            "cron.invalid_step",
            f"step of range should be a positive number: {_quoted(item)}",
            text,
            (step_at, end),
        )
    if step == 1:
        return ((1 << (last + 1)) - (1 << first)) | extra
    bits = 0
    for value in range(first, last + 1, step):
        bits |= 1 << value
    return bits | extra


def _field_items(source: str) -> list[tuple[int, int]]:
    """The (start, end) of each item of a field, empty items dropped (robfig's FieldsFunc).

    ``grammars/cron.lark`` accepts every text, and its items are exactly the text between
    commas (every character is in a token), so a split gives them without the parser:
    :func:`_grammar_items` is the grammar's own reading, and ``tests/test_fast_paths.py``
    checks that the two agree.
    """
    items = []
    start = 0
    for part in source.split(","):
        if part:
            items.append((start, start + len(part)))
        start += len(part) + 1
    return items


def _grammar_items(source: str) -> list[tuple[int, int]]:
    """The items of a field as ``grammars/cron.lark`` reads them (Lark; the reference)."""
    items = []
    for item in _parser().parse(source).children:
        tokens = list(item.scan_values(lambda _: True))  # type: ignore[union-attr]
        if tokens:  # an empty item: robfig's strings.FieldsFunc drops it
            begin = min(token.start_pos for token in tokens)
            items.append((begin, max(token.end_pos for token in tokens)))
    return items


def _field_bits(text: str, at: int, source: str, spec: _Field) -> int:
    """Return the bits of the field ``source`` (at ``at`` in ``text``), as robfig's getField."""
    bits = 0
    for begin, end in _field_items(source):
        bits |= _item_bits(text, at + begin, at + end, spec)
    return bits


@lru_cache(maxsize=4096)
def _field_bits_cached(source: str, index: int) -> int:
    """The bits of field ``index`` written ``source``; fields repeat across expressions."""
    if source == "*":  # the commonest field: every value, and robfig's star bit
        return _STAR_BITS[index]
    return _field_bits(source, 0, source, _FIELDS[index])


#: The bits of "*" in each field, as _item_bits gives them (tests/test_cron.py compares).
_STAR_BITS: Final = tuple(
    ((1 << (spec.high + 1)) - (1 << spec.low)) | _next.STAR for spec in _FIELDS
)


def _parse_every(text: str, at: int, body: str) -> timedelta:
    """@every with Go's time.ParseDuration, then robfig's Every (whole seconds, at least 1)."""
    source = body[len("@every ") :]
    nanoseconds = _go_parse_duration(source)
    if nanoseconds is None:
        _fail(
            "cron.invalid_every",
            f"failed to parse duration {_quoted(body)}; @every takes a Go duration such as "
            "'1h30m' or '90s'",
            text,
            (at + len("@every "), at + len(body)),
        )
    seconds = max(nanoseconds, 10**9) // 10**9
    return timedelta(seconds=seconds)


_UNITS: Final = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def _go_parse_duration(source: str) -> int | None:
    """Go 1.19's time.ParseDuration in nanoseconds, or None where it returns an error."""
    text = source
    negative = False
    if text[:1] in ("-", "+"):
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        return None
    total = 0
    while text:
        if not (text[0] == "." or "0" <= text[0] <= "9"):
            return None
        index = 0
        whole = 0
        while index < len(text) and "0" <= text[index] <= "9":
            whole = whole * 10 + ord(text[index]) - 48
            if whole > 1 << 63:
                return None
            index += 1
        before = index > 0
        fraction, scale, after = 0, 1.0, False
        if index < len(text) and text[index] == ".":
            index += 1
            begin = index
            overflow = False
            while index < len(text) and "0" <= text[index] <= "9":
                if not overflow:
                    if fraction > ((1 << 63) - 1) // 10:
                        overflow = True
                    else:
                        bigger = fraction * 10 + ord(text[index]) - 48
                        if bigger > 1 << 63:
                            overflow = True
                        else:
                            fraction = bigger
                            scale *= 10
                index += 1
            after = index > begin
        if not before and not after:
            return None
        begin = index
        while index < len(text) and not (text[index] == "." or "0" <= text[index] <= "9"):
            index += 1
        unit = _UNITS.get(text[begin:index])
        if unit is None:
            return None
        text = text[index:]
        if whole > (1 << 63) // unit:
            return None
        whole *= unit
        if fraction > 0:
            whole += int(float(fraction) * (float(unit) / scale))
            if whole > 1 << 63:
                return None
        total += whole
        if total > 1 << 63:
            return None
    if negative:
        return -total
    if total > (1 << 63) - 1:
        return None
    return total


def _build(text: str, descriptors: bool) -> CronSchedule:
    if not isinstance(text, str):
        msg = f"a cron expression is a str, got {type(text).__name__}"
        raise TypeError(msg)
    if not text:
        _fail(
            "cron.empty",
            "empty spec string; expected a cron expression such as '*/5 * * * *'",
            text,
            (0, 0),
        )
    if len(text) > MAX_CRON_LENGTH:
        _fail(
            "cron.too_long",
            f"a cron expression is at most {MAX_CRON_LENGTH} characters, got {len(text)}",
            text,
            (MAX_CRON_LENGTH, len(text)),
        )
    zone: str | None = None
    offsets = _UTC_OFFSETS
    start = 0
    prefix = ""
    if text.startswith(("TZ=", "CRON_TZ=")):
        space = text.find(" ")
        equals = text.index("=")
        if space < 0:
            _fail(
                "cron.field_count",
                "expected a space and five fields after the zone; robfig's parser crashes "
                "on a zone prefix with nothing after it",
                text,
                (len(text), len(text)),
            )
        name = text[equals + 1 : space]
        if name in ("", "UTC", "Local"):
            zone = name or "UTC"
        elif name in _zone_names():
            zone = name
            offsets = _zone_offsets(name)
        else:
            _fail(
                "cron.unknown_zone",
                f"provided bad location {_quoted(name)}: unknown time zone; expected an IANA "
                "zone name such as 'America/New_York' (case matters)",
                text,
                (equals + 1, space),
            )
        start = space
        prefix = f"CRON_TZ={zone} "
    end = len(text)
    if prefix:  # robfig trims the rest only after a zone prefix
        while start < len(text) and text[start] in _GO_SPACE:
            start += 1
        while end > start and text[end - 1] in _GO_SPACE:
            end -= 1
    body = text[start:end]
    if body.startswith("@"):
        if not descriptors:
            _fail(
                "cron.unsupported",
                f"parser does not accept descriptors: {_quoted(body)}; write five fields "
                "(e.g. '0 0 * * *' for @daily), or pass descriptors=True",
                text,
                (start, end),
            )
        bits = _DESCRIPTORS.get(body)
        every = None
        if bits is None:
            if not body.startswith("@every "):
                _fail(
                    "cron.unknown_descriptor",
                    f"unrecognized descriptor: {_quoted(body)}; expected one of "
                    f"{', '.join(_DESCRIPTORS)} or @every <duration>",
                    text,
                    (start, end),
                )
            every = _parse_every(text, start, body)
            bits = (0, 0, 0, 0, 0)
        return CronSchedule(prefix + body, zone, every, bits, offsets)
    fields = _go_fields(text, start)
    if len(fields) != len(_FIELDS):
        shown = " ".join(source for _, source in fields)
        _fail(
            "cron.field_count",
            f"expected exactly 5 fields (minute hour day-of-month month day-of-week), "
            f"found {len(fields)}: [{shown}]",
            text,
            (start, end),
        )
    found: list[int] = []
    for index, (at, source) in enumerate(fields):
        try:
            found.append(_field_bits_cached(source, index))
        except InvalidCron as error:
            raise error.shifted(at, text) from None
    minute, hour, dom, month, dow = found
    canonical = prefix + " ".join(source for _, source in fields)
    return CronSchedule(canonical, zone, None, (minute, hour, dom, month, dow), offsets)


_CACHE: dict[str, CronSchedule] = {}
_CACHE_DESCRIPTORS: dict[str, CronSchedule] = {}
_CACHE_SIZE: Final = 4096


def parse_cron(text: str, *, descriptors: bool = False) -> CronSchedule:
    """Parse an ``Upstash-Cron`` value as robfig/cron v3 does.

    With ``descriptors=True`` robfig's ``@daily``-style descriptors and ``@every <duration>``
    are accepted too (whether QStash accepts them is unknown). Results are cached by text.

    >>> str(parse_cron("TZ=Asia/Kolkata 0 9 1,,15 * ?"))
    'CRON_TZ=Asia/Kolkata 0 9 1,,15 * ?'
    >>> parse_cron("@every 90m", descriptors=True).every
    datetime.timedelta(seconds=5400)
    >>> parse_cron("CRON_TZ=Mars/Olympus 0 0 * * *")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidCron: provided bad location 'Mars/Olympus': unknown time zone; \
expected an IANA zone name such as 'America/New_York' (case matters)
      CRON_TZ=Mars/Olympus 0 0 * * *
              ^^^^^^^^^^^^

    Raises:
        InvalidCron: with one of the codes in ``InvalidCron.CODES``.
        TypeError: if ``text`` is not a ``str``.

    """
    cache = _CACHE_DESCRIPTORS if descriptors else _CACHE
    schedule = cache.get(text)
    if schedule is None:
        schedule = _build(text, descriptors)
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[text] = schedule
    return schedule


def validate_cron(text: str, *, descriptors: bool = False) -> str:
    """Check an ``Upstash-Cron`` value and return its canonical form.

    >>> validate_cron("0 9 * * MON-FRI")
    '0 9 * * MON-FRI'
    >>> validate_cron("0 25 * * *")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidCron: end of range (25) above maximum (23): '25'; the hour field is 0-23
      0 25 * * *
        ^^

    Raises:
        InvalidCron: with one of the codes in ``InvalidCron.CODES``.

    """
    return parse_cron(text, descriptors=descriptors).text
