"""The embedded AWS's DynamoDB at DynamoDB's cost: writes and queries that do not grow with
the table.

moto 5.2 does two things in time proportional to the whole table that DynamoDB
does not (profiled: with them, one index write takes 0.3 s at 50 posts, and a
one-post publish 0.9 s at 1,000 posts, 80 % of it inside moto):
- TransactWriteItems deep-copies every table it names before it starts, every
  item and every stream record, so that it can roll back.
  `cheap_transactions()` keeps a copy of just the items the transaction
  touches and the length of each table's stream, and puts back exactly those
  when it is cancelled: the same outcome, at the cost of the items written.
- Query lists and sorts every item of the table, then keeps the partition
  asked for. `partitioned_queries()` hands Query the one partition instead
  (for an index, the items ever written with that index key; Query's own key
  check still drops the ones that have since moved).
Results are unchanged: the same items, in the same order, and no stream
record from a cancelled transaction. The benchmarks and the reliability runs
publish thousands of posts through it.

And one thing DynamoDB guarantees that moto does not under threads: each
request is atomic. moto checks a transaction's conditions and then writes,
with nothing stopping another thread's write in between (or changing a table
while a transaction copies it). `atomic_requests()` applies one DynamoDB
request at a time, so concurrent writers race as they do on DynamoDB: at the
conditions, never inside a request.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import threading
import types
from collections.abc import Iterator
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_ItemAddress = tuple[str, DynamoType, DynamoType | None]


def _no_table_copies(value: Any, memo: Any = None) -> Any:
    # The table stays as it is; the undo log below restores what the transaction touched.
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


class _UndoLog:
    def __init__(self, backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        self.backend = backend
        self.items: dict[_ItemAddress, Any] = {}
        self.streams: dict[str, int] = {}
        for entry in transact_items:
            for operation in entry.values():
                name = operation.get("TableName")
                if name not in backend.tables:
                    continue
                table = backend.tables[name]
                attributes = operation.get("Item") or operation.get("Key") or {}
                if table.hash_key_attr not in attributes:
                    continue
                address = self._address(table, name, attributes)
                found = table.get_item(address[1], address[2])
                self.items.setdefault(address, copy.deepcopy(found))
                if table.stream_shard is not None:
                    self.streams.setdefault(name, len(table.stream_shard.items))

    @staticmethod
    def _address(table: Table, name: str, attributes: dict[str, Any]) -> _ItemAddress:
        range_value = attributes.get(table.range_key_attr) if table.range_key_attr else None
        return (
            name,
            DynamoType(attributes[table.hash_key_attr]),
            DynamoType(range_value) if range_value is not None else None,
        )

    def restore(self) -> None:
        for (name, hash_key, range_key), item in self.items.items():
            table = self.backend.tables[name]
            if range_key is None:
                if item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item
            elif item is None:
                table.items[hash_key].pop(range_key, None)
            else:
                table.items[hash_key][range_key] = item
        for name, length in self.streams.items():
            shard = self.backend.tables[name].stream_shard
            assert shard is not None
            del shard.items[length:]


@contextlib.contextmanager
def cheap_transactions() -> Iterator[None]:
    original = DynamoDBBackend.transact_write_items
    module_copy = dynamodb_models.copy  # type: ignore[attr-defined]

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        undo = _UndoLog(self, transact_items)
        dynamodb_models.copy = types.SimpleNamespace(deepcopy=_no_table_copies)  # type: ignore[attr-defined,assignment]
        try:
            original(self, transact_items)
        except (
            TransactionCanceledException,
            MultipleTransactionsException,
            MockValidationException,
        ):
            undo.restore()
            raise
        finally:
            dynamodb_models.copy = module_copy  # type: ignore[attr-defined]

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


_IndexKeys = dict[str, dict[DynamoType, set[tuple[DynamoType, DynamoType | None]]]]
_GSI_KEYS = "_pressroom_gsi_keys"


def _index_keys(table: Table) -> _IndexKeys:
    """Index hash attribute -> value -> table keys of the items written with it (built once)."""
    keys: _IndexKeys | None = getattr(table, _GSI_KEYS, None)
    if keys is None:
        keys = {_hash_attribute(index): {} for index in table.global_indexes}
        setattr(table, _GSI_KEYS, keys)
        for item in table.all_items():
            _note(keys, item)
    return keys


def _hash_attribute(index: Any) -> str:
    return str(next(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"))


def _note(keys: _IndexKeys, item: Item) -> None:
    for attribute, values in keys.items():
        value = item.attrs.get(attribute)
        if value is not None:
            values.setdefault(value, set()).add((item.hash_key, item.range_key))


def _candidates(table: Table, hash_key: Any, index_name: str | None, conditions: Any) -> list[Item]:
    # A table without a sort key keeps its Item where others keep a partition of them.
    items: dict[Any, Any] = table.items
    if index_name is None:
        partition = items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    index = next(index for index in table.global_indexes if index.name == index_name)
    attribute = _hash_attribute(index)
    value = dict(conditions or []).get(attribute, hash_key)
    found: list[Item] = []
    for item_hash, item_range in _index_keys(table)[attribute].get(value, ()):
        partition = items.get(item_hash)
        item = partition.get(item_range) if table.range_key_attr and partition else partition
        if item is not None:
            found.append(item)
    return found


@contextlib.contextmanager
def partitioned_queries() -> Iterator[None]:
    original_query, original_put = Table.query, Table.put_item

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None and index_name not in {i.name for i in self.global_indexes}:
            return original_query(self, hash_key, *args, **kwargs)
        candidates = _candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    def put_item(self: Table, *args: Any, **kwargs: Any) -> Item:
        item = original_put(self, *args, **kwargs)
        keys: _IndexKeys | None = getattr(self, _GSI_KEYS, None)
        if keys is not None:
            _note(keys, item)
        return item

    Table.query = query  # type: ignore[method-assign]
    Table.put_item = put_item  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query, Table.put_item = original_query, original_put  # type: ignore[method-assign]


_REQUESTS = (
    "batch_get_item",
    "batch_write_item",
    "delete_item",
    "get_item",
    "put_item",
    "query",
    "scan",
    "transact_write_items",
    "update_item",
)


@contextlib.contextmanager
def atomic_requests() -> Iterator[None]:
    lock = threading.RLock()
    originals = {name: getattr(DynamoDBBackend, name) for name in _REQUESTS}

    def one_at_a_time(method: Any) -> Any:
        @functools.wraps(method)
        def serialised(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return serialised

    for name, method in originals.items():
        setattr(DynamoDBBackend, name, one_at_a_time(method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(DynamoDBBackend, name, method)


@contextlib.contextmanager
def like_dynamodb() -> Iterator[None]:
    """All three changes, for as long as an embedded AWS runs."""
    with cheap_transactions(), partitioned_queries(), atomic_requests():
        yield
