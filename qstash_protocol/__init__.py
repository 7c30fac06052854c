"""The QStash request-header protocol as pure functions: parse, validate, encode. No I/O.

>>> from qstash_protocol import parse_duration, format_duration
>>> format_duration(parse_duration("90m"))
'1h30m'

Every error is a :class:`ProtocolError` (a :class:`ValueError`) with a stable ``code``, the
``header`` and ``value`` it concerns, and the ``span`` of the offending characters.
"""

from qstash_protocol.delivery.request import (
    DELIVERY_HEADERS,
    TRANSPORT_HEADERS,
    USER_AGENT,
    Delivery,
    InvalidDelivery,
    decode_delivery,
    delivery_headers,
)
from qstash_protocol.delivery.signature import (
    DEV_SIGNING_KEYS,
    ISSUER,
    MAX_SIGNATURE_LENGTH,
    REGIONS,
    SIGNATURE_LIFETIME,
    InvalidSignature,
    SignatureClaims,
    SigningKeys,
    body_hash,
    normalize_region,
    same_url,
    sign,
    signing_keys_for_region,
    verify_signature,
)
from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.batch import (
    MAX_BATCH_BODY_SIZE,
    MAX_BATCH_ITEMS,
    MAX_BATCH_NESTING,
    InvalidBatch,
    InvalidBatchBody,
    decode_batch,
    encode_batch,
)
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
from qstash_protocol.publish.limits import LimitExceeded, Limits, check_limits
from qstash_protocol.publish.options import Callback, FlowControl, HttpMethod, MessageOptions
from qstash_protocol.publish.request import (
    DEDUPLICATION_WINDOWS,
    QSTASH_TOKEN_PARAMETER,
    QUERY_OPTION_PREFIX,
    InvalidRequest,
    PublishRequest,
    decode_request,
)
from qstash_protocol.publish.responses import (
    BatchResponseItem,
    ErrorResponse,
    InvalidResponse,
    PublishResponse,
    ScheduleResponse,
    format_batch_response,
    format_error_response,
    format_publish_response,
    parse_batch_response,
    parse_error_response,
    parse_publish_response,
    parse_schedule_response,
)
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
    InvalidHeaderForward,
    InvalidLabel,
    InvalidMethod,
    InvalidNotBefore,
    InvalidRetries,
    format_labels,
    format_not_before,
    parse_header_forward,
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
    "DEDUPLICATION_WINDOWS",
    "DEFAULT_FLOW_CONTROL_PERIOD",
    "DELIVERY_HEADERS",
    "DEV_SIGNING_KEYS",
    "HTTP_METHODS",
    "ISSUER",
    "MAX_BATCH_BODY_SIZE",
    "MAX_BATCH_ITEMS",
    "MAX_BATCH_NESTING",
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
    "MAX_SIGNATURE_LENGTH",
    "MAX_URL_LENGTH",
    "MIN_FLOW_CONTROL_PERIOD",
    "QSTASH_TOKEN_PARAMETER",
    "QUERY_OPTION_PREFIX",
    "REDACTED_PREFIX",
    "REGIONS",
    "SIGNATURE_LIFETIME",
    "TRANSPORT_HEADERS",
    "USER_AGENT",
    "BatchResponseItem",
    "Callback",
    "Delivery",
    "Destination",
    "DestinationKind",
    "ErrorResponse",
    "FlowControl",
    "FlowControlValue",
    "HeaderName",
    "Headers",
    "HttpMethod",
    "InvalidBatch",
    "InvalidBatchBody",
    "InvalidCron",
    "InvalidDeduplicationId",
    "InvalidDelivery",
    "InvalidDuration",
    "InvalidFlowControl",
    "InvalidHeader",
    "InvalidHeaderForward",
    "InvalidHeaders",
    "InvalidLabel",
    "InvalidMethod",
    "InvalidName",
    "InvalidNotBefore",
    "InvalidRedactFields",
    "InvalidRequest",
    "InvalidResponse",
    "InvalidRetries",
    "InvalidRetryDelay",
    "InvalidSignature",
    "InvalidUrl",
    "LimitExceeded",
    "Limits",
    "MessageOptions",
    "ProtocolError",
    "PublishRequest",
    "PublishResponse",
    "RedactFields",
    "RetryDelay",
    "ScheduleResponse",
    "SignatureClaims",
    "SigningKeys",
    "body_hash",
    "canonical_header_name",
    "check_limits",
    "content_deduplication_id",
    "decode_batch",
    "decode_delivery",
    "decode_headers",
    "decode_request",
    "default_backoff",
    "delivery_headers",
    "encode_batch",
    "encode_headers",
    "first_delivery_time",
    "format_batch_response",
    "format_content_based_deduplication",
    "format_duration",
    "format_error_response",
    "format_labels",
    "format_not_before",
    "format_publish_response",
    "normalize_region",
    "parse_batch_response",
    "parse_callback_url",
    "parse_content_based_deduplication",
    "parse_destination",
    "parse_duration",
    "parse_error_response",
    "parse_flow_control_value",
    "parse_header_forward",
    "parse_header_name",
    "parse_labels",
    "parse_method",
    "parse_not_before",
    "parse_publish_response",
    "parse_redact_fields",
    "parse_retries",
    "parse_retry_delay",
    "parse_schedule_response",
    "redact_value",
    "same_url",
    "sign",
    "signing_keys_for_region",
    "validate_content_type",
    "validate_cron",
    "validate_deduplication_id",
    "validate_flow_control_key",
    "validate_header_name",
    "validate_header_value",
    "validate_queue_name",
    "validate_schedule_id",
    "validate_url_group_name",
    "verify_signature",
]

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
