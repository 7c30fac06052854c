"""The delivery side: what QStash sends to a destination, and what happens after an attempt.

The ``Upstash-Signature`` JWT, the headers a destination receives, callback payloads and the
retry decision.

What it may import: :mod:`qstash_protocol.errors`, the private helpers,
:mod:`qstash_protocol.values` and :mod:`qstash_protocol.publish` (a delivery is made from a
decoded publish). It never imports :mod:`qstash_protocol.testing`; ``tests/test_layout.py``
enforces it.

The public names are re-exported, flat, by :mod:`qstash_protocol`; import them from there.
"""
