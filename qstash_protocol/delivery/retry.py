"""After an attempt: the destination's answer, and what QStash does next, as a pure function.

>>> from datetime import UTC, datetime
>>> from qstash_protocol import MessageOptions
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> attempt = next_attempt(MessageOptions(retries=2), retried=0, status=503, now=now)
>>> attempt.outcome, attempt.delay, attempt.delay_source, attempt.retry_at.isoformat()
('retry', datetime.timedelta(seconds=12), 'default_backoff', '2026-01-01T00:00:12+00:00')
>>> next_attempt(MessageOptions(retries=2), retried=2, status=503, now=now).reason
'retries_exhausted'
>>> parse_retry_after("6m5s", now=now)
datetime.timedelta(seconds=365)

Facts
-----
The rule (https://upstash.com/docs/qstash/features/retry,
https://upstash.com/docs/qstash/features/callbacks, https://upstash.com/docs/qstash/features/dlq,
https://github.com/upstash/docs/blob/main/qstash/openapi.yaml): a delivery succeeds when the
destination answers 2xx. Any other answer, or none within the plan's timeout, is retried, up to
``Upstash-Retries`` times (3 when the message sets none, "By default, we retry a failed delivery 3
times"; the OpenAPI ``Upstash-Retries``: "If it is not provided, the default of 3 retries is used").
Before each retry QStash waits the ``Upstash-Retry-Delay`` expression's value, or its default
backoff ``min(86400, e ** (2.5 * n))`` seconds, unless the answer carries ``Retry-After``,
``X-RateLimit-Reset``, ``X-RateLimit-Reset-Requests`` or ``X-RateLimit-Reset-Tokens``. Status 489
with ``Upstash-NonRetryable-Error: true`` skips the remaining retries. A message whose retries are
spent or that was refused that way goes to the dead-letter queue, and its failure callback is
called. The callback, if any, is called after every attempt ("the callback might be called multiple
times for each retry until the endpoint returns success ... or retries are exhausted"; OpenAPI: "a
callback each time the message is attempted to be delivered").

Readings, where the sources are silent or disagree:

- **Numbering**: ``retried`` is the ``Upstash-Retried`` header of the attempt that was just made:
  0 for the first attempt, 1 for the first retry ("Upstash-Retried: 0 // This is the first
  attempt"). A message with ``retries = r`` is attempted at most ``1 + r`` times, so the attempt
  with ``retried == r`` is the last (the callbacks page: exhausted when ``retried ==
  maxRetries``). A ``retried`` above the budget is treated as exhausted.
- **Which n the backoff uses**: before the retry that will carry ``Upstash-Retried: k``, the
  expression is evaluated with ``retried = k - 1`` (the retry page: "retried (current retry
  attempt count starting from 0)"; its examples give 1 s before the first retry for
  ``pow(2, retried) * 1000``), so a whole run's delays are ``RetryDelay.schedule(retries)``. The
  default backoff uses ``n = k`` (12 s before the first retry): the Upstash Workflow retries page
  (https://upstash.com/docs/workflow/features/retries) labels its rows "Retry Attempt 1: 12s,
  2: 2m28s, 3: 30m8s", although both pages call ``n`` "how many times this request has been
  retried", which would be 0 (1 s) for the first retry.
- **Response headers**: they are looked at in the documented order (``Retry-After``,
  ``X-RateLimit-Reset``, ``X-RateLimit-Reset-Requests``, ``X-RateLimit-Reset-Tokens``); the first
  that is present, valid and at most one day sets the delay. One that is invalid or longer than
  a day is skipped and reported in :attr:`Attempt.ignored`. A repeated header counts by its
  first value (Go's ``Header.Get``). A value over one day falls back to "the backoff algorithm"
  (the retry page): the message's own, i.e. its ``Upstash-Retry-Delay`` expression when it has
  one, else the default backoff. The retry page predates ``Upstash-Retry-Delay``, which
  "override[s] the default exponential backoff".
- **Retry-After values** (:func:`parse_retry_after`): whole seconds (``10``); an HTTP date in
  the IMF-fixdate form RFC 9110 §5.6.7 prefers and RFC 1123 defines (``Sun, 06 Nov 1994
  08:49:37 GMT``), parsed with :func:`email.utils.parsedate_to_datetime`; or a duration as
  :func:`~qstash_protocol.parse_duration` reads it (Go's ``time.ParseDuration`` units ``ns``,
  ``us``/``µs``, ``ms``, ``s``, ``m``, ``h``, fractions such as OpenAI's ``7.66s``, and the day
  unit ``d``: the docs list only ns to h, but Upstash Workflow's ``WorkflowRetryAfterError``
  sends its ``Duration`` type, which includes ``1d``, in ``Retry-After``). A date in the past is
  a zero delay. The weekday of a date is not checked (Go's ``time.Parse`` ignores it, and the
  retry page's own example, "Sun, 27 Jun 2024", was a Thursday). A date in another zone than
  ``GMT`` (``PST``) is refused: Go reads an unknown abbreviation as UTC while the e-mail
  utilities read ``PST`` as -08:00, so it has no single meaning; so are the obsolete RFC 850
  and asctime forms, which the docs do not name. Seconds beyond Go's longest duration (about
  292 years) are out of range. A Unix timestamp in ``X-RateLimit-Reset`` (GitHub's style) is
  read as that many seconds, as the docs say, and so falls back to the backoff.
- **Non-retryable**: both the status 489 and the header are needed (the retry page); the header
  value is ``true`` in any case, surrounding whitespace aside (workflow-js sends ``true``).
  The failure callback fires then too: "Triggers the failure function" (Upstash Workflow,
  https://upstash.com/docs/workflow/features/retries/prevent-retries), and its payload's
  ``retried`` is then below ``maxRetries``.
- **A 3xx** is a failure like any non-2xx answer: the docs define success as 2xx only. Whether
  QStash follows redirects is undocumented; pass the status the attempt ended with.
- **No response** (a timeout, a refused connection): pass ``status=None``. It is retried ("We
  retry the request to ensure every message will be delivered"); the callback's ``status`` for
  it is undocumented, so :attr:`FiredCallback.status` is ``None`` too.
- **The callback message's own retries and delay**: a callback is itself a QStash message.
  ``Upstash-Callback-Retries`` (and ``-Failure-Callback-``) default to the original message's
  retries (OpenAPI: "Default is same as original message retries"); its retry delay is its own
  ``...-Retry-Delay`` or, when it has none, the default backoff (nothing says it inherits the
  message's expression). :class:`FiredCallback` carries both; pass its ``options`` and
  ``max_retries=call.retries`` to :func:`next_attempt` to decide the callback's own retries.
- **An expression that fails** for this ``retried`` (``1000 / retried`` at 0) or gives a delay
  beyond the server's longest duration: the server's behaviour is unknown; this module falls
  back to the default backoff and reports the error in :attr:`Attempt.ignored`, so the decision
  stays total.
- **retry_at** is ``now + delay``; beyond what a ``datetime`` holds (year 9999) it is clamped
  to the last representable instant.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final, Literal

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.headers import header_text
from qstash_protocol.publish.options import Callback, MessageOptions
from qstash_protocol.values.durations import MAX_DURATION, InvalidDuration, parse_duration
from qstash_protocol.values.retry_delay import InvalidRetryDelay, RetryDelay, default_backoff

__all__ = [
    "DEFAULT_RETRIES",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_AFTER_LENGTH",
    "NON_RETRYABLE_HEADER",
    "NON_RETRYABLE_STATUS",
    "RETRY_AFTER_HEADERS",
    "Attempt",
    "DelaySource",
    "FiredCallback",
    "InvalidRetryAfter",
    "ResponseHeaders",
    "RetryAfterHeader",
    "is_non_retryable",
    "is_success",
    "next_attempt",
    "parse_retry_after",
]

#: Retries when the message sets none (https://upstash.com/docs/qstash/features/retry).
DEFAULT_RETRIES: Final = 3

#: The longest delay a response header may ask for; longer falls back to the backoff.
MAX_RETRY_AFTER: Final = timedelta(days=1)

#: The name of a response header that sets the next delay.
RetryAfterHeader = Literal[
    "Retry-After", "X-RateLimit-Reset", "X-RateLimit-Reset-Requests", "X-RateLimit-Reset-Tokens"
]

#: The response headers that set the next delay, in the order they are looked at.
RETRY_AFTER_HEADERS: Final[tuple[RetryAfterHeader, ...]] = (
    "Retry-After",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-Requests",
    "X-RateLimit-Reset-Tokens",
)

#: The status that, with :data:`NON_RETRYABLE_HEADER` ``: true``, skips the retries.
NON_RETRYABLE_STATUS: Final = 489
NON_RETRYABLE_HEADER: Final = "Upstash-NonRetryable-Error"

#: The longest ``Retry-After`` value looked at. An IMF-fixdate is 29 characters; a duration at
#: most :data:`~qstash_protocol.MAX_DURATION_LENGTH` (64).
MAX_RETRY_AFTER_LENGTH: Final = 64

#: Response headers, as a server or an HTTP library has them: a mapping (values a string or a
#: list of strings, as in a callback's ``header``), or ``(name, value)`` pairs; names in any
#: case, as ``str`` or ``bytes``.
ResponseHeaders = (
    Mapping[str, str] | Mapping[str, Sequence[str]] | Iterable[tuple[str | bytes, str | bytes]]
)

_MAX_SECONDS: Final = MAX_DURATION // timedelta(seconds=1)
_MONTHS: Final = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAYS: Final = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_IMF_FIXDATE: Final = re.compile(
    rf"(?:{_DAYS}), [0-9]{{2}} (?:{_MONTHS}) [0-9]{{4}} [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}} GMT"
)
_OTHER_ZONE: Final = re.compile(
    rf"((?:{_DAYS}), [0-9]{{2}} (?:{_MONTHS}) [0-9]{{4}} [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}} )(.+)"
)
_LAST_INSTANT: Final = datetime.max.replace(tzinfo=UTC)


class InvalidRetryAfter(ProtocolError):
    """A ``Retry-After`` (or ``X-RateLimit-Reset...``) value that is not a delay QStash reads.

    >>> from datetime import UTC, datetime
    >>> try:
    ...     parse_retry_after("Thu, 27 Jun 2024 12:16:24 PST", now=datetime.now(UTC))
    ... except InvalidRetryAfter as err:
    ...     print(err.code, err.span)
    retry_after.zone (26, 29)
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "retry_after.empty": "the value is empty",
        "retry_after.too_long": "the value is longer than MAX_RETRY_AFTER_LENGTH",
        "retry_after.out_of_range": "more seconds than the longest duration the server holds",
        "retry_after.invalid_date": "a date that is not an IMF-fixdate, or no such day",
        "retry_after.zone": "an HTTP date in another zone than GMT",
        "retry_after.invalid_duration": "neither seconds, a date nor a valid duration",
        "retry_after.above_limit": "a delay above one day (the backoff applies instead)",
    }


