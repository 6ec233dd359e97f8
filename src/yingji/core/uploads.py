"""Uploaded images: validated (type, size, really decodable) and stored outside the web root.

Files are served only through views that first check the user may see the record they belong to
(`serve_private`), never by a static URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils.translation import gettext as _

# Pillow format name -> (content type, file extension)
IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; above that decoding is refused (decompression bombs)


def private_storage() -> FileSystemStorage:
    """The storage of uploads (a callable, so tests and deployments can move it with settings)."""
    return FileSystemStorage(location=settings.UPLOAD_DIR, base_url=None)


@dataclass(frozen=True)
class Image:
    content: ContentFile
    content_type: str
    size: int
    width: int
    height: int

    def fields(self) -> dict:
        """The model fields of a stored image (`file`, `content_type`, `size`, `width`, `height`)."""
        return {
            "file": self.content,
            "content_type": self.content_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
        }


def validate_image(upload, *, field: str = "photos") -> Image:
    """Read an uploaded file and return it as a checked image, or raise ValidationError naming `field`."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    limit = settings.UPLOAD_MAX_BYTES
    name = getattr(upload, "name", "") or "upload"
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                field: _("{name} is too large ({size} MB); the limit is {limit} MB.").format(
                    name=name, size=round(size / 1048576, 1), limit=limit // 1048576
                )
            }
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {
                field: _("{name} is too large; the limit is {limit} MB.").format(
                    name=name, limit=limit // 1048576
                )
            }
        )
    if not data:
        raise ValidationError({field: _("{name} is empty.").format(name=name)})
    try:
        with PILImage.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError({field: _("{name} has too many pixels.").format(name=name)})
            probe.verify()
        with PILImage.open(io.BytesIO(data)) as image:
            image.load()  # verify() does not decode the pixels; load() does, and fails on truncated files
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        raise ValidationError(
            {field: _("{name} is not an image that can be read (JPEG, PNG or WebP).").format(name=name)}
        ) from None
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            {field: _("{name}: only JPEG, PNG and WebP images are accepted.").format(name=name)}
        )
    content_type, extension = IMAGE_FORMATS[image_format]
    return Image(
        content=ContentFile(data, name=f"photo.{extension}"),
        content_type=content_type,
        size=len(data),
        width=width,
        height=height,
    )


def serve_private(field_file, content_type: str) -> FileResponse:
    """Stream a stored upload (the caller has already checked the user may see its record)."""
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
