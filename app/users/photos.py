"""Profile photos: read any common image safely, keep a small square JPEG."""

from __future__ import annotations

from app.core import images

SIZE = 320  # pixels per side of the stored square


def process_photo(data: bytes) -> bytes:
    """Crop to a centred square, resize and re-encode as JPEG.

    Re-encoding drops metadata (EXIF location) and anything that is not
    pixels. Raises ValueError with a message for the person.
    """
    return images.square(data, SIZE)
