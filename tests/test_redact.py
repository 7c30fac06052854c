import copy
import dataclasses
import hashlib
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_REDACT_FIELDS_LENGTH,
    InvalidRedactFields,
    RedactFields,
    canonical_header_name,
    parse_redact_fields,
    redact_value,
)

ANY_CHAR = st.characters(exclude_categories=())

VALID = [
    # What the Python and JS SDKs send for publish and schedules
    ("body", RedactFields(body=True)),
    ("header", RedactFields(all_headers=True)),
    (
        "header[Authorization],header[X-Api-Key]",
        RedactFields(headers=("Authorization", "X-Api-Key")),
    ),
    ("body,header", RedactFields(body=True, all_headers=True)),
    ("body,header[Authorization]", RedactFields(body=True, headers=("Authorization",))),
    # documented spellings
    ("headers", RedactFields(all_headers=True)),
    ("body, header[Authorization]", RedactFields(body=True, headers=("Authorization",))),
    ("body, headers", RedactFields(body=True, all_headers=True)),
    ("headers[Authorization]", RedactFields(headers=("Authorization",))),
    # case, duplicates, order
    ("Body,HEADER", RedactFields(body=True, all_headers=True)),
    ("HEADER[authorization]", RedactFields(headers=("Authorization",))),
    ("header[a],header[A]", RedactFields(headers=("A",))),
    ("header, header[Authorization]", RedactFields(all_headers=True)),
    ("body,body", RedactFields(body=True)),
    ("\theader[X-B] ,  header[X-A]", RedactFields(headers=("X-A", "X-B"))),
    ("header[*]", RedactFields(headers=("*",))),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid(text: str, expected: RedactFields) -> None:
    assert parse_redact_fields(text) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("body, headers", "body,header"),
        (
            "header[x-api-key], header[authorization], body",
            "body,header[Authorization],header[X-Api-Key]",
        ),
        ("HEADERS[WWW-AUTHENTICATE]", "header[Www-Authenticate]"),
        ("header[x_api_key]", "header[X_api_key]"),
        ("header[Authorization],headers", "header"),
    ],
)
def test_canonical_form(text: str, canonical: str) -> None:
    assert str(parse_redact_fields(text)) == canonical


