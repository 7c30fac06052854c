from typing import Any

from qstash_protocol import Finding, decode_headers, encode_headers, lint_headers


def run(input: Any, options: dict[str, Any]) -> Any:
    return encode_headers(decode_headers([tuple(pair) for pair in input], **options))


def lint(input: Any, options: dict[str, Any]) -> list[Finding]:
    return lint_headers([tuple(pair) for pair in input], **options)
