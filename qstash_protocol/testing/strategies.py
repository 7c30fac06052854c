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
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

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
from qstash_protocol.publish.codec import encode_headers
from qstash_protocol.publish.headers import MAX_SCOPE_DEPTH
from qstash_protocol.publish.options import Callback, FlowControl, MessageOptions, OrphanScope
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
    "callback_urls",
    "callbacks",
    "deduplication_ids",
    "duration_strings",
    "durations",
    "flow_control_keys",
    "flow_control_values",
    "invalid_deduplication_ids",
    "invalid_duration_strings",
    "invalid_flow_control_values",
    "invalid_publish_headers",
    "invalid_redact_fields",
    "invalid_retry_delay_expressions",
    "labels",
    "message_options",
    "publish_headers",
    "redact_fields",
    "retry_delay_expressions",
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
        "timeout": maybe(durations(max_value=timedelta(days=2))),
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
        elif lower.endswith("-timeout") and value.endswith("s") and value[:-1].isdigit():
            spelled = value[:-1] if draw(st.booleans()) else value  # the workflow SDK's "30"
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
