"""The header value languages: one module per value that a QStash header carries.

Durations (``Upstash-Delay``), retry-delay expressions (``Upstash-Retry-Delay``) and their
compiler, flow control, redact fields, deduplication, cron, URLs and names, and the small values
(method, retries, not-before, labels). Both halves of the exchange use them: the request side to
read what a client sends, the delivery side to read what QStash delivers.

What it may import: :mod:`qstash_protocol.errors` and the package's private helpers
(``qstash_protocol._chars``, ``qstash_protocol._resources``), nothing else of the package. The
modules here are leaves; ``tests/test_layout.py`` enforces it.

The public names are re-exported, flat, by :mod:`qstash_protocol`; import them from there.
"""
