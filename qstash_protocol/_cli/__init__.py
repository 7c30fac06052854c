"""Shared by the command-line subcommands (private): exit statuses, output, usage errors, JSON.

Each subcommand lives in a module of its own in this package, with a ``register(commands)``
function that adds its parser (``argparse`` sub-parser) and sets ``handler``: a function
``(args, out, err) -> int`` returning the exit status. :mod:`qstash_protocol.cli` lists them.

Every command's ``--json`` output goes through :func:`print_json`, so all of them print the
same shape (documented in the README, "Errors, bounds, typing and ``--json``"): one line on
standard output, one object with the keys ``command``, ``valid``, ``result``, ``errors``,
``errors_omitted`` and ``findings``. A new command: build its ``result`` dict, pass its
``ProtocolError`` problems as ``errors`` (or ``CliError(message, code="cli.usage")`` for a bad
argument, exit 2), its ``Finding`` objects as ``findings``, and call ``print_json`` once.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final, TextIO

from qstash_protocol.errors import ProtocolError

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "JSON_KEYS",
    "CliError",
    "Output",
    "UsageError",
    "json_document",
    "print_json",
]

#: The input is valid.
EXIT_OK = 0
#: The input is invalid (the error is printed with a caret).
EXIT_INVALID = 1
#: The command line itself is wrong, or the input cannot be read at all.
EXIT_USAGE = 2
#: Interrupted (Ctrl-C, SIGINT): 128 + 2, as shells report a process killed by SIGINT.
EXIT_INTERRUPTED = 130

#: The keys of every ``--json`` document, in this order.
JSON_KEYS: Final = ("command", "valid", "result", "errors", "errors_omitted", "findings")


class UsageError(Exception):
    """The input could not be read at all (exit 2)."""


class CliError(ProtocolError):
    """A problem the command line reports itself: a wrong option value, a result out of range."""

    CODES: ClassVar[Mapping[str, str]] = {
        "cli.usage": "a wrong command-line argument, or input that cannot be read (exit 2)",
        "cli.out_of_range": "a result beyond what the protocol's values can hold (exit 1)",
    }


def _problem(item: ProtocolError | Mapping[str, Any]) -> dict[str, Any]:
    return item.to_dict() if isinstance(item, ProtocolError) else dict(item)


def json_document(
    command: str,
    *,
    valid: bool,
    result: Mapping[str, Any] | None = None,
    errors: Iterable[ProtocolError | Mapping[str, Any]] = (),
    errors_omitted: int = 0,
    findings: Iterable[ProtocolError | Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The one ``--json`` shape every command prints (see :func:`print_json`).

    - ``command``: the subcommand's name (``"check"``, ``"duration"``, ...).
    - ``valid``: ``true`` when the input is valid (exit status 0), ``false`` otherwise.
    - ``result``: what the command computed (an object whose keys depend on the command), or
      ``null`` when the input is invalid.
    - ``errors``: the problems that make the input invalid, each an object with ``code``,
      ``message``, ``header``, ``value`` and ``span`` (``ProtocolError.to_dict()``); empty when
      valid.
    - ``errors_omitted``: how many more errors there were beyond those listed (the library
      keeps at most ``MAX_ERRORS``).
    - ``findings``: for commands that lint (``check``), every finding in input order, errors
      and warnings alike, each like an error with a ``severity`` key (``"error"`` or
      ``"warning"``, ``Finding.to_dict()``); warnings alone do not make the input invalid
      (unless the command's ``--strict`` says so, and then they are in ``errors`` too). Empty
      for commands that do not lint.

    >>> json_document("duration", valid=True, result={"seconds": 30.0})
    {'command': 'duration', 'valid': True, 'result': {'seconds': 30.0}, 'errors': [], \
'errors_omitted': 0, 'findings': []}
    """
    return {
        "command": command,
        "valid": valid,
        "result": None if result is None else dict(result),
        "errors": [_problem(error) for error in errors],
        "errors_omitted": errors_omitted,
        "findings": [_problem(finding) for finding in findings],
    }


def print_json(
    out: TextIO,
    command: str,
    *,
    valid: bool,
    result: Mapping[str, Any] | None = None,
    errors: Iterable[ProtocolError | Mapping[str, Any]] = (),
    errors_omitted: int = 0,
    findings: Iterable[ProtocolError | Mapping[str, Any]] = (),
) -> None:
    r"""Print the command's ``--json`` document on ``out``: one line, keys as :data:`JSON_KEYS`.

    Every command calls this (never ``json.dumps`` itself) for its ``--json`` output, whether
    the input is valid, invalid or unreadable, so a script reads every command the same way.
    Non-ASCII characters are escaped (``\u00e9``), so the line is plain ASCII whatever the
    terminal's encoding.

    >>> import sys
    >>> print_json(sys.stdout, "duration", valid=False, errors=[{"code": "duration.empty"}])
    {"command": "duration", "valid": false, "result": null, "errors": [{"code": "duration.empty"}], "errors_omitted": 0, "findings": []}
    """  # noqa: E501
    document = json_document(
        command,
        valid=valid,
        result=result,
        errors=errors,
        errors_omitted=errors_omitted,
        findings=findings,
    )
    out.write(json.dumps(document, ensure_ascii=True) + "\n")


class Output(io.TextIOBase):
    """Standard output that outlives its reader (``check ... | head``).

    The exit status still says whether the input was valid, instead of a BrokenPipeError
    traceback.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self.broken = True
        return len(text)
