"""The input is a response body (text); the output its messages, as the service writes them."""

from typing import Any

from qstash_protocol import PublishResponse, parse_publish_response


def run(input: Any, options: dict[str, Any]) -> Any:
    parsed = parse_publish_response(input, **options)
    if isinstance(parsed, PublishResponse):
        return parsed.to_json()
    return [message.to_json() for message in parsed]
