"""``qstash-protocol check --batch`` and ``--limits``."""

import io
import json
import sys
from pathlib import Path

from qstash_protocol.cli import main

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


def test_check_a_batch_file() -> None:
    status, out, _ = run(["check", "--batch", str(EXAMPLES / "batch.json")])
    assert status == 0
    assert out.startswith("valid batch of 2 messages\n/0: publish to myUrlGroup\n  delay: 5s\n")
    assert "/1: enqueue via queue my-queue to https://example.com/destination1\n  retries: 2" in out


def test_check_a_batch_from_stdin_as_json() -> None:
    body = '[{"destination": "g", "headers": {"Upstash-Delay": "30"}}, {"destination": 1}]'
    status, out, _ = run(["check", "--batch", "--json", "-"], stdin=body)
    assert status == 1
    document = json.loads(out)
    assert document["valid"] is False
    assert [(e["pointer"], e["code"]) for e in document["errors"]] == [
        ("/0/headers/Upstash-Delay", "duration.missing_unit"),
        ("/1/destination", "batch.invalid_type"),
    ]


def test_check_a_valid_batch_as_json() -> None:
    status, out, _ = run(["check", "--batch", "--json", str(EXAMPLES / "batch.json")])
    assert status == 0
    messages = json.loads(out)["result"]["messages"]
    assert [m["path"] for m in messages] == [
        "/v2/publish/myUrlGroup",
        "/v2/enqueue/my-queue/https://example.com/destination1",
    ]


def test_check_a_batch_against_a_plan() -> None:
    body = '[{"destination": "g", "headers": {"Upstash-Delay": "8d"}}]'
    assert run(["check", "--batch", "-"], stdin=body)[0] == 0
    status, out, _ = run(["check", "--batch", "--limits", "free", "-"], stdin=body)
    assert status == 1
    assert "- /0/headers/Upstash-Delay: Upstash-Delay: the plan allows a delay of at most 7d" in out
    assert run(["check", "--batch", "--limits", "payg", "-"], stdin=body)[0] == 0


def test_check_a_request_against_a_plan_with_its_content_length() -> None:
    dump = "POST /v2/publish/g?upstash-timeout=1h HTTP/1.1\nContent-Length: 2000000\n\n"
    status, out, _ = run(["check", "--limits", "free", "-"], stdin=dump)
    assert status == 1
    assert "upstash-timeout: the plan allows a timeout of at most 15m, got 1h" in out
    assert "Content-Length: the plan allows a message body of at most 1048576 bytes" in out
    assert run(["check", "--limits", "fixed-10m", "-"], stdin=dump)[0] == 0
    assert run(["check", "-"], stdin=dump)[0] == 0


def test_check_headers_alone_against_a_plan() -> None:
    status, out, _ = run(["check", "--limits", "free", "-H", "Upstash-Delay: 30d"])
    assert status == 1
    assert "Upstash-Delay: the plan allows a delay of at most 7d, got 30d" in out


def test_unknown_plan_and_missing_file() -> None:
    assert run(["check", "--limits", "gold", "-H", "Upstash-Retries: 1"])[0] == 2
    status, _, err = run(["check", "--batch", str(EXAMPLES / "nope.json")])
    assert status == 2
    assert "nope.json" in err
