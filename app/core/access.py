"""Who may do what: account kinds, admin roles and their permissions, in one place.

Three kinds of account share the `users` table: travelers, admins (with one
role from ROLE_PERMISSIONS) and partner users (staff of a provider). Views
state what they need with one decorator each:

- `@login_required` (flask_login): any signed-in account.
- `@traveler_required`: a traveler's own account pages.
- `@admin_required("area.action")`: admins whose role grants the permission.
- `@partner_account_required`: the partner portal (key management).
- `@partner_required`: `/api/v1`, authenticated by an API key, never a cookie;
  sets `g.partner_provider` and `g.api_key`. Partner endpoints then load
  objects with `owned_or_404(obj)` so a partner reaches only its own.

Anonymous visitors of a page go to sign-in; signed-in accounts without the
right get 403; objects of somebody else answer 404 (their existence is not
confirmed).
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from app.extensions import login

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Everything, including managing other admin accounts ("admins.manage").
    "super_admin": frozenset({"*"}),
    "admin": frozenset(
        {
            "system.view",
            "system.manage",
            "users.view",
            "users.manage",
            "partners.manage",
            "audit.view",
            "listings.view",
            "listings.manage",
            "billing.view",
            "billing.manage",
            "analytics.view",
        }
    ),
    "support": frozenset({"users.view", "users.manage", "listings.view", "billing.view"}),
    "analyst": frozenset({"analytics.view", "listings.view", "system.view"}),
}

ROLE_LABELS: dict[str, str] = {
    "super_admin": "Super admin",
    "admin": "Admin",
    "support": "Support",
    "analyst": "Analyst",
}

# What an admin needs to change an account, by the kind of that account.
MANAGE_PERMISSION_BY_KIND: dict[str, str] = {
    "traveler": "users.manage",
    "partner": "partners.manage",
    "admin": "admins.manage",
}

login.login_view = "auth.signin"
login.login_message = "Sign in to continue."
login.login_message_category = "info"


def role_allows(role: str | None, permission: str) -> bool:
    granted = ROLE_PERMISSIONS.get(role or "", frozenset())
    return "*" in granted or permission in granted


def can(permission: str) -> bool:
    """Whether the current user holds `permission` (for templates and views)."""
    return current_user.is_authenticated and role_allows(
        getattr(current_user, "admin_role", None), permission
    )


def admin_required(permission: str):
    """Let through only admins whose role grants `permission`.

    Anonymous visitors go to sign-in; signed-in users without the
    permission get 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login.unauthorized()
            if not role_allows(getattr(current_user, "admin_role", None), permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _kind_required(kind: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login.unauthorized()
            if getattr(current_user, "kind", None) != kind:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


traveler_required = _kind_required("traveler")
traveler_required.__doc__ = "Only a signed-in traveler (admins and partners get 403)."
partner_account_required = _kind_required("partner")
partner_account_required.__doc__ = "Only a signed-in partner user (the partner portal)."


def _api_unauthorized(detail: str):
    from app.core.errors import problem

    response = problem(401, "Unauthorized", detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="kayak", error="invalid_token"'
    return response


def partner_required(view):
    """`/api/v1` views: authenticate the `Authorization: Bearer <key>` header.

    Answers 401 problem+json for a missing, unknown or revoked key; on success
    `g.partner_provider` is the Provider the key acts for and `g.api_key` the key.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _api_unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
        from app.partners.services import authenticate_key

        key = authenticate_key(token)
        if key is None:
            return _api_unauthorized("The API key is not valid or has been revoked.")
        g.api_key = key
        g.partner_provider = key.provider
        return view(*args, **kwargs)

    return wrapped


def owned_or_404(obj, attribute: str = "provider_id"):
    """Return `obj` if it belongs to the calling partner's provider, else 404.

    For `/api/v1` endpoints: a partner must not learn that another provider's
    listing or booking exists, so a foreign object looks exactly like a missing one.
    """
    provider = g.get("partner_provider")
    if obj is None or provider is None or getattr(obj, attribute, None) != provider.id:
        abort(404)
    return obj


@login.user_loader
def load_user(user_id: str):
    """Session and remember-me cookies carry "<id>:<session token>".

    The token changes on password change, reset, deactivation and deletion,
    which signs out every other session and remember-me cookie of the account.
    """
    from app.users.services import user_for_session

    return user_for_session(user_id)
