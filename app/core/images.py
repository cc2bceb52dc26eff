"""Reading uploaded images safely and re-encoding them at a sensible size.

Re-encoding drops metadata (EXIF location) and anything that is not pixels.
Every refusal is a ValueError with a message for the person uploading.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def open_image(data: bytes, min_side: int = 64) -> Image.Image:
    """Decode an upload into an RGB image, upright per its EXIF orientation."""
    if not data:
        raise ValueError("The file is empty; choose a photo.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise ValueError("Upload a JPEG, PNG, WebP or GIF image.")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValueError("This image is too large; use one under 40 megapixels.")
            if min(width, height) < min_side:
                raise ValueError(
                    f"This image is too small; use one at least {min_side}×{min_side} pixels."
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return ImageOps.exif_transpose(image).convert("RGB")
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValueError("We couldn't read this file as an image; upload a JPEG or PNG.") from None


def to_jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def square(data: bytes, size: int) -> bytes:
    """Crop to a centred square of size×size (avatars)."""
    image = ImageOps.fit(open_image(data), (size, size), Image.Resampling.LANCZOS)
    return to_jpeg(image)


def within(data: bytes, max_side: int, min_side: int = 200) -> tuple[bytes, int, int]:
    """Scale down (never up) to fit max_side; returns (jpeg, width, height)."""
    image = open_image(data, min_side=min_side)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return to_jpeg(image), image.width, image.height
