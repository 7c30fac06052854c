"""The input is a /v2/batch response body (text); the output each element as JSON."""

from typing import Any

from qstash_protocol import ErrorResponse, PublishResponse, parse_batch_response


def run(input: Any, options: dict[str, Any]) -> Any:
    output: list[Any] = []
    for item in parse_batch_response(input, **options):
        if isinstance(item, ErrorResponse):
            output.append({"error": item.error})
        elif isinstance(item, PublishResponse):
            output.append(item.to_json())
        else:
            output.append([message.to_json() for message in item])
    return output
