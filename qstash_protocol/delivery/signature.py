"""The ``Upstash-Signature`` JWT: sign what a server delivers, verify what a destination receives.

>>> from datetime import datetime, timezone
>>> keys = SigningKeys("sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs")
>>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
>>> token = sign(b'{"hello":"world"}', url="https://example.com/api", key=keys.current,
...              now=now, jti="jwt_example")
>>> claims = verify_signature(token, body=b'{"hello":"world"}', keys=keys,
...                           url="https://example.com/api", now=now)
>>> claims.subject, claims.key
('https://example.com/api', 'current')

Facts
-----
The rule (https://upstash.com/docs/qstash/features/security,
https://upstash.com/docs/qstash/howto/signature,
https://upstash.com/docs/qstash/howto/roll-signing-keys): every delivery carries a JWT in
``Upstash-Signature``, header ``{"alg":"HS256","typ":"JWT"}``, signed with HMAC-SHA256 by the
current signing key, with the claims ``iss`` (always ``"Upstash"``), ``sub`` (the destination
URL), ``exp``, ``nbf``, ``iat`` (Unix seconds; five minutes of lifetime), ``jti`` (a unique id,
``jwt_...``) and ``body`` (the base64url SHA-256 of the raw body, RFC 4648 §5). A receiver
verifies with the current key and, failing that, the next one. The HMAC key is the UTF-8 bytes of
the ``sig_...`` string itself, not its base64 decoding (``new TextEncoder().encode(key)`` in
https://github.com/upstash/qstash-js/blob/main/src/receiver.ts). The local development server
signs with the public keys ``sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r`` (current) and
``sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs`` (next)
(https://upstash.com/docs/qstash/howto/local-development).

Readings taken where the sources disagree or are silent, and deliberate deviations from the
official verifiers (https://github.com/upstash/qstash-py/blob/main/qstash/receiver.py,
https://github.com/upstash/qstash-js/blob/main/src/receiver.ts):

- **The body is bytes**, hashed as received. Both SDKs take a text body and hash its UTF-8
  encoding, so a binary body that is not UTF-8 cannot be verified; the Python SDK raises
  ``AttributeError`` on bytes.
- **Key rotation**: the next key is tried only when the current key's HMAC does not match. A
  token whose HMAC matches a key and whose claims are wrong fails with that claim's error (the
  Python SDK retries with the next key on any error and reports the next key's "Signature
  verification failed", hiding the cause). :attr:`SignatureClaims.key` says which key matched.
- **Algorithm**: only ``HS256`` (what the docs specify and the Python SDK accepts; the JS SDK
  also accepts ``HS384``/``HS512``, ``signature.algorithm``). ``typ``, when present, must be
  ``JWT`` in any case (RFC 7519 §5.1); it may be absent, as for PyJWT and jose. A ``crit`` header
  names extensions this verifier does not implement, so RFC 7515 §4.1.11 requires refusing it.
- **Required claims**: ``iss``, ``sub``, ``exp``, ``nbf`` (the Python SDK's list, which is also
  the docs' list of claims to check) and ``body`` (without it there is nothing to bind the body
  to; both SDKs crash on it, ``KeyError`` / ``TypeError``). ``iat`` and ``jti`` are checked when
  present (``iat`` not in the future, ``jti`` a string) but not required: no verifier requires
  them. The JS SDK accepts tokens without ``exp``/``nbf``/``sub``; this library does not, since
  QStash always sends them and a token without ``exp`` never expires.
- **Times**: ``exp``, ``nbf`` and ``iat`` are JSON numbers (integers or not, RFC 7519 §2
  NumericDate), never booleans or non-finite. Expired when ``now >= exp + tolerance``, not yet
  valid when ``nbf > now + tolerance``, issued in the future when ``iat > now + tolerance``
  (PyJWT's and jose's comparisons). ``clock_tolerance`` applies to all three: the Python SDK
  passes its tolerance where PyJWT ignores it, and PyJWT refuses an ``iat`` in the future with no
  leeway, so a receiver whose clock runs behind fails there.
- **The body claim** matches in its unpadded form or padded with one ``=`` (a SHA-256 is 32
  bytes: 43 characters, or 44 with padding; the docs' example is padded, the SDKs' own test
  signers emit none). A claim in standard base64 (``+``, ``/``) does not match, as in every SDK.
  :func:`sign` writes the padded form, as in the docs' example token.
- **The URL** (``sub``) is compared only when the caller passes ``url``, as in every SDK, with
  :func:`same_url`: scheme and host case-insensitive, a default port (80 for http, 443 for https)
  equal to no port, an empty path equal to ``/`` (RFC 3986 §6.2.2.1 and §6.2.3), everything else
  exact. The SDKs compare the strings exactly, which fails behind proxies that change the
  case of a host or add ``:443`` (workflow-js issue #38); a trailing slash still differs, as it
  names another resource.
- **Token form** (RFC 7515 §3.1, §2): three base64url segments without padding, each the
  canonical encoding of its bytes, the header and payload UTF-8 JSON objects; anything else is
  ``signature.malformed``. A token longer than :data:`MAX_SIGNATURE_LENGTH` is refused before any
  decoding. Duplicate JSON member names: the last one counts (RFC 7515 §4 allows it).
- **Constant time**: the HMAC and the body hash are compared with :func:`hmac.compare_digest`.
- **PyJWT** does the cryptography and base64url (``jwt.algorithms.HMACAlgorithm``, which also
  refuses PEM or SSH keys as HMAC secrets, and ``jwt.utils``); this module joins and splits the
  three segments itself and checks the claims itself, because ``jwt.decode`` takes no clock
  (``now``) to verify against, reports every claim failure with a few exception types, and checks
  segments character by character in Python (about 40 µs per token). ``tests/test_signature.py``
  checks that :func:`sign` writes byte for byte what ``jwt.encode`` writes and that both agree on
  which tokens are well formed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Final, Literal
from urllib.parse import urlsplit

from jwt.algorithms import HMACAlgorithm
from jwt.exceptions import InvalidKeyError
from jwt.utils import base64url_decode, base64url_encode

from qstash_protocol.errors import ProtocolError

__all__ = [
    "DEV_SIGNING_KEYS",
    "ISSUER",
    "MAX_SIGNATURE_LENGTH",
    "REGIONS",
    "SIGNATURE_LIFETIME",
    "InvalidSignature",
    "SignatureClaims",
    "SigningKeys",
    "body_hash",
    "normalize_region",
    "same_url",
    "sign",
    "signing_keys_for_region",
    "verify_signature",
]

#: The ``iss`` claim of every QStash signature.
ISSUER: Final = "Upstash"
#: How long a signature QStash issues is valid (the docs: "a lifetime of 5 minutes").
SIGNATURE_LIFETIME: Final = timedelta(minutes=5)
#: The longest token accepted, in characters; longer ones are refused before any decoding. A
#: QStash token is about 400 characters plus 4/3 of the destination URL's length, so 16 KiB
#: leaves room for URLs of 11,000 characters while bounding the work a hostile header causes.
MAX_SIGNATURE_LENGTH: Final = 16384
#: The regions whose ``upstash-region`` header selects keys (qstash-js ``multi-region/utils.ts``).
REGIONS: Final = ("EU_CENTRAL_1", "US_EAST_1")

_HEADER: Final = "Upstash-Signature"
_HS256: Final = HMACAlgorithm(HMACAlgorithm.SHA256)
#: The JOSE header QStash sends, encoded as PyJWT encodes it (``{"alg":"HS256","typ":"JWT"}``).
_HEADER_SEGMENT: Final = base64url_encode(
    json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()
)
_HEADER_TEXT: Final = _HEADER_SEGMENT.decode("ascii")
_SEGMENT: Final = re.compile(r"[A-Za-z0-9_-]+")
_REQUIRED: Final = ("iss", "sub", "exp", "nbf", "body")
_TIMES: Final = ("exp", "nbf", "iat")
_STRINGS: Final = ("iss", "sub", "body", "jti")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: The largest time claim accepted: 2**53 seconds (285 million years) is the largest whole
#: number every JSON implementation holds exactly; beyond it a time has no meaning.
_MAX_TIME: Final = 2**53


class InvalidSignature(ProtocolError):
    """An ``Upstash-Signature`` token does not prove that QStash sent this body to this URL.

    One code per cause; the message says what was expected and what came, and never shows a key.

    >>> keys = SigningKeys("sig_current", "sig_next")
    >>> try:
    ...     verify_signature("not a token", body=b"", keys=keys)
    ... except InvalidSignature as err:
    ...     print(err.code)
    signature.malformed
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "signature.too_long": "the token is longer than MAX_SIGNATURE_LENGTH",
        "signature.malformed": "not three base64url segments, or a header/payload not JSON",
        "signature.algorithm": "the header's alg is not HS256 (none, HS512, missing, ...)",
        "signature.type": "the header's typ is present and not JWT",
        "signature.critical_header": "the header has crit: extensions this verifier lacks",
        "signature.bad_signature": "the HMAC matches neither the current nor the next key",
        "signature.missing_claim": "a required claim (iss, sub, exp, nbf, body) is absent",
        "signature.invalid_claim": "a claim has the wrong JSON type (a time that is no number)",
        "signature.issuer": "iss is not exactly 'Upstash'",
        "signature.expired": "now is at or after exp (plus the clock tolerance)",
        "signature.not_yet_valid": "now is before nbf (minus the clock tolerance)",
        "signature.issued_in_future": "iat is after now (plus the clock tolerance)",
        "signature.body_mismatch": "the body claim is not the SHA-256 of the body received",
        "signature.url_mismatch": "sub is not the URL the request was received at",
    }


