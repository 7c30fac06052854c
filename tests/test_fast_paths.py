"""The decoder's fast paths agree with the straightforward checks they skip.

Each fast path (a query split that decodes only the parameters that may be QStash's, a URL
accepted in one regular-expression match, the table of common header names, long values
checked in bytes, cron fields split at commas instead of parsed with their grammar, a
request's headers decoded without a copy) is compared here with the plain implementation on
generated input.
"""

from __future__ import annotations

import random
import string
from typing import Any, Literal, NamedTuple
from urllib.parse import unquote, unquote_plus

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qstash_protocol import InvalidUrl, ProtocolError, decode_headers
from qstash_protocol._chars import ascii_lower, ascii_upper, split_items
from qstash_protocol.publish import codec, headers
from qstash_protocol.publish import request as request_module
from qstash_protocol.publish.headers import MAX_HEADER_NAME_LENGTH
from qstash_protocol.publish.request import (
    _MASK,
    QSTASH_TOKEN_PARAMETER,
    QUERY_OPTION_PREFIX,
    _decode_message,
    _decode_plain,
    _Param,
    _split_query,
)
from qstash_protocol.values import cron, flow_control, urls

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


@given(st.text())
@example("Upstash-\u212a")  # the Kelvin sign: str.lower() makes it "k"
@example("\u0130I\u017fs")  # dotted capital I and the long s: str.lower()/upper() change them
def test_ascii_case_changes_ascii_letters_alone(text: str) -> None:
    assert ascii_lower(text) == text.translate(_ASCII_LOWER)
    assert ascii_upper(text) == text.translate(_ASCII_UPPER)


class _Reference(NamedTuple):
    shown: str
    destination: str
    exact: bool
    params: list[_Param]
    token: str | None
    token_spans: list[tuple[int, int]]


def _reference_split(path: str, start: int) -> _Reference:
    """Every query parameter decoded and compared (the implementation before the fast path)."""
    mark = path.find("?", start)
    rest = path[start:]
    encoded = rest[:7].lower() == "http%3a" or rest[:8].lower() == "https%3a"
    if mark < 0:
        return _Reference(path, unquote(rest) if encoded else rest, not encoded, [], None, [])
    shown_parts: list[str] = []
    kept: list[str] = []
    params: list[_Param] = []
    token: str | None = None
    taken = False
    offset = mark + 1
    token_spans: list[tuple[int, int]] = []
    for raw in path[mark + 1 :].split("&"):
        raw_name, equals, raw_value = raw.partition("=")
        lower = unquote_plus(raw_name).translate(_ASCII_LOWER)
        shown_raw = raw
        if lower == QSTASH_TOKEN_PARAMETER:
            taken = True
            shown_raw = raw_name + equals + (_MASK if equals else "")
            token_spans.append((offset, offset + len(shown_raw)))
            if token is None:
                token = unquote_plus(raw_value)
        elif lower.startswith(QUERY_OPTION_PREFIX):
            taken = True
            value_start = offset + len(raw_name) + len(equals)
            value = unquote_plus(raw_value)
            end = value_start + len(raw_value)
            name = unquote_plus(raw_name)
            params.append(_Param(name, value, offset, value_start, end, value == raw_value))
        elif not encoded:
            kept.append(raw)
        shown_parts.append(shown_raw)
        offset += len(shown_raw) + 1
    shown = path[: mark + 1] + "&".join(shown_parts)
    if encoded:
        return _Reference(shown, unquote(path[start:mark]), False, params, token, token_spans)
    if not taken:
        return _Reference(shown, rest, True, params, token, token_spans)
    text = path[start:mark] + ("?" + "&".join(kept) if kept else "")
    exact = shown[start : start + len(text)] == text
    return _Reference(shown, text, exact, params, token, token_spans)


_QUERY_PIECES = st.sampled_from(
    [*"aqsuU=&%+?_-tkenPSTAHQ", "%75", "%55", "%2d", "%2D", "%5f", "%71", "%", "upstash-",
     "Upstash-Delay=", "qstash_token", "QSTASH_TOKEN=", "%E9", "\u212a"]
)  # fmt: skip


