"""The output is {"kind": "url" | "url_group" | "api", "value": the destination}."""

from typing import Any

from qstash_protocol import parse_destination


def run(input: Any, options: dict[str, Any]) -> Any:
    destination = parse_destination(input, **options)
    return {"kind": destination.kind, "value": str(destination)}
