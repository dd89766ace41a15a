"""File bytes and what is made from them: storage backends, type sniffing, thumbnails and previews."""

from __future__ import annotations

from kafana.config import Settings
from kafana.files.storage import FileStore, LocalStore, StorageError


def open_store(settings: Settings) -> FileStore:
    """The backend the settings name (`files_backend`)."""
    if settings.files_backend == "s3":
        from kafana.files.s3 import S3Store

        if not settings.s3_bucket:
            raise SystemExit("kafana: files_backend = s3 needs s3_bucket (KAFANA_S3_BUCKET)")
        return S3Store(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            prefix=settings.s3_prefix,
            addressing_style=settings.s3_addressing_style,
        )
    return LocalStore(settings.files_root)


__all__ = ["FileStore", "LocalStore", "StorageError", "open_store"]