def _fail(
    code: str, message: str, value: str | None = None, span: tuple[int, int] | None = None
) -> InvalidSignature:
    return InvalidSignature(message, code=code, value=value, span=span, header=_HEADER)


def _prepared(key: object, what: str) -> bytes:
    if not isinstance(key, str):
        msg = f"the {what} signing key must be a str, got {type(key).__name__}"
        raise TypeError(msg)
    if not key:
        msg = f"the {what} signing key is empty"
        raise ValueError(msg)
    try:
        return _HS256.prepare_key(key)
    except InvalidKeyError:
        msg = f"the {what} signing key looks like an asymmetric key, not an HMAC secret"
        raise ValueError(msg) from None


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """The current and next signing keys of a QStash account (``sig_...`` strings).

    ``next`` may be ``None`` to verify with one key. ``repr`` never shows the keys.

    >>> SigningKeys("sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs")
    SigningKeys(current=<hidden>, next=<hidden>)

    Raises:
        TypeError: a key that is not a ``str``.
        ValueError: an empty key, or one PyJWT refuses as an HMAC secret (a PEM or SSH key).

    """

    current: str
    next: str | None = None
    _current: bytes = field(init=False, repr=False, compare=False)
    _next: bytes | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_current", _prepared(self.current, "current"))
        nxt = None if self.next is None else _prepared(self.next, "next")
        object.__setattr__(self, "_next", nxt)

    def __repr__(self) -> str:
        shown = "None" if self.next is None else "<hidden>"
        return f"SigningKeys(current=<hidden>, next={shown})"


