"""Hypothesis strategies for QStash header values and whole requests (the ``hypothesis`` extra).

Use them to property-test your own QStash-compatible server, gateway or SDK:

>>> from hypothesis import given
>>> from qstash_protocol import decode_headers, strategies
>>> @given(strategies.publish_headers())
... def test_my_server_accepts_what_qstash_accepts(headers):
...     decode_headers(headers)  # replace with a call into your own server
>>> test_my_server_accepts_what_qstash_accepts()

Valid strategies generate only what the library (and so, as far as the public sources show,
QStash) accepts: ``durations()``, ``duration_strings()``, ``retry_delay_expressions()``
(generated from the Lark grammar), ``flow_control_values()``, ``redact_fields()``,
``deduplication_ids()``, ``labels()``, ``callback_urls()``, ``callbacks()``,
``message_options()`` (whose scopes may hold orphan callback scopes: a callback's headers
without its URL, which QStash accepts and ignores) and ``publish_headers()`` (whole header
maps as an SDK would send them, names in varied case).

Requests beyond one path and its headers: ``batch_requests()`` and ``batch_bodies()`` (``/v2/batch``
bodies as each official SDK writes them), ``v1_requests()`` (``/v1/publish/``) and
``query_option_requests()`` (options as ``upstash-*`` query parameters and the token as
``qstash_token``), each with an invalid twin (``invalid_batch_bodies()``, ``invalid_v1_requests()``,
``invalid_query_option_requests()``).

Invalid strategies (``invalid_duration_strings()``, ``invalid_retry_delay_expressions()``,
``invalid_flow_control_values()``, ``invalid_redact_fields()``, ``invalid_deduplication_ids()``,
``invalid_publish_headers()``) generate :class:`InvalidExample` pairs: a value the library must
reject, and the error ``code`` it rejects it with, so you can check that your implementation
rejects what QStash rejects.

``st.from_type(MessageOptions)`` (and ``Callback``, ``FlowControl``, ``FlowControlValue``,
``RedactFields``, ``RetryDelay``) works without setup: the package registers these strategies
through Hypothesis' entry point.

Every strategy takes keyword-only options, checked when it is called
(``hypothesis.errors.InvalidArgument``).
"""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final, NamedTuple, TypeVar
from urllib.parse import quote, quote_plus

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - only without the extra
    msg = (
        "qstash_protocol.testing.strategies needs Hypothesis: "
        "pip install 'qstash-protocol[hypothesis]'"
    )
    raise ImportError(msg) from error
from lark import Lark

from qstash_protocol._resources import grammar_text
from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.batch import MAX_BATCH_ITEMS
from qstash_protocol.publish.codec import encode_headers
from qstash_protocol.publish.headers import MAX_SCOPE_DEPTH
from qstash_protocol.publish.options import Callback, FlowControl, MessageOptions, OrphanScope
from qstash_protocol.publish.request import PublishRequest
from qstash_protocol.values.cron import MAX_CRON_LENGTH
from qstash_protocol.values.durations import (
    MAX_DURATION,
    MAX_DURATION_LENGTH,
    format_duration,
    parse_duration,
)
from qstash_protocol.values.flow_control import (
    MAX_FLOW_CONTROL_PERIOD,
    FlowControlValue,
)
from qstash_protocol.values.redact import RedactFields
from qstash_protocol.values.retry_delay import parse_retry_delay

__all__ = [
    "InvalidExample",
    "RequestExample",
    "batch_bodies",
    "batch_requests",
    "callback_urls",
    "callbacks",
    "cron_expressions",
    "deduplication_ids",
    "duration_strings",
    "durations",
    "flow_control_keys",
    "flow_control_values",
    "invalid_batch_bodies",
    "invalid_cron_expressions",
    "invalid_deduplication_ids",
    "invalid_duration_strings",
    "invalid_flow_control_values",
    "invalid_publish_headers",
    "invalid_query_option_requests",
    "invalid_redact_fields",
    "invalid_retry_delay_expressions",
    "invalid_v1_requests",
    "labels",
    "message_options",
    "publish_headers",
    "query_option_requests",
    "redact_fields",
    "retry_delay_expressions",
    "v1_requests",
]


class InvalidExample(NamedTuple):
    """A value the library must reject, and the error code it rejects it with.

    For :func:`invalid_publish_headers` the value is a header map and ``code`` is one of the
    codes in the raised :class:`~qstash_protocol.InvalidHeaders` ``errors``.
    """

    value: Any
    code: str


_VCHAR = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
_TCHAR = st.sampled_from(list("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIXYZ"))


def _check_non_negative(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        msg = f"{name} must be a non-negative int, got {value!r}"
        raise InvalidArgument(msg)


def durations(
    *, min_value: timedelta = timedelta(0), max_value: timedelta = MAX_DURATION
) -> st.SearchStrategy[timedelta]:
    """Durations QStash can hold: from ``min_value`` to ``max_value`` (0 to about 292 years).

    >>> durations(min_value=timedelta(seconds=-1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    hypothesis.errors.InvalidArgument: min_value must be within 0 and MAX_DURATION, ...
    """
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if not isinstance(value, timedelta) or not timedelta(0) <= value <= MAX_DURATION:
            msg = f"{name} must be within 0 and MAX_DURATION, got {value!r}"
            raise InvalidArgument(msg)
    if min_value > max_value:
        msg = f"min_value {min_value!r} is greater than max_value {max_value!r}"
        raise InvalidArgument(msg)
    return st.timedeltas(min_value=min_value, max_value=max_value)


_UNITS = ("ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h", "d")


def duration_strings(*, canonical: bool = False) -> st.SearchStrategy[str]:
    """Text that ``parse_duration`` accepts: canonical (``1h30m``) or any valid spelling.

    Non-canonical spellings use every unit, fractions, repeated units and any order
    (``1.5h``, ``90m``, ``30s1m``, ``.5s``).

    >>> duration_strings(canonical="yes")
    Traceback (most recent call last):
      ...
    hypothesis.errors.InvalidArgument: canonical must be a bool, got 'yes'
    """
    if not isinstance(canonical, bool):
        msg = f"canonical must be a bool, got {canonical!r}"
        raise InvalidArgument(msg)
    canonical_texts = durations().map(format_duration)
    if canonical:
        return canonical_texts
    group = st.builds(
        lambda whole, frac, unit: f"{whole}{'' if frac is None else '.' + frac}{unit}",
        st.integers(min_value=0, max_value=99_999).map(str),
        st.none() | st.text("0123456789", min_size=0, max_size=6),
        st.sampled_from(_UNITS),
    )
    spelled = st.lists(group, min_size=1, max_size=5).map("".join)
    return st.one_of(canonical_texts, spelled.filter(_parses_as_duration), st.just("0"))


def _parses_as_duration(text: str) -> bool:
    """Within MAX_DURATION_LENGTH and MAX_DURATION (a sum of large groups may exceed it)."""
    try:
        parse_duration(text)
    except ProtocolError:
        return False
    return True


@functools.cache
def _retry_delay_grammar() -> Lark:
    return Lark(grammar_text("retry_delay.lark"), parser="lalr", lexer="contextual")


def _parses_as_retry_delay(text: str) -> bool:
    try:
        parse_retry_delay(text)
    except ProtocolError:
        return False
    return True


_NUMBER_SPELLINGS = st.one_of(
    st.integers(min_value=0, max_value=100_000).map(str),
    st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False).map(str),
    st.sampled_from(["1e3", "2.5E-3", ".5", "2.", "1000.0", "0.1"]),
)
_SPACE = st.sampled_from(["", "", " ", "  ", "\t"])


