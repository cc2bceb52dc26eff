"""Account pages of a traveler (/account) and user management for admins (/admin/users).

A traveler reaches only their own objects: a card, loyalty number or review
of anybody else answers 404, as if it did not exist.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from app.core import audit, validation
from app.core.access import ROLE_LABELS, admin_required, can, traveler_required
from app.extensions import db
from app.partners.services import keys_of as partner_keys
from app.users import bp, queries, services
from app.users.forms import (
    AdminRoleForm,
    AdminUserForm,
    CardForm,
    DeleteAccountForm,
    EmptyForm,
    LoyaltyForm,
    NewAccountForm,
    PhotoForm,
    PreferencesForm,
    ProfileForm,
    UserSearchForm,
    options,
)
from app.users.models import KINDS, LoyaltyAccount, PaymentCard, User
from app.users.photos import process_photo


@bp.app_context_processor
def account_helpers():
    return {
        "display_phone": validation.display_phone,
        "state_name": validation.state_name,
        "airport_label": validation.airport_label,
        "cabin_label": lambda v: validation.CABIN_CLASSES.get(v or "", ""),
        "seat_label": lambda v: validation.SEAT_PREFERENCES.get(v or "", ""),
        "role_label": lambda v: ROLE_LABELS.get(v or "", ""),
        "kind_label": lambda v: KINDS.get(v or "", v),
        "can": can,
    }


def invalid(template: str, **context):
    return render_template(template, **context), 422


def _me() -> User:
    """The signed-in user itself (not the proxy), for services that keep references."""
    return current_user._get_current_object()


def _owned_by(model, object_id: int, user_id: int):
    """The user's card or loyalty account; 404 when missing or someone else's."""
    found = db.session.get(model, object_id)
    if found is None or found.user_id != user_id:
        abort(404)
    return found


def _photo_response(user: User):
    photo = services.photo_of(user)
    if photo is None:
        abort(404)
    response = make_response(photo.content)
    response.mimetype = photo.content_type
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.set_etag(f"{user.id}-{photo.updated_at.timestamp():.0f}")
    return response.make_conditional(request)


# -- the traveler's own account ------------------------------------------------
@bp.get("/account")
@traveler_required
def account():
    return render_template(
        "users/account.html",
        user=current_user,
        reviews=queries.reviews_by(current_user.id),
        photo_form=PhotoForm(),
        action_form=EmptyForm(),
    )


@bp.route("/account/profile", methods=["GET", "POST"])
@traveler_required
def edit_profile():
    user = _me()
    form = ProfileForm(obj=user, require_password_for_email=user.email)
    if form.validate_on_submit():
        values = form.values()
        if values["email"] != user.email and not services.verify_password(
            user.password_hash, form.current_password.data
        ):
            form.current_password.errors.append("That is not your current password.")
        else:
            try:
                changed = services.update_profile(user, values)
            except services.AccountError as exc:
                form[exc.field].errors.append(exc.message)
            else:
                flash("Profile saved." if changed else "Nothing to change.", "success")
                return redirect(url_for("users.account"), code=303)
    if form.errors:
        return invalid("users/edit_profile.html", form=form)
    return render_template("users/edit_profile.html", form=form)


@bp.post("/account/photo")
@traveler_required
def upload_photo():
    form = PhotoForm()
    if form.validate_on_submit():
        data = form.photo.data.read(current_app.config["PHOTO_MAX_BYTES"] + 1)
        if len(data) > current_app.config["PHOTO_MAX_BYTES"]:
            flash("The photo is larger than 5 MB; choose a smaller one.", "error")
        else:
            try:
                jpeg = process_photo(data)
            except ValueError as exc:
                flash(str(exc), "error")
            else:
                services.set_photo(_me(), jpeg)
                flash("Photo updated.", "success")
                return redirect(url_for("users.account"), code=303)
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("users.account"), code=303)


@bp.get("/account/photo")
@traveler_required
def photo():
    return _photo_response(current_user)


@bp.post("/account/photo/delete")
@traveler_required
def delete_photo():
    if EmptyForm().validate_on_submit() and services.remove_photo(_me()):
        flash("Photo removed.", "success")
    return redirect(url_for("users.account"), code=303)


@bp.route("/account/cards/new", methods=["GET", "POST"])
@traveler_required
def new_card():
    form = CardForm()
    if form.validate_on_submit():
        try:
            card = services.add_card(_me(), form.card(), form.holder_name.data)
        except services.AccountError as exc:
            form[exc.field].errors.append(exc.message)
        else:
            flash(f"{card.brand_label} ending in {card.last4} saved.", "success")
            return redirect(url_for("users.account", _anchor="cards"), code=303)
    form.forget_secrets()
    if form.errors:
        return invalid("users/new_card.html", form=form)
    return render_template("users/new_card.html", form=form)


@bp.post("/account/cards/<int:card_id>/delete")
@traveler_required
def delete_card(card_id: int):
    card = _owned_by(PaymentCard, card_id, current_user.id)
    if EmptyForm().validate_on_submit():
        label = f"{card.brand_label} ending in {card.last4}"
        services.remove_card(_me(), card)
        flash(f"{label} removed.", "success")
    return redirect(url_for("users.account", _anchor="cards"), code=303)


@bp.route("/account/preferences", methods=["GET", "POST"])
@traveler_required
def preferences():
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        changed = services.update_profile(_me(), form.values())
        flash("Travel preferences saved." if changed else "Nothing to change.", "success")
        return redirect(url_for("users.account", _anchor="preferences"), code=303)
    context = {"form": form, "loyalty_form": LoyaltyForm(), "action_form": EmptyForm()}
    if form.errors:
        return invalid("users/preferences.html", **context)
    return render_template("users/preferences.html", **context)


@bp.post("/account/loyalty")
@traveler_required
def add_loyalty():
    loyalty_form = LoyaltyForm()
    if loyalty_form.validate_on_submit():
        try:
            services.add_loyalty(_me(), loyalty_form.program.data, loyalty_form.number.data)
        except services.AccountError as exc:
            loyalty_form[exc.field].errors.append(exc.message)
        else:
            flash(f"{loyalty_form.program.data} number saved.", "success")
            return redirect(url_for("users.preferences"), code=303)
    return invalid(
        "users/preferences.html",
        form=PreferencesForm(formdata=None, obj=current_user),
        loyalty_form=loyalty_form,
        action_form=EmptyForm(),
    )


@bp.post("/account/loyalty/<int:loyalty_id>/delete")
@traveler_required
def delete_loyalty(loyalty_id: int):
    account = _owned_by(LoyaltyAccount, loyalty_id, current_user.id)
    if EmptyForm().validate_on_submit():
        program = account.program
        services.remove_loyalty(_me(), account)
        flash(f"{program} number removed.", "success")
    return redirect(url_for("users.preferences"), code=303)


@bp.get("/account/reviews/<review_id>")
@traveler_required
def review(review_id: str):
    found = queries.review_of(current_user.id, review_id)
    if found is None:
        abort(404)
    return render_template("users/review.html", review=found)


@bp.route("/account/delete", methods=["GET", "POST"])
@traveler_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(_me(), form.password.data)
        except services.AccountError as exc:
            form[exc.field].errors.append(exc.message)
        else:
            session.clear()
            logout_user()
            flash("Your account has been deleted. Thank you for travelling with us.", "info")
            return redirect(url_for("main.index"), code=303)
    if form.errors:
        return invalid("users/delete_account.html", form=form)
    return render_template("users/delete_account.html", form=form)


# -- admin: user management ----------------------------------------------------
def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _managed(user_id: int) -> User:
    """The account, if the signed-in admin's role may change it (else 403)."""
    user = _target(user_id)
    try:
        services.require_manage(_me(), user)
    except PermissionError:
        abort(403)
    if user.deleted_at is not None:
        abort(409, "This account was deleted; there is nothing left to change.")
    return user


