from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_NAME_LENGTH,
    InvalidName,
    validate_queue_name,
    validate_schedule_id,
    validate_url_group_name,
)

VALIDATORS = [validate_queue_name, validate_schedule_id, validate_url_group_name]
NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._"

names = st.text(st.sampled_from(NAME_CHARS), min_size=1, max_size=MAX_NAME_LENGTH).filter(
    lambda n: n not in (".", "..")
)


@pytest.mark.parametrize("validate", VALIDATORS)
@pytest.mark.parametrize("text", ["q1", "sch-1", "my-group", "a.b_c-D9", "...", "_", "n" * 256])
def test_valid(validate: Callable[[str], str], text: str) -> None:
    assert validate(text) == text


INVALID = [
    ("", "name.empty", (0, 0)),
    ("my queue", "name.invalid_character", (2, 3)),
    ("a/b", "name.invalid_character", (1, 2)),
    ("a:b", "name.invalid_character", (1, 2)),
    ("caf\u00e9", "name.invalid_character", (3, 4)),
    ("\u0661", "name.invalid_character", (0, 1)),
    ("a\x00", "name.invalid_character", (1, 2)),
    (".", "name.dot_segment", (0, 1)),
    ("..", "name.dot_segment", (0, 2)),
    ("n" * (MAX_NAME_LENGTH + 1), "name.too_long", (256, 257)),
]


@pytest.mark.parametrize("validate", VALIDATORS)
@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(
    validate: Callable[[str], str], text: str, code: str, span: tuple[int, int]
) -> None:
    with pytest.raises(InvalidName) as info:
        validate(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


@pytest.mark.parametrize(
    ("validate", "what"),
    [
        (validate_queue_name, "queue name"),
        (validate_schedule_id, "schedule id"),
        (validate_url_group_name, "URL-group name"),
    ],
)
def test_messages_name_the_kind_of_name(validate: Callable[[str], str], what: str) -> None:
    with pytest.raises(InvalidName, match=what):
        validate("a b")


@pytest.mark.parametrize("validate", VALIDATORS)
def test_non_str_is_a_type_error(validate: Callable[[str], str]) -> None:
    with pytest.raises(TypeError):
        validate(42)  # type: ignore[arg-type]


@given(names)
def test_every_name_is_valid_everywhere(name: str) -> None:
    for validate in VALIDATORS:
        assert validate(name) == name


@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_any_text_gives_the_name_or_our_error(text: str) -> None:
    try:
        assert validate_queue_name(text) == text
    except InvalidName as err:
        assert err.value == text
        assert err.span is not None
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        str(err)
