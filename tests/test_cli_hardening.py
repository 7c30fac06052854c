"""The command line never shows a traceback, reads dumps as HTTP/1.1 frames them, one JSON shape."""

import io
import json
import sys

import h11
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import InvalidHeader, __version__, decode_headers, validate_header_value
from qstash_protocol._cli import JSON_KEYS
from qstash_protocol._cli.dump import InvalidDump, read_dump
from qstash_protocol.cli import main


def run(args: list[str], stdin: bytes | str = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if isinstance(stdin, bytes):
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    else:
        sys.stdin = io.StringIO(stdin)
    try:
        status = main(args, out=out, err=err)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


@given(st.binary(max_size=300))
def test_any_bytes_give_a_status_never_a_traceback(data: bytes) -> None:
    status, out, err = run(["check", "-"], data)
    assert status in (0, 1, 2)
    assert "Traceback" not in out + err
    status, out, _ = run(["check", "--json", "-"], data)
    document = json.loads(out)
    assert tuple(document) == JSON_KEYS
    assert document["valid"] is (status == 0)


def test_a_latin1_dump_is_read_losslessly() -> None:
    status, out, _ = run(["check", "--json", "-"], b"Upstash-Forward-X-Name: caf\xe9\n")
    assert status == 0
    assert json.loads(out)["result"]["headers"] == {"Upstash-Forward-X-Name": "caf\u00e9"}


def test_bad_bytes_are_shown_escaped() -> None:
    status, out, _ = run(["check", "-"], b"Upstash-Delay: 3\x000s\n")
    assert status == 1
    assert "3\\x000s" in out


_LINE_BREAKS_THAT_ARE_NOT = ["\x85", "\u2028", "\u2029", "\x0c", "\x0b", "\x1c"]


@pytest.mark.parametrize("char", _LINE_BREAKS_THAT_ARE_NOT)
def test_only_lf_ends_a_line(char: str) -> None:
    text = f"Upstash-Forward-X: a{char}Upstash-Retries: 99\nUpstash-Delay: 5\n"
    dump = read_dump(text)
    assert dump.headers[0] == ("Upstash-Forward-X", f"a{char}Upstash-Retries: 99")
    assert dump.lines == [1, 2]  # the character does not shift the line numbers
    # The library sees the same headers as the CLI: one forwarded value, no Upstash-Retries.
    try:
        options = decode_headers(dump.headers[:1])
    except ValueError:
        return  # a control character: refused by both
    assert options.retries is None


def test_a_bare_cr_stays_in_the_value_and_is_refused() -> None:
    status, out, _ = run(["check", "-"], b"Upstash-Forward-X: a\rUpstash-Retries: 99\r\n")
    assert status == 1
    assert "header values may not contain CR" in out


def test_a_utf8_bom_is_skipped() -> None:
    dump = read_dump(b"\xef\xbb\xbfPOST /v2/publish/https://a.example HTTP/1.1\r\nA: 1\r\n")
    assert dump.path == "/v2/publish/https://a.example"
    assert read_dump("\ufeffUpstash-Retries: 1\n").headers == [("Upstash-Retries", "1")]


def test_obsolete_line_folding_is_one_space() -> None:
    assert read_dump("X-A: 1\n  2\nX-B: 3\n").headers == [("X-A", "1 2"), ("X-B", "3")]
    with pytest.raises(InvalidDump, match="no header came before"):
        read_dump(" folded\nX-A: 1\n")


@pytest.mark.parametrize("stdin", [b"", b"\n\n", b"\xef\xbb\xbf", b"  \r\n"])
def test_empty_input_is_a_usage_error(stdin: bytes) -> None:
    status, _, err = run(["check", "-"], stdin)
    assert status == 2
    assert "the input is empty" in err


def _h11_headers(data: bytes) -> list[tuple[str, str]] | None:
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(data)
    try:
        event = connection.next_event()
    except h11.RemoteProtocolError:
        return None
    assert isinstance(event, h11.Request)
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in event.headers.raw_items()]


_NAMES = st.sampled_from(["Upstash-Retries", "Upstash-Forward-X-A", "X-B", "Upstash-Delay"])
_VALUE_BYTES = st.binary(max_size=12).filter(lambda b: b"\n" not in b)


@given(st.lists(st.tuples(_NAMES, _VALUE_BYTES), min_size=1, max_size=5))
def test_the_dump_reader_frames_headers_as_h11_does(headers: list[tuple[str, bytes]]) -> None:
    data = b"POST /v2/publish/https://a.example HTTP/1.1\r\nHost: a\r\n"
    data += b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers)
    data += b"\r\n"
    expected = _h11_headers(data)
    dump = read_dump(data)
    if expected is not None:
        assert dump.headers == expected
    else:
        # h11 refuses the block (a control character, a bare CR): so does the library's
        # header value check, which the decoder applies to every QStash header.
        refused = []
        for _, value in dump.headers:
            try:
                validate_header_value(value)
            except InvalidHeader:
                refused.append(value)
        assert refused


def test_duration_takes_a_leading_minus_as_the_value() -> None:
    status, _, err = run(["duration", "-5s"])
    assert status == 1
    assert "negative durations are not allowed" in err
    assert run(["duration", "-.5s"])[0] == 1


@pytest.mark.parametrize("k", ["nan", "inf", "-inf", "-1", "0"])
def test_retry_schedule_refuses_a_bad_k(k: str) -> None:
    status, _, err = run(["retry-schedule", f"-k={k}"])
    assert status == 2
    assert "-k must be a positive finite number" in err


def test_retry_schedule_out_of_range_is_a_caret_error() -> None:
    status, _, err = run(["retry-schedule", "5e12", "--retries", "2"])
    assert status == 1
    assert "longer than the largest duration" in err
    assert "\n  5e12\n  ^^^^\n" in err
    assert run(["retry-schedule", "--retries", "100000"])[0] == 2


def test_schedule_is_a_deprecated_hidden_alias() -> None:
    status, out, err = run(["schedule", "1000", "--retries", "1"])
    assert status == 0
    assert "deprecated, use 'retry-schedule'" in err
    assert out == run(["retry-schedule", "1000", "--retries", "1"])[1]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"qstash-protocol {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--json", "-H", "Upstash-Retries: 1"],
        ["check", "--json", "-H", "Upstash-Retries: x"],
        ["check", "--json", "-H", "no colon"],
        ["check", "--json", "-"],
        ["duration", "--json", "1m"],
        ["duration", "--json", "1w"],
        ["retry-schedule", "--json", "--retries", "2"],
        ["retry-schedule", "--json", "2 ^ x"],
        ["retry-schedule", "--json", "-k", "nan"],
        ["retry-schedule", "--json", "5e12"],
    ],
)
def test_every_command_prints_one_json_shape(args: list[str]) -> None:
    status, out, err = run(args, "")
    assert out.endswith("\n")
    assert out.count("\n") == 1
    document = json.loads(out)
    assert tuple(document) == JSON_KEYS
    assert document["command"] == args[0]
    assert document["valid"] is (status == 0)
    assert (document["result"] is None) is (status != 0)
    assert bool(document["errors"]) is (status != 0)
    for error in document["errors"]:
        assert {"code", "message", "header", "value", "span"} <= set(error)
    assert err == ""


def test_ctrl_c_gives_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    class Interrupted(io.StringIO):
        def read(self, size: int | None = -1) -> str:
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", Interrupted())
    err = io.StringIO()
    assert main(["check", "-"], out=io.StringIO(), err=err) == 130
    assert err.getvalue() == "qstash-protocol: interrupted\n"
