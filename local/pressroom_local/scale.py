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
  asked for. `partitioned_queries()` hands Query the one partition instead.
Results are unchanged: the same items, in the same order, and no stream
record from a cancelled transaction.

Two more things grow or break with use: moto's DynamoDB stream keeps every
record, and every shard iterator it ever handed out, for as long as it runs
(DynamoDB trims a stream after 24 hours); `trimmed_streams()` drops what every
reader has read. And moto serves concurrent callers (its threaded server,
the local runtime's sandboxes) with no locking at all: two conditional writes
to one item can both pass their condition, two receives can take one
message. `atomic_requests()` answers one request at a time, as atomic as
DynamoDB makes a request on an item and SQS a receive; moto answers under
one GIL anyway, so little is lost.

moto's SQS, too, counts every message of a queue, twice over a clock read per
message, for each SendMessage (to read one flag from the queue's attributes)
and for each attribute a GetQueueAttributes names: sending N messages into a
queue that the functions have not yet drained took time in N², and capturing
10,000 upload notifications took over half an hour. `cheap_queue_counts()`
counts the same messages against one clock read.

And moto keeps every model object it ever made: each instance of a class built on its
`BaseModel` is appended to the class's `instances_tracked` list, for its dashboard
(`/moto-api/data.json`) and for S3's reset, and never leaves it. Every DynamoDB item
written, every copy of one (a stream record's images, an update's working copy, the undo
log above), every stream record and shard iterator, SQS message and S3 object stays in
memory after moto itself has let it go: 36 DynamoDB items a post where the table holds
5.4, and the embedded AWS grew by 176 MiB per 1,000 posts (63 once they are freed).
`live_models_only()` keeps the same register of the instances that are still alive,
holding each weakly.

`like_dynamodb()` applies all six, in every process that serves moto.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import types
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from moto.core.common_models import BaseModel
from moto.core.model_instances import model_data
from moto.core.utils import unix_time_millis
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.models import ShardIterator
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sqs.models import Message, Queue

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


def _partition(table: Table, hash_key: Any) -> list[Item]:
    # A table without a sort key keeps its Item where others keep a partition of them.
    items: dict[Any, Any] = table.items
    partition = items.get(hash_key)
    if partition is None:
        return []
    return list(partition.values()) if table.range_key_attr else [partition]


@contextlib.contextmanager
def partitioned_queries() -> Iterator[None]:
    """Query on the one partition asked for. A query on an index (the posts table has
    none) is left to moto."""
    original_query = Table.query

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None:
            return original_query(self, hash_key, *args, **kwargs)
        candidates = _partition(self, hash_key)
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = original_query  # type: ignore[method-assign]


def _trim_read_records(shard: StreamShard, iterators: dict[str, ShardIterator]) -> None:
    """Drop the records that every live iterator of `shard` has read past."""
    positions = [
        iterator.sequence_number
        for iterator in iterators.values()
        if iterator.stream_shard is shard
    ]
    if not positions:
        return  # no reader yet: a first one starts at the trim horizon and must see them all
    read = min(min(positions) - shard.starting_sequence_number, len(shard.items))
    if read > 0:
        del shard.items[:read]
        # moto numbers a new record by its place in the list from the shard's start; moving
        # the start keeps numbers growing, and puts the trim horizon where DynamoDB puts it.
        shard.starting_sequence_number += read


@contextlib.contextmanager
def trimmed_streams() -> Iterator[None]:
    original_get, original_read = StreamShard.get, ShardIterator.get

    def get(shard: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
        # An iterator older than the trim horizon reads from it, as on DynamoDB.
        return original_get(shard, max(start, shard.starting_sequence_number), quantity)

    def read(iterator: ShardIterator, limit: int = 1000) -> dict[str, Any]:
        answer = original_read(iterator, limit)
        iterators = iterator.streams_backend.shard_iterators
        # Spent: its reader goes on with NextShardIterator, as Lambda's poller does.
        iterators.pop(iterator.arn, None)
        _trim_read_records(iterator.stream_shard, iterators)
        return answer

    StreamShard.get = get  # type: ignore[method-assign,assignment]
    ShardIterator.get = read  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        StreamShard.get, ShardIterator.get = original_get, original_read  # type: ignore[method-assign]


@contextlib.contextmanager
def atomic_requests() -> Iterator[None]:
    """One request at a time, whether it comes in process (mock_aws) or to the server."""
    lock = threading.RLock()
    in_process, served = BotocoreStubber.__call__, DomainDispatcherApplication.__call__

    def answer_in_process(stubber: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return in_process(stubber, *args, **kwargs)

    def answer_served(application: DomainDispatcherApplication, *args: Any) -> Any:
        with lock:
            return served(application, *args)

    BotocoreStubber.__call__ = answer_in_process  # type: ignore[method-assign,assignment]
    DomainDispatcherApplication.__call__ = answer_served  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BotocoreStubber.__call__ = in_process  # type: ignore[method-assign]
        DomainDispatcherApplication.__call__ = served  # type: ignore[method-assign]


@contextlib.contextmanager
def cheap_queue_counts() -> Iterator[None]:
    """A queue's messages, and its approximate counts, from one clock read."""
    replaced = {
        name: getattr(Queue, name)
        for name in (
            "messages",
            "approximate_number_of_messages",
            "approximate_number_of_messages_delayed",
            "approximate_number_of_messages_not_visible",
        )
    }

    # As `Message.visible` and `Message.delayed` test it, each of which reads the clock.
    def messages(queue: Queue) -> list[Message]:
        now = unix_time_millis()
        return [m for m in queue._messages if now > m.visible_at and now >= m.delayed_until]

    def delayed(queue: Queue) -> int:
        now = unix_time_millis()
        return len([m for m in queue._messages if now < m.delayed_until])

    def not_visible(queue: Queue) -> int:
        now = unix_time_millis()
        return len([m for m in queue._messages if now <= m.visible_at])

    Queue.messages = property(messages)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages = property(lambda queue: len(messages(queue)))  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        for name, original in replaced.items():
            setattr(Queue, name, original)


class _Reference(weakref.ref):  # type: ignore[type-arg]
    __slots__ = ("key",)
    key: int


class LiveInstances:
    """A model class's `instances_tracked` that lists its live instances, in the order they
    were made, without keeping any of them alive."""

    def __init__(self, instances: Iterable[Any] = ()) -> None:
        self._held: dict[int, Callable[[], Any]] = {}
        # One bound method for every reference, rather than one made per instance.
        self._forget = self._forget_dead
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        try:
            reference = _Reference(instance, self._forget)
        except TypeError:  # __slots__ without __weakref__: held as moto holds it
            self._held[id(instance)] = lambda: instance
            return
        reference.key = id(instance)
        self._held[reference.key] = reference

    def _forget_dead(self, reference: _Reference) -> None:
        # Called as the instance dies, before its id can be given to another object.
        self._held.pop(reference.key, None)

    def __iter__(self) -> Iterator[Any]:
        for reference in list(self._held.values()):
            instance = reference()
            if instance is not None:
                yield instance


@contextlib.contextmanager
def live_models_only() -> Iterator[None]:
    """moto's register of model instances, with only the live ones in it."""
    original = BaseModel.__new__

    def new(cls: type[BaseModel], *args: Any, **kwargs: Any) -> BaseModel:
        instance = super(BaseModel, cls).__new__(cls)
        tracked = cls.instances_tracked  # type: ignore[attr-defined]
        if not isinstance(tracked, LiveInstances):
            # The first instance since the class was made, or since moto's reset (which puts
            # an empty list back).
            tracked = cls.instances_tracked = LiveInstances(tracked)  # type: ignore[attr-defined]
        tracked.append(instance)
        return instance

    BaseModel.__new__ = new  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseModel.__new__ = original  # type: ignore[method-assign]
        for models in model_data.values():
            for model in models.values():
                if isinstance(model.instances_tracked, LiveInstances):  # type: ignore[attr-defined]
                    model.instances_tracked = list(model.instances_tracked)  # type: ignore[attr-defined]


@contextlib.contextmanager
def like_dynamodb() -> Iterator[None]:
    """All six changes, for as long as the embedded AWS runs."""
    with (
        live_models_only(),
        cheap_transactions(),
        partitioned_queries(),
        trimmed_streams(),
        atomic_requests(),
        cheap_queue_counts(),
    ):
        yield
