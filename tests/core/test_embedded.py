"""Embedded mode: the app with no servers at all, as `make run` starts it."""

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ROOT, Process, wait_for

SERVER_VARS = ("DATABASE_URL", "MONGO_URL", "REDIS_URL", "KAFKA_BOOTSTRAP", "MONGO_DB")


@pytest.fixture()
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARS}
    env.update(APP_ENV="development", KAYAK_INSTANCE_PATH=str(tmp_path / "instance"),
               FLASK_APP="wsgi.py", LOG_FORMAT="text", RQ_QUEUE="kayak")  # fmt: skip
    env.pop("SECRET_KEY", None)
    yield env
    # Stop the embedded Redis this test started.
    subprocess.run(
        [sys.executable, "-c",
         "from app import create_app; from app.core.embedded import stop_embedded_redis; "
         "stop_embedded_redis(create_app())"],
        cwd=ROOT, env=env, check=False, timeout=30,
    )  # fmt: skip


def flask(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except OSError:
        return None


def test_app_runs_with_no_servers_and_is_ready(embedded_env, tmp_path):
    flask(embedded_env, "db", "upgrade")
    instance = tmp_path / "instance"
    assert (instance / "kayak.db").exists()
    port = free_port()
    procs = [
        Process("worker", ["-m", "workers.worker"], tmp_path, embedded_env),
        Process("relay", ["-m", "workers.relay"], tmp_path, embedded_env),
        Process("web", ["-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "wsgi:app"], tmp_path,
                embedded_env),
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    try:
        base = f"http://127.0.0.1:{port}"

        def ready():
            answer = get_json(f"{base}/readyz")
            return answer if answer and answer[1]["checks"]["workers"]["status"] == "ok" else None

        status, body = wait_for(ready, 60, message=lambda: "\n".join(p.log_tail() for p in procs))
        assert status == 200 and body["status"] == "ok", body
        for name, check in body["checks"].items():
            assert check["status"] == "ok", (name, check)
        assert body["checks"]["database"]["detail"] == "sqlite"
        assert "embedded" in body["checks"]["documents"]["detail"]
        assert "embedded" in body["checks"]["broker"]["detail"]

        with urllib.request.urlopen(f"{base}/", timeout=5) as response:
            assert response.status == 200
            assert b"Search hundreds of travel sites" in response.read()

        # An event goes outbox -> relay -> RQ -> handler -> embedded document store.
        event_id = flask(embedded_env, "events", "ping").strip()
        count_script = (
            "from app import create_app; from app.extensions import mongo; "
            f"app = create_app(); app.app_context().push(); "
            f"print(mongo.db.events.count_documents({{'_id': '{event_id}'}}))"
        )

        def stored():
            out = subprocess.run(
                [sys.executable, "-c", count_script],
                cwd=ROOT,
                env=embedded_env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            return out.stdout.strip().endswith("1")

        wait_for(stored, 60, interval=1, message=lambda: procs[0].log_tail())
        assert (instance / "docstore").is_dir()
        assert (instance / "redis" / "redis.sock").exists()
    finally:
        for proc in procs:
            proc.stop()
