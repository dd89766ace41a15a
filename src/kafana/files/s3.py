"""S3-compatible object storage (AWS, MinIO, Ceph, Garage…) through boto3, its calls run in worker threads.

Writes stream: up to one part (8 MiB) is buffered, larger objects go up as a multipart upload that is aborted
if anything fails, so a partial object never appears. Reads stream a `Range` of the object.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from kafana.files.storage import CHUNK, FileStore, StorageError, check_key

PART_SIZE = 8 * 1024 * 1024  # S3's minimum part is 5 MiB


class S3Store(FileStore):
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str = "",
        region: str = "us-east-1",
        access_key_id: str = "",
        secret_access_key: str = "",
        prefix: str = "",
        addressing_style: str = "path",
    ) -> None:
        import boto3  # imported only when S3 is configured: it costs memory and start-up time
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        config = Config(s3={"addressing_style": addressing_style}, retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=20)
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=config,
        )
        from botocore.exceptions import BotoCoreError, ClientError

        self._errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def _call(self, name: str, **kw: Any) -> Any:
        try:
            return await asyncio.to_thread(getattr(self.client, name), Bucket=self.bucket, **kw)
        except self._errors as exc:
            if _is_missing(exc):
                raise FileNotFoundError(kw.get("Key", "")) from exc
            raise StorageError(f"S3 {name} failed: {exc}") from exc

    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        name = self._key(key)
        buffer = bytearray()
        upload_id = ""
        parts: list[dict[str, Any]] = []
        size = 0
        try:
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                if len(buffer) >= PART_SIZE:
                    if not upload_id:
                        upload_id = (await self._call("create_multipart_upload", Key=name))["UploadId"]
                    part = bytes(buffer[:PART_SIZE])
                    del buffer[:PART_SIZE]
                    number = len(parts) + 1
                    done = await self._call("upload_part", Key=name, UploadId=upload_id, PartNumber=number, Body=part)
                    parts.append({"PartNumber": number, "ETag": done["ETag"]})
            if not upload_id:
                await self._call("put_object", Key=name, Body=bytes(buffer))
                return size
            if buffer:
                number = len(parts) + 1
                done = await self._call("upload_part", Key=name, UploadId=upload_id, PartNumber=number, Body=bytes(buffer))
                parts.append({"PartNumber": number, "ETag": done["ETag"]})
            await self._call("complete_multipart_upload", Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts})
            return size
        except BaseException:
            if upload_id:
                try:
                    await self._call("abort_multipart_upload", Key=name, UploadId=upload_id)
                except (StorageError, FileNotFoundError):
                    pass  # the bucket's lifecycle rules clean up what an abort could not
            raise

    async def size(self, key: str) -> int | None:
        try:
            head = await self._call("head_object", Key=self._key(key))
        except FileNotFoundError:
            return None
        return int(head["ContentLength"])

    async def read(self, key: str, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        if length == 0:
            return
        kw: dict[str, Any] = {"Key": self._key(key)}
        if start or length is not None:
            kw["Range"] = f"bytes={start}-" + (str(start + length - 1) if length is not None else "")
        response = await self._call("get_object", **kw)
        body = response["Body"]
        try:
            while True:
                chunk = await asyncio.to_thread(body.read, CHUNK)
                if not chunk:
                    return
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        try:
            await self._call("delete_object", Key=self._key(key))
        except FileNotFoundError:
            pass

    async def close(self) -> None:
        self.client.close()


def _is_missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")
