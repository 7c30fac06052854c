r"""A conformance kit for QStash-compatible servers: named cases, a verdict per case, a report.

Point it at anything that answers QStash's API (a local emulator, a self-hosted queue, a test
double inside an SDK's test suite) through an adapter with one method, and it tells you which
parts of the protocol the server gets right. Like h2spec for HTTP/2 or the Autobahn suite for
WebSockets, every case has a stable id, a title, the section of the specification it checks, a
severity (``must`` or ``should``) and, after a run, a verdict (``pass``, ``fail`` or ``skip``)
with a message that says what went wrong.

>>> from qstash_protocol.testing.conformance import Response, run_conformance
>>> class Stub:  # accepts everything and signs nothing, like most emulators found so far
...     def submit(self, method, path, headers, body):
...         return Response(200, {"Content-Type": "application/json"}, b'{"messageId": "m"}')
>>> report = run_conformance(Stub(), select=["refusal.negative-delay"])
>>> report.results[0].verdict
'fail'
>>> print(report.results[0].message)
accepted Upstash-Delay: -10s (a negative delay) with 200; it must be refused with 4xx
(the library refuses it: duration.signed)

The kit opens no socket and touches no file of yours: the adapter does the I/O.

- :class:`ServerAdapter`: ``submit(method, path, headers, body)`` sends one request to the
  server and returns any object with ``status`` (or ``status_code``), ``headers`` and ``body``
  (or ``content``), such as the kit's own :class:`Response` or an ``httpx.Response``. The kit
  sends no ``Authorization`` header: the adapter adds its own.
- :class:`DeliveryAdapter` (optional): ``delivered(url)`` returns what the server has sent to a
  destination URL so far (objects with ``method``, ``url``, ``headers``, ``body`` and optionally
  ``at``, the time it was sent, such as :class:`Delivered`), and ``signing_keys()`` the current
  and next signing keys it signs with. The adapter makes sure every delivery that is due has
  happened before it answers (flush the server's queue, or wait).
- :class:`ScheduleAdapter` (optional): ``scheduled_at(message_id)`` returns when the server
  plans the message's first attempt.
- ``destination_base`` (optional attribute): the URL under which the kit makes up destination
  URLs for the cases that need a delivery (default :data:`DEFAULT_DESTINATION_BASE`, a reserved
  ``.example`` name that never resolves); point it at a sink your adapter can read.

:func:`capabilities` says which of these an adapter has; a case that needs a missing one is
skipped with the reason, never passed.

Facts
-----
The cases check the rules of the project's specification (``docs/protocol/conformance.md``
lists every case and its sources):

- **Acceptance** (https://upstash.com/docs/qstash/api-reference/messages/publish-a-message):
  every valid request vector (``tests/vectors/request.json`` and ``headers.json``, shipped in the
  package) and a Hypothesis sample of valid requests is accepted with 2xx and a publish response
  body ``{"messageId": ...}`` (``{"scheduleId": ...}`` for schedules). The expectation is always
  the library's own verdict (:func:`~qstash_protocol.decode_request`), so the kit and the library
  never disagree. Vectors that publish to a URL group or the LLM API are skipped: the kit cannot
  know which URL groups exist on the server. The requests the official workflow SDKs were
  captured sending (``workflow_py.json``, ``workflow_js.json``), batches included, are replayed
  too when the package ships them.
- **Refusal**: every invalid vector, a Hypothesis sample of invalid header sets and a list of
  targeted mistakes (negative delay, negative retries, ...) is refused with 4xx and a JSON body
  ``{"error": "<text>"}`` (the error model of QStash's OpenAPI document; the service answered
  ``{"error":"invalid Upstash-Delay header: time: missing unit in duration \"1\""}``, quoted in
  https://github.com/upstash/qstash-js/pull/9). That the error text names the offending header is
  a *should* of its own: QStash names it in most errors seen, but not all
  (``DeduplicationId cannot contain ':'``), so the kit matches the name loosely, ignoring case,
  the ``Upstash-`` prefix and dashes. The kit does not insist on 400: any 4xx is a refusal.
- **Delivery** (https://upstash.com/docs/qstash/howto/receiving,
  https://upstash.com/docs/qstash/howto/signature): forwarded headers arrive without their
  ``Upstash-Forward-`` prefix, no QStash setting is passed on, the body and method are the
  published ones, ``Upstash-Message-Id`` is the publish response's id, ``Upstash-Retried`` is
  ``0`` on the first attempt, and ``Upstash-Signature`` verifies with the server's keys for the
  destination URL and the exact body bytes. The kit publishes a body that is not valid UTF-8, so a
  server that hashes the body as text is caught.
- **Deduplication** (https://upstash.com/docs/qstash/features/deduplication): a second publish
  with the same ``Upstash-Deduplication-Id`` (or the same content, with content-based
  deduplication) within the window gets the first message's id and is not delivered again;
  ``202`` with ``"deduplicated": true`` is a *should*.
- **Scheduling** (https://upstash.com/docs/qstash/features/delay): with both ``Upstash-Delay``
  and ``Upstash-Not-Before``, Not-Before wins.
- **Batch** (https://upstash.com/docs/qstash/features/batch): ``POST /v2/batch`` with a JSON array
  of ``{destination, headers, body}`` answers one element per item, and each item is delivered
  with its own headers and body.
- **Portable samples**: generated valid requests stay inside the free plan's published limits
  (delay up to a day, timeout up to 15 minutes, at most 3 retries, small flow-control numbers,
  Not-Before in the past), so a server that enforces plan limits is not failed for enforcing them.
- **Authentication is the adapter's**: the kit never sends ``Authorization``, transport headers
  (``Host``, ``Content-Length``, ...) or a vector's ``qstash_token`` query parameter.
- **API v1** vectors are *should* cases: v1 is deprecated and gone from the documentation.
- Samples are derandomised (the same requests every run), so a verdict is reproducible; a failing
  sample is shrunk by Hypothesis to a small request before it is reported.
- The kit deletes each schedule it creates (``DELETE /v2/schedules/{id}``, the answer ignored),
  so a run leaves nothing firing on a real server.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final, Literal, NoReturn, Protocol, runtime_checkable

import jwt
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from qstash_protocol._resources import vector_text
from qstash_protocol.delivery.request import TRANSPORT_HEADERS, decode_delivery
from qstash_protocol.delivery.signature import (
    InvalidSignature,
    SigningKeys,
    body_hash,
    same_url,
    verify_signature,
)
from qstash_protocol.publish.batch import InvalidBatch, decode_batch, encode_batch
from qstash_protocol.publish.codec import InvalidHeaders, decode_headers
from qstash_protocol.publish.headers import Headers
from qstash_protocol.publish.limits import Limits
from qstash_protocol.publish.options import Callback, FlowControl
from qstash_protocol.publish.request import PublishRequest, decode_request
from qstash_protocol.publish.responses import (
    ErrorResponse,
    InvalidResponse,
    PublishResponse,
    parse_batch_response,
    parse_error_response,
    parse_publish_response,
    parse_schedule_response,
)
from qstash_protocol.testing.strategies import (
    _sdk_headers,
    invalid_publish_headers,
    message_options,
)
from qstash_protocol.values.flow_control import FlowControlValue

__all__ = [
    "DEFAULT_DESTINATION_BASE",
    "Capability",
    "ConformanceCase",
    "ConformanceReport",
    "Delivered",
    "DeliveryAdapter",
    "Response",
    "Result",
    "ScheduleAdapter",
    "ServerAdapter",
    "Severity",
    "Verdict",
    "capabilities",
    "conformance_cases",
    "run_case",
    "run_conformance",
]

Severity = Literal["must", "should"]
Verdict = Literal["pass", "fail", "skip"]
#: What an adapter can do beyond ``submit``: see :func:`capabilities`.
Capability = Literal["delivery", "schedule"]

#: Where the kit's destination URLs live unless the adapter says otherwise (RFC 2606 reserves
#: ``.example``: a real server's deliveries there fail harmlessly).
DEFAULT_DESTINATION_BASE: Final = "https://conformance.qstash-protocol.example"

_SPEC: Final = "docs/protocol/conformance.md"
#: Bytes that are not UTF-8 (0xff, 0xfe), a NUL and a trailing newline: a server that treats the
#: body as text changes or hashes something else.
_BINARY_BODY: Final = b"\x00\xffconformance \xfe\xc3(body)\n"
_TEXT_BODY: Final = b'{"conformance": true}'


# -- what the adapter returns ------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """A server's answer, as an adapter returns it.

    ``headers`` is a mapping or a sequence of ``(name, value)`` pairs; ``body`` bytes or text.

    >>> Response(400, {"Content-Type": "application/json"}, b'{"error": "bad"}').status
    400
    """

    status: int
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    body: bytes | str = b""


@dataclass(frozen=True)
class Delivered:
    """One request the server sent to a destination, as a :class:`DeliveryAdapter` reports it.

    ``at`` is when the server sent it (the kit checks the signature's lifetime at that time;
    without it, at the time of the check).

    >>> Delivered("POST", "https://example.com/hook", {"Upstash-Retried": "0"}, b"hi").method
    'POST'
    """

    method: str
    url: str
    headers: Mapping[str, str] | Sequence[tuple[str, str]]
    body: bytes | str
    at: datetime | None = None


@runtime_checkable
class ServerAdapter(Protocol):
    """Sends one request to the server under test and returns its answer.

    >>> class Fake:
    ...     def submit(self, method, path, headers, body):
    ...         return Response(404)
    >>> isinstance(Fake(), ServerAdapter)
    True
    """

    def submit(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        """Send ``method path`` with ``headers`` and ``body``; return status, headers, body."""


@runtime_checkable
class DeliveryAdapter(Protocol):
    """What the server delivered to a destination, and the keys it signed with (optional).

    >>> class Sink:
    ...     def delivered(self, url):
    ...         return []
    ...     def signing_keys(self):
    ...         return ("sig_current", "sig_next")
    >>> isinstance(Sink(), DeliveryAdapter)
    True
    """

    def delivered(self, url: str) -> Sequence[Any]:
        """Every request sent to ``url`` so far, oldest first (objects like :class:`Delivered`)."""

    def signing_keys(self) -> Any:
        """The current and next signing keys: a ``(current, next)`` pair or ``SigningKeys``."""


@runtime_checkable
class ScheduleAdapter(Protocol):
    """When the server plans a message's first attempt (optional).

    >>> class Clock:
    ...     def scheduled_at(self, message_id):
    ...         return None
    >>> isinstance(Clock(), ScheduleAdapter)
    True
    """

    def scheduled_at(self, message_id: str) -> datetime | None:
        """The time of the first attempt of ``message_id`` (``None`` if unknown)."""


def capabilities(adapter: object) -> frozenset[Capability]:
    """Which optional capabilities ``adapter`` has: ``"delivery"`` and ``"schedule"``.

    >>> class Both:
    ...     def submit(self, method, path, headers, body): ...
    ...     def delivered(self, url): ...
    ...     def signing_keys(self): ...
    ...     def scheduled_at(self, message_id): ...
    >>> sorted(capabilities(Both()))
    ['delivery', 'schedule']
    >>> sorted(capabilities(object()))
    []
    """
    found: set[Capability] = set()
    if isinstance(adapter, DeliveryAdapter):
        found.add("delivery")
    if isinstance(adapter, ScheduleAdapter):
        found.add("schedule")
    return frozenset(found)


# -- cases, results, report ----------------------------------------------------------------------


class _Failed(Exception):
    """The server did something the case forbids (the message names what)."""


class _Skipped(Exception):
    """The case cannot run here (the message says why)."""


def _fail(message: str) -> NoReturn:
    raise _Failed(message)


def _skip(reason: str) -> NoReturn:
    raise _Skipped(reason)


@dataclass(frozen=True)
class ConformanceCase:
    """One named check of a server.

    ``section`` is the part of the specification it checks (``docs/protocol/<file>.md#anchor``);
    ``needs`` the adapter capabilities it cannot run without.

    >>> case = next(c for c in conformance_cases() if c.id == "delivery.retried-zero")
    >>> case.severity, sorted(case.needs)
    ('must', ['delivery'])
    """

    id: str
    title: str
    section: str
    severity: Severity
    check: Callable[[_Run], None] = field(repr=False, compare=False)
    needs: frozenset[Capability] = frozenset()


@dataclass(frozen=True)
class Result:
    """The verdict of one case, and the message that explains a failure or a skip.

    >>> Result("refusal.negative-delay", "t", "s", "must", "pass").to_dict()["verdict"]
    'pass'
    """

    id: str
    title: str
    section: str
    severity: Severity
    verdict: Verdict
    message: str = ""

    def to_dict(self) -> dict[str, str]:
        """The result as JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "severity": self.severity,
            "verdict": self.verdict,
            "message": self.message,
        }


