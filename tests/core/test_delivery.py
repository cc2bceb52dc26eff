"""Business events reach every handler whatever happens to a worker (issue 15).

End to end on the real servers: outbox -> relay -> Kafka -> consumer -> RQ ->
worker -> MongoDB, with workers killed at the two moments RQ itself cannot
recover from (a job taken off the queue and not started; a job killed half
way), plus the sweeper's rules on their own and the worker's lifecycle.

The module runs its own relay (sweeping every 0.5 s with a 2 s grace
period), consumer and workers, each loading a test-only handler
`tests.slow_ping` (defined in LOADER below, so only these processes know it).
The run's shared pipeline processes are stopped meanwhile and started again
at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa

from app.core.models import DeadLetter, OutboxEvent, ProcessedEvent
from app.core.sweeper import Decision, decide, effective_grace, next_pace, sweep_once
from app.extensions import db, events, mongo, queues
from tests.conftest import RUN_ID, Process, wait_for

RAW_LOG = "analytics.raw_event_log"
SLOW = "tests.slow_ping"
MARK = f"kayak:test-delivery:{RUN_ID}"
SWEEP_ENV = {
    "EVENT_SWEEP_GRACE_SECONDS": "2",
    "EVENT_SWEEP_INTERVAL_SECONDS": "0.5",
    "EVENT_SWEEP_MAX": "3",
}

# Runs a worker/relay/consumer module with `tests.slow_ping` subscribed after the
# app's own handlers: it does nothing for an ordinary ping; for a ping with
# data.slow it counts the run in Redis, and its first run sleeps that long
# (the test kills the worker meanwhile), then records the event once in MongoDB.
LOADER = f"""
import runpy, sys, time
import app as app_package
from pymongo.errors import DuplicateKeyError

_create_app = app_package.create_app

def slow_ping(envelope):
    from app.extensions import mongo, queues
    seconds = envelope["data"].get("slow")
    if not seconds:
        return
    runs = queues.redis.incr("{MARK}:runs:" + envelope["id"])
    if runs == 1:
        time.sleep(seconds)
    try:
        mongo.db.slow_pings.insert_one({{"_id": envelope["id"]}})
    except DuplicateKeyError:
        pass

def create_app(*args, **kwargs):
    application = _create_app(*args, **kwargs)
    from app.extensions import events
    events.subscribe("system.ping", name="{SLOW}")(slow_ping)
    return application

app_package.create_app = create_app
module = sys.argv.pop(1)
sys.argv[0] = module
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


# -- the sweeper's rule, apart from any I/O ------------------------------------
@pytest.mark.parametrize(
    "done, dead, waiting, sweeps, expected",
    [
        ({"a", "b"}, set(), set(), 0, Decision("settle")),
        ({"a"}, {"b"}, set(), 0, Decision("settle")),  # b gave up: visible as a dead letter
        ({"a"}, set(), {"b"}, 0, Decision("wait", ["b"])),  # b is queued or scheduled
        ({"a"}, set(), set(), 0, Decision("redispatch", ["b"])),  # b's job vanished
        (set(), set(), {"a"}, 1, Decision("redispatch", ["b"])),  # only the lost one goes
        ({"a"}, set(), set(), 3, Decision("give_up", ["b"])),  # N re-dispatches did not help
        (set(), set(), set(), 2, Decision("redispatch", ["a", "b"])),
    ],
)
def test_sweeper_decisions(done, dead, waiting, sweeps, expected):
    assert decide({"a", "b"}, done, dead, waiting, sweeps, max_sweeps=3) == expected


def test_an_event_without_handlers_settles():
    assert decide(set(), set(), set(), set(), 0, 3) == Decision("settle")


def test_sweeper_paces_redispatches_and_waits_out_the_retry_schedule():
    assert [next_pace(60, n) for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]
    config = {
        "EVENT_SWEEP_GRACE_SECONDS": 10,
        "EVENT_RETRY_BASE_SECONDS": 2.0,
        "EVENT_MAX_ATTEMPTS": 5,
    }
    assert effective_grace(config) == 30.0  # 2 + 4 + 8 + 16: a retry chain still running
    assert effective_grace({**config, "EVENT_SWEEP_GRACE_SECONDS": 90}) == 90.0


