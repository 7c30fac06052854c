"""Packaging: one version, a LICENSE, correct metadata, and the grammars found everywhere.

The grammars have one copy, the top-level ``grammars/`` folder: a source checkout, an editable
install and an unpacked sdist read it directly; the wheel carries it as
``qstash_protocol/grammars/``. The slow tests build the wheel and the sdist and check both.
"""

import email.parser
import importlib.metadata
import os
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import tomllib
import venv
import zipfile
from email.message import Message
from pathlib import Path

import pytest

import qstash_protocol
from qstash_protocol._resources import grammar_text

ROOT = Path(__file__).resolve().parent.parent
GRAMMARS = sorted(p.name for p in (ROOT / "grammars").iterdir() if p.is_file())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_source_checkout_finds_every_grammar() -> None:
    assert GRAMMARS
    for name in GRAMMARS:
        assert grammar_text(name) == (ROOT / "grammars" / name).read_text(encoding="utf-8")


def test_the_package_holds_no_symbolic_link() -> None:
    # A link is lost by an sdist and by a checkout with core.symlinks=false (Windows).
    links = [p for p in (ROOT / "qstash_protocol").rglob("*") if p.is_symlink()]
    assert links == []


def test_the_version_has_one_source() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "qstash_protocol/__init__.py"
    assert importlib.metadata.version("qstash-protocol") == qstash_protocol.__version__


def test_published_extras_are_only_what_users_need() -> None:
    # Development tools live in PEP 735 dependency groups, which are never published.
    assert set(PYPROJECT["project"]["optional-dependencies"]) == {"hypothesis"}
    assert {"test", "lint", "dev"} <= set(PYPROJECT["dependency-groups"])


def _check_metadata(metadata: Message) -> None:
    """What the built wheel's METADATA or the sdist's PKG-INFO must say."""
    # License-Expression and License-File exist from Metadata-Version 2.4 (PEP 639) on; an older
    # number beside them is what hatchling < 1.27 wrote, and what installers may reject.
    version = tuple(int(part) for part in metadata["Metadata-Version"].split("."))
    assert version >= (2, 4), metadata["Metadata-Version"]
    assert metadata["Name"] == "qstash-protocol"
    assert metadata["Version"] == qstash_protocol.__version__
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    classifiers = metadata.get_all("Classifier")
    for classifier in [
        "Framework :: Hypothesis",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ]:
        assert classifier in classifiers
    assert metadata.get_all("Provides-Extra") == ["hypothesis"]
    assert any(url.startswith("Repository, https://") for url in metadata.get_all("Project-URL"))


def _build(kind: str, outdir: Path, source: Path = ROOT) -> Path:
    subprocess.run(
        [sys.executable, "-m", "build", f"--{kind}", "--no-isolation", "--outdir", str(outdir)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (built,) = outdir.glob(
        "qstash_protocol-*.whl" if kind == "wheel" else "qstash_protocol-*.tar.gz"
    )
    return built


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
    "MAX_SCHEDULE",
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
    "InvalidLimits",
    "LimitExceeded",
    "LimitsInput",
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
    wheel = _build("wheel", tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = f"qstash_protocol-{qstash_protocol.__version__}.dist-info"
        assert f"{dist_info}/licenses/LICENSE" in names
        assert not any(name.startswith("grammars/") for name in names)
        _check_metadata(
            email.parser.Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        )

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


# The part of the suite run from the unpacked sdist: everything that reads the grammars, the
# command line on the bundled examples, the vectors, the layout rules and the doctests.
SDIST_SUITE = [
    "tests/test_retry_delay.py",
    "tests/test_packaging.py",
    "tests/test_cli.py",
    "tests/test_vectors.py",
    "tests/test_layout.py",
    "qstash_protocol",
    "README.md",
]


@pytest.mark.slow
def test_the_suite_runs_from_the_unpacked_sdist(tmp_path: Path) -> None:
    sdist = _build("sdist", tmp_path / "dist")
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            archive.extractall(tmp_path, filter="data")
        else:  # pragma: no cover - our own sdist, just built
            archive.extractall(tmp_path)
    root = tmp_path / sdist.name.removesuffix(".tar.gz")

    for name in ["LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", *SDIST_SUITE]:
        assert (root / name).exists(), name
    assert [p.name for p in (root / "grammars").iterdir() if p.is_file()] != []
    assert not (root / "qstash_protocol" / "grammars").exists()
    pkg_info = (root / "PKG-INFO").read_text(encoding="utf-8")
    _check_metadata(email.parser.Parser().parsestr(pkg_info))

    # What `pip install` of the sdist does: build a wheel from it, which must carry the grammars.
    wheel = _build("wheel", tmp_path / "wheel", source=root)
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name for name in archive.namelist() if name.startswith("qstash_protocol/grammars/")
        }
    assert shipped == {f"qstash_protocol/grammars/{name}" for name in GRAMMARS}

    # Run from the unpacked tree: its own qstash_protocol comes first on sys.path, not ours.
    env = {**os.environ, "HYPOTHESIS_PROFILE": "smoke"}
    where = subprocess.run(
        [sys.executable, "-c", "import qstash_protocol; print(qstash_protocol.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(root.resolve()), where
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SDIST_SUITE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1], result.stdout[-2000:]