@settings(max_examples=3000)  # cheap: a few microseconds an example
@given(
    st.sampled_from(
        [
            *("/v2/publish/", "/v2/publish/https%3A//x.io", "/v2/publish/https://e.io/"),
            *("/v2/publish/HTTP%3a%2F%2Fx.io", "/v2/publish/http%3A", "/v2/publish/htt%25p%3A"),
        ]
    ),
    st.lists(_QUERY_PIECES, max_size=16).map("".join),
)
@example("/v2/publish/", "?%55PSTASH-Delay=1s&a=1")
@example("/v2/publish/", "?a&%51stash%5Ftoken=t&Upstash-Retries=2&&")
@example("/v2/publish/https%3A//x.io", "?a=1&upstash-retries=1")
def test_query_split_agrees_with_decoding_every_parameter(prefix: str, tail: str) -> None:
    path = prefix + tail
    got = _split_query(path, len("/v2/publish/"))
    expected = _reference_split(path, len("/v2/publish/"))
    assert (got.shown, got.destination, got.exact, got.params, got.token) == expected[:5]
    assert [error.span for error in got.errors] == expected.token_spans[1:]


def test_a_long_query_without_qstash_parameters_is_kept_as_it_is() -> None:
    path = "/v2/publish/https://example.com?" + "a=1&" * 50_000 + "b=%41"
    query = _split_query(path, len("/v2/publish/"))
    assert (query.shown, query.destination, query.params, query.token) == (
        path,
        path[len("/v2/publish/") :],
        [],
        None,
    )


def _full_url_checks(text: str) -> bool:
    """Whether ``_check_url`` accepts ``text`` with its fast path turned off."""
    saved = urls._PLAIN_URL
    urls._PLAIN_URL = _NEVER  # type: ignore[misc]
    try:
        urls._check_url(text, "URL")
    except InvalidUrl:
        return False
    finally:
        urls._PLAIN_URL = saved  # type: ignore[misc]
    return True


class _Never:
    def fullmatch(self, text: str) -> None:
        return None


_NEVER = _Never()
_URL_PIECES = st.sampled_from(
    [*"hHtTpPsS:/.-aZ09[]@%?#_~ ", "\x7f", "\xe9", "http://", "https://", ":8080", ":65536",
     ":0", ":99999", ":1"]
)  # fmt: skip


@settings(max_examples=3000)  # cheap: a few microseconds an example
@given(st.lists(_URL_PIECES, max_size=16).map("".join))
@example("https://a:0")
@example("https://a:99999")
@example("https://a:65536/x")
@example("https://a@b")
@example("https://[::1]")
@example("https://a%20b")
@example("https://a_b")
@example("https://a b")
def test_a_url_the_fast_path_accepts_passes_every_check(text: str) -> None:
    if urls._PLAIN_URL.fullmatch(text) is not None:
        assert _full_url_checks(text)


@pytest.mark.parametrize(
    "text", ["https://example.com", "http://localhost:3000/api?a=1#f", "HTTPS://A-B.c/x%20y"]
)
def test_common_urls_take_the_fast_path(text: str) -> None:
    assert urls._PLAIN_URL.fullmatch(text) is not None
    assert _full_url_checks(text)


def test_every_name_of_the_vocabulary_reads_as_the_grammar_reads_it() -> None:
    vocabulary = codec._vocabulary()
    assert len(vocabulary) > 100
    for lower, parsed in vocabulary.items():
        assert headers.parse_header_name(lower) == parsed
        assert headers.parse_header_name(lower.upper()) == parsed


