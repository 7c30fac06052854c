"""``qstash-protocol conformance module:factory``: run the conformance kit against a server.

``module:factory`` names a callable (a function or a class) that returns the adapter, like
``uvicorn``'s ``module:app``; the current directory is searched first, so a ``conformance.py``
beside you works as ``conformance:adapter``. The kit itself
(:mod:`qstash_protocol.testing.conformance`) needs the ``hypothesis`` extra, so it is imported
only when this command runs.

Prints one line per case and a summary. ``--json`` prints the CLI's one shape (see
:func:`qstash_protocol._cli.print_json`): ``valid`` is the report's ``ok``, ``result`` the
report's dict (``summary`` and ``results``, present whether or not a case failed), ``errors``
one entry per failed case (``code`` ``conformance.<severity>``, ``value`` the case id). Exit
status: 0 when no case failed, 1 when one did, 2 when the adapter cannot be loaded.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliError, print_json

__all__ = ["load_adapter", "register", "run"]

_NAME = "conformance"


def load_adapter(spec: str) -> Any:
    """Import ``module:factory`` and return the adapter the factory makes.

    An attribute that already is an adapter (an object with ``submit``, not a class) is used as
    it is.

    >>> load_adapter("no_colon")
    Traceback (most recent call last):
      ...
    ValueError: expected module:factory (e.g. myserver.testing:adapter), got 'no_colon'
    """
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        msg = f"expected module:factory (e.g. myserver.testing:adapter), got {spec!r}"
        raise ValueError(msg)
    if "" not in sys.path:
        sys.path.insert(0, "")
    module = importlib.import_module(module_name)
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part)
    if hasattr(target, "submit") and not isinstance(target, type):
        return target
    if not callable(target):
        msg = f"{spec} is neither an adapter nor a callable that returns one"
        raise ValueError(msg)
    return target()


def _usage(args: argparse.Namespace, out: TextIO, err: TextIO, message: str) -> int:
    if args.json:
        print_json(out, _NAME, valid=False, errors=[CliError(message, code="cli.usage")])
    else:
        print(message, file=err)
    return EXIT_USAGE


def _failure(result: Mapping[str, str]) -> dict[str, Any]:
    """A failed case as an entry of ``errors`` (the keys of ``ProtocolError.to_dict()``)."""
    return {
        "code": f"conformance.{result['severity']}",
        "message": f"{result['id']}: {result['message']}",
        "header": None,
        "value": result["id"],
        "span": None,
    }


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        from qstash_protocol.testing.conformance import run_conformance  # noqa: PLC0415
    except ImportError as error:
        return _usage(args, out, err, f"the conformance kit needs Hypothesis: {error}")
    try:
        adapter = load_adapter(args.factory)
    except Exception as error:
        message = f"cannot load the adapter {args.factory}: {type(error).__name__}: {error}"
        return _usage(args, out, err, message)
    try:
        report = run_conformance(adapter, select=args.select or None, examples=args.examples)
    except TypeError as error:
        return _usage(args, out, err, f"{args.factory}: {error}")
    if args.json:
        data = report.to_dict()
        failed = [_failure(result) for result in data["results"] if result["verdict"] == "fail"]
        print_json(out, _NAME, valid=report.ok, result=data, errors=failed)
    else:
        print(report.table(), file=out)
        print(file=out)
        print(report.summary(), file=out)
    return EXIT_OK if report.ok else EXIT_INVALID


def register(commands: Any) -> None:
    """Add the ``conformance`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    conformance = commands.add_parser(
        "conformance",
        help="run the conformance kit against a QStash-compatible server",
        description=(
            "Run the conformance kit's cases against the adapter that module:factory returns; "
            "print a verdict per case and a summary. Exit 1 if any case fails."
        ),
    )
    conformance.add_argument(
        "factory", help="module:callable returning the adapter, e.g. myserver.testing:adapter"
    )
    conformance.add_argument(
        "--json", action="store_true", help="print JSON for machines (the report under result)"
    )
    conformance.add_argument(
        "--select",
        action="append",
        metavar="ID",
        help="run only the cases whose id is or starts with ID (repeatable), e.g. delivery",
    )
    conformance.add_argument(
        "--examples",
        type=int,
        default=25,
        metavar="N",
        help="requests in each Hypothesis sample (default 25)",
    )
    conformance.set_defaults(handler=run)