def _joined(parts: list[str], space: list[str]) -> str:
    return "".join(part + gap for part, gap in zip(parts, space, strict=False))


def _structured_expressions() -> st.SearchStrategy[str]:
    """Expressions built construct by construct, mirroring ``grammars/retry_delay.lark``."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.builds(
            lambda a, op, b, s1, s2: f"{a}{s1}{op}{s2}{b}",
            inner,
            st.sampled_from(["+", "-", "*", "/", "%"]),
            inner,
            _SPACE,
            _SPACE,
        )
        unary = st.builds(lambda op, a: f"{op}{a}", st.sampled_from(["+", "-"]), inner)
        group = inner.map(lambda a: f"({a})")
        calls = [
            st.builds(lambda a, s1, n=name: f"{n}({s1}{a})", inner, _SPACE)
            for name in ("abs", "ceil", "exp", "floor", "round", "sqrt")
        ]
        calls.append(st.builds(lambda a, b, s1: f"pow({a},{s1}{b})", inner, inner, _SPACE))
        calls.extend(
            st.builds(
                lambda args, s1, n=name: f"{n}(" + f",{s1}".join(args) + ")",
                st.lists(inner, min_size=2, max_size=4),
                _SPACE,
            )
            for name in ("min", "max")
        )
        return st.one_of(binary, unary, group, *calls)

    leaves = st.one_of(_NUMBER_SPELLINGS, st.just("retried"))
    return st.recursive(leaves, extend, max_leaves=12)


def retry_delay_expressions(*, from_grammar: bool = False) -> st.SearchStrategy[str]:
    """``Upstash-Retry-Delay`` expressions that ``parse_retry_delay`` accepts.

    By default expressions are built construct by construct after ``grammars/retry_delay.lark``
    (every operator, sign, function and arity, number spelling and whitespace), which is fast.
    With ``from_grammar=True`` they are generated from the Lark grammar itself by
    ``hypothesis.extra.lark.from_lark``: slower (tens of milliseconds an example), and it finds
    the spellings a hand-written generator forgets. Either way, expressions the parser rejects
    although the grammar allows them (a constant division by zero or negative result, too long,
    too deep) are left out.

    >>> from hypothesis import given
    >>> @given(retry_delay_expressions())
    ... def check(text):
    ...     assert parse_retry_delay(str(parse_retry_delay(text))) == parse_retry_delay(text)
    >>> check()
    """
    if not isinstance(from_grammar, bool):
        msg = f"from_grammar must be a bool, got {from_grammar!r}"
        raise InvalidArgument(msg)
    if from_grammar:
        # Imported here: hypothesis.extra.lark reads Hypothesis' Unicode tables on import.
        from hypothesis.extra.lark import from_lark  # noqa: PLC0415

        return st.deferred(
            lambda: from_lark(_retry_delay_grammar(), start="start").filter(_parses_as_retry_delay)
        )
    return _structured_expressions().filter(_parses_as_retry_delay)


_DOCUMENTED_EXPRESSIONS = (
    "1000",
    "1000 * (1 + retried)",
    "pow(2, retried) * 1000",
    "max(1000, pow(2, retried) * 100)",
    "exp(2.5 * retried) * 1000",
    "min(86400000, 7000 * retried)",
)


def flow_control_keys() -> st.SearchStrategy[str]:
    """``Upstash-Flow-Control-Key`` values (visible ASCII, no whitespace).

    >>> from hypothesis import given
    >>> from qstash_protocol import validate_flow_control_key
    >>> @given(flow_control_keys())
    ... def check(key):
    ...     assert validate_flow_control_key(key) == key
    >>> check()
    """
    return st.text(_VCHAR, min_size=1, max_size=64)


def flow_control_values() -> st.SearchStrategy[FlowControlValue]:
    """Valid ``Upstash-Flow-Control-Value`` settings: rate and/or parallelism, maybe a period.

    >>> from hypothesis import given
    >>> from qstash_protocol import parse_flow_control_value
    >>> @given(flow_control_values())
    ... def check(value):
    ...     assert parse_flow_control_value(str(value)) == value
    >>> check()
    """
    counts = st.none() | st.integers(min_value=1, max_value=2**31 - 1)
    periods = st.none() | st.integers(
        min_value=1, max_value=int(MAX_FLOW_CONTROL_PERIOD.total_seconds())
    ).map(lambda seconds: timedelta(seconds=seconds))
    return (
        st.tuples(counts, counts, periods)
        .filter(lambda t: t[0] is not None or t[1] is not None)
        .map(lambda t: FlowControlValue(parallelism=t[0], rate=t[1], period=t[2]))
    )


def _flow_controls() -> st.SearchStrategy[FlowControl]:
    """A key and a value together: the FlowControl of a message (and the registered one)."""
    return st.builds(FlowControl, key=flow_control_keys(), value=flow_control_values())


_HEADER_NAMES = st.one_of(
    st.sampled_from(["Authorization", "X-Api-Key", "Cookie", "X-Request-Id", "Content-Type"]),
    st.text(_TCHAR, min_size=1, max_size=20),
)


def redact_fields() -> st.SearchStrategy[RedactFields]:
    """Valid ``Upstash-Redact-Fields`` settings.

    >>> from hypothesis import given
    >>> from qstash_protocol import parse_redact_fields
    >>> @given(redact_fields())
    ... def check(fields):
    ...     assert parse_redact_fields(str(fields)) == fields
    >>> check()
    """
    return (
        st.tuples(st.booleans(), st.booleans(), st.lists(_HEADER_NAMES, max_size=4))
        .filter(lambda t: t[0] or t[1] or t[2])
        .map(lambda t: RedactFields(body=t[0], all_headers=t[1], headers=tuple(t[2])))
    )


def deduplication_ids() -> st.SearchStrategy[str]:
    """Valid ``Upstash-Deduplication-Id`` values (visible ASCII but ``:``).

    >>> from hypothesis import given
    >>> from qstash_protocol import validate_deduplication_id
    >>> @given(deduplication_ids())
    ... def check(text):
    ...     assert validate_deduplication_id(text) == text
    >>> check()
    """
    return st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=":"),
        min_size=1,
        max_size=64,
    )


def labels() -> st.SearchStrategy[tuple[str, ...]]:
    """Valid ``Upstash-Label`` label tuples: distinct labels of visible ASCII but ``,``.

    >>> from hypothesis import given
    >>> from qstash_protocol import format_labels, parse_labels
    >>> @given(labels())
    ... def check(value):
    ...     assert parse_labels(format_labels(value)) == value
    >>> check()
    """
    label = st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=","),
        min_size=1,
        max_size=16,
    )
    return st.lists(label, min_size=1, max_size=4, unique=True).map(tuple)


def callback_urls() -> st.SearchStrategy[str]:
    """Absolute ``http(s)`` URLs, as callbacks and destinations take them.

    >>> from hypothesis import given
    >>> from qstash_protocol import parse_callback_url
    >>> @given(callback_urls())
    ... def check(url):
    ...     assert parse_callback_url(url) == url
    >>> check()
    """
    host = st.one_of(
        st.sampled_from(["example.com", "cb.example.com", "localhost", "10.0.0.1", "[::1]"]),
        st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){1,2}", fullmatch=True),
    )
    port = st.none() | st.integers(min_value=1, max_value=65535)
    path = st.from_regex(r"(/[A-Za-z0-9._~-]{0,8}){0,3}(\?[a-z]=[0-9]{1,3})?", fullmatch=True)
    return st.builds(
        lambda scheme, host, port, path: (
            f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
        ),
        st.sampled_from(["https", "http"]),
        host,
        port,
        path,
    )


_HEADER_VALUES = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from(["é", "\t", "✓"]),
    max_size=24,
).map(lambda v: v.strip(" \t"))


def _forwarded() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(_HEADER_NAMES, _HEADER_VALUES, max_size=3)


_EXTRA_NAMES = st.one_of(
    st.sampled_from(
        ["Upstash-Workflow-Runid", "Upstash-Feature-Set", "Upstash-Telemetry-Sdk"],
    ),
    st.text(st.sampled_from("abcxyz0123"), min_size=1, max_size=8).map(
        lambda s: "Upstash-X-" + s.capitalize()
    ),
)

_NOT_BEFORE = st.integers(min_value=0, max_value=4_102_444_800).map(
    lambda seconds: datetime.fromtimestamp(seconds, UTC)
)


@functools.cache
def _settings() -> dict[str, st.SearchStrategy[Any]]:
    def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.none() | strategy

    fields: dict[str, st.SearchStrategy[Any]] = {
        "method": maybe(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"])),
        "timeout": maybe(
            # Whole seconds are what the SDKs send (the workflow SDK writes them bare).
            st.integers(min_value=1, max_value=2 * 86400).map(lambda s: timedelta(seconds=s))
            | durations(max_value=timedelta(days=2))
        ),
        "retries": maybe(st.integers(min_value=0, max_value=20)),
        "retry_delay": maybe(
            st.one_of(st.sampled_from(_DOCUMENTED_EXPRESSIONS), retry_delay_expressions()).map(
                parse_retry_delay
            )
        ),
        "delay": maybe(durations(max_value=timedelta(days=365))),
        "not_before": maybe(_NOT_BEFORE),
        "flow_control": maybe(_flow_controls()),
        "labels": st.just(()) | labels(),
        "deduplication_id": maybe(deduplication_ids()),
        "content_based_deduplication": maybe(st.booleans()),
        "header_forward": maybe(st.booleans()),
        "redact": maybe(redact_fields()),
        "forward": _forwarded(),
        "extra": st.dictionaries(_EXTRA_NAMES, _HEADER_VALUES, max_size=2),
    }
    return fields


_ScopeT = TypeVar("_ScopeT", MessageOptions, Callback, OrphanScope)


@st.composite
def _scope(draw: st.DrawFn, /, cls: type[_ScopeT], depth: int, **more: Any) -> _ScopeT:
    """A ``cls`` scope with its settings, and callbacks or orphan scopes while ``depth`` allows.

    Each of the two callback kinds is absent, a callback, or an orphan scope (the callback's
    headers without its URL).
    """
    fields = {name: draw(strategy) for name, strategy in _settings().items()}  # built once
    fields.update({name: draw(strategy) for name, strategy in more.items()})
    if depth > 0:
        for name in ("callback", "failure_callback"):
            # Mostly absent: every nested scope draws a whole set of settings again.
            kind = draw(st.sampled_from(["none", "none", "none", "none", "callback", "orphan"]))
            if kind == "callback":
                fields[name] = draw(callbacks(max_depth=depth - 1))
            elif kind == "orphan":
                fields["orphan_" + name] = draw(_orphans(depth - 1))
    return cls(**fields)


def _orphans(depth: int) -> st.SearchStrategy[OrphanScope]:
    # An orphan scope without a single header has no trace in a request: never generated.
    return _scope(OrphanScope, depth).filter(
        lambda scope: bool(scope.model_dump(exclude_defaults=True))
    )


def callbacks(*, max_depth: int = 1) -> st.SearchStrategy[Callback]:
    """Callbacks with a URL, their own settings and up to ``max_depth`` nested callbacks.

    >>> callbacks(max_depth=-1)
    Traceback (most recent call last):
      ...
    hypothesis.errors.InvalidArgument: max_depth must be a non-negative int, got -1
    """
    _check_non_negative("max_depth", max_depth)
    if max_depth >= MAX_SCOPE_DEPTH:
        msg = f"max_depth must be below MAX_SCOPE_DEPTH ({MAX_SCOPE_DEPTH}), got {max_depth}"
        raise InvalidArgument(msg)
    return _scope(Callback, max_depth, url=callback_urls())


def message_options(
    *, max_depth: int = 2, schedule: bool = False
) -> st.SearchStrategy[MessageOptions]:
    """Whole :class:`MessageOptions`: every setting, forwarded and unknown headers, callbacks.

    ``max_depth`` bounds how deep callbacks nest (``Upstash-Callback-Failure-Callback-...`` is
    depth 2). With ``schedule=True`` the schedule-only settings (cron, schedule id, queue name)
    are generated too.

    >>> message_options(max_depth="2")
    Traceback (most recent call last):
      ...
    hypothesis.errors.InvalidArgument: max_depth must be a non-negative int, got '2'
    """
    _check_non_negative("max_depth", max_depth)
    if max_depth > MAX_SCOPE_DEPTH:
        msg = f"max_depth must be at most MAX_SCOPE_DEPTH ({MAX_SCOPE_DEPTH}), got {max_depth}"
        raise InvalidArgument(msg)
    if not isinstance(schedule, bool):
        msg = f"schedule must be a bool, got {schedule!r}"
        raise InvalidArgument(msg)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    fields["content_type"] = st.none() | st.sampled_from(
        ["application/json", "text/plain", "application/octet-stream", "text/plain; charset=utf-8"]
    )
    if schedule:
        name = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True)
        fields["cron"] = st.none() | st.sampled_from(
            ["* * * * *", "*/5 * * * *", "0 4 * * MON-FRI", "CRON_TZ=America/New_York 0 4 * * *"]
        )
        fields["schedule_id"] = st.none() | name
        fields["queue_name"] = st.none() | name
    return _scope(MessageOptions, max_depth, **fields)


def _recase(draw: st.DrawFn, name: str) -> str:
    style = draw(st.sampled_from(["canonical", "lower", "upper", "mixed"]))
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "mixed":
        flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
        return "".join(c.swapcase() if f else c for c, f in zip(name, flips, strict=True))
    return name


#: The timeout settings of every scope (not forwarded or unknown headers ending in -Timeout).
_TIMEOUT_SETTING: Final = re.compile(r"upstash-(?:callback-|failure-callback-)*timeout")


@st.composite
def _sdk_headers(draw: st.DrawFn, options: MessageOptions) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in encode_headers(options).items():
        lower = name.lower()
        spelled = value
        if lower.endswith("content-based-deduplication") and draw(st.booleans()):
            spelled = value.capitalize()  # the Python SDK's True / False
        elif lower.endswith("flow-control-value") and draw(st.booleans()):
            spelled = value.replace(", ", ",")  # the docs' and the server's spelling
        elif lower.endswith("redact-fields") and draw(st.booleans()):
            spelled = value.replace("header", "headers")  # the docs' spelling
        elif _TIMEOUT_SETTING.fullmatch(lower) and draw(st.booleans()):
            seconds = parse_duration(value).total_seconds()
            if seconds == int(seconds):
                spelled = str(int(seconds))  # the workflow SDK's bare seconds, "120"
        if draw(st.booleans()):
            spelled = " " + spelled  # optional whitespace around the value
        headers[_recase(draw, name)] = spelled
    return headers


def publish_headers(*, max_depth: int = 2) -> st.SearchStrategy[dict[str, str]]:
    """Header maps of valid publish requests, written as the SDKs write them.

    Names come in canonical, lower, upper or mixed case; values in any spelling the SDKs use
    (``True`` for booleans, ``parallelism=1,rate=2`` without spaces, ``headers`` for redacting
    all headers, bare seconds for timeouts) and with optional surrounding whitespace.

    >>> publish_headers(max_depth=-2)
    Traceback (most recent call last):
      ...
    hypothesis.errors.InvalidArgument: max_depth must be a non-negative int, got -2
    """
    return message_options(max_depth=max_depth).flatmap(_sdk_headers)


def invalid_duration_strings() -> st.SearchStrategy[InvalidExample]:
    """Duration text ``parse_duration`` rejects, with the code it rejects it with.

    >>> import pytest
    >>> from hypothesis import given
    >>> from qstash_protocol import InvalidDuration, parse_duration
    >>> @given(invalid_duration_strings())
    ... def check(example):
    ...     with pytest.raises(InvalidDuration) as info:
    ...         parse_duration(example.value)
    ...     assert info.value.code == example.code
    >>> check()
    """
    digits = st.integers(min_value=0, max_value=99_999).map(str)
    return st.one_of(
        st.just(InvalidExample("", "duration.empty")),
        digits.map(lambda d: InvalidExample(d + d if d == "0" else d, "duration.missing_unit")),
        digits.map(lambda d: InvalidExample(f"{d}w", "duration.unknown_unit")),
        digits.map(lambda d: InvalidExample(f"{d}S", "duration.unknown_unit")),
        st.sampled_from(_UNITS).map(lambda u: InvalidExample(u, "duration.missing_number")),
        digits.map(lambda d: InvalidExample(f"-{d}s", "duration.signed")),
        digits.map(lambda d: InvalidExample(f"{d}h {d}m", "duration.whitespace")),
        st.sampled_from(["\u0663s", "\uff15m", "1\u0967h"]).map(
            lambda t: InvalidExample(t, "duration.non_ascii_digit")
        ),
        st.just(InvalidExample("106752d", "duration.out_of_range")),
        st.integers(min_value=MAX_DURATION_LENGTH + 1, max_value=500).map(
            lambda n: InvalidExample("1" * (n - 1) + "s", "duration.too_long")
        ),
    )


def invalid_retry_delay_expressions() -> st.SearchStrategy[InvalidExample]:
    """Retry-delay text ``parse_retry_delay`` rejects, with the code it rejects it with.

    >>> from hypothesis import given
    >>> @given(invalid_retry_delay_expressions())
    ... def check(example):
    ...     try:
    ...         parse_retry_delay(example.value)
    ...     except ProtocolError as err:
    ...         assert err.code == example.code
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    number = st.integers(min_value=1, max_value=10_000).map(str)
    return st.one_of(
        st.just(InvalidExample("", "retry_delay.empty")),
        number.map(lambda n: InvalidExample(f"2 ^ retried * {n}", "retry_delay.power_operator")),
        number.map(lambda n: InvalidExample(f"2 ** retried * {n}", "retry_delay.power_operator")),
        number.map(lambda n: InvalidExample(f"{n} * (1 + retries)", "retry_delay.unknown_name")),
        number.map(lambda n: InvalidExample(f"pow({n})", "retry_delay.arity")),
        number.map(lambda n: InvalidExample(f"{n} / 0", "retry_delay.division_by_zero")),
        number.map(lambda n: InvalidExample(f"({n} * retried", "retry_delay.unclosed_parenthesis")),
        number.map(lambda n: InvalidExample(f"0 - {n}", "retry_delay.negative")),
        st.integers(min_value=40, max_value=500).map(
            lambda n: InvalidExample("(" * n + "1" + ")" * n, "retry_delay.too_deep")
        ),
        st.just(InvalidExample("1" * 2000, "retry_delay.too_long")),
    )


