"""S3: the content bucket (read), the artifacts bucket (documents) and the site bucket (pages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from pressroom.models import PostDocument, document_key
from pressroom.ports import SourceObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3ContentStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def fetch(
        self, key: str, *, max_bytes: int, version_id: str | None = None
    ) -> SourceObject | None:
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            request["VersionId"] = version_id
        try:
            response = self.client.get_object(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NoSuchKey", "NoSuchVersion", "404"}:
                return None
            raise
        size = response["ContentLength"]
        stream = response["Body"]
        if size > max_bytes:
            # The headers said enough: the body is never read.
            stream.close()
            return SourceObject(key=key, size=size, body=None)
        with stream:
            return SourceObject(key=key, size=size, body=stream.read(max_bytes + 1))


class S3DocumentStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, document: PostDocument) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=document_key(document.content_hash),
            Body=document.model_dump_json().encode("utf-8"),
            ContentType="application/json",
        )

    def get(self, key: str) -> PostDocument:
        response = self.client.get_object(Bucket=self.bucket, Key=key)
        with response["Body"] as body:
            return PostDocument.model_validate_json(body.read())


class S3SiteStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", []):
                yield entry["Key"]
