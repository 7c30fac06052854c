import contextlib
import copy
import functools
import io
import math
import pickle
import subprocess
import sys
import tokenize
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from qstash_protocol import (
    MAX_RETRIED,
    MAX_RETRY_DELAY_DEPTH,
    MAX_RETRY_DELAY_LENGTH,
    MAX_RETRY_DELAY_TOKENS,
    InvalidRetryDelay,
    ProtocolError,
    RetryDelay,
    default_backoff,
    parse_retry_delay,
)
from qstash_protocol._resources import grammar_text
from qstash_protocol.values import _retry_compile as rc
from qstash_protocol.values import retry_delay as module


def compile_now(delay: RetryDelay) -> None:
    """Call evaluate until its shape is compiled (it starts with the reference evaluator)."""
    for _ in range(module._COMPILE_AFTER):
        with contextlib.suppress(InvalidRetryDelay):
            delay.evaluate(0)
    assert delay.evaluate.__code__ is not rc._warm_code()


def outcomes(delay: RetryDelay, retried_values: list[int]) -> list[object]:
    """What evaluate gives for each retried: the value, or the error code."""
    results: list[object] = []
    for retried in retried_values:
        try:
            results.append(delay.evaluate(retried))
        except InvalidRetryDelay as err:
            results.append(err.code)
    return results


# --- The docs' examples ----------------------------------------------------------------------


def test_docs_fixed_delay() -> None:
    assert parse_retry_delay("1000").schedule(3) == [timedelta(seconds=1)] * 3


def test_docs_linear_backoff_is_1s_2s_3s() -> None:
    assert parse_retry_delay("1000 * (1 + retried)").schedule(3) == [
        timedelta(seconds=1),
        timedelta(seconds=2),
        timedelta(seconds=3),
    ]


def test_docs_exponential_backoff_is_1s_2s_4s_8s() -> None:
    assert parse_retry_delay("pow(2, retried) * 1000").schedule(4) == [
        timedelta(seconds=1),
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(seconds=8),
    ]


def test_docs_exponential_with_minimum() -> None:
    delay = parse_retry_delay("max(1000, pow(2, retried) * 100)")
    assert [delay.evaluate(n) for n in range(7)] == [1000, 1000, 1000, 1000, 1600, 3200, 6400]


# --- Valid expressions -----------------------------------------------------------------------

# (text, canonical, evaluate(0), evaluate(1), evaluate(2), evaluate(3))
VALID = [
    ("1000", "1000", [1000, 1000, 1000, 1000]),
    ("7000 * retried", "7000 * retried", [0, 7000, 14000, 21000]),
    ("retried", "retried", [0, 1, 2, 3]),
    ("1e3", "1000", [1000] * 4),
    ("2.5E-3", "0.0025", [0.0025] * 4),
    (".5 + 1.", "0.5 + 1", [1.5] * 4),
    ("1e16", "1e16", [1e16] * 4),
    ("1.5e-5", "1.5e-5", [1.5e-5] * 4),
    ("0.00010", "0.0001", [0.0001] * 4),
    ("000123", "123", [123] * 4),
    ("1e-400", "0", [0] * 4),
    ("2 + 3 * 4", "2 + 3 * 4", [14] * 4),
    ("(2 + 3) * 4", "(2 + 3) * 4", [20] * 4),
    ("10 - 2 - 3", "10 - 2 - 3", [5] * 4),
    ("10 - (2 - 3)", "10 - (2 - 3)", [11] * 4),
    ("(10 - 2) - 3", "10 - 2 - 3", [5] * 4),
    ("64 / 4 / 2", "64 / 4 / 2", [8] * 4),
    ("64 / (4 / 2)", "64 / (4 / 2)", [32] * 4),
    ("-2 * -3", "-2 * -3", [6] * 4),
    ("-(2 * 3) + 10", "-(2 * 3) + 10", [4] * 4),
    ("+5", "5", [5] * 4),
    ("- -5", "--5", [5] * 4),
    ("------1", "------1", [1] * 4),
    ("1 - -1", "1 - -1", [2] * 4),
    ("2 * +(1 + retried)", "2 * (1 + retried)", [2, 4, 6, 8]),
    ("((((retried))))", "retried", [0, 1, 2, 3]),
    ("7 % 3", "7 % 3", [1] * 4),
    ("10 + -7 % 3", "10 + -7 % 3", [9] * 4),
    ("10 + 7 % -3", "10 + 7 % -3", [11] * 4),
    ("5.5 % 2", "5.5 % 2", [1.5] * 4),
    ("retried % 2 * 1000", "retried % 2 * 1000", [0, 1000, 0, 1000]),
    ("pow(2, 10)", "pow(2, 10)", [1024] * 4),
    ("pow(4, 0.5)", "pow(4, 0.5)", [2] * 4),
    ("pow(-2, 3) + 10", "pow(-2, 3) + 10", [2] * 4),
    ("pow(0, 0)", "pow(0, 0)", [1] * 4),
    ("exp(0)", "exp(0)", [1] * 4),
    ("sqrt(16)", "sqrt(16)", [4] * 4),
    ("sqrt(-0)", "sqrt(-0)", [0] * 4),
    ("abs(0 - 3)", "abs(0 - 3)", [3] * 4),
    ("floor(2.7) + ceil(2.1)", "floor(2.7) + ceil(2.1)", [5] * 4),
    ("floor(-0.5) + 2", "floor(-0.5) + 2", [1] * 4),
    ("round(2.5)", "round(2.5)", [3] * 4),
    ("round(3.5)", "round(3.5)", [4] * 4),
    ("round(-2.5) + 4", "round(-2.5) + 4", [1] * 4),
    ("round(0.49999999999999994)", "round(0.49999999999999994)", [0] * 4),
    ("round(retried / 2)", "round(retried / 2)", [0, 1, 1, 2]),
    ("min(3, 1, 2)", "min(3, 1, 2)", [1] * 4),
    ("max(1, retried, 2)", "max(1, retried, 2)", [2, 2, 2, 3]),
    ("min(retried, 2)", "min(retried, 2)", [0, 1, 2, 2]),
    ("max(1000,pow(2,retried)*100)", "max(1000, pow(2, retried) * 100)", [1000] * 4),
    ("1000\t*\t(1 + retried)", "1000 * (1 + retried)", [1000, 2000, 3000, 4000]),
    ("  retried  ", "retried", [0, 1, 2, 3]),
    ("0.1 + 0.2", "0.1 + 0.2", [0.30000000000000004] * 4),
    ("0.1 + (0.2 + retried)", "0.1 + (0.2 + retried)", [0.1 + (0.2 + r) for r in range(4)]),
    ("0.1 + 0.2 + retried", "0.1 + 0.2 + retried", [0.1 + 0.2 + r for r in range(4)]),
    ("retried * retried * retried", "retried * retried * retried", [0, 1, 8, 27]),
    ("-retried + 10", "-retried + 10", [10, 9, 8, 7]),
    ("abs(-retried)", "abs(-retried)", [0, 1, 2, 3]),
    ("exp(2.5 * retried) * 1000", "exp(2.5 * retried) * 1000", [1000, *(None,) * 3]),
    ("1000 / (retried + 1)", "1000 / (retried + 1)", [1000, 500, 1000 / 3, 250]),
]


