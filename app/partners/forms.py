from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from app.core.validation import clean_text


class NewKeyForm(FlaskForm):
    name = StringField(
        "Key name",
        description="What uses the key, e.g. 'Inventory sync (production)'.",
        render_kw={"maxlength": 80, "placeholder": "Inventory sync (production)"},
    )

    def validate_name(self, field):
        try:
            field.data = clean_text(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if len(field.data) < 3:
            raise ValidationError("Name the key (at least 3 characters) so you can tell it apart.")
        if len(field.data) > 80:
            raise ValidationError("Keep the key name to 80 characters or fewer.")
