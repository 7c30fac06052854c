from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_DURATION,
    MAX_DURATION_LENGTH,
    InvalidDuration,
    format_duration,
    parse_duration,
)

VALID = [
    ("50s", timedelta(seconds=50)),
    ("1d10h30m", timedelta(days=1, hours=10, minutes=30)),
    ("10h", timedelta(hours=10)),
    ("1d", timedelta(days=1)),
    ("1d1h30m15s", timedelta(days=1, hours=1, minutes=30, seconds=15)),
    ("1h30m3s", timedelta(seconds=5403)),
    ("1.5h", timedelta(minutes=90)),
    ("1.5d", timedelta(hours=36)),
    (".5s", timedelta(milliseconds=500)),
    ("1.s", timedelta(seconds=1)),
    ("500ms", timedelta(milliseconds=500)),
    ("1500us", timedelta(microseconds=1500)),
    ("1500\u00b5s", timedelta(microseconds=1500)),
    ("1500\u03bcs", timedelta(microseconds=1500)),
    ("1ns", timedelta(0)),
    ("999ns", timedelta(0)),
    ("1000ns", timedelta(microseconds=1)),
    ("1.5us", timedelta(microseconds=1)),
    ("0", timedelta(0)),
    ("0s", timedelta(0)),
    ("000s", timedelta(0)),
    ("1s1h", timedelta(hours=1, seconds=1)),
    ("1h1h", timedelta(hours=2)),
    ("7d", timedelta(days=7)),
    ("2562047h47m16.854775807s", MAX_DURATION),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


# (text, code, span)
INVALID = [
    ("", "duration.empty", (0, 0)),
    ("30", "duration.missing_unit", (0, 2)),
    ("1h30", "duration.missing_unit", (2, 4)),
    ("00", "duration.missing_unit", (0, 2)),
    ("1.5", "duration.missing_unit", (0, 3)),
    ("5w", "duration.unknown_unit", (1, 2)),
    ("5S", "duration.unknown_unit", (1, 2)),
    ("5H", "duration.unknown_unit", (1, 2)),
    ("5sec", "duration.unknown_unit", (1, 4)),
    ("1h5x3s", "duration.unknown_unit", (3, 4)),
    ("s", "duration.missing_number", (0, 1)),
    ("h5m", "duration.missing_number", (0, 1)),
    ("abc", "duration.missing_number", (0, 3)),
    (".", "duration.invalid_number", (0, 1)),
    (".s", "duration.invalid_number", (0, 1)),
    ("5s.", "duration.invalid_number", (2, 3)),
    ("-5s", "duration.signed", (0, 1)),
    ("+", "duration.missing_number", (1, 1)),
    ("++5s", "duration.missing_number", (1, 2)),
    ("+5", "duration.missing_unit", (1, 2)),
    ("-0", "duration.signed", (0, 1)),
    ("1h 30m", "duration.whitespace", (2, 3)),
    (" 5s", "duration.whitespace", (0, 1)),
    ("5s\n", "duration.whitespace", (2, 3)),
    ("5s\t", "duration.whitespace", (2, 3)),
    ("\u0663s", "duration.non_ascii_digit", (0, 1)),
    ("1\u0663s", "duration.non_ascii_digit", (1, 2)),
    ("\uff15s", "duration.non_ascii_digit", (0, 1)),
    ("2562047h47m16.854775808s", "duration.out_of_range", (11, 24)),
    ("106752d", "duration.out_of_range", (0, 7)),
    ("99999999999999999999999h", "duration.out_of_range", (0, 24)),
    ("1" * (MAX_DURATION_LENGTH + 1), "duration.too_long", (MAX_DURATION_LENGTH, 65)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidDuration) as info:
        parse_duration(text)
    assert info.value.code == code
    assert info.value.span == span
    assert info.value.value == text


def test_missing_unit_message_suggests_seconds() -> None:
    with pytest.raises(InvalidDuration) as info:
        parse_duration("30")
    assert str(info.value) == "missing unit after '30', e.g. '30s'\n  30\n  ^^"


@pytest.mark.parametrize(
    ("text", "hint"), [("5S", "did you mean 's'?"), ("5w", "did you mean '7d'?")]
)
def test_unknown_unit_message_has_a_hint(text: str, hint: str) -> None:
    with pytest.raises(InvalidDuration, match=hint):
        parse_duration(text)


def test_too_long_is_checked_before_anything_else() -> None:
    with pytest.raises(InvalidDuration) as info:
        parse_duration(" " * 10_000)
    assert info.value.code == "duration.too_long"


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_duration(30)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30", timedelta(seconds=30)),
        ("+30", timedelta(seconds=30)),
        ("0", timedelta(0)),
        ("30s", timedelta(seconds=30)),
        ("1h", timedelta(hours=1)),
    ],
)
def test_bare_seconds_when_allowed(text: str, expected: timedelta) -> None:
    assert parse_duration(text, allow_bare_seconds=True) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.5", "duration.not_whole_seconds"),
        (".5", "duration.not_whole_seconds"),
        ("-30", "duration.signed"),
        ("30 ", "duration.whitespace"),
        ("9" * 20, "duration.out_of_range"),
        ("9" * 100, "duration.too_long"),
        ("", "duration.empty"),
    ],
)
def test_bare_seconds_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidDuration) as info:
        parse_duration(text, allow_bare_seconds=True)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=5400), "1h30m"),
        (timedelta(seconds=90061), "1d1h1m1s"),
        (timedelta(milliseconds=1500), "1s500ms"),
        (timedelta(microseconds=1), "1us"),
        (timedelta(days=7), "7d"),
        (timedelta(days=1, microseconds=1001), "1d1ms1us"),
        (MAX_DURATION, "106751d23h47m16s854ms775us"),
    ],
)
def test_format(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


def test_format_refuses_negative_and_too_large() -> None:
    with pytest.raises(InvalidDuration) as info:
        format_duration(timedelta(seconds=-1))
    assert info.value.code == "duration.negative"
    with pytest.raises(InvalidDuration) as info:
        format_duration(MAX_DURATION + timedelta(microseconds=1))
    assert info.value.code == "duration.out_of_range"
    with pytest.raises(TypeError):
        format_duration(5)  # type: ignore[arg-type]


durations = st.timedeltas(min_value=timedelta(0), max_value=MAX_DURATION)


@given(durations)
@example(timedelta(0))
@example(MAX_DURATION)
def test_format_then_parse_round_trips(value: timedelta) -> None:
    """parse_duration(format_duration(d)) == d for every non-negative d in range."""
    assert parse_duration(format_duration(value)) == value


UNITS = ["ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h", "d"]
groups = st.tuples(
    st.integers(min_value=0, max_value=10_000),
    st.one_of(st.none(), st.integers(min_value=0, max_value=999_999)),
    st.sampled_from(UNITS),
).map(lambda g: f"{g[0]}{'' if g[1] is None else f'.{g[1]}'}{g[2]}")
duration_texts = (
    st.lists(groups, min_size=1, max_size=5)
    .map("".join)
    .filter(lambda t: len(t) <= MAX_DURATION_LENGTH)
)


@given(duration_texts)
def test_canonical_form_is_a_fixed_point(text: str) -> None:
    """format(parse(s)) parses back to the same value and formats to itself."""
    canonical = format_duration(parse_duration(text))
    assert format_duration(parse_duration(canonical)) == canonical
    assert parse_duration(canonical) == parse_duration(text)


@given(duration_texts)
def test_generated_durations_match_an_independent_computation(text: str) -> None:
    """The parser agrees with a straightforward exact-arithmetic oracle."""
    import re
    from fractions import Fraction

    ns = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6}
    ns |= {"s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86400 * 10**9}
    total = 0
    for number, unit in re.findall(r"([0-9.]+)([^0-9.]+)", text):
        total += int(Fraction(number) * ns[unit])
    assert parse_duration(text) == timedelta(microseconds=total // 1000)


alphabet = st.sampled_from(list("0123456789.smhdunµμ+- \t\n\x00Sx\u0663\uff15"))


@given(st.one_of(st.text(alphabet, max_size=30), st.text(max_size=80)))
def test_any_text_gives_a_timedelta_or_invalid_duration(text: str) -> None:
    for bare in (False, True):
        try:
            value = parse_duration(text, allow_bare_seconds=bare)
        except InvalidDuration as err:
            assert err.value == text
            assert err.code in InvalidDuration.CODES
            assert err.span is not None
            str(err)
        else:
            assert timedelta(0) <= value <= MAX_DURATION


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10_000)))
def test_a_leading_plus_is_read_as_go_reads_it(value: timedelta) -> None:
    text = format_duration(value)
    assert parse_duration("+" + text) == parse_duration(text)
    assert format_duration(parse_duration("+" + text)) == text
