"""The destination's answer (Retry-After, 489) and the retry decision, next_attempt."""

import email.utils
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qstash_protocol import (
    DEFAULT_RETRIES,
    MAX_RETRY_AFTER,
    Attempt,
    Callback,
    InvalidRetryAfter,
    InvalidRetryDelay,
    MessageOptions,
    ProtocolError,
    RetryDelay,
    default_backoff,
    is_non_retryable,
    is_success,
    next_attempt,
    parse_retry_after,
    parse_retry_delay,
)
from qstash_protocol.testing import delivery_strategies as ds
from qstash_protocol.testing import strategies

NOW = datetime(2024, 6, 27, 12, 0, 0, tzinfo=UTC)

# --- parse_retry_after -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # https://upstash.com/docs/qstash/features/retry, "Retry-After Headers", verbatim.
        ("0", timedelta(0)),
        ("10", timedelta(seconds=10)),
        ("6m5s", timedelta(minutes=6, seconds=5)),
        ("Sun, 27 Jun 2024 12:16:24 GMT", timedelta(minutes=16, seconds=24)),
        # Go duration units the page lists, fractions (OpenAI's x-ratelimit-reset-*), days
        # (workflow-js WorkflowRetryAfterError's Duration).
        ("1500ms", timedelta(seconds=1.5)),
        ("250us", timedelta(microseconds=250)),
        ("250µs", timedelta(microseconds=250)),
        ("2000ns", timedelta(microseconds=2)),
        ("1h", timedelta(hours=1)),
        ("7.66s", timedelta(seconds=7.66)),
        ("1d", timedelta(days=1)),
        ("  30 ", timedelta(seconds=30)),
        ("007", timedelta(seconds=7)),
        # A date in the past is no delay at all.
        ("Thu, 27 Jun 2024 11:00:00 GMT", timedelta(0)),
        ("1701198458", timedelta(seconds=1701198458)),  # a Unix time is read as seconds
    ],
)
def test_retry_after_values(value: str, expected: timedelta) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "retry_after.empty"),
        (" \t", "retry_after.empty"),
        ("1" * 65, "retry_after.too_long"),
        ("9" * 20, "retry_after.out_of_range"),
        ("soon", "retry_after.invalid_duration"),
        ("1.5", "retry_after.invalid_duration"),
        ("-1", "retry_after.invalid_duration"),
        ("10 s", "retry_after.invalid_duration"),
        ("5w", "retry_after.invalid_duration"),
        ("Thu, 27 Jun 2024 12:16:24 PST", "retry_after.zone"),
        ("Thu, 27 Jun 2024 12:16:24 +0000", "retry_after.zone"),
        ("Thursday, 27-Jun-24 12:16:24 GMT", "retry_after.invalid_date"),  # RFC 850
        ("Thu Jun 27 12:16:24 2024", "retry_after.invalid_date"),  # asctime
        ("Thu, 7 Jun 2024 12:16:24 GMT", "retry_after.invalid_date"),
        ("Thu, 31 Feb 2024 12:16:24 GMT", "retry_after.invalid_date"),
        ("Thu, 27 Jun 2024 25:16:24 GMT", "retry_after.invalid_date"),
    ],
)
def test_retry_after_refusals(value: str, code: str) -> None:
    with pytest.raises(InvalidRetryAfter) as caught:
        parse_retry_after(value, now=NOW)
    error = caught.value
    assert error.code == code
    assert error.value is not None and error.span is not None
    assert 0 <= error.span[0] <= error.span[1] <= len(error.value)


def test_retry_after_needs_an_aware_now_and_text() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_retry_after("10", now=datetime(2024, 1, 1))
    with pytest.raises(TypeError):
        parse_retry_after("10", now="now")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_retry_after(10, now=NOW)  # type: ignore[arg-type]


def test_a_date_counts_from_now_in_any_zone() -> None:
    paris = NOW.astimezone(timezone(timedelta(hours=2)))
    assert parse_retry_after("Thu, 27 Jun 2024 12:00:30 GMT", now=paris) == timedelta(seconds=30)


@given(st.integers(0, 10**9))
def test_seconds_round_trip(seconds: int) -> None:
    assert parse_retry_after(str(seconds), now=NOW) == timedelta(seconds=seconds)


