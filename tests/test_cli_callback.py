"""``qstash-protocol callback``: validate a callback body and print it decoded."""

import io
import json
import subprocess
import sys
from pathlib import Path

from qstash_protocol.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "failure-callback.json"


def run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        status = main(args, out=out, err=err)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def test_a_failure_callback_decoded() -> None:
    status, out, _ = run(["callback", "--failure", str(EXAMPLE)])
    assert status == 0
    assert out.startswith("valid failure callback\n  status: 500\n  retried: 3 of 3\n")
    assert "  dlq id: 1725323658779-0\n" in out
    assert "  created at: 2023-11-28T19:07:27.054+00:00\n" in out
    assert '  message body: \'{"hello":"world"}\'\n' in out
    assert "  workflow error: WorkflowError: boom\n" in out


def test_a_plain_callback_ignores_the_failure_fields() -> None:
    status, out, _ = run(["callback", str(EXAMPLE)])
    assert status == 0
    assert out.startswith("valid callback\n")
    assert "dlq id" not in out and "workflow error" not in out


def test_json_output() -> None:
    status, out, _ = run(["callback", "--json", "--failure", str(EXAMPLE)])
    assert status == 0
    assert out.count("\n") == 1
    document = json.loads(out)
    assert (document["command"], document["valid"], document["errors"]) == ("callback", True, [])
    result = document["result"]
    assert result["final"] is True
    assert result["callback"]["dlqId"] == "1725323658779-0"
    assert result["callback"]["sourceHeader"] == {"Content-Type": ["application/json"]}
    assert result["source_body_text"] == '{"hello":"world"}'
    assert result["workflow_failure"] == {
        "error": "WorkflowError",
        "message": "boom",
        "stack": None,
    }


def test_every_problem_with_its_path_and_exit_1() -> None:
    status, out, _ = run(["callback", "-"], stdin='{"status": "x", "body": "@"}')
    assert status == 1
    assert out.startswith("invalid: 2 problems in the callback body:\n- /status: ")
    assert "- /body: invalid character '@' in base64\n    @\n    ^\n" in out
    status, out, _ = run(["callback", "--json", "-"], stdin="[]")
    assert status == 1
    assert json.loads(out)["errors"][0]["code"] == "callback.not_object"
    status, out, _ = run(["callback", "--json", "-"], stdin='{"status": "x", "body": "@"}')
    assert status == 1
    document = json.loads(out)
    assert (document["valid"], document["result"]) == (False, None)
    assert [error["path"] for error in document["errors"]] == ["/status", "/body"]


def test_binary_and_empty_bodies_are_shown_plainly() -> None:
    body = json.dumps({"status": 200, "body": "/w==", "sourceBody": ""})
    status, out, _ = run(["callback", "-"], stdin=body)
    assert status == 0
    assert "  response body: (1 bytes, not UTF-8) ff\n" in out
    assert "  message body: (empty)\n" in out
    assert "  message headers: (none)\n" in out
    assert "  retried: 0 of ?\n" in out


def test_a_missing_file_is_a_usage_error() -> None:
    status, _, err = run(["callback", "/nonexistent/callback.json"])
    assert status == 2
    assert "No such file" in err
    status, out, _ = run(["callback", "--json", "/nonexistent/callback.json"])
    assert status == 2
    error = json.loads(out)["errors"][0]
    assert error["code"] == "cli.usage" and "No such file" in error["message"]


def test_empty_and_non_utf8_bodies_are_invalid_not_a_traceback(tmp_path: Path) -> None:
    for content, code in ((b"", "callback.invalid_json"), (b"\xff{", "callback.invalid_utf8")):
        path = tmp_path / "body.json"
        path.write_bytes(content)
        status, out, _ = run(["callback", "--json", str(path)])
        assert status == 1
        assert [error["code"] for error in json.loads(out)["errors"]] == [code]


def test_stdin_bytes_through_the_real_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qstash_protocol", "callback", "-"],
        input=b'{"status": 200, "url": "https://ex.ample/\xc3\xbc"}',
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0
    assert "  url: https://ex.ample/ü\n" in result.stdout.decode()
