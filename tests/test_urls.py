import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_URL_LENGTH,
    Destination,
    InvalidName,
    InvalidUrl,
    ProtocolError,
    parse_callback_url,
    parse_destination,
)

ANY_CHAR = st.characters(exclude_categories=())

VALID_URLS = [
    "https://example.com/api",
    "https://example.com/api?x=1&y=2",  # py-url-with-query: sent unencoded
    "https://api.openai.com/v1/chat/completions",  # both SDKs, LLM calls
    "https://cb.example",  # the JS SDK, a callback
    "https://cb",  # both SDKs, schedules
    "http://localhost:3000/callback",
    "http://127.0.0.1:8080/",
    "https://[::1]/",
    "https://[2001:db8::1]:443/x",
    "HTTP://EXAMPLE.COM",
    "https://user:pass@example.com/",
    "https://example.com:/",
    "https://example.com#fragment",
    "https://example.com?q",
    "https://ex%41mple.com/",
    "https://a-b_c~d.example/",
]


@pytest.mark.parametrize("text", VALID_URLS)
def test_valid_callback_urls_are_returned_unchanged(text: str) -> None:
    assert parse_callback_url(text) == text


@pytest.mark.parametrize("text", VALID_URLS)
def test_valid_urls_are_url_destinations(text: str) -> None:
    assert parse_destination(text) == Destination(text)
    assert parse_destination(text).kind == "url"


INVALID_URLS = [
    ("", "url.empty", (0, 0)),
    ("example.com/callback", "url.invalid_scheme", (0, 0)),
    ("localhost:3000", "url.invalid_scheme", (0, 0)),
    ("//example.com", "url.invalid_scheme", (0, 0)),
    ("ftp://example.com", "url.invalid_scheme", (0, 3)),
    ("ws://example.com", "url.invalid_scheme", (0, 2)),
    ("https:/example.com", "url.missing_host", (6, 6)),
    ("https://", "url.missing_host", (8, 8)),
    ("https:///path", "url.missing_host", (8, 8)),
    ("https://?q", "url.missing_host", (8, 8)),
    ("https://user@", "url.missing_host", (13, 13)),
    (" https://example.com", "url.invalid_character", (0, 1)),
    ("https://example.com/a b", "url.invalid_character", (21, 22)),
    ("https://example.com/\r\n", "url.invalid_character", (20, 21)),
    ("https://\u00e9xample.com", "url.invalid_character", (8, 9)),
    ("https://ex_ample\\.com", "url.invalid_host", (16, 17)),
    ("https://a%zz/", "url.invalid_host", (9, 10)),
    ("https://a%2/", "url.invalid_host", (9, 10)),
    ("https://[::1/", "url.invalid_host", (8, 12)),
    ("https://[::g]/", "url.invalid_host", (8, 13)),
    ("https://[fe80::1%25en0]/", "url.invalid_host", (8, 23)),
    ("https://[::1]a/", "url.invalid_host", (13, 14)),
    ("https://x]/", "url.invalid_host", (9, 10)),
    ("https://u[@x/", "url.invalid_host", (8, 12)),
    ("https://x:0/", "url.invalid_port", (10, 11)),
    ("https://x:65536/", "url.invalid_port", (10, 15)),
    ("https://x:-1/", "url.invalid_port", (10, 12)),
    ("https://x:+1/", "url.invalid_port", (10, 12)),
    ("https://x:1:2/", "url.invalid_port", (10, 13)),
    ("https://[::1]:99999/", "url.invalid_port", (14, 19)),
    ("https://" + "a" * (MAX_URL_LENGTH - 7), "url.too_long", (2048, 2049)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "code", "span"), INVALID_URLS)
def test_invalid_callback_urls(text: str, code: str, span: tuple[int, int]) -> None:
    with pytest.raises(InvalidUrl) as info:
        parse_callback_url(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_empty_port_is_allowed_but_a_bad_one_is_not() -> None:
    assert parse_callback_url("https://[::1]:/") == "https://[::1]:/"
    with pytest.raises(InvalidUrl, match="1 to 65535"):
        parse_callback_url("https://[::1]:0/")


def test_missing_scheme_message_is_the_servers_advice() -> None:
    with pytest.raises(InvalidUrl, match="add http:// or https://"):
        parse_callback_url("example.com")


# --- destinations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my-group", "url_group"),
        ("g", "url_group"),
        ("legacy-topic", "url_group"),
        ("example.com", "url_group"),
        ("api/llm", "api"),
        ("api/email", "api"),
    ],
)
def test_destination_kinds(text: str, kind: str) -> None:
    destination = parse_destination(text)
    assert (destination.kind, str(destination), destination.value) == (kind, text, text)


