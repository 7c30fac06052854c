"""Upstash-Signature: sign, verify, URL comparison, region keys; properties; differential tests.

Differential partners: the official Python SDK's ``qstash.Receiver`` (both directions), PyJWT's
own ``jwt.encode``/``jwt.decode``, and tokens made by the official JS SDK's signer (captured in
tests/vectors/signature.json by tools/capture_js_signer/).
"""

from __future__ import annotations

import json
import pickle
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from qstash import Receiver
from qstash.errors import SignatureError

from qstash_protocol import (
    DEV_SIGNING_KEYS,
    MAX_SIGNATURE_LENGTH,
    InvalidSignature,
    SigningKeys,
    body_hash,
    normalize_region,
    same_url,
    sign,
    signing_keys_for_region,
    verify_signature,
)

CURRENT, NEXT = "sig_TESTcurrent0000000000000000A", "sig_TESTnext00000000000000000000B"
KEYS = SigningKeys(CURRENT, NEXT)
URL = "https://example.com/api/webhook"
NOW = 1_700_000_000
VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "signature.json").read_text(encoding="utf-8")
)

keys_text = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1)
signing_keys = keys_text.map(lambda text: "sig_" + text)
urls = st.builds(
    "https://{}.example/{}".format,
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_/.?=&%", max_size=40),
)
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _verify(token: str, body: bytes = b'{"hello":"world"}', **kwargs: Any) -> Any:
    kwargs.setdefault("keys", KEYS)
    kwargs.setdefault("now", NOW)
    return verify_signature(token, body=body, **kwargs)


# --- sign ----------------------------------------------------------------------------------


def test_sign_writes_the_documented_claims_in_order() -> None:
    token = sign(b'{"hello":"world"}', url=URL, key=CURRENT, now=NOW, jti="jwt_TESTVECTOR0001")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    payload = jwt.decode(
        token,
        CURRENT,
        algorithms=["HS256"],
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
    )
    assert list(payload) == ["iss", "sub", "exp", "nbf", "iat", "jti", "body"]
    assert payload["exp"] - payload["iat"] == 300
    # The first SDK-verified vector was made with the same claims: the same token comes out.
    assert token == VECTORS["cases"][0]["input"]["token"]


def test_sign_accepts_aware_datetimes_and_a_lifetime() -> None:
    moment = datetime(2023, 11, 14, 22, 13, 20, 999_000, tzinfo=UTC)
    token = sign(b"", url=URL, key=CURRENT, now=moment, lifetime=timedelta(seconds=60))
    claims = _verify(token, b"", now=moment)
    assert (claims.issued_at, claims.expires) == (NOW, NOW + 60)
    assert claims.jwt_id is not None
    assert claims.jwt_id.startswith("jwt_")
    other = sign(b"", url=URL, key=CURRENT, now=moment)
    assert jwt.decode(other, options={"verify_signature": False})["jti"] != claims.jwt_id


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"now": datetime(2024, 1, 1)}, TypeError),
        ({"now": "1700000000"}, TypeError),
        ({"now": True}, TypeError),
        ({"lifetime": timedelta(0)}, ValueError),
        ({"lifetime": timedelta(seconds=-5)}, ValueError),
        ({"key": ""}, ValueError),
        ({"key": b"sig_x"}, TypeError),
        ({"url": None}, TypeError),
    ],
)
def test_sign_refuses_programming_errors(kwargs: dict[str, Any], error: type[Exception]) -> None:
    arguments: dict[str, Any] = {"url": URL, "key": CURRENT, "now": NOW, **kwargs}
    with pytest.raises(error):
        sign(b"", **arguments)


