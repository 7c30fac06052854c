import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qstash_protocol.cli import main, read_request_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        status = main(args, out=out, err=err)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def test_check_a_valid_http_dump() -> None:
    status, out, _ = run(["check", str(EXAMPLES / "publish.http")])
    assert status == 0
    assert out.startswith("valid publish request to URL https://example.com/api/orders?tenant=42")
    assert "  retry delay: max(1000, pow(2, retried) * 100)\n" in out
    assert "  Upstash-Delay: 1m30s\n" in out
    assert "    X-Alert: pager\n" in out


def test_check_curl_verbose_output() -> None:
    status, out, _ = run(["check", str(EXAMPLES / "curl-verbose.txt")])
    assert status == 0
    assert out.startswith("valid enqueue request via queue emails to URL")
    assert "  Upstash-Timeout: 30s\n" in out  # "30" (bare seconds) written canonically
    assert "content-length" not in out.lower()


def test_check_reports_every_problem_and_exits_1() -> None:
    status, out, _ = run(["check", str(EXAMPLES / "invalid.http")])
    assert status == 1
    assert out.startswith("invalid: 6 problems in the request headers:")
    assert "- Upstash-Retry-Delay: '^' is not an operator here" in out
    assert "\n    2 ^ retried * 1000\n      ^\n" in out
    # The callback setting without a callback URL is accepted by QStash: a warning, below.
    assert "\n1 warning (the service accepts this; --strict refuses it):\n" in out
    assert "- Upstash-Callback-Retries: this header configures a callback" in out


def test_check_warnings_exit_0_and_1_with_strict() -> None:
    headers = ["-H", "Upstash-Retry: 3", "-H", "Upstash-Failure-Callback-Retries: 2"]
    status, out, _ = run(["check", *headers])
    assert status == 0
    assert out.startswith("valid headers\n")
    assert "failure callback settings without its URL (ignored by QStash):\n    retries: 2\n" in out
    assert "\n2 warnings (the service accepts this; --strict refuses it):\n" in out
    assert "did you mean Upstash-Retries? [header.misspelled]\n    Upstash-Retry\n" in out
    # Nothing is lost: the canonical headers keep both.
    assert "  Upstash-Failure-Callback-Retries: 2\n  Upstash-Retry: 3\n" in out
    status, out, _ = run(["check", "--strict", *headers])
    assert status == 1
    assert "\n2 warnings (refused with --strict):\n" in out
    status, out, _ = run(["check", "--strict", "-H", "Upstash-Retries: 3"])
    assert status == 0
    assert "warning" not in out


def test_check_json_gives_findings_with_severity() -> None:
    status, out, _ = run(["check", "--json", "-H", "Upstash-Retry: 3", "-H", "Upstash-Delay: 3"])
    assert status == 1
    document = json.loads(out)
    assert [(f["severity"], f["code"]) for f in document["findings"]] == [
        ("warning", "header.misspelled"),
        ("error", "duration.missing_unit"),
    ]
    status, out, _ = run(["check", "--json", "--strict", "-H", "Upstash-Retry: 3"])
    assert status == 1
    document = json.loads(out)
    # "valid" is the verdict, as the exit status: with --strict a warning makes it false.
    assert document["valid"] is False
    assert document["findings"][0]["severity"] == "warning"
    assert [e["code"] for e in document["errors"]] == ["header.misspelled"]


def test_check_json() -> None:
    status, out, _ = run(["check", "--json", str(EXAMPLES / "publish.http")])
    assert status == 0
    document = json.loads(out)
    assert document["valid"] is True
    result = document["result"]
    assert result["path"] == "/v2/publish/https://example.com/api/orders?tenant=42"
    assert result["headers"]["Upstash-Retries"] == "3"
    assert result["options"]["delay"] == "1m30s"
    status, out, _ = run(["check", "--json", str(EXAMPLES / "invalid.http")])
    assert status == 1
    document = json.loads(out)
    assert document["valid"] is False
    assert [e["code"] for e in document["errors"]][:2] == [
        "duration.missing_unit",
        "retries.negative",
    ]
    assert document["errors"][0]["span"] == [0, 2]


def test_check_header_arguments_and_stdin() -> None:
    status, out, _ = run(["check", "-H", "Upstash-Delay: 30s", "-H", "upstash-retries:2"])
    assert status == 0
    assert out.startswith("valid headers\n")
    assert "  Upstash-Retries: 2\n" in out
    status, out, _ = run(["check", "-"], stdin="Upstash-Delay: 30\n")
    assert status == 1


def test_check_unknown_headers_can_be_refused() -> None:
    status, out, _ = run(["check", "--unknown", "error", "-H", "Upstash-Workflow-RunId: x"])
    assert status == 1
    assert "header.unknown" not in out  # the human output shows messages, not codes
    assert "unknown QStash header 'Upstash-Workflow-RunId'" in out


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["check", "-H", "no colon"], "", "-H expects 'Name: value'"),
        (["check", "-"], "Upstash-Delay 30s\n", "line 1: expected 'Name: value'"),
        (["check", "/no/such/file"], "", "No such file"),
        (["schedule", "1000", "--retries", "-1"], "", "--retries must be 0 or more"),
    ],
)
def test_usage_errors_exit_2(args: list[str], stdin: str, message: str) -> None:
    status, _, err = run(args, stdin)
    assert status == 2
    assert message in err


def test_argparse_usage_errors_exit_2() -> None:
    assert run(["nope"])[0] == 2
    assert run([])[0] == 2
    assert run(["schedule", "--retries", "x"])[0] == 2