#: The public signing keys of the local development server (not secrets: they are in the docs
#: and in ``@upstash/qstash``'s ``src/dev-server/constants.ts``).
DEV_SIGNING_KEYS: Final = SigningKeys(
    "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
)


@dataclass(frozen=True, slots=True)
class SignatureClaims:
    """The verified claims of an ``Upstash-Signature`` token.

    Times are Unix seconds as the token holds them. ``key`` says which signing key matched.

    >>> now = 1_700_000_000
    >>> token = sign(b"", url="https://example.com", key="sig_k", now=now, jti="jwt_1")
    >>> verify_signature(token, body=b"", keys=SigningKeys("sig_k"), now=now).to_dict()
    ... # doctest: +NORMALIZE_WHITESPACE
    {'issuer': 'Upstash', 'subject': 'https://example.com', 'expires': 1700000300,
     'not_before': 1700000000, 'issued_at': 1700000000, 'jwt_id': 'jwt_1',
     'body_hash': '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=', 'key': 'current'}
    """

    issuer: str
    subject: str
    expires: int | float
    not_before: int | float
    issued_at: int | float | None
    jwt_id: str | None
    body_hash: str
    key: Literal["current", "next"]

    def to_dict(self) -> dict[str, Any]:
        """The claims as JSON-ready data (the form the CLI and the vectors use).

        >>> token = sign(b"", url="https://example.com", key="sig_k", now=0, jti="jwt_0")
        >>> verify_signature(token, body=b"", keys=SigningKeys("sig_k"), now=0).to_dict()["key"]
        'current'
        """
        return {
            "issuer": self.issuer,
            "subject": self.subject,
            "expires": self.expires,
            "not_before": self.not_before,
            "issued_at": self.issued_at,
            "jwt_id": self.jwt_id,
            "body_hash": self.body_hash,
            "key": self.key,
        }


