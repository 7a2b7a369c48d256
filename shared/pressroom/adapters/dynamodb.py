"""DynamoDB: the post index. One table; the items are laid out in docs/architecture.md.

- source status  pk=SOURCE#<source key>  sk=STATUS
- post item      pk=POST#<slug>          sk=POST                      (what the page shows)
- claim          pk=POST#<slug>          sk=CLAIM#<first seen>#<key>  (a file wants the slug)
- month entry    pk=MONTH#<yyyy-mm>      sk=<iso date>#<slug>         (a line of an archive)
- tag entry      pk=TAG#<tag>            sk=<iso date>#<slug>
- month marker   pk=SITE                 sk=MONTH#<yyyy-mm>           (the month had posts)
- asset item     pk=ASSET#<site path>    sk=ASSET                     (what the path serves)
- asset claim    pk=ASSET#<site path>    sk=CLAIM#<first seen>#<key>  (a file wants the path)
- site settings  pk=CONFIG#<source key>  sk=CONFIG                    (a configuration file's)
An asset's name in the planner is `/<site path>` (indexing, rule 7), a configuration file's
`@<key>`; here each has its own partitions, so no scan or listing of posts ever meets one.
Status and post items carry a `version` number, and every write is
conditional on the version the plan read. Listings are read from the base
table with consistent reads: they show every committed write.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from pressroom.exceptions import ConcurrentWriteError, IndexWriteTooLargeError
from pressroom.indexing import (
    LEADING_CLAIMS,
    Claim,
    ClaimKey,
    IndexPlan,
    ItemKey,
    LeadingClaims,
    LeadingClaimsKey,
    Month,
    MonthMarker,
    MonthMarkerKey,
    PostKey,
    PostRecord,
    Record,
    SourceKey,
    SourceStatus,
    Stored,
    TagEntry,
    changes_in_utc,
    month_of,
    with_current_owner,
)
from pressroom.listings import ListingTail, NewestPosts, Window, order_key
from pressroom.models import (
    CONFIG_SOURCES,
    MAX_PAGES_LISTED,
    AssetSummary,
    PageLink,
    PostSummary,
    RecordFailure,
    SiteSource,
    format_instant,
    is_config_name,
)
from pressroom.ports import ScanStep, SiteEntries

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

MAX_TRANSACTION_ITEMS = 100
VERSION = "version"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]
_Parsed = TypeVar("_Parsed")


def item_key(key: ItemKey) -> Item:
    match key:
        case SourceKey(source):
            return {"pk": f"SOURCE#{source}", "sk": "STATUS"}
        case ClaimKey(slug, first_seen, source):
            return {
                "pk": _claimed_partition(slug),
                "sk": f"{_CLAIM_PREFIX}{format_instant(first_seen)}#{source}",
            }
        case PostKey(slug):
            return {"pk": _claimed_partition(slug), "sk": _owner_sort_key(slug)}
        case MonthMarkerKey(year, month):
            return {"pk": "SITE", "sk": f"{_MARKER_PREFIX}{_month_name((year, month))}"}
        case LeadingClaimsKey():
            raise TypeError(f"{key} is a query, not an item")


_CLAIM_PREFIX = "CLAIM#"
POST_SORT_KEY = "POST"
ASSET_SORT_KEY = "ASSET"
_ASSET_PREFIX = "ASSET#"


CONFIG_SORT_KEY = "CONFIG"
_CONFIG_PREFIX = "CONFIG#"


def _is_asset(name: str) -> bool:
    return name.startswith("/")


def _is_config(name: str) -> bool:
    return is_config_name(name)


def _claimed_partition(name: str) -> str:
    """A slug's partition (`POST#<slug>`), an asset's (`ASSET#<site path>`), or a
    configuration file's (`CONFIG#<key>`)."""
    if _is_asset(name):
        return f"{_ASSET_PREFIX}{name[1:]}"
    if _is_config(name):
        return f"{_CONFIG_PREFIX}{name[1:]}"
    return f"POST#{name}"