@bp.get("/admin/users")
@admin_required("users.view")
def admin_list():
    form = UserSearchForm(request.args)
    kind = form.kind.data if form.kind.data in KINDS else "traveler"
    state = ""
    state_error = None
    if form.state.data and form.state.data.strip():
        try:
            state = validation.us_state(form.state.data)
        except ValueError as exc:
            state_error = str(exc)
    page = request.args.get("page", 1, type=int) or 1
    result = services.search(
        q=(form.q.data or "")[:100],
        city=(form.city.data or "").strip()[:100],
        state=state,
        kind=kind,
        status=form.status.data if form.status.data in ("active", "deactivated", "deleted") else "",
        page=max(1, min(page, 10_000)),
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "users/admin_list.html", form=form, result=result, state_error=state_error, args=args
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required("users.manage")
def admin_new():
    from app.auth.services import send_invitation

    if not (can("admins.manage") or can("partners.manage")):
        abort(403)
    form = NewAccountForm()
    form.provider_id.choices = options(
        [("", "—")] + [(str(p.id), f"{p.name} ({p.kind_label})") for p in services.providers()]
    )
    if form.validate_on_submit():
        try:
            user = services.create_staff_account(
                _me(),
                form.kind.data,
                form.email.data,
                form.first_name.data,
                form.last_name.data,
                admin_role=form.admin_role.data or None,
                provider_id=int(form.provider_id.data) if form.provider_id.data else None,
            )
        except services.AccountError as exc:
            form[exc.field or "kind"].errors.append(exc.message)
        else:
            sent = send_invitation(user, invited_by=_me())
            flash(
                f"Account created for {user.email}. "
                + (
                    "We mailed them a link to set their password."
                    if sent
                    else "The invitation mail could not be sent; use 'Send password link'."
                ),
                "success" if sent else "warning",
            )
            return redirect(url_for("users.admin_detail", user_id=user.id), code=303)
    if form.errors:
        return invalid("users/admin_new.html", form=form)
    return render_template("users/admin_new.html", form=form)


@bp.get("/admin/users/<int:user_id>")
@admin_required("users.view")
def admin_detail(user_id: int):
    user = _target(user_id)
    return render_template(
        "users/admin_detail.html",
        user=user,
        entries=audit.entries("user", user.id, limit=100),
        may_manage=services.may_manage(_me(), user),
        action_form=EmptyForm(),
        role_form=AdminRoleForm(admin_role=user.admin_role),
        loyalty_form=LoyaltyForm(),
        reviews=queries.reviews_by(user.id) if user.kind == "traveler" else [],
        keys=partner_keys(user.provider_id) if user.kind == "partner" else [],
    )


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required("users.manage")
def admin_edit(user_id: int):
    user = _managed(user_id)
    form = AdminUserForm(obj=user)
    if form.validate_on_submit():
        try:
            changed = services.update_profile(user, form.values(), actor=_me())
        except services.AccountError as exc:
            form[exc.field].errors.append(exc.message)
        else:
            flash(f"Saved: {', '.join(changed)}." if changed else "Nothing to change.", "success")
            return redirect(url_for("users.admin_detail", user_id=user.id), code=303)
    if form.errors:
        return invalid("users/admin_edit.html", form=form, user=user)
    return render_template("users/admin_edit.html", form=form, user=user)


@bp.get("/admin/users/<int:user_id>/photo")
@admin_required("users.view")
def admin_photo(user_id: int):
    return _photo_response(_target(user_id))


@bp.post("/admin/users/<int:user_id>/photo/delete")
@admin_required("users.manage")
def admin_delete_photo(user_id: int):
    user = _managed(user_id)
    if EmptyForm().validate_on_submit() and services.remove_photo(user, actor=_me()):
        flash("Photo removed.", "success")
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/cards/<int:card_id>/delete")
@admin_required("users.manage")
def admin_delete_card(user_id: int, card_id: int):
    user = _managed(user_id)
    card = _owned_by(PaymentCard, card_id, user.id)
    if EmptyForm().validate_on_submit():
        services.remove_card(user, card, actor=_me())
        flash("Card removed.", "success")
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/loyalty")
@admin_required("users.manage")
def admin_add_loyalty(user_id: int):
    user = _managed(user_id)
    form = LoyaltyForm()
    if form.validate_on_submit():
        try:
            services.add_loyalty(user, form.program.data, form.number.data, actor=_me())
        except services.AccountError as exc:
            flash(exc.message, "error")
        else:
            flash(f"{form.program.data} number added.", "success")
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/loyalty/<int:loyalty_id>/delete")
@admin_required("users.manage")
def admin_delete_loyalty(user_id: int, loyalty_id: int):
    user = _managed(user_id)
    account = _owned_by(LoyaltyAccount, loyalty_id, user.id)
    if EmptyForm().validate_on_submit():
        services.remove_loyalty(user, account, actor=_me())
        flash("Loyalty number removed.", "success")
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


def _set_active(user_id: int, active: bool):
    user = _managed(user_id)
    if EmptyForm().validate_on_submit():
        try:
            services.set_active(_me(), user, active)
        except services.AccountError as exc:
            flash(exc.message, "error")
        else:
            flash(
                f"{user.full_name} reactivated."
                if active
                else f"{user.full_name} deactivated and signed out everywhere.",
                "success",
            )
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/deactivate")
@admin_required("users.manage")
def admin_deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@admin_required("users.manage")
def admin_reactivate(user_id: int):
    return _set_active(user_id, True)


@bp.post("/admin/users/<int:user_id>/role")
@admin_required("admins.manage")
def admin_set_role(user_id: int):
    user = _managed(user_id)
    form = AdminRoleForm()
    if form.validate_on_submit():
        try:
            if services.set_admin_role(_me(), user, form.admin_role.data):
                flash(f"Role changed to {ROLE_LABELS[form.admin_role.data]}.", "success")
        except services.AccountError as exc:
            flash(exc.message, "error")
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/password-link")
@admin_required("users.manage")
def admin_send_password_link(user_id: int):
    from app.auth.services import request_password_reset, send_invitation

    user = _managed(user_id)
    if EmptyForm().validate_on_submit():
        if not user.active:
            flash("Reactivate the account first.", "error")
        else:
            if user.password_hash:
                request_password_reset(user.email, request.remote_addr or "")
            else:
                send_invitation(user, invited_by=_me())
            services.record_password_link(_me(), user)
            flash(f"A password link was mailed to {user.email}.", "success")
    return redirect(url_for("users.admin_detail", user_id=user.id), code=303)


@bp.post("/admin/users/<int:user_id>/keys/<int:key_id>/revoke")
@admin_required("partners.manage")
def admin_revoke_key(user_id: int, key_id: int):
    """Revoke an API key of the partner user's provider (e.g. when staff leave)."""
    from app.partners import services as partners
    from app.partners.models import ApiKey

    user = _target(user_id)
    key = db.session.get(ApiKey, key_id)
    if user.kind != "partner" or key is None or key.provider_id != user.provider_id:
        abort(404)
    if EmptyForm().validate_on_submit() and partners.revoke_key(_me(), key):
        flash(f"Key {key.prefix} ({key.name}) revoked.", "success")
    return redirect(url_for("users.admin_detail", user_id=user.id, _anchor="keys"), code=303)
