import pickle

import pytest

import qstash_protocol
from qstash_protocol import InvalidDuration, ProtocolError


def make(**kwargs: object) -> InvalidDuration:
    fields: dict[str, object] = {
        "code": "duration.missing_unit",
        "value": "30",
        "span": (0, 2),
    }
    fields.update(kwargs)
    return InvalidDuration("missing unit after '30', e.g. '30s'", **fields)  # type: ignore[arg-type]


def test_is_a_value_error_with_fields() -> None:
    err = make(header="Upstash-Delay")
    assert isinstance(err, ValueError)
    assert isinstance(err, ProtocolError)
    assert (err.code, err.value, err.span, err.header) == (
        "duration.missing_unit",
        "30",
        (0, 2),
        "Upstash-Delay",
    )


def test_str_draws_caret_under_span() -> None:
    assert str(make()) == "missing unit after '30', e.g. '30s'\n  30\n  ^^"
    assert str(make(header="Upstash-Delay")).startswith("Upstash-Delay: missing unit")


def test_caret_for_empty_span_at_end() -> None:
    err = InvalidDuration("m", code="duration.empty", value="", span=(0, 0))
    assert str(err) == "m\n  \n  ^"


def test_control_characters_are_escaped_and_caret_stays_aligned() -> None:
    err = InvalidDuration("m", code="duration.unknown_unit", value="5\x00s", span=(1, 3))
    assert str(err) == "m\n  5\\x00s\n   ^^^^^"


def test_wide_characters_take_two_columns() -> None:
    err = InvalidDuration("m", code="duration.unknown_unit", value="1日s", span=(2, 3))
    assert str(err) == "m\n  1日s\n     ^"


def test_long_values_are_windowed_around_the_span() -> None:
    value = "1s" * 100 + "X" + "1s" * 100
    err = InvalidDuration("m", code="duration.unknown_unit", value=value, span=(200, 201))
    _, line, carets = str(err).split("\n")
    assert line.startswith("  ...") and line.endswith("...")
    assert len(line) < 90
    assert line[carets.index("^")] == "X"
    assert carets.count("^") == 1


def test_without_value_or_span() -> None:
    assert str(InvalidDuration("m", code="duration.negative")) == "m"
    err = InvalidDuration("m", code="duration.negative", value="-1 day")
    assert str(err) == "m\n  -1 day"


def test_pickle_round_trip_and_equality() -> None:
    err = make(header="Upstash-Timeout")
    clone = pickle.loads(pickle.dumps(err))
    assert clone == err
    assert type(clone) is InvalidDuration
    assert str(clone) == str(err)
    assert hash(clone) == hash(err)
    assert clone != make(span=(1, 2))


def test_with_header_and_shifted_copy() -> None:
    err = make()
    named = err.with_header("Upstash-Delay")
    assert named.header == "Upstash-Delay" and err.header is None
    moved = err.shifted(7, "period=30")
    assert moved.span == (7, 9) and moved.value == "period=30"


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match="no error code"):
        InvalidDuration("m", code="duration.nope")


def test_span_outside_value_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match="outside"):
        InvalidDuration("m", code="duration.empty", value="ab", span=(1, 3))


def test_to_dict() -> None:
    assert make(header="H").to_dict() == {
        "code": "duration.missing_unit",
        "message": "missing unit after '30', e.g. '30s'",
        "header": "H",
        "value": "30",
        "span": [0, 2],
    }


def test_every_error_class_is_exported_and_codes_are_namespaced() -> None:
    classes = [
        obj
        for obj in vars(qstash_protocol).values()
        if isinstance(obj, type) and issubclass(obj, ProtocolError)
    ]
    assert InvalidDuration in classes
    for cls in classes:
        if cls is ProtocolError:
            continue
        prefixes = {code.split(".", 1)[0] for code in cls.CODES}
        if cls is qstash_protocol.Finding:
            # Warnings are about many concepts, each in the concept's namespace; no warning code
            # is also an error code (but the Content-Type check validate_content_type raises).
            errors = {code for other in classes if other is not cls for code in other.CODES}
            assert set(cls.CODES) & errors == {"header.invalid_content_type"}
            continue
        assert len(prefixes) == 1, (cls, prefixes)
        assert all(description for description in cls.CODES.values())
