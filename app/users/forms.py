"""Account forms. Field checks come from app.users.validation, so every field
has its own message; each validator also replaces the data with the
normalised value (e.g. a phone number in E.164) the service stores."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import StopValidation, ValidationError

from app.core import validation
from app.core.access import ROLE_LABELS
from app.payments import cards
from app.users.models import KINDS


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms wants."""
    return [SelectChoice(value, label) for value, label in pairs]


def checked(normalise, optional: bool = False):
    """A WTForms validator from a normaliser that raises ValueError."""

    def validator(form, field):
        raw = field.data if isinstance(field.data, str) else ""
        if optional and not raw.strip():
            field.data = None
            raise StopValidation()
        try:
            field.data = normalise(raw)
        except ValueError as exc:
            raise StopValidation(str(exc)) from None

    return validator


def choice(options: dict[str, str], message: str, optional: bool = True):
    def validator(form, field):
        if optional and not field.data:
            field.data = None
            return
        if field.data not in options:
            raise StopValidation(message)

    return validator


class NameFields:
    first_name = StringField(
        "First name",
        validators=[checked(lambda v: validation.person_name(v, "first name"))],
        render_kw={"autocomplete": "given-name", "maxlength": 80},
    )
    last_name = StringField(
        "Last name",
        validators=[checked(lambda v: validation.person_name(v, "last name"))],
        render_kw={"autocomplete": "family-name", "maxlength": 80},
    )


ADDRESS_PARTS = {
    "address": "street address",
    "city": "city",
    "state": "state",
    "zip_code": "ZIP code",
}


