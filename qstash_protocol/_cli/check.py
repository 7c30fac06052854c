"""``qstash-protocol check [FILE|-] [-H 'Name: value' ...] [--strict]``: decode a request.

Shows what the request means. Errors (what QStash refuses) exit 1; warnings (what it accepts
but ignores, or a likely slip) are printed below the verdict and exit 0, or 1 with ``--strict``.
``--batch`` reads a ``/v2/batch`` body (JSON) instead; ``--limits free|payg|fixed-1m|fixed-10m``
also checks a plan's limits (the body size from a ``Content-Length`` header in the dump).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Final, TextIO

from qstash_protocol._cli import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    UsageError,
    print_json,
)
from qstash_protocol._cli.dump import InvalidDump, read_dump, read_request_text

if TYPE_CHECKING:  # the library is imported when the command runs, not when it is registered
    from qstash_protocol.publish.findings import Finding
    from qstash_protocol.publish.options import Callback, MessageOptions, OrphanScope
    from qstash_protocol.publish.request import PublishRequest

__all__ = ["read_request_text", "register", "run"]

#: The plans ``--limits`` takes: the keys of ``Limits.PLANS``, written here so that building the
#: command line (``--help``, any other command) does not import the models
#: (``tests/test_cli_startup.py`` checks they are the same).
PLANS: Final = ("free", "payg", "fixed-1m", "fixed-10m")

_NESTED = (
    "callback",
    "failure_callback",
    "orphan_callback",
    "orphan_failure_callback",
    "forward",
    "extra",
)


def _describe_scope(scope: MessageOptions | Callback | OrphanScope, indent: str) -> list[str]:
    lines = []
    data = scope.model_dump(mode="json", exclude_defaults=True)
    fields = list(type(scope).model_fields)
    if "url" in fields:  # a callback: its URL first
        fields.insert(0, fields.pop(fields.index("url")))
    for field in fields:
        if field in _NESTED or field not in data:
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
    for field in ("callback", "failure_callback", "orphan_callback", "orphan_failure_callback"):
        child = getattr(scope, field)
        if child is not None:
            title = field.replace("_", " ")
            if field.startswith("orphan_"):
                title = f"{title[len('orphan ') :]} settings without its URL (ignored by QStash)"
            lines.append(f"{indent}{title}:")
            lines.extend(_describe_scope(child, indent + "  "))
    return lines


def _run_batch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``check --batch``: decode a ``/v2/batch`` body (JSON) and show each message."""
    from qstash_protocol.publish.batch import InvalidBatch, decode_batch  # noqa: PLC0415 (on use: start-up)
    from qstash_protocol.publish.limits import Limits  # noqa: PLC0415 (on use: start-up)

    try:
        source = args.file or "-"
        body = _read_stdin() if source == "-" else _read_file(source)
    except OSError as error:
        if args.json:
            print_json(out, "check", valid=False, errors=[CliError(str(error), code="cli.usage")])
        else:
            print(f"qstash-protocol check: {error}", file=err)
        return EXIT_USAGE
    limits = None if args.limits is None else Limits.PLANS[args.limits]
    try:
        requests = decode_batch(body, unknown=args.unknown, limits=limits)
    except InvalidBatch as invalid:
        if args.json:
            print_json(out, "check", valid=False, errors=invalid.to_dict()["errors"])
        else:
            print(f"invalid: {invalid}", file=out)
        return EXIT_INVALID
    if args.json:
        items = [
            {
                "path": request.path,
                "request": request.model_dump(
                    mode="json", exclude_defaults=True, exclude={"options"}
                ),
                "options": request.options.model_dump(mode="json", exclude_defaults=True),
                "headers": request.headers(),
            }
            for request in requests
        ]
        print_json(out, "check", valid=True, result={"messages": items})
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
    # On use, not at import (start-up): only the command that runs loads the library.
    from qstash_protocol.publish.codec import (  # noqa: PLC0415
        InvalidHeaders,
        decode_with_findings,
        encode_headers,
    )
    from qstash_protocol.publish.findings import Finding  # noqa: PLC0415
    from qstash_protocol.publish.limits import Limits, check_limits  # noqa: PLC0415
    from qstash_protocol.publish.request import request_with_findings  # noqa: PLC0415

    path: str | None = args.path
    headers: list[tuple[str, str]] = []
    try:
        if args.file is not None or not args.header:
            source = args.file or "-"
            dump = read_dump(_read_stdin() if source == "-" else _read_file(source))
            headers = dump.headers
            path = path or dump.path
        for item in args.header:
            name, colon, value = item.partition(":")
            if not colon:
                msg = f"-H expects 'Name: value', got {item!r}"
                raise UsageError(msg)
            headers.append((name.strip(), value))
    except InvalidDump as error:
        if args.json:
            print_json(out, "check", valid=False, errors=[error])
        else:
            print(f"qstash-protocol check: {error}", file=err)
        return EXIT_USAGE
    except (UsageError, OSError) as error:
        if args.json:
            print_json(out, "check", valid=False, errors=[CliError(str(error), code="cli.usage")])
        else:
            print(f"qstash-protocol check: {error}", file=err)
        return EXIT_USAGE
    request: PublishRequest | None = None
    options: MessageOptions | None
    limits = None if args.limits is None else Limits.PLANS[args.limits]
    content_length = _content_length(headers)
    if path is not None:
        request, findings = request_with_findings(
            path, headers, unknown=args.unknown, limits=limits, content_length=content_length
        )
        options = None if request is None else request.options
    else:
        options, findings = decode_with_findings(headers, unknown=args.unknown)
        if options is not None and limits is not None:
            excess = check_limits(options, limits, content_length=content_length)
            findings += [Finding.from_error(error) for error in excess]
            if excess:
                options = None
    errors = [finding for finding in findings if finding.severity == "error"]
    warnings = [finding for finding in findings if finding.severity == "warning"]
    status = EXIT_INVALID if errors or (args.strict and warnings) else EXIT_OK
    if options is None:
        invalid = InvalidHeaders(errors)
        if args.json:
            print_json(
                out,
                "check",
                valid=False,
                errors=invalid.errors,
                errors_omitted=invalid.errors_omitted,
                findings=findings,
            )
        else:
            print(f"invalid: {invalid}", file=out)
            _print_warnings(warnings, out, strict=args.strict)
        return status
    canonical = encode_headers(options)
    if args.json:
        if status != EXIT_OK:  # --strict and warnings: they are the errors
            print_json(out, "check", valid=False, errors=warnings, findings=findings)
            return status
        result: dict[str, object] = {
            "path": None if request is None else request.path,
            "request": None
            if request is None
            else request.model_dump(mode="json", exclude_defaults=True, exclude={"options"}),
            "options": options.model_dump(mode="json", exclude_defaults=True),
            "headers": canonical,
        }
        print_json(out, "check", valid=True, result=result, findings=findings)
        return status
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
    _print_warnings(warnings, out, strict=args.strict)
    return status


def _print_warnings(warnings: list[Finding], out: TextIO, *, strict: bool) -> None:
    """Warnings below the verdict: accepted by the service, but ignored or probably a slip."""
    if not warnings:
        return
    count = "1 warning" if len(warnings) == 1 else f"{len(warnings)} warnings"
    verdict = "refused with --strict" if strict else "the service accepts this; --strict refuses it"
    print(f"{count} ({verdict}):", file=out)
    for warning in warnings:
        first, *rest = str(warning).split("\n")
        print(f"- {first} [{warning.code}]", file=out)
        for line in rest:
            print(f"  {line}", file=out)


def _read_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _read_stdin() -> bytes | str:
    # The bytes when there are any (a real stdin), else the text (a StringIO in tests).
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read()


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
        choices=PLANS,
        help="also check the plan's limits (max delay, timeout, body size from Content-Length)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on warnings too (what the service accepts but ignores, or a likely slip)",
    )
    check.add_argument("--json", action="store_true", help="print JSON for machines")
    check.set_defaults(handler=run)