def test_sign_refuses_a_str_body_with_a_hint() -> None:
    with pytest.raises(TypeError, match="raw bytes"):
        sign("text", url=URL, key=CURRENT, now=NOW)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@given(
    body=st.binary(max_size=2000),
    url=st.text(max_size=200),
    key=signing_keys,
    now=st.integers(0, 2**40),
    jti=st.text(max_size=40),
)
def test_sign_writes_what_pyjwt_encode_writes(
    body: bytes, url: str, key: str, now: int, jti: str
) -> None:
    token = sign(body, url=url, key=key, now=now, jti=jti)
    claims = {
        "iss": "Upstash",
        "sub": url,
        "exp": now + 300,
        "nbf": now,
        "iat": now,
        "jti": jti,
        "body": body_hash(body),
    }
    assert token == jwt.encode(claims, key, algorithm="HS256", headers={"typ": "JWT"})


# --- round trip and tampering ----------------------------------------------------------------


@given(
    body=st.binary(max_size=5000),
    url=urls,
    key=signing_keys,
    now=st.integers(0, 2**40),
    use_next=st.booleans(),
)
def test_verify_of_sign_is_identity(
    body: bytes, url: str, key: str, now: int, use_next: bool
) -> None:
    keys = SigningKeys("sig_other", key) if use_next else SigningKeys(key, "sig_other")
    token = sign(body, url=url, key=key, now=now, jti="jwt_x")
    claims = verify_signature(token, body=body, keys=keys, url=url, now=now)
    assert claims.subject == url
    assert claims.body_hash == body_hash(body)
    assert (claims.not_before, claims.issued_at, claims.expires) == (now, now, now + 300)
    assert claims.key == ("next" if use_next and key != "sig_other" else "current")


@given(body=st.binary(min_size=1, max_size=500), data=st.data())
def test_any_tampered_body_byte_fails_with_body_mismatch(body: bytes, data: st.DataObject) -> None:
    token = sign(body, url=URL, key=CURRENT, now=NOW)
    index = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    with pytest.raises(InvalidSignature) as info:
        _verify(token, tampered)
    assert info.value.code == "signature.body_mismatch"


@given(body=st.binary(max_size=300), data=st.data())
def test_any_tampered_token_character_fails_with_the_right_code(
    body: bytes, data: st.DataObject
) -> None:
    token = sign(body, url=URL, key=CURRENT, now=NOW, jti="jwt_x")
    index = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(st.sampled_from(B64URL + ".=+/ é"))
    assume(token[index] != char)
    tampered = token[:index] + char + token[index + 1 :]
    header_end = token.index(".")
    with pytest.raises(InvalidSignature) as info:
        _verify(tampered, body)
    code = info.value.code
    if char not in B64URL or token[index] == ".":  # not base64url, or not three segments
        assert code == "signature.malformed"
    elif index < header_end:
        assert code in {
            "signature.malformed",
            "signature.algorithm",
            "signature.type",
            "signature.critical_header",
            "signature.bad_signature",
        }
    else:  # payload or signature: the HMAC no longer matches
        assert code == "signature.bad_signature"


@given(url=urls, data=st.data())
def test_any_tampered_url_fails_with_url_mismatch(url: str, data: st.DataObject) -> None:
    token = sign(b"", url=url, key=CURRENT, now=NOW)
    index = data.draw(st.integers(0, len(url) - 1))
    char = data.draw(st.characters(codec="ascii", exclude_characters=url[index]))
    tampered = url[:index] + char + url[index + 1 :]
    assume(not same_url(url, tampered))
    with pytest.raises(InvalidSignature) as info:
        _verify(token, b"", url=tampered)
    assert info.value.code == "signature.url_mismatch"


# --- hostile tokens ----------------------------------------------------------------------------


@given(st.text(max_size=MAX_SIGNATURE_LENGTH + 10))
def test_any_text_gives_claims_or_invalid_signature(token: str) -> None:
    with pytest.raises(InvalidSignature):
        _verify(token)