class ProfileForm(NameFields, FlaskForm):
    email = EmailField(
        "Email",
        validators=[checked(validation.email_address)],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    phone = TelField(
        "Phone",
        validators=[checked(validation.phone_number, optional=True)],
        render_kw={"autocomplete": "tel", "placeholder": "(408) 555-0134"},
    )
    address = StringField(
        "Street address",
        validators=[checked(validation.street_address, optional=True)],
        render_kw={"autocomplete": "street-address", "maxlength": 200},
    )
    city = StringField(
        "City",
        validators=[checked(validation.city, optional=True)],
        render_kw={"autocomplete": "address-level2", "maxlength": 100},
    )
    state = StringField(
        "State",
        validators=[checked(validation.us_state, optional=True)],
        render_kw={"autocomplete": "address-level1", "placeholder": "CA or California"},
    )
    zip_code = StringField(
        "ZIP code",
        validators=[checked(validation.zip_code, optional=True)],
        render_kw={"autocomplete": "postal-code", "placeholder": "95192", "maxlength": 10},
    )
    current_password = PasswordField(
        "Current password",
        render_kw={"autocomplete": "current-password"},
        description="Needed only to change your email address.",
    )

    def __init__(self, *args, require_password_for_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._current_email = require_password_for_email

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # An address is all four parts or none: a booking can't use half of one.
        given = [name for name in ADDRESS_PARTS if getattr(self, name).data]
        if given:
            for name, label in ADDRESS_PARTS.items():
                field = getattr(self, name)
                if not field.data and not field.errors:
                    field.errors = [f"Enter the {label} too: an address needs all four parts."]
                    ok = False
        if (
            "current_password" in self
            and self._current_email
            and self.email.data
            and not self.email.errors
            and self.email.data != self._current_email
            and not self.current_password.data
        ):
            self.current_password.errors = ["Enter your current password to change your email."]
            ok = False
        return ok

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("first_name", "last_name", "email")} | {
            name: getattr(self, name).data or None
            for name in ("phone", "address", "city", "state", "zip_code")
        }


class PreferencesForm(FlaskForm):
    home_airport = StringField(
        "Home airport",
        validators=[checked(validation.airport_code, optional=True)],
        render_kw={"placeholder": "SFO", "maxlength": 3, "autocapitalize": "characters"},
    )
    cabin_class = SelectField(
        "Cabin",
        choices=options([("", "No preference"), *validation.CABIN_CLASSES.items()]),
        validate_choice=False,
        validators=[choice(validation.CABIN_CLASSES, "Choose a cabin from the list.")],
    )
    seat_preference = SelectField(
        "Seat",
        choices=options([("", "No preference"), *validation.SEAT_PREFERENCES.items()]),
        validate_choice=False,
        validators=[choice(validation.SEAT_PREFERENCES, "Choose window, aisle or middle.")],
    )

    def values(self) -> dict:
        return {
            "home_airport": self.home_airport.data or None,
            "cabin_class": self.cabin_class.data or None,
            "seat_preference": self.seat_preference.data or None,
        }


class LoyaltyForm(FlaskForm):
    program = StringField(
        "Program",
        validators=[checked(validation.loyalty_program)],
        render_kw={"placeholder": "United MileagePlus", "maxlength": 60},
    )
    number = StringField(
        "Membership number",
        validators=[checked(validation.loyalty_number)],
        render_kw={"placeholder": "AB123456", "maxlength": 30, "autocomplete": "off"},
    )


class PhotoForm(FlaskForm):
    photo = FileField(
        "Profile photo",
        validators=[FileRequired("Choose a photo to upload.")],
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )


class CardForm(FlaskForm):
    holder_name = StringField(
        "Name on card",
        validators=[checked(lambda v: validation.person_name(v, "name on the card"))],
        render_kw={"autocomplete": "cc-name", "maxlength": 80},
    )
    number = StringField(
        "Card number",
        render_kw={
            "autocomplete": "cc-number",
            "inputmode": "numeric",
            "placeholder": "1234 5678 9012 3456",
            "maxlength": 23,
        },
    )
    expiry = StringField(
        "Expiry (MM/YY)",
        render_kw={"autocomplete": "cc-exp", "placeholder": "08/29", "maxlength": 7},
    )
    cvc = PasswordField(
        "Security code",
        render_kw={"autocomplete": "cc-csc", "inputmode": "numeric", "maxlength": 4},
    )

    brand: str | None = None

    def validate_number(self, field):
        try:
            digits = cards.clean_number(field.data or "")
        except cards.CardError as exc:
            raise ValidationError(str(exc)) from None
        if not cards.luhn_ok(digits):
            raise ValidationError("This card number is not valid; check the digits.")
        self.brand = cards.detect_brand(digits)
        if self.brand is None:
            raise ValidationError(
                "We accept Visa, Mastercard, American Express, Discover, Diners Club, JCB "
                "and UnionPay; this number is none of them."
            )

    def validate_expiry(self, field):
        try:
            cards.parse_expiry(field.data or "")
        except cards.CardError as exc:
            raise ValidationError(str(exc)) from None

    def validate_cvc(self, field):
        try:
            cards.check_cvc(field.data or "", self.brand)
        except cards.CardError as exc:
            raise ValidationError(str(exc)) from None

    def card(self) -> cards.CardDetails:
        return cards.check_card(self.number.data, self.expiry.data, self.cvc.data)

    def forget_secrets(self) -> None:
        """Never send the number or code back to the browser in a re-rendered form."""
        self.number.data = ""
        self.cvc.data = ""
        self.number.raw_data = self.cvc.raw_data = []


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", render_kw={"autocomplete": "current-password"})
    confirm = BooleanField("I understand that my account and saved details are gone for good.")

    def validate_password(self, field):
        if not field.data:
            raise ValidationError("Enter your password to confirm.")

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError("Tick the box to confirm you want to delete your account.")


class EmptyForm(FlaskForm):
    """Buttons that only need the CSRF token (remove, deactivate, ...)."""


# -- admin ------------------------------------------------------------------
class AdminUserForm(ProfileForm, PreferencesForm):
    """Every attribute of an account, for an admin with users.manage."""

    current_password = None  # an admin is not asked for the person's password

    def values(self) -> dict:
        return ProfileForm.values(self) | PreferencesForm.values(self)


class AdminRoleForm(FlaskForm):
    admin_role = SelectField(
        "Role",
        choices=options(ROLE_LABELS.items()),
        validate_choice=False,
        validators=[choice(ROLE_LABELS, "Choose one of the admin roles.", optional=False)],
    )


class NewAccountForm(NameFields, FlaskForm):
    kind = SelectField(
        "Account type",
        choices=options([("admin", KINDS["admin"]), ("partner", KINDS["partner"])]),
        validate_choice=False,
        validators=[
            choice(
                {"admin": 1, "partner": 1},
                "Choose an administrator or a partner account.",
                optional=False,
            )
        ],
    )
    email = EmailField(
        "Email", validators=[checked(validation.email_address)], render_kw={"maxlength": 254}
    )
    admin_role = SelectField(
        "Admin role", choices=options([("", "—"), *ROLE_LABELS.items()]), validate_choice=False
    )
    provider_id = SelectField("Provider (for partners)", choices=[], validate_choice=False)

    def validate_admin_role(self, field):
        if self.kind.data == "admin" and field.data not in ROLE_LABELS:
            raise ValidationError("Choose the role of the new administrator.")

    def validate_provider_id(self, field):
        if self.kind.data != "partner":
            return
        valid = {choice.value for choice in field.choices if choice.value}
        if field.data not in valid:
            raise ValidationError("Choose the provider this partner acts for.")


class UserSearchForm(Form):
    """GET filters of the admin user list (no CSRF: it changes nothing)."""

    q = StringField("Name or email")
    city = StringField("City")
    state = StringField("State")
    kind = SelectField(
        "Type",
        choices=options(
            [("traveler", "Travelers"), ("admin", "Administrators"), ("partner", "Partners")]
        ),
        validate_choice=False,
        default="traveler",
    )
    status = SelectField(
        "Status",
        choices=options(
            [
                ("", "Any status"),
                ("active", "Active"),
                ("deactivated", "Deactivated"),
                ("deleted", "Deleted"),
            ]
        ),
        validate_choice=False,
    )
