import base64
from typing import Any

from qstash_protocol import parse_callback, parse_failure_callback


def run(input: Any, options: dict[str, Any]) -> Any:
    parse = parse_failure_callback if options.get("failure") else parse_callback
    body: bytes | str = base64.b64decode(input) if options.get("raw_base64") else input
    kwargs = {"max_size": options["max_size"]} if "max_size" in options else {}
    return parse(body, **kwargs).to_dict()