@given(
    header=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=20,
    ),
    payload=st.dictionaries(
        st.sampled_from(["iss", "sub", "exp", "nbf", "iat", "jti", "body", "x"]),
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text(max_size=50)
        | st.lists(st.integers(), max_size=3),
    ),
    alg_ok=st.booleans(),
)
def test_any_signed_json_gives_claims_or_invalid_signature(
    header: Any, payload: dict[str, Any], alg_ok: bool
) -> None:
    if alg_ok and isinstance(header, dict):
        header["alg"] = "HS256"
    header_segment = jwt.utils.base64url_encode(json.dumps(header).encode())
    payload_segment = jwt.utils.base64url_encode(json.dumps(payload).encode())
    signing_input = header_segment + b"." + payload_segment
    signature = jwt.utils.base64url_encode(
        jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
            signing_input, CURRENT.encode()
        )
    )
    token = (signing_input + b"." + signature).decode()
    try:
        claims = _verify(token, b"", url=None)
    except InvalidSignature:
        return
    assert claims.issuer == "Upstash"


@pytest.mark.parametrize(
    "token",
    [
        "a" * (MAX_SIGNATURE_LENGTH + 1),
        "." * 10_000_000,
        "eyJ" + "W" * 100_000,
        "e30." * 5000,
    ],
)
def test_huge_tokens_are_refused_before_decoding(token: str) -> None:
    with pytest.raises(InvalidSignature) as info:
        _verify(token)
    assert info.value.code in {"signature.too_long", "signature.malformed"}
    assert len(str(info.value)) < 500


def test_errors_never_show_a_key() -> None:
    for case in VECTORS["cases"]:
        if "error" not in case:
            continue
        options = case["options"]
        body = case["input"].get("body", "").encode()
        try:
            verify_signature(
                case["input"]["token"],
                body=body,
                keys=SigningKeys(*options["keys"]),
                url=options.get("url"),
                now=options["now"],
                clock_tolerance=timedelta(seconds=options.get("clock_tolerance", 0)),
            )
        except InvalidSignature as error:
            shown = str(error) + repr(error) + json.dumps(error.to_dict())
            for key in options["keys"]:
                if key is not None:
                    assert key not in shown
    assert "sig_" not in repr(KEYS)
    assert "sig_" not in repr(DEV_SIGNING_KEYS)


def test_errors_pickle_and_name_the_header() -> None:
    with pytest.raises(InvalidSignature) as info:
        _verify(VECTORS["cases"][0]["input"]["token"], b"other")
    assert info.value.header == "Upstash-Signature"
    assert pickle.loads(pickle.dumps(info.value)) == info.value


# --- verify: arguments -------------------------------------------------------------------------


def test_verify_refuses_programming_errors() -> None:
    token = VECTORS["cases"][0]["input"]["token"]
    with pytest.raises(TypeError, match="raw bytes"):
        _verify(token, '{"hello":"world"}')  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _verify(token.encode())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _verify(token, keys=(CURRENT, NEXT))
    with pytest.raises(TypeError):
        _verify(token, now=datetime(2023, 11, 14))
    with pytest.raises(ValueError, match="negative"):
        _verify(token, clock_tolerance=timedelta(seconds=-1))


def test_verify_accepts_bytearray_memoryview_and_aware_datetimes() -> None:
    token = VECTORS["cases"][0]["input"]["token"]
    moment = datetime.fromtimestamp(NOW, tz=timezone(timedelta(hours=5)))
    assert _verify(token, bytearray(b'{"hello":"world"}'), now=moment).key == "current"
    assert _verify(token, memoryview(b'{"hello":"world"}')).key == "current"


def test_verify_defaults_to_the_system_clock() -> None:
    token = sign(b"x", url=URL, key=CURRENT, now=int(time.time()))
    assert verify_signature(token, body=b"x", keys=KEYS).subject == URL
    old = VECTORS["cases"][0]["input"]["token"]
    with pytest.raises(InvalidSignature, match="expired"):
        verify_signature(old, body=b'{"hello":"world"}', keys=KEYS)