def test_every_spelling_of_the_slot_table_is_read_as_the_grammar_reads_it() -> None:
    # _plan_of looks names up as they come: in lower case, as the SDKs spell them, in Go's case
    table = codec._vocabulary_slots()
    spellings = codec._vocabulary_names()
    assert {name.lower() for name in spellings} == set(codec._vocabulary())
    assert set(table) == {
        spelled for name in spellings for spelled in (name, name.lower(), name.title())
    }
    for name, slot in table.items():
        assert slot == codec._slot_of(name, headers.parse_header_name(name)), name
        codec._slot_cache.clear()
        assert codec._slot(name) == slot, name  # the way of a name not in the table
    codec._slot_cache.clear()


def _slot_by_the_grammar(name: str) -> Any:
    """What _slot gives, read the long way: with the grammar (through the decoder's reading)."""
    codec._names.clear()
    try:
        parsed = codec._meaning(name)
    except ProtocolError:
        return None
    return codec._slot_of(name, parsed)


_NAME_STARTS = [
    *("", "upstash-forward-", "Upstash-Forward-", "UPSTASH-FORWARD", "Upstash-Callback-"),
    *("upstash-callback-forward-", "Upstash-Failure-Callback-Forward-", "upstash-failure-"),
    *("Upstash-Callback-Failure-Callback-Forward-", "upstash-x-forward-"),
]
_NAME_PARTS = ["-", "x", "Api-KEY", "2", "forward", "retries", " ", "\u212a", "\u00e9", ":", "_a"]


@given(
    st.tuples(
        st.sampled_from(_NAME_STARTS), st.lists(st.sampled_from(_NAME_PARTS), max_size=5)
    ).map(lambda parts: parts[0] + "".join(parts[1]))
    | st.integers(MAX_HEADER_NAME_LENGTH - 20, MAX_HEADER_NAME_LENGTH + 2).map(
        lambda size: "Upstash-Forward-" + "x" * (size - 16)
    )
)
@example("Upstash-Forward-")  # no name to forward
@example("upstash-forward-x-api2key")
@example("Upstash-Forward-" + "x" * (MAX_HEADER_NAME_LENGTH - 15))  # one too long
@example("Upstash-Forward-X:Y")  # not a token
@example("Upstash-Callback-Forward-")
@example("upstash-failure-callback-forward-x-forward-y")
def test_a_names_slot_is_the_grammars_reading(name: str) -> None:
    # _slot reads vocabulary names and the root's forwarded headers without the grammar
    codec._slot_cache.clear()
    assert codec._slot(name) == _slot_by_the_grammar(name)
    codec._slot_cache.clear()
    codec._names.clear()


def _items_char_by_char(text: str) -> list[tuple[int, int, int, int]]:
    """split_items as the grammar says it: each comma ends an item, OWS around it is dropped."""
    items = []
    raw_start = 0
    while True:
        comma = text.find(",", raw_start)
        raw_end = len(text) if comma < 0 else comma
        start, end = raw_start, raw_end
        while start < end and text[start] in " \t":
            start += 1
        while end > start and text[end - 1] in " \t":
            end -= 1
        items.append((raw_start, raw_end, start, end))
        if comma < 0:
            return items
        raw_start = comma + 1


@given(st.text(alphabet=" \t,ab=\n\xa0\u3000", max_size=30))
@example(" ,\t")
@example("a, b ,c")
def test_split_items_is_the_char_by_char_reading(text: str) -> None:
    assert [tuple(item) for item in split_items(text)] == _items_char_by_char(text)


def _read_with(read: Any, name: str) -> Any:
    try:
        return read(name)
    except ProtocolError as error:
        return error.code


@given(
    st.one_of(
        st.sampled_from(sorted(codec._vocabulary())),
        st.text(alphabet="upstash-ForwadCbkilrtyK\u212a \t", max_size=40),
    ),
    st.randoms(use_true_random=False),
)
def test_the_decoders_cached_reading_of_a_name_is_the_grammars(
    lower: str, rnd: random.Random
) -> None:
    # any case, and now and then the Kelvin sign, whose lower case is an ASCII k
    name = "".join(
        "\u212a" if c == "k" and rnd.random() < 0.3 else c.upper() if rnd.random() < 0.5 else c
        for c in lower
    )
    expected = _read_with(headers.parse_header_name, name)
    codec._names.clear()
    assert _read_with(codec._meaning, name) == expected  # from the vocabulary or the grammar
    assert _read_with(codec._meaning, name) == expected  # from the cache
    codec._names.clear()


