"""The ``verify`` and ``sign`` subcommands."""

import io
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from qstash_protocol import DEV_SIGNING_KEYS, SigningKeys, sign, verify_signature
from qstash_protocol.cli import main

URL = "https://example.com/api"
NOW = 1_700_000_000


def run(args: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        status = main(args, out=out, err=err)
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def body_file(tmp_path: Path) -> Path:
    path = tmp_path / "body.bin"
    path.write_bytes(b'{"hello":"world"}\xff')
    return path


@pytest.fixture(autouse=True)
def _no_keys_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QSTASH_CURRENT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("QSTASH_NEXT_SIGNING_KEY", raising=False)


def test_verify_prints_the_claims(body_file: Path) -> None:
    token = sign(body_file.read_bytes(), url=URL, key="sig_b", now=NOW, jti="jwt_1")
    args = ["verify", token, "--key", "sig_a", "--next-key", "sig_b", "--body-file"]
    status, out, _ = run([*args, str(body_file), "--url", URL, "--now", str(NOW + 5)])
    assert status == 0
    assert out.startswith("valid signature (the next signing key)\n")
    assert f"  subject: {URL}\n" in out
    assert "  jwt id: jwt_1\n" in out
    assert "not checked" not in out
    status, out, _ = run([*args, str(body_file), "--now", str(NOW + 5)])
    assert "(the URL was not checked: pass --url)" in out


def test_verify_prints_the_error_with_a_caret(body_file: Path) -> None:
    token = sign(body_file.read_bytes(), url=URL, key="sig_a", now=NOW)
    status, out, _ = run(
        [
            "verify",
            token,
            "--key",
            "sig_a",
            "--body-file",
            str(body_file),
            "--url",
            URL + "/",
            "--now",
            str(NOW),
        ]
    )
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith("invalid signature: Upstash-Signature: the token was issued for")
    assert lines[1] == f"  {URL}"
    assert lines[2] == "  " + "^" * len(URL)


def test_verify_json_and_clock_tolerance(body_file: Path) -> None:
    token = sign(body_file.read_bytes(), url=URL, key="sig_a", now=NOW)
    base = ["verify", token, "--key", "sig_a", "--body-file", str(body_file), "--json"]
    status, out, _ = run([*base, "--now", str(NOW + 302)])
    assert status == 1
    document = json.loads(out)
    assert (document["command"], document["valid"], document["result"]) == ("verify", False, None)
    assert [error["code"] for error in document["errors"]] == ["signature.expired"]
    status, out, _ = run([*base, "--now", str(NOW + 302), "--clock-tolerance", "5"])
    assert status == 0
    assert json.loads(out) == {
        "command": "verify",
        "valid": True,
        "result": verify_signature(
            token, body=body_file.read_bytes(), keys=SigningKeys("sig_a"), now=NOW
        ).to_dict(),
        "errors": [],
        "errors_omitted": 0,
        "findings": [],
    }


def test_verify_reads_keys_from_the_environment_and_the_body_from_stdin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", "sig_env")
    token = sign(b"\x00\x01", url=URL, key="sig_env", now=NOW)
    status, out, _ = run(["verify", token, "--body-file", "-", "--now", str(NOW)], b"\x00\x01")
    assert status == 0, out


def test_verify_with_the_dev_keys(body_file: Path) -> None:
    token = sign(body_file.read_bytes(), url=URL, key=DEV_SIGNING_KEYS.current, now=NOW)
    status, _, _ = run(["verify", token, "--dev", "--body-file", str(body_file), "--now", "0"])
    assert status == 1  # not yet valid at 0
    status, _, _ = run(["verify", token, "--dev", "--body-file", str(body_file), "--now", str(NOW)])
    assert status == 0


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "t", "--body-file", "BODY"],  # no key
        ["verify", "t", "--key", "sig_a", "--body-file", "/nonexistent/body"],
        ["verify", "t", "--key", "sig_a", "--body-file", "BODY", "--clock-tolerance", "-1"],
        ["verify", "t", "--key", "sig_a"],  # no body
        ["sign", "--url", URL, "--body-file", "BODY"],  # no key
        ["sign", "--key", "sig_a", "--url", URL, "--body-file", "BODY", "--lifetime", "0"],
    ],
)
def test_usage_errors_exit_2(args: list[str], body_file: Path) -> None:
    args = [str(body_file) if arg == "BODY" else arg for arg in args]
    status, out, _ = run(args)
    assert status == 2
    assert out == ""
    if "--body-file" in args:  # argparse itself refuses the others, before any command runs
        status, out, _ = run([*args, "--json"])
        assert status == 2
        document = json.loads(out)
        assert (document["command"], document["valid"]) == (args[0], False)
        assert [error["code"] for error in document["errors"]] == ["cli.usage"]


@pytest.mark.parametrize("option", ["--now", "--clock-tolerance"])
@pytest.mark.parametrize("value", ["99999999999999999999", "253402300800"])
def test_verify_times_beyond_the_year_9999_are_usage_errors(
    option: str, value: str, body_file: Path
) -> None:
    token = sign(body_file.read_bytes(), url=URL, key="sig_a", now=NOW)
    status, _, err = run(
        ["verify", token, "--key", "sig_a", "--body-file", str(body_file), option, value]
    )
    assert status == 2
    assert "must be within 253402300799 seconds" in err


def test_sign_json(body_file: Path) -> None:
    args = ["sign", "--key", "sig_a", "--url", URL, "--body-file", str(body_file)]
    status, out, _ = run([*args, "--now", str(NOW), "--jti", "jwt_7", "--json"])
    assert status == 0
    document = json.loads(out)
    assert (document["command"], document["valid"], document["errors"]) == ("sign", True, [])
    token = document["result"]["token"]
    assert token == sign(body_file.read_bytes(), url=URL, key="sig_a", now=NOW, jti="jwt_7")


def test_sign_prints_a_token_that_verifies(body_file: Path) -> None:
    status, out, _ = run(
        [
            "sign",
            "--key",
            "sig_a",
            "--url",
            URL,
            "--body-file",
            str(body_file),
            "--now",
            str(NOW),
            "--jti",
            "jwt_7",
            "--lifetime",
            "60",
        ]
    )
    assert status == 0
    token = out.strip()
    assert token == sign(
        body_file.read_bytes(),
        url=URL,
        key="sig_a",
        now=NOW,
        jti="jwt_7",
        lifetime=timedelta(seconds=60),
    )
    status, out, _ = run(["sign", "--dev", "--url", URL, "--body-file", str(body_file)])
    claims = verify_signature(out.strip(), body=body_file.read_bytes(), keys=DEV_SIGNING_KEYS)
    assert claims.key == "current"
