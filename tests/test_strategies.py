"""The public strategies: valid ones decode, invalid ones raise their code, options are reached."""

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from qstash_protocol import (
    Callback,
    FlowControl,
    FlowControlValue,
    InvalidHeaders,
    MessageOptions,
    OrphanScope,
    ProtocolError,
    RedactFields,
    RetryDelay,
    decode_headers,
    format_duration,
    parse_duration,
    parse_flow_control_value,
    parse_redact_fields,
    parse_retry_delay,
    validate_deduplication_id,
)
from qstash_protocol.testing import strategies as ours


@given(ours.duration_strings())
def test_duration_strings_parse(text: str) -> None:
    parse_duration(text)


@given(ours.duration_strings(canonical=True))
def test_canonical_duration_strings_are_fixed_points(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


# from_lark rejects many of its own draws internally, which the health check counts as filtering.
@settings(
    max_examples=min(25, settings().max_examples),
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(ours.retry_delay_expressions(from_grammar=True))
def test_expressions_from_the_lark_grammar_parse(text: str) -> None:
    parse_retry_delay(text)


@given(ours.publish_headers())
def test_publish_headers_decode(headers: dict[str, str]) -> None:
    decode_headers(headers)


PARSERS: dict[str, Callable[[Any], Any]] = {
    "duration": parse_duration,
    "retry_delay": parse_retry_delay,
    "flow_control": parse_flow_control_value,
    "redact": parse_redact_fields,
    "deduplication": validate_deduplication_id,
}


@pytest.mark.parametrize(
    ("strategy", "parser"),
    [
        (ours.invalid_duration_strings(), parse_duration),
        (ours.invalid_retry_delay_expressions(), parse_retry_delay),
        (ours.invalid_flow_control_values(), parse_flow_control_value),
        (ours.invalid_redact_fields(), parse_redact_fields),
        (ours.invalid_deduplication_ids(), validate_deduplication_id),
    ],
)
def test_invalid_values_raise_their_code(
    strategy: st.SearchStrategy[ours.InvalidExample], parser: Callable[[str], object]
) -> None:
    @given(strategy)
    def check(example: ours.InvalidExample) -> None:
        with pytest.raises(ProtocolError) as info:
            parser(example.value)
        assert info.value.code == example.code

    check()


@settings(max_examples=min(50, settings().max_examples))
@given(ours.invalid_publish_headers())
def test_invalid_publish_headers_raise_their_code(example: ours.InvalidExample) -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(example.value)
    assert example.code in [error.code for error in info.value.errors]


# The searches below (thousands of draws each) show the strategies reach every option, spelling
# and error code; they take tens of seconds, so they are marked slow and run in CI.
def _seen(strategy: st.SearchStrategy[Any], facts: dict[str, Callable[[Any], bool]]) -> set[str]:
    """Which of ``facts`` some generated value satisfies (searched for each, without shrinking)."""
    seen = set()
    for name, fact in facts.items():
        try:
            find(
                strategy,
                fact,
                settings=settings(max_examples=2000, database=None, phases=[Phase.generate]),
            )
        except NoSuchExample:
            continue
        seen.add(name)
    return seen


@pytest.mark.slow
def test_message_options_reach_every_option() -> None:
    facts: dict[str, Callable[[Any], bool]] = {
        name: (lambda o, name=name: getattr(o, name) not in (None, (), {}))
        for name in MessageOptions.model_fields
    }
    facts["nested callback"] = lambda o: bool(o.callback and o.callback.failure_callback)
    facts["callback forward"] = lambda o: bool(o.failure_callback and o.failure_callback.forward)
    facts["callback extra"] = lambda o: bool(o.callback and o.callback.extra)
    assert _seen(ours.message_options(schedule=True), facts) == set(facts)


@pytest.mark.slow
def test_publish_headers_reach_every_spelling() -> None:
    facts: dict[str, Callable[[dict[str, str]], bool]] = {
        "lower-case names": lambda h: any(name.islower() for name in h),
        "upper-case names": lambda h: any(name.isupper() for name in h),
        "Python's True/False": lambda h: "True" in h.values() or "False" in h.values(),
        "surrounding space": lambda h: any(v.startswith(" ") for v in h.values()),
        "bare-second timeouts": lambda h: any(
            n.lower().endswith("-timeout") and v.strip().isdigit() for n, v in h.items()
        ),
        "flow control without spaces": lambda h: any(
            n.lower().endswith("flow-control-value") and "," in v and ", " not in v
            for n, v in h.items()
        ),
        "redact 'headers'": lambda h: any("headers" in v for v in h.values()),
    }
    assert _seen(ours.publish_headers(), facts) == set(facts)


@pytest.mark.slow
def test_invalid_publish_headers_reach_every_code() -> None:
    codes = [
        "duration.missing_unit",
        "retries.negative",
        "retry_delay.power_operator",
        "method.unsupported",
        "header.forbidden_character",
        "url.invalid_scheme",
        "deduplication.colon",
        "deduplication.invalid_boolean",
        "redact.empty_item",
        "label.empty_label",
        "header.flow_control_incomplete",
    ]
    facts = {code: (lambda e, code=code: e.code == code) for code in codes}
    assert _seen(ours.invalid_publish_headers(), facts) == set(facts)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ours.durations(min_value=-1),  # type: ignore[arg-type]
        lambda: ours.durations(max_value=ours.MAX_DURATION * 2),  # type: ignore[attr-defined]
        lambda: ours.durations(min_value=parse_duration("2h"), max_value=parse_duration("1h")),
        lambda: ours.duration_strings(canonical=1),  # type: ignore[arg-type]
        lambda: ours.retry_delay_expressions(from_grammar="yes"),  # type: ignore[arg-type]
        lambda: ours.callbacks(max_depth=-1),
        lambda: ours.callbacks(max_depth=99),
        lambda: ours.message_options(max_depth=99),
        lambda: ours.message_options(schedule=None),  # type: ignore[arg-type]
        lambda: ours.publish_headers(max_depth=True),
    ],
)
def test_arguments_are_checked_eagerly(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        make()


@pytest.mark.parametrize(
    "cls",
    [
        MessageOptions,
        Callback,
        OrphanScope,
        FlowControl,
        FlowControlValue,
        RedactFields,
        RetryDelay,
    ],
)
def test_from_type_works_through_the_entry_point(cls: type) -> None:
    @settings(max_examples=10)
    @given(st.from_type(cls))
    def check(value: object) -> None:
        assert isinstance(value, cls)

    check()


def test_strategy_names_are_public() -> None:
    assert ours.__all__ == sorted(ours.__all__, key=lambda n: (not n[0].isupper(), n))
    for name in ours.__all__:
        assert callable(getattr(ours, name))
