from typing import Any

from qstash_protocol import decode_request


def run(input: Any, options: dict[str, Any]) -> Any:
    request = decode_request(input["path"], [tuple(pair) for pair in input["headers"]], **options)
    return {"path": request.path, "headers": request.headers()}
