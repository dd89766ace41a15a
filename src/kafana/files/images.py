"""Thumbnails, previews and location stripping with Pillow. Called in worker threads (they decode images).

The pixel count is read from the header and checked before anything is decoded (D7): a 50000×50000 PNG of
100 KB is refused without allocating its 10 GB of pixels.
"""

from __future__ import annotations

import io
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (120, 100)  # Mattermost's thumbnail box
PREVIEW_WIDTH = 1920
MINI_PREVIEW = (16, 16)
MAX_FRAMES = 1000  # animated GIFs with more frames are refused
GPS_IFD = 0x8825
ORIENTATION = 0x0112

# Pillow's own guard stays on as a second line (a DecompressionBombError above twice this).
Image.MAX_IMAGE_PIXELS = 7680 * 4320


class ImageRefused(Exception):
    """Too many pixels or frames, or not a decodable image although its header said so."""


@dataclass(slots=True)
class ImageFacts:
    format: str
    width: int  # after EXIF orientation
    height: int
    frames: int


@dataclass(slots=True)
class Derived:
    thumbnail: bytes
    preview: bytes | None
    mini_preview: bytes


def inspect(path: Path, max_pixels: int) -> ImageFacts:
    """Read only the header (and GIF frame headers). Raises ImageRefused for bombs."""
    try:
        with Image.open(path) as img:
            width, height = img.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise ImageRefused(f"{width}×{height} is more than {max_pixels} pixels")
            frames = int(getattr(img, "n_frames", 1))
            if frames > MAX_FRAMES or frames * width * height > max_pixels * 4:
                raise ImageRefused(f"{frames} frames of {width}×{height}")
            if _orientation(img) in (5, 6, 7, 8):
                width, height = height, width
            return ImageFacts(str(img.format), width, height, frames)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, EOFError) as exc:
        raise ImageRefused(str(exc)) from exc


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(ORIENTATION, 1))
    except Exception:
        return 1


def derive(path: Path, *, preview: bool = True) -> Derived:
    """Thumbnail (covers 120×100), preview (at most 1920 wide) and a 16×16 mini preview, as JPEG, upright."""
    try:
        with Image.open(path) as img:
            img.draft("RGB", (PREVIEW_WIDTH, PREVIEW_WIDTH))  # JPEG: decode at a reduced scale when it is large
            upright = ImageOps.exif_transpose(img.convert("RGBA") if img.mode in ("P", "LA", "PA") else img)
            flat = _flatten(upright)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, EOFError) as exc:
        raise ImageRefused(str(exc)) from exc
    width, height = flat.size
    scale = max(THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height)
    thumb = flat.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS) if scale < 1 else flat
    prev: bytes | None = None
    if preview:
        prev_img = flat.resize((PREVIEW_WIDTH, max(1, round(height * PREVIEW_WIDTH / width))), Image.Resampling.LANCZOS) if width > PREVIEW_WIDTH else flat
        prev = _jpeg(prev_img)
    mini = ImageOps.fit(flat, MINI_PREVIEW, Image.Resampling.LANCZOS)
    return Derived(_jpeg(thumb), prev, _jpeg(mini))


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def square_png(path: Path, size: int) -> bytes:
    """A profile picture or team icon: upright, centre-cropped to a square, `size` pixels, PNG."""
    try:
        with Image.open(path) as img:
            img.draft("RGB", (size, size))
            upright = ImageOps.exif_transpose(img)
            square = ImageOps.fit(upright.convert("RGBA"), (size, size), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, EOFError) as exc:
        raise ImageRefused(str(exc)) from exc
    out = io.BytesIO()
    square.save(out, "PNG", optimize=True)
    return out.getvalue()