def invalid_flow_control_values() -> st.SearchStrategy[InvalidExample]:
    """Flow-control values the library rejects (and the server refuses), with their codes.

    >>> from hypothesis import given
    >>> from qstash_protocol import parse_flow_control_value
    >>> @given(invalid_flow_control_values())
    ... def check(example):
    ...     try:
    ...         parse_flow_control_value(example.value)
    ...     except ProtocolError as err:
    ...         assert err.code == example.code
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    count = st.integers(min_value=1, max_value=1000).map(str)
    return st.one_of(
        st.just(InvalidExample("", "flow_control.empty")),
        count.map(
            lambda n: InvalidExample(f"rate=0, parallelism={n}", "flow_control.not_positive")
        ),
        count.map(lambda n: InvalidExample(f"rate={n}.25", "flow_control.invalid_integer")),
        st.sampled_from(["1m", "60", "1h"]).map(
            lambda p: InvalidExample(f"period={p}", "flow_control.missing_limit")
        ),
        count.map(lambda n: InvalidExample(f"rate={n}, burst=2", "flow_control.unknown_key")),
        count.map(lambda n: InvalidExample(f"rate={n}, rate={n}", "flow_control.duplicate_key")),
        count.map(lambda n: InvalidExample(f"rate={n},,parallelism=1", "flow_control.empty_item")),
        count.map(lambda n: InvalidExample(f"rate={n}, period=8d", "flow_control.period_too_long")),
        count.map(
            lambda n: InvalidExample(f"rate={n}, period=500ms", "flow_control.period_too_short")
        ),
    )


def invalid_redact_fields() -> st.SearchStrategy[InvalidExample]:
    """``Upstash-Redact-Fields`` values the library rejects, with their codes.

    >>> from hypothesis import given
    >>> from qstash_protocol import parse_redact_fields
    >>> @given(invalid_redact_fields())
    ... def check(example):
    ...     try:
    ...         parse_redact_fields(example.value)
    ...     except ProtocolError as err:
    ...         assert err.code == example.code
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    return st.one_of(
        st.just(InvalidExample("", "redact.empty")),
        st.just(InvalidExample("body,,header", "redact.empty_item")),
        st.sampled_from(["bodies", "cookies", "all"]).map(
            lambda t: InvalidExample(f"body,{t}", "redact.unknown_field")
        ),
        st.just(InvalidExample("header[Authorization", "redact.unclosed_bracket")),
        st.just(InvalidExample("header[Bad Name]", "redact.invalid_header_name")),
    )


