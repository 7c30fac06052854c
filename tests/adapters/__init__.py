"""One module per vector parser: ``run(input, options) -> output`` (JSON-ready).

``tests/vectors/<parser>.json`` is run through ``tests/adapters/<parser>.py``. An adapter lets
every :class:`~qstash_protocol.ProtocolError` propagate; the runner compares its code and span.
"""