def body_hash(body: bytes) -> str:
    """The ``body`` claim for ``body``: base64url SHA-256 with its ``=`` padding, as QStash sends.

    >>> body_hash(b"")
    '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU='
    """
    return base64url_encode(hashlib.sha256(_bytes(body)).digest()).decode("ascii") + "="


def _bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    msg = f"the body must be the raw bytes received, got {type(body).__name__}" + (
        " (encode nothing: pass the bytes as they came)" if isinstance(body, str) else ""
    )
    raise TypeError(msg)


def _unix(now: datetime | int | float | None, what: str) -> int | float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            msg = f"{what} must be a timezone-aware datetime, got a naive one"
            raise TypeError(msg)
        return now.timestamp()
    if isinstance(now, int | float) and not isinstance(now, bool) and math.isfinite(now):
        return now
    msg = f"{what} must be an aware datetime or Unix seconds, got {now!r}"
    raise TypeError(msg)


def _seconds(delta: timedelta, what: str) -> float:
    if not isinstance(delta, timedelta):
        msg = f"{what} must be a timedelta, got {type(delta).__name__}"
        raise TypeError(msg)
    seconds = delta.total_seconds()
    if seconds < 0:
        msg = f"{what} cannot be negative, got {delta}"
        raise ValueError(msg)
    return seconds


_keys_cache: dict[str, bytes] = {}


