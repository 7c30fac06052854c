"""``qstash-protocol verify TOKEN --key K [--next-key K] --body-file F [--url U]``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TextIO

from qstash_protocol._cli import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    UsageError,
    print_json,
)

if TYPE_CHECKING:  # the delivery side is imported when the command runs, not at start-up
    from qstash_protocol.delivery.signature import SigningKeys

__all__ = ["read_body", "register", "run"]

#: The largest --now (either side of 1970) and --clock-tolerance, in seconds: the year 9999,
#: beyond which Python's dates cannot count.
_MAX_SECONDS = 253_402_300_799


def read_body(path: str) -> bytes:
    """The raw bytes of a body file, or of standard input for ``-``."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        return stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    with open(path, "rb") as handle:
        return handle.read()


def _keys(args: argparse.Namespace) -> SigningKeys:
    from qstash_protocol.delivery.signature import DEV_SIGNING_KEYS, SigningKeys  # noqa: PLC0415 (on use: start-up)

    if args.dev:
        return DEV_SIGNING_KEYS
    current = args.key or os.environ.get("QSTASH_CURRENT_SIGNING_KEY")
    nxt = args.next_key or os.environ.get("QSTASH_NEXT_SIGNING_KEY")
    if not current:
        msg = "give --key (or set QSTASH_CURRENT_SIGNING_KEY), or --dev for the dev server's keys"
        raise UsageError(msg)
    try:
        return SigningKeys(current, nxt or None)
    except ValueError as error:
        raise UsageError(str(error)) from None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from qstash_protocol.delivery.signature import InvalidSignature, verify_signature  # noqa: PLC0415 (on use: start-up)

    try:
        keys = _keys(args)
        body = read_body(args.body_file)
        if args.clock_tolerance < 0:
            msg = "--clock-tolerance cannot be negative"
            raise UsageError(msg)
        if args.clock_tolerance > _MAX_SECONDS or abs(args.now or 0) > _MAX_SECONDS:
            msg = f"--now and --clock-tolerance must be within {_MAX_SECONDS} seconds"
            raise UsageError(msg)
    except (UsageError, OSError) as error:
        if args.json:
            print_json(out, "verify", valid=False, errors=[CliError(str(error), code="cli.usage")])
        else:
            print(f"qstash-protocol verify: {error}", file=err)
        return EXIT_USAGE
    try:
        claims = verify_signature(
            args.token,
            body=body,
            keys=keys,
            url=args.url,
            now=args.now,
            clock_tolerance=timedelta(seconds=args.clock_tolerance),
        )
    except InvalidSignature as error:
        if args.json:
            print_json(out, "verify", valid=False, errors=[error])
        else:
            print(f"invalid signature: {error}", file=out)
        return EXIT_INVALID
    if args.json:
        print_json(out, "verify", valid=True, result=claims.to_dict())
        return EXIT_OK
    print(f"valid signature (the {claims.key} signing key)", file=out)
    for name, value in claims.to_dict().items():
        if name != "key" and value is not None:
            print(f"  {name.replace('_', ' ')}: {value}", file=out)
    if args.url is None:
        print("  (the URL was not checked: pass --url)", file=out)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add the ``verify`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    verify = commands.add_parser(
        "verify",
        help="verify an Upstash-Signature token against a body (and a URL)",
        description=(
            "Verify an Upstash-Signature JWT for the raw body bytes: the HMAC with the current "
            "or next signing key, the issuer, the times, the URL and the body hash. Keys default "
            "to $QSTASH_CURRENT_SIGNING_KEY and $QSTASH_NEXT_SIGNING_KEY."
        ),
    )
    verify.add_argument("token", help="the Upstash-Signature header value")
    verify.add_argument("--key", help="the current signing key (sig_...)")
    verify.add_argument("--next-key", help="the next signing key (sig_...)")
    verify.add_argument(
        "--dev", action="store_true", help="use the local development server's public keys"
    )
    verify.add_argument(
        "--body-file", required=True, metavar="FILE", help="the raw body, or - for stdin"
    )
    verify.add_argument("--url", help="the URL the request was received at (checks sub)")
    verify.add_argument(
        "--now", type=int, metavar="UNIX_SECONDS", help="the time to verify at (default: now)"
    )
    verify.add_argument(
        "--clock-tolerance", type=int, default=0, metavar="SECONDS", help="for exp, nbf and iat"
    )
    verify.add_argument("--json", action="store_true", help="print JSON for machines")
    verify.set_defaults(handler=run)