def test_schedule_of_an_expression() -> None:
    status, out, _ = run(["schedule", "pow(2, retried) * 1000", "--retries", "4"])
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "pow(2, retried) * 1000: 4 retries"
    assert [line.split() for line in lines[2:]] == [
        ["1", "1s", "1s"],
        ["2", "2s", "3s"],
        ["3", "4s", "7s"],
        ["4", "8s", "15s"],
    ]


def test_schedule_default_backoff_matches_the_docs_table() -> None:
    status, out, _ = run(["schedule", "--retries", "6", "--json"])
    assert status == 0
    delays = [row["delay"] for row in json.loads(out)["result"]["retries"]]
    assert [int(d) for d in delays] == [12, 148, 1808, 22026, 86400, 86400]


def test_schedule_invalid_expression_exits_1() -> None:
    status, _, err = run(["schedule", "2 ^ retried"])
    assert status == 1
    assert "write a power as pow(x, y)" in err


def test_duration_command() -> None:
    assert run(["duration", "1d10h30m"]) == (0, "seconds: 124200\ncanonical: 1d10h30m\n", "")
    assert run(["duration", "1.5s"])[1] == "seconds: 1.5\ncanonical: 1s500ms\n"
    status, _, err = run(["duration", "5w"])
    assert status == 1
    assert err == (
        "invalid duration: unknown unit 'w' (did you mean '7d'?); units are d, h, m, s, ms, "
        "us (or µs) and ns, case-sensitive\n  5w\n   ^\n"
    )
    assert json.loads(run(["duration", "--json", "30", "--bare-seconds"])[1]) == {
        "command": "duration",
        "valid": True,
        "result": {"seconds": 30.0, "canonical": "30s"},
        "errors": [],
        "errors_omitted": 0,
        "findings": [],
    }


def test_read_request_text_stops_at_the_body() -> None:
    path, headers = read_request_text("PUT /v2/publish/g HTTP/1.1\r\nA: 1\r\n\r\nB: 2\r\n")
    assert path == "/v2/publish/g"
    assert headers == [("A", "1")]


def test_python_dash_m_runs_the_same_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qstash_protocol", "duration", "90m"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout == "seconds: 5400\ncanonical: 1h30m\n"


def test_a_closed_pipe_keeps_the_exit_status() -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    status = main(["check", str(EXAMPLES / "invalid.http")], out=Closed(), err=io.StringIO())
    assert status == 1
    status = main(["check", str(EXAMPLES / "publish.http")], out=Closed(), err=io.StringIO())
    assert status == 0


def test_cron_next_runs_in_the_zone_and_utc() -> None:
    status, out, err = run(
        ["cron", "CRON_TZ=Europe/Berlin 30 2 * * *", "-n", "3", "--after", "2024-10-26T12:00Z"]
    )
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "canonical: CRON_TZ=Europe/Berlin 30 2 * * *",
        "zone: Europe/Berlin",
        "next runs after 2024-10-26 12:00:00 UTC:",
        "  2024-10-27 02:30 Sun  CEST (+0200)  2024-10-27 00:30 UTC",
        "  2024-10-27 02:30 Sun   CET (+0100)  2024-10-27 01:30 UTC",
        "  2024-10-28 02:30 Mon   CET (+0100)  2024-10-28 01:30 UTC",
    ]


def test_cron_json_and_no_further_run() -> None:
    status, out, _ = run(["cron", "0 0 29 2 *", "-n", "2", "--after", "2096-01-01", "--json"])
    assert status == 0
    assert json.loads(out) == {
        "command": "cron",
        "valid": True,
        "result": {
            "canonical": "0 0 29 2 *",
            "zone": None,
            "runs": [{"local": "2096-02-29T00:00:00+00:00", "utc": "2096-02-29T00:00:00Z"}],
        },
        "errors": [],
        "errors_omitted": 0,
        "findings": [],
    }
    status, out, _ = run(["cron", "0 0 30 2 *", "--after", "2024-01-01T00:00:00+01:00"])
    assert status == 0
    assert out.splitlines()[-1] == "  no further run (robfig finds none within five years)"


def test_cron_invalid_text_prints_the_caret() -> None:
    status, _, err = run(["cron", "0 0 * * 7"])
    assert status == 1
    assert err.endswith("  0 0 * * 7\n          ^\n")
    status, out, _ = run(["cron", "@daily", "--json"])
    document = json.loads(out)
    assert (status, document["valid"], document["result"]) == (1, False, None)
    assert [error["code"] for error in document["errors"]] == ["cron.unsupported"]
    assert run(["cron", "@daily", "--descriptors", "-n", "1"])[0] == 0


@pytest.mark.parametrize("args", [["-n", "0"], ["-n", "10001"], ["--after", "yesterday"]])
def test_cron_usage_errors(args: list[str]) -> None:
    assert run(["cron", "* * * * *", *args])[0] == 2
    status, out, _ = run(["cron", "* * * * *", "--json", *args])
    assert status == 2
    assert [error["code"] for error in json.loads(out)["errors"]] == ["cli.usage"]


def test_cron_runs_are_bounded() -> None:
    status, out, _ = run(["cron", "* * * * *", "-n", "10000", "--after", "2024-01-01", "--json"])
    assert status == 0
    assert len(json.loads(out)["result"]["runs"]) == 10_000
    status, _, err = run(["cron", "* * * * *", "-n", "1000000000"])
    assert status == 2
    assert "-n must be from 1 to 10000, got 1000000000" in err


def test_cron_after_before_the_year_1_in_utc_is_a_usage_error() -> None:
    status, _, err = run(["cron", "0 0 * * *", "--after", "0001-01-01T00:00:00+14:00"])
    assert status == 2
    assert "--after must be an ISO 8601 time" in err
