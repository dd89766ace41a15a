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
            if _orientation(img) in (5, 6, 7, 8) and img.format != "TIFF":  # Pillow's TIFF size is already upright
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
    included) minus the GPS block, and loses XMP and IPTC; PNG loses its EXIF and text chunks; WebP keeps its
    EXIF minus the GPS block and loses XMP; TIFF loses its GPS, XMP and IPTC tags, their bytes overwritten.
    Returns False (nothing written) for other types or files that cannot be parsed."""
    try:
        if mime_type == "image/tiff":
            shutil.copyfile(source, target)
            with target.open("r+b") as tiff:
                return _strip_tiff(tiff)
        with source.open("rb") as src, target.open("wb") as dst:
            if mime_type == "image/jpeg":
                return _strip_jpeg(src, dst)
            if mime_type == "image/png":
                return _strip_png(src, dst)
            if mime_type == "image/webp":
                return _strip_webp(src, dst)
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


WEBP_XMP_FLAG = 0x04  # in the VP8X chunk's flags byte


def _strip_webp(src: BinaryIO, dst: BinaryIO) -> bool:
    """RIFF chunks copied in order, XMP dropped (and its VP8X flag cleared), EXIF without its GPS block; the
    RIFF size is written last."""
    header = src.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:] != b"WEBP":
        raise ValueError("not a WebP")
    dst.write(header)
    while head := src.read(8):
        if len(head) < 8:
            raise ValueError("truncated WebP")
        kind, length = head[:4], struct.unpack("<I", head[4:])[0]
        padded = length + (length & 1)
        if kind == b"XMP ":
            src.seek(padded, io.SEEK_CUR)
            continue
        if kind in (b"VP8X", b"EXIF"):
            body = src.read(padded)[:length]
            if len(body) != length:
                raise ValueError("truncated WebP")
            body = bytes([body[0] & ~WEBP_XMP_FLAG & 0xFF]) + body[1:] if kind == b"VP8X" else _webp_exif_without_gps(body)
            dst.write(kind + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1))
            continue
        dst.write(head)
        _copy_exactly(src, dst, padded)
    riff_size = dst.tell() - 8
    dst.seek(4)
    dst.write(struct.pack("<I", riff_size))
    return True


def _webp_exif_without_gps(body: bytes) -> bytes:
    """WebP's EXIF chunk holds the TIFF structure, by some writers behind JPEG's `Exif\\0\\0`: kept as found."""
    prefix = b"Exif\x00\x00" if body.startswith(b"Exif\x00\x00") else b""
    exif = Image.Exif()
    exif.load(body[len(prefix) :])
    if GPS_IFD not in exif:
        return body
    del exif[GPS_IFD]
    return prefix + exif.tobytes()[6:]


# TIFF tags that may say where a picture was taken: GPS, XMP and IPTC.
TIFF_LOCATION_TAGS = frozenset({GPS_IFD, 700, 33723})
TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
TIFF_MAX_IFDS = 1000


def _strip_tiff(f: BinaryIO) -> bool:
    """In place, on a copy: every IFD (page) loses its location tags; their values and the GPS IFD are
    overwritten with zeros, and the entries after them move up, so the pixels stay byte for byte."""
    order = f.read(2)
    if order not in (b"II", b"MM"):
        raise ValueError("not a TIFF")
    e = "<" if order == b"II" else ">"
    version, offset = struct.unpack(e + "HI", f.read(6))
    if version != 42:
        raise ValueError("not a classic TIFF")  # BigTIFF is not handled: kept as uploaded
    seen: set[int] = set()
    while offset and offset not in seen and len(seen) < TIFF_MAX_IFDS:
        seen.add(offset)
        offset = _strip_ifd(f, e, offset)
    return True


def _strip_ifd(f: BinaryIO, e: str, offset: int) -> int:
    """Drop the location entries of the IFD at `offset`; returns the next IFD's offset."""
    f.seek(offset)
    (count,) = struct.unpack(e + "H", f.read(2))
    entries = [f.read(12) for _ in range(count)]
    (following,) = struct.unpack(e + "I", f.read(4))
    kept = []
    for entry in entries:
        tag, kind, n, value = struct.unpack(e + "HHII", entry)
        if tag not in TIFF_LOCATION_TAGS:
            kept.append(entry)
            continue
        size = TIFF_TYPE_SIZES.get(kind, 1) * n
        if tag == GPS_IFD:
            _zero_ifd(f, e, value)
        elif size > 4:
            _zero(f, value, size)
    if len(kept) < count:
        f.seek(offset)
        f.write(struct.pack(e + "H", len(kept)) + b"".join(kept) + struct.pack(e + "I", following) + b"\x00" * 12 * (count - len(kept)))
    return int(following)


def _zero_ifd(f: BinaryIO, e: str, offset: int) -> None:
    """Overwrite a sub-IFD (the GPS block): its values stored outside it, then the IFD itself."""
    f.seek(offset)
    (count,) = struct.unpack(e + "H", f.read(2))
    for _ in range(count):
        _, kind, n, value = struct.unpack(e + "HHII", f.read(12))
        size = TIFF_TYPE_SIZES.get(kind, 1) * n
        if size > 4:
            here = f.tell()
            _zero(f, value, size)
            f.seek(here)
    _zero(f, offset, 2 + 12 * count + 4)


def _zero(f: BinaryIO, offset: int, size: int) -> None:
    f.seek(0, io.SEEK_END)
    if offset + size > f.tell():
        raise ValueError("TIFF value past the end")
    f.seek(offset)
    f.write(b"\x00" * size)


def _copy_exactly(src: BinaryIO, dst: BinaryIO, count: int) -> None:
    while count > 0:
        chunk = src.read(min(count, 1024 * 1024))
        if not chunk:
            raise ValueError("truncated file")
        dst.write(chunk)
        count -= len(chunk)
