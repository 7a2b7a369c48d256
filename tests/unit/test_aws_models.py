"""The trimmed AWS models the functions' clients read (`wiring.AWS_MODELS`): made from the
botocore the layer pins, holding every call the adapters make, and resolving every
endpoint as botocore's whole data does."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore
import botocore.session
import pytest
from botocore import parsers, serialize, validate, xform_name
from botocore.exceptions import ParamValidationError, UnknownServiceError
from botocore.model import ServiceModel
from hypothesis import given
from hypothesis import strategies as st

from pressroom.adapters import wiring
from pressroom_local.aws_models import OPERATIONS, trimmed_files

ADAPTERS = Path(wiring.__file__).parent
LAYER_REQUIREMENTS = ADAPTERS.parents[1] / "requirements.txt"


@pytest.fixture(autouse=True)
def _no_session_left() -> Iterator[None]:
    # A session keeps the hooks botocore held when it was made: one made here, before
    # moto was imported, must not be the one a later test's functions use.
    yield
    wiring.reset(session=True)


def test_the_trimmed_files_are_made_from_the_botocore_the_layer_pins() -> None:
    pinned = re.search(r"^botocore==(\S+)$", LAYER_REQUIREMENTS.read_text(), re.MULTILINE)
    assert pinned is not None
    assert botocore.__version__ == pinned.group(1)
    stale = [
        name
        for name, content in trimmed_files()
        if (wiring.AWS_MODELS / name).read_bytes() != content
    ]
    assert not stale, f"run `python -m pressroom_local.aws_models`: {stale} differ"
    written = {
        path.relative_to(wiring.AWS_MODELS).as_posix()
        for path in wiring.AWS_MODELS.rglob("*")
        if path.is_file()
    }
    assert written == {name for name, _ in trimmed_files()}


def _calls(adapter: str) -> set[str]:
    """The client methods an adapter module calls (`self.client.query(…)`, and the
    operation a paginator pages through, `get_paginator("scan")`)."""
    calls = set()
    for node in ast.walk(ast.parse((ADAPTERS / adapter).read_text())):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        target = node.func.value
        if isinstance(target, ast.Attribute) and target.attr == "client":
            if node.func.attr != "get_paginator":
                calls.add(node.func.attr)
            elif isinstance(argument := node.args[0], ast.Constant):
                calls.add(str(argument.value))
    return calls


@pytest.mark.parametrize(("service", "adapter"), [("s3", "s3.py"), ("dynamodb", "dynamodb.py")])
def test_every_call_an_adapter_makes_is_in_its_trimmed_model(service: str, adapter: str) -> None:
    _, operations = OPERATIONS[service]
    calls = _calls(adapter)
    assert calls, f"no client call found in {adapter}"
    assert calls <= {xform_name(operation) for operation in operations}
    client = wiring.aws_session().client(
        service, region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    assert calls <= set(client.meta.method_to_api_mapping)


@pytest.mark.parametrize("service", sorted(wiring.SERVICES))
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1"])
def test_a_trimmed_client_resolves_its_endpoint_as_botocores_whole_data_does(
    service: str, region: str
) -> None:
    credentials = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}
    trimmed = wiring.aws_session().client(service, region_name=region, **credentials)  # type: ignore[call-overload]
    whole = boto3.Session().client(service, region_name=region, **credentials)  # type: ignore[call-overload]
    assert trimmed.meta.endpoint_url == whole.meta.endpoint_url
    assert trimmed.meta.partition == whole.meta.partition
    assert trimmed.meta.config.signature_version == whole.meta.config.signature_version
    assert trimmed._request_signer.signing_name == whole._request_signer.signing_name
    assert trimmed._request_signer.region_name == whole._request_signer.region_name


def test_a_client_of_a_service_the_functions_do_not_use_fails_at_once() -> None:
    with pytest.raises(UnknownServiceError):
        wiring.aws_session().client("sns", region_name="eu-west-1")


# DynamoDB attribute values as they are on the wire, every type but the binary ones.
_NAMES = st.text(min_size=1, max_size=8)
_SCALARS = st.one_of(
    st.builds(lambda text: {"S": text}, st.text(max_size=20)),
    st.builds(lambda number: {"N": str(number)}, st.integers() | st.decimals(allow_nan=False)),
    st.builds(lambda flag: {"BOOL": flag}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda texts: {"SS": sorted(texts)}, st.sets(st.text(max_size=5), min_size=1)),
    st.builds(
        lambda numbers: {"NS": [str(number) for number in sorted(numbers)]},
        st.sets(st.integers(), min_size=1, max_size=4),
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.builds(lambda values: {"L": values}, st.lists(inner, max_size=3))
        | st.builds(lambda fields: {"M": fields}, st.dictionaries(_NAMES, inner, max_size=3))
    ),
    max_leaves=12,
)
_ITEMS = st.dictionaries(_NAMES, _VALUES, min_size=1, max_size=6)


def _dynamodb_models() -> tuple[ServiceModel, ServiceModel]:
    """botocore's whole DynamoDB model, and the one the functions' clients read."""
    trimmed = wiring.aws_session()._session.get_service_model("dynamodb")
    return botocore.session.get_session().get_service_model("dynamodb"), trimmed


@given(items=st.lists(_ITEMS, min_size=1, max_size=3), key=_ITEMS)
def test_an_item_reads_the_same_through_the_trimmed_model_as_through_botocores(
    items: list[dict[str, Any]], key: dict[str, Any]
) -> None:
    answers = {
        "Query": {"Items": items, "Count": len(items), "LastEvaluatedKey": key},
        "Scan": {"Items": items, "Count": len(items), "ScannedCount": len(items)},
        "GetItem": {"Item": items[0]},
        "BatchGetItem": {"Responses": {"posts": items}, "UnprocessedKeys": {}},
    }
    whole, trimmed = _dynamodb_models()
    parser = parsers.create_parser("json")
    for operation, answer in answers.items():
        response = {"status_code": 200, "headers": {}, "body": json.dumps(answer).encode()}

        read = parser.parse(response, trimmed.operation_model(operation).output_shape)

        assert read == parser.parse(response, whole.operation_model(operation).output_shape)
        assert {name: value for name, value in read.items() if name in answer} == answer


@given(item=_ITEMS, key=_ITEMS, values=st.dictionaries(_NAMES.map(":".__add__), _VALUES))
def test_an_item_is_sent_the_same_through_the_trimmed_model_as_through_botocores(
    item: dict[str, Any], key: dict[str, Any], values: dict[str, Any]
) -> None:
    condition = {"ConditionExpression": "attribute_exists(pk)"} | (
        {"ExpressionAttributeValues": values} if values else {}
    )
    requests = {
        "PutItem": {"TableName": "posts", "Item": item, **condition},
        "GetItem": {"TableName": "posts", "Key": key, "ConsistentRead": True},
        "Query": {
            "TableName": "posts",
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "TAG#rail"}, **values},
            "ExclusiveStartKey": key,
        },
        "BatchGetItem": {"RequestItems": {"posts": {"Keys": [key], "ConsistentRead": True}}},
        "TransactWriteItems": {
            "TransactItems": [
                {"Put": {"TableName": "posts", "Item": item, **condition}},
                {"ConditionCheck": {"TableName": "posts", "Key": key, **condition}},
                {"Delete": {"TableName": "posts", "Key": key}},
            ]
        },
    }
    whole, trimmed = _dynamodb_models()
    serializer = serialize.create_serializer("json")
    for operation, parameters in requests.items():
        shapes = [model.operation_model(operation) for model in (trimmed, whole)]
        for shape in shapes:
            validate.validate_parameters(parameters, shape.input_shape)

        sent, expected = (serializer.serialize_to_request(parameters, shape) for shape in shapes)

        assert json.loads(sent["body"]) == json.loads(expected["body"]), operation


def test_a_binary_attribute_is_refused_before_it_is_sent() -> None:
    _, trimmed = _dynamodb_models()
    item = {"pk": {"S": "POST#night-trains"}, "photo": {"B": b"\x89PNG"}}

    with pytest.raises(ParamValidationError, match="document parameter B"):
        validate.validate_parameters(
            {"TableName": "posts", "Item": item}, trimmed.operation_model("PutItem").input_shape
        )
