"""DynamoDB: the post index. One table; keys as DESIGN.md lays them out.

- post item        pk=POST#<slug>          sk=POST
- source status    pk=SOURCE#<source key>  sk=STATUS
- tag item         pk=TAG#<tag>            sk=<iso date>#<slug>
- listing shards   pk=SITE                 sk=YEARS   (years that have published posts)
Published post items carry gsi1pk=PUBLISHED#<year>, gsi1sk=<iso date>#<slug>.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from pressroom.exceptions import ConcurrentWriteError
from pressroom.indexing import IndexPlan, IndexState, PostRecord, SourceStatus, TagEntry
from pressroom.models import IndexMessage, PostSummary, format_instant

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

LISTING_INDEX = "gsi1"
_SITE_YEARS = {"pk": "SITE", "sk": "YEARS"}
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def post_key(slug: str) -> Item:
    return {"pk": f"POST#{slug}", "sk": "POST"}


def source_key(key: str) -> Item:
    return {"pk": f"SOURCE#{key}", "sk": "STATUS"}


def tag_item_key(entry: TagEntry) -> Item:
    return {"pk": f"TAG#{entry.tag}", "sk": f"{format_instant(entry.date)}#{entry.slug}"}


def post_item(record: PostRecord) -> Item:
    item: Item = {
        **post_key(record.slug),
        **record.post.model_dump(mode="json", exclude_none=True),
        "status": record.status,
        "sequencer": record.sequencer,
        "revision": record.revision,
    }
    if record.status == "published":
        date = format_instant(record.post.date)
        item["gsi1pk"] = f"PUBLISHED#{record.post.date.year}"
        item["gsi1sk"] = f"{date}#{record.slug}"
    return item


def post_record(item: Mapping[str, Any]) -> PostRecord:
    return PostRecord(
        post=post_summary(item),
        status=item["status"],
        sequencer=item["sequencer"],
        revision=int(item["revision"]),
    )


def post_summary(item: Mapping[str, Any]) -> PostSummary:
    return PostSummary.model_validate(
        {name: item[name] for name in PostSummary.model_fields if name in item}
    )


def source_item(status: SourceStatus) -> Item:
    return {**source_key(status.source_key), **status.model_dump(mode="json", exclude_none=True)}


def source_status(item: Mapping[str, Any]) -> SourceStatus:
    fields = {name: item[name] for name in SourceStatus.model_fields if name in item}
    return SourceStatus.model_validate(fields)


def tag_item(entry: TagEntry) -> Item:
    return {**tag_item_key(entry), **entry.model_dump(mode="json", exclude_none=True)}


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


class DynamoPostIndex:
    """The post index, for the indexer (read_state, apply) and the renderer (listings)."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    # The indexer's side.

    def read_state(self, message: IndexMessage) -> IndexState:
        claimed_slug = message.post.slug if message.post is not None else None
        keys = [source_key(message.source_key), _SITE_YEARS]
        if claimed_slug is not None:
            keys.append(post_key(claimed_slug))
        found = self._batch_get(keys)
        source_found = found.get(("SOURCE#" + message.source_key, "STATUS"))
        source = source_status(source_found) if source_found else None
        claimed_item = found.get((f"POST#{claimed_slug}", "POST"))
        previous: PostRecord | None = None
        if source is not None and source.slug is not None and source.slug != claimed_slug:
            previous = self.post(source.slug)
        years_item = found.get(("SITE", "YEARS"), {})
        return IndexState(
            source=source,
            claimed=post_record(claimed_item) if claimed_item else None,
            previous=previous,
            years=frozenset(int(year) for year in years_item.get("years", ())),
        )

    def apply(self, plan: IndexPlan) -> None:
        if not plan.writes_anything:
            return
        assert plan.source is not None
        writes: list[TransactWriteItemTypeDef] = [self._put_source(plan)]
        read_revisions = {
            record.slug: record.revision
            for record in (plan.read.claimed, plan.read.previous)
            if record is not None
        }
        writes += [self._put_post(record, read_revisions.get(record.slug)) for record in plan.posts]
        writes += [
            {"Delete": {"TableName": self.table, "Key": serialize(tag_item_key(entry))}}
            for entry in plan.tags_to_delete
        ]
        writes += [
            {"Put": {"TableName": self.table, "Item": serialize(tag_item(entry))}}
            for entry in plan.tags_to_put
        ]
        if plan.new_year is not None:
            writes.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": serialize(_SITE_YEARS),
                        "UpdateExpression": "ADD years :year",
                        "ExpressionAttributeValues": {":year": {"NS": [str(plan.new_year)]}},
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in {"TransactionCanceledException", "TransactionConflictException"}:
                raise ConcurrentWriteError(
                    f"the index changed while {plan.source.source_key!r} was being written: {error}"
                ) from error
            raise

    def _put_source(self, plan: IndexPlan) -> TransactWriteItemTypeDef:
        assert plan.source is not None
        put: dict[str, Any] = {"TableName": self.table, "Item": serialize(source_item(plan.source))}
        if plan.read.source is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            # Exactly the state the plan was made from, and never an older event.
            put["ConditionExpression"] = "sequencer = :read AND sequencer < :new"
            put["ExpressionAttributeValues"] = {
                ":read": {"S": plan.read.source.sequencer},
                ":new": {"S": plan.source.sequencer},
            }
        return {"Put": put}  # type: ignore[typeddict-item]

    def _put_post(self, record: PostRecord, read_revision: int | None) -> TransactWriteItemTypeDef:
        put: dict[str, Any] = {"TableName": self.table, "Item": serialize(post_item(record))}
        if read_revision is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "revision = :read"
            put["ExpressionAttributeValues"] = {":read": {"N": str(read_revision)}}
        return {"Put": put}  # type: ignore[typeddict-item]

    def _batch_get(self, keys: Sequence[Item]) -> dict[tuple[str, str], Item]:
        request: dict[str, Any] = {
            self.table: {"Keys": [serialize(key) for key in keys], "ConsistentRead": True}
        }
        found: dict[tuple[str, str], Item] = {}
        for attempt in range(8):
            response = self.client.batch_get_item(RequestItems=request)
            for raw in response["Responses"].get(self.table, []):
                item = deserialize(raw)
                found[(item["pk"], item["sk"])] = item
            request = dict(response.get("UnprocessedKeys") or {})
            if not request:
                return found
            time.sleep(0.05 * 2**attempt)
        raise ConcurrentWriteError("DynamoDB left keys unprocessed after 8 tries")

    # The renderer's side.

    def post(self, slug: str) -> PostRecord | None:
        response = self.client.get_item(
            TableName=self.table, Key=serialize(post_key(slug)), ConsistentRead=True
        )
        item = response.get("Item")
        return post_record(deserialize(item)) if item else None

    def source_status(self, key: str) -> SourceStatus | None:
        response = self.client.get_item(TableName=self.table, Key=serialize(source_key(key)))
        item = response.get("Item")
        return source_status(deserialize(item)) if item else None

    def source_statuses(self) -> Iterator[SourceStatus]:
        """Every status item: for `pressroom status` without a key (an operator's scan)."""
        paginator = self.client.get_paginator("scan")
        for page in paginator.paginate(
            TableName=self.table,
            FilterExpression="sk = :status",
            ExpressionAttributeValues={":status": {"S": "STATUS"}},
        ):
            for raw in page["Items"]:
                yield source_status(deserialize(raw))

    def years(self) -> list[int]:
        response = self.client.get_item(TableName=self.table, Key=serialize(_SITE_YEARS))
        item = deserialize(response.get("Item", {}))
        return sorted((int(year) for year in item.get("years", ())), reverse=True)

    def newest_posts(self, limit: int) -> list[PostSummary]:
        """Newest published posts, walking the year shards from the newest year down."""
        posts: list[PostSummary] = []
        for year in self.years():
            if len(posts) >= limit:
                break
            response = self.client.query(
                TableName=self.table,
                IndexName=LISTING_INDEX,
                KeyConditionExpression="gsi1pk = :year",
                ExpressionAttributeValues={":year": {"S": f"PUBLISHED#{year}"}},
                ScanIndexForward=False,
                Limit=limit - len(posts),
            )
            posts += [post_summary(deserialize(raw)) for raw in response["Items"]]
        return posts