@pytest.mark.parametrize(
    ("text", "error", "code", "span"),
    [
        ("", InvalidUrl, "url.empty", (0, 0)),
        ("example.com/api", InvalidUrl, "url.invalid_scheme", (0, 0)),
        ("mailto:a@b", InvalidUrl, "url.invalid_scheme", (0, 6)),
        ("my group", InvalidName, "name.invalid_character", (2, 3)),
        ("my#group", InvalidName, "name.invalid_character", (2, 3)),
        ("..", InvalidName, "name.dot_segment", (0, 2)),
        ("api/", InvalidName, "name.empty", (4, 4)),
        ("api/a b", InvalidName, "name.invalid_character", (5, 6)),
        ("api/llm/v1", InvalidName, "name.invalid_character", (7, 8)),
        ("API/llm", InvalidUrl, "url.invalid_scheme", (0, 0)),
    ],
)
def test_invalid_destinations(
    text: str, error: type[ProtocolError], code: str, span: tuple[int, int]
) -> None:
    with pytest.raises(error) as info:
        parse_destination(text)
    assert (info.value.code, info.value.span, info.value.value) == (code, span, text)


def test_destination_value_object() -> None:
    destination = parse_destination("https://example.com/api")
    assert destination == Destination("https://example.com/api")
    assert hash(destination) == hash(Destination("https://example.com/api"))
    assert pickle.loads(pickle.dumps(destination)) == destination
    with pytest.raises(dataclasses.FrozenInstanceError):
        destination.value = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Destination("x", kind="url")  # type: ignore[call-arg]
    with pytest.raises(InvalidUrl):
        Destination("example.com/api")


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_destination(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_callback_url(b"https://x")  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------

ALPHANUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
labels = st.text(st.sampled_from(ALPHANUM + "-"), min_size=1, max_size=12)
hosts = st.one_of(
    st.lists(labels, min_size=1, max_size=4).map(".".join),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
)
paths = st.text(st.sampled_from(ALPHANUM + "/-._~%!$&'()*+,;=:@"), max_size=30)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    port = draw(st.none() | st.integers(1, 65535))
    query = draw(st.none() | paths)
    return (
        f"{scheme}://{draw(hosts)}"
        + ("" if port is None else f":{port}")
        + "/"
        + draw(paths)
        + ("" if query is None else f"?{query}")
    )


@given(urls())
def test_generated_urls_are_valid(url: str) -> None:
    assert parse_callback_url(url) == url
    destination = parse_destination(url)
    assert destination.kind == "url"
    assert parse_destination(str(destination)) == destination


group_names = st.text(st.sampled_from(ALPHANUM + "-._"), min_size=1, max_size=40).filter(
    lambda n: n not in (".", "..")
)


@given(group_names)
def test_group_names_round_trip(name: str) -> None:
    destination = parse_destination(name)
    assert destination.kind == "url_group"
    assert parse_destination(str(destination)) == destination


fragments = st.sampled_from(
    ["http", "https", "://", ":", "/", "//", "[", "]", "::1", "@", "%", "%41", "a", ".", "80",
     "?", "#", " ", "api/", "\u00e9"]
)  # fmt: skip


@given(st.text(ANY_CHAR) | st.lists(fragments).map("".join))
def test_any_text_gives_a_destination_or_our_error(text: str) -> None:
    try:
        destination = parse_destination(text)
    except (InvalidUrl, InvalidName) as err:
        assert err.value == text
        assert err.span is not None
        assert 0 <= err.span[0] <= err.span[1] <= len(text)
        str(err)
    else:
        assert str(destination) == text
        # parse_destination makes it without __init__: the same as construction's
        constructed = Destination(text)
        assert (destination.kind, hash(destination)) == (constructed.kind, hash(constructed))
    try:
        assert parse_callback_url(text) == text
    except InvalidUrl as err:
        assert err.value == text
