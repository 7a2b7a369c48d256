"""What the benchmark changes in the embedded AWS (moto), so that a table's size costs
what it costs on DynamoDB and not what it costs moto.

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
Results are unchanged: the same items, in the same order. Requests are still
parsed, answered and serialised by moto, and `EmulatorClock` reports the time
they take, so that the report can set it apart from Pressroom's own.
"""

from __future__ import annotations

import contextlib
import copy
import time
import types
from collections.abc import Iterator
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
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
    module_copy = dynamodb_models.copy

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        undo = _UndoLog(self, transact_items)
        dynamodb_models.copy = types.SimpleNamespace(deepcopy=_no_table_copies)  # type: ignore[assignment]
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
            dynamodb_models.copy = module_copy

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


_IndexKeys = dict[str, dict[DynamoType, set[tuple[DynamoType, DynamoType | None]]]]
_GSI_KEYS = "_bench_gsi_keys"


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
    return next(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH")


def _note(keys: _IndexKeys, item: Item) -> None:
    for attribute, values in keys.items():
        value = item.attrs.get(attribute)
        if value is not None:
            values.setdefault(value, set()).add((item.hash_key, item.range_key))


def _candidates(table: Table, hash_key: Any, index_name: str | None, conditions: Any) -> list[Item]:
    if index_name is None:
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    index = next(index for index in table.global_indexes if index.name == index_name)
    attribute = _hash_attribute(index)
    value = dict(conditions or []).get(attribute, hash_key)
    found = []
    for item_hash, item_range in _index_keys(table)[attribute].get(value, ()):
        partition = table.items.get(item_hash)
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


@contextlib.contextmanager
def like_dynamodb() -> Iterator[None]:
    """Both changes, for as long as the benchmark's embedded AWS runs."""
    with cheap_transactions(), partitioned_queries():
        yield


@contextlib.contextmanager
def stream_paused(table: Table) -> Iterator[None]:
    """Writes made meanwhile leave no stream records (the site's preload is rendered once,
    by a rebuild, rather than once more from the stream)."""
    shard, table.stream_shard = table.stream_shard, None
    try:
        yield
    finally:
        table.stream_shard = shard


def moto_table(name: str, region: str) -> Table:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(name)


class EmulatorClock:
    """Time spent inside moto answering requests (the embedded AWS, not Pressroom)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        original = BotocoreStubber.__call__
        clock = self

        def timed(stubber: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(stubber, event_name, request, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign]
        try:
            yield
        finally:
            BotocoreStubber.__call__ = original  # type: ignore[method-assign]