@pytest.mark.parametrize("name", ["upstash-callbac\u212a", "Upstash-Flow-Control-\u212aey"])
def test_a_name_whose_lower_case_is_in_the_vocabulary_is_still_read_by_the_grammar(
    name: str,
) -> None:
    codec._names.clear()
    assert _read_with(codec._meaning, name) == "header.invalid_name"
    assert _read_with(headers.parse_header_name, name) == "header.invalid_name"


@given(st.sampled_from(sorted(codec._vocabulary())), st.randoms(use_true_random=False))
def test_a_vocabulary_name_in_any_case_decodes_as_without_the_table(
    lower: str, rnd: random.Random
) -> None:
    name = "".join(c.upper() if rnd.random() < 0.5 else c for c in lower)
    value = "https://cb.example.com" if lower.endswith("callback") else "1"
    given_headers = [(name, value)]
    codec._names.clear()
    expected = _decoded(given_headers)
    codec._names.clear()
    saved = codec._VOCABULARY
    codec._VOCABULARY = {"-": None}  # type: ignore[misc]  # a table that knows no name
    try:
        got = _decoded(given_headers)
    finally:
        codec._VOCABULARY = saved  # type: ignore[misc]
        codec._names.clear()
    assert got == expected


def _decoded(given_headers: list[tuple[str, str]]) -> str:
    try:
        return repr(decode_headers(given_headers))
    except ProtocolError as error:
        return repr(error)


@pytest.mark.parametrize("size", [63, 64, 65, 4096, 100_000])
@pytest.mark.parametrize("char", ["\x00", "\r", "\x1f", "\x7f", "\t", "é", "\U0001f600", "\ud800"])
def test_long_values_are_checked_as_short_ones(size: int, char: str) -> None:
    for position in (0, size // 2, size - 1):
        value = "v" * position + char + "v" * (size - position - 1)
        expected = headers.FORBIDDEN_IN_VALUE.search(value) is not None
        assert headers.has_forbidden_character(value) is expected


def test_every_forbidden_character_is_unprintable() -> None:
    """``str.isprintable`` is the first filter: a printable value holds no forbidden character."""
    import sys

    forbidden = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if headers.FORBIDDEN_IN_VALUE.fullmatch(chr(code))
    ]
    assert len(forbidden) == 32
    assert not any(char.isprintable() for char in forbidden)


@pytest.mark.parametrize("value", ["a\tb", "\xa0x", "\u2028", "é\x85", "x\x7f", "\x00"])
def test_short_unprintable_values_take_the_full_check(value: str) -> None:
    expected = headers.FORBIDDEN_IN_VALUE.search(value) is not None
    assert headers.has_forbidden_character(value) is expected
    given_headers = [("Upstash-Forward-X", value)]
    if expected:
        with pytest.raises(ProtocolError):
            decode_headers(given_headers)
    else:
        assert decode_headers(given_headers).forward["X"] == value.strip(" \t")


_CRON_FIELD_CHARS = st.sampled_from([",", "-", "/", "*", "?", "1", "5", "a", "MON", " ", "\u0130"])


@settings(max_examples=2000)
@given(st.lists(_CRON_FIELD_CHARS, max_size=12).map("".join) | st.text(max_size=12))
@example("")
@example(",")
@example("1,,2")
@example(",5,")
@example("*-5/2,-/")
def test_cron_fields_split_at_commas_as_the_grammar_reads_them(field: str) -> None:
    assert cron._field_items(field) == cron._grammar_items(field)


@given(st.text(st.sampled_from([" ", "\t", "\xa0", "\u2028", "\x1c", "*", "5", "\u0130"])))
@example("  * 5  ")
def test_cron_fields_are_gos_strings_fields(text: str) -> None:
    for start in range(min(len(text), 3) + 1):
        assert cron._go_fields(text, start) == cron._go_fields_by_char(text, start)