INVALID = [
    ("", "redact.empty", (0, 0)),
    (" ", "redact.empty", (0, 1)),
    ("body,,header", "redact.empty_item", (5, 5)),
    ("body, ,header", "redact.empty_item", (5, 6)),
    ("body,", "redact.empty_item", (5, 5)),
    (",body", "redact.empty_item", (0, 0)),
    ("bodyy", "redact.unknown_field", (0, 5)),
    ("body, all", "redact.unknown_field", (6, 9)),
    ("body\nheader", "redact.unknown_field", (0, 11)),
    ("header[Authorization", "redact.unclosed_bracket", (6, 20)),
    ("headers[", "redact.unclosed_bracket", (7, 8)),
    ("header[A]]", "redact.invalid_header_name", (8, 9)),
    ("header[]", "redact.invalid_header_name", (6, 8)),
    ("header[ Authorization]", "redact.invalid_header_name", (7, 8)),
    ("header[Auth\u00f6rization]", "redact.invalid_header_name", (11, 12)),
    ("header[a[b]", "redact.invalid_header_name", (8, 9)),
    ("b" * (MAX_REDACT_FIELDS_LENGTH + 1), "redact.too_long", (4096, 4097)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidRedactFields) as info:
        parse_redact_fields(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_unknown_field_hints() -> None:
    with pytest.raises(InvalidRedactFields, match=r"did you mean 'header\[Authorization\]'"):
        parse_redact_fields("Authorization")
    with pytest.raises(InvalidRedactFields, match="did you mean 'header', all headers"):
        parse_redact_fields("all")


def test_value_object() -> None:
    fields = parse_redact_fields("body,header[Authorization]")
    assert hash(fields) == hash(RedactFields(body=True, headers=("authorization",)))
    assert pickle.loads(pickle.dumps(fields)) == fields
    with pytest.raises(dataclasses.FrozenInstanceError):
        fields.body = False  # type: ignore[misc]


def test_construction_normalises_headers() -> None:
    fields = RedactFields(headers=["x-b", "X-A", "x-a"])  # type: ignore[arg-type]
    assert fields.headers == ("X-A", "X-B")
    assert RedactFields(all_headers=True, headers=("X-A",)).headers == ()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "redact.empty"),
        ({"body": False, "headers": ()}, "redact.empty"),
        ({"headers": ("",)}, "redact.invalid_header_name"),
        ({"headers": ("X Y",)}, "redact.invalid_header_name"),
    ],
)
def test_constructing_an_invalid_value_raises(fields: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidRedactFields) as info:
        RedactFields(**fields)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize(
    "fields", [{"body": 1}, {"all_headers": "yes"}, {"headers": "Authorization"}, {"headers": (1,)}]
)
def test_constructing_with_wrong_types_is_a_type_error(fields: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        RedactFields(**fields)  # type: ignore[arg-type]


def test_redact_value_matches_the_dashboard_screenshots() -> None:
    # the screenshots on https://upstash.com/docs/qstash/howto/redact-fields
    assert redact_value("Bearer my-token") == (
        "REDACTED:89561152c3f595f91dee15b0d8bf91457346c37c09fb804d2a9da1c5a3b481c1"
    )
    assert redact_value(b"Bearer secret").startswith(
        "REDACTED:bffde20413347b7a00e1363de3f97ca69e419dc0aea55"
    )


def test_redact_value_hashes_str_as_utf8_and_accepts_bytes_like() -> None:
    expected = "REDACTED:" + hashlib.sha256("h\u00e9".encode()).hexdigest()
    assert redact_value("h\u00e9") == expected
    assert redact_value(bytearray("h\u00e9".encode())) == expected
    assert redact_value(memoryview("h\u00e9".encode())) == expected
    assert redact_value("\ud800").startswith("REDACTED:")  # a lone surrogate never raises
    with pytest.raises(TypeError):
        redact_value(42)  # type: ignore[arg-type]


def test_canonical_header_name() -> None:
    assert canonical_header_name("content-type") == "Content-Type"
    assert canonical_header_name("X-API-KEY") == "X-Api-Key"
    assert canonical_header_name("-x") == "-X"
    assert canonical_header_name("not a name") == "not a name"


# --- apply --------------------------------------------------------------------------------


def test_apply_redacts_body_and_named_headers_case_insensitively() -> None:
    fields = parse_redact_fields("body,header[Authorization]")
    headers = {"authorization": "Bearer my-token", "Content-Type": "text/plain"}
    body, redacted = fields.apply(b"secret", headers)
    assert body == redact_value(b"secret").encode("ascii")
    assert redacted == {
        "authorization": redact_value("Bearer my-token"),
        "Content-Type": "text/plain",
    }


def test_apply_keeps_the_body_type_and_redacts_every_value_of_a_list() -> None:
    fields = parse_redact_fields("header")
    body, redacted = fields.apply("text body", {"X-T": ["1", "2"], "Y": "3"})
    assert body == "text body"
    assert redacted == {"X-T": [redact_value("1"), redact_value("2")], "Y": redact_value("3")}
    assert parse_redact_fields("body").apply("x", {})[0] == redact_value("x")


@given(
    st.booleans(),
    st.booleans(),
    st.lists(st.sampled_from(["Authorization", "X-Api-Key", "x-a"]), max_size=3),
    st.binary(),
    st.dictionaries(
        st.sampled_from(["authorization", "X-API-KEY", "X-A", "Other"]),
        st.text() | st.lists(st.text()),
    ),
)
def test_apply_never_mutates_its_input(
    body_flag: bool,
    all_flag: bool,
    names: list[str],
    body: bytes,
    headers: dict[str, str | list[str]],
) -> None:
    if not (body_flag or all_flag or names):
        return
    fields = RedactFields(body=body_flag, all_headers=all_flag, headers=tuple(names))
    before = copy.deepcopy(headers)
    new_body, redacted = fields.apply(body, headers)  # type: ignore[type-var]
    assert headers == before
    assert redacted is not headers
    for name, value in headers.items():
        out = redacted[name]
        if isinstance(value, list):
            assert out is not value
        if fields.redacts_header(name):
            expected = (
                redact_value(value) if isinstance(value, str) else [redact_value(v) for v in value]
            )
            assert out == expected
        else:
            assert out == value
    assert new_body == (redact_value(body).encode() if body_flag else body)


def test_apply_takes_pairs_like_its_siblings() -> None:
    fields = parse_redact_fields("header[Authorization]")
    pairs = [("X-A", "1"), ("authorization", "t1"), ("Authorization", "t2"), ("X-A", "2")]
    body, redacted = fields.apply("b", pairs)
    assert body == "b"
    assert redacted == [
        ("X-A", "1"),
        ("authorization", redact_value("t1")),
        ("Authorization", redact_value("t2")),
        ("X-A", "2"),
    ]
    assert redacted is not pairs
    # A generator of tuples, and lists as pairs, are pairs too.
    _, again = fields.apply("b", (pair for pair in pairs))
    assert again == redacted
    _, from_lists = fields.apply("b", [["authorization", "t1"]])  # type: ignore[list-item]
    assert from_lists == [("authorization", redact_value("t1"))]


def test_apply_takes_asgi_bytes_pairs_and_gives_bytes_back() -> None:
    fields = parse_redact_fields("body,header[X-Api-Key]")
    body, redacted = fields.apply(b"payload", [(b"x-api-key", b"k\xff"), (b"accept", b"*/*")])
    assert body == redact_value(b"payload").encode("ascii")
    assert redacted == [
        (b"x-api-key", redact_value(b"k\xff").encode("ascii")),
        (b"accept", b"*/*"),
    ]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ("Authorization: x", "mapping or \\(name, value\\) pairs, not str"),
        (b"Authorization: x", "mapping or \\(name, value\\) pairs, not bytes"),
        (42, "mapping or \\(name, value\\) pairs, not int"),
        (["Authorization: x"], "header 0 must be a \\(name, value\\) pair, not str"),
        ([("A", "1"), ("B", "2", "3")], "header 1 must be a \\(name, value\\) pair"),
        ([("A",)], "header 0 must be a \\(name, value\\) pair"),
        ([(1, "x")], "a header name must be str or bytes, not int"),
        ([("A", None)], "a header value must be str or bytes, not NoneType"),
        ({"A": None}, "a header value must be str or bytes, not NoneType"),
        ({"A": [1]}, "a header value must be str or bytes, not int"),
        ({1: "x"}, "a header name must be str or bytes, not int"),
    ],
)
def test_apply_refuses_what_is_not_headers_with_a_type_error(headers: object, message: str) -> None:
    fields = parse_redact_fields("header")
    with pytest.raises(TypeError, match=message):
        fields.apply("b", headers)  # type: ignore[call-overload]


