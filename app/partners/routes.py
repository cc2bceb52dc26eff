from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.access import partner_account_required
from app.extensions import db
from app.partners import bp, services
from app.partners.forms import NewKeyForm
from app.partners.models import ApiKey
from app.users.forms import EmptyForm


def _portal(form: NewKeyForm, status: int = 200, new_key: str | None = None):
    return render_template(
        "partners/portal.html",
        provider=current_user.provider,
        keys=services.keys_of(current_user.provider_id),
        form=form,
        action_form=EmptyForm(),
        new_key=new_key,
    ), status


@bp.get("")
@partner_account_required
def portal():
    return _portal(NewKeyForm())


@bp.post("/keys")
@partner_account_required
def create_key():
    form = NewKeyForm()
    if form.validate_on_submit():
        try:
            key, clear = services.create_key(current_user, form.name.data)
        except services.ApiKeyError as exc:
            form.name.errors.append(exc.message)
        else:
            # Rendered, not redirected: the key must not travel in a flash cookie.
            body, status = _portal(NewKeyForm(formdata=None), 201, new_key=clear)
            return body, status, {"Cache-Control": "no-store"}
    return _portal(form, 422)


@bp.post("/keys/<int:key_id>/revoke")
@partner_account_required
def revoke_key(key_id: int):
    key = db.session.get(ApiKey, key_id)
    if key is None or key.provider_id != current_user.provider_id:
        abort(404)
    if EmptyForm().validate_on_submit() and services.revoke_key(current_user, key):
        flash(f"Key “{key.name}” revoked; calls with it now get 401.", "success")
    return redirect(url_for("partners.portal"), code=303)