def invalid_deduplication_ids() -> st.SearchStrategy[InvalidExample]:
    """Deduplication ids the server refuses, with their codes.

    >>> from hypothesis import given
    >>> from qstash_protocol import validate_deduplication_id
    >>> @given(invalid_deduplication_ids())
    ... def check(example):
    ...     try:
    ...         validate_deduplication_id(example.value)
    ...     except ProtocolError as err:
    ...         assert err.code == example.code
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    good = deduplication_ids()
    return st.one_of(
        st.just(InvalidExample("", "deduplication.empty")),
        st.tuples(good, good).map(
            lambda t: InvalidExample(f"{t[0]}:{t[1]}", "deduplication.colon")
        ),
        st.tuples(good, good).map(
            lambda t: InvalidExample(f"{t[0]} {t[1]}", "deduplication.whitespace")
        ),
        st.integers(min_value=257, max_value=1000).map(
            lambda n: InvalidExample("a" * n, "deduplication.too_long")
        ),
    )


_BREAKAGES = (
    ("Upstash-Delay", "30", "duration.missing_unit"),
    ("Upstash-Retries", "-1", "retries.negative"),
    ("Upstash-Retry-Delay", "2 ^ retried", "retry_delay.power_operator"),
    ("Upstash-Method", "FETCH", "method.unsupported"),
    ("Upstash-Forward-X-Injected", "a\r\nX: 1", "header.forbidden_character"),
    ("Upstash-Callback", "ftp://example.com", "url.invalid_scheme"),
    ("Upstash-Deduplication-Id", "a:b", "deduplication.colon"),
    ("Upstash-Content-Based-Deduplication", "yes", "deduplication.invalid_boolean"),
    ("Upstash-Redact-Fields", "body,,header", "redact.empty_item"),
    ("Upstash-Label", "a,,b", "label.empty_label"),
)


@st.composite
def _broken_headers(draw: st.DrawFn, name: str, value: str, code: str) -> InvalidExample:
    headers = {
        existing: text
        for existing, text in draw(publish_headers(max_depth=0)).items()
        if not existing.lower().startswith(("upstash-callback", "upstash-failure-callback"))
        and existing.lower() != name.lower()
    }
    headers[_recase(draw, name)] = value
    return InvalidExample(headers, code)


@st.composite
def _incomplete_flow_control(draw: st.DrawFn) -> InvalidExample:
    headers = {
        name: value
        for name, value in draw(publish_headers(max_depth=0)).items()
        if "flow-control" not in name.lower()
    }
    if draw(st.booleans()):
        headers["Upstash-Flow-Control-Key"] = draw(flow_control_keys())
    else:
        headers["Upstash-Flow-Control-Value"] = str(draw(flow_control_values()))
    return InvalidExample(headers, "header.flow_control_incomplete")


def invalid_publish_headers() -> st.SearchStrategy[InvalidExample]:
    """Header sets of publish requests that must be refused, with one code they raise.

    The value is a header map (or a list of pairs, where a name repeats); ``code`` is among the
    codes of the :class:`~qstash_protocol.InvalidHeaders` errors ``decode_headers`` raises.

    >>> from hypothesis import given
    >>> from qstash_protocol import InvalidHeaders, decode_headers
    >>> @given(invalid_publish_headers())
    ... def check(example):
    ...     try:
    ...         decode_headers(example.value)
    ...     except InvalidHeaders as err:
    ...         assert example.code in [e.code for e in err.errors]
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    return st.one_of(
        *(_broken_headers(*breakage) for breakage in _BREAKAGES),
        _incomplete_flow_control(),
    )


