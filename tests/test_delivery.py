"""The delivered request: delivery_headers (server side) and decode_delivery (receiver side)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    DELIVERY_HEADERS,
    TRANSPORT_HEADERS,
    USER_AGENT,
    Delivery,
    Headers,
    InvalidHeaders,
    MessageOptions,
    PublishRequest,
    SigningKeys,
    decode_delivery,
    decode_request,
    delivery_headers,
    sign,
    signing_keys_for_region,
    verify_signature,
)
from qstash_protocol.strategies import message_options

RESERVED = {name.lower() for name in DELIVERY_HEADERS + TRANSPORT_HEADERS}
message_ids = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1
)
caller_ips = st.none() | st.ip_addresses().map(str)
regions = st.none() | st.sampled_from(["US-EAST-1", "EU-CENTRAL-1", "AP-SOUTH-1"])


@given(
    options=message_options(max_depth=0),
    message_id=message_ids,
    retried=st.integers(0, 10**6),
    caller_ip=caller_ips,
    region=regions,
    group=st.booleans(),
    body=st.binary(max_size=200),
)
def test_a_receiver_reads_what_a_server_sends(
    options: MessageOptions,
    message_id: str,
    retried: int,
    caller_ip: str | None,
    region: str | None,
    group: bool,
    body: bytes,
) -> None:
    url = "https://example.com/api"
    request = PublishRequest(
        kind="publish", destination="orders" if group else url, options=options
    )
    token = sign(body, url=url, key="sig_current", now=1_700_000_000)
    headers = delivery_headers(
        request,
        message_id=message_id,
        retried=retried,
        signature=token,
        caller_ip=caller_ip,
        region=region,
    )
    delivery = decode_delivery(list(headers.items()))
    assert delivery.message_id == message_id
    assert delivery.retried == retried
    assert delivery.is_retry == (retried > 0)
    assert delivery.signature == token
    assert delivery.caller_ip == caller_ip
    assert delivery.region == region
    assert delivery.url_group == ("orders" if group else None)
    assert delivery.user_agent == USER_AGENT
    forwarded = {
        name: value
        for name, value in options.forward.items()
        if name.lower() not in RESERVED
        or (name.lower() == "content-type" and options.content_type is None)
    }
    assert delivery.content_type == (options.content_type or forwarded.pop("Content-Type", None))
    assert delivery.headers == forwarded
    keys = SigningKeys("sig_current", "sig_next")
    claims = verify_signature(delivery.signature, body=body, keys=keys, url=url, now=1_700_000_001)
    assert claims.subject == url


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "Upstash-Message-Id",
                    "upstash-retried",
                    "UPSTASH-SIGNATURE",
                    "Upstash-Caller-Ip",
                    "Upstash-Schedule-Id",
                    "Upstash-Topic-Name",
                    "Content-Type",
                    "X-A",
                    "Host",
                ]
            )
            | st.text(max_size=10),
            st.text(max_size=20),
        ),
        max_size=8,
    )
)
def test_any_headers_give_a_delivery_or_invalid_headers(pairs: list[tuple[str, str]]) -> None:
    try:
        delivery = decode_delivery(pairs)
    except InvalidHeaders as error:
        assert error.errors
        assert all(e.header is not None for e in error.errors)
        return
    assert isinstance(delivery, Delivery)
    assert delivery.retried >= 0
    assert not any(name.lower() in RESERVED for name in delivery.headers)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_delivery(
            {"Upstash-Retried": "x", "Upstash-Caller-Ip": "nope", "Upstash-Topic-Name": "a b"}
        )
    codes = [(error.code, error.header) for error in info.value.errors]
    assert codes == [
        ("delivery.invalid_retried", "Upstash-Retried"),
        ("delivery.invalid_caller_ip", "Upstash-Caller-Ip"),
        ("name.invalid_character", "Upstash-Topic-Name"),
        ("delivery.missing_header", "Upstash-Message-Id"),
        ("delivery.missing_header", "Upstash-Signature"),
    ]


def test_bytes_headers_as_asgi_gives_them() -> None:
    delivery = decode_delivery(
        [
            (b"upstash-message-id", b"msg_1"),
            (b"upstash-retried", b"3"),
            (b"upstash-signature", b"t"),
            (b"x-name", "J\u00fcrgen".encode("latin-1")),
        ]
    )
    assert delivery.retried == 3
    assert delivery.headers["X-Name"] == "J\u00fcrgen"
    with pytest.raises(TypeError):
        decode_delivery([(1, "x")])  # type: ignore[list-item]


def test_delivery_headers_refuses_programming_errors() -> None:
    request = decode_request("/v2/publish/https://example.com", {})
    with pytest.raises(TypeError):
        delivery_headers(request, message_id="m", retried="0", signature="t")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        delivery_headers(request, message_id="m", retried=True, signature="t")
    with pytest.raises(InvalidHeaders) as info:
        delivery_headers(request, message_id="", retried=-1, signature="", caller_ip="x")
    assert [error.code for error in info.value.errors] == [
        "delivery.missing_header",
        "delivery.invalid_retried",
        "delivery.invalid_caller_ip",
        "delivery.missing_header",
    ]


def test_a_forwarded_header_cannot_forge_the_delivery() -> None:
    request = decode_request(
        "/v2/publish/https://example.com",
        {
            f"Upstash-Forward-{name}": "forged"
            for name in DELIVERY_HEADERS
            if name != "Content-Type"
        },
    )
    headers = delivery_headers(request, message_id="msg_real", retried=0, signature="real")
    assert "forged" not in headers.values()
    assert headers["Upstash-Message-Id"] == "msg_real"
    assert headers["User-Agent"] == USER_AGENT


def test_multi_region_receiver_end_to_end() -> None:
    """A server in US-EAST-1 signs with its keys; a receiver in migration mode picks them."""
    environment = {
        "QSTASH_REGION": "EU_CENTRAL_1",
        "US_EAST_1_QSTASH_CURRENT_SIGNING_KEY": "sig_us_current",
        "US_EAST_1_QSTASH_NEXT_SIGNING_KEY": "sig_us_next",
        "EU_CENTRAL_1_QSTASH_CURRENT_SIGNING_KEY": "sig_eu_current",
        "EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY": "sig_eu_next",
        "QSTASH_CURRENT_SIGNING_KEY": "sig_eu_current",
        "QSTASH_NEXT_SIGNING_KEY": "sig_eu_next",
    }
    body = b'{"order":1}'
    url = "https://example.com/api"
    request = decode_request(f"/v2/publish/{url}", {"Content-Type": "application/json"})
    token = sign(body, url=url, key="sig_us_current", now=1_700_000_000)
    sent = delivery_headers(
        request, message_id="msg_1", retried=0, signature=token, region="US-EAST-1"
    )
    received: dict[str, Any] = {name.lower(): value for name, value in sent.items()}
    delivery = decode_delivery(received)
    keys = signing_keys_for_region(delivery.region, environment)
    assert keys is not None
    claims = verify_signature(delivery.signature, body=body, keys=keys, url=url, now=1_700_000_010)
    assert claims.key == "current"
    assert ipaddress.ip_address("203.0.113.7")  # the stdlib parser decode_delivery relies on


def test_delivery_is_frozen_and_hashable() -> None:
    delivery = decode_delivery(
        {"Upstash-Message-Id": "m", "Upstash-Retried": "0", "Upstash-Signature": "t", "X-A": "1"}
    )
    assert hash(delivery) == hash(decode_delivery(dict(delivery_as_headers(delivery))))
    with pytest.raises(AttributeError):
        delivery.retried = 1  # type: ignore[misc]
    assert delivery.headers == Headers({"x-a": "1"})


def delivery_as_headers(delivery: Delivery) -> dict[str, str]:
    return {
        "Upstash-Message-Id": delivery.message_id,
        "Upstash-Retried": str(delivery.retried),
        "Upstash-Signature": delivery.signature,
        **delivery.headers,
    }
