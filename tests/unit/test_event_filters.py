"""The local router applies the template's event filters the way Lambda does."""

from __future__ import annotations

import pytest

from pressroom_local.mappings import matches
from pressroom_local.template import StackTemplate
from tests.corpus import PROJECT_ROOT


def _stream_record(sk: str) -> dict[str, object]:
    return {
        "eventName": "MODIFY",
        "dynamodb": {"Keys": {"pk": {"S": "X"}, "sk": {"S": sk}}, "SequenceNumber": "1"},
    }


def test_renderer_receives_post_and_asset_items_only() -> None:
    template = StackTemplate.load(PROJECT_ROOT / "template.yaml")
    (renderer,) = [spec for spec in template.functions() if spec.logical_id == "RendererFunction"]
    (stream,) = [event for event in renderer.events if event.type == "DynamoDB"]
    (pattern,) = stream.filters

    assert matches(pattern, _stream_record("POST"))
    assert matches(pattern, _stream_record("ASSET"))
    assert not matches(pattern, _stream_record("STATUS"))
    assert not matches(pattern, _stream_record("2024-01-01T00:00:00Z#hello"))


def test_unsupported_filter_rules_are_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="exact-value"):
        matches({"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "PO"}]}}}}, _stream_record("POST"))