# --- batch bodies, API v1, query-string options -----------------------------------------


class RequestExample(NamedTuple):
    """A request as it arrives: the path (with its query) and the header map.

    ``decode_request(example.path, example.headers)`` decodes it.
    """

    path: str
    headers: dict[str, str]


_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True)
_BODIES = st.none() | st.text(max_size=40)


@functools.cache
def _options_without(*fields: str, max_depth: int) -> st.SearchStrategy[MessageOptions]:
    # Built once per arguments: building message_options() at every draw costs more than the draw.
    return message_options(max_depth=max_depth).map(
        lambda options: options.model_copy(update=dict.fromkeys(fields))
    )


@functools.cache
def _destinations() -> st.SearchStrategy[str]:
    return callback_urls() | _NAMES


@functools.cache
def _publish_headers(max_depth: int) -> st.SearchStrategy[dict[str, str]]:
    return publish_headers(max_depth=max_depth)


_ENQUEUE_OFF = ("delay", "not_before", "flow_control")


@st.composite
def _batch_request(draw: st.DrawFn, max_depth: int) -> PublishRequest:
    queue = draw(st.none() | _NAMES)
    destination = draw(_destinations())
    if queue is None:
        options = draw(_options_without(max_depth=max_depth))
    else:
        options = draw(_options_without(*_ENQUEUE_OFF, max_depth=max_depth))
    return PublishRequest(
        kind="publish" if queue is None else "enqueue",
        destination=destination,
        queue=queue,
        options=options,
        body=draw(_BODIES),
    )


