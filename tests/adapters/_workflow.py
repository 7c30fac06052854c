"""Shared adapter of the captured workflow-SDK vectors (workflow_py.json, workflow_js.json).

A case's ``input`` is one request an SDK sent: ``path`` and ``headers``, and for ``/v2/batch``
the ``batch`` items (``destination``, optional ``queue``, ``headers``). A publish or enqueue
request is decoded with ``decode_request``; each batch item is decoded as the publish (or, with
a queue, enqueue) request it stands for. ``output`` is the canonical path and headers (a list,
one per item, for a batch).
"""

from typing import Any

from qstash_protocol import Finding, InvalidHeaders, ProtocolError, decode_request, lint_request


def _requests(input: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    if "batch" not in input:
        return [(input["path"], [tuple(pair) for pair in input["headers"]])]
    requests = []
    for item in input["batch"]:
        queue = item.get("queue")
        prefix = f"/v2/enqueue/{queue}/" if queue else "/v2/publish/"
        requests.append((prefix + item["destination"], [tuple(pair) for pair in item["headers"]]))
    return requests


def run(input: Any, options: dict[str, Any]) -> Any:
    outputs = []
    errors: list[ProtocolError] = []
    for path, headers in _requests(input):
        try:
            request = decode_request(path, headers, **options)
        except InvalidHeaders as invalid:
            errors.extend(invalid.errors)
            continue
        outputs.append({"path": request.path, "headers": request.headers()})
    if errors:
        raise InvalidHeaders(errors)
    return outputs if "batch" in input else outputs[0]


def lint(input: Any, options: dict[str, Any]) -> list[Finding]:
    return [
        finding
        for path, headers in _requests(input)
        for finding in lint_request(path, headers, **options)
    ]