def _check_now(now: datetime) -> None:
    if not isinstance(now, datetime):
        msg = f"now must be a datetime, not {type(now).__name__}"
        raise TypeError(msg)
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be an aware datetime (a naive one has no fixed instant)"
        raise ValueError(msg)


def parse_retry_after(value: str, *, now: datetime) -> timedelta:
    """The delay a ``Retry-After`` or ``X-RateLimit-Reset...`` value asks for, from ``now``.

    Seconds, an HTTP date (IMF-fixdate) or a duration; see the module docstring. The one-day
    cap is not applied here (:func:`next_attempt` applies it).

    >>> from datetime import UTC, datetime
    >>> now = datetime(2024, 6, 27, 12, 16, tzinfo=UTC)
    >>> parse_retry_after("10", now=now), parse_retry_after("1m30s", now=now)
    (datetime.timedelta(seconds=10), datetime.timedelta(seconds=90))
    >>> parse_retry_after("Sun, 27 Jun 2024 12:16:24 GMT", now=now)
    datetime.timedelta(seconds=24)
    >>> parse_retry_after("soon", now=now)
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidRetryAfter: expected seconds ('10'), an HTTP date ('Sun, 06 Nov 1994 08:49:37 GMT') or a duration ('6m5s'), got 'soon'
      soon
      ^^^^

    Raises:
        InvalidRetryAfter: with one of the codes in ``InvalidRetryAfter.CODES``.
        TypeError: ``value`` is not a str or ``now`` not a datetime.
        ValueError: ``now`` is naive.

    """  # noqa: E501
    if not isinstance(value, str):
        msg = f"a Retry-After value must be a str, not {type(value).__name__}"
        raise TypeError(msg)
    _check_now(now)
    text = value.strip(" \t")
    if not text:
        raise InvalidRetryAfter(
            "expected a delay such as '10', got an empty value",
            code="retry_after.empty",
            value=text,
            span=(0, 0),
        )
    if len(text) > MAX_RETRY_AFTER_LENGTH:
        raise InvalidRetryAfter(
            f"a Retry-After value is at most {MAX_RETRY_AFTER_LENGTH} characters, got {len(text)}",
            code="retry_after.too_long",
            value=text,
            span=(MAX_RETRY_AFTER_LENGTH, len(text)),
        )
    if text.isascii() and text.isdigit():
        seconds = int(text)
        if seconds > _MAX_SECONDS:
            raise InvalidRetryAfter(
                f"{seconds} seconds is longer than the longest duration the server holds "
                "(about 292 years)",
                code="retry_after.out_of_range",
                value=text,
                span=(0, len(text)),
            )
        return timedelta(seconds=seconds)
    if text[0].isascii() and text[0].isalpha():
        return max(timedelta(0), _parse_date(text) - now)
    try:
        return parse_duration(text)
    except InvalidDuration as error:
        if error.code == "duration.missing_unit" or not any(c.isdigit() for c in text):
            raise InvalidRetryAfter(
                "expected seconds ('10'), an HTTP date ('Sun, 06 Nov 1994 08:49:37 GMT') or a "
                f"duration ('6m5s'), got {text!r}",
                code="retry_after.invalid_duration",
                value=text,
                span=(0, len(text)),
            ) from None
        raise InvalidRetryAfter(
            error.message, code="retry_after.invalid_duration", value=text, span=error.span
        ) from None


