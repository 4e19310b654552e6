"""Phone numbers: read in the site's country format, only mobiles of that country, stored as E.164, shown masked."""

from __future__ import annotations

import phonenumbers

from .errors import InvalidInput


def normalize_phone(raw: object, country: str) -> str:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise InvalidInput("recipient_phone must be a phone number", field="recipient_phone")
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("recipient_phone is not a phone number", field="recipient_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("recipient_phone is not a valid number", field="recipient_phone")
    # Only the site's own country: anyone with a courier token could otherwise make us text satellite and
    # premium ranges anywhere in the world (+881, +252, +53 ...) at our cost. is_valid_number_for_region and
    # not the calling code, so +1 at a US site is a US number, not a Canadian or a Caribbean one.
    if not phonenumbers.is_valid_number_for_region(number, country.upper()):
        raise InvalidInput(f"recipient_phone must be a mobile number of the site's country ({country.upper()})",
                           field="recipient_phone")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidInput("recipient_phone must be a mobile number that can receive SMS",
                           field="recipient_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str | None) -> str | None:
    """`+821012345678` -> `+82 10-****-5678`: enough to tell numbers apart, not to call one."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "****"
    national = str(number.national_number)
    head = national[:2] if len(national) > 6 else ""
    return f"+{number.country_code} {head}-****-{national[-4:]}" if head else f"+{number.country_code} ****"


def last_four(e164: str | None) -> str | None:
    return e164[-4:] if e164 else None
