import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_e164(value):
    """A mobile number written in international E.164 form (+33612345678)."""
    if not value:
        return
    message = _("Enter a valid phone number in international format, e.g. +33612345678.")
    if not value.startswith("+"):
        raise ValidationError(message, code="invalid_phone")
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(message, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid_phone")
    if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value:
        raise ValidationError(message, code="invalid_phone")


def normalize_phone(value, default_region="FR"):
    """Turn '06 12 34 56 78' into '+33612345678'; return the input unchanged if unparsable."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
