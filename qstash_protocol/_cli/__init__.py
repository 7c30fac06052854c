"""Shared by the command-line subcommands (private): exit statuses, output, usage errors.

Each subcommand lives in a module of its own in this package, with a ``register(commands)``
function that adds its parser (``argparse`` sub-parser) and sets ``handler``: a function
``(args, out, err) -> int`` returning the exit status. :mod:`qstash_protocol.cli` lists them.
"""

from __future__ import annotations

import io
from typing import TextIO

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "Output", "UsageError"]

#: The input is valid.
EXIT_OK = 0
#: The input is invalid (the error is printed with a caret).
EXIT_INVALID = 1
#: The command line itself is wrong, or the input cannot be read at all.
EXIT_USAGE = 2


class UsageError(Exception):
    """The input could not be read at all (exit 2)."""


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