def batch_requests(
    *, max_size: int = 5, max_depth: int = 0
) -> st.SearchStrategy[list[PublishRequest]]:
    """Lists of :class:`~qstash_protocol.PublishRequest` a batch can carry (publish and enqueue).

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import decode_batch, encode_batch
    >>> @settings(max_examples=25)
    ... @given(batch_requests())
    ... def check(requests):
    ...     assert decode_batch(encode_batch(requests)) == requests
    >>> check()
    """
    _check_non_negative("max_size", max_size)
    _check_non_negative("max_depth", max_depth)
    if max_size > MAX_BATCH_ITEMS:
        msg = f"max_size must be at most MAX_BATCH_ITEMS ({MAX_BATCH_ITEMS}), got {max_size}"
        raise InvalidArgument(msg)
    return st.lists(_batch_request(max_depth), max_size=max_size)


@st.composite
def _sdk_batch_body(draw: st.DrawFn, requests: list[PublishRequest]) -> bytes:
    style = draw(st.sampled_from(["js", "python", "go"]))
    items = []
    for request in requests:
        item: dict[str, Any] = {"destination": str(request.destination)}
        headers = draw(_sdk_headers(request.options))
        if headers or style != "js":
            item["headers"] = headers
        if style == "python":
            item["body"] = request.body
            item["queue"] = request.queue
        elif style == "go":
            item["body"] = request.body or ""
            item["queue"] = request.queue or ""
        else:
            if request.body is not None:
                item["body"] = request.body
            if request.queue is not None:
                item["queue"] = request.queue
        items.append(item)
    text = json.dumps(
        items, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
    )
    return text.encode("utf-8", "surrogatepass")


def batch_bodies(*, max_size: int = 5) -> st.SearchStrategy[bytes]:
    """Valid ``/v2/batch`` bodies as the official SDKs write them.

    qstash-js leaves absent keys out, qstash-py writes ``null``, qstash-go empty strings; header
    names and values come in the spellings :func:`publish_headers` uses.

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import decode_batch
    >>> @settings(max_examples=25)
    ... @given(batch_bodies())
    ... def check(body):
    ...     decode_batch(body)
    >>> check()
    """
    return batch_requests(max_size=max_size, max_depth=0).flatmap(_sdk_batch_body)


_BATCH_BREAKAGES: tuple[tuple[str, str], ...] = (
    ('[{"destination": "g"},]', "batch.invalid_json"),
    ('{"destination": "g"}', "batch.not_an_array"),
    ('["https://example.com"]', "batch.invalid_item"),
    ('[{"url": "https://example.com"}]', "batch.missing_destination"),
    ('[{"destination": "g", "headers": {"Upstash-Retries": 3}}]', "batch.invalid_type"),
    ('[{"destination": "g", "topic": "t"}]', "batch.unknown_field"),
    ('[{"destination": "g", "headers": {"Upstash-Delay": "30"}}]', "duration.missing_unit"),
    (
        '[{"destination": "g", "queue": "q", "headers": {"Upstash-Delay": "1s"}}]',
        "request.not_on_enqueue",
    ),
    ('[{"destination": "example.com/api"}]', "url.invalid_scheme"),
    ('[{"destination": "g", "queue": "a b"}]', "name.invalid_character"),
)


@functools.cache
def _small_batch_bodies() -> st.SearchStrategy[bytes]:
    return batch_bodies(max_size=3)


@st.composite
def _broken_batch(draw: st.DrawFn, broken: str, code: str) -> InvalidExample:
    valid = json.loads(draw(_small_batch_bodies()))
    if broken.startswith("[") and broken.endswith("]") and code != "batch.invalid_json":
        items = [*valid, *json.loads(broken)]
        order = draw(st.permutations(items))
        return InvalidExample(json.dumps(order).encode(), code)
    return InvalidExample(broken.encode(), code)


