"""The QStash request-header protocol as pure functions: parse, validate, encode. No I/O.

>>> from qstash_protocol import parse_duration, format_duration
>>> format_duration(parse_duration("90m"))
'1h30m'

Every error is a :class:`ProtocolError` (a :class:`ValueError`) with a stable ``code``, the
``header`` and ``value`` it concerns, and the ``span`` of the offending characters.
"""

from qstash_protocol.durations import (
    MAX_DURATION,
    MAX_DURATION_LENGTH,
    InvalidDuration,
    format_duration,
    parse_duration,
)
from qstash_protocol.errors import ProtocolError
from qstash_protocol.retry_delay import (
    MAX_RETRIED,
    MAX_RETRY_DELAY_DEPTH,
    MAX_RETRY_DELAY_LENGTH,
    MAX_RETRY_DELAY_TOKENS,
    InvalidRetryDelay,
    RetryDelay,
    default_backoff,
    parse_retry_delay,
)

__all__ = [
    "MAX_DURATION",
    "MAX_DURATION_LENGTH",
    "MAX_RETRIED",
    "MAX_RETRY_DELAY_DEPTH",
    "MAX_RETRY_DELAY_LENGTH",
    "MAX_RETRY_DELAY_TOKENS",
    "InvalidDuration",
    "InvalidRetryDelay",
    "ProtocolError",
    "RetryDelay",
    "default_backoff",
    "format_duration",
    "parse_duration",
    "parse_retry_delay",
]

__version__ = "0.1.0"
