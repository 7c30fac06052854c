"""The ``qstash-protocol`` command line (also ``python -m qstash_protocol``).

Subcommands:

- ``check [FILE|-] [-H 'Name: value' ...]``: decode a request as people have it at hand (an HTTP
  dump or ``curl -v`` output, optionally starting with the ``POST /v2/publish/...`` line, or
  ``-H`` arguments) and print what it means, or every problem with a caret under it.
- ``retry-schedule [EXPR] --retries N``: the delay before each retry and the time since the
  first attempt failed, for a retry-delay expression or QStash's default backoff (``schedule``
  is its deprecated, hidden old name: QStash's schedules are something else).
- ``duration VALUE``: parse a QStash duration, print its length in seconds and its canonical form.
- ``callback FILE|- [--failure]``: validate the JSON body of a callback (or failure callback) and
  print it decoded, or every problem with its JSON path.
- ``verify TOKEN --key K [--next-key K] --body-file F [--url U]``: verify an
  ``Upstash-Signature`` token for a body, and print its claims or the precise error.
- ``sign --key K --url U --body-file F``: print the token QStash would send (for test servers).
- ``cron TEXT [-n N] [--after ISO]``: the next runs of an ``Upstash-Cron`` schedule, in its zone
  and in UTC, as QStash (robfig/cron v3) computes them.
- ``conformance module:factory [--json]``: run the conformance kit against the server adapter the
  factory returns; a verdict per case and a summary, exit 1 if any case failed.

Exit status: 0 when the input is valid, 1 when it is invalid (the error is printed with a caret
under the offending characters), 2 for a usage error or input that cannot be read (an empty
file, a line that is no header), 130 when interrupted (Ctrl-C). No input gives a traceback.

``--json`` prints one line on standard output with the same keys for every command
(``command``, ``valid``, ``result``, ``errors``, ``errors_omitted``, ``findings``); see
the README ("Errors, bounds, typing and ``--json``"). ``--version`` prints the version.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from qstash_protocol import __version__
from qstash_protocol._cli import EXIT_INTERRUPTED, Output
from qstash_protocol._cli import callback as _callback
from qstash_protocol._cli import check as _check
from qstash_protocol._cli import conformance as _conformance
from qstash_protocol._cli import cron as _cron
from qstash_protocol._cli import duration as _duration
from qstash_protocol._cli import retry_schedule as _retry_schedule
from qstash_protocol._cli import sign as _sign
from qstash_protocol._cli import verify as _verify
from qstash_protocol._cli.dump import read_request_text

__all__ = ["main", "read_request_text"]

#: The subcommands, in the order ``--help`` lists them; each module has ``register(commands)``.
_COMMANDS = (
    _check,
    _retry_schedule,
    _duration,
    _callback,
    _verify,
    _sign,
    _cron,
    _conformance,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qstash-protocol",
        description="Parse and check QStash request headers (no network, no I/O but yours).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    output = Output(out)
    try:
        parser = _parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
            return int(exit_.code or 0)
        status: int = args.handler(args, output, err)
    except KeyboardInterrupt:
        print("qstash-protocol: interrupted", file=err)
        return EXIT_INTERRUPTED
    if output.broken and out is sys.stdout:
        # Python flushes stdout at exit, which would fail again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status
