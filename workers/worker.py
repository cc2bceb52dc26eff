"""RQ worker process.

It builds the app once and runs jobs in-process (SimpleWorker) inside that
app context: no fork, so database pools are never shared across processes.

Lifecycle:
- SIGTERM (or Ctrl-C): RQ's warm shutdown; the job in hand runs to its end,
  then the worker exits and releases its scheduler locks. A second signal is
  a cold stop; the job is then re-run by the sweeper (handlers are idempotent).
- SIGKILL or a crash leaves nothing running: the scheduler (which moves
  delayed retries onto the queue) is a thread of this process, not RQ's
  forked child, so it dies with the worker. The next worker on the same host
  takes over a scheduler lock whose holder process is gone at once, instead
  of waiting a minute for it to expire.
- On start, and every ORPHAN_CHECK_SECONDS, jobs that dead workers left
  behind are put back on their queue: ids in a queue's intermediate list
  that no worker started (RQ 2.x moves a job there when it dequeues from a
  single queue), and started jobs whose worker is gone. The delivery
  sweeper (app/core/sweeper.py) remains the guarantee for anything else,
  e.g. a job taken off the queue by a worker killed before it started it.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import threading
import time
import uuid

import redis
from redis import Redis
from rq import Queue, SimpleWorker
from rq.executions import Execution
from rq.job import JobStatus
from rq.scheduler import RQScheduler
from rq.scripts import release_lock

from app import create_app
from app.extensions import queues

log = logging.getLogger("workers.worker")

ORPHAN_CHECK_SECONDS = 30.0


def pid_alive(pid: int) -> bool:
    """Is a process with this pid running on this host (a zombie counts as gone)?"""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def holder_is_gone(hostname: str | None, pid: int | None) -> bool:
    """A lock or job holder that lived on this host and whose process is gone.

    Its own pid reused by this process means a previous incarnation (a
    container restarted with the same pid). On another host nothing is
    known: its lock expires, its jobs are left to the sweeper.
    """
    if hostname != socket.gethostname() or not pid:
        return False
    return pid == os.getpid() or not pid_alive(pid)


class ThreadScheduler(RQScheduler):
    """RQ's scheduler run in a thread of the worker (RQ forks it into a child,
    which outlives a worker killed with SIGKILL and keeps the lock)."""

    def __init__(self, queues_: list[Queue], connection: Redis, name: str, **kwargs) -> None:
        super().__init__(queues_, connection=connection, name=name, **kwargs)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_tick = None  # called every round, e.g. the orphan check

    def start(self) -> threading.Thread:
        self._status = self.Status.STARTED
        self._thread = threading.Thread(target=self._loop, name="rq-scheduler", daemon=True)
        self._thread.start()
        return self._thread

    def stop_thread(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        self.register_birth()
        while not self._stopping.is_set():
            try:
                if self._acquired_locks != self._queue_names:
                    self.take_over_dead_locks()
                    self.acquire_locks()
                if self._acquired_locks:
                    self.heartbeat()
                    self.enqueue_scheduled_jobs()
                else:
                    self.save()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception:
                log.warning("scheduler round failed", exc_info=True)
            self._stopping.wait(self.interval)
        try:
            self.stop()  # releases this scheduler's locks, deletes its record
        except Exception:
            log.warning("could not release the scheduler locks", exc_info=True)

    def take_over_dead_locks(self) -> list[str]:
        """Release locks held by a scheduler whose process on this host is gone."""
        taken = []
        for name in self._queue_names - self._acquired_locks:
            key = self.get_locking_key(name)
            holder = self.connection.get(key)
            if holder is None or holder.decode() == self.name:
                continue
            record = self.connection.hgetall(f"rq:scheduler:{holder.decode()}")
            hostname = (record.get(b"hostname") or b"").decode() or None
            pid = int(record.get(b"pid") or 0)
            if holder_is_gone(hostname, pid) and release_lock(
                self.connection, key, holder.decode()
            ):
                log.warning("took over the scheduler lock of %s from dead pid %s", name, pid)
                taken.append(name)
        return taken


def requeue_orphans(
    queues_: list[Queue], connection: Redis, own_worker: str | None, seen: set[str]
) -> tuple[int, set[str]]:
    """Put jobs that dead workers left behind back on their queue.

    `own_worker` is this worker's name once it runs jobs (its own started job
    is not an orphan); None before it starts, when entries under its name are
    a killed predecessor's of the same name.

    Returns (how many were requeued, the intermediate ids to confirm next time):
    an id in an intermediate list is requeued only when it was already there,
    unstarted, on the previous look, since a live worker moves a job out of
    that state within milliseconds.
    """
    moved = 0
    pending: set[str] = set()
    for queue in queues_:
        started = queue.started_job_registry
        started_entries = started.get_job_and_execution_ids(cleanup=False)
        started_ids = {job_id for job_id, _ in started_entries}
        for job_id in queue.intermediate_queue.get_job_ids():
            if job_id in started_ids:
                continue
            if job_id not in seen:
                pending.add(job_id)
                continue
            with connection.pipeline() as pipe:
                pipe.lrem(queue.intermediate_queue_key, 1, job_id)
                pipe.rpush(queue.key, job_id)
                pipe.execute()
            log.warning("requeued %s: left in %s by a dead worker", job_id, queue.name)
            moved += 1
        for job_id, execution_id in started_entries:
            execution = Execution(execution_id, job_id, connection=connection)
            worker_name = (connection.hget(execution.key, "worker_name") or b"").decode()
            if not worker_name or (own_worker is not None and worker_name == own_worker):
                continue
            record = connection.hgetall(f"rq:worker:{worker_name}")
            hostname = (record.get(b"hostname") or b"").decode() or None
            pid = int(record.get(b"pid") or 0)
            if record and b"death" not in record and not holder_is_gone(hostname, pid):
                continue  # alive, or on another host while its record lives
            if not connection.exists(f"rq:job:{job_id}"):
                continue
            with connection.pipeline() as pipe:
                pipe.zrem(started.key, execution.composite_key)
                pipe.hset(f"rq:job:{job_id}", "status", JobStatus.QUEUED.value)
                pipe.rpush(queue.key, job_id)
                pipe.execute()
            log.warning("requeued %s: its worker %s is gone", job_id, worker_name)
            moved += 1
    return moved, pending


def clear_dead_namesake(connection: Redis, name: str) -> None:
    """Forget the record of a killed worker of the same name on this host, which
    would otherwise stop this one from registering ("an active worker named ...")."""
    key = f"rq:worker:{name}"
    record = connection.hgetall(key)
    if not record or b"death" in record:
        return
    hostname = (record.get(b"hostname") or b"").decode() or None
    if holder_is_gone(hostname, int(record.get(b"pid") or 0)):
        connection.delete(key)
        connection.srem("rq:workers", key)
        log.warning("removed the record of dead worker %s", name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        name = args.name or uuid.uuid4().hex
        # Every connection of this worker carries its name (CLIENT LIST shows who blocks).
        connection = redis.Redis.from_url(
            queues.url, client_name=name, socket_connect_timeout=2, health_check_interval=30
        )
        clear_dead_namesake(connection, name)
        worker_queues = [Queue(q.name, connection=connection) for q in queues.worker_queues]
        worker = SimpleWorker(worker_queues, connection=connection, name=name)
        state = {"seen": set(), "at": 0.0}

        def check_orphans(conn: Redis, own: str | None) -> None:
            state["at"] = time.monotonic()
            try:
                _, state["seen"] = requeue_orphans(worker_queues, conn, own, state["seen"])
            except Exception:
                log.warning("orphan check failed", exc_info=True)

        check_orphans(connection, None)
        if state["seen"]:
            time.sleep(1.0)
            check_orphans(connection, None)

        scheduler = ThreadScheduler(worker_queues, connection, name=worker.name)
        scheduler.on_tick = lambda: (
            time.monotonic() - state["at"] >= ORPHAN_CHECK_SECONDS
            and check_orphans(scheduler.connection, worker.name)
        )
        if not args.burst:
            scheduler.start()
        try:
            worker.work(burst=args.burst, logging_level=app.config["LOG_LEVEL"])
        finally:
            scheduler.stop_thread()


if __name__ == "__main__":
    main()
