"""What QStash answers a publish, enqueue, schedule or batch request: parse and build the bodies.

>>> parse_publish_response('{"messageId": "msg_1"}')
PublishResponse(message_id='msg_1', url=None, deduplicated=None)
>>> [r.url for r in parse_publish_response('{"messages": [{"messageId": "m1", "url": "https://a"}]}')]
['https://a']
>>> parse_error_response('{"error": "invalid destination url"}').error
'invalid destination url'

Facts
-----
- **Publish and enqueue** (https://upstash.com/docs/qstash/api-reference/messages/publish-a-message):
  to a URL, one object ``{"messageId": ..., "deduplicated"?: true}``; to a URL group, one object
  per endpoint, each with its ``url``. The sources disagree on how the group's list is wrapped:
  the OpenAPI document says ``{"messages": [...]}``; the older reference, its examples, and both
  official SDKs (qstash-js ``src/client/client.ts`` ``publish``, qstash-py
  ``qstash/message.py`` ``parse_publish_response``) read a bare array.
  :func:`parse_publish_response` reads all three shapes; :func:`format_publish_response` writes
  the bare array (what the SDKs read) unless asked for ``messages``.
- **Deduplicated**: a duplicate is answered with HTTP 202 and ``"deduplicated": true`` and the
  id of the earlier message (https://upstash.com/docs/qstash/features/deduplication). Absent
  means not a duplicate; it is kept absent (``None``) so a parsed body writes back the same.
- **Schedules**: creating one answers ``{"scheduleId": ...}``
  (https://upstash.com/docs/qstash/api-reference/schedules/create-a-schedule), and so did an
  API v1 publish with ``Upstash-Cron``: :class:`ScheduleResponse`.
- **Batch** (https://upstash.com/docs/qstash/features/batch): an array with one element per
  message, in order: an object for a URL or queue item, an array of objects for a URL-group
  item, and "if one message fails to be sent, that message will have an error response", an
  ``{"error": ...}`` object (:class:`ErrorResponse`).
- **Errors** are ``{"error": "<text>"}`` (the OpenAPI ``Error`` schema) with a 4xx or 5xx
  status.
- Keys this module does not model (the service adds fields over time) are ignored; a modelled
  key of the wrong JSON type, or a body of the wrong shape, is an :class:`InvalidResponse`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict

from qstash_protocol.errors import ProtocolError

__all__ = [
    "BatchResponseItem",
    "ErrorResponse",
    "InvalidResponse",
    "PublishResponse",
    "ScheduleResponse",
    "format_batch_response",
    "format_error_response",
    "format_publish_response",
    "parse_batch_response",
    "parse_error_response",
    "parse_publish_response",
    "parse_schedule_response",
]

_CONFIG: Final = ConfigDict(frozen=True, extra="forbid")


class InvalidResponse(ProtocolError):
    """A response body is not JSON, or not the shape the service answers with.

    >>> try:
    ...     parse_publish_response('{"messageId": 7}')
    ... except InvalidResponse as err:
    ...     print(err.code, err.message)
    response.invalid_shape /messageId must be a string, got a number
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "response.invalid_json": "the body is not JSON",
        "response.invalid_shape": "the JSON is not the shape the service answers with",
    }