@dataclass(frozen=True)
class ConformanceReport:
    """Every case's result; renders as a table (:meth:`table`) or JSON (:meth:`to_json`).

    >>> report = ConformanceReport((
    ...     Result("a.one", "first", "s", "must", "pass"),
    ...     Result("a.two", "second", "s", "should", "fail", "wrong"),
    ... ))
    >>> report.ok, report.summary()
    (False, '1 passed, 1 failed (0 must, 1 should), 0 skipped')
    >>> print(report.table())
    verdict  severity  case   message
    -------  --------  -----  -------
    pass     must      a.one
    FAIL     should    a.two  wrong
    """

    results: tuple[Result, ...]

    @property
    def failures(self) -> tuple[Result, ...]:
        """The failed cases."""
        return tuple(r for r in self.results if r.verdict == "fail")

    @property
    def ok(self) -> bool:
        """True when no case failed (skips do not count as failures, nor as passes)."""
        return not self.failures

    def counts(self) -> dict[str, int]:
        """How many cases passed, failed (in total and by severity) and were skipped."""
        failures = self.failures
        return {
            "pass": sum(r.verdict == "pass" for r in self.results),
            "fail": len(failures),
            "fail_must": sum(r.severity == "must" for r in failures),
            "fail_should": sum(r.severity == "should" for r in failures),
            "skip": sum(r.verdict == "skip" for r in self.results),
        }

    def summary(self) -> str:
        """One line: passed, failed (by severity) and skipped."""
        c = self.counts()
        return (
            f"{c['pass']} passed, {c['fail']} failed ({c['fail_must']} must, "
            f"{c['fail_should']} should), {c['skip']} skipped"
        )

    def table(self) -> str:
        """A plain-text table, one line per case (the first line of each message)."""
        head = ("verdict", "severity", "case", "message")
        rows = [head, tuple("-" * len(h) for h in head)]
        for r in self.results:
            verdict = "FAIL" if r.verdict == "fail" else r.verdict
            rows.append((verdict, r.severity, r.id, r.message.split("\n", 1)[0]))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rows[1] = (*("-" * w for w in widths), rows[1][3])
        return "\n".join(
            "  ".join(
                [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[3]]
            ).rstrip()
            for row in rows
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data: ``{"summary": {...}, "results": [...]}``."""
        return {"summary": self.counts(), "results": [r.to_dict() for r in self.results]}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text (:meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


# -- talking to the adapter -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    """Header pairs from a mapping, a multi-dict (``.multi_items()``) or an iterable of pairs."""
    if headers is None:
        return []
    if hasattr(headers, "multi_items"):
        return [(_text(n), _text(v)) for n, v in headers.multi_items()]
    if isinstance(headers, Mapping):
        return [(_text(n), _text(v)) for n, v in headers.items()]
    return [(_text(n), _text(v)) for n, v in headers]


def _get(pairs: Iterable[tuple[str, str]], name: str) -> str | None:
    """The value of header ``name`` (case-insensitive); repeated values joined with ``", "``."""
    lower = name.lower()
    values = [v for n, v in pairs if n.lower() == lower]
    return ", ".join(values) if values else None


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    msg = f"a body must be bytes or text, got {type(body).__name__}"
    raise TypeError(msg)


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_MISSING: Final = object()
#: Headers the kit never passes to the adapter: the token (the adapter adds its own) and the
#: transport headers a captured request carries, which the adapter's HTTP client writes itself.
_NOT_SENT: Final = frozenset(
    ["authorization", "accept-encoding", *(name.lower() for name in TRANSPORT_HEADERS)]
)


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return _MISSING

    def shown(self) -> str:
        return f"{self.status} {_shorten(self.body.decode('utf-8', 'replace'))}"


@dataclass(frozen=True)
class _Delivery:
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    at: datetime | None


def _join(base: str, tail: str) -> str:
    return base.rstrip("/") + "/" + tail


@dataclass
class _Run:
    """One run's view of the adapter: normalised answers, fresh destination URLs."""

    adapter: Any
    examples: int
    now: Callable[[], datetime]
    base: str
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    counter: int = 0
    case_id: str = ""

    def url(self, name: str = "") -> str:
        """A destination URL no other case (nor an earlier run) uses."""
        self.counter += 1
        tail = f"{self.case_id}/{self.token}-{self.counter}"
        return _join(self.base, f"{tail}/{name}" if name else tail)

    def submit(
        self, method: str, path: str, headers: Iterable[tuple[str, str]], body: bytes
    ) -> _Reply:
        sent = [(n, v) for n, v in headers if n.lower() not in _NOT_SENT]
        try:
            answer = self.adapter.submit(method, path, sent, body)
        except Exception as error:  # the adapter's own failure is the server's verdict
            _fail(f"the adapter raised {type(error).__name__}: {error} for {method} {path}")
        status = getattr(answer, "status", None)
        if status is None:
            status = getattr(answer, "status_code", None)
        if not isinstance(status, int):
            _fail(f"the adapter returned {answer!r}, with no integer status")
        body_value = getattr(answer, "body", _MISSING)
        if body_value is _MISSING:
            body_value = getattr(answer, "content", b"")
        return _Reply(status, _pairs(getattr(answer, "headers", None)), _bytes(body_value))

    def publish(self, destination: str, headers: Iterable[tuple[str, str]], body: bytes) -> _Reply:
        return self.submit("POST", f"/v2/publish/{destination}", headers, body)

    def deliveries(self, url: str) -> list[_Delivery]:
        found = self.adapter.delivered(url)
        return [
            _Delivery(
                method=str(getattr(d, "method", "")),
                url=str(getattr(d, "url", url)),
                headers=_pairs(getattr(d, "headers", None)),
                body=_bytes(getattr(d, "body", b"")),
                at=getattr(d, "at", None),
            )
            for d in found
        ]

    def signing_keys(self) -> tuple[str, str | None]:
        keys = self.adapter.signing_keys()
        if isinstance(keys, tuple | list):
            current, next_ = (keys[0], keys[1]) if len(keys) > 1 else (keys[0], None)
        else:
            current, next_ = keys.current, getattr(keys, "next", None)
        return str(current), None if next_ is None else str(next_)


# -- checks shared by the cases -----------------------------------------------------------------


def _expect_accepted(reply: _Reply, what: str, *, schedule: bool = False) -> str:
    """Check a 2xx publish (or schedule) response with an id; return the id."""
    if not 200 <= reply.status < 300:
        _fail(f"refused {what}: {reply.shown()}; it must be accepted with 2xx")
    try:
        if schedule:
            return parse_schedule_response(reply.body).schedule_id
        parsed = parse_publish_response(reply.body)
    except InvalidResponse as error:
        _fail(
            f"accepted {what} but the body is not a publish response ({error.message}): "
            f"{reply.shown()}"
        )
    if isinstance(parsed, list):
        _fail(
            f"accepted {what} to one URL but answered with a list, as for a URL group: "
            f"{reply.shown()}"
        )
    if not parsed.message_id:
        _fail(f"accepted {what} but the messageId is empty: {reply.shown()}")
    return parsed.message_id


def _expect_refused(reply: _Reply, what: str, code: str, *, shape: bool = True) -> str:
    """Check a 4xx with ``{"error": text}``; return the text."""
    if 200 <= reply.status < 300:
        _fail(
            f"accepted {what} with {reply.status}; it must be refused with 4xx\n"
            f"(the library refuses it: {code})"
        )
    if not 400 <= reply.status < 500:
        _fail(
            f"answered {reply.status} to {what}: a refusal of the request must be a client "
            f"error (4xx, QStash answers 400), not {reply.status} ({code})"
        )
    try:
        return parse_error_response(reply.body).error
    except InvalidResponse:
        if shape:
            _fail(
                f"refused {what} with {reply.status} but not with a JSON "
                f'{{"error": text}} body: {reply.shown()}'
            )
    return reply.body.decode("utf-8", "replace")


def _refused_for(reply: _Reply, what: str, code: str, *, header: bool, shape: bool = True) -> str:
    """The error text of a refusal; a header-naming case skips when the refusal itself fails."""
    if not header:
        return _expect_refused(reply, what, code, shape=shape)
    try:
        return _expect_refused(reply, what, code, shape=shape)
    except _Failed as failed:
        _skip(f"the refusal itself fails, so there is no error text to read: {failed}")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _names_header(error: str, header: str) -> bool:
    """Whether ``error`` names ``header``: exactly or loosely (case, ``Upstash-``, dashes)."""
    if header.lower() in error.lower():
        return True
    core = header[len("upstash-") :] if header.lower().startswith("upstash-") else header
    return _squash(core) in _squash(error)


def _headers_text(headers: Iterable[tuple[str, str]]) -> str:
    """The headers as the kit sends them (no token, no transport headers), for messages."""
    shown = "; ".join(f"{n}: {v}" for n, v in headers if n.lower() not in _NOT_SENT)
    return _shorten(shown, 300)


_SENDABLE: Final = re.compile(r"[\x20-\x7e\t]*")


def _sendable(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether every HTTP client can send these headers: visible ASCII, spaces and tabs only.

    Control characters cannot be sent at all, and clients differ on non-ASCII (httpx refuses it
    in ``str`` values), so the kit leaves such requests out rather than fail the adapter.
    """
    return all(_SENDABLE.fullmatch(name) and _SENDABLE.fullmatch(value) for name, value in headers)


_UNSENDABLE: Final = (
    "holds characters an HTTP client cannot send (control or non-ASCII characters in a header)"
)


def _library_error(path: str, headers: list[tuple[str, str]]) -> InvalidHeaders | None:
    try:
        decode_request(path, headers)
    except InvalidHeaders as error:
        return error
    return None


# -- acceptance and refusal ---------------------------------------------------------------------


@cache
def _vectors(name: str) -> list[dict[str, Any]]:
    """The cases of a vector file; none when this version of the package does not ship it."""
    try:
        text = vector_text(name)
    except FileNotFoundError:
        return []
    cases: list[dict[str, Any]] = json.loads(text)["cases"]
    return cases


def _vector_request(name: str, index: int) -> tuple[str, list[tuple[str, str]]]:
    case = _vectors(name)[index]
    if name == "request.json":
        path = case["input"]["path"]
        headers = case["input"]["headers"]
    else:
        path = "/v2/publish/https://example.com/conformance"
        headers = case["input"]
    pairs = [
        (str(n), str(v)) for n, v in (headers.items() if isinstance(headers, dict) else headers)
    ]
    return _without_token(path), pairs


_TOKEN_PARAMETER: Final = re.compile(r"(?<=[?&])qstash_token=[^&]*(?:&|$)", re.IGNORECASE)


def _without_token(path: str) -> str:
    """The path without a ``qstash_token`` query parameter: the adapter authenticates."""
    return _TOKEN_PARAMETER.sub("", path).rstrip("?&")


def _valid_vector(name: str, index: int) -> Callable[[_Run], None]:
    def check(run: _Run) -> None:
        path, headers = _vector_request(name, index)
        if not _sendable(headers):
            _skip(_UNSENDABLE)
        try:
            request = decode_request(path, headers)
        except InvalidHeaders as error:  # pragma: no cover - test_vectors keeps them in step
            _skip(f"this qstash_protocol refuses the vector ({error.errors[0].code})")
        if request.destination.kind != "url":
            # URL groups must exist on the server, and api/<name> is a provider's API: the kit
            # cannot create either.
            kind = "URL group" if request.destination.kind == "url_group" else "API destination"
            _skip(
                f"publishes to the {kind} {str(request.destination)!r}, which the kit cannot create"
            )
        schedule = request.creates_schedule
        created = _expect_accepted(
            run.submit("POST", path, headers, _TEXT_BODY),
            f"POST {path} with {_headers_text(headers) or 'no settings'}",
            schedule=schedule,
        )
        if schedule:  # leave no schedule firing behind; the answer does not matter
            prefix = "/v1/scheduled" if request.api_version == 1 else "/v2/schedules"
            with contextlib.suppress(_Failed):
                run.submit("DELETE", f"{prefix}/{created}", [], b"")

    return check


def _invalid_vector(name: str, index: int, *, header: bool) -> Callable[[_Run], None]:
    def check(run: _Run) -> None:
        path, headers = _vector_request(name, index)
        if not _sendable(headers):
            _skip(_UNSENDABLE)
        error = _library_error(path, headers)
        if error is None:
            # Its error is in the qstash_token parameter, which the kit leaves to the adapter.
            _skip("its problem is the qstash_token query parameter; the adapter authenticates")
        code = _vectors(name)[index]["error"]["code"]
        what = f"POST {path} with {_headers_text(headers) or 'no settings'}"
        unknown_endpoint = code == "request.unknown_endpoint"
        reply = run.submit("POST", path, headers, _TEXT_BODY)
        text = _refused_for(reply, what, code, header=header, shape=not unknown_endpoint)
        expected = _vectors(name)[index]["error"].get("header")
        if header and expected and not _names_header(text, expected):
            _fail(f"refused {what} but the error does not name {expected}: {_shorten(text)}")

    return check


def _vector_cases() -> list[ConformanceCase]:
    cases: list[ConformanceCase] = []
    for name, label in (("request.json", "vector"), ("headers.json", "header-vector")):
        for index, vector in enumerate(_vectors(name)):
            if vector.get("options"):
                continue  # parser options (unknown="error") have no server equivalent
            n = index + 1
            about = vector.get("description", "")
            # API v1 (deprecated, and gone from the documentation) is a should.
            severity: Severity = (
                "should" if _vector_request(name, index)[0][:4] == "/v1/" else "must"
            )
            if "output" in vector:
                cases.append(
                    ConformanceCase(
                        f"acceptance.valid-{label}.{n}",
                        f"valid {name} case {n} is accepted: {about}",
                        f"{_SPEC}#acceptance",
                        severity,
                        _valid_vector(name, index),
                    )
                )
                continue
            code = vector["error"]["code"]
            cases.append(
                ConformanceCase(
                    f"acceptance.invalid-{label}.{n}",
                    f"invalid {name} case {n} is refused with 4xx ({code})",
                    f"{_SPEC}#refusal",
                    severity,
                    _invalid_vector(name, index, header=False),
                )
            )
            if vector["error"].get("header"):
                cases.append(
                    ConformanceCase(
                        f"errors.names-header.{label}.{n}",
                        f"the refusal of {name} case {n} names {vector['error']['header']}",
                        f"{_SPEC}#error-messages",
                        "should",
                        _invalid_vector(name, index, header=True),
                    )
                )
    return cases


#: Every request an official client was captured sending: (vector file, id label, client).
_CLIENT_VECTORS: Final = (
    ("workflow_py.json", "workflow-py", "the Python workflow SDK"),
    ("workflow_js.json", "workflow-js", "the TypeScript workflow SDK"),
)


def _pairs_of(headers: Any) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, dict) else headers
    return [(str(n), str(v)) for n, v in items]


def _client_vector(name: str, index: int) -> Callable[[_Run], None]:
    def check(run: _Run) -> None:
        request = _vectors(name)[index]["input"]
        path, headers = request["path"], _pairs_of(request.get("headers") or [])
        if request.get("batch") is None:
            what = f"POST {path} with {_headers_text(headers)}"
            try:
                decoded = decode_request(path, headers)
            except InvalidHeaders as error:
                _skip(
                    f"this qstash_protocol refuses the request ({error.errors[0].code}); a "
                    "version that accepts it, as the service does, checks this case"
                )
            if decoded.destination.kind != "url":
                _skip(f"publishes to {str(decoded.destination)!r}, which the kit cannot create")
            _expect_accepted(run.submit("POST", path, headers, _TEXT_BODY), what)
            return
        items = []
        for item in request["batch"]:
            entry: dict[str, Any] = {
                "destination": item["destination"],
                "headers": dict(_pairs_of(item.get("headers") or [])),
                "body": _TEXT_BODY.decode(),
            }
            if item.get("queue"):
                entry["queue"] = item["queue"]
            items.append(entry)
        body = json.dumps(items).encode()
        try:
            decoded_items = decode_batch(body)
        except InvalidBatch as error:
            _skip(
                f"this qstash_protocol refuses the batch ({error.errors[0].code}); a version "
                "that accepts it, as the service does, checks this case"
            )
        if any(d.destination.kind != "url" for d in decoded_items):
            _skip("a batch item goes to a URL group or an API, which the kit cannot create")
        reply = run.submit("POST", "/v2/batch", headers, body)
        what = f"the batch of {len(items)} the client sent"
        if not 200 <= reply.status < 300:
            _fail(f"refused {what}: {reply.shown()}; it must be accepted with 2xx")
        try:
            answers = parse_batch_response(reply.body)
        except InvalidResponse as error:
            _fail(f"accepted {what} but the body is not a batch response ({error.message})")
        if len(answers) != len(items):
            _fail(f"answered {what} with {len(answers)} elements, not one per item")
        refused = [a for a in answers if isinstance(a, ErrorResponse)]
        if refused:
            _fail(f"refused items of {what}: {_shorten(refused[0].error)}")

    return check


def _client_cases() -> list[ConformanceCase]:
    cases = []
    for name, label, client in _CLIENT_VECTORS:
        for index, vector in enumerate(_vectors(name)):
            if "output" not in vector:
                continue
            cases.append(
                ConformanceCase(
                    f"acceptance.{label}.{index + 1}",
                    f"request {index + 1} {client} was seen sending is accepted",
                    f"{_SPEC}#acceptance",
                    "must",
                    _client_vector(name, index),
                )
            )
    return cases


#: Targeted mistakes: (slug, headers, what the mistake is). Each must be refused.
_REFUSALS: Final = (
    ("negative-delay", [("Upstash-Delay", "-10s")], "a negative delay"),
    ("delay-without-unit", [("Upstash-Delay", "30")], "a delay without a unit"),
    ("negative-retries", [("Upstash-Retries", "-1")], "negative retries"),
    ("unknown-method", [("Upstash-Method", "FETCH")], "an unknown HTTP method"),
    ("power-operator", [("Upstash-Retry-Delay", "2 ^ retried")], "'^' in a retry delay"),
    ("deduplication-colon", [("Upstash-Deduplication-Id", "a:b")], "':' in a deduplication id"),
    ("callback-scheme", [("Upstash-Callback", "ftp://example.com/cb")], "an ftp callback URL"),
    (
        "flow-control-incomplete",
        [("Upstash-Flow-Control-Key", "k")],
        "a flow-control key without a value",
    ),
    (
        "flow-control-zero",
        [("Upstash-Flow-Control-Key", "k"), ("Upstash-Flow-Control-Value", "rate=0")],
        "a zero rate",
    ),
)


def _refusal(headers: list[tuple[str, str]], mistake: str) -> Callable[[_Run], None]:
    def check(run: _Run) -> None:
        path = f"/v2/publish/{run.url()}"
        error = _library_error(path, headers)
        if error is None:
            _skip(f"this qstash_protocol accepts {mistake}")
        code = error.errors[0].code
        shown = ", ".join(f"{n}: {v}" for n, v in headers)
        _expect_refused(run.submit("POST", path, headers, _TEXT_BODY), f"{shown} ({mistake})", code)

    return check


#: Requests the service accepts although they look wrong (the library's warnings, not errors):
#: (slug, path under /v2/, headers, what they are, severity). A server must not refuse them.
_ACCEPTED: Final[tuple[tuple[str, str, list[tuple[str, str]], str, Severity], ...]] = (
    (
        "orphan-callback-scope",
        "publish",
        [("Upstash-Callback-Retries", "2"), ("Upstash-Failure-Callback-Forward-X-Trace", "t1")],
        "callback settings without a callback URL (an orphan callback scope)",
        "must",
    ),
    (
        "repeated-setting",
        "publish",
        [("Upstash-Retries", "1"), ("Upstash-Retries", "2")],
        "the same setting twice (the first one applies)",
        "should",
    ),
    (
        "schedule-only-on-publish",
        "publish",
        [("Upstash-Cron", "* * * * *")],
        "Upstash-Cron on a publish (it has no effect there)",
        "should",
    ),
    (
        "flow-control-on-enqueue",
        "enqueue/conformance",
        [("Upstash-Flow-Control-Key", "k"), ("Upstash-Flow-Control-Value", "parallelism=1")],
        "flow control on an enqueue",
        "should",
    ),
    (
        "misspelled-header",
        "publish",
        [("Upstash-Retry", "3")],
        "an unknown Upstash- header one letter away from a known one (kept as unknown)",
        "should",
    ),
)


def _accepted(endpoint: str, headers: list[tuple[str, str]], what: str) -> Callable[[_Run], None]:
    def check(run: _Run) -> None:
        path = f"/v2/{endpoint}/{run.url()}"
        error = _library_error(path, headers)
        if error is not None:
            _skip(
                f"this qstash_protocol refuses {what} ({error.errors[0].code}); a version that "
                "accepts it, as the service does, checks this case"
            )
        reply = run.submit("POST", path, headers, _TEXT_BODY)
        if not 200 <= reply.status < 300:
            _fail(f"refused {what}: {reply.shown()}; QStash accepts it")
        _expect_accepted(reply, what)

    return check


# -- Hypothesis samples -------------------------------------------------------------------------

_DAY: Final = timedelta(days=1)
_PAST: Final = datetime(2025, 1, 1, tzinfo=UTC)


def _portable_flow(flow: FlowControl | None) -> FlowControl | None:
    if flow is None:
        return None
    value = flow.value
    period = None if value.period is None else min(value.period, timedelta(hours=1))
    small = FlowControlValue(
        parallelism=None if value.parallelism is None else min(value.parallelism, 10),
        rate=None if value.rate is None else min(value.rate, 100),
        period=period,
    )
    return FlowControl(key=flow.key, value=small)


def _portable(options: Any) -> Any:
    """Options inside the free plan's published limits (see the module's Facts)."""
    update: dict[str, Any] = {}
    if options.delay is not None:
        update["delay"] = options.delay % _DAY
    if options.not_before is not None:
        seconds = int(options.not_before.timestamp()) % 86_400
        update["not_before"] = _PAST + timedelta(seconds=seconds)
    if options.timeout is not None and Limits.FREE.max_timeout is not None:
        update["timeout"] = min(options.timeout, Limits.FREE.max_timeout)
    if options.retries is not None:
        update["retries"] = min(options.retries, 3)
    update["flow_control"] = _portable_flow(options.flow_control)
    for name in ("forward", "extra"):  # values an HTTP client can send (see _sendable)
        update[name] = Headers(
            (n, v) for n, v in getattr(options, name).items() if _sendable([(n, v)])
        )
    for name in ("callback", "failure_callback"):
        child: Callback | None = getattr(options, name, None)
        if child is not None:
            update[name] = _portable(child)
    return options.model_copy(update=update)


def _run_property(strategy: st.SearchStrategy[Any], run: _Run, test: Callable[[Any], None]) -> None:
    """Run ``test`` on a derandomised sample; report the shrunk failing example."""
    failures: list[str] = []

    def record(value: Any) -> None:
        try:
            test(value)
        except _Failed as failed:
            failures.append(str(failed))
            raise

    prop = settings(
        max_examples=run.examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
    )(given(strategy)(record))
    try:
        prop()
    except _Failed as failed:
        _fail(str(failed))
    except HypothesisException as error:
        detail = f"; the last failure: {failures[-1]}" if failures else ""
        _fail(f"the sample did not give a stable verdict ({type(error).__name__}){detail}")


def _valid_sample(run: _Run) -> None:
    destination = run.url()
    path = f"/v2/publish/{destination}"
    strategy = message_options(max_depth=1).map(_portable).flatmap(_sdk_headers)

    def test(headers: dict[str, str]) -> None:
        pairs = list(headers.items())
        if not _sendable(pairs):
            return
        try:
            decode_request(path, pairs, limits=Limits.FREE, content_length=len(_TEXT_BODY))
        except InvalidHeaders:
            return  # over the free plan's limits (or invalid): nothing to expect of every server
        sent.append(1)
        _expect_accepted(run.submit("POST", path, pairs, _TEXT_BODY), _headers_text(pairs))

    sent: list[int] = []
    _run_property(strategy, run, test)
    if not sent:  # pragma: no cover - the strategies make sendable requests
        _skip("the sample held no request within the free plan's limits that HTTP can carry")


def _invalid_sample(*, header: bool) -> Callable[[_Run], None]:
    def check(run: _Run) -> None:
        path = f"/v2/publish/{run.url()}"

        def test(example: Any) -> None:
            value = example.value
            pairs = [
                (str(n), str(v)) for n, v in (value.items() if isinstance(value, dict) else value)
            ]
            error = _library_error(path, pairs)
            if error is None or not _sendable(pairs):
                return  # the library accepts it (a reading that changed), or it cannot be sent
            first = error.errors[0]
            sent.append(1)
            reply = run.submit("POST", path, pairs, _TEXT_BODY)
            text = _refused_for(reply, _headers_text(pairs), first.code, header=header)
            named = [e.header for e in error.errors if e.header]
            if header and named and not any(_names_header(text, h) for h in named):
                _fail(
                    f"refused {_headers_text(pairs)} but the error names none of "
                    f"{', '.join(named)}: {_shorten(text)}"
                )

        sent: list[int] = []
        _run_property(invalid_publish_headers(), run, test)
        if not sent:  # pragma: no cover - the strategies make sendable requests
            _skip("the sample held no invalid request that HTTP can carry")

    return check


# -- delivery ------------------------------------------------------------------------------------

_FORWARDED: Final = (
    ("X-Api-Key", "k-123"),
    ("X-Trace-Id", "trace 1"),
    ("Authorization", "Bearer for-the-destination"),
)

#: QStash settings sent with the delivery case's publish; none may reach the destination.
_SETTINGS: Final = (
    ("Upstash-Retries", "2"),
    ("Upstash-Timeout", "30s"),
    ("Upstash-Retry-Delay", "1000 * retried"),
    ("Upstash-Flow-Control-Key", "conformance"),
    ("Upstash-Flow-Control-Value", "parallelism=5, rate=100"),
    ("Upstash-Redact-Fields", "body"),
)


@dataclass(frozen=True)
class _Published:
    """The delivery cases' message: where it went, its id, and its first delivery."""

    run: _Run
    destination: str
    message_id: str
    delivery: _Delivery


def _delivery_publish(run: _Run) -> _Published:
    destination = run.url("hook?source=conformance")
    headers = [
        ("Content-Type", "application/octet-stream"),
        *((f"Upstash-Forward-{n}", v) for n, v in _FORWARDED),
        *_SETTINGS,
        ("Upstash-Deduplication-Id", f"conformance-{run.token}-{run.counter}"),
        ("Upstash-Callback", run.url("callback")),
        ("Upstash-Callback-Forward-X-Callback-Only", "cb"),
        ("Upstash-Failure-Callback", run.url("failure")),
    ]
    reply = run.publish(destination, headers, _BINARY_BODY)
    message_id = _expect_accepted(reply, "the delivery case's publish")
    return _Published(run, destination, message_id, _first_delivery(run, destination))


def _first_delivery(run: _Run, destination: str) -> _Delivery:
    found = run.deliveries(destination)
    if not found:
        _fail(f"nothing was delivered to {destination} after an accepted publish")
    return found[0]


def _delivery_case(check: Callable[[_Published], None]) -> Callable[[_Run], None]:
    def run_it(run: _Run) -> None:
        check(_delivery_publish(run))

    return run_it


def _forward_prefix(sent: _Published) -> None:
    delivery = sent.delivery
    kept = [n for n, _ in delivery.headers if n.lower().startswith("upstash-forward-")]
    if kept:
        _fail(
            f"kept the Upstash-Forward- prefix on delivery: {', '.join(kept)} arrived; "
            "a forwarded header must arrive under its own name"
        )


def _forwarded_headers(sent: _Published) -> None:
    delivery = sent.delivery
    for name, value in _FORWARDED:
        got = _get(delivery.headers, name)
        if got is None:
            _fail(f"dropped the forwarded header {name} (sent as Upstash-Forward-{name}: {value})")
        if got != value:
            _fail(f"changed the forwarded header {name}: sent {value!r}, delivered {got!r}")
    got = _get(delivery.headers, "Content-Type")
    if got != "application/octet-stream":
        _fail(f"delivered Content-Type {got!r}; the published one was 'application/octet-stream'")


def _no_settings(sent: _Published) -> None:
    delivery = sent.delivery
    settings_ = {n.lower() for n, _ in _SETTINGS} | {
        "upstash-deduplication-id",
        "upstash-callback",
        "upstash-failure-callback",
    }
    leaked = [
        n
        for n, _ in delivery.headers
        if n.lower() in settings_
        or n.lower().startswith(("upstash-callback-", "upstash-failure-callback-"))
    ]
    if leaked:
        _fail(f"passed QStash settings on to the destination: {', '.join(leaked)}")


def _body_exact(sent: _Published) -> None:
    delivery = sent.delivery
    if delivery.body != _BINARY_BODY:
        _fail(
            f"delivered a different body: published {_BINARY_BODY!r}, delivered "
            f"{_shorten(repr(delivery.body))} (the body must pass byte for byte)"
        )
    if delivery.method.upper() != "POST":
        _fail(f"delivered with {delivery.method}; without Upstash-Method it must be POST")


def _message_id(sent: _Published) -> None:
    delivery = sent.delivery
    got = _get(delivery.headers, "Upstash-Message-Id")
    if got is None:
        _fail("no Upstash-Message-Id header on the delivery")
    if got != sent.message_id:
        _fail(
            f"Upstash-Message-Id on the delivery is {got!r}; "
            f"the publish response said {sent.message_id!r}"
        )


def _retried_zero(sent: _Published) -> None:
    delivery = sent.delivery
    got = _get(delivery.headers, "Upstash-Retried")
    if got is None:
        _fail("no Upstash-Retried header on the first delivery")
    if got.strip() != "0":
        _fail(f"Upstash-Retried is {got!r} on the first attempt; it counts retries, from 0")


def _diagnose(token: str, destination: str, body: bytes, error: InvalidSignature) -> str:
    """Say which part of the token is wrong, from its claims read without verification."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return f"the token is not a JWT ({error.message})"
    hints = []
    if not isinstance(claims.get("sub"), str) or not same_url(claims["sub"], destination):
        hints.append(f"sub is {claims.get('sub')!r}, not the destination URL {destination!r}")
    claimed = str(claims.get("body", "")).rstrip("=")
    if claimed != body_hash(body).rstrip("="):
        as_text = body.decode("utf-8", "replace").encode("utf-8")
        if claimed == body_hash(as_text).rstrip("="):
            hints.append(
                "the body claim is the hash of the body decoded as text (invalid UTF-8 "
                "replaced), not of the exact bytes"
            )
        else:
            hints.append("the body claim is not the SHA-256 of the delivered bytes")
    if claims.get("iss") != "Upstash":
        hints.append(f"iss is {claims.get('iss')!r}, not 'Upstash'")
    if hints:
        return "; ".join(hints)
    if error.code == "signature.bad_signature":
        return "signed with a key that is neither the current nor the next key the adapter reports"
    return error.message


def _signature(sent: _Published) -> None:
    delivery = sent.delivery
    token = _get(delivery.headers, "Upstash-Signature")
    if not token:
        _fail("no Upstash-Signature header on the delivery")
    current, next_ = sent.run.signing_keys()
    now = delivery.at or sent.run.now()
    try:
        verify_signature(
            token,
            body=_BINARY_BODY,
            keys=SigningKeys(current, next_),
            url=sent.destination,
            now=now,
            clock_tolerance=timedelta(seconds=30),
        )
    except InvalidSignature as error:
        _fail(
            f"Upstash-Signature does not verify for {sent.destination} and the published body: "
            f"{_diagnose(token, sent.destination, _BINARY_BODY, error)} ({error.code})"
        )


def _method(run: _Run) -> None:
    destination = run.url()
    reply = run.publish(destination, [("Upstash-Method", "PUT")], _TEXT_BODY)
    _expect_accepted(reply, "Upstash-Method: PUT")
    delivery = _first_delivery(run, destination)
    if delivery.method.upper() != "PUT":
        _fail(f"delivered with {delivery.method} although Upstash-Method said PUT")


def _readable(sent: _Published) -> None:
    try:
        decode_delivery(sent.delivery.headers)
    except InvalidHeaders as error:
        problems = "; ".join(str(e).split("\n", 1)[0] for e in error.errors)
        _fail(f"a receiver cannot read the delivery's headers: {problems}")


def _query_options(run: _Run) -> None:
    destination = run.url("hook?source=conformance")
    path = f"/v2/publish/{destination}&upstash-method=PUT&upstash-forward-x-query=q1"
    try:
        request = decode_request(path, [])
    except InvalidHeaders as error:  # pragma: no cover - depends on the library's reading
        _skip(f"this qstash_protocol refuses query options ({error.errors[0].code})")
    if str(request.destination) != destination:  # pragma: no cover - as above
        _skip("this qstash_protocol does not read upstash-* query parameters as options")
    _expect_accepted(run.submit("POST", path, [], _TEXT_BODY), "options in the query string")
    found = run.deliveries(destination)
    if not found:
        _fail(
            f"nothing was delivered to {destination}: the upstash-* query parameters are "
            "QStash's options, not part of the destination URL"
        )
    delivery = found[0]
    if delivery.method.upper() != "PUT":
        _fail(f"delivered with {delivery.method} although ?upstash-method=PUT said PUT")
    if _get(delivery.headers, "X-Query") != "q1":
        _fail("did not forward X-Query: q1 given as ?upstash-forward-x-query=q1")


# -- deduplication, scheduling, batch ----------------------------------------------------------


def _dedup_pair(
    run: _Run, headers: list[tuple[str, str]], *, same: bool
) -> tuple[_Reply, str, str, str]:
    destination = run.url()
    first = run.publish(destination, headers, _TEXT_BODY)
    first_id = _expect_accepted(first, _headers_text(headers))
    second_headers = headers if same else [(n, v + "-other") for n, v in headers]
    second = run.publish(destination, second_headers, _TEXT_BODY)
    second_id = _expect_accepted(second, "the second publish " + _headers_text(second_headers))
    return second, first_id, second_id, destination


def _dedup_same_id(run: _Run) -> None:
    headers = [("Upstash-Deduplication-Id", f"conformance-{run.token}-{run.counter}")]
    _, first_id, second_id, destination = _dedup_pair(run, headers, same=True)
    if first_id != second_id:
        _fail(
            f"ignored deduplication: a second publish with the same Upstash-Deduplication-Id "
            f"within the window got a new message id ({second_id!r}, the first was {first_id!r})"
        )
    if "delivery" in capabilities(run.adapter):
        count = len(run.deliveries(destination))
        if count != 1:
            _fail(f"delivered a deduplicated message {count} times; once is the rule")


def _dedup_flagged(run: _Run) -> None:
    headers = [("Upstash-Deduplication-Id", f"conformance-{run.token}-{run.counter}")]
    second, first_id, second_id, _ = _dedup_pair(run, headers, same=True)
    if first_id != second_id:
        _skip("the server does not deduplicate (see deduplication.same-id)")
    data = second.json()
    if second.status != 202 or not isinstance(data, dict) or data.get("deduplicated") is not True:
        _fail(
            f"answered a duplicate with {second.shown()}; QStash answers 202 with "
            '"deduplicated": true'
        )


def _dedup_content(run: _Run) -> None:
    headers = [("Upstash-Content-Based-Deduplication", "true")]
    _, first_id, second_id, _ = _dedup_pair(run, headers, same=True)
    if first_id != second_id:
        _fail(
            "ignored content-based deduplication: the same body, destination and headers with "
            f"Upstash-Content-Based-Deduplication: true got a new message id ({second_id!r}, "
            f"the first was {first_id!r})"
        )


def _dedup_distinct(run: _Run) -> None:
    headers = [("Upstash-Deduplication-Id", f"conformance-{run.token}-{run.counter}")]
    _, first_id, second_id, _ = _dedup_pair(run, headers, same=False)
    if first_id == second_id:
        _fail(f"gave two messages with different deduplication ids the same id {first_id!r}")


def _not_before_over_delay(run: _Run) -> None:
    now = run.now().replace(microsecond=0)
    not_before = now + timedelta(hours=2)
    headers = [
        ("Upstash-Delay", "5h"),
        ("Upstash-Not-Before", str(int(not_before.timestamp()))),
    ]
    reply = run.publish(run.url(), headers, _TEXT_BODY)
    message_id = _expect_accepted(reply, "Upstash-Delay with Upstash-Not-Before")
    planned = run.adapter.scheduled_at(message_id)
    if planned is None:
        _skip(f"the adapter does not know when {message_id} is scheduled")
    if planned.tzinfo is None:
        planned = planned.replace(tzinfo=UTC)
    if abs(planned - not_before) > timedelta(seconds=1):
        which = ""
        if abs(planned - (now + timedelta(hours=5))) < timedelta(minutes=5):
            which = ": it applied Upstash-Delay, which Not-Before overrides"
        _fail(
            f"scheduled the message for {planned.isoformat()}, not at Upstash-Not-Before "
            f"{not_before.isoformat()}{which}"
        )


def _batch_items(run: _Run) -> list[tuple[str, dict[str, str], str]]:
    return [
        (run.url("one"), {"Content-Type": "text/plain", "Upstash-Forward-X-Item": "1"}, "first"),
        (run.url("two"), {"Content-Type": "text/plain", "Upstash-Forward-X-Item": "2"}, "second"),
    ]


def _batch(run: _Run, items: list[tuple[str, dict[str, str], str]]) -> list[str]:
    body = encode_batch(
        PublishRequest(
            kind="publish", destination=d, options=decode_headers(h, unknown="error"), body=b
        )
        for d, h, b in items
    )
    reply = run.submit("POST", "/v2/batch", [("Content-Type", "application/json")], body)
    if not 200 <= reply.status < 300:
        _fail(f"refused a batch of {len(items)} valid messages: {reply.shown()}")
    try:
        answers = parse_batch_response(reply.body)
    except InvalidResponse as error:
        _fail(
            f"answered a batch of {len(items)} with {reply.shown()}; expected a JSON array "
            f"with one element per item ({error.message})"
        )
    if len(answers) != len(items):
        _fail(f"answered a batch of {len(items)} with {len(answers)} elements, not one per item")
    ids = []
    for position, answer in enumerate(answers):
        if not isinstance(answer, PublishResponse) or not answer.message_id:
            _fail(f"batch response element {position} is not a message: {_shorten(repr(answer))}")
        ids.append(answer.message_id)
    if len(set(ids)) != len(ids):
        _fail(f"gave the batch's distinct messages the same id: {ids}")
    return ids


def _batch_accepted(run: _Run) -> None:
    _batch(run, _batch_items(run))


def _batch_delivered(run: _Run) -> None:
    items = _batch_items(run)
    ids = _batch(run, items)
    for (destination, headers, body), message_id in zip(items, ids, strict=True):
        delivery = _first_delivery(run, destination)
        item = headers["Upstash-Forward-X-Item"]
        if delivery.body != body.encode():
            _fail(f"delivered batch item {item} with body {delivery.body!r}, not {body!r}")
        if _get(delivery.headers, "X-Item") != item:
            _fail(f"delivered batch item {item} without its forwarded header X-Item: {item}")
        got = _get(delivery.headers, "Upstash-Message-Id")
        if got != message_id:
            _fail(
                f"delivered batch item {item} with Upstash-Message-Id {got!r}; the batch "
                f"response said {message_id!r}"
            )


# -- the catalogue ----------------------------------------------------------------------------


def _case(
    id_: str,
    title: str,
    anchor: str,
    check: Callable[[_Run], None],
    *,
    severity: Severity = "must",
    needs: Iterable[Capability] = (),
) -> ConformanceCase:
    return ConformanceCase(id_, title, f"{_SPEC}#{anchor}", severity, check, frozenset(needs))


@cache
def conformance_cases() -> tuple[ConformanceCase, ...]:
    """Every case of the kit, in the order a run reports them (ids are stable across versions).

    >>> ids = [case.id for case in conformance_cases()]
    >>> "acceptance.valid-vector.1" in ids, "delivery.signature" in ids
    (True, True)
    >>> len(ids) == len(set(ids))
    True
    """
    delivery: tuple[Capability, ...] = ("delivery",)
    cases = [
        *_vector_cases(),
        *_client_cases(),
        _case(
            "acceptance.valid-sample",
            "a Hypothesis sample of valid publish requests is accepted",
            "acceptance",
            _valid_sample,
        ),
        *(
            _case(
                f"acceptance.accepted.{slug}",
                f"{what} is accepted",
                "acceptance",
                _accepted(endpoint, headers, what),
                severity=severity,
            )
            for slug, endpoint, headers, what, severity in _ACCEPTED
        ),
        _case(
            "acceptance.invalid-sample",
            "a Hypothesis sample of invalid header sets is refused with 4xx",
            "refusal",
            _invalid_sample(header=False),
        ),
        _case(
            "errors.names-header.sample",
            "refusals in the invalid sample name the offending header",
            "error-messages",
            _invalid_sample(header=True),
            severity="should",
        ),
        *(
            _case(
                f"refusal.{slug}",
                f'{mistake} is refused with 4xx and {{"error": ...}}',
                "refusal",
                _refusal(headers, mistake),
            )
            for slug, headers, mistake in _REFUSALS
        ),
        _case(
            "delivery.forward-prefix",
            "forwarded headers arrive without the Upstash-Forward- prefix",
            "delivery",
            _delivery_case(_forward_prefix),
            needs=delivery,
        ),
        _case(
            "delivery.forwarded-headers",
            "every forwarded header, and Content-Type, arrives with its value",
            "delivery",
            _delivery_case(_forwarded_headers),
            needs=delivery,
        ),
        _case(
            "delivery.no-settings",
            "no QStash setting reaches the destination",
            "delivery",
            _delivery_case(_no_settings),
            needs=delivery,
        ),
        _case(
            "delivery.body",
            "the body arrives byte for byte, with POST",
            "delivery",
            _delivery_case(_body_exact),
            needs=delivery,
        ),
        _case(
            "delivery.method",
            "Upstash-Method sets the delivery's method",
            "delivery",
            _method,
            needs=delivery,
        ),
        _case(
            "delivery.message-id",
            "Upstash-Message-Id is the id the publish response gave",
            "delivery",
            _delivery_case(_message_id),
            needs=delivery,
        ),
        _case(
            "delivery.readable",
            "a receiver can read the delivery: Upstash-Message-Id, -Retried, -Signature present",
            "delivery",
            _delivery_case(_readable),
            needs=delivery,
        ),
        _case(
            "delivery.retried-zero",
            "Upstash-Retried is 0 on the first attempt",
            "delivery",
            _delivery_case(_retried_zero),
            needs=delivery,
        ),
        _case(
            "delivery.signature",
            "Upstash-Signature verifies for the destination URL and the exact body bytes",
            "signature",
            _delivery_case(_signature),
            needs=delivery,
        ),
        _case(
            "delivery.query-options",
            "upstash-* query parameters are options, not part of the destination",
            "delivery",
            _query_options,
            severity="should",
            needs=delivery,
        ),
        _case(
            "deduplication.same-id",
            "a second publish with the same deduplication id gets the first id, one delivery",
            "deduplication",
            _dedup_same_id,
        ),
        _case(
            "deduplication.flagged",
            'a duplicate is answered with 202 and "deduplicated": true',
            "deduplication",
            _dedup_flagged,
            severity="should",
        ),
        _case(
            "deduplication.content-based",
            "content-based deduplication gives the same content the same id",
            "deduplication",
            _dedup_content,
        ),
        _case(
            "deduplication.distinct-ids",
            "different deduplication ids give different messages",
            "deduplication",
            _dedup_distinct,
        ),
        _case(
            "scheduling.not-before-over-delay",
            "with Delay and Not-Before both set, Not-Before decides",
            "scheduling",
            _not_before_over_delay,
            needs=("schedule",),
        ),
        _case(
            "batch.accepted",
            "POST /v2/batch answers one messageId per item",
            "batch",
            _batch_accepted,
        ),
        _case(
            "batch.delivered",
            "each batch item is delivered with its own headers and body",
            "batch",
            _batch_delivered,
            needs=delivery,
        ),
    ]
    return tuple(cases)


def _selected(case: ConformanceCase, select: Sequence[str] | None) -> bool:
    if not select:
        return True
    return any(case.id == s or case.id.startswith(s.rstrip(".") + ".") for s in select)


def run_case(
    case: ConformanceCase,
    adapter: object,
    *,
    examples: int = 25,
    now: Callable[[], datetime] | None = None,
    _run: _Run | None = None,
) -> Result:
    """Run one case against ``adapter`` and return its :class:`Result`.

    >>> case = next(c for c in conformance_cases() if c.id == "delivery.retried-zero")
    >>> class OnlySubmit:
    ...     def submit(self, method, path, headers, body):
    ...         return Response(200, {}, b'{"messageId": "m"}')
    >>> result = run_case(case, OnlySubmit())
    >>> result.verdict, result.message
    ('skip', 'the adapter has no delivery capability (delivered(url), signing_keys())')
    """
    run = _run or _new_run(adapter, examples=examples, now=now)
    missing = sorted(case.needs - capabilities(adapter))
    base = (case.id, case.title, case.section, case.severity)
    if missing:
        what = {
            "delivery": "delivery capability (delivered(url), signing_keys())",
            "schedule": "schedule capability (scheduled_at(message_id))",
        }
        reason = "; ".join(f"the adapter has no {what[m]}" for m in missing)
        return Result(*base, "skip", reason)
    run.case_id = case.id
    try:
        case.check(run)
    except _Failed as failed:
        return Result(*base, "fail", str(failed))
    except _Skipped as skipped:
        return Result(*base, "skip", str(skipped))
    except Exception as error:  # an adapter that answers in a shape the kit cannot read
        return Result(*base, "fail", f"the case could not run: {type(error).__name__}: {error}")
    return Result(*base, "pass")


def _new_run(adapter: object, *, examples: int, now: Callable[[], datetime] | None) -> _Run:
    if not isinstance(adapter, ServerAdapter):
        msg = f"the adapter must have submit(method, path, headers, body); got {adapter!r}"
        raise TypeError(msg)
    base = getattr(adapter, "destination_base", None) or DEFAULT_DESTINATION_BASE
    return _Run(adapter, examples, now or (lambda: datetime.now(UTC)), str(base))


def run_conformance(
    adapter: object,
    *,
    select: Sequence[str] | None = None,
    examples: int = 25,
    now: Callable[[], datetime] | None = None,
) -> ConformanceReport:
    """Run the kit's cases against ``adapter`` and return the report.

    ``select`` keeps the cases whose id is, or starts with, one of the given ids
    (``["delivery", "refusal.negative-delay"]``); ``examples`` is the size of each Hypothesis
    sample; ``now`` is the clock the kit checks signatures and Not-Before with (default: UTC now).

    Raises:
        TypeError: ``adapter`` has no ``submit`` method.


    >>> run_conformance(object())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    TypeError: the adapter must have submit(method, path, headers, body); got <object object at ...>

    """
    run = _new_run(adapter, examples=examples, now=now)
    results = tuple(
        run_case(case, adapter, _run=run) for case in conformance_cases() if _selected(case, select)
    )
    return ConformanceReport(results)
