"""Periodic jobs registered by domains run in the relay when due, and a failing
one never stops the others."""

from app.core import periodic


def test_due_jobs_run_and_failures_are_contained(app_ctx, monkeypatch):
    calls = []
    monkeypatch.setattr(periodic, "JOBS", {})

    @periodic.every(10, name="ok")
    def ok():
        calls.append("ok")

    @periodic.every(5, name="broken")
    def broken():
        calls.append("broken")
        raise RuntimeError("boom")

    assert periodic.run_due(now=100.0) == ["ok"]  # broken ran, failed, and is reported out
    assert calls == ["ok", "broken"]
    assert periodic.run_due(now=104.0) == []  # neither is due yet
    assert periodic.run_due(now=105.0) == []  # broken is due again (and fails again)
    assert calls == ["ok", "broken", "broken"]
    assert periodic.run_due(now=110.0) == ["ok"]


def test_the_bookings_jobs_are_registered(app):
    names = set(periodic.JOBS)
    assert "app.bookings.tasks.expire_holds_job" in names
    assert "app.bookings.tasks.reconcile_job" in names
    assert periodic.JOBS["app.bookings.tasks.expire_holds_job"].seconds == 30