# -- the real pipeline, with workers killed ----------------------------------
class Pipeline:
    def __init__(self, log_dir, env):
        self.log_dir = log_dir
        self.env = env
        self.procs: dict[str, Process] = {}
        self.count = 0

    def start(self, kind: str, *extra: str) -> Process:
        self.count += 1
        name = f"{kind}-{self.count}"
        args = ["-c", LOADER, f"workers.{kind}", *extra]
        proc = Process(name, args, self.log_dir, self.env).start()
        self.procs[name] = proc
        return proc

    def worker(self) -> tuple[Process, str]:
        name = f"delivery-{RUN_ID}-{self.count + 1}"
        return self.start("worker", "--name", name), name

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.log_tail(20)}" for n, p in self.procs.items())

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.stop()


@pytest.fixture(scope="module")
def delivery(app, pipeline, tmp_path_factory):
    """This module's relay and consumer (workers are started by each test)."""
    for proc in pipeline.values():
        proc.stop()
    own = Pipeline(tmp_path_factory.mktemp("delivery-logs"), {**os.environ, **SWEEP_ENV})
    own.start("relay")
    own.start("consumer")
    yield own
    own.stop_all()
    with app.app_context():
        queues.queue.empty()
        for key in queues.redis.scan_iter(f"{MARK}:*"):
            queues.redis.delete(key)
    for proc in pipeline.values():
        proc.start()


@pytest.fixture()
def fresh(app_ctx, delivery):
    """An empty queue and no worker of this module left running."""
    queues.queue.empty()
    yield delivery
    for name, proc in list(delivery.procs.items()):
        if name.startswith("worker"):
            proc.stop()
            if proc.proc is not None and proc.proc.poll() is None:
                proc.proc.kill()
            del delivery.procs[name]
    queues.queue.empty()


def publish(n: int, key: str, **data) -> list[dict]:
    envelopes = [events.publish("system.ping", key=key, data={"n": i, **data}) for i in range(n)]
    db.session.commit()
    return envelopes


def raw_log_counts(ids) -> dict[str, int]:
    return {i: mongo.db.events.count_documents({"_id": i}) for i in ids}


def all_arrived_once(ids) -> bool:
    return mongo.db.events.count_documents({"_id": {"$in": list(ids)}}) == len(ids)


def blocked_client(name: str) -> dict | None:
    """The worker's Redis connection while it waits in BLPOP (flag b), else None."""
    for client in queues.redis.client_list():
        if client.get("name") == name and "b" in client.get("flags", ""):
            return client
    return None


def client_served(name: str) -> bool:
    clients = [c for c in queues.redis.client_list() if c.get("name") == name]
    return bool(clients) and all("b" not in c.get("flags", "") for c in clients)


def kill(proc: Process) -> None:
    os.kill(proc.proc.pid, signal.SIGKILL)
    proc.proc.wait(timeout=10)


def children(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True)
    return [line for line in out.stdout.decode().splitlines() if line.strip()]


def settled(ids) -> bool:
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.event_id.in_(list(ids)), OutboxEvent.settled_at.is_not(None))
    ) == len(ids)


def dead_letters() -> list[DeadLetter]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(DeadLetter)))


def test_a_job_dequeued_by_a_worker_killed_before_running_it_is_delivered(fresh):
    """The worker waits in BLPOP; it is frozen (SIGSTOP), Redis hands it the first
    job of a new event all the same, and it is killed before it can run it.
    Nothing in RQ remembers that job: the sweeper must re-dispatch it."""
    pipe = fresh
    w1, name1 = pipe.worker()
    wait_for(lambda: blocked_client(name1), 60, message=pipe.logs)
    os.kill(w1.proc.pid, signal.SIGSTOP)
    try:
        envelopes = publish(3, key="dequeued")
        wait_for(lambda: client_served(name1), 60, message=pipe.logs)
    finally:
        kill(w1)
    ids = [e["id"] for e in envelopes]
    assert mongo.db.events.count_documents({"_id": {"$in": ids}}) == 0

    pipe.worker()
    started = time.monotonic()
    wait_for(lambda: all_arrived_once(ids), 30, message=pipe.logs)
    wait_for(lambda: settled(ids), 15, message=pipe.logs)
    elapsed = time.monotonic() - started

    assert raw_log_counts(ids) == {i: 1 for i in ids}
    assert dead_letters() == []
    sweeps = dict(
        db.session.execute(
            sa.select(OutboxEvent.event_id, OutboxEvent.sweeps).where(OutboxEvent.event_id.in_(ids))
        ).all()
    )
    assert max(sweeps.values()) >= 1, sweeps  # the lost run came back through the sweeper
    assert elapsed < 30


