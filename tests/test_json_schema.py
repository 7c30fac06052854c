"""The models' JSON Schema: no warnings, a pattern per header value, and generated requests fit."""

import json

import jsonschema
import pytest
from hypothesis import given, settings

from qstash_protocol import Callback, FlowControl, MessageOptions, OrphanScope, PublishRequest
from qstash_protocol.testing import strategies

SCHEMA = MessageOptions.model_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    json.dumps(SCHEMA)  # plain JSON, defaults included


@pytest.mark.parametrize(
    "model", [MessageOptions, Callback, OrphanScope, FlowControl, PublishRequest]
)
def test_descriptions_are_prose_without_examples_or_markup(model: type) -> None:
    text = json.dumps(model.model_json_schema())
    assert ">>>" not in text
    assert ":class:" not in text
    assert ":func:" not in text


@settings(max_examples=60)
@given(strategies.message_options())
def test_generated_options_fit_the_schema(options: MessageOptions) -> None:
    VALIDATOR.validate(options.model_dump(mode="json"))
    VALIDATOR.validate(options.model_dump(mode="json", exclude_defaults=True))


def test_each_header_value_has_its_grammar() -> None:
    properties = SCHEMA["properties"]

    def variant(field: str) -> dict[str, object]:
        return next(item for item in properties[field]["anyOf"] if item["type"] != "null")

    assert variant("method")["enum"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    for field in ("delay", "timeout", "not_before", "deduplication_id", "redact", "queue_name"):
        assert "pattern" in variant(field), field
    assert SCHEMA["$defs"]["Callback"]["properties"]["url"]["format"] == "uri"


@pytest.mark.parametrize(
    "document",
    [
        {"method": "HEAD"},
        {"delay": "30"},
        {"delay": "5w"},
        {"retries": -1},
        {"not_before": "1.5"},
        {"labels": ["a,b"]},
        {"forward": {"X": "a\nb"}},
        {"forward": {"X Y": "a"}},
        {"extra": {"X-Not-Upstash": "1"}},
        {"redact": "bodies"},
        {"flow_control": {"key": "k", "value": "speed=1"}},
        {"callback": {"url": "ftp://a.example"}},
    ],
)
def test_the_schema_refuses_what_the_model_refuses(document: dict[str, object]) -> None:
    assert not VALIDATOR.is_valid(document)
    with pytest.raises((ValueError, TypeError)):
        MessageOptions.model_validate(document)