def test_signing_keys_check_their_keys() -> None:
    with pytest.raises(ValueError, match="empty"):
        SigningKeys("")
    with pytest.raises(TypeError):
        SigningKeys(b"sig_x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="asymmetric"):
        SigningKeys("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----")
    assert SigningKeys("sig_a") == SigningKeys("sig_a", None)
    assert repr(SigningKeys("sig_a")) == "SigningKeys(current=<hidden>, next=None)"


# --- same_url ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://example.com/api", "https://example.com/api", True),
        ("HTTPS://EXAMPLE.com/api", "https://example.com/api", True),
        ("https://example.com:443/api", "https://example.com/api", True),
        ("http://example.com:80/api", "http://example.com/api", True),
        ("http://example.com", "http://example.com/", True),
        ("https://example.com:80/api", "https://example.com/api", False),
        ("http://example.com:443/api", "http://example.com/api", False),
        ("https://example.com/api", "https://example.com/api/", False),
        ("https://example.com/Api", "https://example.com/api", False),
        ("https://example.com/api?a=1", "https://example.com/api?A=1", False),
        ("https://example.com/api#x", "https://example.com/api", False),
        ("https://user@example.com/api", "https://example.com/api", False),
        ("https://example.com:8080/api", "https://example.com:8080/api", True),
        ("https://example.com/%7e", "https://example.com/~", False),
        ("https://[::1/api", "https://[::1/api", True),  # unsplittable: exact text
        ("https://[::1/api", "https://[::1/API", False),
        ("https://example.com:99999/", "https://example.com:99999/", True),
        ("mailto:a@b", "MAILTO:a@b", True),
    ],
)
def test_same_url(a: str, b: str, same: bool) -> None:
    assert same_url(a, b) is same
    assert same_url(b, a) is same


@given(st.text(max_size=80), st.text(max_size=80))
def test_same_url_is_total_and_symmetric(a: str, b: str) -> None:
    assert same_url(a, b) == same_url(b, a)
    assert same_url(a, a)


# --- regions -------------------------------------------------------------------------------------

ENVIRONMENT = {
    "QSTASH_REGION": "US_EAST_1",
    "US_EAST_1_QSTASH_CURRENT_SIGNING_KEY": "sig_us_current",
    "US_EAST_1_QSTASH_NEXT_SIGNING_KEY": "sig_us_next",
    "EU_CENTRAL_1_QSTASH_CURRENT_SIGNING_KEY": "sig_eu_current",
    "EU_CENTRAL_1_QSTASH_NEXT_SIGNING_KEY": "sig_eu_next",
    "QSTASH_CURRENT_SIGNING_KEY": "sig_default_current",
    "QSTASH_NEXT_SIGNING_KEY": "sig_default_next",
}


@pytest.mark.parametrize(
    ("region", "environment", "current"),
    [
        ("US-EAST-1", ENVIRONMENT, "sig_us_current"),
        ("eu-central-1", ENVIRONMENT, "sig_eu_current"),
        ("EU_CENTRAL_1", ENVIRONMENT, "sig_eu_current"),
        ("AP-SOUTH-1", ENVIRONMENT, "sig_default_current"),  # unknown region: defaults
        (None, ENVIRONMENT, "sig_default_current"),  # no header: defaults
        ("", ENVIRONMENT, "sig_default_current"),
        # Not in migration mode (no QSTASH_REGION): the header is ignored.
        ("US-EAST-1", {**ENVIRONMENT, "QSTASH_REGION": ""}, "sig_default_current"),
        (
            "US-EAST-1",
            {k: v for k, v in ENVIRONMENT.items() if k != "QSTASH_REGION"},
            "sig_default_current",
        ),
        ("US-EAST-1", {**ENVIRONMENT, "QSTASH_REGION": "MARS"}, "sig_default_current"),
        # The region's pair incomplete: defaults.
        (
            "US-EAST-1",
            {**ENVIRONMENT, "US_EAST_1_QSTASH_NEXT_SIGNING_KEY": ""},
            "sig_default_current",
        ),
        # QSTASH_REGION is normalised too (the JS SDK runs it through the same function).
        ("US-EAST-1", {**ENVIRONMENT, "QSTASH_REGION": "us-east-1"}, "sig_us_current"),
        ("US-EAST-1", {"QSTASH_CURRENT_SIGNING_KEY": "sig_a"}, None),
        # QSTASH_DEV=true|1 selects the dev server's keys before anything else.
        ("US-EAST-1", {**ENVIRONMENT, "QSTASH_DEV": "true"}, "dev"),
        (None, {"QSTASH_DEV": "1"}, "dev"),
        ("US-EAST-1", {**ENVIRONMENT, "QSTASH_DEV": "false"}, "sig_us_current"),
        ("US-EAST-1", {**ENVIRONMENT, "QSTASH_DEV": "0"}, "sig_us_current"),
        ("US-EAST-1", {}, None),
    ],
)
def test_signing_keys_for_region(
    region: str | None, environment: dict[str, str], current: str | None
) -> None:
    keys = signing_keys_for_region(region, environment)
    if current is None:
        assert keys is None
    elif current == "dev":
        assert keys is DEV_SIGNING_KEYS
    else:
        assert keys is not None
        assert keys.current == current
        assert keys.next == current.replace("current", "next")


