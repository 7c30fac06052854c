"""The conformance kit: the reference server passes it, and every planted bug is caught."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qstash_protocol import decode_request
from qstash_protocol.cli import main
from qstash_protocol.testing.conformance import (
    ConformanceReport,
    Delivered,
    Response,
    Result,
    capabilities,
    conformance_cases,
    run_case,
    run_conformance,
)
from tests.conformance_server import (
    MUTANTS,
    BatchAsObject,
    DropsForwardedAuthorization,
    ReferenceServer,
    RefusesOrphanCallbackScope,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = 5


def _library_accepts_orphan_scopes() -> bool:
    try:
        decode_request("/v2/publish/https://example.com", {"Upstash-Callback-Retries": "1"})
    except ValueError:
        return False
    return True


#: Why the reference server may skip a case: the vectors that need a URL group on the server,
#: and what this checkout of the library cannot check yet.
ALLOWED_SKIPS = [r"publishes to the (URL group|API destination) '[^']+', which the kit cannot"]
# What this checkout of the library still refuses, where the service accepts it.
ALLOWED_SKIPS.append(r"^this qstash_protocol refuses .*; a version that accepts it")
# A vector whose only problem is its qstash_token: the kit leaves the token to the adapter.
ALLOWED_SKIPS.append(r"^its problem is the qstash_token query parameter")
# Vectors with a CR, LF, NUL or non-ASCII character in a header: no HTTP client sends them.
ALLOWED_SKIPS.append(r"^holds characters an HTTP client cannot send")


def test_the_reference_server_passes_every_case() -> None:
    report = run_conformance(ReferenceServer(), examples=EXAMPLES)
    assert report.ok, report.table()
    skipped = [r for r in report.results if r.verdict == "skip"]
    unexplained = [r for r in skipped if not any(re.search(p, r.message) for p in ALLOWED_SKIPS)]
    assert not unexplained, unexplained
    assert len(report.results) == len(conformance_cases())
    passed = {r.id for r in report.results if r.verdict == "pass"}
    assert {
        "delivery.retried-zero",
        "scheduling.not-before-over-delay",
        "batch.delivered",
    } <= passed
    assert "delivery.signature" in passed


@pytest.mark.parametrize("mutant", list(MUTANTS), ids=lambda m: m.__name__)
def test_each_mutant_is_caught_by_its_cases_with_a_message_naming_the_bug(mutant: type) -> None:
    if mutant is RefusesOrphanCallbackScope and not _library_accepts_orphan_scopes():
        pytest.skip("this checkout of the library refuses orphan callback scopes itself")
    case_ids, words = MUTANTS[mutant]
    # Every case but the Hypothesis samples (the slow ones), unless the mutant is expected there.
    select = [c.id for c in conformance_cases() if "sample" not in c.id or c.id in case_ids]
    report = run_conformance(mutant(), select=select, examples=EXAMPLES)
    failed = {r.id: r.message for r in report.failures}
    for case_id in case_ids:
        assert case_id in failed, f"{mutant.__name__} was not caught by {case_id}"
    assert any(words in failed[case_id] for case_id in case_ids), failed
    assert not report.ok


def test_there_are_at_least_ten_distinct_mutants_of_distinct_steps() -> None:
    assert len(MUTANTS) >= 10
    for mutant in MUTANTS:
        overridden = {k for k in vars(mutant) if not k.startswith("__")}
        assert overridden, f"{mutant.__name__} changes nothing"


def test_the_mutant_messages_name_their_bugs() -> None:
    report = run_conformance(DropsForwardedAuthorization(), select=["delivery"])
    (failure,) = report.failures
    assert failure.id == "delivery.forwarded-headers"
    assert failure.message.startswith("dropped the forwarded header Authorization")


class _OnlySubmit:
    """Accepts every request with an id, delivers nothing: a stub like the public emulators."""

    def __init__(self) -> None:
        self.count = 0

    def submit(self, method: str, path: str, headers: Any, body: bytes) -> Response:
        self.count += 1
        if path == "/v2/batch":
            return Response(200, {}, json.dumps([{"messageId": "a"}, {"messageId": "b"}]))
        return Response(200, {}, json.dumps({"messageId": f"msg_{self.count}"}))


def test_cases_needing_a_missing_capability_are_skipped_never_passed() -> None:
    adapter = _OnlySubmit()
    assert capabilities(adapter) == frozenset()
    report = run_conformance(adapter, select=["delivery", "scheduling", "batch.delivered"])
    assert report.results
    for result in report.results:
        assert result.verdict == "skip", result
        assert "the adapter has no" in result.message


def test_a_stub_that_accepts_everything_fails_every_refusal() -> None:
    report = run_conformance(_OnlySubmit(), select=["refusal", "acceptance.invalid-vector"])
    ran = [r for r in report.results if not r.message.startswith("its problem is the qstash_token")]
    assert len(ran) >= len(report.results) - 1
    assert all(r.verdict == "fail" for r in ran), report.table()
    assert all("it must be refused with 4xx" in r.message for r in ran)


def test_a_stub_that_never_deduplicates_fails_deduplication() -> None:
    report = run_conformance(_OnlySubmit(), select=["deduplication.same-id"])
    assert report.results[0].verdict == "fail"
    assert "ignored deduplication" in report.results[0].message


class _HttpxLike:
    """Answers like an httpx.Response: status_code, content, multi-valued headers."""

    class Headers:
        def __init__(self, pairs: list[tuple[str, str]]) -> None:
            self.pairs = pairs

        def multi_items(self) -> list[tuple[str, str]]:
            return self.pairs

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content
        self.headers = self.Headers([("content-type", "application/json")])


class _HttpxAdapter(ReferenceServer):
    def submit(self, method: str, path: str, headers: Any, body: bytes) -> Any:
        answer = super().submit(method, path, headers, body)
        return _HttpxLike(answer.status, answer.body)


def test_httpx_style_answers_are_read_too() -> None:
    report = run_conformance(_HttpxAdapter(), select=["refusal", "acceptance.valid-vector.1"])
    assert report.ok and report.results, report.table()


def test_the_kit_sends_no_authorization_header_of_its_own() -> None:
    seen: list[list[tuple[str, str]]] = []

    class Recorder(ReferenceServer):
        def submit(self, method: str, path: str, headers: Any, body: bytes) -> Any:
            seen.append(headers)
            return super().submit(method, path, headers, body)

    run_conformance(Recorder(), select=["acceptance.valid-vector"])
    assert seen
    assert not any(n.lower() == "authorization" for headers in seen for n, _ in headers)


@pytest.mark.parametrize(
    ("case_id", "at_least"), [("acceptance.valid-sample", 5), ("acceptance.invalid-sample", 5)]
)
def test_the_samples_send_requests(case_id: str, at_least: int) -> None:
    sent: list[str] = []

    class Counting(ReferenceServer):
        def submit(self, method: str, path: str, headers: Any, body: bytes) -> Any:
            sent.append(path)
            return super().submit(method, path, headers, body)

    report = run_conformance(Counting(), select=[case_id], examples=10)
    assert report.results[0].verdict == "pass"
    assert len(sent) >= at_least, sent


def test_the_kit_deletes_the_schedules_it_creates() -> None:
    created: list[str] = []

    class Counting(ReferenceServer):
        def submit(self, method: str, path: str, headers: Any, body: bytes) -> Any:
            answer = super().submit(method, path, headers, body)
            if method == "POST" and path.startswith("/v2/schedules/") and answer.status == 201:
                created.append(json.loads(answer.body)["scheduleId"])
            return answer

    server = Counting()
    assert run_conformance(server, select=["acceptance.valid-vector"]).ok
    assert created, "no schedule vector ran"
    assert server.schedules == set()


def test_an_adapter_that_raises_fails_the_case_with_the_error() -> None:
    class Broken:
        def submit(self, method: str, path: str, headers: Any, body: bytes) -> Any:
            raise ConnectionError("refused")

    result = run_case(next(c for c in conformance_cases() if c.id == "batch.accepted"), Broken())
    assert result.verdict == "fail"
    assert result.message.startswith("the adapter raised ConnectionError: refused")


def test_an_answer_the_kit_cannot_read_fails_the_case_and_the_run_goes_on() -> None:
    class Odd:
        def submit(self, method: str, path: str, headers: Any, body: bytes) -> Any:
            return Response(201, {}, 12345)  # type: ignore[arg-type]

    report = run_conformance(Odd(), select=["refusal.negative-delay", "batch.accepted"])
    assert [r.verdict for r in report.results] == ["fail", "fail"]
    assert report.results[0].message == (
        "the case could not run: TypeError: a body must be bytes or text, got int"
    )


def test_a_delivery_in_the_past_of_the_checks_clock_still_verifies() -> None:
    class Late(ReferenceServer):
        def delivered(self, url: str) -> list[Delivered]:
            return [
                Delivered(d.method, d.url, d.headers, d.body, at=None)
                for d in super().delivered(url)
            ]

    result = run_conformance(Late(), select=["delivery.signature"]).results[0]
    assert result.verdict == "pass", result


def test_case_ids_are_unique_stable_and_name_a_spec_section() -> None:
    cases = conformance_cases()
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids))
    for case in cases:
        assert re.fullmatch(r"[a-z]+(\.[a-z0-9-]+)+", case.id), case.id
        assert re.fullmatch(r"docs/protocol/[a-z_]+\.md#[a-z-]+", case.section), case.section
        assert case.severity in ("must", "should")
    # Ids of vectors are their position in the file, so they survive new vectors at the end.
    assert "acceptance.valid-vector.1" in ids
    assert "acceptance.invalid-vector.12" in ids


def test_every_section_anchor_exists_in_the_docs_page() -> None:
    page = ROOT / "docs" / "protocol" / "conformance.md"
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    for case in conformance_cases():
        assert case.section.split("#")[1] in anchors, case.section


def test_the_report_renders_as_a_table_and_as_json() -> None:
    report = run_conformance(DropsForwardedAuthorization(), select=["delivery.forwarded-headers"])
    table = report.table().splitlines()
    assert table[0].split() == ["verdict", "severity", "case", "message"]
    assert table[2].startswith("FAIL     must      delivery.forwarded-headers  dropped")
    data = json.loads(report.to_json())
    assert data["summary"] == {"pass": 0, "fail": 1, "fail_must": 1, "fail_should": 0, "skip": 0}
    (result,) = data["results"]
    assert result["id"] == "delivery.forwarded-headers"
    assert result["section"] == "docs/protocol/conformance.md#delivery"
    assert ConformanceReport((Result(**result),)).to_dict() == data


def test_select_keeps_ids_and_their_prefixes_only() -> None:
    report = run_conformance(ReferenceServer(), select=["delivery.method", "batch"])
    assert [r.id for r in report.results] == [
        "delivery.method",
        "batch.accepted",
        "batch.delivered",
    ]


def test_not_before_is_checked_against_the_given_clock() -> None:
    fixed = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    server = ReferenceServer(clock=lambda: fixed)
    report = run_conformance(server, select=["scheduling"], now=lambda: fixed)
    assert report.ok, report.table()


# -- the command line ------------------------------------------------------------------------


def test_cli_runs_the_kit_and_exits_0_when_nothing_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(
        ["conformance", "tests.conformance_server:ReferenceServer", "--select", "delivery.method"]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "pass     must      delivery.method" in out
    assert out.rstrip().endswith("1 passed, 0 failed (0 must, 0 should), 0 skipped")


def test_cli_exits_1_on_a_failure_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "conformance",
            "tests.conformance_server:RetriedFromOne",
            "--select",
            "delivery.retried-zero",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert out.count("\n") == 1
    document = json.loads(out)
    assert (document["command"], document["valid"]) == ("conformance", False)
    data = document["result"]
    assert data["summary"]["fail"] == 1
    assert data["results"][0]["verdict"] == "fail"
    assert "Upstash-Retried is '1'" in data["results"][0]["message"]
    [error] = document["errors"]
    assert (error["code"], error["value"]) == ("conformance.must", "delivery.retried-zero")
    assert "Upstash-Retried is '1'" in error["message"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("tests.conformance_server", "expected module:factory"),
        ("tests.no_such_module:x", "ModuleNotFoundError"),
        ("tests.conformance_server:nothing", "AttributeError"),
        ("tests.conformance_server:WINDOW", "neither an adapter nor a callable"),
        ("tests.conformance_server:defaultdict", "must have submit"),
    ],
)
def test_cli_exits_2_when_the_adapter_cannot_be_loaded(
    spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conformance", spec]) == 2
    assert message in capsys.readouterr().err
    assert main(["conformance", spec, "--json"]) == 2
    [error] = json.loads(capsys.readouterr().out)["errors"]
    assert error["code"] == "cli.usage" and message in error["message"]


# -- the pytest plugin ------------------------------------------------------------------------


def test_the_pytest_plugin_runs_the_cases_as_parametrised_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from tests.conformance_server import ReferenceServer, RetriedFromOne

        pytest_plugins = ["qstash_protocol.testing.pytest_plugin"]

        @pytest.fixture(scope="module")
        def qstash_server():
            return RetriedFromOne()
        """
    )
    pytester.syspathinsert(str(ROOT))
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--qstash-examples", "3", "-k", "delivery", "-rfs"
    )
    selected = [c for c in conformance_cases() if "delivery" in c.id]
    result.assert_outcomes(failed=1, passed=len(selected) - 1)
    result.stdout.fnmatch_lines(
        [
            "*_ qstash_conformance[[]delivery.retried-zero[]] _*",
            "*Upstash-Retried is '1' on the first attempt*",
            "FAILED conftest.py::qstash_conformance[[]delivery.retried-zero[]]*",
        ]
    )


