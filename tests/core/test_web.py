"""HTTP behaviour shared by every page: health, errors, headers, CSRF, logs."""

import json
import logging

import pytest


def test_healthz_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_every_dependency_on_the_real_stack(client, pipeline):
    from tests.conftest import wait_for

    def ready():
        body = client.get("/readyz").get_json()
        return body if body["checks"]["workers"]["status"] == "ok" else None

    body = wait_for(ready, 30, message="a worker to register")
    assert set(body["checks"]) >= {"database", "documents", "cache", "broker", "workers", "outbox"}
    for name, item in body["checks"].items():
        assert item["status"] == "ok", (name, item)
    assert body["status"] == "ok"
    assert "mysql" in body["checks"]["database"]["detail"]
    assert "kafka" in body["checks"]["broker"]["detail"]


def test_home_page_renders_with_navigation_and_csrf_header(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "Search hundreds of travel sites" in html


def test_vendored_scripts_are_served_locally(client):
    for path in ("/static/vendor/htmx-2.0.11.min.js", "/static/vendor/chart-4.6.1.umd.min.js"):
        response = client.get(path)
        assert response.status_code == 200
        assert len(response.data) > 40_000


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "We couldn't find that page" in response.get_data(as_text=True)


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found"


def test_unhandled_error_is_a_500_page_without_details(app):
    from app import create_app

    fresh = create_app("testing", {"PROPAGATE_TEST_ERRORS": False})

    @fresh.get("/_boom")
    def boom():
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/_boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong on our side" in text
    assert "secret internals" not in text


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]


def test_session_cookie_is_http_only(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/admin/dead-letters/1/retry")
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_admin_status_requires_sign_in(client):
    assert client.get("/admin/status").status_code in (302, 401)


def test_request_id_is_echoed_and_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="kayak.access")
    response = client.get("/", headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"
    record = next(r for r in caplog.records if r.name == "kayak.access")
    assert record.request_id == "trace-123"
    assert record.status == 200


def test_json_log_lines_carry_the_request_id():
    from app.core.logging import JsonFormatter

    record = logging.makeLogRecord(
        {
            "name": "kayak.access",
            "msg": "GET / 200",
            "levelno": 20,
            "levelname": "INFO",
            "request_id": "abc",
            "status": 200,
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc"
    assert line["status"] == 200
    assert line["msg"] == "GET / 200"


@pytest.mark.parametrize("path", ["/", "/healthz", "/no/such/page"])
def test_new_request_ids_are_generated(client, path):
    assert len(client.get(path).headers["X-Request-ID"]) == 32