def test_normalize_region() -> None:
    assert normalize_region("eu-central-1") == "EU_CENTRAL_1"
    assert normalize_region("Us-East-1") == "US_EAST_1"
    assert normalize_region("us-east-2") is None
    assert normalize_region("") is None


# --- differential: the official Python SDK's Receiver, both directions -------------------------


def _receiver_verdict(token: str, body: str, url: str | None) -> bool:
    try:
        Receiver(CURRENT, NEXT).verify(signature=token, body=body, url=url)
    except (SignatureError, KeyError, AttributeError, TypeError):
        return False
    return True


@given(body=st.text(max_size=500), url=urls, use_next=st.booleans())
def test_receiver_accepts_what_we_sign(body: str, url: str, use_next: bool) -> None:
    token = sign(body.encode(), url=url, key=NEXT if use_next else CURRENT, now=int(time.time()))
    Receiver(CURRENT, NEXT).verify(signature=token, body=body, url=url)


_CLAIM_CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "iss": st.sampled_from(["upstash", "Upstash ", "", "QStash"]),
        "exp": st.sampled_from([-600, -30, 30, 600]),
        "nbf": st.sampled_from([-600, -30, 30, 600]),
        "iat": st.sampled_from([-600, -30, 30, 600]),
        "drop": st.sampled_from(["iss", "sub", "exp", "nbf", "iat", "jti"]),
        "body": st.sampled_from(["other", "padded", "unpadded", "standard"]),
        "url": st.sampled_from(["other", "slash"]),
        "key": st.sampled_from(["next", "unknown"]),
        "alg": st.sampled_from(["HS384", "HS512"]),
    },
)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@given(body=st.text(max_size=100), changes=_CLAIM_CHANGES)
def test_we_agree_with_receiver_on_pyjwt_tokens(body: str, changes: dict[str, Any]) -> None:
    """Tokens made with PyJWT (as qstash-py's own tests make them): the same verdict.

    Times are whole minutes from the boundaries, so the run's clock cannot tip a verdict. The
    cases where we differ on purpose (Facts of qstash_protocol.delivery.signature) are left out:
    missing body claims (the Receiver crashes), equivalent URLs, tolerance.
    """
    now = int(time.time())
    digest = body_hash(body.encode())
    claims: dict[str, Any] = {
        "iss": changes.get("iss", "Upstash"),
        "sub": URL,
        "exp": now + 300 + changes.get("exp", 0) - (300 if "exp" in changes else 0),
        "nbf": now + changes.get("nbf", 0),
        "iat": now + changes.get("iat", 0),
        "jti": "jwt_x",
        "body": {
            "other": body_hash(body.encode() + b"!"),
            "unpadded": digest.rstrip("="),
            "standard": digest.replace("-", "+").replace("_", "/"),
        }.get(changes.get("body", ""), digest),
    }
    claims.pop(changes.get("drop", ""), None)
    key = {"next": NEXT, "unknown": "sig_UNKNOWN000000000000000000000"}.get(
        changes.get("key", ""), CURRENT
    )
    token = jwt.encode(claims, key, algorithm=changes.get("alg", "HS256"))
    url = {"other": "https://example.com/other", "slash": URL + "/"}.get(
        changes.get("url", ""), URL
    )
    theirs = _receiver_verdict(token, body, url)
    try:
        verify_signature(token, body=body.encode(), keys=KEYS, url=url)
        ours = True
    except InvalidSignature:
        ours = False
    assert ours == theirs, (claims, changes)


