from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qstash_protocol import (
    HTTP_METHODS,
    MAX_INTEGER_LENGTH,
    MAX_LABELS_LENGTH,
    MAX_NOT_BEFORE,
    MAX_RETRIES,
    InvalidLabel,
    InvalidMethod,
    InvalidNotBefore,
    InvalidRetries,
    ProtocolError,
    format_labels,
    format_not_before,
    parse_labels,
    parse_method,
    parse_not_before,
    parse_retries,
)

ANY_CHAR = st.characters(exclude_categories=())


def check_any_text(parse: Callable[[str], object], error: type[ProtocolError], text: str) -> None:
    """``parse(text)`` gives a value or raises ``error`` with a span inside ``text``."""
    try:
        parse(text)
    except error as err:
        assert err.value == text
        assert err.span is not None
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        assert err.code in error.CODES
        str(err)


# --- Upstash-Method -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POST", "POST"),  # the JS SDK on every publish
        ("PUT", "PUT"),  # both SDKs for method PUT
        ("PATCH", "PATCH"),  # both SDKs, enqueue
        ("GET", "GET"),
        ("DELETE", "DELETE"),
        ("post", "POST"),
        ("dElEtE", "DELETE"),
    ],
)
def test_method(text: str, expected: str) -> None:
    assert parse_method(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "method.empty"),
        ("HEAD", "method.unsupported"),
        ("options", "method.unsupported"),
        ("CONNECT", "method.unsupported"),
        ("POST ", "method.unsupported"),
        ("PO ST", "method.unsupported"),
        ("po\u017ft", "method.unsupported"),  # LATIN SMALL LETTER LONG S
        ("GET" * 1000, "method.unsupported"),
    ],
)
def test_invalid_method(text: str, code: str) -> None:
    with pytest.raises(InvalidMethod) as info:
        parse_method(text)
    assert (info.value.code, info.value.span) == (code, (0, len(text)))


def test_method_messages() -> None:
    with pytest.raises(InvalidMethod, match="QStash does not deliver with HEAD"):
        parse_method("head")
    with pytest.raises(InvalidMethod, match="whitespace"):
        parse_method(" POST")


@given(st.sampled_from(HTTP_METHODS), st.data())
def test_method_in_any_case(method: str, data: st.DataObject) -> None:
    text = "".join(c.lower() if data.draw(st.booleans()) else c for c in method)
    assert parse_method(text) == method
    assert parse_method(parse_method(text)) == method


@given(st.text(ANY_CHAR))
def test_any_text_gives_a_method_or_our_error(text: str) -> None:
    check_any_text(parse_method, InvalidMethod, text)


# --- Upstash-Retries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("1", 1), ("3", 3), ("9", 9), ("007", 7), (str(MAX_RETRIES), MAX_RETRIES)],
)
def test_retries(text: str, expected: int) -> None:
    assert parse_retries(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "span"),
    [
        ("", "retries.empty", (0, 0)),
        ("True", "retries.not_an_integer", (0, 4)),  # the Python SDK for retries=True
        ("+3", "retries.not_an_integer", (0, 2)),
        ("3.0", "retries.not_an_integer", (0, 3)),
        ("2.5", "retries.not_an_integer", (0, 3)),
        (" 3", "retries.not_an_integer", (0, 2)),
        ("3\n", "retries.not_an_integer", (0, 2)),
        ("\u0663", "retries.not_an_integer", (0, 1)),
        ("\uff13", "retries.not_an_integer", (0, 1)),  # FULLWIDTH DIGIT THREE
        ("1_000", "retries.not_an_integer", (0, 5)),
        ("0x10", "retries.not_an_integer", (0, 4)),
        ("-1", "retries.negative", (0, 2)),
        ("-0", "retries.negative", (0, 2)),
        (str(MAX_RETRIES + 1), "retries.too_large", (0, 10)),
        ("1" * (MAX_INTEGER_LENGTH + 1), "retries.too_long", (32, 33)),
        ("9" * 5000, "retries.too_long", (32, 5000)),
    ],
)
def test_invalid_retries(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidRetries) as info:
        parse_retries(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("+3", "a sign"),
        ("3.0", "whole number"),
        (" 3", "whitespace"),
        ("\u0663", "ASCII digits"),
    ],
)
def test_retries_messages_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidRetries, match=reason):
        parse_retries(text)


@given(st.integers(0, MAX_RETRIES))
def test_retries_round_trip(retries: int) -> None:
    assert parse_retries(str(retries)) == retries


@given(st.text(ANY_CHAR))
def test_any_text_gives_retries_or_our_error(text: str) -> None:
    check_any_text(parse_retries, InvalidRetries, text)