def test_every_go_space_but_space_is_unprintable() -> None:
    """_go_fields splits a printable expression at " " alone."""
    assert [c for c in cron._GO_SPACE if c.isprintable()] == [" "]


def test_the_flow_control_whitespace_pattern_is_str_isspace() -> None:
    space = flow_control._SPACE
    assert [c for c in map(chr, range(0x110000)) if bool(space.match(c)) != c.isspace()] == []


def test_every_whitespace_character_but_space_is_unprintable() -> None:
    """The flow-control item check searches only items that are unprintable or hold a space."""
    every = map(chr, range(0x110000))
    assert [c for c in every if c.isspace() and c.isprintable() and c != " "] == []


_HEADER_NAMES = st.sampled_from(
    [
        "Upstash-Cron",
        "upstash-cron",
        "UPSTASH-DELAY",
        "Upstash-Not-Before",
        "Upstash-Queue-Name",
        "Upstash-Schedule-Id",
        "Upstash-Flow-Control-Key",
        "Upstash-Flow-Control-Value",
        "Upstash-Retries",
        "Upstash-Callback",
        "Upstash-Callback-Retries",
        "Upstash-Forward-X-A",
        "Upstash-Retry",
        "Upstash-Workflow-RunId",
        "Content-Type",
        "Authorization",
        "bad name",
    ]
)
_HEADER_VALUES = st.sampled_from(
    ["0 * * * *", "5s", "1", "q", "k", "rate=1", "https://a.io", "x\ny", " 3 ", "", "-1"]
)


def _maybe_bytes(text: str, as_bytes: bool) -> str | bytes:
    return text.encode("latin-1") if as_bytes else text


@settings(max_examples=1000)
@given(
    st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES, st.booleans()), max_size=8),
    st.sampled_from(["publish", "enqueue", "schedule"]),
    st.sampled_from([1, 2]),
    st.sampled_from(["keep", "error"]),
    st.booleans(),
)
def test_a_request_without_query_options_decodes_as_the_general_path_decodes_it(
    sent: list[tuple[str, str, bool]],
    kind: str,
    api_version: int,
    unknown: Literal["keep", "error"],
    as_dict: bool,
) -> None:
    given_pairs = [(_maybe_bytes(n, b), _maybe_bytes(v, b)) for n, v, b in sent]
    given: dict[Any, Any] | list[Any] = dict(given_pairs) if as_dict else given_pairs
    items = list(given.items()) if isinstance(given, dict) else given
    pairs = [(headers.header_text(n, "names"), headers.header_text(v, "values")) for n, v in items]
    general = _decode_message(
        kind, api_version, pairs, [], unknown=unknown, limits=None, content_length=None
    )
    fields, errors, warnings, has_cron = general
    assert all(param is None for _, param, _ in errors + warnings)  # headers only: no parameter
    expected = (
        fields,
        [(index, error) for index, _, error in errors],
        [(index, finding) for index, _, finding in warnings],
        has_cron,
    )
    codec._plan_cache.clear()  # the names read one by one, then by their plan, if they have one
    assert _decode_plain(kind, api_version, given, unknown) == expected
    assert _decode_plain(kind, api_version, given, unknown) == expected


