"""Booking forms: traveler details (one group of fields per traveler), payment,
cancellation, and the admin billing search. Every form carries a CSRF token."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.bookings.models import KINDS
from app.payments import cards


def _not_future(form, field):
    if field.data and field.data >= date.today():
        raise ValidationError("The date of birth must be in the past.")
    if field.data and field.data.year < 1900:
        raise ValidationError("Check the year of the date of birth.")


def traveler_form(count: int, kind: str, formdata=None):
    """A form with `count` travelers' fields (t0_first_name, ...) plus contact."""

    class TravelerForm(FlaskForm):
        idem = HiddenField()
        quoted_total = HiddenField()
        contact_email = EmailField(
            "Email for the confirmation",
            validators=[
                InputRequired("Enter an email address."),
                Email("Enter a valid email address."),
                Length(max=254),
            ],
            render_kw={"autocomplete": "email"},
        )
        contact_phone = TelField(
            "Phone (optional)",
            validators=[
                Optional(),
                Length(max=20, message="A phone number has at most 20 characters."),
            ],
            render_kw={"autocomplete": "tel"},
        )

    who = {"flight": "Passenger", "hotel": "Lead guest", "car": "Driver"}[kind]
    for i in range(count):
        label = f"{who} {i + 1}" if count > 1 else who
        setattr(
            TravelerForm,
            f"t{i}_first_name",
            StringField(
                f"{label}: first name",
                validators=[InputRequired("Enter the first name as on the ID."), Length(max=80)],
                render_kw={"autocomplete": "given-name" if i == 0 else "off"},
            ),
        )
        setattr(
            TravelerForm,
            f"t{i}_last_name",
            StringField(
                f"{label}: last name",
                validators=[InputRequired("Enter the last name as on the ID."), Length(max=80)],
                render_kw={"autocomplete": "family-name" if i == 0 else "off"},
            ),
        )
        setattr(
            TravelerForm,
            f"t{i}_date_of_birth",
            DateField(
                f"{label}: date of birth",
                validators=[
                    InputRequired("Enter the date of birth.") if kind != "hotel" else Optional(),
                    _not_future,
                ],
            ),
        )
    form = TravelerForm(formdata=formdata) if formdata is not None else TravelerForm()
    form.count = count
    return form


class PayForm(FlaskForm):
    attempt = HiddenField()
    source = RadioField(
        "Pay with", choices=[("new", "A new card")], default="new", validate_choice=False
    )
    holder_name = StringField(
        "Name on card", validators=[Length(max=80)], render_kw={"autocomplete": "cc-name"}
    )
    number = StringField(
        "Card number",
        render_kw={"autocomplete": "cc-number", "inputmode": "numeric", "maxlength": 23},
    )
    expiry = StringField(
        "Expiry (MM/YY)",
        render_kw={"autocomplete": "cc-exp", "placeholder": "08/29", "maxlength": 7},
    )
    cvc = PasswordField(
        "Security code",
        render_kw={"autocomplete": "cc-csc", "inputmode": "numeric", "maxlength": 4},
    )

    def card_details(self):
        """CardDetails of a new card, or None with errors on the fields."""
        problems = 0
        if not (self.holder_name.data or "").strip():
            self.holder_name.errors.append("Enter the name on the card.")
            problems += 1
        try:
            number = cards.clean_number(self.number.data or "")
            if not cards.luhn_ok(number):
                raise cards.CardError("This card number is not valid; check the digits.")
            brand = cards.detect_brand(number)
            if brand is None:
                raise cards.CardError(
                    "We do not accept this kind of card; use Visa, Mastercard, "
                    "American Express or Discover."
                )
        except cards.CardError as exc:
            self.number.errors.append(str(exc))
            return None
        try:
            month, year = cards.parse_expiry(self.expiry.data or "")
        except cards.CardError as exc:
            self.expiry.errors.append(str(exc))
            problems += 1
        try:
            cvc = cards.check_cvc(self.cvc.data or "", brand)
        except cards.CardError as exc:
            self.cvc.errors.append(str(exc))
            problems += 1
        if problems:
            return None
        return cards.CardDetails(number, brand, month, year, cvc)

    def forget_secrets(self):
        self.number.data = ""
        self.cvc.data = ""


class EmptyForm(FlaskForm):
    pass


class BillingSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    month = StringField(
        "Month (YYYY-MM)", validators=[Optional()], render_kw={"placeholder": "2026-11"}
    )
    status = SelectField(
        "Status",
        choices=[("", "Any"), ("paid", "Paid"), ("refunded", "Refunded")],
        validators=[Optional()],
    )
    kind = SelectField(
        "Booking type", choices=[("", "Any"), *KINDS.items()], validators=[Optional()]
    )
    user = StringField("Traveler (email or id)", validators=[Optional(), Length(max=254)])
    min_total = StringField(
        "Amount from", validators=[Optional()], render_kw={"inputmode": "decimal"}
    )
    max_total = StringField(
        "Amount to", validators=[Optional()], render_kw={"inputmode": "decimal"}
    )