@given(st.integers(0, 400 * 86_400))
def test_dates_written_by_the_standard_library_are_read(offset: int) -> None:
    moment = NOW + timedelta(seconds=offset)
    text = email.utils.format_datetime(moment, usegmt=True)
    assert parse_retry_after(text, now=NOW) == timedelta(seconds=offset)


@given(strategies.durations(max_value=timedelta(days=30)))
def test_durations_written_canonically_are_read(delay: timedelta) -> None:
    from qstash_protocol import format_duration

    assert parse_retry_after(format_duration(delay), now=NOW) == delay


@given(st.text(max_size=70))
def test_any_text_gives_a_delay_or_our_error(value: str) -> None:
    try:
        delay = parse_retry_after(value, now=NOW)
    except InvalidRetryAfter as error:
        assert error.code in InvalidRetryAfter.CODES
    else:
        assert delay >= timedelta(0)


# --- is_success, is_non_retryable -----------------------------------------------------------


def test_success_is_any_2xx() -> None:
    assert [s for s in range(100, 1000) if is_success(s)] == list(range(200, 300))
    with pytest.raises(TypeError):
        is_success(True)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (489, {"Upstash-NonRetryable-Error": "true"}, True),
        (489, {"upstash-nonretryable-error": "TRUE"}, True),
        (489, {"Upstash-NonRetryable-Error": " true "}, True),
        (489, [(b"upstash-nonretryable-error", b"true")], True),
        (489, {"Upstash-NonRetryable-Error": ["true", "false"]}, True),
        (
            489,
            [("Upstash-NonRetryable-Error", "false"), ("Upstash-NonRetryable-Error", "true")],
            False,
        ),
        (489, {"Upstash-NonRetryable-Error": "1"}, False),
        (489, {"Upstash-NonRetryable-Error": []}, False),
        (489, {}, False),
        (400, {"Upstash-NonRetryable-Error": "true"}, False),
        (200, {"Upstash-NonRetryable-Error": "true"}, False),
    ],
)
def test_non_retryable_needs_489_and_the_header(
    status: int, headers: object, expected: bool
) -> None:
    assert is_non_retryable(status, headers) is expected  # type: ignore[arg-type]


# --- next_attempt: every branch --------------------------------------------------------------

CALLBACK = {"url": "https://cb.example/done"}
FAILURE = {"url": "https://cb.example/failed"}


def options(**fields: object) -> MessageOptions:
    return MessageOptions(callback=CALLBACK, failure_callback=FAILURE, **fields)  # type: ignore[arg-type]


def kinds(attempt: Attempt) -> list[str]:
    return [call.kind for call in attempt.callbacks]


