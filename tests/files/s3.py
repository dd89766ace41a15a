"""Buckets on the test S3 server."""

from __future__ import annotations

import uuid
from typing import Any

S3_CREDENTIALS = {"s3_access_key_id": "test", "s3_secret_access_key": "test", "s3_region": "us-east-1"}


def new_bucket(endpoint: str) -> str:
    """A fresh, empty bucket (moto keeps state in memory for its whole life)."""
    import boto3

    name = "kafana-" + uuid.uuid4().hex[:16]
    client: Any = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    client.create_bucket(Bucket=name)
    client.close()
    return name


def s3_settings(endpoint: str) -> dict[str, Any]:
    """Settings overrides that put a server's files in a new bucket on `endpoint`."""
    return {"files_backend": "s3", "s3_endpoint_url": endpoint, "s3_bucket": new_bucket(endpoint), **S3_CREDENTIALS}
