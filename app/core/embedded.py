"""Embedded mode: servers that live in instance/ when no URL is configured."""


def embedded_redis_url(app) -> str:
    raise NotImplementedError


def open_embedded_documents(app):
    raise NotImplementedError


class FileFolder:
    """Embedded stand-in for GridFS: one file per id, content type beside it."""

    def __init__(self, path: str) -> None:
        import os

        self.path = path
        os.makedirs(path, exist_ok=True)

    def _paths(self, file_id: str) -> tuple[str, str] | None:
        import os

        if not (len(file_id) == 32 and all(c in "0123456789abcdef" for c in file_id)):
            return None
        base = os.path.join(self.path, file_id)
        return base, base + ".type"

    def put(self, data: bytes, filename: str, content_type: str, metadata: dict) -> str:
        import uuid

        file_id = uuid.uuid4().hex
        data_path, type_path = self._paths(file_id)
        with open(data_path, "wb") as out:
            out.write(data)
        with open(type_path, "w") as out:
            out.write(content_type)
        return file_id

    def get(self, file_id: str) -> tuple[bytes, str] | None:
        paths = self._paths(file_id)
        try:
            with open(paths[0], "rb") as data, open(paths[1]) as kind:
                return data.read(), kind.read().strip()
        except (TypeError, FileNotFoundError):
            return None

    def delete(self, file_id: str) -> None:
        import os

        for path in self._paths(file_id) or ():
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
