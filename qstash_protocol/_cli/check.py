"""``qstash-protocol check [FILE|-] [-H 'Name: value' ...]``: decode a request, show its meaning.

``--batch`` reads a ``/v2/batch`` body (JSON) instead; ``--limits free|payg|fixed-1m|fixed-10m``
also checks a plan's limits (the body size from a ``Content-Length`` header in the dump).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError
from qstash_protocol.publish.batch import InvalidBatch, decode_batch
from qstash_protocol.publish.codec import InvalidHeaders, decode_headers, encode_headers
from qstash_protocol.publish.limits import Limits, check_limits
from qstash_protocol.publish.options import Callback, MessageOptions
from qstash_protocol.publish.request import PublishRequest, decode_request

__all__ = ["read_request_text", "register", "run"]


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def read_request_text(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    r"""Read the request line's path (if any) and the headers from an HTTP or ``curl -v`` dump.

    Lines ``> ...`` (curl's request lines) are read without the marker; ``* ...`` and ``< ...``
    (curl's notes and the response) are skipped; the first blank line after the headers ends
    them (the body follows).

    >>> read_request_text("POST /v2/publish/g HTTP/1.1\nUpstash-Retries: 1\n\nbody")
    ('/v2/publish/g', [('Upstash-Retries', '1')])
    """
    path: str | None = None
    headers: list[tuple[str, str]] = []
    curl = any(line.startswith("> ") for line in text.splitlines())
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if curl:
            if not line.startswith(">"):
                continue
            line = line[1:].lstrip(" ")
        if not line.strip():
            if headers or path is not None:
                break
            continue
        first = line.split(" ", 1)[0]
        if path is None and not headers and first in _METHODS:
            parts = line.split()
            if len(parts) < 2:
                msg = f"line {number}: expected 'METHOD /path', got {line!r}"
                raise UsageError(msg)
            path = parts[1]
            continue
        name, colon, value = line.partition(":")
        if not colon:
            msg = f"line {number}: expected 'Name: value', got {line!r}"
            raise UsageError(msg)
        headers.append((name.strip(), value.strip(" \t")))
    return path, headers


def _describe_scope(scope: MessageOptions | Callback, indent: str) -> list[str]:
    lines = []
    data = scope.model_dump(mode="json", exclude_defaults=True)
    fields = list(type(scope).model_fields)
    if "url" in fields:  # a callback: its URL first
        fields.insert(0, fields.pop(fields.index("url")))
    for field in fields:
        if field in ("callback", "failure_callback", "forward", "extra") or field not in data:
            continue
        value = data[field]
        if field == "flow_control":
            value = f"{value['key']}: {value['value']}"
        elif isinstance(value, list):
            value = ", ".join(value)
        lines.append(f"{indent}{field.replace('_', ' ')}: {value}")
    for title, headers in (("forwarded headers", scope.forward), ("unknown headers", scope.extra)):
        if headers:
            lines.append(f"{indent}{title}:")
            lines.extend(f"{indent}  {name}: {value}" for name, value in headers.items())
    for field in ("callback", "failure_callback"):
        child = getattr(scope, field)
        if child is not None:
            lines.append(f"{indent}{field.replace('_', ' ')}:")
            lines.extend(_describe_scope(child, indent + "  "))
    return lines


def _run_batch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``check --batch``: decode a ``/v2/batch`` body (JSON) and show each message."""
    try:
        source = args.file or "-"
        text = sys.stdin.read() if source == "-" else _read_file(source)
    except OSError as error:
        print(f"qstash-protocol check: {error}", file=err)
        return EXIT_USAGE
    limits = None if args.limits is None else Limits.PLANS[args.limits]
    try:
        requests = decode_batch(text, unknown=args.unknown, limits=limits)
    except InvalidBatch as invalid:
        if args.json:
            print(json.dumps({"valid": False, **invalid.to_dict()}, indent=2), file=out)
        else:
            print(f"invalid: {invalid}", file=out)
        return EXIT_INVALID
    if args.json:
        items = [
            {
                "request": request.model_dump(mode="json", exclude_defaults=True),
                "path": request.path,
                "headers": request.headers(),
            }
            for request in requests
        ]
        print(json.dumps({"valid": True, "messages": items}, indent=2), file=out)
        return EXIT_OK
    print(f"valid batch of {len(requests)} message{'' if len(requests) == 1 else 's'}", file=out)
    for index, request in enumerate(requests):
        queue = f" via queue {request.queue}" if request.queue else ""
        print(f"/{index}: {request.kind}{queue} to {request.destination}", file=out)
        print(
            "\n".join(_describe_scope(request.options, "  ") or ["  (no QStash settings)"]),
            file=out,
        )
    return EXIT_OK


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length" and value.strip().isdigit():
            return int(value.strip())
    return None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.batch:
        return _run_batch(args, out, err)
    path: str | None = args.path
    headers: list[tuple[str, str]] = []
    try:
        if args.file is not None or not args.header:
            source = args.file or "-"
            text = sys.stdin.read() if source == "-" else _read_file(source)
            file_path, headers = read_request_text(text)
            path = path or file_path
        for item in args.header:
            name, colon, value = item.partition(":")
            if not colon:
                msg = f"-H expects 'Name: value', got {item!r}"
                raise UsageError(msg)
            headers.append((name.strip(), value))
    except (UsageError, OSError) as error:
        print(f"qstash-protocol check: {error}", file=err)
        return EXIT_USAGE
    request: PublishRequest | None = None
    options: MessageOptions
    limits = None if args.limits is None else Limits.PLANS[args.limits]
    try:
        if path is not None:
            request = decode_request(
                path,
                headers,
                unknown=args.unknown,
                limits=limits,
                content_length=_content_length(headers),
            )
            options = request.options
        else:
            options = decode_headers(headers, unknown=args.unknown)
            if limits is not None:
                excess = check_limits(options, limits, content_length=_content_length(headers))
                if excess:
                    raise InvalidHeaders(excess)
    except InvalidHeaders as invalid:
        if args.json:
            print(json.dumps({"valid": False, **invalid.to_dict()}, indent=2), file=out)
        else:
            print(f"invalid: {invalid}", file=out)
        return EXIT_INVALID
    canonical = encode_headers(options)
    if args.json:
        document: dict[str, object] = {"valid": True}
        if request is not None:
            document["request"] = request.model_dump(mode="json", exclude_defaults=True)
            document["path"] = request.path
        else:
            document["options"] = options.model_dump(mode="json", exclude_defaults=True)
        document["headers"] = canonical
        print(json.dumps(document, indent=2), file=out)
        return EXIT_OK
    if request is not None:
        queue = f" via queue {request.queue}" if request.queue else ""
        target = "URL group" if request.destination.kind == "url_group" else "URL"
        print(f"valid {request.kind} request{queue} to {target} {request.destination}", file=out)
    else:
        print("valid headers", file=out)
    print("\n".join(_describe_scope(options, "  ") or ["  (no QStash settings)"]), file=out)
    print("canonical headers:", file=out)
    for name, value in canonical.items():
        print(f"  {name}: {value}", file=out)
    return EXIT_OK


def _read_file(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def register(commands: Any) -> None:
    """Add the ``check`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    check = commands.add_parser(
        "check",
        help="decode a request (an HTTP dump, curl -v output, or -H headers)",
        description="Decode a QStash publish/enqueue/schedule request and show what it means.",
    )
    check.add_argument("file", nargs="?", help="a file with the request, or - for stdin")
    check.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header, as curl takes it (repeatable)",
    )
    check.add_argument("--path", help="the request path, e.g. /v2/publish/https://example.com")
    check.add_argument(
        "--unknown",
        choices=("keep", "error"),
        default="keep",
        help="keep (default) or refuse Upstash- headers the library does not know",
    )
    check.add_argument(
        "--batch",
        action="store_true",
        help="the input is a /v2/batch body (a JSON array of messages), not a request dump",
    )
    check.add_argument(
        "--limits",
        choices=tuple(Limits.PLANS),
        help="also check the plan's limits (max delay, timeout, body size from Content-Length)",
    )
    check.add_argument("--json", action="store_true", help="print JSON for machines")
    check.set_defaults(handler=run)
