"""Test images made on the spot with Pillow (and by hand, for the hostile ones)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def png(width: int = 300, height: int = 200, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says 'rotate 90° to show' and where it was taken."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


XMP_WITH_LOCATION = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>48,51.4N</exif:GPSLatitude></x:xmpmeta>'


def _gps_exif() -> Image.Exif:
    """The EXIF of jpeg_with_gps(), its GPS block read (Pillow writes a sub-IFD only once it has been read)."""
    with Image.open(io.BytesIO(jpeg_with_gps())) as img:
        exif = img.getexif()
    exif.get_ifd(GPS_IFD)
    return exif


def webp_with_location() -> bytes:
    """A lossless WebP with orientation and GPS in its EXIF, and a location in its XMP."""
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 120, 200)).save(out, "WEBP", lossless=True, exif=_gps_exif(), xmp=XMP_WITH_LOCATION)
    return out.getvalue()


def tiff_with_location() -> bytes:
    """A two-page TIFF whose first page has a GPS block and a location in its XMP tag."""
    out = io.BytesIO()
    pages = [Image.new("RGB", (40, 20), (10, 120, 200)), Image.new("RGB", (10, 10), (9, 9, 9))]
    exif = _gps_exif()
    exif[700] = XMP_WITH_LOCATION  # the XMP tag (Pillow's tiffinfo would replace the EXIF rather than add to it)
    pages[0].save(out, "TIFF", exif=exif, save_all=True, append_images=pages[1:])
    return out.getvalue()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG whose header claims width×height pixels, with almost no data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 10_000)) + chunk(b"IEND", b"")


def gif(frames: int, size: int = 2) -> bytes:
    """An animated GIF of `frames` alternating frames."""
    images = [Image.new("P", (size, size), i % 2) for i in range(frames)]
    for img in images:
        img.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=20, loop=0)
    return out.getvalue()


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as img:
        return img.getexif()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size


def pixels_of(data: bytes) -> list[bytes]:
    """Every page's pixels."""
    with Image.open(io.BytesIO(data)) as img:
        pages = []
        for index in range(getattr(img, "n_frames", 1)):
            img.seek(index)
            pages.append(img.convert("RGB").tobytes())
        return pages
