"""S3: the content bucket (read), the artifacts bucket (documents) and the site bucket (pages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from pressroom.models import CopySource, PostDocument, document_key, sanitised_asset_key
from pressroom.ports import SourceObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import PutObjectRequestTypeDef


class S3ContentStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def fetch(
        self, key: str, *, max_bytes: int, version_id: str | None = None, whole: bool = True
    ) -> SourceObject | None:
        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            request["VersionId"] = version_id
        if not whole:
            # A large asset's first bytes: its type is checked, its body stays in S3.
            request["Range"] = f"bytes=0-{max(max_bytes, 1) - 1}"
        try:
            response = self.client.get_object(**request)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code in {"NoSuchKey", "NoSuchVersion", "404"}:
                return None
            if code == "InvalidRange":  # an empty object has no first byte
                return SourceObject(key=key, size=0, body=b"", version_id=version_id)
            raise
        size = response["ContentLength"]
        if "ContentRange" in response:
            size = int(response["ContentRange"].rpartition("/")[2])
        version = response.get("VersionId") or version_id
        stream = response["Body"]
        if whole and size > max_bytes:
            # The headers said enough: the body is never read.
            stream.close()
            return SourceObject(key=key, size=size, body=None, version_id=version)
        with stream:
            body = stream.read(max_bytes + 1 if whole else max_bytes)
        return SourceObject(key=key, size=size, body=body, version_id=version)


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

    def put_asset(self, body: bytes, content_hash: str, content_type: str) -> CopySource:
        key = sanitised_asset_key(content_hash)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return CopySource(bucket=self.bucket, key=key)


class S3SiteStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(
        self, key: str, body: bytes, content_type: str, *, redirect_to: str | None = None
    ) -> None:
        # S3 sends it with every GET as `x-amz-website-redirect-location` (2 KB at most: a
        # page path is 200 bytes at most, `slugs.MAX_PAGE_PATH_BYTES`, 600 percent-encoded).
        request: PutObjectRequestTypeDef = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": body,
            "ContentType": content_type,
        }
        if redirect_to is not None:
            request["WebsiteRedirectLocation"] = redirect_to
        self.client.put_object(**request)

    def copy(self, source: CopySource, key: str, content_type: str, cache_control: str) -> None:
        copy_source: dict[str, str] = {"Bucket": source.bucket, "Key": source.key}
        if source.version_id:
            copy_source["VersionId"] = source.version_id
        # CopyObject copies inside S3 (up to 5 GB; assets.MAX_COPY_BYTES is far less), and
        # REPLACE sets the site's headers rather than the upload's.
        self.client.copy_object(
            CopySource=copy_source,  # type: ignore[arg-type]
            Bucket=self.bucket,
            Key=key,
            ContentType=content_type,
            CacheControl=cache_control,
            MetadataDirective="REPLACE",
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"NoSuchKey", "404"}:
                return None
            raise
        with response["Body"] as body:
            return body.read()

    def keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", []):
                yield entry["Key"]