def _parse_date(text: str) -> datetime:
    if _IMF_FIXDATE.fullmatch(text) is None:
        other = _OTHER_ZONE.fullmatch(text)
        if other is not None:
            start = len(other.group(1))
            raise InvalidRetryAfter(
                f"an HTTP date is in GMT, got the zone {other.group(2)!r} (Go and Python's "
                "e-mail utilities read other zones differently)",
                code="retry_after.zone",
                value=text,
                span=(start, len(text)),
            )
        if text[0].isascii() and text[0].isalpha() and not _could_be_date(text):
            raise InvalidRetryAfter(
                "expected seconds ('10'), an HTTP date ('Sun, 06 Nov 1994 08:49:37 GMT') or a "
                f"duration ('6m5s'), got {text!r}",
                code="retry_after.invalid_duration",
                value=text,
                span=(0, len(text)),
            )
        raise InvalidRetryAfter(
            "expected an HTTP date such as 'Sun, 06 Nov 1994 08:49:37 GMT' (RFC 9110 "
            f"IMF-fixdate), got {text!r}",
            code="retry_after.invalid_date",
            value=text,
            span=(0, len(text)),
        )
    try:
        return email.utils.parsedate_to_datetime(text)
    except ValueError as error:
        raise InvalidRetryAfter(
            f"no such date: {error}",
            code="retry_after.invalid_date",
            value=text,
            span=(5, len(text) - 4),
        ) from None


