"""SQS: the index queue between the validator and the indexer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pressroom.models import IndexMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsIndexQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, message: IndexMessage) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=message.model_dump_json())
