from flask import flash, redirect, render_template, url_for

from app.admin import bp, services
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
