"""The AWS models the functions' clients read, cut to what the library calls.

    python -m pressroom_local.aws_models   # after a change of botocore's pin or of a call

A function's first S3 client parses botocore's whole S3 model (about 300 operations and
shapes), the S3 endpoint rules and `endpoints.json` (every service in every region, 1.2 MB);
its first DynamoDB client the DynamoDB model. That is about 45 ms of CPU time of a cold
start that makes both, beside an `import boto3` of about 110 ms. The functions' clients
read these files first instead (`wiring.aws_session`): the same models, holding only the
operations the adapters call and the shapes those reach, without documentation, and
`endpoints.json` holding only the services the functions use. Everything else (endpoint
rules, paginators, the SDK's extras) comes from botocore's own data, as before.

DynamoDB's items are read and written as the JSON they are on the wire: its attribute
values, and the maps of them (an item, a key, expression values), are JSON documents in
these models (`AS_DOCUMENTS`), which botocore passes through as they are, rather than
structures it walks member by member. Parsing an item of a listing's entries costs about
a tenth of what it did (26 to 3 µs), and a listing batch reads hundreds of them. What
changes: nothing for the adapters, which serialise and deserialise items themselves with
boto3's TypeSerializer and TypeDeserializer, except that a binary attribute (`B`, `BS`),
which no item holds, would be refused before it is sent (bytes are no JSON) and read back
as base64 text.

`tests/unit/test_aws_models.py` checks that the files are what this module makes from the
botocore installed (which is the layer's pin), that every call the adapters make is in
them, and that endpoints resolve as with botocore's whole data;
`tests/integration/test_aws_models.py` makes each call on the embedded AWS.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import botocore

from pressroom.adapters.wiring import AWS_MODELS, SERVICES

BOTOCORE_DATA = Path(botocore.__file__).parent / "data"

OPERATIONS: dict[str, tuple[str, frozenset[str]]] = {
    "s3": (
        "2006-03-01",
        frozenset({"CopyObject", "DeleteObject", "GetObject", "ListObjectsV2", "PutObject"}),
    ),
    "dynamodb": (
        "2012-08-10",
        frozenset({"BatchGetItem", "GetItem", "PutItem", "Query", "Scan", "TransactWriteItems"}),
    ),
}
"""The models cut, by service: their version and the operations the adapters call."""

AS_DOCUMENTS: dict[str, str] = {"dynamodb": "AttributeValue"}
"""By service, the shape that becomes a JSON document, with every map whose values it is."""

_DOCUMENT = {"type": "structure", "members": {}, "document": True}


def trimmed_files(data: Path = BOTOCORE_DATA) -> Iterator[tuple[str, bytes]]:
    """Each file of the trimmed data (its path under the data folder, its bytes), made
    from botocore's data folder `data`."""
    endpoints = json.loads((data / "endpoints.json").read_text(encoding="utf-8"))
    for partition in endpoints["partitions"]:
        partition["services"] = {
            name: service
            for name, service in partition["services"].items()
            if name in SERVICES  # the functions' services; the rest is left out
        }
    yield "endpoints.json", _compact(endpoints)
    for service, (version, operations) in sorted(OPERATIONS.items()):
        source = data / service / version / "service-2.json.gz"
        model = json.loads(gzip.decompress(source.read_bytes()))
        yield f"{service}/{version}/service-2.json", _compact(_cut(model, operations))


def _cut(model: dict[str, Any], operations: frozenset[str]) -> dict[str, Any]:
    """`model` with `operations` only, the shapes they reach, and no documentation."""
    missing = operations - model["operations"].keys()
    if missing:
        raise ValueError(f"not in botocore's model: {', '.join(sorted(missing))}")
    kept = {name: model["operations"][name] for name in sorted(operations)}
    roots = [
        reference["shape"]
        for operation in kept.values()
        for reference in (
            operation.get("input"),
            operation.get("output"),
            *operation.get("errors", []),
        )
        if reference is not None
    ]
    all_shapes = model["shapes"]
    if value := AS_DOCUMENTS.get(model["metadata"]["endpointPrefix"]):
        all_shapes = _as_documents(all_shapes, value)
    reached = _reached(all_shapes, roots)
    # Documentation goes from the operations and shapes only: botocore reads some elsewhere
    # (a client context parameter's) as required.
    shapes = {name: all_shapes[name] for name in sorted(reached)}
    return dict(
        model,
        operations=_without_documentation(kept),
        shapes=_without_documentation(shapes),
    )


def _as_documents(shapes: dict[str, Any], value: str) -> dict[str, Any]:
    """`shapes` with `value`, and each map of `value`s, a JSON document."""
    maps = {
        name
        for name, shape in shapes.items()
        if shape["type"] == "map" and shape["value"]["shape"] == value
    }
    return {name: _DOCUMENT if name in maps | {value} else shape for name, shape in shapes.items()}


def _reached(shapes: dict[str, Any], roots: Iterable[str]) -> set[str]:
    reached: set[str] = set()
    waiting = list(roots)
    while waiting:
        name = waiting.pop()
        if name in reached:
            continue
        reached.add(name)
        shape = shapes[name]
        waiting += [member["shape"] for member in shape.get("members", {}).values()]
        waiting += [shape[part]["shape"] for part in ("member", "key", "value") if part in shape]
    return reached


def _without_documentation(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_documentation(item)
            for key, item in value.items()
            if key not in ("documentation", "documentationUrl")
        }
    if isinstance(value, list):
        return [_without_documentation(item) for item in value]
    return value


def _compact(value: Any) -> bytes:
    return (json.dumps(value, separators=(",", ":"), sort_keys=True) + "\n").encode()


def write(target: Path = AWS_MODELS) -> list[Path]:
    """Write the trimmed data under `target`, replacing what is there."""
    written = []
    for name, content in trimmed_files():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"{path} ({path.stat().st_size:,} bytes)")
