"""The wheel carries the grammars, and an installed wheel reads them via importlib.resources."""

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

import qstash_protocol
from qstash_protocol._resources import grammar_text

ROOT = Path(__file__).resolve().parent.parent
GRAMMARS = sorted(p.name for p in (ROOT / "grammars").iterdir() if p.is_file())


def test_source_checkout_finds_every_grammar() -> None:
    assert GRAMMARS
    for name in GRAMMARS:
        assert grammar_text(name) == (ROOT / "grammars" / name).read_text(encoding="utf-8")


# The public API, pinned: adding or removing a name is a deliberate act that updates this list.
PUBLIC_API = {
    "DELIVERY_HEADERS",
    "TRANSPORT_HEADERS",
    "USER_AGENT",
    "Delivery",
    "InvalidDelivery",
    "decode_delivery",
    "delivery_headers",
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
    "CONTENT_DEDUPLICATION_HEADER_PREFIX",
    "DEFAULT_FLOW_CONTROL_PERIOD",
    "DEFAULT_RETRIES",
    "HTTP_METHODS",
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
    "MAX_SCOPE_DEPTH",
    "MAX_TIMESTAMP_MILLISECONDS",
    "MAX_URL_LENGTH",
    "MIN_FLOW_CONTROL_PERIOD",
    "NON_RETRYABLE_HEADER",
    "NON_RETRYABLE_STATUS",
    "REDACTED_PREFIX",
    "RETRY_AFTER_HEADERS",
    "Attempt",
    "Callback",
    "CallbackPayload",
    "DelaySource",
    "CronSchedule",
    "CallbackInput",
    "Destination",
    "DestinationKind",
    "FailureCallbackPayload",
    "FiredCallback",
    "Finding",
    "FlowControl",
    "FlowControlInput",
    "FlowControlValue",
    "HeaderName",
    "Headers",
    "HttpMethod",
    "InvalidCallback",
    "InvalidCallbackField",
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
    "InvalidOptions",
    "InvalidRedactFields",
    "InvalidRequest",
    "InvalidRetries",
    "InvalidRetryAfter",
    "InvalidRetryDelay",
    "InvalidUrl",
    "MessageOptions",
    "MessageOptionsInput",
    "OrphanScope",
    "ProtocolError",
    "PublishRequest",
    "PublishRequestInput",
    "RedactFields",
    "ResponseHeaders",
    "RetryAfterHeader",
    "RetryDelay",
    "WorkflowFailure",
    "ScopeInput",
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
    "is_non_retryable",
    "is_success",
    "next_attempt",
    "parse_callback",
    "lint_headers",
    "lint_request",
    "parse_callback_url",
    "parse_content_based_deduplication",
    "parse_cron",
    "parse_destination",
    "parse_duration",
    "parse_failure_callback",
    "parse_flow_control_value",
    "parse_header_name",
    "parse_labels",
    "parse_method",
    "parse_not_before",
    "parse_redact_fields",
    "parse_retries",
    "parse_retry_after",
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
    "InvalidHeaderForward",
    "parse_header_forward",
    "LimitExceeded",
    "Limits",
    "check_limits",
    "DEDUPLICATION_WINDOWS",
    "QSTASH_TOKEN_PARAMETER",
    "QUERY_OPTION_PREFIX",
    "InvalidBatch",
    "InvalidBatchBody",
    "MAX_BATCH_BODY_SIZE",
    "MAX_BATCH_ITEMS",
    "MAX_BATCH_NESTING",
    "decode_batch",
    "encode_batch",
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
}


def test_public_api_is_pinned() -> None:
    exported = qstash_protocol.__all__
    assert len(exported) == len(set(exported))
    assert set(exported) == PUBLIC_API
    for name in exported:
        assert hasattr(qstash_protocol, name), name


@pytest.mark.slow
def test_built_wheel_ships_and_loads_the_grammars(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("qstash_protocol-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = env_dir / bindir / ("python.exe" if os.name == "nt" else "python")
    target = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Install the wheel by hand (no network, no pip in the fresh environment): a wheel is a zip.
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)

    # The fresh environment borrows only the runtime dependencies (lark, pydantic) from ours,
    # through PYTHONPATH; our editable install's path hook is not processed from there.
    deps = sysconfig.get_paths()["purelib"]
    script = textwrap.dedent(
        f"""
        import json, lark, pathlib, qstash_protocol
        from qstash_protocol._resources import grammar_text, vector_text
        location = pathlib.Path(qstash_protocol.__file__).resolve()
        assert location.is_relative_to(pathlib.Path({str(target)!r}).resolve()), location
        grammars = pathlib.Path(qstash_protocol.__file__).parent / "grammars"
        assert grammars.is_dir() and not grammars.is_symlink(), grammars
        for name in {GRAMMARS!r}:
            text = grammar_text(name)
            if name.endswith(".lark"):
                lark.Lark(text, parser="lalr")
        vectors = pathlib.Path(qstash_protocol.__file__).parent / "vectors"
        assert vectors.is_dir() and not vectors.is_symlink(), vectors
        assert json.loads(vector_text("request.json"))["cases"]  # the conformance kit's input
        print("ok", len({GRAMMARS!r}))
        """
    )
    result = subprocess.run(
        [str(python), "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": deps},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok {len(GRAMMARS)}"