@given(
    st.sampled_from(["body", "header", "header[Authorization]", "body,header[x-a]"]),
    st.lists(
        st.tuples(st.sampled_from(["authorization", "X-A", "x-a", "Other"]), st.text()),
        max_size=6,
    ),
)
def test_apply_to_pairs_agrees_with_apply_to_a_mapping(
    text: str, pairs: list[tuple[str, str]]
) -> None:
    fields = parse_redact_fields(text)
    _, from_pairs = fields.apply(b"", pairs)
    assert [name for name, _ in from_pairs] == [name for name, _ in pairs]
    _, from_mapping = fields.apply(b"", dict(pairs))
    assert dict(from_pairs) == from_mapping
    # The same headers as ASGI bytes: the same names hidden, the same digests, as bytes.
    as_bytes = [(n.encode("latin-1"), v.encode("utf-8", "surrogatepass")) for n, v in pairs]
    _, from_bytes = fields.apply(b"", as_bytes)
    assert from_bytes == [
        (name, out.encode("ascii") if fields.redacts_header(text_name) else value)
        for (text_name, _), (name, value), (_, out) in zip(pairs, as_bytes, from_pairs, strict=True)
    ]


# --- properties ---------------------------------------------------------------------------

TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
header_names = st.text(st.sampled_from(TCHARS), min_size=1, max_size=20)


@st.composite
def redact_fields(draw: st.DrawFn) -> RedactFields:
    body = draw(st.booleans())
    all_headers = draw(st.booleans())
    names = draw(st.lists(header_names, max_size=5, min_size=0 if body or all_headers else 1))
    return RedactFields(body=body, all_headers=all_headers, headers=tuple(names))


@given(redact_fields())
def test_round_trip(fields: RedactFields) -> None:
    """parse(str(f)) == f, and str() is a fixed point."""
    text = str(fields)
    assert parse_redact_fields(text) == fields
    assert str(parse_redact_fields(text)) == text


@given(redact_fields(), st.data())
def test_every_spelling_parses_to_the_same_value(fields: RedactFields, data: st.DataObject) -> None:
    items = []
    if fields.body:
        items.append(data.draw(st.sampled_from(["body", "BODY", "Body"])))
    if fields.all_headers:
        items.append(data.draw(st.sampled_from(["header", "headers", "Headers"])))
    for name in fields.headers:
        token = data.draw(st.sampled_from(["header", "headers", "HEADER"]))
        spelled = data.draw(st.sampled_from([name, name.lower(), name.upper()]))
        items.extend([f"{token}[{spelled}]"] * data.draw(st.integers(1, 2)))
    items = data.draw(st.permutations(items))
    separator = data.draw(st.sampled_from([",", ", ", " ,\t"]))
    assert parse_redact_fields(separator.join(items)) == fields


fragments = st.sampled_from(
    [
        *("body", "header", "headers", "[", "]", ",", " ", "Authorization", "x-a", "\u00e9", ":"),
        *("header[x-api2key]", "header[B]", "header[a_b-C]", "header[X-A]", "header[*]"),
    ]
)


@given(st.text(ANY_CHAR) | st.lists(fragments).map("".join))
def test_any_text_gives_a_value_or_our_error(text: str) -> None:
    try:
        fields = parse_redact_fields(text)
    except InvalidRedactFields as err:
        assert err.value == text
        assert err.span is not None
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        str(err)
    else:
        assert parse_redact_fields(str(fields)) == fields
        # The parser makes its value without __post_init__: it is already what construction
        # gives (canonical case, sorted, no duplicates, none with all_headers).
        constructed = RedactFields(fields.body, fields.all_headers, fields.headers)
        assert (constructed.headers, hash(constructed)) == (fields.headers, hash(fields))
