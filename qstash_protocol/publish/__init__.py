"""The request side: what a client sends to QStash.

Header names and the :class:`~qstash_protocol.Headers` map, the option models
(:class:`~qstash_protocol.MessageOptions`), the header codec, request paths (v2 and API v1, with
query-string options), ``/v2/batch`` bodies, plan limits, and the bodies the service answers
with.

What it may import: :mod:`qstash_protocol.errors`, the private helpers, and
:mod:`qstash_protocol.values`. It never imports :mod:`qstash_protocol.delivery` or
:mod:`qstash_protocol.testing`; ``tests/test_layout.py`` enforces it.

The public names are re-exported, flat, by :mod:`qstash_protocol`; import them from there.
"""
