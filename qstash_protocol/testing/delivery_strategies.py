"""Hypothesis strategies for the delivery side: callback payloads and their JSON spellings.

Use them to property-test your own callback receiver or QStash-compatible server:

>>> from hypothesis import given
>>> from qstash_protocol import parse_callback
>>> from qstash_protocol.testing import delivery_strategies as ds
>>> @given(ds.callback_documents())
... def test_my_receiver_reads_every_spelling(document):
...     payload, text = document
...     assert parse_callback(text) == payload  # replace with a call into your receiver
>>> test_my_receiver_reads_every_spelling()

- ``callback_payloads()`` and ``failure_callback_payloads()``: valid payload models.
- ``callback_documents(failure=False)``: ``(payload, json_text)`` pairs, the text one of the
  spellings the sources show for that payload: header values as lists or as strings, times as
  numbers or strings of digits, ``callerIP`` or ``callerIp``, optional fields left out or
  ``null``, names in any order, any JSON whitespace.
- ``response_headers()``: destination response headers with and without the ``Retry-After``
  family and ``Upstash-NonRetryable-Error``, as a mapping or as pairs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - only without the extra
    msg = (
        "qstash_protocol.testing.delivery_strategies needs Hypothesis: "
        "pip install 'qstash-protocol[hypothesis]'"
    )
    raise ImportError(msg) from error

from qstash_protocol.delivery.callbacks import (
    MAX_TIMESTAMP_MILLISECONDS,
    CallbackPayload,
    FailureCallbackPayload,
)
from qstash_protocol.delivery.retry import NON_RETRYABLE_HEADER, RETRY_AFTER_HEADERS
from qstash_protocol.publish.headers import Headers
from qstash_protocol.values.small import MAX_RETRIES

__all__ = [
    "callback_documents",
    "callback_payloads",
    "failure_callback_payloads",
    "response_headers",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _header_names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["Content-Type", "X-Id", "Retry-After", "Set-Cookie", "Authorization"]),
        st.text(alphabet=_TCHAR, min_size=1, max_size=20),
    )


def _header_values() -> st.SearchStrategy[str]:
    # Visible characters and inner spaces/tabs; no surrounding whitespace (it is not part of a
    # value), no control characters, no lone surrogates.
    inner = st.text(
        alphabet=st.characters(
            min_codepoint=0x20, exclude_categories=["Cc", "Cs"], include_characters="\t"
        ),
        max_size=30,
    )
    return inner.map(lambda text: text.strip(" \t"))


def _headers() -> st.SearchStrategy[Headers]:
    return st.dictionaries(_header_names(), _header_values(), max_size=5).map(Headers)


def _moments() -> st.SearchStrategy[datetime]:
    return st.integers(0, MAX_TIMESTAMP_MILLISECONDS).map(
        lambda ms: _EPOCH + timedelta(milliseconds=ms)
    )


def _texts() -> st.SearchStrategy[str]:
    return st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)


def _common() -> dict[str, st.SearchStrategy[Any]]:
    def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.none() | strategy

    return {
        "status": st.one_of(
            st.sampled_from([200, 201, 204, 302, 400, 429, 489, 500, 503]), st.integers(0, 999)
        ),
        "header": _headers(),
        "body": st.binary(max_size=64),
        "retried": st.integers(0, MAX_RETRIES),
        "max_retries": maybe(st.integers(0, MAX_RETRIES)),
        "source_message_id": maybe(_texts()),
        "topic_name": maybe(_texts()),
        "endpoint_name": maybe(_texts()),
        "url": maybe(_texts()),
        "method": maybe(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"])),
        "source_header": _headers(),
        "source_body": st.binary(max_size=64),
        "not_before": maybe(_moments()),
        "created_at": maybe(_moments()),
        "schedule_id": maybe(_texts()),
        "caller_ip": maybe(st.sampled_from(["178.247.74.179", "::1", "2001:db8::7"])),
    }


def callback_payloads() -> st.SearchStrategy[CallbackPayload]:
    """Valid :class:`~qstash_protocol.CallbackPayload` models.

    >>> from hypothesis import Phase, find, settings
    >>> quick = settings(max_examples=2000, phases=[Phase.generate])  # the first match will do
    >>> find(callback_payloads(), lambda p: p.status == 489, settings=quick).status
    489
    """
    return st.builds(CallbackPayload, **_common())


def failure_callback_payloads() -> st.SearchStrategy[FailureCallbackPayload]:
    """Valid :class:`~qstash_protocol.FailureCallbackPayload` models, workflow fields included.

    >>> from hypothesis import Phase, find, settings
    >>> quick = settings(max_examples=2000, phases=[Phase.generate])  # the first match will do
    >>> payload = find(failure_callback_payloads(), lambda p: p.dlq_id is not None, settings=quick)
    >>> isinstance(payload.dlq_id, str)
    True
    """
    failure_body = st.builds(
        lambda error, message, stack: json.dumps(
            {"error": error, "message": message, **({"stack": stack} if stack else {})}
        ).encode(),
        _texts(),
        _texts(),
        st.none() | _texts(),
    )
    fields = _common()
    fields["body"] = st.binary(max_size=64) | failure_body
    return st.builds(
        FailureCallbackPayload,
        **fields,
        dlq_id=st.none() | _texts(),
        workflow_run_id=st.none() | _texts().map(lambda text: f"wfr_{text}"),
        workflow_created_at=st.none() | _moments(),
    )


@st.composite
def _spelled(draw: st.DrawFn, payload: CallbackPayload) -> tuple[CallbackPayload, str]:
    canonical = payload.to_dict()
    document: dict[str, Any] = {}
    for name, value in canonical.items():
        if name in ("header", "sourceHeader"):
            spelled: Any = {
                header: values[0] if draw(st.booleans()) else values
                for header, values in value.items()
            }
            if not spelled and draw(st.booleans()):
                spelled = None
        elif name in ("notBefore", "createdAt", "workflowCreatedAt"):
            spelled = int(value) if draw(st.booleans()) else value
        elif name in ("body", "sourceBody") and value == "" and draw(st.booleans()):
            spelled = None
        elif name == "retried" and value == 0 and draw(st.booleans()):
            continue  # omitempty
        else:
            spelled = value
        if name == "callerIP" and draw(st.booleans()):
            name = "callerIp"  # noqa: PLW2901 - the other spelling of the same field
        document[name] = spelled
    for name in ("maxRetries", "topicName", "scheduleId", "dlqId"):
        if name not in canonical and draw(st.booleans()):
            document[name] = None
    names = draw(st.permutations(list(document)))
    ordered = {name: document[name] for name in names}
    indent = draw(st.sampled_from([None, 0, 2]))
    ascii_only = draw(st.booleans())
    return payload, json.dumps(ordered, indent=indent, ensure_ascii=ascii_only)


def callback_documents(*, failure: bool = False) -> st.SearchStrategy[tuple[CallbackPayload, str]]:
    """``(payload, json_text)``: a payload and one of the spellings the sources show for it.

    With ``failure=True`` the payloads are :class:`~qstash_protocol.FailureCallbackPayload`.

    >>> from hypothesis import Phase, find, settings
    >>> quick = settings(max_examples=2000, phases=[Phase.generate])  # the first match will do
    >>> payload, text = find(callback_documents(), lambda d: "callerIp" in d[1], settings=quick)
    >>> payload.caller_ip is not None
    True
    """
    payloads = failure_callback_payloads() if failure else callback_payloads()
    return payloads.flatmap(_spelled)


def _retry_after_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 200_000).map(str),
        st.sampled_from(["6m5s", "1h", "20ms", "7.66s", "1d", "2d", "0"]),
        st.integers(0, 2 * 86_400).map(
            lambda seconds: (_EPOCH + timedelta(days=20_000, seconds=seconds)).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            )
        ),
        st.sampled_from(["soon", "-1", "1.5", "Thu, 27 Jun 2024 12:16:24 PST", ""]),
    )


def response_headers() -> st.SearchStrategy[Any]:
    """Destination response headers: the ``Retry-After`` family, the non-retryable flag, others.

    A ``dict`` (values a string or a list of strings) or a list of ``(name, value)`` pairs.

    >>> from hypothesis import find
    >>> find(response_headers(), lambda h: isinstance(h, list) and len(h) > 1)[0][0] != ""
    True
    """
    names = st.one_of(
        st.sampled_from([*RETRY_AFTER_HEADERS, NON_RETRYABLE_HEADER, "Content-Type"]).flatmap(
            lambda name: st.sampled_from([name, name.lower(), name.upper()])
        ),
        st.text(alphabet=_TCHAR, min_size=1, max_size=12),
    )
    values = st.one_of(_retry_after_values(), st.sampled_from(["true", "TRUE", "false"]))
    pairs = st.lists(st.tuples(names, values), max_size=6)
    as_mapping = pairs.map(dict)
    as_lists = pairs.map(lambda items: {name: [value] for name, value in items})
    return st.one_of(pairs, as_mapping, as_lists)
