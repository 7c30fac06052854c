"""The input is {"destination": str, "body": str (hashed as UTF-8), "headers": [[name, value]]}."""

from typing import Any

from qstash_protocol import content_deduplication_id


def run(input: Any, options: dict[str, Any]) -> Any:
    headers = [(name, value) for name, value in input["headers"]]
    return content_deduplication_id(
        input["destination"], input["body"].encode("utf-8"), headers, **options
    )
