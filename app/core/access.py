"""Who may do what: admin roles and their permissions, in one place.

Views state the permission they need with `@admin_required("area.action")`;
a role grants a set of permissions ("*" grants all).
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "super_admin": frozenset({"*"}),
    "admin": frozenset(
        {
            "system.view",
            "system.manage",
            "users.view",
            "users.manage",
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


def role_allows(role: str | None, permission: str) -> bool:
    granted = ROLE_PERMISSIONS.get(role or "", frozenset())
    return "*" in granted or permission in granted


def admin_required(permission: str):
    """Let through only admins whose role grants `permission`.

    Anonymous visitors go to sign-in (401 if there is no sign-in page);
    signed-in users without the permission get 403.
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


@login.user_loader
def load_user(user_id: str):
    # No accounts domain yet: nobody can sign in, so admin pages answer 401.
    return None
