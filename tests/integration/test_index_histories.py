"""Whatever order and however often S3's events arrive, the index and the site end the same.

Hypothesis writes histories of uploads (valid, invalid, drafts, undated),
updates and deletes over a few files that compete for a few slugs. Each
history's index messages go through the stack's own queue, indexer, stream
and renderer twice: once in order, and once shuffled, with
duplicates, in batches. The table and the site bucket must end identical, and
the in-order run must satisfy the rules docs/contributors.md states. The shuffled run
is made in this process, one invocation at a time, in an order hypothesis
draws; and, for fewer histories, on the concurrent runtime, where up to five
indexers and both stream shards' renderers run at once as on Lambda.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressroom.adapters.s3 import S3DocumentStore
from pressroom.models import IndexMessage, PostDocument
from pressroom_local.emulator import EmbeddedAws, embedded_aws
from pressroom_local.runtime import CONCURRENT, RuntimeMode
from pressroom_local.stack import LocalStack
from reliability.harness import FinalState, read_site, scan_table
from tests.corpus import PROJECT_ROOT
from tests.histories import (
    CONTENDED,
    SPREAD,
    Delete,
    Operation,
    Population,
    Upload,
    draw_delivery,
    index_messages,
)

HISTORIES_PER_POPULATION = 100
"""Two populations (run in parallel under xdist): 200 histories per run."""
CONCURRENT_HISTORIES_PER_POPULATION = max(2, settings.default.max_examples // 500)
"""Each starts the functions' sandboxes afresh and waits on real concurrency: two a
population in `make test`, twenty in `make reliability` (the hypothesis profiles)."""


class Deliveries:
    """A fresh stack per delivery, all on one embedded AWS."""

    def __init__(self, aws: EmbeddedAws) -> None:
        self.aws = aws
        self.session = aws.session
        self.names = (f"history{number}" for number in itertools.count())

    def run(
        self,
        messages: list[tuple[IndexMessage, PostDocument | None]],
        batches: list[list[int]],
        runtime: RuntimeMode | None = None,
    ) -> FinalState:
        with LocalStack.create(
            self.session,
            project_root=PROJECT_ROOT,
            site_url="https://news.example.org/",
            stack_name=next(self.names),
            endpoint_url=self.aws.endpoint_url if runtime and runtime.sandboxes else None,
            runtime=runtime,
        ) as stack:
            return self._deliver(stack, messages, batches)

    def _deliver(
        self,
        stack: LocalStack,
        messages: list[tuple[IndexMessage, PostDocument | None]],
        batches: list[list[int]],
    ) -> FinalState:
        stack.router.drain()
        documents = S3DocumentStore(
            self.session.client("s3"), stack.resources.buckets["ArtifactsBucket"]
        )
        for _, document in messages:
            if document is not None:
                documents.put(document)
        sqs = self.session.client("sqs")
        queue = stack.resources.queues["IndexQueue"].url
        for batch in batches:
            for position in batch:
                sqs.send_message(
                    QueueUrl=queue, MessageBody=messages[position][0].model_dump_json()
                )
            stack.router.drain()
        return FinalState(table=scan_table(stack), site=read_site(stack))


@pytest.fixture(scope="module")
def deliveries() -> Iterator[Deliveries]:
    with embedded_aws() as aws:
        yield Deliveries(aws)


POPULATIONS = pytest.mark.parametrize(
    "population", [SPREAD, CONTENDED], ids=["spread", "contended"]
)


def _histories(examples: int) -> Any:
    """Hypothesis's settings for `examples` histories a population."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _ends_like_delivery_in_order(
    deliveries: Deliveries,
    population: Population,
    data: st.DataObject,
    runtime: RuntimeMode | None = None,
) -> tuple[list[Operation], FinalState]:
    """Deliver a drawn history in order, then in drawn batches on `runtime`; both end the
    same. The history and the in-order result."""
    history = data.draw(population.histories(), label="history")
    messages = index_messages(history)
    batches = draw_delivery(data, len(messages))

    expected = deliveries.run(messages, [list(range(len(messages)))])
    actual = deliveries.run(messages, batches, runtime=runtime)

    assert actual.table == expected.table
    assert actual.site.keys() == expected.site.keys()
    assert actual.site == expected.site
    return history, expected


@POPULATIONS
@_histories(HISTORIES_PER_POPULATION)
@given(data=st.data())
def test_shuffled_and_repeated_delivery_ends_like_delivery_in_order(
    deliveries: Deliveries, population: Population, data: st.DataObject
) -> None:
    history, expected = _ends_like_delivery_in_order(deliveries, population, data)
    check_rules(history, population.slugs, expected)


@POPULATIONS
@_histories(CONCURRENT_HISTORIES_PER_POPULATION)
@given(data=st.data())
def test_delivery_on_the_concurrent_runtime_ends_like_delivery_in_order(
    deliveries: Deliveries, population: Population, data: st.DataObject
) -> None:
    _ends_like_delivery_in_order(deliveries, population, data, CONCURRENT)


def check_rules(history: list[Operation], slugs: tuple[str, ...], state: FinalState) -> None:
    """The in-order result obeys the rules in docs/contributors.md, worked out from the history."""
    last_event: dict[str, Operation] = {}
    content: dict[str, Upload | None] = {}
    first_upload: dict[str, int] = {}
    for number, operation in enumerate(history, start=1):
        last_event[operation.key] = operation
        if isinstance(operation, Upload):
            first_upload.setdefault(operation.key, number // 2)
        if isinstance(operation, Delete) or operation.valid:
            content[operation.key] = operation if isinstance(operation, Upload) else None

    owners: dict[str, str] = {}
    for slug in slugs:
        claimants = [key for key, upload in content.items() if upload and upload.slug == slug]
        if claimants:
            owners[slug] = min(claimants, key=lambda key: (first_upload[key], key))

    statuses = {
        pk.removeprefix("SOURCE#"): item for (pk, sk), item in state.table.items() if sk == "STATUS"
    }
    for key, operation in last_event.items():
        status = statuses[key]["status"]
        if isinstance(operation, Delete):
            assert status == "deleted"
        elif not operation.valid:
            assert status == "invalid"
        elif owners.get(operation.slug) != key:
            assert status == "conflict"
            # A waiting file's error is shown with the owner its slug's post item names.
            post_item = state.table[(f"POST#{operation.slug}", "POST")]
            assert post_item["source_key"] == owners[operation.slug]
        else:
            assert status == ("draft" if operation.draft else "published")

    published = {
        slug: owner
        for slug, owner in owners.items()
        if not content[owner].draft  # type: ignore[union-attr]
    }
    pages = {
        key.split("/")[1] for key in state.site if re.fullmatch(r"posts/[^/]+/index\.html", key)
    }
    assert pages == set(published)
    home = state.site["index.html"][1].decode() if "index.html" in state.site else ""
    for slug, owner in published.items():
        assert f"/posts/{slug}/" in home
        upload = content[owner]
        assert upload is not None
        assert f"Version {upload.version}." in state.site[f"posts/{slug}/index.html"][1].decode()
