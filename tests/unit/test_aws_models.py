"""The trimmed AWS models the functions' clients read (`wiring.AWS_MODELS`): made from the
botocore the layer pins, holding every call the adapters make, and resolving every
endpoint as botocore's whole data does."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import botocore
import pytest
from botocore import xform_name
from botocore.exceptions import UnknownServiceError

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