def sign(
    body: bytes,
    *,
    url: str,
    key: str,
    now: datetime | int,
    lifetime: timedelta = SIGNATURE_LIFETIME,
    jti: str | None = None,
) -> str:
    """The ``Upstash-Signature`` token QStash would send with ``body`` to ``url`` at ``now``.

    The header is ``{"alg":"HS256","typ":"JWT"}``; the claims, in the order of the docs'
    example, ``iss``, ``sub``, ``exp`` (``now`` plus ``lifetime``, whole seconds), ``nbf`` and
    ``iat`` (``now``, whole seconds), ``jti`` (random ``jwt_...`` when not given) and ``body``
    (:func:`body_hash`). For test servers and emulators.

    >>> sign(b"", url="https://example.com", key="sig_k", now=1_700_000_000, jti="jwt_1")[:36]
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'

    Raises:
        TypeError: ``body`` is not bytes, ``now`` neither an aware datetime nor a number.
        ValueError: an empty key, or a ``lifetime`` under one second.

    """
    issued = math.floor(_unix(now, "now"))
    seconds = int(_seconds(lifetime, "lifetime"))
    if seconds < 1:
        msg = f"lifetime must be at least one second, got {lifetime}"
        raise ValueError(msg)
    prepared = _keys_cache.get(key)
    if prepared is None:
        prepared = _prepared(key, "given")
        if len(key) <= 256:  # real keys are about 30 characters; longer ones are not kept
            if len(_keys_cache) >= 64:
                _keys_cache.clear()
            _keys_cache[key] = prepared
    if not isinstance(url, str):
        msg = f"url must be a str, got {type(url).__name__}"
        raise TypeError(msg)
    claims = {
        "iss": ISSUER,
        "sub": url,
        "exp": issued + seconds,
        "nbf": issued,
        "iat": issued,
        "jti": "jwt_" + secrets.token_urlsafe(21) if jti is None else jti,
        "body": body_hash(body),
    }
    payload = base64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = _HEADER_SEGMENT + b"." + payload
    signature = base64url_encode(_HS256.sign(signing_input, prepared))
    return (signing_input + b"." + signature).decode("ascii")


def _split(token: str) -> tuple[str, str, str]:
    dots = token.count(".")
    if dots != 2:
        raise _fail(
            "signature.malformed",
            f"expected a JWT: three base64url segments joined by '.', got {dots + 1} segment"
            + ("" if dots == 0 else "s"),
            token,
            (0, len(token)),
        )
    header, payload, signature = token.split(".")
    return header, payload, signature


def _check_segment(part: str, what: str, token: str, start: int) -> None:
    if _SEGMENT.fullmatch(part) and len(part) % 4 != 1:
        return
    bad = re.search(r"[^A-Za-z0-9_-]", part)
    if bad:
        where = (start + bad.start(), start + bad.start() + 1)
        detail = f"the character {bad.group()!r}"
    else:
        where = (start, start + len(part))
        detail = "an impossible length" if part else "nothing"
    raise _fail(
        "signature.malformed",
        f"expected the JWT {what} in base64url without padding, found {detail}",
        token,
        where,
    )


def _json_object(segment: str, what: str, token: str, offset: int) -> dict[str, Any]:
    span = (offset, offset + len(segment))
    data = base64url_decode(segment)
    if base64url_encode(data).decode("ascii") != segment:
        raise _fail(
            "signature.malformed",
            f"the JWT {what} is not canonical base64url (its last character has stray bits)",
            token,
            span,
        )
    try:
        decoded = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        problem = "not UTF-8" if isinstance(error, UnicodeDecodeError) else "not JSON"
        raise _fail(
            "signature.malformed",
            f"expected the JWT {what} to be a JSON object, it is {problem}",
            token,
            span,
        ) from None
    if not isinstance(decoded, dict):
        raise _fail(
            "signature.malformed",
            f"expected the JWT {what} to be a JSON object, got {_JSON_TYPES[type(decoded)]}",
            token,
            span,
        )
    if _too_deep(decoded):
        raise _fail(
            "signature.malformed",
            f"the JWT {what} nests JSON more than {MAX_JSON_DEPTH} levels deep",
            token,
            span,
        )
    return decoded


#: How deep a JWT header or payload may nest JSON (QStash's claims are flat). Checked after
#: parsing, so the verdict does not depend on how deep a Python version's ``json`` can recurse.
MAX_JSON_DEPTH: Final = 32


