"""The QStash request-header protocol as pure functions: parse, validate, encode. No I/O.

>>> from qstash_protocol import parse_duration, format_duration
>>> format_duration(parse_duration("90m"))
'1h30m'

Every error is a :class:`ProtocolError` (a :class:`ValueError`) with a stable ``code``, the
``header`` and ``value`` it concerns, and the ``span`` of the offending characters.

Every public name is loaded on first use (PEP 562): ``import qstash_protocol`` imports only the
error model, so a process that starts cold pays for pydantic, Lark and the models only when it
first uses a name that needs them. ``__all__``, ``dir()``, ``from qstash_protocol import *``
and type checkers see every name as before.
"""

import importlib
from typing import TYPE_CHECKING, Any

from qstash_protocol.errors import ProtocolError

if TYPE_CHECKING:  # loaded on first use, by __getattr__ below
    from qstash_protocol.delivery.callbacks import (
        MAX_CALLBACK_DEPTH,
        MAX_CALLBACK_SIZE,
        MAX_TIMESTAMP_MILLISECONDS,
        CallbackPayload,
        FailureCallbackPayload,
        InvalidCallback,
        InvalidCallbackField,
        WorkflowFailure,
        parse_callback,
        parse_failure_callback,
    )
    from qstash_protocol.delivery.request import (
        DELIVERY_HEADERS,
        TRANSPORT_HEADERS,
        USER_AGENT,
        Delivery,
        InvalidDelivery,
        decode_delivery,
        delivery_headers,
    )
    from qstash_protocol.delivery.retry import (
        DEFAULT_RETRIES,
        MAX_RETRY_AFTER,
        MAX_RETRY_AFTER_LENGTH,
        NON_RETRYABLE_HEADER,
        NON_RETRYABLE_STATUS,
        RETRY_AFTER_HEADERS,
        Attempt,
        DelaySource,
        FiredCallback,
        InvalidRetryAfter,
        ResponseHeaders,
        RetryAfterHeader,
        is_non_retryable,
        is_success,
        next_attempt,
        parse_retry_after,
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
    from qstash_protocol.publish.findings import (
        Finding,
        lint_headers,
        lint_request,
    )
    from qstash_protocol.publish.headers import (
        MAX_ERRORS,
        MAX_HEADER_NAME_LENGTH,
        MAX_HEADER_VALUE_LENGTH,
        MAX_HEADERS,
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
    from qstash_protocol.publish.limits import (
        InvalidLimits,
        LimitExceeded,
        Limits,
        LimitsInput,
        check_limits,
    )
    from qstash_protocol.publish.options import (
        Callback,
        CallbackInput,
        FlowControl,
        FlowControlInput,
        HttpMethod,
        InvalidOptions,
        MessageOptions,
        MessageOptionsInput,
        OrphanScope,
        ScopeInput,
    )
    from qstash_protocol.publish.request import (
        DEDUPLICATION_WINDOWS,
        QSTASH_TOKEN_PARAMETER,
        QUERY_OPTION_PREFIX,
        InvalidRequest,
        PublishRequest,
        PublishRequestInput,
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
    from qstash_protocol.values.cron import (
        MAX_CRON_LENGTH,
        CronSchedule,
        InvalidCron,
        parse_cron,
        validate_cron,
    )
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
        MAX_SCHEDULE,
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

#: Each module of the public API and the public names it defines, loaded on first use: a name
#: costs its module's import (pydantic, Lark, PyJWT for some) only when a program first uses it.
#: A new public name goes in three places: the ``TYPE_CHECKING`` imports above (for type
#: checkers), its module's entry here, and ``__all__`` (tests/test_startup.py checks they agree).
_MODULES: dict[str, tuple[str, ...]] = {
    "qstash_protocol.delivery.callbacks": (
        "MAX_CALLBACK_DEPTH",
        "MAX_CALLBACK_SIZE",
        "MAX_TIMESTAMP_MILLISECONDS",
        "CallbackPayload",
        "FailureCallbackPayload",
        "InvalidCallback",
        "InvalidCallbackField",
        "WorkflowFailure",
        "parse_callback",
        "parse_failure_callback",
    ),
    "qstash_protocol.delivery.request": (
        "DELIVERY_HEADERS",
        "TRANSPORT_HEADERS",
        "USER_AGENT",
        "Delivery",
        "InvalidDelivery",
        "decode_delivery",
        "delivery_headers",
    ),
    "qstash_protocol.delivery.retry": (
        "DEFAULT_RETRIES",
        "MAX_RETRY_AFTER",
        "MAX_RETRY_AFTER_LENGTH",
        "NON_RETRYABLE_HEADER",
        "NON_RETRYABLE_STATUS",
        "RETRY_AFTER_HEADERS",
        "Attempt",
        "DelaySource",
        "FiredCallback",
        "InvalidRetryAfter",
        "ResponseHeaders",
        "RetryAfterHeader",
        "is_non_retryable",
        "is_success",
        "next_attempt",
        "parse_retry_after",
    ),
    "qstash_protocol.delivery.signature": (
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
    ),
    "qstash_protocol.publish.batch": (
        "MAX_BATCH_BODY_SIZE",
        "MAX_BATCH_ITEMS",
        "MAX_BATCH_NESTING",
        "InvalidBatch",
        "InvalidBatchBody",
        "decode_batch",
        "encode_batch",
    ),
    "qstash_protocol.publish.codec": (
        "InvalidHeaders",
        "decode_headers",
        "encode_headers",
        "first_delivery_time",
    ),
    "qstash_protocol.publish.findings": (
        "Finding",
        "lint_headers",
        "lint_request",
    ),
    "qstash_protocol.publish.headers": (
        "MAX_ERRORS",
        "MAX_HEADER_NAME_LENGTH",
        "MAX_HEADER_VALUE_LENGTH",
        "MAX_HEADERS",
        "MAX_SCOPE_DEPTH",
        "HeaderName",
        "Headers",
        "InvalidHeader",
        "canonical_header_name",
        "parse_header_name",
        "validate_content_type",
        "validate_header_name",
        "validate_header_value",
    ),
    "qstash_protocol.publish.limits": (
        "InvalidLimits",
        "LimitExceeded",
        "Limits",
        "LimitsInput",
        "check_limits",
    ),
    "qstash_protocol.publish.options": (
        "Callback",
        "CallbackInput",
        "FlowControl",
        "FlowControlInput",
        "HttpMethod",
        "InvalidOptions",
        "MessageOptions",
        "MessageOptionsInput",
        "OrphanScope",
        "ScopeInput",
    ),
    "qstash_protocol.publish.request": (
        "DEDUPLICATION_WINDOWS",
        "QSTASH_TOKEN_PARAMETER",
        "QUERY_OPTION_PREFIX",
        "InvalidRequest",
        "PublishRequest",
        "PublishRequestInput",
        "decode_request",
    ),
    "qstash_protocol.publish.responses": (
        "BatchResponseItem",
        "ErrorResponse",
        "InvalidResponse",
        "PublishResponse",
        "ScheduleResponse",
        "format_batch_response",
        "format_error_response",
        "format_publish_response",
        "parse_batch_response",
        "parse_error_response",
        "parse_publish_response",
        "parse_schedule_response",
    ),
    "qstash_protocol.values.cron": (
        "MAX_CRON_LENGTH",
        "CronSchedule",
        "InvalidCron",
        "parse_cron",
        "validate_cron",
    ),
    "qstash_protocol.values.deduplication": (
        "CONTENT_DEDUPLICATION_HEADER_PREFIX",
        "MAX_DEDUPLICATION_ID_LENGTH",
        "InvalidDeduplicationId",
        "content_deduplication_id",
        "format_content_based_deduplication",
        "parse_content_based_deduplication",
        "validate_deduplication_id",
    ),
    "qstash_protocol.values.durations": (
        "MAX_DURATION",
        "MAX_DURATION_LENGTH",
        "InvalidDuration",
        "format_duration",
        "parse_duration",
    ),
    "qstash_protocol.values.flow_control": (
        "DEFAULT_FLOW_CONTROL_PERIOD",
        "MAX_FLOW_CONTROL_INTEGER",
        "MAX_FLOW_CONTROL_KEY_LENGTH",
        "MAX_FLOW_CONTROL_PERIOD",
        "MAX_FLOW_CONTROL_VALUE_LENGTH",
        "MIN_FLOW_CONTROL_PERIOD",
        "FlowControlValue",
        "InvalidFlowControl",
        "parse_flow_control_value",
        "validate_flow_control_key",
    ),
    "qstash_protocol.values.names": (
        "MAX_NAME_LENGTH",
        "InvalidName",
        "validate_queue_name",
        "validate_schedule_id",
        "validate_url_group_name",
    ),
    "qstash_protocol.values.redact": (
        "MAX_REDACT_FIELDS_LENGTH",
        "REDACTED_PREFIX",
        "InvalidRedactFields",
        "RedactFields",
        "parse_redact_fields",
        "redact_value",
    ),
    "qstash_protocol.values.retry_delay": (
        "MAX_RETRIED",
        "MAX_RETRY_DELAY_DEPTH",
        "MAX_RETRY_DELAY_LENGTH",
        "MAX_RETRY_DELAY_TOKENS",
        "MAX_SCHEDULE",
        "InvalidRetryDelay",
        "RetryDelay",
        "default_backoff",
        "parse_retry_delay",
    ),
    "qstash_protocol.values.small": (
        "HTTP_METHODS",
        "MAX_INTEGER_LENGTH",
        "MAX_LABELS_LENGTH",
        "MAX_NOT_BEFORE",
        "MAX_RETRIES",
        "InvalidHeaderForward",
        "InvalidLabel",
        "InvalidMethod",
        "InvalidNotBefore",
        "InvalidRetries",
        "format_labels",
        "format_not_before",
        "parse_header_forward",
        "parse_labels",
        "parse_method",
        "parse_not_before",
        "parse_retries",
    ),
    "qstash_protocol.values.urls": (
        "MAX_URL_LENGTH",
        "Destination",
        "DestinationKind",
        "InvalidUrl",
        "parse_callback_url",
        "parse_destination",
    ),
}

#: Each lazily loaded public name and its module.
_LAZY: dict[str, str] = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "CONTENT_DEDUPLICATION_HEADER_PREFIX",
    "DEDUPLICATION_WINDOWS",
    "DEFAULT_FLOW_CONTROL_PERIOD",
    "DEFAULT_RETRIES",
    "DELIVERY_HEADERS",
    "DEV_SIGNING_KEYS",
    "HTTP_METHODS",
    "ISSUER",
    "MAX_BATCH_BODY_SIZE",
    "MAX_BATCH_ITEMS",
    "MAX_BATCH_NESTING",
    "MAX_CALLBACK_DEPTH",
    "MAX_CALLBACK_SIZE",
    "MAX_CRON_LENGTH",
    "MAX_DEDUPLICATION_ID_LENGTH",
    "MAX_DURATION",
    "MAX_DURATION_LENGTH",
    "MAX_ERRORS",
    "MAX_FLOW_CONTROL_INTEGER",
    "MAX_FLOW_CONTROL_KEY_LENGTH",
    "MAX_FLOW_CONTROL_PERIOD",
    "MAX_FLOW_CONTROL_VALUE_LENGTH",
    "MAX_HEADERS",
    "MAX_HEADER_NAME_LENGTH",
    "MAX_HEADER_VALUE_LENGTH",
    "MAX_INTEGER_LENGTH",
    "MAX_LABELS_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NOT_BEFORE",
    "MAX_REDACT_FIELDS_LENGTH",
    "MAX_RETRIED",
    "MAX_RETRIES",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_AFTER_LENGTH",
    "MAX_RETRY_DELAY_DEPTH",
    "MAX_RETRY_DELAY_LENGTH",
    "MAX_RETRY_DELAY_TOKENS",
    "MAX_SCHEDULE",
    "MAX_SCOPE_DEPTH",
    "MAX_SIGNATURE_LENGTH",
    "MAX_TIMESTAMP_MILLISECONDS",
    "MAX_URL_LENGTH",
    "MIN_FLOW_CONTROL_PERIOD",
    "NON_RETRYABLE_HEADER",
    "NON_RETRYABLE_STATUS",
    "QSTASH_TOKEN_PARAMETER",
    "QUERY_OPTION_PREFIX",
    "REDACTED_PREFIX",
    "REGIONS",
    "RETRY_AFTER_HEADERS",
    "SIGNATURE_LIFETIME",
    "TRANSPORT_HEADERS",
    "USER_AGENT",
    "Attempt",
    "BatchResponseItem",
    "Callback",
    "CallbackInput",
    "CallbackPayload",
    "CronSchedule",
    "DelaySource",
    "Delivery",
    "Destination",
    "DestinationKind",
    "ErrorResponse",
    "FailureCallbackPayload",
    "Finding",
    "FiredCallback",
    "FlowControl",
    "FlowControlInput",
    "FlowControlValue",
    "HeaderName",
    "Headers",
    "HttpMethod",
    "InvalidBatch",
    "InvalidBatchBody",
    "InvalidCallback",
    "InvalidCallbackField",
    "InvalidCron",
    "InvalidDeduplicationId",
    "InvalidDelivery",
    "InvalidDuration",
    "InvalidFlowControl",
    "InvalidHeader",
    "InvalidHeaderForward",
    "InvalidHeaders",
    "InvalidLabel",
    "InvalidLimits",
    "InvalidMethod",
    "InvalidName",
    "InvalidNotBefore",
    "InvalidOptions",
    "InvalidRedactFields",
    "InvalidRequest",
    "InvalidResponse",
    "InvalidRetries",
    "InvalidRetryAfter",
    "InvalidRetryDelay",
    "InvalidSignature",
    "InvalidUrl",
    "LimitExceeded",
    "Limits",
    "LimitsInput",
    "MessageOptions",
    "MessageOptionsInput",
    "OrphanScope",
    "ProtocolError",
    "PublishRequest",
    "PublishRequestInput",
    "PublishResponse",
    "RedactFields",
    "ResponseHeaders",
    "RetryAfterHeader",
    "RetryDelay",
    "ScheduleResponse",
    "ScopeInput",
    "SignatureClaims",
    "SigningKeys",
    "WorkflowFailure",
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
    "is_non_retryable",
    "is_success",
    "lint_headers",
    "lint_request",
    "next_attempt",
    "normalize_region",
    "parse_batch_response",
    "parse_callback",
    "parse_callback_url",
    "parse_content_based_deduplication",
    "parse_cron",
    "parse_destination",
    "parse_duration",
    "parse_error_response",
    "parse_failure_callback",
    "parse_flow_control_value",
    "parse_header_forward",
    "parse_header_name",
    "parse_labels",
    "parse_method",
    "parse_not_before",
    "parse_publish_response",
    "parse_redact_fields",
    "parse_retries",
    "parse_retry_after",
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

# The one source of the version: the build reads it from here ([tool.hatch.version]).
__version__ = "0.1.0"


def _present_as_public(cls: type[ProtocolError]) -> None:
    """Give a public error class the module users import it from.

    Tracebacks and doctests then read ``qstash_protocol.InvalidDuration: ...`` wherever the class
    is defined, and pickles name the stable public path, not the layout of the sub-packages.
    """
    if _LAZY.get(cls.__name__) == cls.__module__:
        cls.__module__ = __name__


def _init_subclass(cls: type[ProtocolError], /, **kwargs: Any) -> None:
    super(ProtocolError, cls).__init_subclass__(**kwargs)
    _present_as_public(cls)


ProtocolError.__module__ = __name__
# Every public error is presented as public when its class is created, however its module is
# first imported (through this package's __getattr__, or directly, such as
# ``from qstash_protocol.delivery.signature import InvalidSignature``): this package is always
# imported before any of its modules, so the hook is in place before any subclass exists.
ProtocolError.__init_subclass__ = classmethod(_init_subclass)  # type: ignore[assignment,method-assign]


def __getattr__(name: str) -> object:
    """Load a public name on first use (PEP 562), with the other public names of its module."""
    module_name = _LAZY.get(name)
    if module_name is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    module = importlib.import_module(module_name)
    namespace = globals()
    for public in _MODULES[module_name]:
        namespace[public] = getattr(module, public)
    return namespace[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
