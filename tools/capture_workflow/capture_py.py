"""Capture the requests the official Python workflow SDK (upstash-workflow) sends to QStash.

The network is stubbed with ``httpx.MockTransport``; a small simulated QStash keeps each run's
steps and re-delivers them to ``serve()``'s handler, so the handler publishes its next steps,
until the run is deleted. Every request the SDK sends is written to
``tests/vectors/workflow_py.json``. See README.md in this folder.

    python tools/capture_workflow/capture_py.py
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from qstash import QStash
from upstash_workflow import WorkflowContext, serve
from upstash_workflow.workflow_types import _SyncRequest

WORKFLOW_URL = "https://wf.example/api/workflow"
FAILURE_URL = "https://wf.example/api/failure"
OUT = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "workflow_py.json"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class SimulatedQStash:
    """Records the SDK's requests and queues the deliveries QStash would make."""

    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.requests: list[dict[str, Any]] = []
        self.pending: list[tuple[str, dict[str, str], str]] = []  # (url, headers, body)
        self.steps: dict[str, list[dict[str, Any]]] = {}
        self.initial: dict[str, str] = {}
        self.deleted: set[str] = set()

    def transport(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        body = request.content.decode()
        headers = list(request.headers.multi_items())
        # The token is the stub's; the run ids are random: both are kept as captured.
        self.requests.append(
            {
                "scenario": self.scenario,
                "method": request.method,
                "path": path,
                "headers": headers,
                "body": body,
            }
        )
        if path.startswith("/v2/workflows/runs/"):
            self.deleted.add(path.rsplit("/", 1)[-1].split("?")[0])
            return httpx.Response(200, json={})
        if path == "/v2/batch":
            messages = json.loads(body)
            for message in messages:
                self._publish(
                    message["destination"], message.get("headers") or {}, message.get("body") or ""
                )
            return httpx.Response(200, json=[{"messageId": "msg_1"} for _ in messages])
        if path.startswith("/v2/publish/"):
            self._publish(path[len("/v2/publish/") :], dict(request.headers), body)
            return httpx.Response(200, json={"messageId": "msg_1"})
        return httpx.Response(200, json={})

    def _publish(self, destination: str, headers: dict[str, str], body: str) -> None:
        lower = {k.lower(): v for k, v in headers.items()}
        run_id = lower.get("upstash-workflow-runid", "")
        forwarded = {
            k[len("upstash-forward-") :]: v
            for k, v in lower.items()
            if k.startswith("upstash-forward-")
        }
        if destination == WORKFLOW_URL:
            if lower.get("upstash-workflow-init") == "true":
                self.initial[run_id] = body
                self.steps[run_id] = []
            else:
                step = json.loads(body)
                if "out" in step or step.get("stepType") in ("SleepFor", "SleepUntil"):
                    self.steps[run_id].append(step)
            deliver = {**forwarded, "upstash-workflow-runid": run_id}
            self.pending.append((WORKFLOW_URL, deliver, self._payload(run_id)))
        elif "upstash-callback" in lower:  # context.call: the third party answers 200
            callback = {
                k[len("upstash-callback-forward-") :]: v
                for k, v in lower.items()
                if k.startswith("upstash-callback-forward-")
            }
            answer = {
                "status": 200,
                "header": {"content-type": ["application/json"]},
                "body": b64(json.dumps({"ok": True})),
                "retried": 0,
                "maxRetries": 0,
                "url": destination,
            }
            callback.update({"upstash-workflow-runid": run_id, "upstash-workflow-callback": "true"})
            for key, value in lower.items():
                if key.startswith("upstash-callback-workflow-"):
                    callback["upstash-workflow-" + key[len("upstash-callback-workflow-") :]] = value
            self.pending.append((lower["upstash-callback"], callback, json.dumps(answer)))

    def _payload(self, run_id: str) -> str:
        items = [{"messageId": "msg_init", "body": b64(self.initial[run_id]), "callType": "step"}]
        items += [
            {"messageId": f"msg_{i}", "body": b64(json.dumps(step)), "callType": "step"}
            for i, step in enumerate(self.steps[run_id])
        ]
        return json.dumps(items)


def drive(name: str, route: Callable[[WorkflowContext[Any]], None], **options: Any) -> list[Any]:
    qstash = SimulatedQStash(name)
    client = QStash("TOKEN")
    client.http._client = httpx.Client(transport=httpx.MockTransport(qstash.transport))
    handler = serve(route, qstash_client=client, url=WORKFLOW_URL, **options)["handler"]
    first = _SyncRequest(
        body=json.dumps({"order": 1}),
        headers={"content-type": "application/json"},
        method="POST",
        url=WORKFLOW_URL,
    )
    handler(first)
    for _ in range(40):
        if not qstash.pending:
            break
        url, headers, body = qstash.pending.pop(0)
        if url != WORKFLOW_URL:
            continue
        handler(_SyncRequest(body=body, headers=httpx.Headers(headers), method="POST", url=url))  # type: ignore[arg-type]
    return qstash.requests


def runs(context: WorkflowContext[Any]) -> None:
    first = context.run("first", lambda: "one")
    context.run("second", lambda: first + " two")


def sleeps(context: WorkflowContext[Any]) -> None:
    context.run("before", lambda: 1)
    context.sleep("wait", 90)
    context.sleep_until("until", 1893456000)
    context.run("after", lambda: 2)


def calls(context: WorkflowContext[Any]) -> None:
    context.call("get", url="https://api.example/items", method="GET")
    context.call(
        "post",
        url="https://api.example/items",
        method="POST",
        body={"a": 1},
        headers={"authorization": "Bearer k"},
        retries=2,
        timeout=30,
    )
    context.run("after", lambda: "done")


def main() -> None:
    scenarios: list[tuple[str, Callable[[WorkflowContext[Any]], None], dict[str, Any]]] = [
        ("runs", runs, {}),
        ("runs, retries 5", runs, {"retries": 5}),
        ("runs, retries 0", runs, {"retries": 0}),
        ("runs, failure URL", runs, {"failure_url": FAILURE_URL}),
        ("sleeps", sleeps, {}),
        ("calls", calls, {}),
        ("calls, failure URL", calls, {"failure_url": FAILURE_URL}),
        ("calls, failure function", calls, {"failure_function": lambda *a: None}),
    ]
    captured = []
    for name, route, options in scenarios:
        captured += drive(name, route, **options)
    document = {
        "description": (
            "Requests the official Python workflow SDK sends to QStash, captured with the network "
            f"stubbed: upstash-workflow {version('upstash-workflow')} "
            f"on qstash {version('qstash')} "
            f"(Python {sys.version_info.major}.{sys.version_info.minor}); regenerate with "
            "tools/capture_workflow/capture_py.py. See tests/vectors/README.md for the format."
        ),
        "parser": "workflow_py",
        "cases": to_cases(captured),
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"{len(document['cases'])} requests -> {OUT}")


def to_cases(captured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Publish, enqueue and batch requests as vector inputs (other endpoints are left out)."""
    cases = []
    seen: dict[str, int] = {}
    for request in captured:
        path = request["path"]
        if request["method"] != "POST" or not path.startswith(
            ("/v2/publish/", "/v2/enqueue/", "/v2/batch")
        ):
            continue
        number = seen[request["scenario"]] = seen.get(request["scenario"], 0) + 1
        shown = path.split("?")[0][:60]
        case: dict[str, Any] = {
            "description": f"{request['scenario']}, request {number}: POST {shown}",
            "input": {"path": path, "headers": request["headers"]},
        }
        if path.startswith("/v2/batch"):
            case["input"]["batch"] = [
                {
                    "destination": item["destination"],
                    **({"queue": item["queue"]} if item.get("queue") else {}),
                    "headers": list((item.get("headers") or {}).items()),
                }
                for item in json.loads(request["body"])
            ]
        cases.append(case)
    return cases


if __name__ == "__main__":
    main()