#: Header names, and values that decode (the first) or may not (the rest).
_PLANNED: dict[str, list[str]] = {
    "Upstash-Retries": ["1", " 2 ", "-1", "x"],
    "Upstash-Delay": ["5s", "1", "1m"],
    "Upstash-Not-Before": ["1700000000", "x"],
    "Upstash-Flow-Control-Key": ["k", "k k", ""],
    "Upstash-Flow-Control-Value": ["rate=1", "parallelism=2", "rate=x"],
    "Upstash-Label": ["a", "a,a", "a,b"],
    "Upstash-Deduplication-Id": ["d", "d:1"],
    "Upstash-Content-Based-Deduplication": ["true", "false", "x"],
    "Upstash-Callback": ["https://a.io", "https://b.io/p", "x"],
    "Upstash-Callback-Retries": ["1", "x"],
    "Upstash-Callback-Forward-X-A": ["1", "\tx"],
    "Upstash-Callback-Failure-Callback": ["https://c.io", "ftp://c"],
    "Upstash-Callback-Callback-Timeout": ["30", "x"],
    "Upstash-Failure-Callback": ["https://d.io", ""],
    "Upstash-Failure-Callback-Retries": ["3", "x"],
    "Upstash-Failure-Callback-Workflow-Init": ["true", "x\x00"],
    "Upstash-Forward-X-A": ["1", " 2", "x\x00"],
    "upstash-forward-x-a": ["3", "1000000"],
    "Upstash-Workflow-RunId": ["wfr_1", "\u2028"],
    "Upstash-Retry": ["1"],
    "Content-Type": ["application/json", "not a type", "text/plain"],
    "Authorization": ["Bearer t", "\x01"],
}


@settings(max_examples=1500)
@given(
    st.lists(st.sampled_from(sorted(_PLANNED)), max_size=6),
    st.data(),
    st.sampled_from(["keep", "error"]),
    st.booleans(),
)
def test_a_planned_request_decodes_as_the_general_way_decodes_it(
    names: list[str], data: st.DataObject, unknown: Literal["keep", "error"], as_dict: bool
) -> None:
    """A plan is made from one request's names (values that decode), used for other values."""

    def request(values: list[str]) -> dict[str, str] | list[tuple[str, str]]:
        pairs = list(zip(names, values, strict=True))
        return dict(pairs) if as_dict else pairs

    first = request([_PLANNED[name][0] for name in names])
    second = request([data.draw(st.sampled_from(_PLANNED[name])) for name in names])
    general = _decoded_the_general_way(second, unknown)
    codec._plan_cache.clear()
    assert codec.decode_fields(second, unknown) == general  # names seen for the first time
    codec._plan_cache.clear()
    codec.decode_fields(first, unknown)  # the plan of these names, when they have one
    assert codec.decode_fields(second, unknown) == general
    codec._plan_cache.clear()


@pytest.mark.parametrize("scoped", [0, 1, 16, 31, 32])
@pytest.mark.parametrize("before", [30, 31, 32])
def test_a_plan_compares_as_many_unknown_headers_as_the_general_way(
    scoped: int, before: int
) -> None:
    """Only the first MAX_SLIP_CHECKS unknown headers (a callback scope's too) may be slips."""
    scoped = min(scoped, before)
    names = [f"Upstash-Callback-X-{i}" for i in range(scoped)]
    names += [f"Upstash-X-{i}" for i in range(before - scoped)]
    headers = [(name, "v") for name in [*names, "Upstash-Labels"]]
    general = _decoded_the_general_way(headers, "keep")
    slip = [f for _, f in general[2] if f.code == "header.misspelled"]
    assert len(slip) == (before < codec.MAX_SLIP_CHECKS)
    codec._plan_cache.clear()
    assert codec.decode_fields(headers, "keep") == general  # first sighting
    assert codec.decode_fields(headers, "keep") == general  # by its plan, if it has one


def _decoded_the_general_way(
    headers: dict[str, str] | list[tuple[str, str]], unknown: Literal["keep", "error"]
) -> Any:
    """decode_fields without a plan: the names are marked as having none."""
    codec._plan_cache.clear()
    names = tuple(headers) if isinstance(headers, dict) else tuple(n for n, _ in headers)
    codec._plan_cache[names] = codec._UNPLANNED
    try:
        return codec.decode_fields(headers, unknown)
    finally:
        codec._plan_cache.clear()