@pytest.mark.parametrize(
    ("case", "fields", "retried", "status", "headers", "max_retries", "expected"),
    [
        # Delivered: any 2xx, at any attempt, whatever the headers say.
        ("200", {}, 0, 200, {}, None, ("delivered", None, None, None)),
        ("299 last", {"retries": 1}, 1, 299, {}, None, ("delivered", None, None, None)),
        (
            "204 flag",
            {},
            0,
            204,
            {"Upstash-NonRetryable-Error": "true"},
            None,
            ("delivered", None, None, None),
        ),
        # A failure with retries left: the default backoff, n = the coming retry's number.
        ("500 first", {}, 0, 500, {}, None, ("retry", 12, "default_backoff", None)),
        ("500 second", {}, 1, 500, {}, None, ("retry", 148, "default_backoff", None)),
        ("3xx", {}, 0, 302, {}, None, ("retry", 12, "default_backoff", None)),
        ("no answer", {}, 0, None, {}, None, ("retry", 12, "default_backoff", None)),
        ("489 alone", {}, 0, 489, {}, None, ("retry", 12, "default_backoff", None)),
        (
            "400 flag",
            {},
            0,
            400,
            {"Upstash-NonRetryable-Error": "true"},
            None,
            ("retry", 12, "default_backoff", None),
        ),
        # The message's expression, with retried = this attempt's Upstash-Retried.
        (
            "expression",
            {"retry_delay": "pow(2, retried) * 1000"},
            2,
            500,
            {},
            None,
            ("retry", 4, "expression", None),
        ),
        # Response headers, in the documented order; the first usable one wins.
        (
            "Retry-After",
            {},
            0,
            429,
            {"Retry-After": "30"},
            None,
            ("retry", 30, "Retry-After", None),
        ),
        (
            "X-RateLimit-Reset",
            {},
            0,
            429,
            {"x-ratelimit-reset": "6m5s"},
            None,
            ("retry", 365, "X-RateLimit-Reset", None),
        ),
        (
            "Reset-Requests",
            {},
            0,
            429,
            {"X-RateLimit-Reset-Requests": "1s"},
            None,
            ("retry", 1, "X-RateLimit-Reset-Requests", None),
        ),
        (
            "Reset-Tokens",
            {},
            0,
            429,
            {"X-RateLimit-Reset-Tokens": "20ms"},
            None,
            ("retry", 0.02, "X-RateLimit-Reset-Tokens", None),
        ),
        (
            "order",
            {},
            0,
            429,
            {"X-RateLimit-Reset-Tokens": "1s", "Retry-After": "2"},
            None,
            ("retry", 2, "Retry-After", None),
        ),
        (
            "invalid skipped",
            {},
            0,
            429,
            {"Retry-After": "soon", "X-RateLimit-Reset": "3"},
            None,
            ("retry", 3, "X-RateLimit-Reset", None),
        ),
        (
            "over a day skipped",
            {},
            0,
            429,
            {"Retry-After": "86401", "X-RateLimit-Reset": "3"},
            None,
            ("retry", 3, "X-RateLimit-Reset", None),
        ),
        (
            "exactly a day",
            {},
            0,
            429,
            {"Retry-After": "1d"},
            None,
            ("retry", 86400, "Retry-After", None),
        ),
        (
            "over a day, default",
            {},
            0,
            429,
            {"Retry-After": "2d"},
            None,
            ("retry", 12, "default_backoff", None),
        ),
        (
            "over a day, expression",
            {"retry_delay": "5000"},
            0,
            429,
            {"Retry-After": "90000"},
            None,
            ("retry", 5, "expression", None),
        ),
        (
            "header beats expression",
            {"retry_delay": "5000"},
            0,
            503,
            {"Retry-After": "0"},
            None,
            ("retry", 0, "Retry-After", None),
        ),
        (
            "past date",
            {},
            0,
            503,
            {"Retry-After": "Thu, 27 Jun 2024 11:00:00 GMT"},
            None,
            ("retry", 0, "Retry-After", None),
        ),
        # The expression fails for this retried: the default backoff, and the error reported.
        (
            "failing expression",
            {"retry_delay": "1000 / retried"},
            0,
            500,
            {},
            None,
            ("retry", 12, "default_backoff", None),
        ),
        # Dead letters.
        (
            "non-retryable",
            {},
            0,
            489,
            {"Upstash-NonRetryable-Error": "true"},
            None,
            ("dead_letter", None, None, "non_retryable"),
        ),
        (
            "exhausted default",
            {},
            DEFAULT_RETRIES,
            500,
            {},
            None,
            ("dead_letter", None, None, "retries_exhausted"),
        ),
        (
            "exhausted set",
            {"retries": 1},
            1,
            503,
            {"Retry-After": "1"},
            None,
            ("dead_letter", None, None, "retries_exhausted"),
        ),
        (
            "no retries",
            {"retries": 0},
            0,
            500,
            {},
            None,
            ("dead_letter", None, None, "retries_exhausted"),
        ),
        (
            "beyond budget",
            {"retries": 1},
            5,
            500,
            {},
            None,
            ("dead_letter", None, None, "retries_exhausted"),
        ),
        (
            "no answer, last",
            {"retries": 0},
            0,
            None,
            {},
            None,
            ("dead_letter", None, None, "retries_exhausted"),
        ),
        # max_retries overrides the options.
        (
            "override down",
            {"retries": 5},
            1,
            500,
            {},
            1,
            ("dead_letter", None, None, "retries_exhausted"),
        ),
        ("override up", {"retries": 0}, 0, 500, {}, 2, ("retry", 12, "default_backoff", None)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_next_attempt_table(
    case: str,
    fields: dict[str, object],
    retried: int,
    status: int | None,
    headers: dict[str, str],
    max_retries: int | None,
    expected: tuple[str, float | None, str | None, str | None],
) -> None:
    del case
    outcome, seconds, source, reason = expected
    opts = options(**fields)
    attempt = next_attempt(
        opts,
        retried=retried,
        status=status,
        response_headers=headers,
        now=NOW,
        max_retries=max_retries,
    )
    budget = max_retries if max_retries is not None else opts.retries
    budget = DEFAULT_RETRIES if budget is None else budget
    assert (attempt.outcome, attempt.reason) == (outcome, reason)
    assert (attempt.retried, attempt.status, attempt.max_retries) == (retried, status, budget)
    if outcome == "retry":
        assert attempt.delay == timedelta(seconds=seconds or 0)
        assert attempt.retry_at == NOW + attempt.delay
        assert attempt.next_retried == retried + 1
        if source == "expression":
            assert isinstance(attempt.delay_source, RetryDelay)
            assert attempt.delay_source == opts.retry_delay
        else:
            assert attempt.delay_source == source
    else:
        assert attempt.delay is attempt.retry_at is attempt.delay_source is None
        assert attempt.next_retried is None
    # The callback fires after every attempt; the failure callback with the dead letter.
    expected_kinds = ["callback", "failure_callback"] if outcome == "dead_letter" else ["callback"]
    assert kinds(attempt) == expected_kinds
    for call in attempt.callbacks:
        assert (call.status, call.retried, call.max_retries) == (status, retried, budget)


def test_what_is_ignored_is_reported_with_its_header() -> None:
    attempt = next_attempt(
        options(retry_delay="1000 / retried"),
        retried=0,
        status=429,
        response_headers=[("Retry-After", "soon"), ("X-RateLimit-Reset", "2d")],
        now=NOW,
    )
    assert [(e.header, e.code) for e in attempt.ignored] == [
        ("Retry-After", "retry_after.invalid_duration"),
        ("X-RateLimit-Reset", "retry_after.above_limit"),
        ("Upstash-Retry-Delay", "retry_delay.division_by_zero"),
    ]
    assert all(isinstance(e, ProtocolError) for e in attempt.ignored)
    assert attempt.delay_source == "default_backoff"


def test_a_repeated_header_counts_by_its_first_value() -> None:
    attempt = next_attempt(
        MessageOptions(),
        retried=0,
        status=429,
        response_headers=[("Retry-After", "5"), ("retry-after", "7")],
        now=NOW,
    )
    assert attempt.delay == timedelta(seconds=5)


def test_no_callbacks_without_urls() -> None:
    for status in (200, 500):
        for retried in (0, 3):
            assert (
                next_attempt(MessageOptions(), retried=retried, status=status, now=NOW).callbacks
                == ()
            )


def test_the_callback_messages_own_retries_and_delay() -> None:
    opts = MessageOptions(
        retries=4,
        retry_delay="1000",
        callback={"url": "https://cb.example/a", "retries": 1, "retry_delay": "2000"},
        failure_callback={"url": "https://cb.example/b"},
    )
    attempt = next_attempt(opts, retried=4, status=500, now=NOW)
    callback, failure = attempt.callbacks
    assert (callback.url, callback.retries, str(callback.retry_delay)) == (
        "https://cb.example/a",
        1,
        "2000",
    )
    # Retries default to the message's; the retry delay is not inherited.
    assert (failure.url, failure.retries, failure.retry_delay) == ("https://cb.example/b", 4, None)
    assert failure.options == opts.failure_callback
    # Deciding the callback message's own retries: its options, its retries.
    again = next_attempt(
        callback.options, retried=0, status=503, now=NOW, max_retries=callback.retries
    )
    assert (again.outcome, again.delay, str(again.delay_source)) == (
        "retry",
        timedelta(seconds=2),
        "2000",
    )
    last = next_attempt(
        failure.options, retried=4, status=503, now=NOW, max_retries=failure.retries
    )
    assert last.outcome == "dead_letter" and last.callbacks == ()


def test_nested_callbacks_of_a_callback_message() -> None:
    callback = Callback(url="https://cb.example/a", callback={"url": "https://cb.example/nested"})
    attempt = next_attempt(callback, retried=0, status=200, now=NOW)
    assert [call.url for call in attempt.callbacks] == ["https://cb.example/nested"]


def test_retry_at_beyond_year_9999_is_clamped() -> None:
    late = datetime(9999, 12, 31, tzinfo=UTC)
    attempt = next_attempt(MessageOptions(retry_delay="1e12"), retried=0, status=500, now=late)
    assert attempt.delay == timedelta(seconds=1e9)
    assert attempt.retry_at == datetime.max.replace(tzinfo=UTC)


def test_an_expression_beyond_the_longest_duration_falls_back() -> None:
    attempt = next_attempt(
        MessageOptions(retry_delay="pow(10, retried) * 1000"),
        retried=12,
        status=500,
        now=NOW,
        max_retries=20,
    )
    assert attempt.delay == default_backoff(13)
    assert [e.code for e in attempt.ignored] == ["retry_delay.out_of_range"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"retried": -1}, ValueError),
        ({"retried": True}, TypeError),
        ({"retried": 1.0}, TypeError),
        ({"status": 99}, ValueError),
        ({"status": 1000}, ValueError),
        ({"status": "200"}, TypeError),
        ({"status": True}, TypeError),
        ({"max_retries": -1}, ValueError),
        ({"max_retries": "3"}, TypeError),
        ({"now": datetime(2024, 1, 1)}, ValueError),
        ({"now": 0}, TypeError),
    ],
)
def test_programming_errors(kwargs: dict[str, object], error: type[Exception]) -> None:
    arguments: dict[str, object] = {"retried": 0, "status": 500, "now": NOW, **kwargs}
    with pytest.raises(error):
        next_attempt(MessageOptions(), **arguments)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        next_attempt({"retries": 3}, retried=0, status=500, now=NOW)  # type: ignore[arg-type]


