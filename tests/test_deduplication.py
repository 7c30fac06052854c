import hashlib
import json
import re
import struct
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_DEDUPLICATION_ID_LENGTH,
    InvalidDeduplicationId,
    content_deduplication_id,
    decode_request,
    format_content_based_deduplication,
    parse_content_based_deduplication,
    validate_deduplication_id,
)

ANY_CHAR = st.characters(exclude_categories=())

# --- Upstash-Deduplication-Id -------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["abc-123", "unique123", "a", "order/42=paid;v=2", "~!@#$%^&*()", "d" * 256]
)
def test_valid_ids_are_returned_unchanged(text: str) -> None:
    assert validate_deduplication_id(text) == text


INVALID = [
    ("", "deduplication.empty", (0, 0)),
    ("user:42", "deduplication.colon", (4, 5)),
    (":", "deduplication.colon", (0, 1)),
    ("a b", "deduplication.whitespace", (1, 2)),
    (" a", "deduplication.whitespace", (0, 1)),
    ("a\n", "deduplication.whitespace", (1, 2)),
    ("a\u2003b", "deduplication.whitespace", (1, 2)),
    ("a\x00", "deduplication.invalid_character", (1, 2)),
    ("a\x7f", "deduplication.invalid_character", (1, 2)),
    ("\u00e9t\u00e9", "deduplication.invalid_character", (0, 1)),
    ("\ud800", "deduplication.invalid_character", (0, 1)),
    ("x" * (MAX_DEDUPLICATION_ID_LENGTH + 1), "deduplication.too_long", (256, 257)),
    ("x:" * 200, "deduplication.too_long", (256, 400)),
]


@pytest.mark.parametrize(("text", "code", "span"), INVALID)
def test_invalid_ids(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidDeduplicationId) as info:
        validate_deduplication_id(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_colon_message_quotes_the_server_rule() -> None:
    with pytest.raises(InvalidDeduplicationId, match="may not contain ':'"):
        validate_deduplication_id("a:b")


ids = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=":"))


@given(ids.filter(bool).map(lambda s: s[:256]))
def test_every_visible_ascii_id_without_colon_is_valid(text: str) -> None:
    assert validate_deduplication_id(text) == text


@given(st.text(ANY_CHAR, max_size=300))
def test_any_id_text_gives_the_id_or_our_error(text: str) -> None:
    try:
        assert validate_deduplication_id(text) == text
    except InvalidDeduplicationId as err:
        assert err.value == text
        assert err.span is not None
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        str(err)


# --- Upstash-Content-Based-Deduplication --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False)],
)
def test_boolean(text: str, expected: bool) -> None:
    assert parse_content_based_deduplication(text) is expected


@pytest.mark.parametrize("text", ["", "1", "0", "t", "f", "yes", "on", " true", "true ", "truee"])
def test_boolean_refuses_other_spellings(text: str) -> None:
    with pytest.raises(InvalidDeduplicationId) as info:
        parse_content_based_deduplication(text)
    assert (info.value.code, info.value.span) == ("deduplication.invalid_boolean", (0, len(text)))


@given(st.booleans())
def test_boolean_round_trip(value: bool) -> None:
    text = format_content_based_deduplication(value)
    assert text == str(value).lower()
    assert parse_content_based_deduplication(text) is value


@given(st.text(ANY_CHAR))
def test_any_boolean_text_gives_a_bool_or_our_error(text: str) -> None:
    try:
        assert isinstance(parse_content_based_deduplication(text), bool)
    except InvalidDeduplicationId as err:
        assert err.code == "deduplication.invalid_boolean"


def test_format_boolean_takes_a_bool() -> None:
    with pytest.raises(TypeError):
        format_content_based_deduplication(1)  # type: ignore[arg-type]


# --- content_deduplication_id -------------------------------------------------------------


