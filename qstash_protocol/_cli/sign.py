"""``qstash-protocol sign --key K --url U --body-file F [--json]``: the token QStash would send."""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta
from typing import Any, TextIO

from qstash_protocol._cli import EXIT_OK, EXIT_USAGE, CliError, UsageError, print_json
from qstash_protocol._cli.verify import read_body

__all__ = ["register", "run"]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from qstash_protocol.delivery.signature import DEV_SIGNING_KEYS, sign  # noqa: PLC0415 (on use: start-up)

    try:
        key = DEV_SIGNING_KEYS.current if args.dev else args.key
        key = key or os.environ.get("QSTASH_CURRENT_SIGNING_KEY")
        if not key:
            msg = "give --key (or set QSTASH_CURRENT_SIGNING_KEY), or --dev"
            raise UsageError(msg)
        body = read_body(args.body_file)
        now = int(time.time()) if args.now is None else args.now
        token = sign(
            body,
            url=args.url,
            key=key,
            now=now,
            lifetime=timedelta(seconds=args.lifetime),
            jti=args.jti,
        )
    except (UsageError, OSError, ValueError, OverflowError) as error:
        if args.json:
            print_json(out, "sign", valid=False, errors=[CliError(str(error), code="cli.usage")])
        else:
            print(f"qstash-protocol sign: {error}", file=err)
        return EXIT_USAGE
    if args.json:
        print_json(out, "sign", valid=True, result={"token": token})
    else:
        print(token, file=out)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add the ``sign`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    sign_ = commands.add_parser(
        "sign",
        help="make the Upstash-Signature token QStash would send (for test servers)",
        description=(
            "Print the Upstash-Signature JWT QStash would send with a body to a URL. The key "
            "defaults to $QSTASH_CURRENT_SIGNING_KEY."
        ),
    )
    sign_.add_argument("--key", help="the signing key (sig_...)")
    sign_.add_argument(
        "--dev", action="store_true", help="use the local development server's current key"
    )
    sign_.add_argument("--url", required=True, help="the destination URL (the sub claim)")
    sign_.add_argument(
        "--body-file", required=True, metavar="FILE", help="the raw body, or - for stdin"
    )
    sign_.add_argument("--now", type=int, metavar="UNIX_SECONDS", help="default: now")
    sign_.add_argument("--lifetime", type=int, default=300, metavar="SECONDS", help="default 300")
    sign_.add_argument("--jti", help="the token id (default: random jwt_...)")
    sign_.add_argument("--json", action="store_true", help="print JSON for machines")
    sign_.set_defaults(handler=run)
