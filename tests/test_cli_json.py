"""Every subcommand's ``--json``: one line on stdout, the keys of ``JSON_KEYS``, the exit status."""

import argparse
import io
import json
from pathlib import Path
from types import ModuleType

import pytest

from qstash_protocol import sign
from qstash_protocol._cli import JSON_KEYS
from qstash_protocol.cli import _COMMANDS, main

URL = "https://example.com/api"
NOW = 1_700_000_000
BODY = b'{"status": 200, "body": "aGk="}'


def _names(module: ModuleType) -> list[str]:
    """The names a command module registers: its command first, then any alias."""
    commands = argparse.ArgumentParser().add_subparsers()
    module.register(commands)
    return list(commands.choices)


#: For each command: arguments for a valid input, for an invalid one (exit 1), and for a usage
#: error (exit 2), or None where the command has no such case. "BODY" is a file holding BODY,
#: "BAD" a file holding bytes that are not UTF-8.
TOKEN = sign(BODY, url=URL, key="sig_a", now=NOW)
KEY = ["--key", "sig_a", "--body-file", "BODY", "--now", str(NOW)]
CASES: dict[str, tuple[list[str], list[str] | None, list[str] | None]] = {
    "check": (
        ["-H", "Upstash-Delay: 30s"],
        ["-H", "Upstash-Delay: 5w"],
        ["/nonexistent/dump.http"],
    ),
    "retry-schedule": (
        ["pow(2, retried) * 1000", "--retries", "3"],
        ["pow(", "--retries", "3"],
        ["--retries", "-1"],
    ),
    "duration": (["1d10h30m"], ["5w"], None),
    "callback": (["BODY"], ["BAD"], ["/nonexistent/body.json"]),
    "verify": ([TOKEN, *KEY, "--url", URL], ["x", *KEY], [TOKEN, *KEY, "--clock-tolerance", "-1"]),
    "sign": (
        ["--key", "sig_a", "--url", URL, "--body-file", "BODY"],
        None,
        ["--url", URL, "--body-file", "BODY"],
    ),
    "cron": (["0 0 * * *", "-n", "2"], ["61 * * * *"], ["0 0 * * *", "-n", "0"]),
    "conformance": (
        ["tests.conformance_server:ReferenceServer", "--select", "delivery.method"],
        ["tests.conformance_server:RetriedFromOne", "--select", "delivery.retried-zero"],
        ["tests.no_such_module:x"],
    ),
}


def _registered() -> list[tuple[str, str]]:
    """(name as typed, the command's own name) for every registered command and alias."""
    pairs = []
    for module in _COMMANDS:
        names = _names(module)
        pairs.extend((name, names[0]) for name in names)
    return pairs


def test_every_registered_command_has_cases() -> None:
    assert {command for _, command in _registered()} == set(CASES)


@pytest.mark.parametrize(("typed", "command"), _registered())
@pytest.mark.parametrize(("kind", "status"), [("valid", 0), ("invalid", 1), ("usage", 2)])
def test_json_is_one_line_with_the_same_keys(
    typed: str, command: str, kind: str, status: int, tmp_path: Path
) -> None:
    args = CASES[command][("valid", "invalid", "usage").index(kind)]
    if args is None:
        pytest.skip(f"{command} has no {kind} input")
    (tmp_path / "body").write_bytes(BODY)
    (tmp_path / "bad").write_bytes(b"\xff\xfe{")
    files = {"BODY": str(tmp_path / "body"), "BAD": str(tmp_path / "bad")}
    argv = [typed, *(files.get(arg, arg) for arg in args), "--json"]
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, out=out, err=err) == status, out.getvalue() + err.getvalue()
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1 and text.isascii()
    document = json.loads(text)
    assert tuple(document) == JSON_KEYS
    assert document["command"] == command
    assert document["valid"] is (status == 0)
    assert isinstance(document["result"], dict) or (status != 0 and document["result"] is None)
    assert (document["errors"] == []) is (status == 0)
    for error in document["errors"]:
        assert {"code", "message", "header", "value", "span"} <= set(error)
    if status == 2:
        assert [error["code"] for error in document["errors"]] == ["cli.usage"]
    assert "Traceback" not in err.getvalue()