@pytest.mark.parametrize(("text", "canonical", "values"), VALID)
def test_valid(text: str, canonical: str, values: list[float | None]) -> None:
    delay = parse_retry_delay(text)
    assert str(delay) == canonical
    assert delay.source == text
    for retried, expected in enumerate(values):
        value = delay.evaluate(retried)
        assert type(value) is float
        if expected is not None:
            assert value == expected
    again = parse_retry_delay(canonical)
    assert again == delay
    assert str(again) == canonical


def test_modulo_is_go_math_mod_not_python_percent() -> None:
    assert parse_retry_delay("10 + -7 % 3").evaluate(0) == 10 + math.fmod(-7, 3) == 9
    assert (-7 % 3) == 2  # Python's operator, which the expression language does not use


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.5, 1.0),
        (1.5, 2.0),
        (2.5, 3.0),
        (-0.5, -1.0),
        (-2.5, -3.0),
        (2.4999999999999996, 2.0),
        (0.49999999999999994, 0.0),
        (4503599627370495.5, 4503599627370496.0),
        (4503599627370497.0, 4503599627370497.0),
        (1e300, 1e300),
        (-0.4, -0.0),
    ],
)
def test_round_is_half_away_from_zero(x: float, expected: float) -> None:
    result = rc.round_half_away(x)
    assert result == expected
    assert math.copysign(1, result) == math.copysign(1, expected)


def test_int_arithmetic_on_retried_is_rounded_like_doubles() -> None:
    # 2**52 + 1 times itself: exact as Python ints, rounded as doubles (the server is float64).
    delay = parse_retry_delay("retried * retried * retried")
    retried = 10**12 + 39
    assert delay.evaluate(retried) == float(retried) * float(retried) * float(retried)
    assert delay.evaluate(retried) != float(retried**3)


def test_retried_at_its_limits() -> None:
    delay = parse_retry_delay("retried")
    assert delay.evaluate(MAX_RETRIED) == 2.0**53
    for retried in [MAX_RETRIED + 1, -1, -(10**400), 10**400]:
        for method in [delay.evaluate, delay.delay, parse_retry_delay("1000").evaluate]:
            with pytest.raises(InvalidRetryDelay, match="from 0 to") as info:
                method(retried)
            assert info.value.code == "retry_delay.retried_out_of_range"
            assert str(retried)[:20] in info.value.message


@given(st.integers())
def test_any_int_retried_gives_a_value_or_our_error(retried: int) -> None:
    delay = parse_retry_delay("max(1000, pow(2, retried) * 100)")
    try:
        value = delay.evaluate(retried)
    except InvalidRetryDelay as err:
        assert err.code in {"retry_delay.retried_out_of_range", "retry_delay.overflow"}, err
        assert (err.code == "retry_delay.retried_out_of_range") == (not 0 <= retried <= MAX_RETRIED)
    else:
        assert 0 <= retried <= MAX_RETRIED
        assert value >= 1000


@pytest.mark.parametrize("retried", [True, False, 1.0, 1.5, "1", None])
def test_retried_must_be_an_int_not_bool(retried: object) -> None:
    delay = parse_retry_delay("1000 * retried")
    with pytest.raises(TypeError, match="retried must be an int"):
        delay.evaluate(retried)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="retried must be an int"):
        delay.delay(retried)  # type: ignore[arg-type]


def test_bool_is_refused_even_when_constant() -> None:
    with pytest.raises(TypeError):
        parse_retry_delay("1000").evaluate(True)


# --- Invalid expressions ---------------------------------------------------------------------