def reference(destination: str, body: bytes, headers: list[tuple[str, str]]) -> str:
    """The encoding as the module docstring documents it, written independently."""

    def field(data: bytes) -> bytes:
        return struct.pack(">Q", len(data)) + data

    def counts(name: str, value: str) -> bool:
        name, value = name.lower(), value.strip(" \t").lower()
        return (
            name.startswith("upstash")
            and name != "upstash-content-based-deduplication"
            and not name.startswith("upstash-telemetry-")
            and (name, value) != ("upstash-method", "post")
        )

    counted = sorted(
        (name.lower().encode(), value.strip(" \t").encode())
        for name, value in headers
        if counts(name, value)
    )
    data = field(b"qstash-content-dedup/v1") + field(destination.encode()) + field(body)
    data += struct.pack(">Q", len(counted))
    for name, value in counted:
        data += field(name) + field(value)
    return hashlib.sha256(data).hexdigest()


U = "https://example.com/api"


def test_content_id_follows_the_documented_encoding() -> None:
    headers = [("Upstash-Forward-X-A", "1"), ("Authorization", "Bearer t"), ("Upstash-Delay", "5s")]
    assert content_deduplication_id(U, b"b1", headers) == reference(U, b"b1", headers)
    assert content_deduplication_id(U, b"", {}) == reference(U, b"", [])


def test_content_id_takes_a_mapping_or_pairs() -> None:
    pairs = [("Upstash-Forward-X-A", "1"), ("Upstash-Delay", "5s")]
    assert content_deduplication_id(U, b"x", dict(pairs)) == content_deduplication_id(
        U, b"x", pairs
    )
    assert content_deduplication_id(U, bytearray(b"x"), pairs) == content_deduplication_id(
        U, b"x", iter(pairs)
    )


def test_content_id_counts_repeated_names_and_is_unambiguous() -> None:
    one = content_deduplication_id(U, b"", [("Upstash-X", "1,2")])
    two = content_deduplication_id(U, b"", [("Upstash-X", "1"), ("Upstash-X", "2")])
    assert one != two
    # Length prefixes: moving bytes between fields changes the id.
    assert content_deduplication_id("ab", b"c", {}) != content_deduplication_id("a", b"bc", {})


@pytest.mark.parametrize(
    ("destination", "body", "headers"),
    [(b"https://x", b"", {}), (U, "text", {}), (U, b"", {"A": 1}), (U, b"", "Upstash-X")],
)
def test_content_id_type_errors(destination: object, body: object, headers: object) -> None:
    with pytest.raises(TypeError):
        content_deduplication_id(destination, body, headers)  # type: ignore[arg-type]


header_names = st.text(st.sampled_from("abcXYZ-"), max_size=8)
upstash_names = header_names.map(lambda n: "Upstash-" + n)
other_names = header_names.filter(lambda n: not n.lower().startswith("upstash"))
values = st.text(max_size=10)
upstash_headers = st.lists(st.tuples(upstash_names, values), max_size=5)
other_headers = st.lists(st.tuples(other_names, values), max_size=5)


def recase(name: str, data: st.DataObject) -> str:
    return "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in name)


@given(st.text(), st.binary(), upstash_headers, other_headers, st.data())
def test_content_id_ignores_order_name_case_and_other_headers(
    destination: str,
    body: bytes,
    counted: list[tuple[str, str]],
    ignored: list[tuple[str, str]],
    data: st.DataObject,
) -> None:
    expected = content_deduplication_id(destination, body, counted)
    shuffled = data.draw(st.permutations([(recase(n, data), v) for n, v in counted] + ignored))
    assert content_deduplication_id(destination, body, shuffled) == expected
    assert expected == reference(destination, body, counted)


@given(st.text(), st.text(), st.binary(), upstash_headers)
def test_content_id_changes_with_the_destination(
    one: str, other: str, body: bytes, headers: list[tuple[str, str]]
) -> None:
    assume(one != other)
    assert content_deduplication_id(one, body, headers) != content_deduplication_id(
        other, body, headers
    )


@given(st.binary(), st.binary(), upstash_headers)
def test_content_id_changes_with_the_body(
    one: bytes, other: bytes, headers: list[tuple[str, str]]
) -> None:
    assume(one != other)
    assert content_deduplication_id(U, one, headers) != content_deduplication_id(U, other, headers)