def test_requests_of_sdk_shapes_are_planned() -> None:
    """The workflow SDKs' requests, callback scopes without a URL included, take their plan."""
    headers = [
        ("Content-Type", "application/json"),
        ("Upstash-Workflow-RunId", "wfr_1"),
        ("Upstash-Retries", "3"),
        ("Upstash-Failure-Callback-Retries", "3"),
        ("Upstash-Failure-Callback-Forward-Upstash-Workflow-Is-Failure", "true"),
        ("Upstash-Callback", "https://a.io/cb"),
        ("Upstash-Forward-X-A", "1"),
    ]
    expected = _decoded_the_general_way(headers, "keep")
    assert codec.decode_fields(headers, "keep") == expected  # the plan is made at once
    plan = codec._plan_cache[tuple(name for name, _ in headers)]
    assert isinstance(plan, codec._Plan)
    assert codec.decode_fields(headers, "keep") == expected
    assert [finding.code for _, finding in expected[2]] == ["header.callback_without_url"]
    codec._plan_cache.clear()


def test_names_that_give_a_finding_have_no_plan() -> None:
    for sent in (
        [("Upstash-Retries", "1"), ("upstash-retries", "2")],
        [("Upstash-Retry", "1")],
        [("Content-Type", "a/b"), ("content-type", "c/d")],
        [("Upstash-Callback", "https://a.io"), ("Upstash-Callback", "https://b.io")],
        [("bad name", "1")],
    ):
        codec._plan_cache.clear()
        expected = _decoded_the_general_way(sent, "keep")
        assert codec.decode_fields(sent, "keep") == expected
        assert codec._plan_cache[tuple(name for name, _ in sent)] is codec._UNPLANNED
    codec._plan_cache.clear()


def test_the_encoder_identity_caches_write_what_str_writes() -> None:
    """Flow control and redact texts, and bare callbacks, are remembered by identity."""
    from qstash_protocol import Callback, MessageOptions, encode_headers

    codec._formatted_objects.clear()
    codec._bare_callbacks.clear()
    bare = Callback(url="https://a.io")
    busy = Callback(url="https://a.io", retries=2)
    for _ in range(2):  # the second time from the caches
        options = MessageOptions(
            flow_control={"key": "k", "value": "rate=5,period=1m"},
            redact="body,header",
            callback=bare,
            failure_callback=busy,
        )
        out = encode_headers(options)
        assert out["Upstash-Flow-Control-Value"] == str(options.flow_control.value)  # type: ignore[union-attr]
        assert out["Upstash-Redact-Fields"] == str(options.redact)
        assert out["Upstash-Failure-Callback-Retries"] == "2"
        assert "Upstash-Callback-Retries" not in out
    assert codec._bare_callbacks == {id(bare): bare}


@pytest.mark.parametrize(
    "path",
    [
        "/v2/publish/https://example.com/a?x=1",
        "/v2/publish/https%3A%2F%2Fexample.com%2Fa",
        "/v2/enqueue/q1/https://example.com",
        "/v2/schedules/https://example.com",
        "/v1/publish/https://example.com",
        "/v2/publish/group-1",
        "/v2/publish/https://example.com?qstash_token=t",
        "/v2/publish/https://example.com?upstash-retries=1",
        "/v1/publish/api/llm",
        "/v2/enqueue//https://example.com",
    ],
)
@pytest.mark.parametrize("headers", [{}, {"Upstash-Cron": "* * * * *"}, {"Upstash-Delay": "x"}])
def test_a_path_read_before_reads_as_the_first_time(path: str, headers: dict[str, str]) -> None:
    request_module._path_cache.clear()
    first = request_module.request_with_findings(path, headers)
    assert request_module.request_with_findings(path, headers) == first
    request_module._path_cache.clear()


def test_pairs_that_are_iterators_are_read_once_by_the_general_way() -> None:
    pairs = [("Upstash-Retries", "3"), ("Upstash-Cron", "* * * * *")]
    expected = request_module.request_with_findings("/v2/publish/g", pairs)
    given = [iter(pair) for pair in pairs]
    assert request_module.request_with_findings("/v2/publish/g", given) == expected
    assert (
        request_module._decode_plain("publish", 2, [iter(pair) for pair in pairs], "keep") is None
    )