def test_the_pytest_plugin_stays_out_of_conftests_that_do_not_enable_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest("import pytest\n")
    pytester.makepyfile(test_other="def test_x():\n    pass\n")
    result = pytester.runpytest("-p", "qstash_protocol.testing.pytest_plugin")
    result.assert_outcomes(passed=1)


def test_the_docs_page_lists_every_case_that_is_not_a_vector() -> None:
    page = (ROOT / "docs" / "protocol" / "conformance.md").read_text(encoding="utf-8")
    for case in conformance_cases():
        if "vector" not in case.id and ".workflow-" not in case.id:
            assert f"| `{case.id}` | {case.severity} |" in page, case.id


def test_the_kit_reads_the_vectors_of_the_source_tree() -> None:
    from qstash_protocol._resources import vector_text

    for name in ("request.json", "headers.json"):
        text = (ROOT / "tests" / "vectors" / name).read_text(encoding="utf-8")
        assert vector_text(name) == text


CLIENT_VECTORS = {
    "description": "two requests a client was seen sending",
    "parser": "workflow_py",
    "cases": [
        {
            "input": {
                "path": "/v2/publish/https://wf.example/api/workflow",
                "headers": [
                    ["host", "qstash.upstash.io"],
                    ["content-length", "2"],
                    ["authorization", "Bearer TOKEN"],
                    ["Upstash-Workflow-RunId", "wfr_1"],
                    ["Upstash-Forward-Upstash-Workflow-Sdk-Version", "1"],
                ],
            },
            "output": {},
        },
        {
            "input": {
                "path": "/v2/batch",
                "headers": [
                    ["authorization", "Bearer TOKEN"],
                    ["content-type", "application/json"],
                ],
                "batch": [
                    {"destination": "https://wf.example/a", "headers": [["Upstash-Retries", "1"]]},
                    {"destination": "https://wf.example/b", "queue": "q", "headers": []},
                ],
            },
            "output": [],
        },
    ],
}


def test_requests_real_clients_sent_are_replayed(monkeypatch: pytest.MonkeyPatch) -> None:
    from qstash_protocol.testing import conformance

    real = conformance.vector_text

    def vector_text(name: str) -> str:
        if name == "workflow_py.json":
            return json.dumps(CLIENT_VECTORS)
        return real(name)

    monkeypatch.setattr(conformance, "vector_text", vector_text)
    conformance._vectors.cache_clear()
    try:
        cases = [c for c in conformance._client_cases() if ".workflow-py." in c.id]
        assert [c.id for c in cases] == ["acceptance.workflow-py.1", "acceptance.workflow-py.2"]
        good = [run_case(c, ReferenceServer()) for c in cases]
        assert [r.verdict for r in good] == ["pass", "pass"], good
        bad = run_case(cases[1], BatchAsObject())
        assert bad.verdict == "fail"
        assert "not a batch response" in bad.message
    finally:
        conformance._vectors.cache_clear()