@given(upstash_headers.filter(bool), st.data())
def test_content_id_changes_with_an_upstash_header_value(
    headers: list[tuple[str, str]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(headers) - 1))
    name, value = headers[index]
    new_value = data.draw(values.filter(lambda v: v != value))
    changed = [*headers[:index], (name, new_value), *headers[index + 1 :]]
    assert content_deduplication_id(U, b"", headers) != content_deduplication_id(U, b"", changed)


@given(st.text(ANY_CHAR), st.binary(), st.lists(st.tuples(st.text(ANY_CHAR), st.text(ANY_CHAR))))
def test_content_id_is_a_valid_deduplication_id(
    destination: str, body: bytes, headers: list[tuple[str, str]]
) -> None:
    result = content_deduplication_id(destination, body, headers)
    assert validate_deduplication_id(result) == result
    assert len(result) == 64


# --- one id for one call, whichever official SDK made it ----------------------------------

# The requests both SDKs were observed to send for the same call (tests/vectors/request.json,
# captured from qstash 3.4.0 and @upstash/qstash 2.12.0), by the call's name; and a call whose
# JS request carries telemetry, paired with the Python request for the same publish.
_SAME_CALL = [
    ("py-cbd-true", "js-cbd-true"),
    ("py-cbd-false", "js-cbd-false"),
    ("py-dedup", "js-dedup"),
    ("py-delay-zero", "js-delay-zero"),
    ("py-publish-minimal", "js-publish-minimal"),
    ("py-publish-minimal", "js-telemetry"),
    ("py-publish-json", "js-publish-json"),
    ("py-redact-body", "js-redact-body"),
    ("py-redact-header-list", "js-redact-header-list"),
    ("py-url-group", "js-url-group"),
    ("py-url-with-query", "js-url-with-query"),
    ("py-method-retries-retrydelay", "js-method-retries-retrydelay"),
]


def _observed() -> dict[str, dict[str, object]]:
    document = json.loads((Path(__file__).parent / "vectors" / "request.json").read_text())
    found: dict[str, dict[str, object]] = {}
    for case in document["cases"]:
        match = re.search(r"observed request ([\w-]+)", case["description"])
        if match:
            found.setdefault(match.group(1), case["input"])
    return found


@pytest.mark.parametrize(("python", "javascript"), _SAME_CALL)
def test_one_call_through_either_sdk_gets_one_content_id(python: str, javascript: str) -> None:
    observed = _observed()
    ids = []
    for name in (python, javascript):
        request = observed[name]
        headers = [(str(n), str(v)) for n, v in request["headers"]]  # type: ignore[attr-defined]
        decoded = decode_request(str(request["path"]), headers)
        # The SDKs add their spellings to what the call asked for: the flag as True or true,
        # telemetry, and JS's Upstash-Method: POST.
        ids.append(content_deduplication_id(str(decoded.destination), b"", headers))
    assert ids[0] == ids[1]


def test_the_sdks_requests_do_differ_in_what_the_normalisation_leaves_out() -> None:
    observed = _observed()
    python = {n.lower(): v for n, v in observed["py-cbd-true"]["headers"]}  # type: ignore[attr-defined]
    javascript = {n.lower(): v for n, v in observed["js-telemetry"]["headers"]}  # type: ignore[attr-defined]
    assert python["upstash-content-based-deduplication"] == "True"
    assert "upstash-telemetry-sdk" in javascript
    assert javascript["upstash-method"] == "POST"


def test_content_that_differs_still_gets_another_id() -> None:
    base = [("Upstash-Content-Based-Deduplication", "true")]
    one = content_deduplication_id(U, b"", base)
    assert content_deduplication_id(U, b"", [*base, ("Upstash-Method", "PUT")]) != one
    assert content_deduplication_id(U, b"", [*base, ("Upstash-Delay", "5s")]) != one
    assert content_deduplication_id(U, b"x", base) != one
    assert content_deduplication_id(U, b"", [("upstash-method", " post ")]) == one
