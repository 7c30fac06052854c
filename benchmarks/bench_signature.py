"""Time ``verify_signature`` against ``qstash.Receiver.verify``, and ``sign`` against PyJWT.

Run: ``python benchmarks/bench_signature.py`` (needs the ``test`` extra for the qstash SDK).

- *verify*: the same fresh token and body (a 1 KB JSON body) verified by both, with the URL
  checked. The Receiver takes the body as text and hashes its UTF-8 encoding; we take the
  bytes. Target: ``verify_signature`` >= 1.5x faster.
- *verify (next key)*: a token signed with the next key, so both try the current key first.
- *sign*: ``sign`` against ``jwt.encode`` of the same claims plus the body hash (what a test
  server would write by hand). Target: no slower (ratio >= 1.0).

- *hostile*: how long refusing a hostile token takes (no peer: the point is that it is fast).

Both sides must agree (the Receiver accepts our token, PyJWT writes the same token) before
anything is timed. Each ratio is the best of several runs; the script prints all.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import timeit
from collections.abc import Callable

import jwt
from jwt.utils import base64url_encode
from qstash import Receiver

from qstash_protocol import InvalidSignature, SigningKeys, sign, verify_signature

CURRENT, NEXT = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
URL = "https://example.com/api/webhook"
BODY_TEXT = json.dumps({"items": [{"id": i, "name": f"item {i}"} for i in range(40)]})
BODY = BODY_TEXT.encode()


def per_call(func: Callable[[], object], number: int = 5000, repeat: int = 5) -> float:
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def pyjwt_sign(now: int) -> str:
    digest = base64url_encode(hashlib.sha256(BODY).digest()).decode() + "="
    claims = {
        "iss": "Upstash",
        "sub": URL,
        "exp": now + 300,
        "nbf": now,
        "iat": now,
        "jti": "jwt_bench",
        "body": digest,
    }
    return jwt.encode(claims, CURRENT, algorithm="HS256", headers={"typ": "JWT"})


def _refused(token: str, keys: SigningKeys) -> None:
    try:
        verify_signature(token, body=BODY, keys=keys)
    except InvalidSignature:
        return
    sys.exit(f"accepted {token[:40]!r}")


def main() -> None:
    now = int(time.time())
    keys = SigningKeys(CURRENT, NEXT)
    receiver = Receiver(CURRENT, NEXT)
    results = []
    for label, key in (("verify", CURRENT), ("verify (next key)", NEXT)):
        token = sign(BODY, url=URL, key=key, now=now, jti="jwt_bench")
        receiver.verify(signature=token, body=BODY_TEXT, url=URL)  # they must agree
        verify_signature(token, body=BODY, keys=keys, url=URL)

        def ours(token: str = token) -> object:
            return verify_signature(token, body=BODY, keys=keys, url=URL)

        def theirs(token: str = token) -> object:
            return receiver.verify(signature=token, body=BODY_TEXT, url=URL)

        results.append((label, per_call(ours), per_call(theirs), "qstash.Receiver.verify", 1.5))

    if sign(BODY, url=URL, key=CURRENT, now=now, jti="jwt_bench") != pyjwt_sign(now):
        sys.exit("sign and jwt.encode disagree")
    results.append(
        (
            "sign",
            per_call(lambda: sign(BODY, url=URL, key=CURRENT, now=now, jti="jwt_bench")),
            per_call(lambda: pyjwt_sign(now)),
            "jwt.encode + body hash",
            1.0,
        )
    )
    hostile = {
        "1 MB token": "a" * 1_000_000,
        "16 KiB of dots": "." * 16384,
        "header nested 5000 deep": base64url_encode(b"[" * 5000 + b"]" * 5000).decode() + ".e30.x",
        "alg none": base64url_encode(b'{"alg":"none"}').decode() + ".e30.",
    }
    for label, token in hostile.items():
        try:
            verify_signature(token, body=BODY, keys=keys)
        except InvalidSignature as error:
            seconds = per_call(lambda token=token: _refused(token, keys), number=200)
            print(f"hostile: {label:26} refused ({error.code}) in {seconds * 1e6:8.1f} us")
    for label, ours_s, theirs_s, peer, target in results:
        ratio = theirs_s / ours_s
        verdict = "ok" if ratio >= target else "BELOW TARGET"
        print(
            f"{label:18} ours {ours_s * 1e6:6.1f} us   {peer} {theirs_s * 1e6:6.1f} us   "
            f"ratio {ratio:4.2f}x (target >= {target}x) {verdict}"
        )


if __name__ == "__main__":
    main()
