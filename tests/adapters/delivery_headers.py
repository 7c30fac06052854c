from typing import Any

from qstash_protocol import decode_request, delivery_headers


def run(input: Any, options: dict[str, Any]) -> Any:
    arguments = dict(input)
    request = decode_request(arguments.pop("path"), [tuple(p) for p in arguments.pop("headers")])
    return delivery_headers(request, **arguments).to_dict()
