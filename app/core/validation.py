"""Pure checks and normalisers shared by every domain (names, addresses, US
states, ZIP codes, phones, airports, emails, passwords).

Each function takes what a person typed and returns the value to store, or
raises ValueError whose message says exactly what is wrong and how to fix it.
Forms (and the bookings domain, for billing addresses) wrap these.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

PASSWORD_MIN = 10
PASSWORD_MAX = 128

CABIN_CLASSES = {
    "economy": "Economy",
    "premium_economy": "Premium economy",
    "business": "Business",
    "first": "First",
}
SEAT_PREFERENCES = {"window": "Window", "aisle": "Aisle", "middle": "Middle"}

_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_LOYALTY_NUMBER = re.compile(r"[A-Za-z0-9]{4,30}")


def _text_of(value) -> str:
    """What was sent, as text: forms send strings, JSON may send numbers (a ZIP
    as 94105). Anything else (true, lists, objects) is refused."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError("Send this field as text.")


def has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value)


def clean_text(value: str | None) -> str:
    """Trim and collapse inner whitespace; reject invisible control characters."""
    text = " ".join(_text_of(value).split())
    if has_control_chars(text):
        raise ValueError("Remove the invisible control characters from this field.")
    return text


def person_name(value: str | None, what: str = "name") -> str:
    text = clean_text(value)
    if not text:
        raise ValueError(f"Enter your {what}.")
    if len(text) > 80:
        raise ValueError(f"Keep the {what} to 80 characters or fewer.")
    if not any(ch.isalpha() for ch in text):
        raise ValueError(f"The {what} must contain letters.")
    allowed = set(" '’-.")
    bad = sorted({ch for ch in text if not (ch.isalpha() or ch in allowed)})
    if bad:
        shown = " ".join(bad[:5])
        raise ValueError(
            f"The {what} can have letters, spaces, hyphens, apostrophes and periods, not: {shown}"
        )
    return text


def email_address(value: str | None) -> str:
    """Syntax-checked and normalised (lower case) email address."""
    from email_validator import EmailNotValidError, validate_email

    text = _text_of(value).strip()
    if not text:
        raise ValueError("Enter your email address.")
    if len(text) > 254:
        raise ValueError("An email address has at most 254 characters.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return result.normalized.lower()


def password(value: str | None) -> str:
    text = value or ""
    if len(text) < PASSWORD_MIN:
        raise ValueError(f"Use at least {PASSWORD_MIN} characters for the password.")
    if len(text) > PASSWORD_MAX:
        raise ValueError(f"Use at most {PASSWORD_MAX} characters for the password.")
    if has_control_chars(text):
        raise ValueError("The password can't contain invisible control characters.")
    if not text.strip():
        raise ValueError("The password can't be only spaces.")
    return text


def street_address(value: str | None) -> str:
    text = clean_text(value)
    if len(text) < 3:
        raise ValueError("Enter the street address, e.g. 201 S 4th St, Apt 5.")
    if len(text) > 200:
        raise ValueError("Keep the street address to 200 characters or fewer.")
    if not any(ch.isalnum() for ch in text):
        raise ValueError("The street address must contain letters or numbers.")
    return text


def city(value: str | None) -> str:
    text = clean_text(value)
    if not text:
        raise ValueError("Enter the city.")
    if len(text) > 100:
        raise ValueError("Keep the city to 100 characters or fewer.")
    allowed = set(" '’-.")
    if not any(ch.isalpha() for ch in text) or any(
        not (ch.isalpha() or ch in allowed) for ch in text
    ):
        raise ValueError("Use letters for the city, e.g. San Jose or St. Louis.")
    return text


@cache
def _states() -> dict[str, str]:
    """Exact abbreviations and names, lower-cased -> abbreviation.

    Not us.states.lookup: it also takes FIPS codes and phonetic near-misses
    ("Californ"), and a stored state must be one somebody really wrote.
    """
    import us

    table = {}
    for state in us.states.STATES_AND_TERRITORIES:
        table[state.abbr.lower()] = state.abbr
        table[state.name.lower()] = state.abbr
    return table


def us_state(value: str | None) -> str:
    """A US state, DC or territory, by abbreviation or name -> its abbreviation."""
    text = clean_text(value)
    if not text:
        raise ValueError("Enter the state, e.g. CA or California.")
    found = _states().get(text.lower().replace(".", ""))
    if found is None:
        raise ValueError(
            f'"{text[:40]}" is not a US state. Use its two-letter abbreviation, such as CA, '
            "or its full name, such as California."
        )
    return found


def state_name(abbr: str | None) -> str:
    import us

    found = getattr(us.states, abbr, None) if abbr and abbr.isalpha() else None
    return found.name if found else (abbr or "")


def zip_code(value: str | None) -> str:
    text = _text_of(value).strip()
    if not text:
        raise ValueError("Enter the ZIP code.")
    if not _ZIP.fullmatch(text) or not text.isascii():
        raise ValueError("Enter the ZIP code as 5 digits (95192) or ZIP+4 (95192-0001).")
    return text


def phone_number(value: str | None) -> str:
    """Any common way of writing a phone number -> E.164 (+14085550134).

    Numbers without a country code are read as US numbers.
    """
    import phonenumbers

    text = clean_text(value)
    if not text:
        raise ValueError("Enter the phone number.")
    if len(text) > 32:
        raise ValueError("A phone number has at most 15 digits; check what you typed.")
    if any(ch.isalpha() for ch in text.lower().replace("ext", "").replace("x", "")):
        raise ValueError("A phone number has digits, spaces, dashes and parentheses only.")
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise ValueError(
            "Enter a phone number such as (408) 555-0134, or +44 20 7946 0958 outside the US."
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(
            "That is not a valid phone number: check the area code and the number of digits."
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """US numbers as (408) 555-0134, others in international format."""
    import phonenumbers

    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


@cache
def airports() -> dict[str, dict]:
    """IATA code -> {name, city, subd, country, lat, lon, tz, ...} (airportsdata)."""
    import airportsdata

    return airportsdata.load("IATA")


def airport_code(value: str | None) -> str:
    text = _text_of(value).strip().upper()
    if not text:
        raise ValueError("Enter an airport code, e.g. SFO.")
    if len(text) != 3 or not text.isalpha() or not text.isascii():
        raise ValueError("Use the airport's 3-letter IATA code, e.g. SFO or JFK.")
    if text not in airports():
        raise ValueError(f"{text} is not an airport code we know; check it, e.g. SFO or JFK.")
    return text


def airport_label(code: str | None) -> str:
    if not code:
        return ""
    airport = airports().get(code)
    return f"{code} · {airport['city']}, {airport['name']}" if airport else code


def loyalty_program(value: str | None) -> str:
    text = clean_text(value)
    if len(text) < 2:
        raise ValueError("Enter the loyalty program, e.g. United MileagePlus.")
    if len(text) > 60:
        raise ValueError("Keep the program name to 60 characters or fewer.")
    return text


def loyalty_number(value: str | None) -> str:
    text = _text_of(value).strip().replace(" ", "").replace("-", "")
    if not text:
        raise ValueError("Enter the membership number.")
    if not _LOYALTY_NUMBER.fullmatch(text):
        raise ValueError("A membership number has 4 to 30 letters and digits.")
    return text.upper()