def test_a_worker_killed_in_the_middle_of_a_slow_handler_loses_nothing(fresh):
    pipe = fresh
    w1, _ = pipe.worker()
    (slow,) = publish(1, key="slow", slow=60)
    wait_for(lambda: queues.redis.get(f"{MARK}:runs:{slow['id']}"), 60, message=pipe.logs)
    others = publish(3, key="after-slow")  # queued behind the slow job
    assert children(w1.proc.pid) == []  # no scheduler child to orphan
    kill(w1)
    ids = [slow["id"], *(e["id"] for e in others)]

    pipe.worker()
    wait_for(lambda: all_arrived_once(ids), 30, message=pipe.logs)
    wait_for(lambda: settled(ids), 30, message=pipe.logs)
    assert raw_log_counts(ids) == {i: 1 for i in ids}
    assert mongo.db.slow_pings.count_documents({"_id": slow["id"]}) == 1
    assert int(queues.redis.get(f"{MARK}:runs:{slow['id']}")) >= 2  # it ran again
    assert dead_letters() == []
    ledger = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ProcessedEvent)
        .where(ProcessedEvent.event_id == slow["id"], ProcessedEvent.handler == SLOW)
    )
    assert ledger == 1


def test_a_job_left_in_the_intermediate_list_runs_when_a_worker_starts(fresh):
    """RQ 2.x, dequeuing from one queue, moves the job id to `<queue>:intermediate`
    first; a worker killed there leaves it. Done here by hand, as RQ does it."""
    pipe = fresh
    (envelope,) = publish(1, key="intermediate")
    queue = queues.queue
    wait_for(lambda: queue.count >= 1, 60, message=pipe.logs)
    job_id = queues.redis.lmove(queue.key, queue.intermediate_queue_key)
    assert job_id is not None

    pipe.worker()
    wait_for(lambda: all_arrived_once([envelope["id"]]), 20, message=pipe.logs)
    wait_for(lambda: queues.redis.llen(queue.intermediate_queue_key) == 0, 20)
    assert dead_letters() == []


def test_sigterm_finishes_the_job_in_hand_and_leaves_nothing_behind(fresh):
    pipe = fresh
    w1, name1 = pipe.worker()
    (slow,) = publish(1, key="sigterm", slow=2)
    wait_for(lambda: queues.redis.get(f"{MARK}:runs:{slow['id']}"), 60, message=pipe.logs)
    w1.proc.send_signal(signal.SIGTERM)
    assert w1.proc.wait(timeout=30) == 0
    assert mongo.db.slow_pings.count_documents({"_id": slow["id"]}) == 1  # finished, not cut
    lock_key = f"rq:scheduler-lock:{queues.queue.name}"
    assert queues.redis.get(lock_key) is None  # released on the way out
    assert int(queues.redis.get(f"{MARK}:runs:{slow['id']}")) == 1


def test_a_killed_workers_scheduler_lock_is_taken_over_at_once(fresh):
    pipe = fresh
    lock_key = f"rq:scheduler-lock:{queues.queue.name}"
    w1, name1 = pipe.worker()
    wait_for(lambda: queues.redis.get(lock_key) == name1.encode(), 60, message=pipe.logs)
    assert children(w1.proc.pid) == []  # the scheduler is a thread, not a child process
    kill(w1)
    assert queues.redis.get(lock_key) == name1.encode()  # the dead holder's lock lives on

    _, name2 = pipe.worker()
    # Much sooner than the lock's own 61 s expiry.
    wait_for(lambda: queues.redis.get(lock_key) == name2.encode(), 20, message=pipe.logs)


