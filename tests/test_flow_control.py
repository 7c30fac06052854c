import dataclasses
import pickle
from datetime import timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_FLOW_CONTROL_INTEGER,
    MAX_FLOW_CONTROL_KEY_LENGTH,
    MAX_FLOW_CONTROL_VALUE_LENGTH,
    FlowControlValue,
    InvalidFlowControl,
    format_duration,
    parse_flow_control_value,
    validate_flow_control_key,
)
from qstash_protocol.values import flow_control

# Every character, lone surrogates included.
ANY_CHAR = st.characters(exclude_categories=())

VALID = [
    # What the Python and JS SDKs send for publish, enqueue, batch and schedules
    ("parallelism=3, rate=10, period=60s", FlowControlValue(3, 10, timedelta(seconds=60))),
    ("rate=5, period=1h30m", FlowControlValue(None, 5, timedelta(minutes=90))),
    ("parallelism=4, rate=2, period=1m", FlowControlValue(4, 2, timedelta(minutes=1))),
    ("parallelism=1", FlowControlValue(parallelism=1)),
    ("parallelism=2, period=60s", FlowControlValue(2, None, timedelta(seconds=60))),
    ("rate=1", FlowControlValue(rate=1)),
    # docs and server forms
    ("parallelism=5,rate=10,period=1m", FlowControlValue(5, 10, timedelta(minutes=1))),
    ("rate=10,parallelism=20", FlowControlValue(20, 10)),
    ("parallelism=2,period=60", FlowControlValue(2, None, timedelta(seconds=60))),
    (
        "rate=100, period=3d5h12m",
        FlowControlValue(None, 100, timedelta(days=3, hours=5, minutes=12)),
    ),
    ("rate=1, period=7d", FlowControlValue(None, 1, timedelta(days=7))),
    ("rate=1, period=1s", FlowControlValue(None, 1, timedelta(seconds=1))),
    ("\trate=1 ,  parallelism=2\t", FlowControlValue(2, 1)),
    ("rate=010", FlowControlValue(rate=10)),
    (f"parallelism={MAX_FLOW_CONTROL_INTEGER}", FlowControlValue(MAX_FLOW_CONTROL_INTEGER)),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid(text: str, expected: FlowControlValue) -> None:
    assert parse_flow_control_value(text) == expected


# (text, code, span)
INVALID = [
    ("parallelism=0, rate=0, period=0s", "flow_control.not_positive", (12, 13)),  # JS SDK zeros
    ("", "flow_control.empty", (0, 0)),  # the Python SDK for a key alone
    (" \t ", "flow_control.empty", (0, 3)),
    ("period=1m", "flow_control.missing_limit", (0, 9)),  # the JS SDK for a period alone
    ("rate=7.25", "flow_control.invalid_integer", (5, 9)),
    ("rate=+1", "flow_control.invalid_integer", (5, 7)),
    ("rate=1e3", "flow_control.invalid_integer", (5, 8)),
    ("rate=\u0661", "flow_control.invalid_integer", (5, 6)),
    ("rate=-1", "flow_control.not_positive", (5, 7)),
    ("rate=-0", "flow_control.not_positive", (5, 7)),
    (f"rate={MAX_FLOW_CONTROL_INTEGER + 1}", "flow_control.too_large", (5, 15)),
    ("rate=1, period=0s", "flow_control.period_too_short", (15, 17)),
    ("rate=1, period=0", "flow_control.period_too_short", (15, 16)),
    ("rate=1, period=999ms", "flow_control.period_too_short", (15, 20)),
    ("rate=1, period=7d1s", "flow_control.period_too_long", (15, 19)),
    ("rate=1, period=1.5s", "flow_control.period_not_whole_seconds", (15, 19)),
    ("rate=1, period=5w", "flow_control.invalid_period", (16, 17)),
    ("rate=1, period=1.5", "flow_control.invalid_period", (15, 18)),
    ("rate=1, period=-1s", "flow_control.invalid_period", (15, 16)),
    ("rate=1, period=m", "flow_control.invalid_period", (15, 16)),
    ("rate =1", "flow_control.whitespace", (4, 5)),
    ("rate= 1", "flow_control.whitespace", (5, 6)),
    ("rate=1\r\n", "flow_control.whitespace", (6, 7)),
    ("rate=1,,rate=2", "flow_control.empty_item", (7, 7)),
    ("rate=1, , rate=2", "flow_control.empty_item", (7, 8)),
    ("rate=1,", "flow_control.empty_item", (7, 7)),
    (",", "flow_control.empty_item", (0, 0)),
    ("rate:1", "flow_control.missing_equals", (0, 6)),
    ("RATE=1", "flow_control.unknown_key", (0, 4)),
    ("rate=1, burst=5", "flow_control.unknown_key", (8, 13)),
    ("=1", "flow_control.unknown_key", (0, 1)),
    ("rate=1, rate=1", "flow_control.duplicate_key", (8, 12)),
    ("period=1m, period=2m", "flow_control.duplicate_key", (11, 17)),
    ("parallelism=", "flow_control.missing_value", (0, 12)),
    ("x" * (MAX_FLOW_CONTROL_VALUE_LENGTH + 1), "flow_control.too_long", (256, 257)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidFlowControl) as info:
        parse_flow_control_value(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_the_first_problem_is_reported() -> None:
    with pytest.raises(InvalidFlowControl) as info:
        parse_flow_control_value("rate=0, burst=1")
    assert info.value.code == "flow_control.not_positive"


def test_invalid_period_keeps_the_duration_error_as_cause() -> None:
    with pytest.raises(InvalidFlowControl) as info:
        parse_flow_control_value("rate=1,period=5w")
    assert info.value.__cause__ is not None
    assert "did you mean '7d'?" in info.value.message


def test_unknown_key_hints() -> None:
    with pytest.raises(InvalidFlowControl, match="did you mean 'rate'"):
        parse_flow_control_value("ratePerSecond=7")
    with pytest.raises(InvalidFlowControl, match="did you mean 'parallelism'"):
        parse_flow_control_value("Parallelism=7")


def test_message_for_missing_limit_quotes_the_server_rule() -> None:
    with pytest.raises(InvalidFlowControl) as info:
        parse_flow_control_value("period=1m")
    assert "rate or parallelism" in str(info.value)


def test_effective_period() -> None:
    assert parse_flow_control_value("parallelism=5").effective_period == timedelta(seconds=1)
    assert parse_flow_control_value("rate=5,period=1h").effective_period == timedelta(hours=1)


def test_value_object() -> None:
    value = parse_flow_control_value("rate=10,period=60")
    assert value == FlowControlValue(rate=10, period=timedelta(minutes=1))
    assert len({value, FlowControlValue(rate=10, period=timedelta(seconds=60))}) == 1
    assert pickle.loads(pickle.dumps(value)) == value
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.rate = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "flow_control.missing_limit"),
        ({"period": timedelta(minutes=1)}, "flow_control.missing_limit"),
        ({"rate": 0}, "flow_control.not_positive"),
        ({"parallelism": -3}, "flow_control.not_positive"),
        ({"rate": MAX_FLOW_CONTROL_INTEGER + 1}, "flow_control.too_large"),
        ({"rate": 1, "period": timedelta(0)}, "flow_control.period_too_short"),
        ({"rate": 1, "period": timedelta(seconds=-5)}, "flow_control.period_too_short"),
        ({"rate": 1, "period": timedelta(days=8)}, "flow_control.period_too_long"),
        (
            {"rate": 1, "period": timedelta(milliseconds=1500)},
            "flow_control.period_not_whole_seconds",
        ),
    ],
)
def test_constructing_an_invalid_value_raises(fields: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidFlowControl) as info:
        FlowControlValue(**fields)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize(
    "fields", [{"rate": True}, {"rate": 1.0}, {"parallelism": "3"}, {"rate": 1, "period": 60}]
)
def test_constructing_with_wrong_types_is_a_type_error(fields: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        FlowControlValue(**fields)  # type: ignore[arg-type]


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_flow_control_value(b"rate=1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validate_flow_control_key(None)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------

counts = st.integers(1, MAX_FLOW_CONTROL_INTEGER)
periods = st.integers(1, 7 * 86_400).map(lambda s: timedelta(seconds=s))


@st.composite
def flow_control_values(draw: st.DrawFn) -> FlowControlValue:
    parallelism = draw(st.none() | counts)
    rate = draw(counts if parallelism is None else st.none() | counts)
    return FlowControlValue(parallelism, rate, draw(st.none() | periods))


@given(flow_control_values())
def test_round_trip(value: FlowControlValue) -> None:
    """parse(str(v)) == v, and str() of the result is the same text (a fixed point)."""
    text = str(value)
    assert parse_flow_control_value(text) == value
    assert str(parse_flow_control_value(text)) == text


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, FlowControlValue]:
    """Any spelling the SDKs, the docs or the server use for a value, and the value."""
    value = draw(flow_control_values())
    items = []
    if value.parallelism is not None:
        items.append(f"parallelism={value.parallelism}")
    if value.rate is not None:
        items.append(f"rate={value.rate}")
    if value.period is not None:
        seconds = int(value.period.total_seconds())
        period = draw(st.sampled_from([str(seconds), f"{seconds}s", format_duration(value.period)]))
        items.append(f"period={period}")
    items = draw(st.permutations(items))
    separators = st.sampled_from([",", ", ", " , ", ",\t"])
    text = items[0] + "".join(draw(separators) + item for item in items[1:])
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "])), value


@given(spellings())
def test_every_spelling_parses_to_the_same_value(case: tuple[str, FlowControlValue]) -> None:
    text, value = case
    assert parse_flow_control_value(text) == value


def _check_error(err: InvalidFlowControl, text: str) -> None:
    assert err.value == text
    assert err.span is not None
    assert 0 <= err.span[0] <= err.span[1] <= len(text)
    assert err.code in InvalidFlowControl.CODES
    str(err)  # renders


fragments = st.sampled_from(
    ["parallelism", "rate", "period", "=", ",", ", ", " ", "\t", "0", "1", "60", "1m", "7d", "8d",
     "1.5", "s", "ms", "-", "+", "\u0661", "Rate"]
)  # fmt: skip


@given(st.text(ANY_CHAR) | st.lists(fragments).map("".join))
@example("rate=1, period=1s" + " " * 300)
def test_any_text_gives_a_value_or_our_error(text: str) -> None:
    try:
        value = parse_flow_control_value(text)
    except InvalidFlowControl as err:
        _check_error(err, text)
    else:
        assert parse_flow_control_value(str(value)) == value


@given(st.text(ANY_CHAR) | st.lists(fragments).map("".join) | spellings().map(lambda case: case[0]))
@settings(max_examples=1000)  # cheap: microseconds an example
@example("rate=2147483648")
@example("rate=0")
@example("rate=1, period=8d")
@example("rate=1,pe riod=1s")
@example("parallelism=1, period=0s")
@example("rate=1,period=1.5s")
@example("period=60")
@example("rate=1, rate=2")
def test_the_common_reading_accepts_what_the_general_one_accepts(text: str) -> None:
    """_parse_common reads common values with str methods; it never accepts more, or other."""
    common = flow_control._parse_common(text)
    try:
        general = flow_control._parse_general(text)
    except InvalidFlowControl:
        assert common is None
    else:
        if common is not None:
            assert (common.parallelism, common.rate, common.period) == (
                general.parallelism,
                general.rate,
                general.period,
            )


@given(spellings())
def test_the_common_reading_reads_every_spelling(case: tuple[str, FlowControlValue]) -> None:
    text, value = case
    assert flow_control._parse_common(text) == value


# --- keys ---------------------------------------------------------------------------------

KEYS_INVALID = [
    ("", "flow_control.empty_key", (0, 0)),
    ("my key", "flow_control.invalid_key_character", (2, 3)),
    ("key\n", "flow_control.invalid_key_character", (3, 4)),
    ("k\x7f", "flow_control.invalid_key_character", (1, 2)),
    ("\u00e9", "flow_control.invalid_key_character", (0, 1)),
    ("k" * (MAX_FLOW_CONTROL_KEY_LENGTH + 1), "flow_control.key_too_long", (256, 257)),
]


@pytest.mark.parametrize(("text", "code", "span"), KEYS_INVALID)
def test_invalid_key(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidFlowControl) as info:
        validate_flow_control_key(text)
    assert (info.value.code, info.value.span) == (code, span)


keys = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=256)


@given(keys)
def test_valid_keys_are_returned_unchanged(key: str) -> None:
    assert validate_flow_control_key(key) == key


@given(st.text(ANY_CHAR, max_size=300))
def test_any_key_text_gives_the_key_or_our_error(text: str) -> None:
    try:
        assert validate_flow_control_key(text) == text
    except InvalidFlowControl as err:
        _check_error(err, text)