def fit_within(path: Path, size: int) -> tuple[bytes, str] | None:
    """A custom emoji image no larger than size×size: None when it already fits (kept as uploaded, animation
    included); otherwise a resized PNG (or animated GIF, frame by frame) and its MIME type."""
    try:
        with Image.open(path) as img:
            if img.width <= size and img.height <= size:
                return None
            ratio = size / max(img.width, img.height)
            target = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
            out = io.BytesIO()
            if getattr(img, "n_frames", 1) > 1 and img.format == "GIF":
                frames = []
                for index in range(int(getattr(img, "n_frames", 1))):
                    img.seek(index)
                    frames.append(img.convert("RGBA").resize(target, Image.Resampling.LANCZOS))
                frames[0].save(
                    out, "GIF", save_all=True, append_images=frames[1:], loop=img.info.get("loop", 0), duration=img.info.get("duration", 100), disposal=2
                )
                return out.getvalue(), "image/gif"
            ImageOps.exif_transpose(img).convert("RGBA").resize(target, Image.Resampling.LANCZOS).save(out, "PNG")
            return out.getvalue(), "image/png"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, EOFError) as exc:
        raise ImageRefused(str(exc)) from exc


# Location stripping -------------------------------------------------------------------------------------

JPEG_DROP_APP1 = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
PNG_DROP_CHUNKS = frozenset({b"eXIf", b"tEXt", b"iTXt", b"zTXt"})


def strip_location(source: Path, target: Path, mime_type: str) -> bool:
    """Copy `source` to `target` without location metadata: JPEG keeps its pixels and EXIF (orientation
    included) minus the GPS block, and loses XMP and IPTC; PNG loses its EXIF and text chunks. Returns False
    (nothing written) for other types or files that cannot be parsed."""
    try:
        with source.open("rb") as src, target.open("wb") as dst:
            if mime_type == "image/jpeg":
                return _strip_jpeg(src, dst)
            if mime_type == "image/png":
                return _strip_png(src, dst)
    except (OSError, ValueError, struct.error):
        pass
    target.unlink(missing_ok=True)
    return False


def _strip_jpeg(src: BinaryIO, dst: BinaryIO) -> bool:
    if src.read(2) != b"\xff\xd8":
        raise ValueError("not a JPEG")
    dst.write(b"\xff\xd8")
    while True:
        marker = src.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            raise ValueError("broken JPEG")
        if marker[1] in (0xDA, 0xD9):  # start of scan (entropy-coded data follows) or end: copy the rest
            dst.write(marker)
            shutil.copyfileobj(src, dst, 1024 * 1024)
            return True
        (length,) = struct.unpack(">H", src.read(2))
        body = src.read(length - 2)
        if len(body) != length - 2:
            raise ValueError("truncated JPEG")
        if marker[1] == 0xE1 and body.startswith(b"Exif\x00\x00"):
            kept = _exif_without_gps(body[6:])
            if kept is None:
                continue
            body = kept
        elif (marker[1] == 0xE1 and body.startswith(JPEG_DROP_APP1)) or marker[1] == 0xED:  # XMP, IPTC
            continue
        dst.write(marker + struct.pack(">H", len(body) + 2) + body)


def _exif_without_gps(tiff: bytes) -> bytes | None:
    exif = Image.Exif()
    exif.load(tiff)
    if GPS_IFD not in exif:
        return b"Exif\x00\x00" + tiff
    del exif[GPS_IFD]
    data: bytes = exif.tobytes()
    return data if len(data) + 2 <= 0xFFFF else None


def _strip_png(src: BinaryIO, dst: BinaryIO) -> bool:
    signature = src.read(8)
    if signature != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    dst.write(signature)
    while True:
        header = src.read(8)
        if len(header) < 8:
            raise ValueError("truncated PNG")
        length, kind = struct.unpack(">I4s", header)
        if kind in PNG_DROP_CHUNKS:
            src.seek(length + 4, io.SEEK_CUR)
            continue
        dst.write(header)
        _copy_exactly(src, dst, length + 4)  # data and CRC, in bounded chunks (IDAT may be large)
        if kind == b"IEND":
            return True


def _copy_exactly(src: BinaryIO, dst: BinaryIO, count: int) -> None:
    while count > 0:
        chunk = src.read(min(count, 1024 * 1024))
        if not chunk:
            raise ValueError("truncated file")
        dst.write(chunk)
        count -= len(chunk)
