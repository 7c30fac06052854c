from typing import Any

from qstash_protocol import validate_url_group_name


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_url_group_name(input, **options)
