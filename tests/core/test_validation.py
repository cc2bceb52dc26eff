"""Account attribute checks: each bad value gets its own message."""

import pytest

from app.core import validation as v


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CA", "CA"),
        ("ca", "CA"),
        ("California", "CA"),
        ("new york", "NY"),
        (" Texas ", "TX"),
        ("DC", "DC"),
        ("District of Columbia", "DC"),
        ("PR", "PR"),
    ],
)
def test_state_accepts_abbreviations_and_names(raw, expected):
    assert v.us_state(raw) == expected


@pytest.mark.parametrize("raw", ["ZZ", "06", "Californ", "C@", "Ontario", "X" * 300])
def test_state_rejects_anything_else_with_a_specific_message(raw):
    with pytest.raises(ValueError, match="is not a US state"):
        v.us_state(raw)


def test_state_required_message():
    with pytest.raises(ValueError, match="Enter the state"):
        v.us_state("  ")


@pytest.mark.parametrize("raw", ["95192", "95192-0001"])
def test_zip_formats(raw):
    assert v.zip_code(raw) == raw


@pytest.mark.parametrize("raw", ["9519", "951920", "95192-01", "95192 0001", "ABCDE", "９５１９２"])
def test_zip_rejects_other_shapes(raw):
    with pytest.raises(ValueError, match=r"5 digits \(95192\) or ZIP\+4"):
        v.zip_code(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "(408) 555-0134",
        "408-555-0134",
        "408.555.0134",
        "+1 408 555 0134",
        "4085550134",
        "1-408-555-0134",
    ],
)
def test_phone_numbers_are_stored_in_one_format(raw):
    assert v.phone_number(raw) == "+14085550134"


def test_foreign_numbers_keep_their_country_code():
    assert v.phone_number("+44 20 7946 0958") == "+442079460958"
    assert v.display_phone("+442079460958") == "+44 20 7946 0958"
    assert v.display_phone("+14085550134") == "(408) 555-0134"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("12", "not a valid phone number|Enter a phone number such as"),
        ("(000) 000-0000", "not a valid phone number"),
        ("call me maybe", "digits, spaces, dashes"),
        ("1" * 40, "at most 15 digits"),
    ],
)
def test_bad_phone_numbers(raw, message):
    with pytest.raises(ValueError, match=message):
        v.phone_number(raw)


def test_email_is_normalised_to_lower_case():
    assert v.email_address("  Ana.Lopez@Example.COM ") == "ana.lopez@example.com"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "Enter your email"),
        ("ana", "must have an @-sign"),
        ("ana@", "There must be something after the @-sign"),
        ("ana@example", "It should have a period"),
        ("a b@example.com", "invalid characters"),
        ("x" * 250 + "@example.com", "at most 254"),
    ],
)
def test_bad_emails(raw, message):
    with pytest.raises(ValueError, match=message):
        v.email_address(raw)


@pytest.mark.parametrize("raw", ["Ana", "José María", "O'Brien", "Jean-Luc", "St. John", "李"])
def test_names(raw):
    assert v.person_name(raw, "first name") == raw


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "Enter your first name"),
        ("R2D2", "not: 2"),
        ("<script>", "not: < >"),
        ("---", "must contain letters"),
        ("A" * 81, "80 characters"),
        ("Ana\x00", "control"),
    ],
)
def test_bad_names(raw, message):
    with pytest.raises(ValueError, match=message):
        v.person_name(raw, "first name")


def test_password_rules():
    assert v.password("ten chars!") == "ten chars!"
    with pytest.raises(ValueError, match="at least 10"):
        v.password("short")
    with pytest.raises(ValueError, match="at most 128"):
        v.password("x" * 129)
    with pytest.raises(ValueError, match="only spaces"):
        v.password(" " * 12)


def test_airport_codes():
    assert v.airport_code("sfo") == "SFO"
    assert "San Francisco" in v.airport_label("SFO")
    with pytest.raises(ValueError, match="3-letter IATA"):
        v.airport_code("SF")
    with pytest.raises(ValueError, match="not an airport code we know"):
        v.airport_code("QQQ")


def test_city_and_address():
    assert v.city("  San   Jose ") == "San Jose"
    with pytest.raises(ValueError, match="Use letters for the city"):
        v.city("123")
    assert v.street_address("201 S 4th St") == "201 S 4th St"
    with pytest.raises(ValueError, match="Enter the street address"):
        v.street_address("1")


def test_loyalty_number():
    assert v.loyalty_number("ab 123-456") == "AB123456"
    with pytest.raises(ValueError, match="4 to 30 letters and digits"):
        v.loyalty_number("12")