def _could_be_date(text: str) -> bool:
    """Whether ``text`` looks like an attempt at a date (a weekday or a month, and a digit)."""
    return bool(re.search(rf"\b(?:{_DAYS}|{_MONTHS})", text, re.IGNORECASE)) and any(
        c.isdigit() for c in text
    )


def is_success(status: int) -> bool:
    """Whether an HTTP status ends delivery successfully: any 2xx.

    >>> is_success(200), is_success(204), is_success(302), is_success(489)
    (True, True, False, False)

    Raises:
        TypeError: ``status`` is not an int (``bool`` is refused).

    """
    if type(status) is not int:
        msg = f"status must be an int, not {type(status).__name__}"
        raise TypeError(msg)
    return 200 <= status <= 299


def _index(headers: ResponseHeaders) -> dict[str, str]:
    """Each header name (lower case) and its first value (Go's ``Header.Get``), in one pass."""
    index: dict[str, str] = {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        name = header_text(key, "names").lower()
        if name in index:
            continue
        if isinstance(value, str | bytes | bytearray):
            index[name] = header_text(value, "values")
        else:
            for item in value:
                index[name] = header_text(item, "values")
                break
    return index


def _flagged(index: Mapping[str, str]) -> bool:
    flag = index.get(NON_RETRYABLE_HEADER.lower())
    return flag is not None and flag.strip(" \t").lower() == "true"


def is_non_retryable(status: int, headers: ResponseHeaders) -> bool:
    """Whether the destination refused retries: status 489 and ``Upstash-NonRetryable-Error: true``.

    >>> is_non_retryable(489, {"upstash-nonretryable-error": "true"})
    True
    >>> is_non_retryable(489, {}), is_non_retryable(400, {"Upstash-NonRetryable-Error": "true"})
    (False, False)

    Raises:
        TypeError: ``status`` is not an int, or a header name or value is neither str nor bytes.

    """
    if type(status) is not int:
        msg = f"status must be an int, not {type(status).__name__}"
        raise TypeError(msg)
    return status == NON_RETRYABLE_STATUS and _flagged(_index(headers))


@dataclass(frozen=True, slots=True)
class FiredCallback:
    """A callback QStash calls after an attempt, and the payload fields that describe it.

    ``kind`` is ``"callback"`` or ``"failure_callback"``; ``status``, ``retried`` and
    ``max_retries`` are the payload's ``status``, ``retried`` and ``maxRetries``. ``retries`` and
    ``retry_delay`` are the callback message's own (see the module docstring); ``options`` is the
    :class:`~qstash_protocol.Callback` it was configured with.

    >>> from datetime import UTC, datetime
    >>> from qstash_protocol import MessageOptions
    >>> options = MessageOptions(retries=1, callback={"url": "https://cb.example/"})
    >>> attempt = next_attempt(options, retried=0, status=200, now=datetime.now(UTC))
    >>> call = attempt.callbacks[0]
    >>> call.kind, call.url, call.status, call.retried, call.max_retries, call.retries
    ('callback', 'https://cb.example/', 200, 0, 1, 1)
    """

    kind: Literal["callback", "failure_callback"]
    url: str
    status: int | None
    retried: int
    max_retries: int
    retries: int
    retry_delay: RetryDelay | None
    options: Callback


#: Where a retry's delay came from: the message's expression, the default backoff, or a header.
DelaySource = RetryDelay | Literal["default_backoff"] | RetryAfterHeader


@dataclass(frozen=True, slots=True)
class Attempt:
    """What follows an attempt: delivered, a retry (when, and why that delay), or the DLQ.

    - ``outcome``: ``"delivered"``, ``"retry"`` or ``"dead_letter"``.
    - ``retried``, ``max_retries``, ``status``: the attempt that was made.
    - For a retry: ``retry_at`` (aware), ``delay``, ``delay_source`` (the
      :class:`~qstash_protocol.RetryDelay`, ``"default_backoff"``, or the response header's name)
      and ``next_retried`` (the retry's ``Upstash-Retried``); otherwise ``None``.
    - For a dead letter: ``reason``, ``"retries_exhausted"`` or ``"non_retryable"``.
    - ``callbacks``: the callbacks that fire now (:class:`FiredCallback`), in the order given.
    - ``ignored``: response headers and expression results passed over, as errors naming the
      header they came from.

    >>> from datetime import UTC, datetime
    >>> from qstash_protocol import MessageOptions
    >>> attempt = next_attempt(MessageOptions(retry_delay="1000 * (1 + retried)"), retried=1,
    ...                        status=500, response_headers={"Retry-After": "2d"},
    ...                        now=datetime(2026, 1, 1, tzinfo=UTC))
    >>> attempt.delay, str(attempt.delay_source), attempt.next_retried
    (datetime.timedelta(seconds=2), '1000 * (1 + retried)', 2)
    >>> [error.code for error in attempt.ignored]
    ['retry_after.above_limit']
    """

    outcome: Literal["delivered", "retry", "dead_letter"]
    retried: int
    max_retries: int
    status: int | None
    retry_at: datetime | None = None
    delay: timedelta | None = None
    delay_source: DelaySource | None = None
    next_retried: int | None = None
    reason: Literal["retries_exhausted", "non_retryable"] | None = None
    callbacks: tuple[FiredCallback, ...] = ()
    ignored: tuple[ProtocolError, ...] = ()


def _check_count(value: int, what: str) -> None:
    if type(value) is not int:
        msg = f"{what} must be an int, not {type(value).__name__}"
        raise TypeError(msg)
    if value < 0:
        msg = f"{what} must not be negative, got {value}"
        raise ValueError(msg)


def _backoff(
    options: MessageOptions | Callback, retried: int, ignored: list[ProtocolError]
) -> tuple[timedelta, DelaySource]:
    """The message's own delay before the retry after attempt ``retried``."""
    expression = options.retry_delay
    if expression is not None:
        try:
            return expression.delay(min(retried, 2**53)), expression
        except InvalidRetryDelay as error:
            ignored.append(error.with_header("Upstash-Retry-Delay"))
    return default_backoff(retried + 1), "default_backoff"


def _header_delay(
    index: Mapping[str, str], now: datetime, ignored: list[ProtocolError]
) -> tuple[timedelta, DelaySource] | None:
    for name in RETRY_AFTER_HEADERS:
        value = index.get(name.lower())
        if value is None:
            continue
        try:
            delay = parse_retry_after(value, now=now)
        except InvalidRetryAfter as error:
            ignored.append(error.with_header(name))
            continue
        if delay > MAX_RETRY_AFTER:
            text = value.strip(" \t")
            ignored.append(
                InvalidRetryAfter(
                    f"a delay of {delay} is above one day; the backoff applies instead",
                    code="retry_after.above_limit",
                    value=text,
                    span=(0, len(text)),
                    header=name,
                )
            )
            continue
        return delay, name
    return None


def next_attempt(
    options: MessageOptions | Callback,
    *,
    retried: int,
    status: int | None,
    response_headers: ResponseHeaders = (),
    now: datetime,
    max_retries: int | None = None,
) -> Attempt:
    """Decide what follows the attempt ``retried`` of a message that the destination answered.

    ``options`` are the message's (or a callback message's); ``retried`` its ``Upstash-Retried``
    (0 for the first attempt); ``status`` the destination's HTTP status (``None`` for no
    response); ``response_headers`` its response headers; ``now`` when the answer came (aware);
    ``max_retries`` the message's retries when known otherwise (the server's stored value, a
    callback's inherited retries), else ``options.retries`` or :data:`DEFAULT_RETRIES`. Pure and
    total: every valid input gives an :class:`Attempt`. Readings are in the module docstring.

    >>> from datetime import UTC, datetime
    >>> from qstash_protocol import MessageOptions
    >>> options = MessageOptions(failure_callback={"url": "https://cb.example/failed"})
    >>> attempt = next_attempt(options, retried=0, status=489, now=datetime.now(UTC),
    ...                        response_headers=[("Upstash-NonRetryable-Error", "true")])
    >>> attempt.outcome, attempt.reason, [c.kind for c in attempt.callbacks]
    ('dead_letter', 'non_retryable', ['failure_callback'])

    Raises:
        TypeError: a wrong Python type (``retried``, ``status`` or ``max_retries`` not an int,
            ``now`` not a datetime, ``options`` not options).
        ValueError: ``retried`` or ``max_retries`` negative, ``status`` outside 100-999, or
            ``now`` naive.

    """
    if not isinstance(options, MessageOptions | Callback):
        msg = f"options must be MessageOptions or Callback, not {type(options).__name__}"
        raise TypeError(msg)
    _check_count(retried, "retried")
    if max_retries is not None:
        _check_count(max_retries, "max_retries")
    if status is not None:
        if type(status) is not int:
            msg = f"status must be an int or None, not {type(status).__name__}"
            raise TypeError(msg)
        if not 100 <= status <= 999:
            msg = f"status must be a three-digit HTTP status (100-999), got {status}"
            raise ValueError(msg)
    _check_now(now)
    if max_retries is not None:
        budget = max_retries
    elif options.retries is not None:
        budget = options.retries
    else:
        budget = DEFAULT_RETRIES

    ignored: list[ProtocolError] = []
    index: dict[str, str] | None = None
    outcome: Literal["delivered", "retry", "dead_letter"]
    reason: Literal["retries_exhausted", "non_retryable"] | None = None
    retry_at = delay = source = next_retried = None
    if status is not None and is_success(status):
        outcome = "delivered"
    elif status == NON_RETRYABLE_STATUS and _flagged(index := _index(response_headers)):
        outcome, reason = "dead_letter", "non_retryable"
    elif retried >= budget:
        outcome, reason = "dead_letter", "retries_exhausted"
    else:
        outcome = "retry"
        if index is None:
            index = _index(response_headers)
        chosen = _header_delay(index, now, ignored)
        delay, source = chosen if chosen is not None else _backoff(options, retried, ignored)
        try:
            retry_at = now + delay
        except OverflowError:
            retry_at = _LAST_INSTANT
        next_retried = retried + 1

    callbacks: list[FiredCallback] = []
    fired: list[tuple[Literal["callback", "failure_callback"], Callback | None]] = [
        ("callback", options.callback)
    ]
    if outcome == "dead_letter":
        fired.append(("failure_callback", options.failure_callback))
    for kind, callback in fired:
        if callback is not None:
            callbacks.append(
                FiredCallback(
                    kind=kind,
                    url=callback.url,
                    status=status,
                    retried=retried,
                    max_retries=budget,
                    retries=budget if callback.retries is None else callback.retries,
                    retry_delay=callback.retry_delay,
                    options=callback,
                )
            )
    return Attempt(
        outcome=outcome,
        retried=retried,
        max_retries=budget,
        status=status,
        retry_at=retry_at,
        delay=delay,
        delay_source=source,
        next_retried=next_retried,
        reason=reason,
        callbacks=tuple(callbacks),
        ignored=tuple(ignored),
    )
