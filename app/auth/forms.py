"""Sign-up, sign-in and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import ValidationError

from app.core import validation
from app.users.forms import NameFields, checked

PASSWORD_HINT = (
    f"At least {validation.PASSWORD_MIN} characters. A short sentence is easy to remember."
)


class NewPasswordFields:
    password = PasswordField(
        "New password",
        validators=[checked(validation.password)],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "minlength": validation.PASSWORD_MIN},
    )
    confirm = PasswordField("Repeat the password", render_kw={"autocomplete": "new-password"})

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError("Type the password a second time.")
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The two passwords don't match.")


class SignUpForm(NameFields, NewPasswordFields, FlaskForm):
    email = EmailField(
        "Email",
        validators=[checked(validation.email_address)],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    password = PasswordField(
        "Password",
        validators=[checked(validation.password)],
        description=PASSWORD_HINT,
        render_kw={"autocomplete": "new-password", "minlength": validation.PASSWORD_MIN},
    )


class SignInForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[checked(validation.email_address)],
        render_kw={"autocomplete": "username", "maxlength": 254},
    )
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in for 30 days")

    def validate_password(self, field):
        if not field.data:
            raise ValidationError("Enter your password.")
        if len(field.data) > 1024:
            raise ValidationError("That password is far too long to be yours.")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[checked(validation.email_address)],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class ResetPasswordForm(NewPasswordFields, FlaskForm):
    pass


class ChangePasswordForm(NewPasswordFields, FlaskForm):
    current_password = PasswordField(
        "Current password", render_kw={"autocomplete": "current-password"}
    )

    def validate_current_password(self, field):
        if not field.data:
            raise ValidationError("Enter your current password.")