def invalid_batch_bodies() -> st.SearchStrategy[InvalidExample]:
    """``/v2/batch`` bodies that must be refused, with one code of the problems they raise.

    The broken item is mixed among valid ones, at any position.

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import InvalidBatch, decode_batch
    >>> @settings(max_examples=25)
    ... @given(invalid_batch_bodies())
    ... def check(example):
    ...     try:
    ...         decode_batch(example.value)
    ...     except InvalidBatch as err:
    ...         assert example.code in [e.code for e in err.errors]
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    return st.one_of(*(_broken_batch(broken, code) for broken, code in _BATCH_BREAKAGES))


@st.composite
def _v1_request(draw: st.DrawFn) -> RequestExample:
    options = draw(_options_without("cron", "queue_name", "schedule_id", max_depth=1))
    headers = draw(_sdk_headers(options))
    if draw(st.booleans()):
        cron = draw(st.sampled_from(["* * * * *", "*/5 * * * *", "0 4 * * MON-FRI"]))
        headers[_recase(draw, "Upstash-Cron")] = cron
    destination = draw(_destinations())
    return RequestExample(f"/v1/publish/{destination}", headers)


def v1_requests() -> st.SearchStrategy[RequestExample]:
    """Valid API v1 requests (``/v1/publish/``, a URL or a topic, ``Upstash-Cron`` allowed).

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import decode_request
    >>> @settings(max_examples=25)
    ... @given(v1_requests())
    ... def check(example):
    ...     assert decode_request(example.path, example.headers).api_version == 1
    >>> check()
    """
    return _v1_request()


@st.composite
def _broken_v1(draw: st.DrawFn) -> InvalidExample:
    path, headers = draw(v1_requests())
    choice = draw(st.sampled_from(["queue", "schedule-id", "api", "dedup"]))
    if choice == "queue":
        headers = {n: v for n, v in headers.items() if "queue-name" not in n.lower()}
        headers["Upstash-Queue-Name"] = "q"
        return InvalidExample(RequestExample(path, headers), "request.not_in_v1")
    if choice == "schedule-id":
        headers = {n: v for n, v in headers.items() if "schedule-id" not in n.lower()}
        headers["upstash-schedule-id"] = "s1"
        return InvalidExample(RequestExample(path, headers), "request.not_in_v1")
    if choice == "api":
        return InvalidExample(RequestExample("/v1/publish/api/llm", headers), "request.not_in_v1")
    headers = {n: v for n, v in headers.items() if n.lower() != "upstash-deduplication-id"}
    headers["Upstash-Deduplication-Id"] = draw(st.sampled_from(["a b", "a\tb"]))
    return InvalidExample(RequestExample(path, headers), "deduplication.whitespace")


def invalid_v1_requests() -> st.SearchStrategy[InvalidExample]:
    """API v1 requests that must be refused (a queue, a schedule id, ``api/``, a spaced id).

    The value is a :class:`RequestExample`.

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import InvalidHeaders, decode_request
    >>> @settings(max_examples=25)
    ... @given(invalid_v1_requests())
    ... def check(example):
    ...     try:
    ...         decode_request(*example.value)
    ...     except InvalidHeaders as err:
    ...         assert example.code in [e.code for e in err.errors]
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    return _broken_v1()


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name, safe='')}={quote_plus(value)}" for name, value in pairs)


@st.composite
def _query_request(draw: st.DrawFn, *, token: bool | None) -> tuple[RequestExample, dict[str, str]]:
    """A request with some options moved into the query, and the same request all in headers."""
    headers = draw(_publish_headers(1))
    destination = draw(_destinations())
    moved: list[tuple[str, str]] = []
    kept: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower().startswith("upstash-") and draw(st.booleans()):
            moved.append((name.lower(), value))
        else:
            kept[name] = value
    if token if token is not None else draw(st.booleans()):
        moved.insert(draw(st.integers(0, len(moved))), ("qstash_token", draw(_NAMES)))
    path = f"/v2/publish/{destination}"
    if moved:
        path += ("&" if "?" in destination else "?") + _query(moved)
    return RequestExample(path, kept), headers


def query_option_requests() -> st.SearchStrategy[RequestExample]:
    """Valid publish requests with options as ``upstash-*`` query parameters (and a token).

    Decoding gives what the same request with every option as a header gives.

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import decode_request
    >>> @settings(max_examples=25)
    ... @given(query_option_requests())
    ... def check(example):
    ...     decode_request(example.path, example.headers)
    >>> check()
    """
    return _query_request(token=None).map(lambda pair: pair[0])


@st.composite
def _broken_query(draw: st.DrawFn) -> InvalidExample:
    example, _ = draw(_query_request(token=False))
    path, headers = example
    joiner = "&" if "?" in path else "?"
    # A setting given both as header and parameter, and Cron outside /v2/schedules/, are
    # warnings (header.duplicate, request.schedule_only), not refusals: lint_request reports them.
    choice = draw(st.sampled_from(["value", "token"]))
    if choice == "value":
        name, value, code = draw(st.sampled_from(_BREAKAGES[:4]))
        headers = {n: v for n, v in headers.items() if n.lower() != name.lower()}
        base, mark, query = path.partition("?")
        rest = [p for p in query.split("&") if p.partition("=")[0] != name.lower()]
        path = base + (mark + "&".join(rest) if any(rest) else "")
        joiner = "&" if any(rest) else "?"
        path = f"{path}{joiner}{name.lower()}={quote_plus(value)}"
        return InvalidExample(RequestExample(path, headers), code)
    path = f"{path}{joiner}qstash_token=a&qstash_token=b"
    return InvalidExample(RequestExample(path, headers), "request.duplicate_token")


def invalid_query_option_requests() -> st.SearchStrategy[InvalidExample]:
    """Requests whose query options must be refused, with one code they raise.

    The value is a :class:`RequestExample`; the problem is a bad value, a setting given both as
    header and as parameter, the token twice, or a schedule-only option on publish.

    >>> from hypothesis import given, settings
    >>> from qstash_protocol import InvalidHeaders, decode_request
    >>> @settings(max_examples=25)
    ... @given(invalid_query_option_requests())
    ... def check(example):
    ...     try:
    ...         decode_request(*example.value)
    ...     except InvalidHeaders as err:
    ...         assert example.code in [e.code for e in err.errors]
    ...     else:
    ...         raise AssertionError(example)
    >>> check()
    """
    return _broken_query()


# --- Cron ------------------------------------------------------------------------------------

