"""A small in-memory QStash-compatible server built on the library, and mutants of it.

Test code, not shipped: the reference server passes every case of the conformance kit
(:mod:`qstash_protocol.testing.conformance`); each mutant plants one realistic bug, and
``tests/test_conformance.py`` checks that the kit catches it with a message that names it.

The server is an adapter of its own: ``submit`` answers the API, ``delivered(url)`` returns
what it sent to a destination (it delivers at once whatever is due), ``signing_keys()`` the keys
it signs with and ``scheduled_at(message_id)`` when it plans a message.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from qstash_protocol import (
    BatchResponseItem,
    ErrorResponse,
    InvalidBatch,
    InvalidHeaders,
    MessageOptions,
    PublishRequest,
    PublishResponse,
    content_deduplication_id,
    decode_batch,
    decode_request,
    delivery_headers,
    first_delivery_time,
    format_batch_response,
    format_error_response,
    format_publish_response,
)
from qstash_protocol.delivery.signature import DEV_SIGNING_KEYS, sign
from qstash_protocol.testing.conformance import Delivered, Response

#: The public signing keys of QStash's local development server
#: (https://upstash.com/docs/qstash/howto/local-development).
KEYS = (DEV_SIGNING_KEYS.current, DEV_SIGNING_KEYS.next)
WINDOW = timedelta(minutes=10)


_JSON = {"Content-Type": "application/json"}


def _json(status: int, data: Any) -> Response:
    return Response(status, _JSON, json.dumps(data).encode())


@dataclass
class _Accepted:
    message_id: str
    deduplicated: bool


class ReferenceServer:
    """Accepts what the library accepts, delivers at once what is due, signs every delivery."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sent: dict[str, list[Delivered]] = defaultdict(list)
        self.planned: dict[str, datetime] = {}
        self.seen: dict[str, tuple[str, datetime]] = {}
        self.schedules: set[str] = set()

    # -- the adapter ------------------------------------------------------------------------

    def submit(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        if method == "DELETE" and path.startswith(("/v2/schedules/", "/v1/scheduled/")):
            schedule_id = path.rpartition("/")[2]
            if schedule_id not in self.schedules:
                return _json(404, {"error": f"schedule {schedule_id} not found"})
            self.schedules.remove(schedule_id)
            return Response(200)
        if method != "POST":
            return _json(405, {"error": f"{method} is not allowed on {path}"})
        if path == "/v2/batch":
            return self.batch(body)
        try:
            request = self.decode(path, headers)
        except InvalidHeaders as error:
            return self.refuse(error)
        if request.destination.kind != "url":
            return _json(404, {"error": f"url group {request.destination} not found"})
        if request.creates_schedule:
            schedule_id = f"scd_{uuid.uuid4().hex}"
            self.schedules.add(schedule_id)
            return _json(201, {"scheduleId": schedule_id})
        accepted = self.accept(request, body)
        answer = PublishResponse(
            message_id=accepted.message_id, deduplicated=accepted.deduplicated or None
        )
        return Response(
            202 if accepted.deduplicated else 201, _JSON, format_publish_response(answer)
        )

    def delivered(self, url: str) -> list[Delivered]:
        return list(self.sent[url])

    def signing_keys(self) -> tuple[str, str]:
        return KEYS

    def scheduled_at(self, message_id: str) -> datetime | None:
        return self.planned.get(message_id)

    # -- the steps a mutant may get wrong ----------------------------------------------------

    def decode(self, path: str, headers: list[tuple[str, str]]) -> PublishRequest:
        return decode_request(path, headers)

    def refuse(self, error: InvalidHeaders) -> Any:
        text = "; ".join(str(e).split("\n", 1)[0] for e in error.errors)
        return Response(400, _JSON, format_error_response(ErrorResponse(error=text)))

    def deduplication_key(self, request: PublishRequest, body: bytes) -> str | None:
        options = request.options
        if options.deduplication_id is not None:
            return f"id:{request.destination}:{options.deduplication_id}"
        if options.content_based_deduplication:
            headers = dict(request.headers())
            return "content:" + content_deduplication_id(str(request.destination), body, headers)
        return None

    def first_attempt(self, options: MessageOptions, now: datetime) -> datetime:
        return first_delivery_time(options, now)

    def delivered_headers(
        self, request: PublishRequest, message_id: str, signature: str
    ) -> list[tuple[str, str]]:
        headers = delivery_headers(
            request,
            message_id=self.delivery_message_id(message_id),
            retried=self.retried(),
            signature=signature,
        )
        return list(headers.items())

    def retried(self) -> int:
        return 0

    def delivery_message_id(self, message_id: str) -> str:
        return message_id

    def sign(self, body: bytes, url: str, now: datetime) -> str:
        return sign(body, url=url, key=KEYS[0], now=now)

    def batch_answer(self, results: list[BatchResponseItem]) -> Any:
        return Response(201, _JSON, format_batch_response(results))

    # -- the rest ---------------------------------------------------------------------------

    def accept(self, request: PublishRequest, body: bytes) -> _Accepted:
        now = self.clock()
        key = self.deduplication_key(request, body)
        if key is not None and key in self.seen:
            message_id, at = self.seen[key]
            if now - at < WINDOW:
                return _Accepted(message_id, deduplicated=True)
        message_id = f"msg_{uuid.uuid4().hex}"
        if key is not None:
            self.seen[key] = (message_id, now)
        planned = self.first_attempt(request.options, now)
        self.planned[message_id] = planned
        if planned <= now:
            self.deliver(request, message_id, body, now)
        return _Accepted(message_id, deduplicated=False)

    def deliver(self, request: PublishRequest, message_id: str, body: bytes, now: datetime) -> None:
        url = str(request.destination)
        headers = self.delivered_headers(request, message_id, self.sign(body, url, now))
        method = request.options.method or "POST"
        self.sent[url].append(Delivered(method, url, headers, body, at=now))

    def batch(self, body: bytes) -> Any:
        try:
            requests = self.decode_batch(body)
        except InvalidBatch as error:
            text = "; ".join(
                f"{pointer}: {str(e).split(chr(10), 1)[0]}"
                for pointer, e in zip(error.pointers, error.errors, strict=True)
            )
            return _json(400, {"error": text})
        results: list[BatchResponseItem] = []
        for request in requests:
            if request.destination.kind != "url":
                results.append(ErrorResponse(error=f"url group {request.destination} not found"))
                continue
            accepted = self.accept(request, (request.body or "").encode())
            results.append(
                PublishResponse(
                    message_id=accepted.message_id, deduplicated=accepted.deduplicated or None
                )
            )
        return self.batch_answer(results)

    def decode_batch(self, body: bytes) -> list[PublishRequest]:
        return decode_batch(body)


# -- mutants: one realistic bug each --------------------------------------------------------


class AcceptsNegativeDelay(ReferenceServer):
    """A duration parser that takes a sign (Go's time.ParseDuration does) and clamps to 0."""

    def decode(self, path: str, headers: list[tuple[str, str]]) -> PublishRequest:
        kept = [
            (n, v) for n, v in headers if not (n.lower() == "upstash-delay" and v.startswith("-"))
        ]
        return super().decode(path, kept)


class KeepsForwardPrefix(ReferenceServer):
    """Passes Upstash-Forward-* on under its full name."""

    def delivered_headers(
        self, request: PublishRequest, message_id: str, signature: str
    ) -> list[tuple[str, str]]:
        forwarded = {name.lower() for name in request.options.forward}
        return [
            (f"Upstash-Forward-{n}" if n.lower() in forwarded else n, v)
            for n, v in super().delivered_headers(request, message_id, signature)
        ]


class HashesBodyAsText(ReferenceServer):
    """Signs the body after decoding it as UTF-8 text, as the SDK receivers hash it."""

    def sign(self, body: bytes, url: str, now: datetime) -> str:
        return super().sign(body.decode("utf-8", "replace").encode("utf-8"), url, now)


class SignsWrongSub(ReferenceServer):
    """Signs for the destination without its query string."""

    def sign(self, body: bytes, url: str, now: datetime) -> str:
        return super().sign(body, url.split("?", 1)[0], now)


class SignsWithUnknownKey(ReferenceServer):
    """Signs with a key that is neither the current nor the next one it reports."""

    def sign(self, body: bytes, url: str, now: datetime) -> str:
        return sign(body, url=url, key="sig_not_the_reported_key", now=now)


class DropsForwardedAuthorization(ReferenceServer):
    """Drops the forwarded Authorization, mistaking it for the QStash token."""

    def delivered_headers(
        self, request: PublishRequest, message_id: str, signature: str
    ) -> list[tuple[str, str]]:
        headers = super().delivered_headers(request, message_id, signature)
        return [(n, v) for n, v in headers if n.lower() != "authorization"]


class LeaksSettings(ReferenceServer):
    """Passes the message's Upstash-* settings on to the destination too."""

    settings: tuple[tuple[str, str], ...] = ()

    def submit(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        self.settings = tuple(
            (n, v)
            for n, v in headers
            if n.lower().startswith("upstash-") and not n.lower().startswith("upstash-forward-")
        )
        return super().submit(method, path, headers, body)

    def delivered_headers(
        self, request: PublishRequest, message_id: str, signature: str
    ) -> list[tuple[str, str]]:
        return [*super().delivered_headers(request, message_id, signature), *self.settings]


class RefusesOrphanCallbackScope(ReferenceServer):
    """Refuses callback settings that come without Upstash-Callback (the library's old reading)."""

    def submit(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Any:
        names = {n.lower() for n, _ in headers}
        for scope in ("upstash-callback", "upstash-failure-callback"):
            if scope not in names and any(n.startswith(scope + "-") for n in names):
                return _json(400, {"error": f"{scope} settings without a {scope} URL"})
        return super().submit(method, path, headers, body)


class RetriedFromOne(ReferenceServer):
    """Counts attempts instead of retries: Upstash-Retried is 1 on the first delivery."""

    def retried(self) -> int:
        return 1


class IgnoresDeduplication(ReferenceServer):
    """Never deduplicates."""

    def deduplication_key(self, request: PublishRequest, body: bytes) -> str | None:
        return None


class DelayOverNotBefore(ReferenceServer):
    """Applies Upstash-Delay when both Delay and Not-Before are given."""

    def first_attempt(self, options: MessageOptions, now: datetime) -> datetime:
        if options.delay is not None:
            return now + options.delay
        return super().first_attempt(options, now)


class ServerErrorOnInvalid(ReferenceServer):
    """Lets the validation error escape as a 500."""

    def refuse(self, error: InvalidHeaders) -> Any:
        return _json(500, {"error": "internal server error"})


class PlainTextErrors(ReferenceServer):
    """Refuses with 400 but a plain-text body."""

    def refuse(self, error: InvalidHeaders) -> Any:
        return Response(400, {"Content-Type": "text/plain"}, b"bad request")


class NewIdOnDelivery(ReferenceServer):
    """Puts a fresh id on the delivery instead of the one the publish response gave."""

    def delivery_message_id(self, message_id: str) -> str:
        return f"msg_{uuid.uuid4().hex}"


class BatchAsObject(ReferenceServer):
    """Answers a batch with an object around the array."""

    def batch_answer(self, results: list[BatchResponseItem]) -> Any:
        inner = json.loads(format_batch_response(results))
        return _json(201, {"messages": inner})


class IgnoresQueryOptions(ReferenceServer):
    """Reads options from headers only: the upstash-* query parameters stay in the destination."""

    def decode(self, path: str, headers: list[tuple[str, str]]) -> PublishRequest:
        prefix = "/v2/publish/"
        if path.startswith(prefix) and "?" in path:
            path = prefix + quote(path[len(prefix) :], safe="")
        return super().decode(path, headers)


class SignsNothing(ReferenceServer):
    """Delivers without Upstash-Signature, as the public emulators found so far do."""

    def delivered_headers(
        self, request: PublishRequest, message_id: str, signature: str
    ) -> list[tuple[str, str]]:
        headers = super().delivered_headers(request, message_id, signature)
        return [(n, v) for n, v in headers if n.lower() != "upstash-signature"]


#: Each mutant, the case ids that must catch it, and words the failure message must contain.
MUTANTS: dict[type[ReferenceServer], tuple[tuple[str, ...], str]] = {
    AcceptsNegativeDelay: (("refusal.negative-delay",), "negative delay"),
    KeepsForwardPrefix: (("delivery.forward-prefix",), "kept the Upstash-Forward- prefix"),
    HashesBodyAsText: (("delivery.signature",), "hash of the body decoded as text"),
    SignsWrongSub: (("delivery.signature",), "not the destination URL"),
    SignsWithUnknownKey: (("delivery.signature",), "neither the current nor the next key"),
    DropsForwardedAuthorization: (
        ("delivery.forwarded-headers",),
        "dropped the forwarded header Authorization",
    ),
    LeaksSettings: (("delivery.no-settings",), "passed QStash settings on"),
    RefusesOrphanCallbackScope: (
        ("acceptance.accepted.orphan-callback-scope",),
        "orphan callback scope",
    ),
    RetriedFromOne: (("delivery.retried-zero",), "Upstash-Retried is '1' on the first attempt"),
    IgnoresDeduplication: (
        ("deduplication.same-id", "deduplication.content-based"),
        "ignored deduplication",
    ),
    DelayOverNotBefore: (("scheduling.not-before-over-delay",), "applied Upstash-Delay"),
    ServerErrorOnInvalid: (
        ("refusal.negative-retries", "acceptance.invalid-sample"),
        "answered 500",
    ),
    PlainTextErrors: (("refusal.unknown-method",), 'not with a JSON {"error": text} body'),
    NewIdOnDelivery: (("delivery.message-id", "batch.delivered"), "Upstash-Message-Id"),
    BatchAsObject: (("batch.accepted",), "one element per item"),
    IgnoresQueryOptions: (("delivery.query-options",), "query parameters are QStash's options"),
    SignsNothing: (("delivery.signature", "delivery.readable"), "no Upstash-Signature header"),
}