def _too_deep(value: object) -> bool:
    level: list[object] = [value]
    for _ in range(MAX_JSON_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


_JSON_TYPES: Final = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _shown(value: Any) -> str:
    """A claim or header value for a message: its JSON text, cut to 60 characters."""
    try:
        text = json.dumps(value)
    except (ValueError, RecursionError):  # deeply nested: name its type instead
        return f"{_JSON_TYPES.get(type(value), 'a value')} nested too deep to show"
    return text if len(text) <= 60 else text[:57] + "..."


def _check_header(header: dict[str, Any], token: str, span: tuple[int, int]) -> None:
    alg = header.get("alg")
    if alg != "HS256":
        got = "no alg" if "alg" not in header else f"alg {_shown(alg)}"
        raise _fail(
            "signature.algorithm", f"expected a token signed with alg HS256, got {got}", token, span
        )
    typ = header.get("typ", "JWT")
    if not isinstance(typ, str) or typ.upper() != "JWT":
        raise _fail("signature.type", f"expected typ JWT, got {_shown(typ)}", token, span)
    if "crit" in header:
        raise _fail(
            "signature.critical_header",
            f"the token requires header extensions this verifier does not implement: "
            f"crit {_shown(header['crit'])}",
            token,
            span,
        )


def _matching_key(keys: SigningKeys, signing_input: bytes, signature: bytes) -> str | None:
    if hmac.compare_digest(base64url_encode(_HS256.sign(signing_input, keys._current)), signature):
        return "current"
    nxt = keys._next
    if nxt is not None and hmac.compare_digest(
        base64url_encode(_HS256.sign(signing_input, nxt)), signature
    ):
        return "next"
    return None


def _check_claim_types(claims: dict[str, Any]) -> None:
    missing = [name for name in _REQUIRED if name not in claims]
    if missing:
        names = ", ".join(missing)
        raise _fail(
            "signature.missing_claim",
            f"expected the claims iss, sub, exp, nbf and body; the token has no {names}",
        )
    for name in _STRINGS:
        if name in claims and not isinstance(claims[name], str):
            raise _fail(
                "signature.invalid_claim",
                f"expected the {name} claim to be a string, got {_shown(claims[name])}",
            )
    for name in _TIMES:
        if name not in claims:
            continue
        value = claims[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise _fail(
                "signature.invalid_claim",
                f"expected the {name} claim to be Unix seconds (a number), got {_shown(value)}",
            )
        if abs(value) > _MAX_TIME:
            raise _fail(
                "signature.invalid_claim",
                f"the {name} claim {_shown(value)} is out of range (at most 2**53 seconds)",
            )


def _when(seconds: float) -> str:
    return f"{seconds:.0f}" if seconds == int(seconds) else f"{seconds:.3f}"


def verify_signature(
    token: str,
    *,
    body: bytes,
    keys: SigningKeys,
    url: str | None = None,
    now: datetime | int | None = None,
    clock_tolerance: timedelta = timedelta(0),
) -> SignatureClaims:
    """Verify an ``Upstash-Signature`` token for the raw ``body`` bytes, and return its claims.

    The current key is tried first, then the next one only when the current key's HMAC does not
    match. ``url``, when given, must name the same resource as ``sub`` (:func:`same_url`).
    ``now`` defaults to the system clock; ``clock_tolerance`` widens ``exp``, ``nbf`` and
    ``iat`` alike.

    >>> keys = SigningKeys("sig_current", "sig_next")
    >>> token = sign(b"hi", url="https://example.com/a", key="sig_next", now=1_700_000_000)
    >>> verify_signature(token, body=b"hi", keys=keys, now=1_700_000_100).key
    'next'
    >>> verify_signature(token, body=b"hi", keys=keys, now=1_700_000_301)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidSignature: Upstash-Signature: the token expired at 1700000300, 1 s ...

    Raises:
        InvalidSignature: with one of the codes in ``InvalidSignature.CODES``.
        TypeError: ``token`` is not a ``str``, ``body`` not bytes, ``keys`` not
            :class:`SigningKeys`, ``now`` a naive datetime.

    """
    if not isinstance(token, str):
        msg = f"the token must be a str, got {type(token).__name__}"
        raise TypeError(msg)
    if not isinstance(keys, SigningKeys):
        msg = f"keys must be SigningKeys, got {type(keys).__name__}"
        raise TypeError(msg)
    data = _bytes(body)
    current = _unix(now, "now")
    tolerance = _seconds(clock_tolerance, "clock_tolerance")
    if len(token) > MAX_SIGNATURE_LENGTH:
        raise _fail(
            "signature.too_long",
            f"a signature is at most {MAX_SIGNATURE_LENGTH} characters, got {len(token)}",
        )
    header_segment, payload_segment, signature_segment = _split(token)
    signed = len(header_segment) + 1 + len(payload_segment)
    _check_segment(header_segment, "header", token, 0)
    _check_segment(payload_segment, "payload", token, len(header_segment) + 1)
    if header_segment != _HEADER_TEXT:  # QStash's own header needs no decoding
        header = _json_object(header_segment, "header", token, 0)
        _check_header(header, token, (0, len(header_segment)))
    _check_segment(signature_segment, "signature", token, signed + 1)
    which = _matching_key(keys, token[:signed].encode("ascii"), signature_segment.encode("ascii"))
    if which is None:
        raise _fail(
            "signature.bad_signature",
            "the signature matches neither the current nor the next signing key",
            token,
            (signed + 1, len(token)),
        )
    claims = _json_object(payload_segment, "payload", token, len(header_segment) + 1)
    _check_claim_types(claims)
    issuer = claims["iss"]
    if issuer != ISSUER:
        raise _fail("signature.issuer", f"expected the issuer 'Upstash', got {_shown(issuer)}")
    exp, nbf, iat = claims["exp"], claims["nbf"], claims.get("iat")
    if current >= exp + tolerance:
        raise _fail(
            "signature.expired",
            f"the token expired at {_when(exp)}, {_when(current - exp)} s before now "
            f"({_when(current)}) with a clock tolerance of {_when(tolerance)} s",
        )
    if nbf > current + tolerance:
        raise _fail(
            "signature.not_yet_valid",
            f"the token is valid from {_when(nbf)}, {_when(nbf - current)} s after now "
            f"({_when(current)}) with a clock tolerance of {_when(tolerance)} s",
        )
    if iat is not None and iat > current + tolerance:
        raise _fail(
            "signature.issued_in_future",
            f"the token was issued at {_when(iat)}, {_when(iat - current)} s after now "
            f"({_when(current)}) with a clock tolerance of {_when(tolerance)} s",
        )
    subject = claims["sub"]
    if url is not None and not same_url(subject, url):
        raise _fail(
            "signature.url_mismatch",
            f"the token was issued for {_shown(subject)}, not for {_shown(url)}",
            subject,
            (0, len(subject)),
        )
    claimed: str = claims["body"]
    expected = base64url_encode(hashlib.sha256(data).digest())
    candidate = claimed.removesuffix("=")
    if not hmac.compare_digest(candidate.encode("utf-8", "surrogatepass"), expected):
        hint = (
            " (the claim is in standard base64; QStash uses base64url)"
            if "+" in claimed or "/" in claimed
            else ""
        )
        raise _fail(
            "signature.body_mismatch",
            f"the body claim {_shown(claimed)} is not the SHA-256 of the body received, "
            f"{expected.decode('ascii')!r}{hint}",
            claimed,
            (0, len(claimed)),
        )
    jti = claims.get("jti")
    return SignatureClaims(
        issuer=issuer,
        subject=subject,
        expires=exp,
        not_before=nbf,
        issued_at=iat,
        jwt_id=jti,
        body_hash=claimed,
        key="current" if which == "current" else "next",
    )


def _url_key(url: str) -> tuple[str, str, str, int | None, str, str, str] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    userinfo, at, _ = netloc.rpartition("@")
    host = (parts.hostname or "").lower()
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        port = None
    path = parts.path or ("/" if scheme in _DEFAULT_PORTS and netloc else "")
    return (scheme, userinfo + at, host, port, path, parts.query, parts.fragment)


def same_url(a: str, b: str) -> bool:
    """Whether two URLs name the same resource, the way :func:`verify_signature` compares ``sub``.

    The scheme and the host are case-insensitive, a default port (80 for http, 443 for https) is
    the same as none, an empty path is ``/``; user information, path, query and fragment must be
    equal character for character. A URL Python cannot split compares as its exact text.

    A receiver behind a proxy can rebuild its public URL (from ``X-Forwarded-Proto``, ``Host``
    and the path it was called at) and compare it with ``claims.subject``.

    >>> same_url("https://Example.COM:443/api", "https://example.com/api")
    True
    >>> same_url("https://example.com", "https://example.com/")
    True
    >>> same_url("https://example.com/api", "https://example.com/api/")
    False
    >>> same_url("https://example.com/API", "https://example.com/api")
    False
    """
    if a == b:
        return True
    key_a, key_b = _url_key(a), _url_key(b)
    return key_a is not None and key_a == key_b


def normalize_region(region: str | None) -> str | None:
    """The region an ``upstash-region`` header names (``-`` to ``_``, upper case), or ``None``.

    Only :data:`REGIONS` are known, as in the JS SDK (qstash-js
    ``src/client/multi-region/utils.ts``, ``normalizeRegionHeader``).

    >>> normalize_region("us-east-1"), normalize_region("ap-south-1"), normalize_region(None)
    ('US_EAST_1', None, None)
    """
    if not region:
        return None
    normalized = region.replace("-", "_").upper()
    return normalized if normalized in REGIONS else None


def signing_keys_for_region(
    region: str | None, environment: Mapping[str, str]
) -> SigningKeys | None:
    """Pick the signing keys for a delivery's ``upstash-region`` header, as the JS SDK does.

    With ``QSTASH_REGION`` set to a known region in ``environment`` (migration mode, see
    https://upstash.com/docs/qstash/howto/multi-region), the header's region selects
    ``{REGION}_QSTASH_CURRENT_SIGNING_KEY`` and ``{REGION}_QSTASH_NEXT_SIGNING_KEY`` when both are
    set. Otherwise, or when they are missing, ``QSTASH_CURRENT_SIGNING_KEY`` and
    ``QSTASH_NEXT_SIGNING_KEY`` are used; ``None`` when those are missing too (qstash-js
    ``src/client/multi-region/incoming.ts``, ``getReceiverSigningKeys``). ``QSTASH_DEV`` set to
    ``true`` or ``1`` selects :data:`DEV_SIGNING_KEYS` before anything else, as there (the JS SDK
    throws on other values but ``false``, ``0`` and empty; here they all mean off).

    >>> env = {"QSTASH_REGION": "US_EAST_1",
    ...        "US_EAST_1_QSTASH_CURRENT_SIGNING_KEY": "sig_us_a",
    ...        "US_EAST_1_QSTASH_NEXT_SIGNING_KEY": "sig_us_b",
    ...        "QSTASH_CURRENT_SIGNING_KEY": "sig_eu_a", "QSTASH_NEXT_SIGNING_KEY": "sig_eu_b"}
    >>> signing_keys_for_region("US-EAST-1", env).current
    'sig_us_a'
    >>> signing_keys_for_region("EU-CENTRAL-1", env).current
    'sig_eu_a'
    """
    if environment.get("QSTASH_DEV") in ("true", "1"):
        return DEV_SIGNING_KEYS
    if normalize_region(environment.get("QSTASH_REGION")) is not None:
        selected = normalize_region(region)
        if selected is not None:
            current = environment.get(f"{selected}_QSTASH_CURRENT_SIGNING_KEY")
            nxt = environment.get(f"{selected}_QSTASH_NEXT_SIGNING_KEY")
            if current and nxt:
                return SigningKeys(current, nxt)
    current = environment.get("QSTASH_CURRENT_SIGNING_KEY")
    nxt = environment.get("QSTASH_NEXT_SIGNING_KEY")
    if current and nxt:
        return SigningKeys(current, nxt)
    return None