#: (low, high, names) of the five fields, as robfig/cron v3 bounds them.
_CRON_FIELDS: tuple[tuple[int, int, tuple[str, ...]], ...] = (
    (0, 59, ()),
    (0, 23, ()),
    (1, 31, ()),
    (1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    (0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
_CRON_ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Etc/GMT+5",
)


@st.composite
def _cron_value(draw: st.DrawFn, index: int, low: int, high: int | None = None) -> tuple[str, int]:
    """A value of field ``index`` from ``low`` to ``high``: a number, or a name in any case."""
    field_low, field_high, names = _CRON_FIELDS[index]
    value = draw(st.integers(low, field_high if high is None else high))
    named: bool = draw(st.booleans())
    if names and named:
        name = names[value - field_low]
        return draw(st.sampled_from([name, name.upper(), name.title()])), value
    return str(value), value


@st.composite
def _cron_item(draw: st.DrawFn, index: int) -> str:
    low, high, _ = _CRON_FIELDS[index]
    kind = draw(st.sampled_from(["star", "value", "range", "step"]))
    if kind == "star":
        return draw(st.sampled_from(["*", "?"]))
    first, start = draw(_cron_value(index, low))
    if kind == "value":
        return first
    if kind == "range":
        second, _ = draw(_cron_value(index, start))
        return f"{first}-{second}"
    step = draw(st.integers(1, high - low + 1))
    base = draw(st.sampled_from(["*", first, f"{first}-{draw(_cron_value(index, start))[0]}"]))
    return f"{base}/{step}"


@st.composite
def _cron_field(draw: st.DrawFn, index: int) -> str:
    items = draw(st.lists(_cron_item(index), min_size=1, max_size=3))
    if draw(st.integers(0, 9)) == 0:  # robfig drops empty list items: 1,,2
        items.insert(draw(st.integers(0, len(items))), "")
    return ",".join(items)


@st.composite
def _cron_text(draw: st.DrawFn, zones: bool) -> str:
    fields = [draw(_cron_field(index)) for index in range(5)]
    spaces = [draw(st.sampled_from([" ", " ", "  ", "\t"])) for _ in range(4)]
    text = fields[0] + "".join(
        space + field for space, field in zip(spaces, fields[1:], strict=True)
    )
    if zones and draw(st.booleans()):
        prefix = draw(st.sampled_from(["CRON_TZ=", "TZ="]))
        text = f"{prefix}{draw(st.sampled_from(_CRON_ZONES))} {text}"
    return text


def cron_expressions(*, zones: bool = True) -> st.SearchStrategy[str]:
    """``Upstash-Cron`` texts robfig/cron v3 (and so ``parse_cron``) accepts.

    Five fields of ``*``, ``?``, numbers, names in any case, ranges, steps and lists (now and
    then with an empty item, which robfig drops), and with ``zones`` a ``CRON_TZ=`` or ``TZ=``
    prefix naming a real zone.

    >>> from hypothesis import given
    >>> from qstash_protocol import parse_cron
    >>> @given(cron_expressions())
    ... def check(text):
    ...     parse_cron(text)
    >>> check()
    """
    return _cron_text(zones)


def _cron_with(index: int, field: str) -> str:
    fields = ["*"] * 5
    fields[index] = field
    return " ".join(fields)


def invalid_cron_expressions() -> st.SearchStrategy[InvalidExample]:
    """``Upstash-Cron`` texts robfig/cron v3 refuses, with the code ``parse_cron`` gives.

    >>> import pytest
    >>> from hypothesis import given
    >>> from qstash_protocol import InvalidCron, parse_cron
    >>> @given(invalid_cron_expressions())
    ... def check(example):
    ...     with pytest.raises(InvalidCron) as info:
    ...         parse_cron(example.value)
    ...     assert info.value.code == example.code
    >>> check()
    """
    index = st.integers(0, 4)
    named = st.sampled_from([3, 4])

    def above(i: int) -> st.SearchStrategy[InvalidExample]:
        return st.integers(_CRON_FIELDS[i][1] + 1, 10**6).map(
            lambda n: InvalidExample(_cron_with(i, str(n)), "cron.out_of_range")
        )

    def reversed_range(i: int) -> st.SearchStrategy[InvalidExample]:
        low, high, _ = _CRON_FIELDS[i]
        return (
            st.tuples(st.integers(low, high), st.integers(low, high))
            .filter(lambda pair: pair[0] < pair[1])
            .map(
                lambda pair: InvalidExample(
                    _cron_with(i, f"{pair[1]}-{pair[0]}"), "cron.reversed_range"
                )
            )
        )

    words = st.text(st.sampled_from("bcghiklqwxyz"), min_size=2, max_size=8)
    return st.one_of(
        st.just(InvalidExample("", "cron.empty")),
        st.sampled_from([1, 2, 3, 4, 6, 7]).map(
            lambda n: InvalidExample(" ".join(["*"] * n), "cron.field_count")
        ),
        index.flatmap(above),
        st.sampled_from([2, 3]).map(
            lambda i: InvalidExample(_cron_with(i, "0"), "cron.out_of_range")
        ),
        index.flatmap(reversed_range),
        index.map(lambda i: InvalidExample(_cron_with(i, "*/0"), "cron.invalid_step")),
        index.map(lambda i: InvalidExample(_cron_with(i, "*/-2"), "cron.invalid_step")),
        index.map(lambda i: InvalidExample(_cron_with(i, "1-2-3"), "cron.too_many_hyphens")),
        index.map(lambda i: InvalidExample(_cron_with(i, "*/2/3"), "cron.too_many_slashes")),
        st.tuples(named, words).map(
            lambda pair: InvalidExample(_cron_with(pair[0], pair[1]), "cron.unknown_name")
        ),
        st.tuples(index, st.sampled_from(["1x", "x1", "1.5", "", "L", "#"])).map(
            lambda pair: InvalidExample(
                _cron_with(pair[0], pair[1] + "-1" if pair[1] == "" else pair[1]),
                "cron.unknown_name"
                if pair[0] in (3, 4) and pair[1] == "L"
                else "cron.invalid_number",
            )
        ),
        st.sampled_from(["Nowhere/Atlantis", "utc", "europe/berlin", "Europe/Berlin/"]).map(
            lambda zone: InvalidExample(f"CRON_TZ={zone} 0 0 * * *", "cron.unknown_zone")
        ),
        st.sampled_from(["@daily", "@hourly", "@every 5m"]).map(
            lambda text: InvalidExample(text, "cron.unsupported")
        ),
        st.just(InvalidExample("0 0 * * " + "1," * MAX_CRON_LENGTH, "cron.too_long")),
    )
