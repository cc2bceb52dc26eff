"""Profile photos: read any common image safely, keep a small square JPEG."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

SIZE = 320  # pixels per side of the stored square
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def process_photo(data: bytes) -> bytes:
    """Crop to a centred square, resize and re-encode as JPEG.

    Re-encoding drops metadata (EXIF location) and anything that is not
    pixels. Raises ValueError with a message for the person.
    """
    if not data:
        raise ValueError("The file is empty; choose a photo.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise ValueError("Upload a JPEG, PNG, WebP or GIF image.")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValueError("This image is too large; use one under 40 megapixels.")
            if min(width, height) < 64:
                raise ValueError("This image is too small; use one at least 64×64 pixels.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image = ImageOps.fit(image.convert("RGB"), (SIZE, SIZE), Image.Resampling.LANCZOS)
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValueError("We couldn't read this file as an image; upload a JPEG or PNG.") from None
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()
