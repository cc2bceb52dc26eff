from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from markupsafe import Markup, escape

from app.auth import bp, services
from app.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from app.core import mail
from app.core.access import can
from app.users import services as users


def home_for(user) -> str:
    """Where an account lands after signing in."""
    if user.kind == "partner":
        return url_for("partners.portal")
    if user.kind == "admin":
        if can("users.view"):
            return url_for("users.admin_list")
        return url_for("admin.status") if can("system.view") else url_for("main.index")
    return url_for("users.account")


def safe_next(target: str | None) -> str | None:
    """A local path to return to after sign-in; anything else (other hosts) is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def start_session(user, remember: bool) -> None:
    # A new session on every sign-in: nothing set before it (a planted session,
    # the old CSRF token) survives into the signed-in one.
    session.clear()
    login_user(user, remember=remember, fresh=True)


def invalid(template: str, **context):
    return render_template(template, **context), 422


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignUpForm()
    if form.validate_on_submit():
        wait = services.signup_allowed(request.remote_addr or "")
        if wait:
            flash("Too many new accounts from your network. Try again later.", "error")
            return invalid("auth/signup.html", form=form)
        try:
            user = services.sign_up(
                form.first_name.data,
                form.last_name.data,
                form.email.data,
                form.password.data,
                request.remote_addr or "",
            )
        except users.AccountError as exc:
            form[exc.field].errors.append(exc.message)
        else:
            start_session(user, remember=False)
            flash(
                f"Welcome to Kayak, {user.first_name}! Add your address and phone so booking "
                "takes seconds.",
                "success",
            )
            return redirect(url_for("users.edit_profile"), code=303)
    if form.errors:
        return invalid("auth/signup.html", form=form)
    return render_template("auth/signup.html", form=form)


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.email.data, form.password.data, request.remote_addr or "")
        except services.SignInError as exc:
            error = exc.message
        else:
            start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or home_for(user), code=303)
    if error or form.errors:
        form.password.data = ""
        return invalid("auth/signin.html", form=form, error=error)
    return render_template("auth/signin.html", form=form, error=None)


@bp.post("/signout")
def signout():
    session.clear()
    logout_user()  # after clear: it marks the remember-me cookie for deletion
    flash("You're signed out. See you on your next trip.", "info")
    return redirect(url_for("main.index"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(current_user, form.current_password.data, form.password.data)
        except users.AccountError as exc:
            form[exc.field].errors.append(exc.message)
        else:
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
            remembered = cookie in request.cookies
            # The session token changed (other sessions are out); renew ours.
            start_session(current_user._get_current_object(), remember=remembered)
            flash("Your password has been changed. Other devices were signed out.", "success")
            return redirect(home_for(current_user), code=303)
    if form.errors:
        return invalid("auth/change_password.html", form=form)
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, request.remote_addr or "")
        return render_template("auth/forgot_sent.html", email=form.email.data)
    if form.errors:
        return invalid("auth/forgot_password.html", form=form)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    g.log_path = request.url_rule.rule  # "/auth/password/reset/<token>": no secret in logs
    user, why = services.user_for_password_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html", why=why), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        session.clear()
        logout_user()
        flash("Your password is set. Sign in with your new password.", "success")
        return redirect(url_for("auth.signin"), code=303)
    response = (
        invalid("auth/reset_password.html", form=form, user=user)
        if form.errors
        else render_template("auth/reset_password.html", form=form, user=user)
    )
    return response


@bp.after_request
def no_store(response):
    # Pages with passwords, tokens and one-time links are never cached.
    response.headers["Cache-Control"] = "no-store"
    if request.endpoint == "auth.reset_password":
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


_URL = re.compile(r"https?://[^\s<>\"]+")


@bp.app_template_filter("linkify")
def linkify(text: str) -> Markup:
    """Escape text and turn its http(s) links into anchors (development mail)."""
    out, last = [], 0
    for match in _URL.finditer(text or ""):
        out.append(escape(text[last : match.start()]))
        url = escape(match.group(0))
        out.append(Markup(f'<a href="{url}">{url}</a>'))
        last = match.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


@bp.get("/dev/mail")
def dev_mail():
    """Development and testing only: the mail that would have been sent."""
    if current_app.config["APP_ENV"] == "production" or current_app.config.get("MAIL_URL"):
        abort(404)
    return render_template("auth/dev_mail.html", messages=mail.outbox())