def test_the_sweeper_redispatches_a_lost_run_then_files_a_dead_letter(fresh):
    """The sweeper's round on the real tables and queue, with the module's relay
    paused (no worker runs): each round re-enqueues the missing run under its
    deterministic id; after EVENT_SWEEP_MAX it gives up with a dead letter."""
    from datetime import timedelta

    from flask import current_app

    from app.core.models import utcnow
    from app.core.tasks import job_id_for

    pipe = fresh
    relay = pipe.procs["relay-1"]
    os.kill(relay.proc.pid, signal.SIGSTOP)
    try:
        (envelope,) = publish(1, key="sweep")
        long_ago = utcnow() - timedelta(hours=1)
        db.session.execute(
            sa.update(OutboxEvent)
            .where(OutboxEvent.event_id == envelope["id"])
            .values(sent_at=long_ago)
        )
        db.session.commit()
        job_id = job_id_for(envelope["id"], RAW_LOG)
        max_sweeps = current_app.config["EVENT_SWEEP_MAX"]

        for round_ in range(1, max_sweeps + 1):
            queues.queue.empty()  # the job vanishes again
            db.session.execute(
                sa.update(OutboxEvent)
                .where(OutboxEvent.event_id == envelope["id"])
                .values(next_sweep_at=None)
            )
            db.session.commit()
            counts = sweep_once()
            assert counts["redispatch"] == 1
            assert job_id in queues.queue.job_ids
            row = db.session.scalar(
                sa.select(OutboxEvent).where(OutboxEvent.event_id == envelope["id"])
            )
            assert row.sweeps == round_ and row.settled_at is None

        # A run waiting in the queue is not re-dispatched again.
        db.session.execute(
            sa.update(OutboxEvent)
            .where(OutboxEvent.event_id == envelope["id"])
            .values(next_sweep_at=None)
        )
        db.session.commit()
        assert sweep_once()["wait"] == 1

        # Nor is one a live worker has started (its heartbeat has not expired) ...
        queues.queue.empty()
        started_key = queues.queue.started_job_registry.key
        queues.redis.zadd(started_key, {f"{job_id}:exec1": time.time() + 60})
        db.session.execute(
            sa.update(OutboxEvent)
            .where(OutboxEvent.event_id == envelope["id"])
            .values(next_sweep_at=None)
        )
        db.session.commit()
        assert sweep_once()["wait"] == 1
        # ... but one whose worker stopped heartbeating is lost.
        queues.redis.zadd(started_key, {f"{job_id}:exec1": time.time() - 1})

        queues.queue.empty()
        db.session.execute(
            sa.update(OutboxEvent)
            .where(OutboxEvent.event_id == envelope["id"])
            .values(next_sweep_at=None)
        )
        db.session.commit()
        assert sweep_once()["give_up"] == 1
        (dead,) = dead_letters()
        assert dead.event_id == envelope["id"] and dead.handler == RAW_LOG
        assert "EventNotDelivered" in dead.error
        db.session.rollback()
        row = db.session.scalar(
            sa.select(OutboxEvent).where(OutboxEvent.event_id == envelope["id"])
        )
        assert row.settled_at is not None
    finally:
        queues.redis.delete(queues.queue.started_job_registry.key)
        os.kill(relay.proc.pid, signal.SIGCONT)


def test_readyz_shows_the_true_event_lag(fresh, client):
    """An event sent long ago that no handler has processed is lag, even with an
    empty outbox backlog."""
    from datetime import timedelta

    from app.core.models import utcnow

    relay = fresh.procs["relay-1"]
    os.kill(relay.proc.pid, signal.SIGSTOP)
    try:
        (envelope,) = publish(1, key="lag")
        old = utcnow() - timedelta(hours=2)
        db.session.execute(
            sa.update(OutboxEvent)
            .where(OutboxEvent.event_id == envelope["id"])
            .values(created_at=old, sent_at=old, next_sweep_at=utcnow() + timedelta(hours=1))
        )
        db.session.commit()
        body = client.get("/readyz").get_json()
    finally:
        os.kill(relay.proc.pid, signal.SIGCONT)
    lag = body["checks"]["event lag"]
    assert lag["status"] == "degraded"
    assert "1 event(s)" in lag["detail"] and "oldest 72" in lag["detail"]
    assert body["checks"]["outbox"]["status"] == "ok"
