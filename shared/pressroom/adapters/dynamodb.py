"""DynamoDB: the post index. One table; keys as DESIGN.md lays them out.

- post item        pk=POST#<slug>          sk=POST      (what the slug's page shows)
- claims item      pk=POST#<slug>          sk=CLAIMS    (every file that wants the slug)
- source status    pk=SOURCE#<source key>  sk=STATUS
- tag item         pk=TAG#<tag>            sk=<iso date>#<slug>
- year counter     pk=SITE                 sk=YEAR#<yyyy>  (published posts dated that year)
Published post items carry gsi1pk=PUBLISHED#<year>, gsi1sk=<iso date>#<slug>.
Items the indexer reads and rewrites carry a `digest` of their content, and
every write is conditional on the digests the plan was made from.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from pressroom.exceptions import ConcurrentWriteError, IndexWriteTooLargeError
from pressroom.indexing import (
    ClaimsKey,
    IndexPlan,
    ItemKey,
    PostKey,
    PostRecord,
    Record,
    SlugClaims,
    SourceKey,
    SourceStatus,
    TagEntry,
    YearCount,
    YearKey,
    record_digest,
)
from pressroom.models import PostSummary, format_instant

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

LISTING_INDEX = "gsi1"
MAX_TRANSACTION_ITEMS = 100
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def item_key(key: ItemKey) -> Item:
    match key:
        case SourceKey(source):
            return {"pk": f"SOURCE#{source}", "sk": "STATUS"}
        case ClaimsKey(slug):
            return {"pk": f"POST#{slug}", "sk": "CLAIMS"}
        case PostKey(slug):
            return {"pk": f"POST#{slug}", "sk": "POST"}
        case YearKey(year):
            return {"pk": "SITE", "sk": f"YEAR#{year:04d}"}


def tag_item_key(entry: TagEntry) -> Item:
    return {"pk": f"TAG#{entry.tag}", "sk": f"{format_instant(entry.date)}#{entry.slug}"}


def record_item(key: ItemKey, record: Record) -> Item:
    """The item that stores `record`: its key, its fields, its digest, and listing keys."""
    item: Item = {**item_key(key), "digest": record_digest(record)}
    if isinstance(record, PostRecord):
        item |= {"slug": record.slug, "status": record.status}
        if record.post is not None:
            item |= record.post.model_dump(mode="json", exclude_none=True)
        published = record.published
        if published is not None:
            item["gsi1pk"] = f"PUBLISHED#{published.date.year}"
            item["gsi1sk"] = f"{format_instant(published.date)}#{published.slug}"
    else:
        item |= record.model_dump(mode="json", exclude_none=True)
    return item


def post_record(item: Mapping[str, Any]) -> PostRecord:
    live = item["status"] != "deleted"
    return PostRecord(
        slug=item["slug"], status=item["status"], post=post_summary(item) if live else None
    )


def post_summary(item: Mapping[str, Any]) -> PostSummary:
    return PostSummary.model_validate(
        {name: item[name] for name in PostSummary.model_fields if name in item}
    )


def source_status(item: Mapping[str, Any]) -> SourceStatus:
    fields = {name: item[name] for name in SourceStatus.model_fields if name in item}
    return SourceStatus.model_validate(fields)


def _record(key: ItemKey, item: Mapping[str, Any]) -> Record:
    match key:
        case SourceKey():
            return source_status(item)
        case ClaimsKey():
            return SlugClaims.model_validate({"slug": item["slug"], "claims": item["claims"]})
        case PostKey():
            return post_record(item)
        case YearKey():
            return year_count(item)


def year_count(item: Mapping[str, Any]) -> YearCount:
    return YearCount.model_validate({"year": item["year"], "months": item["months"]})


def tag_item(entry: TagEntry) -> Item:
    return {**tag_item_key(entry), **entry.model_dump(mode="json", exclude_none=True)}


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


class DynamoPostIndex:
    """The post index, for the indexer (read, apply) and the renderer (listings)."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    # The indexer's side.

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Record | None]:
        """The items at `keys`, read consistently; None where there is none."""
        wanted = {(item_key(key)["pk"], item_key(key)["sk"]): key for key in keys}
        found = self._batch_get([item_key(key) for key in wanted.values()])
        return {
            key: _record(key, found[address]) if address in found else None
            for address, key in wanted.items()
        }

    def apply(self, plan: IndexPlan) -> None:
        """Write the plan in one transaction, conditional on every item it read."""
        if not plan.writes_anything:
            return
        writes: list[TransactWriteItemTypeDef] = []
        for key, before in plan.read.items():
            condition = self._condition(before)
            if key not in plan.writes:
                writes.append({"ConditionCheck": self._key_request(item_key(key), condition)})
            elif (after := plan.writes[key]) is None:
                writes.append({"Delete": self._key_request(item_key(key), condition)})
            else:
                writes.append({"Put": self._item_request(record_item(key, after), condition)})
        writes += [{"Delete": self._key_request(tag_item_key(e))} for e in plan.tags_to_delete]
        writes += [{"Put": self._item_request(tag_item(e))} for e in plan.tags_to_put]
        if len(writes) > MAX_TRANSACTION_ITEMS:
            raise IndexWriteTooLargeError(
                f"one index write needs {len(writes)} items, over DynamoDB's "
                f"{MAX_TRANSACTION_ITEMS} per transaction"
            )
        try:
            self.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in {"TransactionCanceledException", "TransactionConflictException"}:
                raise ConcurrentWriteError(
                    f"the index changed during the write: {error}"
                ) from error
            raise

    def _key_request(self, key: Item, condition: Mapping[str, Any] | None = None) -> Any:
        return {"TableName": self.table, "Key": serialize(key), **(condition or {})}

    def _item_request(self, item: Item, condition: Mapping[str, Any] | None = None) -> Any:
        return {"TableName": self.table, "Item": serialize(item), **(condition or {})}

    @staticmethod
    def _condition(before: Record | None) -> dict[str, Any]:
        if before is None:
            return {"ConditionExpression": "attribute_not_exists(pk)"}
        return {
            "ConditionExpression": "digest = :read",
            "ExpressionAttributeValues": {":read": {"S": record_digest(before)}},
        }

    def _batch_get(self, keys: Sequence[Item]) -> dict[tuple[str, str], Item]:
        found: dict[tuple[str, str], Item] = {}
        # BatchGetItem takes at most 100 keys per request.
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [serialize(key) for key in keys[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            for attempt in range(8):
                response = self.client.batch_get_item(RequestItems=request)
                for raw in response["Responses"].get(self.table, []):
                    item = deserialize(raw)
                    found[(item["pk"], item["sk"])] = item
                request = dict(response.get("UnprocessedKeys") or {})
                if not request:
                    break
                time.sleep(0.05 * 2**attempt)
            else:
                raise ConcurrentWriteError("DynamoDB left keys unprocessed after 8 tries")
        return found

    # The renderer's side.

    def post(self, slug: str) -> PostRecord | None:
        record = self.read([PostKey(slug)])[PostKey(slug)]
        return record if isinstance(record, PostRecord) else None

    def source_status(self, key: str) -> SourceStatus | None:
        record = self.read([SourceKey(key)])[SourceKey(key)]
        return record if isinstance(record, SourceStatus) else None

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

    def years(self) -> list[YearCount]:
        """The listing shards that hold published posts, newest year first."""
        paginator = self.client.get_paginator("query")
        counts: list[YearCount] = []
        for page in paginator.paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :site AND begins_with(sk, :year)",
            ExpressionAttributeValues={":site": {"S": "SITE"}, ":year": {"S": "YEAR#"}},
            ScanIndexForward=False,
        ):
            counts += [year_count(deserialize(raw)) for raw in page["Items"]]
        return counts

    def newest_posts(self, limit: int) -> list[PostSummary]:
        """Newest published posts, walking the year shards from the newest year down."""
        posts: list[PostSummary] = []
        for counter in self.years():
            if len(posts) >= limit:
                break
            response = self.client.query(
                TableName=self.table,
                IndexName=LISTING_INDEX,
                KeyConditionExpression="gsi1pk = :year",
                ExpressionAttributeValues={":year": {"S": f"PUBLISHED#{counter.year}"}},
                ScanIndexForward=False,
                Limit=limit - len(posts),
            )
            posts += [post_summary(deserialize(raw)) for raw in response["Items"]]
        return posts

    def month_posts(self, year: int, month: int) -> list[PostSummary]:
        """Every published post dated in one month, newest first."""
        paginator = self.client.get_paginator("query")
        posts: list[PostSummary] = []
        for page in paginator.paginate(
            TableName=self.table,
            IndexName=LISTING_INDEX,
            KeyConditionExpression="gsi1pk = :year AND begins_with(gsi1sk, :month)",
            ExpressionAttributeValues={
                ":year": {"S": f"PUBLISHED#{year}"},
                ":month": {"S": f"{year:04d}-{month:02d}-"},
            },
            ScanIndexForward=False,
        ):
            posts += [post_summary(deserialize(raw)) for raw in page["Items"]]
        return posts

    def months(self) -> list[tuple[int, int]]:
        """Every month with published posts, newest first."""
        return [
            (counter.year, month)
            for counter in self.years()
            for month in sorted(counter.months, reverse=True)
        ]

    def tag_entries(self, tag: str, limit: int) -> list[TagEntry]:
        """The newest `limit` posts carrying a tag (its key), read consistently."""
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :tag",
            ExpressionAttributeValues={":tag": {"S": f"TAG#{tag}"}},
            ScanIndexForward=False,
            ConsistentRead=True,
            Limit=limit,
        )
        return [TagEntry.model_validate(_fields(TagEntry, raw)) for raw in response["Items"]]

    # For `pressroom rebuild`, the one step that reads the whole table.

    def published_posts(self) -> Iterator[PostSummary]:
        for item in self._scan(
            "sk = :post AND #status = :published",
            {":post": {"S": "POST"}, ":published": {"S": "published"}},
            names={"#status": "status"},
        ):
            yield post_summary(item)

    def published_count(self) -> int:
        return sum(counter.posts for counter in self.years())

    def tags(self) -> set[str]:
        return {
            item["tag"] for item in self._scan("begins_with(pk, :tag)", {":tag": {"S": "TAG#"}})
        }

    def _scan(
        self, condition: str, values: dict[str, Any], names: dict[str, str] | None = None
    ) -> Iterator[Item]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        for page in self.client.get_paginator("scan").paginate(**request):
            for raw in page["Items"]:
                yield deserialize(raw)


def _fields(model: type[TagEntry], raw: Mapping[str, Any]) -> dict[str, Any]:
    item = deserialize(raw)
    return {name: item[name] for name in model.model_fields if name in item}