# --- Upstash-Not-Before -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1893456000", datetime(2030, 1, 1, tzinfo=UTC)),  # the Python SDK
        ("1893456001", datetime(2030, 1, 1, 0, 0, 1, tzinfo=UTC)),  # JS: 1893456000.6 rounded
        ("1691245856", datetime(2023, 8, 5, 14, 30, 56, tzinfo=UTC)),  # the v1 docs
        ("0", datetime(1970, 1, 1, tzinfo=UTC)),
        ("000", datetime(1970, 1, 1, tzinfo=UTC)),
        (str(MAX_NOT_BEFORE), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_not_before(text: str, expected: datetime) -> None:
    parsed = parse_not_before(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "code", "span"),
    [
        ("", "not_before.empty", (0, 0)),
        ("1893456000.6", "not_before.not_an_integer", (0, 12)),
        ("1.8e9", "not_before.not_an_integer", (0, 5)),
        ("+1", "not_before.not_an_integer", (0, 2)),
        ("2030-01-01", "not_before.not_an_integer", (0, 10)),
        ("-1", "not_before.negative", (0, 2)),
        (str(MAX_NOT_BEFORE + 1), "not_before.out_of_range", (0, 12)),
        ("1893456000000", "not_before.out_of_range", (0, 13)),
        ("1" * (MAX_INTEGER_LENGTH + 1), "not_before.too_long", (32, 33)),
    ],
)
def test_invalid_not_before(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidNotBefore) as info:
        parse_not_before(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_not_before_milliseconds_hint() -> None:
    with pytest.raises(InvalidNotBefore, match="not milliseconds"):
        parse_not_before("1893456000000")


def test_format_not_before() -> None:
    assert format_not_before(datetime(2030, 1, 1, tzinfo=UTC)) == "1893456000"
    eastern = timezone(timedelta(hours=-5))
    assert format_not_before(datetime(2029, 12, 31, 19, tzinfo=eastern)) == "1893456000"
    # A fraction of a second rounds up: never deliver before the given time.
    assert format_not_before(datetime(2030, 1, 1, 0, 0, 0, 1, tzinfo=UTC)) == "1893456001"
    assert format_not_before(datetime(1970, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)) == "1"


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (datetime(2030, 1, 1), "not_before.naive_datetime"),
        (datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), "not_before.negative"),
        (datetime(9999, 12, 31, 23, 59, 59, 1, tzinfo=UTC), "not_before.out_of_range"),
    ],
)
def test_format_not_before_errors(moment: datetime, code: str) -> None:
    with pytest.raises(InvalidNotBefore) as info:
        format_not_before(moment)
    assert info.value.code == code


def test_format_not_before_takes_a_datetime() -> None:
    with pytest.raises(TypeError):
        format_not_before(1893456000)  # type: ignore[arg-type]


@given(st.integers(0, MAX_NOT_BEFORE))
def test_not_before_round_trip(seconds: int) -> None:
    """format(parse(s)) == s for every canonical s, and parse(format(t)) == t."""
    moment = parse_not_before(str(seconds))
    assert format_not_before(moment) == str(seconds)
    assert parse_not_before(format_not_before(moment)) == moment


@given(st.datetimes(timezones=st.timezones() | st.just(UTC)))
@example(datetime(2020, 4, 5, 2, 0, fold=1, tzinfo=ZoneInfo("Pacific/Norfolk")))  # a DST fold
def test_format_not_before_never_rounds_down(moment: datetime) -> None:
    try:
        text = format_not_before(moment)
    except InvalidNotBefore as err:
        assert err.code in ("not_before.negative", "not_before.out_of_range")
        return
    parsed = parse_not_before(text)
    instant = moment.astimezone(UTC)  # aware arithmetic in a local zone is wall-clock time
    assert instant <= parsed < instant + timedelta(seconds=1)


@given(st.text(ANY_CHAR))
def test_any_text_gives_a_not_before_or_our_error(text: str) -> None:
    check_any_text(parse_not_before, InvalidNotBefore, text)


# --- Upstash-Label ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my-label", ("my-label",)),  # both SDKs, one label
        ("a,b", ("a", "b")),  # the JS SDK for label: ["a", "b"]
        ("L", ("L",)),  # the Python SDK, enqueue
        ("label_1,label_2", ("label_1", "label_2")),  # the docs
        ("b,a", ("b", "a")),
        ("env=prod,team:core", ("env=prod", "team:core")),
    ],
)
def test_labels(text: str, expected: tuple[str, ...]) -> None:
    assert parse_labels(text) == expected
    assert format_labels(expected) == text


@pytest.mark.parametrize(
    ("text", "code", "span"),
    [
        ("", "label.empty", (0, 0)),
        ("a, b", "label.whitespace", (2, 3)),
        (" a", "label.whitespace", (0, 1)),
        ("a\tb", "label.whitespace", (1, 2)),
        ("a,,b", "label.empty_label", (2, 2)),
        (",", "label.empty_label", (0, 0)),
        ("a,", "label.empty_label", (2, 2)),
        ("a,b,a", "label.duplicate", (4, 5)),
        ("caf\u00e9", "label.invalid_character", (3, 4)),
        ("a\x1b", "label.invalid_character", (1, 2)),
        ("l" * (MAX_LABELS_LENGTH + 1), "label.too_long", (1024, 1025)),
    ],
)
def test_invalid_labels(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidLabel) as info:
        parse_labels(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


@pytest.mark.parametrize(
    ("labels", "code"),
    [
        ([], "label.empty"),
        (["a,b"], "label.invalid_character"),
        ([""], "label.empty_label"),
        (["a", "a"], "label.duplicate"),
        (["a b"], "label.whitespace"),
    ],
)
def test_format_labels_errors(labels: list[str], code: str) -> None:
    with pytest.raises(InvalidLabel) as info:
        format_labels(labels)
    assert info.value.code == code


def test_format_labels_refuses_a_bare_str() -> None:
    with pytest.raises(TypeError):
        format_labels("ab")
    with pytest.raises(TypeError):
        format_labels([1])  # type: ignore[list-item]


label_text = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=","),
    min_size=1,
    max_size=20,
)


@given(st.lists(label_text, min_size=1, max_size=10, unique=True))
def test_labels_round_trip(labels: list[str]) -> None:
    """parse(format(x)) == x and format(parse(t)) == t."""
    text = format_labels(labels)
    assert parse_labels(text) == tuple(labels)
    assert format_labels(parse_labels(text)) == text


@given(st.text(ANY_CHAR) | st.lists(st.sampled_from(["a", "b", ",", " ", "\u00e9"])).map("".join))
def test_any_text_gives_labels_or_our_error(text: str) -> None:
    check_any_text(parse_labels, InvalidLabel, text)
