"""The ``qstash-protocol`` command line (also ``python -m qstash_protocol``).

Subcommands:

- ``check [FILE|-] [-H 'Name: value' ...]``: decode a request as people have it at hand (an HTTP
  dump or ``curl -v`` output, optionally starting with the ``POST /v2/publish/...`` line, or
  ``-H`` arguments) and print what it means, or every problem with a caret under it.
- ``schedule [EXPR] --retries N``: the delay before each retry and the time since the first
  attempt failed, for a retry-delay expression or QStash's default backoff.
- ``duration VALUE``: parse a QStash duration, print its length in seconds and its canonical form.
- ``callback FILE|- [--failure]``: validate the JSON body of a callback (or failure callback) and
  print it decoded, or every problem with its JSON path.
- ``verify TOKEN --key K [--next-key K] --body-file F [--url U]``: verify an
  ``Upstash-Signature`` token for a body, and print its claims or the precise error.
- ``sign --key K --url U --body-file F``: print the token QStash would send (for test servers).

Exit status: 0 when the input is valid, 1 when it is invalid (the error is printed with a caret
under the offending characters), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from qstash_protocol._cli import Output
from qstash_protocol._cli import callback as _callback
from qstash_protocol._cli import check as _check
from qstash_protocol._cli import duration as _duration
from qstash_protocol._cli import schedule as _schedule
from qstash_protocol._cli import sign as _sign
from qstash_protocol._cli import verify as _verify
from qstash_protocol._cli.check import read_request_text

__all__ = ["main", "read_request_text"]

#: The subcommands, in the order ``--help`` lists them; each module has ``register(commands)``.
_COMMANDS = (
    _check,
    _schedule,
    _duration,
    _callback,
    _verify,
    _sign,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qstash-protocol",
        description="Parse and check QStash request headers (no network, no I/O but yours).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.register(commands)
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` and return the exit status.

    >>> main(["duration", "1d10h30m"])
    seconds: 124200
    canonical: 1d10h30m
    0
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    handler = args.handler
    output = Output(out)
    status: int = handler(args, output, err)
    if output.broken and out is sys.stdout:
        # Python flushes stdout at exit, which would fail again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status
