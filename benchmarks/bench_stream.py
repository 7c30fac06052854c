"""Time decode_request over the real SDK requests, cold and warm, against h11 framing them.

Run: ``python benchmarks/bench_stream.py`` (needs the ``test`` extra for h11).

The stream is every request the project captured from the official SDKs: the observed requests
of ``tests/vectors/request.json`` (Python SDK 3.4.0, TypeScript SDK 2.12.0) that decode without
options, and the workflow SDK captures ``tests/vectors/workflow_*.json`` (each batch item as a
publish of its own). Only the requests ``decode_request`` accepts are kept. One pass decodes
every request once, in order.

- *cold*: every value cache of the library is cleared before each pass, so each header name and
  value is met for the first time (a fresh process, or real traffic where ids differ on every
  request). The Lark tables stay built.
- *warm*: the caches are left as the previous pass left them.

The three take turns in every round (cold, warm, h11), and each reports its lower quartile
over 60 rounds.

The peer is h11 parsing the same requests as HTTP/1.1 bytes (request line, the headers, and a
Host and ``Content-Length: 0`` where the request has none): a new ``h11.Connection`` per
request, ``receive_data``, and ``next_event`` until the ``Request`` event. Target: cold at most
0.5x h11 (issue 16).
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import h11

sys.path.insert(0, os.path.dirname(__file__))
from _caches import clear_caches

from qstash_protocol import ProtocolError, decode_request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _requests_from(path: str) -> list[tuple[str, list[tuple[str, str]]]]:
    with open(path, encoding="utf-8") as file:
        data: Any = json.load(file)
    cases = data["cases"] if isinstance(data, dict) else data
    found = []
    for case in cases:
        given = case.get("input", case)
        if not isinstance(given, dict) or "headers" not in given or case.get("options"):
            continue
        headers = given["headers"]
        pairs = list(headers.items()) if isinstance(headers, dict) else headers
        path_text = given.get("path") or given.get("url")
        if not isinstance(path_text, str):
            continue
        found.append((path_text, [(str(n), str(v)) for n, v in pairs]))
        for item in given.get("batch") or ():  # a batch item is a message of its own
            destination = item.get("destination")
            if isinstance(destination, str) and isinstance(item.get("headers"), list):
                item_headers = [(str(n), str(v)) for n, v in item["headers"]]
                found.append(("/v2/publish/" + destination, item_headers))
    return found


def load_stream() -> list[tuple[str, list[tuple[str, str]]]]:
    """The valid requests of the vectors (the ones decode_request accepts)."""
    stream = []
    files = [os.path.join(ROOT, "tests", "vectors", "request.json")]
    files += sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "workflow_*.json")))
    for path in files:
        for path_text, headers in _requests_from(path):
            try:
                decode_request(path_text, headers)
            except ProtocolError:
                continue
            stream.append((path_text, headers))
    return stream


def as_http(path: str, headers: list[tuple[str, str]]) -> bytes:
    names = {name.lower() for name, _ in headers}
    lines = [f"POST {path} HTTP/1.1"]
    if "host" not in names:
        lines.append("Host: qstash.upstash.io")
    lines += [f"{name}: {value}" for name, value in headers]
    if "content-length" not in names and "transfer-encoding" not in names:
        lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def h11_pass(blobs: list[bytes]) -> None:
    for blob in blobs:
        connection = h11.Connection(h11.SERVER)
        connection.receive_data(blob)
        event = connection.next_event()
        assert type(event) is h11.Request


def interleaved(
    runs: list[tuple[Callable[[], None], Callable[[], object] | None]], rounds: int
) -> list[float]:
    """Each run's lower-quartile time, the runs taking turns within every round.

    Taking turns, each ratio compares times taken moments apart: a shared machine's speed
    drifts between blocks of rounds by more than the ratios' differences.
    """
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(rounds):
        for (run, before), found in zip(runs, times, strict=True):
            if before is not None:
                before()
            start = time.perf_counter()
            run()
            found.append(time.perf_counter() - start)
    return [sorted(found)[len(found) // 4] for found in times]  # robust on a noisy machine


def main() -> None:
    stream = load_stream()
    blobs = [as_http(path, headers) for path, headers in stream]
    count = len(stream)
    header_count = sum(len(h) for _, h in stream) / count

    def ours() -> None:
        for path, headers in stream:
            decode_request(path, headers)

    ours()
    h11_pass(blobs)
    cold, warm, peer = interleaved(
        [(ours, clear_caches), (ours, None), (lambda: h11_pass(blobs), None)], rounds=60
    )
    print(f"{count} real SDK requests, {header_count:.1f} headers each on average")
    print(f"{'h11 (HTTP/1.1 framing)':<32}{peer / count * 1e6:>8.2f} us per request")
    print(
        f"{'decode_request, cold':<32}{cold / count * 1e6:>8.2f} us per request"
        f"   {cold / peer:>5.2f}x h11 (<= 0.5)"
    )
    print(
        f"{'decode_request, warm':<32}{warm / count * 1e6:>8.2f} us per request"
        f"   {warm / peer:>5.2f}x h11"
    )


if __name__ == "__main__":
    main()