class PublishResponse(BaseModel):
    """One published message: its id, the URL-group endpoint it went to, whether a duplicate.

    >>> PublishResponse(message_id="msg_1", deduplicated=True).to_json()
    {'messageId': 'msg_1', 'deduplicated': True}
    """

    model_config = _CONFIG

    message_id: str
    url: str | None = None
    deduplicated: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object the service writes (absent fields left out)."""
        out: dict[str, Any] = {"messageId": self.message_id}
        if self.url is not None:
            out["url"] = self.url
        if self.deduplicated is not None:
            out["deduplicated"] = self.deduplicated
        return out


class ScheduleResponse(BaseModel):
    """A created schedule: ``{"scheduleId": ...}``.

    >>> parse_schedule_response('{"scheduleId": "scd_1"}').schedule_id
    'scd_1'
    """

    model_config = _CONFIG

    schedule_id: str


class ErrorResponse(BaseModel):
    """An error body: ``{"error": "<text>"}``.

    >>> format_error_response(ErrorResponse(error="queue not found"))
    b'{"error":"queue not found"}'
    """

    model_config = _CONFIG

    error: str


#: One element of a batch response: a message, a URL group's messages, or an error.
BatchResponseItem = PublishResponse | list[PublishResponse] | ErrorResponse


def _loads(body: bytes | str) -> Any:
    if not isinstance(body, bytes | bytearray | str):
        msg = f"a response body is bytes or str, not {type(body).__name__}"
        raise TypeError(msg)
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        text = body if isinstance(body, str) else bytes(body).decode("utf-8", "replace")
        raise InvalidResponse(
            f"expected a JSON response body: {error}",
            code="response.invalid_json",
            value=text[:200],
            span=(0, min(len(text), 200)),
        ) from None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"


def _shape(where: str, value: Any, expected: str) -> InvalidResponse:
    return InvalidResponse(
        f"{where or 'the body'} must be {expected}, got {_json_type(value)}",
        code="response.invalid_shape",
    )


def _string(data: dict[str, Any], key: str, where: str, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _shape(f"{where}/{key}", value, "a string")
    return value


def _message(data: Any, where: str) -> PublishResponse:
    if not isinstance(data, dict):
        raise _shape(where, data, "an object with messageId")
    message_id = _string(data, "messageId", where, required=True)
    assert message_id is not None
    deduplicated = data.get("deduplicated")
    if deduplicated is not None and not isinstance(deduplicated, bool):
        raise _shape(f"{where}/deduplicated", deduplicated, "a boolean")
    return PublishResponse(
        message_id=message_id,
        url=_string(data, "url", where, required=False),
        deduplicated=deduplicated,
    )


def _messages(data: list[Any], where: str) -> list[PublishResponse]:
    return [_message(item, f"{where}/{index}") for index, item in enumerate(data)]


def parse_publish_response(body: bytes | str) -> PublishResponse | list[PublishResponse]:
    """Parse a publish or enqueue response: one message, or a URL group's list (either shape).

    >>> parse_publish_response('[{"messageId": "m1", "url": "https://a", "deduplicated": true}]')
    [PublishResponse(message_id='m1', url='https://a', deduplicated=True)]

    Raises:
        InvalidResponse: ``response.invalid_json`` or ``response.invalid_shape``.
        TypeError: when ``body`` is neither ``bytes`` nor ``str``.

    """
    data = _loads(body)
    if isinstance(data, list):
        return _messages(data, "")
    if isinstance(data, dict) and "messages" in data and "messageId" not in data:
        messages = data["messages"]
        if not isinstance(messages, list):
            raise _shape("/messages", messages, "an array")
        return _messages(messages, "/messages")
    return _message(data, "")


def format_publish_response(
    response: PublishResponse | Sequence[PublishResponse],
    *,
    shape: Literal["array", "messages"] = "array",
) -> bytes:
    """Write a publish response body; a URL group's list as a bare array or ``{"messages"}``.

    >>> format_publish_response([PublishResponse(message_id="m1", url="https://a")],
    ...                         shape="messages")
    b'{"messages":[{"messageId":"m1","url":"https://a"}]}'
    """
    data: Any
    if isinstance(response, PublishResponse):
        data = response.to_json()
    else:
        items = [item.to_json() for item in response]
        data = {"messages": items} if shape == "messages" else items
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def parse_schedule_response(body: bytes | str) -> ScheduleResponse:
    """Parse ``{"scheduleId": ...}``, the answer to creating a schedule.

    Raises:
        InvalidResponse: ``response.invalid_json`` or ``response.invalid_shape``.

    """
    data = _loads(body)
    if not isinstance(data, dict):
        raise _shape("", data, "an object with scheduleId")
    schedule_id = _string(data, "scheduleId", "", required=True)
    assert schedule_id is not None
    return ScheduleResponse(schedule_id=schedule_id)


def parse_error_response(body: bytes | str) -> ErrorResponse:
    """Parse an error body, ``{"error": "<text>"}``.

    Raises:
        InvalidResponse: ``response.invalid_json`` or ``response.invalid_shape``.

    """
    data = _loads(body)
    if not isinstance(data, dict):
        raise _shape("", data, "an object with error")
    error = _string(data, "error", "", required=True)
    assert error is not None
    return ErrorResponse(error=error)


def format_error_response(response: ErrorResponse) -> bytes:
    """Write an error body, ``{"error": "<text>"}`` (see :class:`ErrorResponse`)."""
    return json.dumps({"error": response.error}, separators=(",", ":")).encode("utf-8")


def parse_batch_response(body: bytes | str) -> list[BatchResponseItem]:
    """Parse a ``/v2/batch`` response: per message, a message, a URL group's list, or an error.

    >>> parse_batch_response('[{"messageId": "m1"}, [{"messageId": "m2", "url": "https://a"}],'
    ...                      ' {"error": "invalid destination url"}]')[2]
    ErrorResponse(error='invalid destination url')

    Raises:
        InvalidResponse: ``response.invalid_json`` or ``response.invalid_shape``.

    """
    data = _loads(body)
    if not isinstance(data, list):
        raise _shape("", data, "an array (one element per message)")
    items: list[BatchResponseItem] = []
    for index, item in enumerate(data):
        where = f"/{index}"
        if isinstance(item, list):
            items.append(_messages(item, where))
        elif isinstance(item, dict) and "error" in item and "messageId" not in item:
            error = _string(item, "error", where, required=True)
            assert error is not None
            items.append(ErrorResponse(error=error))
        else:
            items.append(_message(item, where))
    return items


def format_batch_response(items: Sequence[BatchResponseItem]) -> bytes:
    """Write a ``/v2/batch`` response body.

    >>> format_batch_response([PublishResponse(message_id="m1"), ErrorResponse(error="no")])
    b'[{"messageId":"m1"},{"error":"no"}]'
    """
    data: list[Any] = []
    for item in items:
        if isinstance(item, ErrorResponse):
            data.append({"error": item.error})
        elif isinstance(item, PublishResponse):
            data.append(item.to_json())
        else:
            data.append([message.to_json() for message in item])
    return json.dumps(data, separators=(",", ":")).encode("utf-8")
