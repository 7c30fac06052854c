import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol.values.cron import MAX_CRON_LENGTH, InvalidCron, validate_cron

VALID = [
    ("*/5 * * * *", "*/5 * * * *"),
    ("* * * * *", "* * * * *"),
    ("0 4 * * *", "0 4 * * *"),
    ("CRON_TZ=America/New_York 0 4 * * *", "CRON_TZ=America/New_York 0 4 * * *"),
    ("  0   9 *  * MON-FRI ", "0 9 * * MON-FRI"),
    ("0\t9 * * 1-5", "0 9 * * 1-5"),
    ("0,15,30,45 * * * *", "0,15,30,45 * * * *"),
    ("0 0 1 jan,jul ?", "0 0 1 jan,jul ?"),
    ("5/10 0-23/2 ? * SUN", "5/10 0-23/2 ? * SUN"),
    ("59 23 31 12 6", "59 23 31 12 6"),
    ("CRON_TZ=UTC 0 0 * * *", "CRON_TZ=UTC 0 0 * * *"),
    ("CRON_TZ=Etc/GMT+5 0 0 * * *", "CRON_TZ=Etc/GMT+5 0 0 * * *"),
]


@pytest.mark.parametrize(("text", "canonical"), VALID)
def test_valid(text: str, canonical: str) -> None:
    assert validate_cron(text) == canonical
    assert validate_cron(canonical) == canonical


INVALID = [
    ("", "cron.empty", (0, 0)),
    ("   ", "cron.empty", (0, 3)),
    ("* * * *", "cron.field_count", (0, 7)),
    ("* * * * * *", "cron.field_count", (0, 11)),
    ("CRON_TZ=UTC", "cron.field_count", (11, 11)),
    ("60 * * * *", "cron.out_of_range", (0, 2)),
    ("0 24 * * *", "cron.out_of_range", (2, 4)),
    ("0 0 0 * *", "cron.out_of_range", (4, 5)),
    ("0 0 * 13 *", "cron.out_of_range", (6, 8)),
    ("0 0 * * 7", "cron.out_of_range", (8, 9)),
    ("0 0 * * FUN", "cron.invalid_field", (8, 11)),
    ("0 0 * JAN-FOO *", "cron.invalid_field", (10, 13)),
    ("MON * * * *", "cron.invalid_field", (0, 3)),
    ("*/0 * * * *", "cron.invalid_field", (2, 3)),
    ("1,,2 * * * *", "cron.invalid_field", (2, 2)),
    ("5-1 * * * *", "cron.invalid_field", (0, 3)),
    ("? * * * *", "cron.invalid_field", (0, 1)),
    ("1x * * * *", "cron.invalid_field", (0, 2)),
    ("@daily", "cron.unsupported", (0, 6)),
    ("@every 1h", "cron.unsupported", (0, 6)),
    ("TZ=UTC 0 0 * * *", "cron.unsupported", (0, 3)),
    ("CRON_TZ= 0 0 * * *", "cron.invalid_timezone", (8, 8)),
    ("CRON_TZ=New York 0 0 * * *", "cron.field_count", (12, 26)),
    ("CRON_TZ=Bad:Zone 0 0 * * *", "cron.invalid_timezone", (8, 16)),
    ("*" * (MAX_CRON_LENGTH + 1), "cron.too_long", (MAX_CRON_LENGTH, MAX_CRON_LENGTH + 1)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidCron) as info:
        validate_cron(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


@given(st.text(st.sampled_from(list("0123456789*/,-? \tMONJAabcCRON_TZ=@")), max_size=40))
def test_any_text_gives_a_cron_or_invalid_cron(text: str) -> None:
    try:
        canonical = validate_cron(text)
    except InvalidCron as err:
        assert err.code in InvalidCron.CODES
        str(err)
    else:
        assert validate_cron(canonical) == canonical


fields = st.tuples(
    st.sampled_from(["*", "0", "*/5", "0-30/10", "1,2,3"]),
    st.sampled_from(["*", "23", "0-12", "*/2"]),
    st.sampled_from(["*", "?", "1", "15-31"]),
    st.sampled_from(["*", "JAN", "1-6", "dec"]),
    st.sampled_from(["*", "?", "MON-FRI", "0", "6"]),
)


@given(fields, st.sampled_from(["", "CRON_TZ=Europe/Berlin "]), st.sampled_from([" ", "  ", "\t"]))
def test_canonical_form_is_a_fixed_point(
    parts: tuple[str, ...], prefix: str, separator: str
) -> None:
    canonical = validate_cron(prefix + separator.join(parts))
    assert canonical == prefix + " ".join(parts)
    assert validate_cron(canonical) == canonical
