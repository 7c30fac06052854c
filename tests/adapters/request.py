from typing import Any

from qstash_protocol import Finding, decode_request, lint_request


def run(input: Any, options: dict[str, Any]) -> Any:
    request = decode_request(input["path"], [tuple(pair) for pair in input["headers"]], **options)
    return {"path": request.path, "headers": request.headers()}


def lint(input: Any, options: dict[str, Any]) -> list[Finding]:
    return lint_request(input["path"], [tuple(pair) for pair in input["headers"]], **options)