# --- Properties ------------------------------------------------------------------------------


def run_delays(opts: MessageOptions, status: int | None = 500) -> list[timedelta]:
    """Fail every attempt of a message; the delays before each retry, until the DLQ."""
    delays: list[timedelta] = []
    retried = 0
    now = NOW
    while True:
        attempt = next_attempt(opts, retried=retried, status=status, now=now)
        if attempt.outcome != "retry":
            assert attempt.outcome == "dead_letter"
            assert attempt.reason == "retries_exhausted"
            assert [c.kind for c in attempt.callbacks] == [
                k for k in ("callback", "failure_callback") if getattr(opts, k)
            ]
            return delays
        assert attempt.delay is not None and attempt.retry_at is not None
        delays.append(attempt.delay)
        now = attempt.retry_at
        retried = attempt.next_retried  # type: ignore[assignment]


def works_for(delay: RetryDelay, retries: int) -> bool:
    try:
        delay.schedule(retries)
    except InvalidRetryDelay:
        return False
    return True


@given(strategies.retry_delay_expressions(), st.integers(0, 8), st.sampled_from([500, 302, None]))
def test_a_whole_run_follows_the_expressions_schedule(
    text: str, retries: int, status: int | None
) -> None:
    delay = parse_retry_delay(text)
    assume(works_for(delay, retries))
    assert run_delays(MessageOptions(retries=retries, retry_delay=delay), status) == delay.schedule(
        retries
    )


