"""The document store (`mongo` extension): MongoDB, or an embedded store.

With MONGO_URL set it is a pymongo client on that server (MongoDB or
FerretDB). Without it, an embedded pymongo-compatible store persisted in
instance/ (see docs/decisions.md for the choice). Code uses `mongo.db` the
same way in both modes and keeps to the subset both support (DESIGN.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class DocumentStore:
    def __init__(self) -> None:
        self.client = None
        self._db = None
        self.embedded = False
        self.location = ""
        self.files_path = ""
        self._declarations: list[Callable[[], Any]] = []

    def init_app(self, app) -> None:
        url = app.config.get("MONGO_URL")
        name = app.config["MONGO_DB"]
        if url:
            from pymongo import MongoClient

            self.client = MongoClient(
                url,
                serverSelectionTimeoutMS=3000,
                connectTimeoutMS=3000,
                tz_aware=False,
                appname="kayak",
                connect=False,  # no socket before fork (gunicorn, RQ)
            )
            self.location = url.split("@")[-1]
        else:
            from app.core.embedded import open_embedded_documents

            self.client, self.location = open_embedded_documents(app)
            self.embedded = True
            self.files_path = os.path.join(app.instance_path, "files")
        self._db = self.client[name]
        app.extensions["mongo"] = self

    # -- indexes ------------------------------------------------------------
    def declare_indexes(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Decorator: a domain's index declarations, run by `ensure_indexes` at start-up.

        Rules such as "one review per traveler and listing" rest on a unique
        index, so it must exist before the first write on every store.
        """
        self._declarations.append(func)
        return func

    def ensure_indexes(self) -> list[str]:
        """Run every declaration (create_index is idempotent); returns the failures.

        A store that is away at start-up is logged, never fatal: the app still
        serves what does not need it.
        """
        failures = []
        for declare in self._declarations:
            try:
                declare()
            except Exception as exc:
                name = f"{declare.__module__}.{declare.__qualname__}"
                log.warning("could not declare document indexes (%s): %s", name, exc)
                failures.append(name)
        return failures

    @property
    def db(self):
        if self._db is None:
            raise RuntimeError("the document store is not initialised (create_app first)")
        return self._db

    def ping(self) -> bool:
        if self.embedded:
            self.db.list_collection_names()
            return True
        return bool(self.client.admin.command("ping").get("ok"))

    def describe(self) -> str:
        return f"{'embedded' if self.embedded else 'mongodb'} at {self.location}"

    # -- files (GridFS on a server, a folder in instance/ when embedded) --------
    def put_file(self, data: bytes, filename: str, content_type: str, **metadata) -> str:
        """Store bytes; returns the file id (a string)."""
        if self.embedded:
            return self._folder().put(data, filename, content_type, metadata)
        import gridfs

        file_id = gridfs.GridFS(self.db).put(
            data, filename=filename, metadata={"content_type": content_type, **metadata}
        )
        return str(file_id)

    def get_file(self, file_id: str) -> tuple[bytes, str] | None:
        """(bytes, content type), or None for an unknown id."""
        if self.embedded:
            return self._folder().get(file_id)
        import gridfs
        from bson import ObjectId
        from bson.errors import InvalidId

        try:
            stored = gridfs.GridFS(self.db).get(ObjectId(file_id))
        except (InvalidId, gridfs.errors.NoFile, TypeError):
            return None
        return stored.read(), (stored.metadata or {}).get(
            "content_type", "application/octet-stream"
        )

    def delete_file(self, file_id: str) -> None:
        if self.embedded:
            self._folder().delete(file_id)
            return
        import gridfs
        from bson import ObjectId
        from bson.errors import InvalidId

        try:
            gridfs.GridFS(self.db).delete(ObjectId(file_id))
        except InvalidId:
            pass

    def _folder(self):
        from app.core.embedded import FileFolder

        return FileFolder(self.files_path)

    @staticmethod
    def safe_keys(value: Any) -> Any:
        """Rewrite keys FerretDB and MongoDB refuse ('.' inside, '$' first)."""
        if isinstance(value, dict):
            return {
                str(k).replace(".", "_").lstrip("$") or "_": DocumentStore.safe_keys(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [DocumentStore.safe_keys(v) for v in value]
        return value
