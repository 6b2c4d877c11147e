"""Photos of lit shops: checked, then re-encoded so that no metadata (EXIF, GPS) survives."""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 1600
# The work per photo is bounded by what a phone picture needs. A phone photo is a JPEG
# of 12 to 50 megapixels, and a JPEG can be decoded at 1/2, 1/4 or 1/8 of its size
# (Pillow's draft mode): a 48 MP photo costs a 3 MP decode. PNG and WebP cannot, and a
# few-kB PNG can claim 60 MP (6.6 s and 650 MB to decode): they are held to the size
# of a phone's screenshot.
MAX_PIXELS = {"JPEG": 64_000_000, "PNG": 8_000_000, "WEBP": 8_000_000}


def max_bytes():
    return getattr(settings, "LIGHTSOFF_MAX_PHOTO_BYTES", 5 * 1024 * 1024)


def clean_photo(upload):
    """Return a new JPEG ContentFile made from the pixels only (no EXIF, no GPS, no ICC),
    at most MAX_SIDE pixels wide or high. Raises ValidationError on a file too large,
    not an image, or of another type than JPEG, PNG or WebP."""
    if upload.size > max_bytes():
        raise ValidationError(
            _("The photo is too large (%(max)s MB at most).") % {"max": max_bytes() // 2**20}
        )
    try:
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Send a JPEG, PNG or WebP photo."))
            if image.width * image.height > MAX_PIXELS[image.format]:
                raise ValidationError(_("This photo has too many pixels."))
            # JPEG only: decode straight at the smallest scale still at least as large
            # as the thumbnail kept (Pillow picks 1/2, 1/4 or 1/8).
            ratio = min(1.0, MAX_SIDE / max(image.width, image.height))
            image.draft("RGB", (round(image.width * ratio), round(image.height * ratio)))
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            pixels = image.convert("RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not a photo we can read.")) from None
    out = io.BytesIO()
    # A fresh image written without `exif=`: Pillow writes no metadata at all.
    pixels.save(out, "JPEG", quality=82, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
