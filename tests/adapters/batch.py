"""The input is the batch body (text); the output one {path, headers[, body]} per item."""

from typing import Any

from qstash_protocol import Limits, decode_batch


def run(input: Any, options: dict[str, Any]) -> Any:
    options = dict(options)
    if "limits" in options:
        plan = options["limits"]  # a plan name or the fields
        options["limits"] = Limits.PLANS[plan] if isinstance(plan, str) else Limits(**plan)
    output = []
    for request in decode_batch(input, **options):
        item: dict[str, Any] = {"path": request.path, "headers": request.headers()}
        if request.body is not None:
            item["body"] = request.body
        output.append(item)
    return output
