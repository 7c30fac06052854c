"""The QStash request-header protocol as pure functions: parse, validate, encode. No I/O.

>>> from qstash_protocol import parse_duration, format_duration
>>> format_duration(parse_duration("90m"))
'1h30m'

Every error is a :class:`ProtocolError` (a :class:`ValueError`) with a stable ``code``, the
``header`` and ``value`` it concerns, and the ``span`` of the offending characters.
"""

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.codec import (
    InvalidHeaders,
    decode_headers,
    encode_headers,
    first_delivery_time,
)
from qstash_protocol.publish.headers import (
    MAX_SCOPE_DEPTH,
    HeaderName,
    Headers,
    InvalidHeader,
    canonical_header_name,
    parse_header_name,
    validate_content_type,
    validate_header_name,
    validate_header_value,
)
from qstash_protocol.publish.options import Callback, FlowControl, HttpMethod, MessageOptions
from qstash_protocol.publish.request import InvalidRequest, PublishRequest, decode_request
from qstash_protocol.values.cron import MAX_CRON_LENGTH, InvalidCron, validate_cron
from qstash_protocol.values.deduplication import (
    CONTENT_DEDUPLICATION_HEADER_PREFIX,
    MAX_DEDUPLICATION_ID_LENGTH,
    InvalidDeduplicationId,
    content_deduplication_id,
    format_content_based_deduplication,
    parse_content_based_deduplication,
    validate_deduplication_id,
)
from qstash_protocol.values.durations import (
    MAX_DURATION,
    MAX_DURATION_LENGTH,
    InvalidDuration,
    format_duration,
    parse_duration,
)
from qstash_protocol.values.flow_control import (
    DEFAULT_FLOW_CONTROL_PERIOD,
    MAX_FLOW_CONTROL_INTEGER,
    MAX_FLOW_CONTROL_KEY_LENGTH,
    MAX_FLOW_CONTROL_PERIOD,
    MAX_FLOW_CONTROL_VALUE_LENGTH,
    MIN_FLOW_CONTROL_PERIOD,
    FlowControlValue,
    InvalidFlowControl,
    parse_flow_control_value,
    validate_flow_control_key,
)
from qstash_protocol.values.names import (
    MAX_NAME_LENGTH,
    InvalidName,
    validate_queue_name,
    validate_schedule_id,
    validate_url_group_name,
)
from qstash_protocol.values.redact import (
    MAX_REDACT_FIELDS_LENGTH,
    REDACTED_PREFIX,
    InvalidRedactFields,
    RedactFields,
    parse_redact_fields,
    redact_value,
)
from qstash_protocol.values.retry_delay import (
    MAX_RETRIED,
    MAX_RETRY_DELAY_DEPTH,
    MAX_RETRY_DELAY_LENGTH,
    MAX_RETRY_DELAY_TOKENS,
    InvalidRetryDelay,
    RetryDelay,
    default_backoff,
    parse_retry_delay,
)
from qstash_protocol.values.small import (
    HTTP_METHODS,
    MAX_INTEGER_LENGTH,
    MAX_LABELS_LENGTH,
    MAX_NOT_BEFORE,
    MAX_RETRIES,
    InvalidLabel,
    InvalidMethod,
    InvalidNotBefore,
    InvalidRetries,
    format_labels,
    format_not_before,
    parse_labels,
    parse_method,
    parse_not_before,
    parse_retries,
)
from qstash_protocol.values.urls import (
    MAX_URL_LENGTH,
    Destination,
    DestinationKind,
    InvalidUrl,
    parse_callback_url,
    parse_destination,
)

__all__ = [
    "CONTENT_DEDUPLICATION_HEADER_PREFIX",
    "DEFAULT_FLOW_CONTROL_PERIOD",
    "HTTP_METHODS",
    "MAX_CRON_LENGTH",
    "MAX_DEDUPLICATION_ID_LENGTH",
    "MAX_DURATION",
    "MAX_DURATION_LENGTH",
    "MAX_FLOW_CONTROL_INTEGER",
    "MAX_FLOW_CONTROL_KEY_LENGTH",
    "MAX_FLOW_CONTROL_PERIOD",
    "MAX_FLOW_CONTROL_VALUE_LENGTH",
    "MAX_INTEGER_LENGTH",
    "MAX_LABELS_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NOT_BEFORE",
    "MAX_REDACT_FIELDS_LENGTH",
    "MAX_RETRIED",
    "MAX_RETRIES",
    "MAX_RETRY_DELAY_DEPTH",
    "MAX_RETRY_DELAY_LENGTH",
    "MAX_RETRY_DELAY_TOKENS",
    "MAX_SCOPE_DEPTH",
    "MAX_URL_LENGTH",
    "MIN_FLOW_CONTROL_PERIOD",
    "REDACTED_PREFIX",
    "Callback",
    "Destination",
    "DestinationKind",
    "FlowControl",
    "FlowControlValue",
    "HeaderName",
    "Headers",
    "HttpMethod",
    "InvalidCron",
    "InvalidDeduplicationId",
    "InvalidDuration",
    "InvalidFlowControl",
    "InvalidHeader",
    "InvalidHeaders",
    "InvalidLabel",
    "InvalidMethod",
    "InvalidName",
    "InvalidNotBefore",
    "InvalidRedactFields",
    "InvalidRequest",
    "InvalidRetries",
    "InvalidRetryDelay",
    "InvalidUrl",
    "MessageOptions",
    "ProtocolError",
    "PublishRequest",
    "RedactFields",
    "RetryDelay",
    "canonical_header_name",
    "content_deduplication_id",
    "decode_headers",
    "decode_request",
    "default_backoff",
    "encode_headers",
    "first_delivery_time",
    "format_content_based_deduplication",
    "format_duration",
    "format_labels",
    "format_not_before",
    "parse_callback_url",
    "parse_content_based_deduplication",
    "parse_destination",
    "parse_duration",
    "parse_flow_control_value",
    "parse_header_name",
    "parse_labels",
    "parse_method",
    "parse_not_before",
    "parse_redact_fields",
    "parse_retries",
    "parse_retry_delay",
    "redact_value",
    "validate_content_type",
    "validate_cron",
    "validate_deduplication_id",
    "validate_flow_control_key",
    "validate_header_name",
    "validate_header_value",
    "validate_queue_name",
    "validate_schedule_id",
    "validate_url_group_name",
]

# The one source of the version: the build reads it from here ([tool.hatch.version]).
__version__ = "0.1.0"


def _present_errors_as_public() -> None:
    """Give each public error class the module users import it from.

    Tracebacks and doctests then read ``qstash_protocol.InvalidDuration: ...`` wherever the class
    is defined, and pickles name the stable public path, not the layout of the sub-packages.
    """
    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) and issubclass(obj, ProtocolError):
            obj.__module__ = __name__


_present_errors_as_public()