# (text, code, span)
INVALID = [
    ("", "retry_delay.empty", (0, 0)),
    (" \t ", "retry_delay.empty", (0, 3)),
    ("1" * 1025, "retry_delay.too_long", (1024, 1025)),
    ("1+" * 128 + "1", "retry_delay.too_many_tokens", (256, 257)),
    ("(" * 33 + "1" + ")" * 33, "retry_delay.too_deep", (32, 33)),
    ("-" * 32 + "1", "retry_delay.too_deep", (0, 33)),
    ("1 $ 2", "retry_delay.invalid_character", (2, 3)),
    ("retried > 3", "retry_delay.invalid_character", (8, 9)),
    ("retried == 3", "retry_delay.invalid_character", (8, 9)),
    ("'1000'", "retry_delay.invalid_character", (0, 1)),
    ("[1]", "retry_delay.invalid_character", (0, 1)),
    ("1000;", "retry_delay.invalid_character", (4, 5)),
    ("1000\n", "retry_delay.invalid_character", (4, 5)),
    ("1000\r\n", "retry_delay.invalid_character", (4, 5)),
    ("1000\u00a0+ 1", "retry_delay.invalid_character", (4, 5)),
    ("\u0661", "retry_delay.invalid_character", (0, 1)),
    ("\uff11000", "retry_delay.invalid_character", (0, 1)),
    ("r\u00e9tried", "retry_delay.invalid_character", (1, 2)),
    ("2 ^ retried", "retry_delay.power_operator", (2, 3)),
    ("2 ** retried", "retry_delay.power_operator", (2, 4)),
    ("2**3", "retry_delay.power_operator", (1, 3)),
    ("1.2.3", "retry_delay.invalid_number", (0, 5)),
    ("1..2", "retry_delay.invalid_number", (0, 4)),
    ("2e", "retry_delay.invalid_number", (0, 2)),
    ("2e+", "retry_delay.invalid_number", (0, 3)),
    ("2E- 1", "retry_delay.invalid_number", (0, 3)),
    ("0x10", "retry_delay.invalid_number", (0, 4)),
    ("1_000", "retry_delay.invalid_number", (0, 5)),
    (".", "retry_delay.invalid_number", (0, 1)),
    ("1 + .e5", "retry_delay.invalid_number", (4, 7)),
    ("9e999", "retry_delay.number_out_of_range", (0, 5)),
    ("1" * 400, "retry_delay.number_out_of_range", (0, 400)),
    ("1e99999999999999999999", "retry_delay.number_out_of_range", (0, 22)),
    ("retries", "retry_delay.unknown_name", (0, 7)),
    ("(1 + retries) * 1000", "retry_delay.unknown_name", (5, 12)),
    ("Retried", "retry_delay.unknown_name", (0, 7)),
    ("retriedx", "retry_delay.unknown_name", (0, 8)),
    ("x", "retry_delay.unknown_name", (0, 1)),
    ("e", "retry_delay.unknown_name", (0, 1)),
    ("pi * 2", "retry_delay.unknown_name", (0, 2)),
    ("_", "retry_delay.unknown_name", (0, 1)),
    ("log(2)", "retry_delay.unknown_function", (0, 3)),
    ("power(2, 3)", "retry_delay.unknown_function", (0, 5)),
    ("powx(1)", "retry_delay.unknown_function", (0, 4)),
    ("exp2(1)", "retry_delay.unknown_function", (0, 4)),
    ("Pow (2, 3)", "retry_delay.unknown_function", (0, 3)),
    ("pow", "retry_delay.misused_name", (0, 3)),
    ("pow * 2", "retry_delay.misused_name", (0, 3)),
    ("1 + max", "retry_delay.misused_name", (4, 7)),
    ("(sqrt)", "retry_delay.misused_name", (1, 5)),
    ("exp 1", "retry_delay.misused_name", (0, 3)),
    ("retried(2)", "retry_delay.misused_name", (0, 7)),
    ("retried (2)", "retry_delay.misused_name", (0, 7)),
    ("pow(2)", "retry_delay.arity", (0, 6)),
    ("pow(1, 2, 3)", "retry_delay.arity", (0, 12)),
    ("exp(1, 2)", "retry_delay.arity", (0, 9)),
    ("exp()", "retry_delay.arity", (0, 5)),
    ("max(1)", "retry_delay.arity", (0, 6)),
    ("min( )", "retry_delay.arity", (0, 6)),
    ("1 + sqrt((1), 2)", "retry_delay.arity", (4, 16)),
    ("1)", "retry_delay.unmatched_parenthesis", (1, 2)),
    (")(", "retry_delay.unmatched_parenthesis", (0, 1)),
    ("(1", "retry_delay.unclosed_parenthesis", (0, 1)),
    ("((1)", "retry_delay.unclosed_parenthesis", (0, 1)),
    ("max(1, pow(2, retried)", "retry_delay.unclosed_parenthesis", (3, 4)),
    ("1 +", "retry_delay.missing_operand", (3, 3)),
    ("1 + ", "retry_delay.missing_operand", (4, 4)),
    ("-", "retry_delay.missing_operand", (1, 1)),
    ("* 2", "retry_delay.missing_operand", (0, 1)),
    ("1 + * 2", "retry_delay.missing_operand", (4, 5)),
    ("1 / / 2", "retry_delay.missing_operand", (4, 5)),
    ("()", "retry_delay.missing_operand", (1, 2)),
    ("max(1, )", "retry_delay.missing_operand", (7, 8)),
    ("max(, 1)", "retry_delay.missing_operand", (4, 5)),
    ("pow(1 +, 2)", "retry_delay.missing_operand", (7, 8)),
    ("1 2", "retry_delay.missing_operator", (2, 3)),
    ("2retried", "retry_delay.missing_operator", (1, 8)),
    ("2 retried", "retry_delay.missing_operator", (2, 9)),
    ("2pow(2, 3)", "retry_delay.missing_operator", (1, 4)),
    ("retried 2", "retry_delay.missing_operator", (8, 9)),
    ("(1)(2)", "retry_delay.missing_operator", (3, 4)),
    ("2 (3)", "retry_delay.missing_operator", (2, 3)),
    ("abs(1) abs(2)", "retry_delay.missing_operator", (7, 10)),
    ("1, 2", "retry_delay.unexpected_token", (1, 2)),
    ("(1, 2)", "retry_delay.unexpected_token", (2, 3)),
    ("exp((1, 2))", "retry_delay.unexpected_token", (6, 7)),
    ("retried.x", "retry_delay.unexpected_token", (7, 8)),
    ("1 / 0", "retry_delay.division_by_zero", (4, 5)),
    ("1 / (2 - 2)", "retry_delay.division_by_zero", (4, 11)),
    ("retried / 0", "retry_delay.division_by_zero", (10, 11)),
    ("retried * 1 / (0 * 5)", "retry_delay.division_by_zero", (14, 21)),
    ("retried % 0", "retry_delay.division_by_zero", (10, 11)),
    ("5 % -0", "retry_delay.division_by_zero", (4, 6)),
    ("pow(0, -1)", "retry_delay.division_by_zero", (0, 10)),
    ("pow(-0, -2)", "retry_delay.division_by_zero", (0, 11)),
    ("sqrt(-1)", "retry_delay.domain_error", (5, 7)),
    ("pow(-8, 1 / 3)", "retry_delay.domain_error", (0, 14)),
    ("pow(10, 1e6)", "retry_delay.overflow", (0, 12)),
    ("pow(pow(pow(10, 10), 10), 10)", "retry_delay.overflow", (0, 29)),
    ("exp(1000)", "retry_delay.overflow", (0, 9)),
    ("1e308 * 10", "retry_delay.overflow", (0, 10)),
    ("1e308 + 1e308 - 1e308", "retry_delay.overflow", (0, 13)),
    ("1e308 / 1e-308", "retry_delay.overflow", (0, 14)),
    ("min(1e308 * 10, 1)", "retry_delay.overflow", (4, 14)),
    ("1 / (1e308 * 10)", "retry_delay.overflow", (5, 15)),
    ("(1e308 + 1e308) * 0", "retry_delay.overflow", (1, 14)),
    ("-(1e308 * 10) + retried", "retry_delay.overflow", (2, 12)),
    ("0 - 1000", "retry_delay.negative", (0, 8)),
    ("-1", "retry_delay.negative", (0, 2)),
    ("floor(-0.5)", "retry_delay.negative", (0, 11)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay(text)
    err = info.value
    assert (err.code, err.span) == (code, span), err.message
    assert err.value == text
    assert err.code in InvalidRetryDelay.CODES
    assert isinstance(err, ProtocolError)
    assert isinstance(err, ValueError)
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__  # no Lark exception shows


def test_every_code_has_an_invalid_case_here_or_in_evaluation() -> None:
    seen = {code for _, code, _ in INVALID} | {code for _, _, code, _ in EVALUATION_ERRORS}
    # Codes about an argument (retried, retries, k), tested in test_retried_at_its_limits,
    # test_schedule and test_default_backoff_arguments.
    arguments = {
        "retry_delay.retried_out_of_range",
        "retry_delay.negative_retries",
        "retry_delay.invalid_backoff_factor",
        "retry_delay.schedule_too_long",  # test_schedule_is_bounded in tests/test_bounds.py
    }
    assert seen | arguments == set(InvalidRetryDelay.CODES)
    assert not seen & arguments


def test_messages_with_carets() -> None:
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("1000 * (1 + retries)")
    assert str(info.value) == (
        "unknown name 'retries' (did you mean 'retried'?); the only variable is 'retried'\n"
        "  1000 * (1 + retries)\n"
        "              ^^^^^^^"
    )
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("pow(2)")
    assert info.value.message == "pow takes 2 arguments, e.g. pow(x, y), but is given 1"
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("max(1)")
    assert info.value.message == ("max takes 2 or more arguments, e.g. max(a, b), but is given 1")
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("Pow(2, 3)")
    assert "did you mean 'pow'? names are case-sensitive" in info.value.message
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("2 ** 3")
    assert "pow(x, y)" in info.value.message
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("2retried")
    assert (
        info.value.message == "expected an operator between '2' and 'retried', e.g. '2 * retried'"
    )


def test_error_names_the_header() -> None:
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("2 ^ 3")
    assert str(info.value.with_header("Upstash-Retry-Delay")).startswith("Upstash-Retry-Delay: ")


# --- Errors from evaluate --------------------------------------------------------------------

# (text, retried, code, span)
EVALUATION_ERRORS = [
    ("1000 / retried", 0, "retry_delay.division_by_zero", (7, 14)),
    ("1000 / (retried - 3)", 3, "retry_delay.division_by_zero", (7, 20)),
    ("1000 % (retried - 1)", 1, "retry_delay.division_by_zero", (7, 20)),
    ("pow(retried, -1)", 0, "retry_delay.division_by_zero", (0, 16)),
    ("sqrt(2 - retried) * 1000", 3, "retry_delay.domain_error", (5, 16)),
    ("pow(retried - 2, 0.5)", 1, "retry_delay.domain_error", (0, 21)),
    ("pow(retried, 1100)", 2, "retry_delay.overflow", (0, 18)),
    ("pow(10, retried)", 309, "retry_delay.overflow", (0, 16)),
    ("exp(retried)", 710, "retry_delay.overflow", (0, 12)),
    ("1e308 * retried", 2, "retry_delay.overflow", (0, 15)),
    ("min(1e308 * retried, 5)", 2, "retry_delay.overflow", (4, 19)),
    ("max(0 - 1e308 * retried, 5)", 2, "retry_delay.overflow", (8, 23)),
    ("max(0 - 1e308 * (retried - 1), 5)", 3, "retry_delay.overflow", (8, 29)),
    ("1 / (1e308 * retried) + 1", 2, "retry_delay.overflow", (5, 20)),
    ("exp(0 - 1e308 * retried)", 2, "retry_delay.overflow", (8, 23)),
    ("pow(0.5, 1e308 * retried)", 2, "retry_delay.overflow", (9, 24)),
    ("retried % (1e308 * retried)", 2, "retry_delay.overflow", (11, 26)),
    ("floor(1e308 * retried)", 2, "retry_delay.overflow", (6, 21)),
    ("round(1e308 * retried)", 2, "retry_delay.overflow", (6, 21)),
    ("5000 - retried * 1000", 6, "retry_delay.negative", (0, 21)),
    ("retried - 1", 0, "retry_delay.negative", (0, 11)),
    ("1e13 * (retried + 1)", 0, "retry_delay.out_of_range", (0, 20)),
]


@pytest.mark.parametrize(("text", "retried", "code", "span"), EVALUATION_ERRORS)
def test_evaluation_errors(text: str, retried: int, code: str, span: tuple[int, int]) -> None:
    delay = parse_retry_delay(text)
    with pytest.raises(InvalidRetryDelay) as info:
        delay.delay(retried)
    err = info.value
    assert (err.code, err.span, err.value) == (code, span, text), err.message
    assert f"when retried is {retried}" in err.message
    if code != "retry_delay.out_of_range":
        with pytest.raises(InvalidRetryDelay) as again:
            delay.evaluate(retried)
        assert again.value == err


def test_evaluation_error_message() -> None:
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("1000 / (retried - 3)").evaluate(3)
    assert str(info.value) == (
        "division by zero: '(retried - 3)' is 0 when retried is 3\n"
        "  1000 / (retried - 3)\n"
        "         ^^^^^^^^^^^^^"
    )


# --- delay and schedule ----------------------------------------------------------------------


def test_delay_truncates_to_microseconds() -> None:
    assert parse_retry_delay("0.0019999").delay(0) == timedelta(microseconds=1)
    assert parse_retry_delay("1.0005").delay(0) == timedelta(microseconds=1000)
    assert parse_retry_delay("0.0009").delay(0) == timedelta(0)
    assert parse_retry_delay("86400000").delay(0) == timedelta(days=1)


def test_delay_up_to_the_longest_duration() -> None:
    assert parse_retry_delay("9223372036854").delay(0) == timedelta(microseconds=9223372036854000)
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("9223372036855").delay(0)
    assert info.value.code == "retry_delay.out_of_range"


def test_schedule() -> None:
    delay = parse_retry_delay("1000 * (1 + retried)")
    assert delay.schedule(0) == []
    assert len(delay.schedule(20)) == 20
    with pytest.raises(TypeError):
        delay.schedule(True)
    with pytest.raises(TypeError):
        delay.schedule(2.0)  # type: ignore[arg-type]
    for retries in [-1, -(10**30)]:
        with pytest.raises(InvalidRetryDelay, match="0 or more") as info:
            delay.schedule(retries)
        assert info.value.code == "retry_delay.negative_retries"
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay("3000 - 1000 * retried").schedule(5)
    assert "when retried is 4" in info.value.message


# --- The default backoff ---------------------------------------------------------------------


def test_default_backoff_matches_the_docs_table() -> None:
    assert [default_backoff(n) for n in range(1, 7)] == [
        timedelta(seconds=12),
        timedelta(minutes=2, seconds=28),
        timedelta(minutes=30, seconds=8),
        timedelta(hours=6, minutes=7, seconds=6),
        timedelta(hours=24),
        timedelta(hours=24),
    ]


def test_default_backoff_k2_reading_and_edges() -> None:
    assert default_backoff(0) == timedelta(seconds=1)
    assert default_backoff(1, k=2) == timedelta(seconds=7)
    assert default_backoff(2, k=2) == timedelta(seconds=54)
    assert default_backoff(5, k=2) == timedelta(hours=6, minutes=7, seconds=6)
    assert default_backoff(6, k=2) == timedelta(days=1)
    assert default_backoff(10**6) == timedelta(days=1)
    assert default_backoff(10**400) == timedelta(days=1)


@pytest.mark.parametrize(
    ("n", "k", "error"),
    [
        (True, 2.5, TypeError),
        (1.0, 2.5, TypeError),
        ("1", 2.5, TypeError),
        (1, True, TypeError),
        (1, "2", TypeError),
        (1, None, TypeError),
        (-1, 2.5, "retry_delay.retried_out_of_range"),
        (-(10**400), 2.5, "retry_delay.retried_out_of_range"),
        (1, 0, "retry_delay.invalid_backoff_factor"),
        (1, -1, "retry_delay.invalid_backoff_factor"),
        (1, -0.0, "retry_delay.invalid_backoff_factor"),
        (1, math.inf, "retry_delay.invalid_backoff_factor"),
        (1, -math.inf, "retry_delay.invalid_backoff_factor"),
        (1, math.nan, "retry_delay.invalid_backoff_factor"),
        (1, 10**400, "retry_delay.invalid_backoff_factor"),
    ],
)
def test_default_backoff_arguments(n: object, k: object, error: type[Exception] | str) -> None:
    if isinstance(error, str):
        with pytest.raises(InvalidRetryDelay) as info:
            default_backoff(n, k=k)  # type: ignore[arg-type]
        assert info.value.code == error
        assert repr(k)[:20] in info.value.message or repr(n)[:20] in info.value.message
    else:
        with pytest.raises(error):
            default_backoff(n, k=k)  # type: ignore[arg-type]


def _positive_finite(k: float) -> bool:
    try:
        return 0 < float(k) < math.inf
    except OverflowError:
        return False


@given(st.integers(), st.one_of(st.integers(), st.floats()))
def test_default_backoff_gives_a_delay_or_our_error(n: int, k: float) -> None:
    try:
        delay = default_backoff(n, k=k)
    except InvalidRetryDelay as err:
        assert err.code in {
            "retry_delay.retried_out_of_range",
            "retry_delay.invalid_backoff_factor",
        }
        assert n < 0 or not _positive_finite(k)
    else:
        assert timedelta(seconds=1) <= delay <= timedelta(days=1)


# --- The RetryDelay object -------------------------------------------------------------------


def test_equality_is_by_canonical_form_and_source_is_kept() -> None:
    a = parse_retry_delay("1000*(1+retried)")
    b = parse_retry_delay("  1e3 * ( 1 + retried )")
    assert a == b
    assert hash(a) == hash(b)
    assert a.source != b.source
    assert a != parse_retry_delay("1000 * (retried + 1)")
    assert a != "1000 * (1 + retried)"
    assert len({a, b}) == 1


def test_immutable() -> None:
    delay = parse_retry_delay("1000")
    with pytest.raises(AttributeError):
        delay.source = "2000"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del delay.source
    with pytest.raises(AttributeError):
        delay.evaluate = lambda retried: 0.0  # type: ignore[method-assign]
    assert not hasattr(delay, "__dict__")


def test_constructor_repr_pickle_copy() -> None:
    delay = RetryDelay("pow(2,retried)*1e3")
    assert repr(delay) == "RetryDelay('pow(2, retried) * 1000')"
    assert eval(repr(delay)) == delay
    assert delay.source == "pow(2,retried)*1e3"
    assert delay.evaluate(3) == 8000
    restored = pickle.loads(pickle.dumps(delay))
    assert restored == delay
    assert restored.source == delay.source
    assert copy.copy(delay) is delay
    assert copy.deepcopy(delay) is delay
    with pytest.raises(InvalidRetryDelay):
        RetryDelay("2 ^ 3")


def test_not_a_str() -> None:
    for value in (1000, None, b"1000", ["1000"]):
        with pytest.raises(TypeError, match="must be a str"):
            parse_retry_delay(value)  # type: ignore[arg-type]


def test_cache_returns_the_same_object_and_is_bounded() -> None:
    text = "1000 * (1 + retried) + 0"
    assert parse_retry_delay(text) is parse_retry_delay(text)
    for i in range(module._CACHE_SIZE + 10):
        parse_retry_delay(f"{i} + retried")
    assert len(module._CACHE) <= module._CACHE_SIZE


def test_in_a_frozen_pydantic_model() -> None:
    from pydantic import BaseModel, ConfigDict, ValidationError

    class Retry(BaseModel):
        model_config = ConfigDict(frozen=True)
        delay: RetryDelay

    model = Retry(delay=parse_retry_delay("pow(2,retried)*1000"))
    assert Retry(delay="pow(2, retried) * 1000") == model
    dumped = model.model_dump_json()
    assert dumped == '{"delay":"pow(2, retried) * 1000"}'
    assert Retry.model_validate_json(dumped) == model
    assert model.model_dump() == {"delay": model.delay}
    assert model.model_dump(mode="json") == {"delay": "pow(2, retried) * 1000"}
    assert Retry.model_json_schema()["properties"]["delay"]["type"] == "string"
    with pytest.raises(ValidationError, match="did you mean 'retried'"):
        Retry(delay="retries")
    with pytest.raises(ValidationError):
        Retry(delay=1000)  # type: ignore[arg-type]


# --- Limits and hostile input ----------------------------------------------------------------


def test_limits_are_inclusive() -> None:
    assert parse_retry_delay("retried" + " " * (MAX_RETRY_DELAY_LENGTH - 7)).evaluate(1) == 1
    assert parse_retry_delay("1+" * ((MAX_RETRY_DELAY_TOKENS - 1) // 2) + "1").evaluate(0) == 128
    depth = MAX_RETRY_DELAY_DEPTH
    assert parse_retry_delay("(" * depth + "1" + ")" * depth).evaluate(0) == 1
    assert parse_retry_delay("-" * (depth - 2) + "1").evaluate(0) == 1
    assert parse_retry_delay("+" * (depth - 1) + "1").evaluate(0) == 1
    nested = "abs(" * (depth - 1) + "1" + ")" * (depth - 1)
    assert parse_retry_delay(nested).evaluate(0) == 1
    with pytest.raises(InvalidRetryDelay, match="levels deep"):
        parse_retry_delay("abs(" * depth + "1" + ")" * depth)


HOSTILE = [
    ("(" * 10_000 + "1" + ")" * 10_000, "retry_delay.too_long"),
    ("(" * 500 + "1" + ")" * 500, "retry_delay.too_deep"),
    ("(" * 1000, "retry_delay.too_deep"),
    (")" * 1000, "retry_delay.unmatched_parenthesis"),
    ("-" * 1023 + "1", "retry_delay.too_many_tokens"),
    ("-" * 200 + "1", "retry_delay.too_deep"),
    ("-------1", "retry_delay.negative"),
    ("1+" * 511 + "1", "retry_delay.too_many_tokens"),
    ("1+" * 127 + "+", "retry_delay.missing_operand"),
    ("x" * 10_000, "retry_delay.too_long"),
    ("x" * 1024, "retry_delay.unknown_name"),
    ("retried" * 146, "retry_delay.unknown_name"),
    ("9" * 1024, "retry_delay.number_out_of_range"),
    ("9e999", "retry_delay.number_out_of_range"),
    ("1e" + "9" * 1000, "retry_delay.number_out_of_range"),
    ("pow(10, 1e6)", "retry_delay.overflow"),
    ("pow(10, 1e300)", "retry_delay.overflow"),
    ("pow(pow(pow(10,10),10),10)", "retry_delay.overflow"),
    ("exp(exp(exp(10)))", "retry_delay.overflow"),
    ("pow(" * 16 + "10" + ",10)" * 16, "retry_delay.overflow"),
    ("\x00" * 1000, "retry_delay.invalid_character"),
    ("\u202e1000", "retry_delay.invalid_character"),
    ("__import__('os')", "retry_delay.invalid_character"),
    ("retried.__class__", "retry_delay.unexpected_token"),
    ("exec(1)", "retry_delay.unknown_function"),
    ("__builtins__", "retry_delay.unknown_name"),
    ("max(" + "1," * 300 + "1)", "retry_delay.too_many_tokens"),
]


@pytest.mark.parametrize(
    ("text", "code"), HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))]
)
def test_hostile_input_is_rejected(text: str, code: str) -> None:
    with pytest.raises(InvalidRetryDelay) as info:
        parse_retry_delay(text)
    assert info.value.code == code


def test_hostile_evaluation_fails_fast() -> None:
    delay = parse_retry_delay("pow(10, pow(10, retried))")
    assert delay.evaluate(1) == 1e10
    with pytest.raises(InvalidRetryDelay) as info:
        delay.evaluate(MAX_RETRIED)
    assert info.value.code == "retry_delay.overflow"


# --- The grammar is built lazily and writes nothing ------------------------------------------


def _run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_importing_the_package_does_not_build_the_grammar() -> None:
    code = (
        "import sys\n"
        "import qstash_protocol\n"
        "from qstash_protocol import _resources\n"
        "from qstash_protocol.values import retry_delay\n"
        "print(len(retry_delay._MACHINE_HOLDER), len(_resources._PARSERS))\n"
        "retry_delay.parse_retry_delay('1000 * retried')\n"
        "print(len(retry_delay._MACHINE_HOLDER), len(_resources._PARSERS))\n"
        "print('lark' in sys.modules)\n"
    )
    # The first parse loads the shipped tables: neither Lark nor its grammar analysis is needed.
    assert _run_python(code).split() == ["0", "0", "1", "0", "False"]


def test_building_the_grammar_and_parsing_write_no_files() -> None:
    code = """
import os, sys
sys.dont_write_bytecode = True
import lark
from qstash_protocol.values import retry_delay
writes = []
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
def hook(event, args):
    if event == "open":
        path, mode, flags = args
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (flags or 0) & WRITE:
            writes.append(path)
    elif event.startswith(("os.mkdir", "os.rename", "os.remove", "os.replace", "shutil.")):
        writes.append(event)
sys.addaudithook(hook)
retry_delay._parser()
assert retry_delay.parse_retry_delay("pow(2, retried) * 1000").evaluate(3) == 8000
print(writes)
"""
    assert _run_python(code) == "[]"


# --- The generated code ----------------------------------------------------------------------

ALLOWED_NAMES = {
    "def",
    "return",
    "if",
    "not",
    "or",
    "and",
    "is",
    "try",
    "except",
    "evaluate",
    "retried",
    "__class__",
    "x",
    "result",
    "_factory",
    "_slow",
    "_invalid",
    "_MAX_RETRIED",
    *rc._HELPERS,
}


def generated_source(text: str) -> str:
    tree = module._parse(text)
    rc.fold(tree, text)
    _, source = rc.compile_tree(
        tree, slow=lambda r: 0.0, invalid=lambda r: 0.0, max_retried=MAX_RETRIED
    )
    return source


def check_generated_tokens(source: str) -> None:
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME:
            assert token.string in ALLOWED_NAMES or token.string.startswith("_t"), token
        elif token.type == tokenize.NUMBER:
            assert token.string == repr(float(token.string)) or token.string in ("0", "0.0")
        elif token.type == tokenize.OP:
            assert token.string in set("()+-*/,:=<.") | {":=", "<=", "=="}, token
            if token.string == ".":
                assert token.line.strip().startswith("if retried.__class__ is not _int"), token
        else:
            assert token.type in (
                tokenize.NEWLINE,
                tokenize.NL,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            ), token


@pytest.mark.parametrize("text", [text for text, _, _ in VALID])
def test_generated_code_is_written_by_the_generator(text: str) -> None:
    check_generated_tokens(generated_source(text))


def test_generated_code_for_the_docs_example() -> None:
    source = generated_source("max(1000, pow(2, retried) * 100)")
    assert "result = _max(1000.0, (_t0 := (_pow(2.0, retried) * 100.0)))" in source
    assert "(_t0) * 0.0 == 0.0" in source


def test_evaluate_is_compiled_on_a_later_call_and_stays_the_same_object() -> None:
    module._PROGRAMS.cache_clear()
    delay = parse_retry_delay("pow(3, retried) * 17 + 0.5")
    evaluate = delay.evaluate
    assert evaluate.__code__ is rc._warm_code()  # the reference evaluator, behind the checks
    for retried in range(module._COMPILE_AFTER + 2):
        assert evaluate(retried) == 3.0**retried * 17 + 0.5
    assert evaluate.__code__ is not rc._warm_code()
    assert delay.evaluate is evaluate
    with pytest.raises(TypeError, match="retried must be an int"):
        evaluate(True)
    # Another text of the same shape is compiled at once, with its own numbers.
    other = parse_retry_delay("pow(5, retried) * 2 + 0.25")
    assert other.evaluate.__code__ is not rc._warm_code()
    assert other.evaluate(3) == 250.25
    assert evaluate(3) == 459.5


def test_compiled_code_hands_a_huge_retried_to_the_reference_evaluator() -> None:
    delay = parse_retry_delay("1000 * (1 + retried) + 0.5")
    compile_now(delay)
    fast_max = rc._HELPERS["_FAST_MAX"]
    assert isinstance(fast_max, int)
    for retried in (fast_max - 1, fast_max, fast_max + 1, 2**40, MAX_RETRIED):
        assert delay.evaluate(retried) == 1000.0 * (1.0 + retried) + 0.5
    for retried in (-1, MAX_RETRIED + 1):
        with pytest.raises(InvalidRetryDelay, match="from 0 to"):
            delay.evaluate(retried)
    with pytest.raises(TypeError, match="retried must be an int"):
        delay.evaluate(True)


def test_program_cache_is_bounded() -> None:
    programs = rc.Programs(entries=4, size=64 * 1024)
    sources = [rc.shape(folded(f"retried{' + retried' * n}"))[0] for n in range(10)]
    for n, source in enumerate(sources):
        programs.compile(f"skeleton {n % 3}", n % 2 == 0, source)
    assert len(programs.programs) == 4
    assert list(programs.programs) == [
        ("skeleton 0", True),
        ("skeleton 1", False),
        ("skeleton 2", True),
        ("skeleton 0", False),
    ]
    assert programs.skeletons == {"skeleton 0": 2, "skeleton 1": 1, "skeleton 2": 1}
    assert [program.source for program in programs.programs.values()] == sources[-4:]
    small = rc.Programs(entries=100, size=8 * 1024)
    for n, source in enumerate(sources):
        small.compile(f"s{n}", True, source)
    assert 1 < len(small.programs) < len(sources)
    assert small.used <= 8 * 1024
    charged = [program.size + 2 * len(key[0]) for key, program in small.programs.items()]
    assert sum(charged) == small.used
    assert small.skeletons == dict.fromkeys((key[0] for key in small.programs), 1)
    small.cache_clear()
    assert not small.programs
    assert not small.skeletons


def test_program_puts_each_number_in_place() -> None:
    text = "max(1000, pow(2, retried) * 100) - 3 * retried % 7"
    source, constants = rc.shape(folded(text))
    program = rc.Program(source)
    assert program.slots is not None
    assert len(program.slots) == len(constants)
    other = "max(999, pow(3, retried) * 10) - 5 * retried % 11"
    _, other_constants = rc.shape(folded(other))
    code = program.specialize(other_constants)
    assert all(value in code.co_consts for value in other_constants)
    stand_ins = [c for c in code.co_consts if type(c) is float and 0 < c < 1e-300]
    assert not stand_ins
    # Without slots (a compiler that merged or folded the stand-ins), each tree is compiled.
    program.slots = None
    assert program.specialize(other_constants).co_consts.count(999.0) == 1


def folded(text: str) -> rc.Node:
    tree = module._parse(text)
    rc.fold(tree, text)
    return tree


def test_checks_are_left_out_only_where_bounds_prove_them_needless() -> None:
    assert "try:" not in generated_source("1000 * (1 + retried)")
    assert "try:" not in generated_source("max(1000, retried * 100) / 2 - 1")
    for text in [
        "pow(2, retried) * 1000",
        "1e300 * retried",
        "retried - 1",
        "1000 / retried",
        "10 % (retried + 1)",
    ]:
        assert "try:" in generated_source(text), text


# --- Properties ------------------------------------------------------------------------------

LIMIT_CODES = {
    "retry_delay.too_long",
    "retry_delay.too_many_tokens",
    "retry_delay.too_deep",
    "retry_delay.number_out_of_range",
}
MEANING_CODES = {
    "retry_delay.division_by_zero",
    "retry_delay.domain_error",
    "retry_delay.overflow",
    "retry_delay.negative",
}

INTERESTING_NUMBERS = st.sampled_from(
    [
        "0",
        "1",
        "2",
        "3",
        "0.5",
        "2.5",
        "10",
        "1000",
        "1e16",
        "1e154",
        "1e308",
        "1.7976931348623157e308",
        "5e-324",
        "1e-308",
        "9007199254740993",
        "0.1",
        ".5",
        "7.",
    ]
)


def grammar_expressions() -> st.SearchStrategy[str]:
    """Expressions generated from the grammar file itself (hypothesis.extra.lark).

    Whitespace is drawn from a list rather than from its regex, which halves the time.
    """
    whitespace = st.sampled_from([" ", "\t", "  "])
    return st.deferred(lambda: from_lark(module._parser(), explicit={"WHITESPACE": whitespace}))


# from_lark is slow here (about 70 ms per example, in Hypothesis itself), so the test that uses
# it runs 60 examples; the heavier properties use expressions() below.
# Generating from the grammar is slow: 60 examples under the ci profile, fewer in a quick run.
GRAMMAR_SETTINGS = settings(
    max_examples=min(60, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

FUNCTIONS_OF_ONE = ["exp", "sqrt", "abs", "floor", "ceil", "round"]


def expressions(max_leaves: int = 16) -> st.SearchStrategy[str]:
    """Valid syntax built bottom-up: any two expressions joined by an operator are one."""

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        space = st.sampled_from(["", " "])
        return st.one_of(
            st.builds(
                lambda a, op, b, s: f"{a}{s}{op}{s}{b}",
                children,
                st.sampled_from("+-*/%"),
                children,
                space,
            ),
            st.builds(lambda sign, a: sign + a, st.sampled_from("-+"), children),
            children.map(lambda a: f"({a})"),
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(FUNCTIONS_OF_ONE), children),
            st.builds(lambda a, b: f"pow({a}, {b})", children, children),
            st.builds(
                lambda f, args: f"{f}({', '.join(args)})",
                st.sampled_from(["min", "max"]),
                st.lists(children, min_size=2, max_size=4),
            ),
        )

    return st.recursive(INTERESTING_NUMBERS | st.just("retried"), extend, max_leaves=max_leaves)


RETRIED_VALUES = st.sampled_from([0, 1, 2, 3, 7, 30, 100, 1024, 10**6, 2**31, 2**53]) | st.integers(
    0, MAX_RETRIED
)


@GRAMMAR_SETTINGS
@given(grammar_expressions())
@example("max(1000, pow(2, retried) * 100)")
def test_everything_the_grammar_generates_parses(text: str) -> None:
    """Generated sentences are syntactically valid; only limits and meaning can refuse them.

    from_lark knows the syntax, not the limits (length, tokens, depth, the double range of
    literals) or the meaning (a constant part that divides by zero, overflows or is negative):
    those are the only codes allowed here.
    """
    try:
        delay = parse_retry_delay(text)
    except InvalidRetryDelay as err:
        assert err.code in LIMIT_CODES | MEANING_CODES, (text, err)
        return
    canonical = str(delay)
    again = parse_retry_delay(canonical)
    assert again == delay
    assert str(again) == canonical


@given(expressions(), st.lists(RETRIED_VALUES, min_size=1, max_size=4))
@example("1000 * (1 + retried)", [0, 1, 2])
@example("min(1e308 * retried, 5)", [2])
@example("max(0 - 1e308 * retried, 5)", [2])
@example("1 / (1e308 * 10 * retried) + retried", [1])
@example("retried * retried * retried", [2**40 + 1])
@example("-retried + retried", [3])
@example("-retried - 0", [0])
@example("round(retried)", [2**53])
@example("floor(retried) + ceil(retried)", [2**53])
@example("-abs(retried) * 1 + 0", [0])
def test_compiled_code_agrees_with_the_reference_evaluator(text: str, values: list[int]) -> None:
    """The fast path returns exactly what the reference evaluator does, or the same error."""
    try:
        delay = parse_retry_delay(text)
    except InvalidRetryDelay as err:
        assert err.code in LIMIT_CODES | MEANING_CODES, (text, err)
        return
    tree = module._parse(text)
    rc.fold(tree, text)
    compile_now(delay)
    for retried in values:
        try:
            expected: object = rc.check_result(rc.evaluate(tree, text, retried), text, retried)
        except rc.Failure as failure:
            expected = (failure.code, failure.span)
        try:
            got: object = delay.evaluate(retried)
        except InvalidRetryDelay as err:
            got = (err.code, err.span)
        assert type(got) is type(expected), (text, retried, got, expected)
        if isinstance(got, float):
            assert isinstance(expected, float)
            assert got == expected, (text, retried)
            assert math.copysign(1, got) == math.copysign(1, expected), (text, retried)
        else:
            assert got == expected, (text, retried)


def computed(source: str) -> tuple[bool, str]:
    """Whether the function converts retried first, and the expression it computes."""
    lines = [line.strip() for line in source.splitlines()]
    for line in lines:
        if "_invalid" in line or "_slow" in line or line == "return result":
            continue
        for start in ("result = ", "return "):
            if line.startswith(start):
                return "x = retried + 0.0" in lines, line.removeprefix(start)
    raise AssertionError(source)


@given(expressions(), st.lists(INTERESTING_NUMBERS, min_size=1, max_size=20))
def test_texts_with_one_skeleton_have_one_shape_but_for_the_checks(
    text: str, numbers: list[str]
) -> None:
    """The program cache's quick look (the skeleton) is sound: same code but the template."""
    other = module._NUMBER.sub(lambda match: numbers[match.start() % len(numbers)], text)
    try:
        first, second = folded(text), folded(other)
    except rc.Failure:
        return
    skeleton = module._NUMBER.sub("#", text.replace(" ", "").replace("\t", ""))
    assert skeleton == module._NUMBER.sub("#", other.replace(" ", "").replace("\t", ""))
    (source, constants), (other_source, other_constants) = rc.shape(first), rc.shape(second)
    assert computed(source) == computed(other_source)
    assert len(constants) == len(other_constants)
    # numbers() finds what tells the two functions apart, as shape() writes them.
    for tree, (written, written_constants) in (
        (first, rc.shape(first)),
        (second, rc.shape(second)),
    ):
        found, unchecked = rc.numbers(tree)
        signed = [(value, math.copysign(1, value)) for value in found]
        assert signed == [(value, math.copysign(1, value)) for value in written_constants]
        assert unchecked == ("try:" not in written)
    if rc.numbers(first)[1] == rc.numbers(second)[1]:
        assert source == other_source


@given(expressions(), st.lists(RETRIED_VALUES, min_size=1, max_size=4))
def test_bounds_hold_every_value(text: str, values: list[int]) -> None:
    """Where bounds() gives a range, the reference evaluator's values lie in it."""
    try:
        tree = folded(text)
    except rc.Failure:
        return
    range_ = rc.bounds(tree)
    if range_ is None:
        return
    for retried in values:
        value = rc.evaluate(tree, text, retried)  # no rc.Failure: every step is finite
        assert range_[0] <= value <= range_[1], (text, retried, value, range_)


@given(expressions(), st.lists(RETRIED_VALUES, min_size=1, max_size=3))
def test_canonical_form_evaluates_like_the_source(text: str, values: list[int]) -> None:
    try:
        delay = parse_retry_delay(text)
    except InvalidRetryDelay:
        return
    again = parse_retry_delay(str(delay))
    assert again == delay
    assert str(parse_retry_delay(str(again))) == str(again)
    first = outcomes(delay, values)
    second = outcomes(again, values)
    assert first == second
    for a, b in zip(first, second, strict=True):
        if isinstance(a, float) and isinstance(b, float):
            assert math.copysign(1, a) == math.copysign(1, b)


EXPRESSION_ALPHABET = st.sampled_from(list("0123456789.eE+-*/%(), \tretidpowxsqabflcnumhR^_$"))


@given(st.text(EXPRESSION_ALPHABET, max_size=40) | st.text(max_size=20))
@example("1e")
@example("pow(1,")
@example("max(,)")
@example(")(")
@example("e+1")
@example("1.e")
@example("retried..")
@example("(,)")
def test_random_text_raises_only_invalid_retry_delay(text: str) -> None:
    try:
        delay = parse_retry_delay(text)
    except InvalidRetryDelay as err:
        assert err.code in InvalidRetryDelay.CODES
        assert err.span is not None
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        return
    assert parse_retry_delay(str(delay)) == delay


class LarkCallbacks:
    """The rule handlers of the parse loop, as Lark's inline transformer calls them.

    Lark gives tokens as ``Token`` objects; the handlers take ``(kind, start, end)``.
    """

    def __init__(self) -> None:
        self.text = ""

    def __getattr__(self, alias: str) -> object:
        if alias not in module._HANDLERS:
            raise AttributeError(alias)
        handler = module._HANDLERS[alias]

        def call(children: list[object]) -> object:
            plain = [
                (child.type, child.start_pos, child.end_pos) if isinstance(child, Token) else child
                for child in children
            ]
            return handler(self.text, plain)

        return call


@functools.cache
def lark_with_callbacks() -> tuple[Lark, LarkCallbacks]:
    """Lark's own parser (LALR, contextual lexer) on the grammar, running the same handlers."""
    callbacks = LarkCallbacks()
    parser = Lark(
        grammar_text("retry_delay.lark"),
        parser="lalr",
        lexer="contextual",
        transformer=callbacks,
        maybe_placeholders=False,
    )
    return parser, callbacks


@given(st.text(EXPRESSION_ALPHABET, max_size=40) | expressions())
@example("retriedx")
@example("1 2")
@example("max(1)")
@example("1 $")
@example("5e4604%h$d- 56R")
@example("max(1, 2, 3 4)")
def test_the_parse_loop_follows_lark(text: str) -> None:
    """Our loop over Lark's tables gives what Lark's own parser gives with the same handlers.

    Lark's parser is the reference: the same grammar, tables and terminals, run by Lark. The
    same tree (its canonical form and spans) when it parses; else the same error, at the same
    place: the handlers' own (depth, a number beyond the double range), raised at the same
    reduction, or the explanation of the same syntax error.
    """
    parser, callbacks = lark_with_callbacks()
    callbacks.text = text
    try:
        tree = parser.parse(text)
    except UnexpectedInput as error:
        if isinstance(error, UnexpectedCharacters):
            expected = module._syntax_failure(text, error.pos_in_stream, None)
        else:
            assert isinstance(error, UnexpectedToken)
            kind = error.token.type
            position = len(text) if kind == "$END" else error.token.start_pos
            expected = module._syntax_failure(text, position, kind)
    except rc.Failure as failure:
        expected = failure
    else:
        assert isinstance(tree, rc.Node)
        ours = module._run(text)
        assert rc.render(ours) == rc.render(tree)
        assert (ours.span, ours.depth) == (tree.span, tree.depth)
        return
    with pytest.raises(rc.Failure) as info:
        module._run(text)
    got = info.value
    assert (got.code, got.message, got.span) == (expected.code, expected.message, expected.span)


@given(expressions(), st.data())
def test_one_character_edits_raise_only_invalid_retry_delay(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(text)))
    char = data.draw(EXPRESSION_ALPHABET | st.characters())
    for edited in (
        text[:position] + char + text[position:],
        text[:position] + text[position + 1 :],
    ):
        with contextlib.suppress(InvalidRetryDelay):
            parse_retry_delay(edited)


@given(st.floats(min_value=0, allow_nan=False, allow_infinity=False))
@example(5e-324)
@example(1e16)
@example(123456789012345680.0)
def test_numbers_are_written_exactly(value: float) -> None:
    for shortest in (False, True):
        text = rc.format_number(value, shortest=shortest)
        assert float(text) == value
        assert parse_retry_delay(text).evaluate(0) == value
    assert len(rc.format_number(value, shortest=True)) <= len(repr(value).replace("e+", "e"))


def test_canonical_form_stays_within_the_length_limit() -> None:
    text = "*".join(["retried"] * 120)
    assert len(text) <= MAX_RETRY_DELAY_LENGTH
    delay = parse_retry_delay(text)
    assert str(delay) == text  # the spaced form would be too long
    assert parse_retry_delay(str(delay)) == delay
    numbers = "+".join(["1e15"] * 120)
    delay = parse_retry_delay(numbers)
    assert len(str(delay)) <= MAX_RETRY_DELAY_LENGTH
    assert parse_retry_delay(str(delay)) == delay


@given(st.integers(0, 60), st.floats(min_value=0.01, max_value=10))
def test_default_backoff_is_capped_and_monotonic(n: int, k: float) -> None:
    assume(math.isfinite(k))
    value = default_backoff(n, k=k)
    assert timedelta(seconds=1) <= value <= timedelta(days=1)
    assert value <= default_backoff(n + 1, k=k)
    assert value.microseconds == 0


def test_the_shipped_tables_are_larks_tables_of_the_grammar() -> None:
    """``grammars/retry_delay.tables.json`` is what ``tools/gen_retry_tables.py`` writes now."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("gen", root / "tools" / "gen_retry_tables.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    shipped = json.loads((root / "grammars" / "retry_delay.tables.json").read_text("utf-8"))
    fresh = json.loads(generator.render())
    shipped.pop("lark_version")
    fresh.pop("lark_version")
    # Lark numbers the states in an order that varies from process to process (it iterates
    # over sets of strings): compare the automata with states numbered as met from the start.
    assert _numbered_from_start(shipped) == _numbered_from_start(fresh), (
        "stale: run python tools/gen_retry_tables.py"
    )
    assert module._shipped_tables() is not None


def _numbered_from_start(tables: dict[str, Any]) -> dict[str, Any]:
    """The tables with each state numbered in the order a walk from the start state meets it."""
    rows = [dict(row) for row in tables["actions"]]
    number = {tables["start"]: 0}
    order = [tables["start"]]
    for state in order:  # grows as new states are met
        for symbol in sorted(rows[state]):
            target = rows[state][symbol]
            if target >= 0 and target not in number:
                number[target] = len(order)
                order.append(target)
    assert len(order) == len(rows), "every state is reachable from the start"
    renumbered = [
        sorted((symbol, number[a] if a >= 0 else a) for symbol, a in rows[state].items())
        for state in order
    ]
    return {**tables, "actions": renumbered, "start": 0, "end": number[tables["end"]]}


def test_without_matching_tables_lark_computes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["max(1000, pow(2, retried) * 100)", "-(1 + retried) % 7", "min(1, 2"]

    def outcomes() -> list[str]:
        found = []
        for text in texts:
            try:
                found.append(rc.render(module._run(text)))
            except rc.Failure as failure:
                found.append(repr((failure.code, failure.message, failure.span)))
        return found

    shipped = outcomes()
    monkeypatch.setattr(module, "_shipped_tables", lambda: None)
    monkeypatch.setattr(module, "_MACHINE_HOLDER", {})
    assert outcomes() == shipped
    assert (
        module._MACHINE_HOLDER["machine"].actions
        == module._Machine(module.machine_tables(module._parser())).actions
    )


def _node_or_error(parse: Any, text: str) -> tuple[Any, ...]:
    try:
        node = parse(text)
    except rc.Failure as failure:  # turned into InvalidRetryDelay by parse_retry_delay
        return ("failure", failure.code, failure.message, failure.span)
    return ("node", type(node), node.number, node.span, node.value)


@given(st.text(st.sampled_from("0123456789"), min_size=1, max_size=400))
@example("0")
@example("007")
@example("9" * 309)  # beyond a double: the same error either way
@example("1" * 400)
def test_a_constant_is_read_as_the_parser_reads_it(text: str) -> None:
    assert _node_or_error(module._parse, text) == _node_or_error(module._run, text)
