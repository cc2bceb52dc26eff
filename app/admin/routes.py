from flask import flash, redirect, render_template, request, url_for

from app.admin import bp, services
from app.core import audit
from app.core.access import admin_required
from app.core.health import run_checks


@bp.get("/status")
@admin_required("system.view")
def status():
    return render_template(
        "admin/status.html", report=run_checks(), dead_letters=services.dead_letters()
    )


@bp.get("/status/checks")
@admin_required("system.view")
def status_checks():
    """htmx fragment: the dependency cards, polled every few seconds."""
    return render_template("admin/_checks.html", report=run_checks())


@bp.post("/dead-letters/<int:dead_letter_id>/retry")
@admin_required("system.manage")
def retry_dead_letter(dead_letter_id: int):
    job_id = services.retry(dead_letter_id)
    flash(f"Dead letter {dead_letter_id} sent back to its handler (job {job_id}).", "success")
    return redirect(url_for("admin.status"), code=303)


@bp.get("/audit")
@admin_required("audit.view")
def audit_log():
    """Every admin change, newest first; filter by action or by the account changed."""
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    per_page = 50
    action = (request.args.get("action") or "").strip()[:64]
    target = request.args.get("user", type=int)
    rows = audit.entries(
        target_type="user" if target else None,
        target_id=target,
        action=action or None,
        limit=per_page + 1,
        offset=(page - 1) * per_page,
    )
    return render_template(
        "admin/audit.html",
        entries=rows[:per_page],
        page=page,
        has_next=len(rows) > per_page,
        action=action,
        target=target,
    )
