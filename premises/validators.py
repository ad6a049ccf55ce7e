"""Validation and normalisation of UK postcodes, phone numbers and UPRNs."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Full UK postcode (Royal Mail format), after normalisation: outward code, one space, inward code.
POSTCODE_RE = re.compile(
    r"^(GIR 0AA|[A-PR-UWYZ]"
    r"([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" [0-9][ABD-HJLNP-UW-Z]{2})$"
)
# The looser shape the database enforces, so no malformed value can be stored around the forms.
POSTCODE_DB_REGEX = r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the last three characters: 'ip11aa' -> 'IP1 1AA'."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if not POSTCODE_RE.match(normalise_postcode(value)):
        raise ValidationError(
            "Enter a full UK postcode, for example IP1 2AX.", code="invalid_postcode"
        )


validate_uprn = RegexValidator(
    r"^[0-9]{1,12}$", "A UPRN is up to 12 digits, with no spaces or letters."
)

PHONE_DB_REGEX = r"^\+?[0-9 ()-]{10,20}$"


def validate_phone(value: str) -> None:
    digits = re.sub(r"[\s()-]", "", value)
    if not re.fullmatch(r"(\+44|0)[0-9]{9,10}", digits):
        raise ValidationError(
            "Enter a UK phone number, for example 01473 613500 or +44 1473 613500.",
            code="invalid_phone",
        )
