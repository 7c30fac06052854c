import pickle

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qstash_protocol.publish.headers import (
    MAX_SCOPE_DEPTH,
    HeaderName,
    Headers,
    InvalidHeader,
    canonical_header_name,
    parse_header_name,
    validate_content_type,
    validate_header_name,
    validate_header_value,
)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("x-api-key", "X-Api-Key"),
        ("X-API-KEY", "X-Api-Key"),
        ("upstash-forward-x-a", "Upstash-Forward-X-A"),
        ("content-type", "Content-Type"),
        ("x--y", "X--Y"),
        ("-x", "-X"),
        ("x_y.z", "X_y.z"),
        ("WWW-Authenticate", "Www-Authenticate"),
        ("not a token", "not a token"),
    ],
)
def test_canonical_header_name_matches_go(name: str, canonical: str) -> None:
    assert canonical_header_name(name) == canonical


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Upstash-Retries", HeaderName((), "setting", "retries")),
        ("upstash-retry-delay", HeaderName((), "setting", "retry-delay")),
        ("UPSTASH-CALLBACK", HeaderName(("callback",), "url", "callback")),
        ("Upstash-Failure-Callback", HeaderName(("failure_callback",), "url", "failure-callback")),
        ("Upstash-Callback-Retries", HeaderName(("callback",), "setting", "retries")),
        (
            "Upstash-Callback-Failure-Callback-Retries",
            HeaderName(("callback", "failure_callback"), "setting", "retries"),
        ),
        (
            "Upstash-Callback-Failure-Callback",
            HeaderName(("callback", "failure_callback"), "url", "failure-callback"),
        ),
        ("Upstash-Forward-x-api-key", HeaderName((), "forward", "forward", "X-Api-Key")),
        (
            "Upstash-Failure-Callback-Forward-X",
            HeaderName(("failure_callback",), "forward", "forward", "X"),
        ),
        (
            "Upstash-Forward-Upstash-Retries",
            HeaderName((), "forward", "forward", "Upstash-Retries"),
        ),
        (
            "Upstash-Callback-Forward-Upstash-Workflow-Callback",
            HeaderName(("callback",), "forward", "forward", "Upstash-Workflow-Callback"),
        ),
        ("Upstash-Workflow-RunId", HeaderName((), "unknown", "workflow-runid")),
        ("Upstash-Callback-X-Plain", HeaderName(("callback",), "unknown", "x-plain")),
        ("Upstash-Callback-", HeaderName((), "unknown", "callback-")),
        ("Upstash-", HeaderName((), "unknown", "")),
    ],
)
def test_prefix_grammar(name: str, expected: HeaderName) -> None:
    assert parse_header_name(name) == expected


@pytest.mark.parametrize("name", ["Content-Type", "Authorization", "X-Upstash-Retries", "Upstash"])
def test_other_names_are_not_upstash(name: str) -> None:
    assert parse_header_name(name) is None


@pytest.mark.parametrize(
    ("name", "code", "span"),
    [
        ("Upstash-Forward-", "header.missing_forward_name", (16, 16)),
        ("Upstash-Forward", "header.missing_forward_name", (15, 15)),
        ("Upstash Retries", "header.invalid_name", (7, 8)),
        ("Upstash-Forward-X:Y", "header.invalid_name", (17, 18)),
        ("", "header.invalid_name", (0, 0)),
    ],
)
def test_invalid_names(name: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidHeader) as info:
        parse_header_name(name)
    assert (info.value.code, info.value.span) == (code, span)


def test_scope_depth_is_bounded() -> None:
    ok = "Upstash-" + "Callback-" * MAX_SCOPE_DEPTH + "Retries"
    assert len(parse_header_name(ok).scopes) == MAX_SCOPE_DEPTH  # type: ignore[union-attr]
    with pytest.raises(InvalidHeader) as info:
        parse_header_name("Upstash-" + "Callback-" * (MAX_SCOPE_DEPTH + 1) + "Retries")
    assert info.value.code == "header.too_deep"
    with pytest.raises(InvalidHeader):
        parse_header_name("Upstash-" + "Callback-" * 100_000 + "Retries")


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("a\r\nX: 1", (1, 3)),
        ("a\nb", (1, 2)),
        ("a\x00b", (1, 2)),
        ("a\x01b", (1, 2)),
        ("\x7f", (0, 1)),
    ],
)
def test_forbidden_characters_in_values(value: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidHeader) as info:
        validate_header_value(value)
    assert (info.value.code, info.value.span) == ("header.forbidden_character", span)


def test_values_keep_tabs_inside_and_lose_surrounding_whitespace() -> None:
    assert validate_header_value(" \ta\tb \t") == "a\tb"
    assert validate_header_value("é ✓") == "é ✓"


def test_validate_header_name() -> None:
    assert validate_header_name("X-A") == "X-A"


def test_content_type() -> None:
    assert validate_content_type("text/plain") == "text/plain"
    with pytest.raises(InvalidHeader) as info:
        validate_content_type("text")
    assert info.value.code == "header.invalid_content_type"


def test_headers_mapping_behaviour() -> None:
    h = Headers([("x-a", "1"), ("Cookie", "a=1"), ("X-A", "2"), ("cookie", "b=2")])
    assert dict(h) == {"X-A": "1, 2", "Cookie": "a=1; b=2"}
    assert h["x-a"] == "1, 2"
    assert "COOKIE" in h
    assert 5 not in h  # type: ignore[operator]
    assert h.get("nope") is None
    assert h.get("nope", "d") == "d"
    assert len(h) == 2
    assert h == {"x-a": "1, 2", "cookie": "a=1; b=2"}
    assert h != {"x-a": "1"}
    assert h != {"bad name": "1"}
    assert h != 3
    assert hash(h) == hash(Headers({"X-A": "1, 2", "Cookie": "a=1; b=2"}))
    assert pickle.loads(pickle.dumps(h)) == h
    assert repr(Headers({"x": "1"})) == "Headers({'X': '1'})"
    with pytest.raises(TypeError):
        Headers({"x": 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidHeader):
        Headers({"x": "a\nb"})


tokens = st.text(st.sampled_from(list("abcXYZ019-_.!#$%&'*+^`|~")), min_size=1, max_size=12)


def _go_canonical(name: str) -> str:
    """Go's canonicalMIMEHeaderKey for a valid token, byte by byte (net/textproto/reader.go)."""
    out = []
    upper = True
    for original in name:
        char = original
        if upper and "a" <= char <= "z":
            char = chr(ord(char) - 32)
        elif not upper and "A" <= char <= "Z":
            char = chr(ord(char) + 32)
        out.append(char)
        upper = char == "-"
    return "".join(out)


@given(tokens | st.text(st.sampled_from(list("aZ-")), min_size=1, max_size=12))
@example("x-api2key")  # str.title() would start a word after the digit
@example("x_y-z")
@example("unknown-523")  # str.title() serves: no letter after a digit
@example("1a-b")
@example("a.b-c")
def test_canonical_name_is_gos(name: str) -> None:
    assert canonical_header_name(name) == _go_canonical(name)


@given(tokens)
def test_canonical_name_is_idempotent_and_case_insensitive(name: str) -> None:
    canonical = canonical_header_name(name)
    assert canonical.lower() == name.lower()
    assert canonical_header_name(canonical) == canonical
    assert canonical_header_name(name.upper()) == canonical


@given(st.text(max_size=60))
def test_any_name_gives_a_meaning_none_or_invalid_header(name: str) -> None:
    try:
        parse_header_name(name)
    except InvalidHeader as err:
        assert err.code in InvalidHeader.CODES
        str(err)
