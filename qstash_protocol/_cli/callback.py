"""``qstash-protocol callback FILE|- [--failure] [--json]``: validate a callback body, decode it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliError, print_json

if TYPE_CHECKING:  # the delivery side is imported when the command runs, not at start-up
    from qstash_protocol.delivery.callbacks import CallbackPayload

__all__ = ["register", "run"]

#: Bodies longer than this are shown cut, with their length.
_SHOWN_BODY = 2000
_NAME = "callback"


def _text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _shown_body(body: bytes) -> str:
    if not body:
        return "(empty)"
    text = _text(body)
    if text is None:
        more = " ..." if len(body) > 64 else ""
        return f"({len(body)} bytes, not UTF-8) {body[:64].hex(' ')}{more}"
    if len(text) > _SHOWN_BODY:
        return f"{text[:_SHOWN_BODY]!r}... ({len(body)} bytes)"
    return repr(text)


def _describe(payload: CallbackPayload) -> list[str]:
    from qstash_protocol.delivery.callbacks import FailureCallbackPayload  # noqa: PLC0415 (on use: start-up)

    lines = [f"status: {payload.status}"]
    budget = "?" if payload.max_retries is None else payload.max_retries
    lines.append(f"retried: {payload.retried} of {budget}")
    lines.append(f"final: {'yes' if payload.is_final else 'no (QStash will retry)'}")
    for field in (
        "dlq_id",
        "source_message_id",
        "url",
        "method",
        "topic_name",
        "endpoint_name",
        "schedule_id",
        "caller_ip",
        "workflow_run_id",
    ):
        value = getattr(payload, field, None)
        if value is not None:
            lines.append(f"{field.replace('_', ' ')}: {value}")
    for field in ("not_before", "created_at", "workflow_created_at"):
        moment = getattr(payload, field, None)
        if moment is not None:
            lines.append(f"{field.replace('_', ' ')}: {moment.isoformat(timespec='milliseconds')}")
    for title, headers, body in (
        ("response", payload.header, payload.body),
        ("message", payload.source_header, payload.source_body),
    ):
        lines.append(f"{title} headers:" if headers else f"{title} headers: (none)")
        lines.extend(f"  {name}: {value}" for name, value in headers.items())
        lines.append(f"{title} body: {_shown_body(body)}")
    if isinstance(payload, FailureCallbackPayload) and payload.workflow_failure is not None:
        failure = payload.workflow_failure
        lines.append(f"workflow error: {failure.error}: {failure.message}")
    return lines


def _document(payload: CallbackPayload) -> dict[str, Any]:
    from qstash_protocol.delivery.callbacks import FailureCallbackPayload  # noqa: PLC0415 (on use: start-up)

    document: dict[str, Any] = {"callback": payload.to_dict()}
    document["body_text"] = _text(payload.body)
    document["source_body_text"] = _text(payload.source_body)
    if isinstance(payload, FailureCallbackPayload):
        failure = payload.workflow_failure
        document["workflow_failure"] = None if failure is None else failure.model_dump()
    document["final"] = payload.is_final
    return document


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from qstash_protocol.delivery.callbacks import (  # noqa: PLC0415 (on use: start-up)
        InvalidCallback,
        parse_callback,
        parse_failure_callback,
    )

    try:
        if args.file == "-":
            stream = getattr(sys.stdin, "buffer", None)
            body: bytes | str = stream.read() if stream is not None else sys.stdin.read()
        else:
            with open(args.file, "rb") as handle:
                body = handle.read()
    except OSError as error:
        if args.json:
            print_json(out, _NAME, valid=False, errors=[CliError(str(error), code="cli.usage")])
        else:
            print(f"qstash-protocol callback: {error}", file=err)
        return EXIT_USAGE
    parse = parse_failure_callback if args.failure else parse_callback
    try:
        payload = parse(body)
    except InvalidCallback as invalid:
        if args.json:
            print_json(out, _NAME, valid=False, errors=invalid.errors)
        else:
            print(f"invalid: {invalid}", file=out)
        return EXIT_INVALID
    if args.json:
        print_json(out, _NAME, valid=True, result=_document(payload))
    else:
        kind = "failure callback" if args.failure else "callback"
        print(f"valid {kind}", file=out)
        print("\n".join(f"  {line}" for line in _describe(payload)), file=out)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add the ``callback`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    callback = commands.add_parser(
        "callback",
        help="validate and decode a callback or failure-callback body (JSON)",
        description=(
            "Validate the JSON body QStash posts to a callback URL and print it decoded: "
            "base64 bodies as text, times as dates, every problem with its JSON path."
        ),
    )
    callback.add_argument("file", help="a file with the JSON body, or - for stdin")
    callback.add_argument(
        "--failure",
        action="store_true",
        help="read it as a failure-callback body (dlqId and the workflow fields)",
    )
    callback.add_argument("--json", action="store_true", help="print JSON for machines")
    callback.set_defaults(handler=run)