@given(st.integers(0, 10))
def test_a_whole_run_without_expression_follows_the_default_backoff(retries: int) -> None:
    expected = [default_backoff(n) for n in range(1, retries + 1)]
    assert run_delays(MessageOptions(retries=retries)) == expected
    if retries == DEFAULT_RETRIES:
        assert run_delays(MessageOptions()) == expected
        # The docs' table: 12s, 2m28s, 30m8s.
        assert [str(d) for d in expected] == ["0:00:12", "0:02:28", "0:30:08"]


@given(
    st.from_type(MessageOptions),
    st.integers(0, 12),
    st.none() | st.integers(100, 999),
    ds.response_headers(),
    st.none() | st.integers(0, 12),
)
def test_next_attempt_is_total_and_consistent(
    opts: MessageOptions,
    retried: int,
    status: int | None,
    headers: object,
    max_retries: int | None,
) -> None:
    attempt = next_attempt(
        opts,
        retried=retried,
        status=status,
        response_headers=headers,  # type: ignore[arg-type]
        now=NOW,
        max_retries=max_retries,
    )
    succeeded = status is not None and 200 <= status <= 299
    assert (attempt.outcome == "delivered") is succeeded
    if attempt.outcome == "retry":
        assert attempt.delay is not None and attempt.delay >= timedelta(0)
        assert attempt.retry_at == NOW + attempt.delay
        assert attempt.retried < attempt.max_retries
        if isinstance(attempt.delay_source, str) and attempt.delay_source != "default_backoff":
            assert attempt.delay <= MAX_RETRY_AFTER
    if attempt.outcome == "dead_letter":
        assert attempt.reason is not None
    fired = {call.kind for call in attempt.callbacks}
    assert ("callback" in fired) is (opts.callback is not None)
    assert ("failure_callback" in fired) is (
        opts.failure_callback is not None and attempt.outcome == "dead_letter"
    )