def _owner_sort_key(name: str) -> str:
    if _is_asset(name):
        return ASSET_SORT_KEY
    return CONFIG_SORT_KEY if _is_config(name) else POST_SORT_KEY


_FAILURE = "FAILURE"
_MARKER_PREFIX = "MONTH#"
_FIRST_MARKER, _LAST_MARKER = f"{_MARKER_PREFIX}0000-00", f"{_MARKER_PREFIX}9999-99"
_MARKERS_A_PAGE = 4
"""Month markers read a query when looking past a month for a post: a month whose posts
have all gone keeps its marker, so the nearest may not be the one."""


def _month_name(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def tag_item_key(entry: TagEntry) -> Item:
    return {"pk": _tag_partition(entry.tag), "sk": order_key(entry.date, entry.slug)}


def month_entry_key(post: PostSummary) -> Item:
    return {"pk": _month_partition(month_of(post)), "sk": order_key(post.date, post.slug)}


def _tag_partition(tag: str) -> str:
    return f"TAG#{tag}"


def _month_partition(month: Month) -> str:
    return f"MONTH#{_month_name(month)}"


def record_item(key: ItemKey, record: Record, version: int = 0) -> Item:
    """The item that stores `record`: its key, its fields, and its version where it has one."""
    item: Item = dict(item_key(key))
    if isinstance(record, PostRecord):
        item |= {"slug": record.slug, "status": record.status}
        if record.post is not None:
            item |= record.post.model_dump(mode="json", exclude_none=True)
        if record.changes_at is not None:
            item["changes_at"] = format_instant(record.changes_at)
    else:
        item |= record.model_dump(mode="json", exclude_none=True)
    if version:
        item[VERSION] = version
    return item


def post_record(item: Mapping[str, Any]) -> PostRecord:
    """A post or asset item, as the table or its stream holds it."""
    status = item["status"]
    post = _content(item["slug"], item) if status != "deleted" else None
    return PostRecord(
        slug=item["slug"],
        status=status,
        post=post,
        changes_at=item["changes_at"] if "changes_at" in item else changes_in_utc(status, post),
    )


def _content(name: str, item: Mapping[str, Any]) -> AssetSummary | SiteSource | PostSummary:
    """What a post or claim item holds, by the name it is under (indexing, rule 7)."""
    if _is_asset(name):
        return asset_summary(item)
    return site_source(item) if _is_config(name) else post_summary(item)


def asset_summary(item: Mapping[str, Any]) -> AssetSummary:
    fields = {name: item[name] for name in AssetSummary.model_fields if name in item}
    return AssetSummary.model_validate(fields)


def site_source(item: Mapping[str, Any]) -> SiteSource:
    return SiteSource.model_validate(
        {name: item[name] for name in SiteSource.model_fields if name in item}
    )


def post_summary(item: Mapping[str, Any]) -> PostSummary:
    return PostSummary.model_validate(
        {name: item[name] for name in PostSummary.model_fields if name in item}
    )


def source_status(item: Mapping[str, Any]) -> SourceStatus:
    fields = {name: item[name] for name in SourceStatus.model_fields if name in item}
    return SourceStatus.model_validate(fields)


def claim(item: Mapping[str, Any]) -> Claim:
    post = item["post"]
    # The claim's content is under its partition's name: `ASSET#a.png` claims `/a.png`.
    name = {_ASSET_PREFIX: "/", _CONFIG_PREFIX: "@"}.get(item["pk"].partition("#")[0] + "#", "")
    return Claim(
        source_key=item["source_key"], first_seen=item["first_seen"], post=_content(name, post)
    )


def _record(key: ItemKey, item: Mapping[str, Any]) -> Record:
    match key:
        case SourceKey():
            return source_status(item)
        case ClaimKey():
            return claim(item)
        case PostKey():
            return post_record(item)
        case MonthMarkerKey(year, month):
            return MonthMarker(year=year, month=month)
        case LeadingClaimsKey():
            raise TypeError(f"{key} is a query, not an item")


def tag_item(entry: TagEntry) -> Item:
    return {**tag_item_key(entry), **entry.model_dump(mode="json", exclude_none=True)}


SITE_ENTRIES = "SITE#ENTRIES"
"""The partition of what every page shows: the site's settings, then its pages."""
_SETTINGS_ENTRY = "CONFIG#"
_PAGE_ENTRY = "PAGE#"


def site_entry_key(entry: PostSummary | SiteSource) -> Item:
    """`CONFIG#<object key>` for settings, `PAGE#<slug>` for a page: the settings sort
    first, so that the one query that reads the site's entries always holds them."""
    if isinstance(entry, SiteSource):
        return {"pk": SITE_ENTRIES, "sk": f"{_SETTINGS_ENTRY}{entry.source_key}"}
    return {"pk": SITE_ENTRIES, "sk": f"{_PAGE_ENTRY}{entry.slug}"}


_NOT_IN_ENTRIES = frozenset({"former_places"})
"""What a post item keeps and its month and page entries need not: no list shows it."""


def site_entry(entry: PostSummary | SiteSource) -> Item:
    fields = entry.model_dump(mode="json", exclude_none=True, exclude=set(_NOT_IN_ENTRIES))
    return {**site_entry_key(entry), **fields}


def month_entry(post: PostSummary) -> Item:
    fields = post.model_dump(mode="json", exclude_none=True, exclude=set(_NOT_IN_ENTRIES))
    return {**month_entry_key(post), **fields}


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


class DynamoPostIndex:
    """The post index, for the indexer (read, apply) and the renderer (listings)."""

    def __init__(self, client: DynamoDBClient | Callable[[], DynamoDBClient], table: str) -> None:
        """`client`, or what makes it on its first request: a renderer whose first batch
        reads nothing of the index (a stream batch of new posts, whose pages their listing
        batch writes) then never makes one: about 4 ms of CPU, its cut model's set-up."""
        self._client = client
        self.table = table

    @cached_property
    def client(self) -> DynamoDBClient:
        return self._client() if callable(self._client) else self._client

    # The indexer's side.

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        """The items at `keys` with their versions, read consistently; None where there is
        none. Leading claims are queried after the post items: a claim written after a post
        item was read moved that post item too, so a plan made on it cannot be applied. A slug
        whose post item was read absent has never been claimed (every claim writes its slug's
        post item, which is never deleted): its claims are known without a query."""
        keys = list(dict.fromkeys(keys))
        wanted = {
            (item_key(key)["pk"], item_key(key)["sk"]): key
            for key in keys
            if not isinstance(key, LeadingClaimsKey)
        }
        found = self._batch_get([item_key(key) for key in wanted.values()])
        stored: dict[ItemKey, Stored | None] = {}
        for address, key in wanted.items():
            item = found.get(address)
            stored[key] = Stored(_record(key, item), int(item.get(VERSION, 0))) if item else None
        for query in keys:
            if isinstance(query, LeadingClaimsKey):
                post = PostKey(query.slug)
                never_claimed = post in stored and stored[post] is None
                claims = (
                    ()
                    if never_claimed
                    else tuple(claim(item) for item in self._leading_claims(query.slug))
                )
                stored[query] = Stored(LeadingClaims(slug=query.slug, claims=claims), 0)
        return stored

    def _leading_claims(self, slug: str) -> list[Item]:
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :claim)",
            ExpressionAttributeValues={
                ":pk": {"S": _claimed_partition(slug)},
                ":claim": {"S": _CLAIM_PREFIX},
            },
            ConsistentRead=True,
            Limit=LEADING_CLAIMS,
        )
        return [deserialize(raw) for raw in response["Items"]]

    def apply(self, plan: IndexPlan) -> None:
        """Write the plan in one transaction, conditional on the version of every status and
        post item it read. A month seen for the first time is marked first, on its own: a
        marker without posts is harmless, a month with posts and no marker would be lost."""
        if not plan.writes_anything:
            return
        for marker in plan.markers_to_put:
            marker_key = MonthMarkerKey(marker.year, marker.month)
            item = record_item(marker_key, marker)
            self.client.put_item(TableName=self.table, Item=serialize(item))
        writes: list[TransactWriteItemTypeDef] = []
        for key, version in plan.read.items():
            condition = self._condition(version)
            if key not in plan.writes:
                writes.append({"ConditionCheck": self._key_request(item_key(key), condition)})
            elif (after := plan.writes[key]) is None:
                writes.append({"Delete": self._key_request(item_key(key), condition)})
            else:
                item = record_item(key, after, version=(version or 0) + 1)
                writes.append({"Put": self._item_request(item, condition)})
        writes += [{"Delete": self._key_request(item_key(key))} for key in plan.claims_to_delete]
        writes += [{"Put": self._item_request(_claim_item(c))} for c in plan.claims_to_put]
        writes += [{"Delete": self._key_request(tag_item_key(e))} for e in plan.tags_to_delete]
        writes += [{"Put": self._item_request(tag_item(e))} for e in plan.tags_to_put]
        writes += [
            {"Delete": self._key_request(month_entry_key(p))} for p in plan.month_entries_to_delete
        ]
        writes += [{"Put": self._item_request(month_entry(p))} for p in plan.month_entries_to_put]
        writes += [
            {"Delete": self._key_request(site_entry_key(e))} for e in plan.site_entries_to_delete
        ]
        writes += [{"Put": self._item_request(site_entry(e))} for e in plan.site_entries_to_put]
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
    def _condition(version: int | None) -> dict[str, Any]:
        """The item is still as read: absent, or at the version read (0: written before
        items had versions, and not rewritten since)."""
        if version is None:
            return {"ConditionExpression": "attribute_not_exists(pk)"}
        names = {"ExpressionAttributeNames": {"#version": VERSION}}
        if version == 0:
            return {
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#version)",
                **names,
            }
        return {
            "ConditionExpression": "#version = :read",
            "ExpressionAttributeValues": {":read": {"N": str(version)}},
            **names,
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

    # The renderer's side: consistent reads of the base table, never a GSI, so that a
    # listing shows every write committed before it was read.

    def post(self, slug: str) -> PostRecord | None:
        stored = self.read([PostKey(slug)])[PostKey(slug)]
        return stored.record if stored and isinstance(stored.record, PostRecord) else None

    def source_status(self, key: str) -> SourceStatus | None:
        stored = self.read([SourceKey(key)])[SourceKey(key)]
        return stored.record if stored and isinstance(stored.record, SourceStatus) else None

    def shown(self, status: SourceStatus) -> SourceStatus:
        """The status as a user is shown it: a waiting file's error names the slug's owner
        today (the stored error cannot, see `indexing.with_current_owner`)."""
        if status.status != "conflict" or status.slug is None:
            return status
        return with_current_owner(status, self.post(status.slug))

    def record_failure(self, source_key: str, failure: RecordFailure) -> None:
        """Keep why the file's latest message failed (`pk=SOURCE#<key>`, `sk=FAILURE`): a
        plain put beside the status item, which no index write reads or conditions on."""
        item = {"pk": f"SOURCE#{source_key}", "sk": _FAILURE, **failure.model_dump(mode="json")}
        self.client.put_item(TableName=self.table, Item=serialize(item))

    def failure(self, source_key: str) -> RecordFailure | None:
        response = self.client.get_item(
            TableName=self.table,
            Key=serialize({"pk": f"SOURCE#{source_key}", "sk": _FAILURE}),
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        item = deserialize(response["Item"])
        return RecordFailure.model_validate(
            {name: item[name] for name in RecordFailure.model_fields}
        )

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

    def marked_months(self) -> list[Month]:
        """Every month that has had published posts, newest first (some may be empty now)."""
        months: list[Month] = []
        for item in self._query("SITE", begins_with=_MARKER_PREFIX):
            year, month = item["sk"].removeprefix(_MARKER_PREFIX).split("-")
            months.append((int(year), int(month)))
        return months

    def newest_posts(
        self, limit: int, *, at_least: int | None = None, more_months: int = 0
    ) -> NewestPosts:
        """Newest published posts, walking the months from the newest down, a query a
        month (`PostCatalog.newest_posts`)."""
        enough = limit if at_least is None else at_least
        posts: list[PostSummary] = []
        months_more = 0
        for month in self.marked_months():
            if len(posts) >= limit:
                break
            # Past the budget, a month is read only to know whether the list goes on.
            past_budget = len(posts) >= enough and months_more == more_months
            found = self.month_posts(*month, limit=1 if past_budget else limit - len(posts))
            # Only months with posts count, so that what is read depends on the posts
            # alone, not on the markers that months emptied since have left.
            if not found:
                continue
            if past_budget:
                return NewestPosts(posts, cut_short=True)
            if len(posts) >= enough:
                months_more += 1
            posts += found
        return NewestPosts(posts)

    def month_posts(self, year: int, month: int, limit: int | None = None) -> list[PostSummary]:
        """The published posts dated in one month, newest first."""
        items = self._query(_month_partition((year, month)), limit=limit)
        return [post_summary(item) for item in items]

    def months(self) -> list[Month]:
        """Every month with published posts, newest first."""
        return [month for month in self.marked_months() if self.month_posts(*month, limit=1)]

    def window(self, place: str, older: int, newer: int, passing: str | None = None) -> Window:
        """Each side's nearest entries: in the place's own month, else in the nearest months
        that way, found by a query of the markers beyond. Two consistent queries when both
        sides are in the month, the common case; a query more for each month crossed."""
        return Window(
            older=self._nearest(place, older, passing, newer=False),
            newer=self._nearest(place, newer, passing, newer=True),
        )

    def _nearest(
        self, place: str, count: int, passing: str | None, *, newer: bool
    ) -> tuple[PostSummary, ...]:
        # A place starts with its date: `2024-05-02T…#slug` is in `MONTH#2024-05`, which is
        # both the month's partition and its marker's sort key.
        month = f"{_MARKER_PREFIX}{place[:7]}"
        found = self._past(month, place, count, passing, newer=newer)
        markers = self._markers_past(month, newer=newer)
        while len(found) < count and (marker := next(markers, None)) is not None:
            found += self._past(marker, None, count - len(found), passing, newer=newer)
        return tuple(found)

    def _past(
        self, partition: str, place: str | None, count: int, passing: str | None, *, newer: bool
    ) -> list[PostSummary]:
        """A month's first `count` entries past `place` (from its end, with None) that way:
        newer from the place itself, older before it; never the post `passing`, which a
        slug has once a month, so one entry more is enough."""
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": {"S": partition}}
        if place is not None:
            condition += " AND sk >= :place" if newer else " AND sk < :place"
            values[":place"] = {"S": place}
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ScanIndexForward=newer,
            ConsistentRead=True,
            Limit=count + 1,
        )
        posts = (post_summary(deserialize(raw)) for raw in response["Items"])
        return [post for post in posts if post.slug != passing][:count]

    def _markers_past(self, month: str, *, newer: bool) -> Iterator[str]:
        """The markers of the months past `month` that way, nearest first, a page of a few
        at a time: most searches stop at the first."""
        low, high = (month, _LAST_MARKER) if newer else (_FIRST_MARKER, month)
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": "SITE"},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            "ScanIndexForward": newer,
            "ConsistentRead": True,
            "Limit": _MARKERS_A_PAGE,
        }
        while True:
            response = self.client.query(**request)
            for raw in response["Items"]:
                if (marker := raw["sk"]["S"]) != month:
                    yield marker
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def tag_entries(self, tag: str) -> list[TagEntry]:
        """Every post carrying a tag (its key), newest first, read consistently."""
        return [_tag_entry(item) for item in self._query(_tag_partition(tag))]

    def month_tail(
        self, month: Month, since: str, start_at: Callable[[int, int], int]
    ) -> ListingTail[PostSummary]:
        return self._tail(_month_partition(month), since, start_at, post_summary)

    def tag_tail(
        self, tag: str, since: str, start_at: Callable[[int, int], int]
    ) -> ListingTail[TagEntry]:
        return self._tail(_tag_partition(tag), since, start_at, _tag_entry)

    def _tail(
        self,
        partition: str,
        since: str,
        start_at: Callable[[int, int], int],
        parse: Callable[[Item], _Parsed],
    ) -> ListingTail[_Parsed]:
        """A listing's entries from `since` on, and as many before as `start_at(older,
        total)` asks for. The entries before `since` are counted, not returned: DynamoDB
        counts them where they are, so the answer stays small however long the listing is."""
        older, newer = self._from(partition, since)
        start = start_at(older, older + len(newer))
        before = self._query(partition, before=since, limit=older - start) if start < older else []
        # Both reads are newest first.
        return ListingTail(start, tuple(parse(item) for item in reversed(newer + before)))

    def _from(self, partition: str, since: str) -> tuple[int, list[Item]]:
        """How many of a partition's entries come before place `since`, and those from it on,
        newest first, in one consistent query.

        A key condition cannot both count and return, so the place is a filter on the
        entries' `date` and `slug`, the parts of their sort key
        (`listings.order_key`), which DynamoDB evaluates after reading each entry: what it
        read and did not return (`ScannedCount - Count`) is what comes before. It reads
        the partition, as a count would, and returns only the tail."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        if since:
            date, _, slug = since.partition("#")
            request |= {
                "FilterExpression": "#date > :date OR (#date = :date AND #slug >= :slug)",
                "ExpressionAttributeNames": {"#date": "date", "#slug": "slug"},
            }
            request["ExpressionAttributeValues"] |= {":date": {"S": date}, ":slug": {"S": slug}}
        older, items = 0, []
        while True:
            response = self.client.query(**request)
            older += response["ScannedCount"] - response["Count"]
            items += [deserialize(raw) for raw in response["Items"]]
            if "LastEvaluatedKey" not in response:
                return older, items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _query(
        self,
        partition: str,
        *,
        begins_with: str | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> list[Item]:
        """A partition's items, newest (highest sort key) first, read consistently: those
        whose sort key begins with `begins_with`, or is before `before`."""
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": {"S": partition}}
        if begins_with:
            condition += " AND begins_with(sk, :prefix)"
            values[":prefix"] = {"S": begins_with}
        elif before:
            condition += " AND sk < :before"
            values[":before"] = {"S": before}
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        items: list[Item] = []
        while True:
            if limit is not None:
                request["Limit"] = limit - len(items)
            response = self.client.query(**request)
            items += [deserialize(raw) for raw in response["Items"]]
            start = response.get("LastEvaluatedKey")
            if not start or (limit is not None and len(items) >= limit):
                return items
            request["ExclusiveStartKey"] = start

    # For `pressroom rebuild`, the one step that reads the whole table.

    def published_posts(self) -> Iterator[PostSummary]:
        for item in self._scan(
            "sk = :post AND #status = :published",
            {":post": {"S": "POST"}, ":published": {"S": "published"}},
            names={"#status": "status"},
        ):
            yield post_summary(item)

    def draft_posts(self) -> Iterator[PostSummary]:
        for item in self._scan(
            "sk = :post AND #status IN (:draft, :scheduled)",
            {":post": {"S": "POST"}, ":draft": {"S": "draft"}, ":scheduled": {"S": "scheduled"}},
            names={"#status": "status"},
        ):
            previewed = post_record(item).previewed
            if previewed is not None:
                yield previewed

    def published_count(self) -> int:
        return sum(1 for _ in self.published_posts())

    def published_assets(self) -> Iterator[AssetSummary]:
        for item in self._scan(
            "sk = :asset AND #status = :published",
            {":asset": {"S": ASSET_SORT_KEY}, ":published": {"S": "published"}},
            names={"#status": "status"},
        ):
            yield asset_summary(item)

    def site_entries(self) -> SiteEntries:
        """What every page shows, in one consistent query: the site's settings (the file
        that counts, of CONFIG_SOURCES) and its pages, at most MAX_PAGES_LISTED, projected
        to what the sitemap and navigation need of a page (a summary may be 16 KiB)."""
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :entries",
            ExpressionAttributeValues={":entries": {"S": SITE_ENTRIES}},
            ProjectionExpression=(
                "sk, slug, title, #path, #date, updated, menu_name, menu_weight, "
                "source_key, settings, content_hash"
            ),
            ExpressionAttributeNames={"#path": "path", "#date": "date"},
            ConsistentRead=True,
            Limit=len(CONFIG_SOURCES) + MAX_PAGES_LISTED,
        )
        settings: dict[str, SiteSource] = {}
        pages: list[PageLink] = []
        for raw in response["Items"]:
            item = deserialize(raw)
            if item["sk"].startswith(_SETTINGS_ENTRY):
                source = site_source(item)
                settings[source.source_key] = source
            else:
                pages.append(PageLink.from_item(item))
        effective = next((settings[key] for key in CONFIG_SOURCES if key in settings), None)
        return SiteEntries(
            settings=effective,
            pages=tuple(pages[:MAX_PAGES_LISTED]),
            sources=tuple(settings.values()),
        )

    def site_time_zone(self) -> str | None:
        """The time zone the site's configuration names (None: UTC), as `site_entries`
        finds the file that counts."""
        settings = self.site_entries().settings
        return settings.settings.timezone if settings is not None else None

    def scan_step(self, cursor: str, limit: int) -> ScanStep:
        request: dict[str, Any] = {"TableName": self.table, "Limit": limit, "ConsistentRead": True}
        if cursor:
            request["ExclusiveStartKey"] = json.loads(cursor)
        response = self.client.scan(**request)
        published: list[PostSummary] = []
        drafts: list[PostSummary] = []
        tags: set[str] = set()
        months: set[Month] = set()
        for raw in response["Items"]:
            item = deserialize(raw)
            partition, sort_key = item["pk"], item["sk"]
            if sort_key == POST_SORT_KEY and item.get("status") == "published":
                published.append(post_summary(item))
            elif sort_key == POST_SORT_KEY and (previewed := post_record(item).previewed):
                drafts.append(previewed)
            elif partition.startswith("TAG#"):
                tags.add(item["tag"])
            elif partition == "SITE" and sort_key.startswith(_MARKER_PREFIX):
                year, month = sort_key.removeprefix(_MARKER_PREFIX).split("-")
                months.add((int(year), int(month)))
        last = response.get("LastEvaluatedKey")
        return ScanStep(
            published=tuple(published),
            drafts=tuple(drafts),
            tags=frozenset(tags),
            months=frozenset(months),
            cursor=json.dumps(last, sort_keys=True) if last else None,
        )

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


def _tag_entry(item: Mapping[str, Any]) -> TagEntry:
    return TagEntry.model_validate(_fields(TagEntry, item))


def _fields(model: type[TagEntry], item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in model.model_fields if name in item}


def _claim_item(claim: Claim) -> Item:
    key = ClaimKey(slug=claim.post.slug, first_seen=claim.first_seen, source_key=claim.source_key)
    return record_item(key, claim)