def _agreed(case: dict[str, Any]) -> bool:
    peers = case.get("peers", {})
    python, js = peers.get("qstash-py 3.4.0"), peers.get("@upstash/qstash 2.12.0")
    return python is not None and (python == "OK") == (js == "OK")


@pytest.mark.parametrize(
    "case", [case for case in VECTORS["cases"] if _agreed(case)], ids=lambda c: c["description"]
)
def test_we_agree_with_both_sdks_where_they_agree(case: dict[str, Any]) -> None:
    """Where both SDKs' recorded answers agree (accept or refuse), so do our vectors.

    (Where they disagree, our reading is in the Facts of qstash_protocol.delivery.signature.)
    """
    python = case["peers"]["qstash-py 3.4.0"]
    if "KeyError" in python:  # both crash on a token without a body claim
        assert case["error"]["code"] == "signature.missing_claim"
        return
    assert ("output" in case) == (python == "OK")


JS_SIGNER = [c for c in VECTORS["cases"] if c["description"].startswith("JS SDK signer:")]


def test_js_signer_tokens_were_captured() -> None:
    assert len(JS_SIGNER) >= 10
    assert any("body_base64" in case["input"] for case in JS_SIGNER)


@pytest.mark.parametrize("case", JS_SIGNER, ids=lambda c: c["description"])
def test_js_signer_tokens_get_the_js_receivers_verdict(case: dict[str, Any]) -> None:
    """We accept what the JS SDK's Receiver accepted, except an iat in the future (see Facts)."""
    verdict = case.get("peers", {}).get("@upstash/qstash 2.12.0")
    if verdict is None:  # a binary body: the JS Receiver takes text only
        assert "output" in case
        return
    if case.get("error", {}).get("code") == "signature.issued_in_future":
        assert verdict == "OK"
        return
    assert ("output" in case) == (verdict == "OK")


@pytest.mark.parametrize("depth", [100, 900, 980, 995, 2000])
def test_nested_json_near_the_recursion_limit_gives_invalid_signature(depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    hmac_sha256 = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256)
    for header, payload in (
        (b'{"alg":"HS256","crit":' + nested + b"}", b"{}"),
        (b'{"alg":"HS256"}', b'{"iss":"Upstash","sub":' + nested + b',"exp":1,"nbf":1,"body":""}'),
    ):
        signing_input = (
            jwt.utils.base64url_encode(header) + b"." + jwt.utils.base64url_encode(payload)
        )
        signature = jwt.utils.base64url_encode(hmac_sha256.sign(signing_input, CURRENT.encode()))
        with pytest.raises(InvalidSignature) as info:
            _verify((signing_input + b"." + signature).decode())
        assert info.value.code in {
            "signature.malformed",
            "signature.critical_header",
            "signature.invalid_claim",
        }


STRUCTURAL = {
    "signature.malformed",
    "signature.algorithm",
    "signature.type",
    "signature.critical_header",
    "signature.bad_signature",
}


@given(
    body=st.binary(max_size=100),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(B64URL + ".")), max_size=3),
)
def test_we_agree_with_pyjwt_on_which_tokens_are_well_formed(
    body: bytes, edits: list[tuple[int, str]]
) -> None:
    """After edits to a token: PyJWT's signature check passes exactly when ours does."""
    token = sign(body, url=URL, key=CURRENT, now=NOW, jti="jwt_x")
    for position, char in edits:
        index = position % len(token)
        token = token[:index] + char + token[index + 1 :]
    try:
        jwt.api_jws.PyJWS().decode_complete(token, CURRENT, algorithms=["HS256"])
        theirs = True
    except jwt.exceptions.InvalidTokenError:
        theirs = False
    try:
        _verify(token, body, url=None)
        ours = True
    except InvalidSignature as error:
        ours = error.code not in STRUCTURAL
    assert ours == theirs
