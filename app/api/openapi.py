"""The OpenAPI 3.1 document of /api/v1, assembled from each domain's fragment.

A domain describes its own endpoints next to its code, in
`app/<domain>/openapi.yaml`: `paths` (relative to /api/v1), `components` and
optionally `tags`. `assemble` merges every fragment found (app/api's own
first, then the others by name), so a new domain's fragment is picked up
without touching this module. Two fragments may define the same component only
if they define it identically; a path may be described by one fragment only.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from markupsafe import Markup, escape

FRAGMENT = "openapi.yaml"
CODE = re.compile(r"`([^`]+)`")
# libyaml's parser when the wheel has it (it does on Linux): about 10x faster.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SERVER = "/api/v1"
TOP_LEVEL = {"paths", "components", "tags"}
INFO = {
    "title": "Kayak partner API",
    "version": "1.0.0",
    "summary": "Listings, photos and searches for airlines, hotels and car rental companies.",
    "description": (
        "Authenticate every call with an API key from the partner portal (`/partner`), sent "
        "as `Authorization: Bearer <key>`; a key acts for one provider and reaches only that "
        "provider's data. Bodies are JSON (photos: multipart/form-data). Errors are "
        "`application/problem+json` (RFC 9457); 422 adds `errors`, a message per field."
    ),
}


class FragmentError(ValueError):
    """A fragment that cannot be merged: bad shape, a path described twice, or a
    component defined differently by two fragments."""


def fragment_files(app_root: Path) -> list[Path]:
    """app/api's fragment first, then every other domain's, by name."""
    own = app_root / "api" / FRAGMENT
    others = sorted(p for p in app_root.glob(f"*/{FRAGMENT}") if p != own)
    return ([own] if own.is_file() else []) + others


def assemble(files: list[Path]) -> dict[str, Any]:
    """One OpenAPI 3.1 document from the fragments; raises FragmentError."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": dict(INFO),
        "servers": [{"url": SERVER}],
        "tags": [],
        "paths": {},
        "components": {},
    }
    owner: dict[tuple[str, ...], str] = {}  # what came from which fragment, for messages
    for file in files:
        where = f"{file.parent.name}/{file.name}"
        try:
            fragment = yaml.load(file.read_text(encoding="utf-8"), Loader=Loader) or {}
        except yaml.YAMLError as exc:
            raise FragmentError(f"{where} is not valid YAML: {exc}") from None
        if not isinstance(fragment, dict) or set(fragment) - TOP_LEVEL:
            raise FragmentError(f"{where} may only have {', '.join(sorted(TOP_LEVEL))} at the top")
        for path, item in (fragment.get("paths") or {}).items():
            if path in document["paths"]:
                raise FragmentError(
                    f"{where} describes {path}, already in {owner[('paths', path)]}"
                )
            document["paths"][path] = item
            owner[("paths", path)] = where
        for section, entries in (fragment.get("components") or {}).items():
            merged = document["components"].setdefault(section, {})
            for name, value in (entries or {}).items():
                key = ("components", section, name)
                if name in merged and merged[name] != value:
                    raise FragmentError(
                        f"{where} defines components.{section}.{name} differently from "
                        f"{owner[key]}: rename one, or make them the same"
                    )
                merged[name] = value
                owner.setdefault(key, where)
        for tag in fragment.get("tags") or []:
            if not any(t["name"] == tag["name"] for t in document["tags"]):
                document["tags"].append(tag)
    used = {
        tag
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", ())
    }
    for tag in sorted(used - {t["name"] for t in document["tags"]}):
        document["tags"].append({"name": tag})
    return document


def build(app: Flask) -> tuple[dict[str, Any], bytes, str]:
    """(document, its JSON, its ETag) for `app`: once per process, or per call in debug."""
    cached = app.extensions.get("openapi")
    if cached is None or app.debug:
        document = assemble(fragment_files(Path(app.root_path)))
        body = json.dumps(document, ensure_ascii=False).encode()
        cached = (document, body, hashlib.sha256(body).hexdigest()[:32])
        app.extensions["openapi"] = cached
    return cached


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation with its path and method, grouped by first tag in document order
    (for the docs page)."""
    methods = ("get", "post", "put", "patch", "delete")
    found = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in methods:
            operation = item.get(method)
            if operation is None:
                continue
            found.append(
                {
                    **operation,
                    "path": path,
                    "method": method.upper(),
                    "parameters": [*shared, *operation.get("parameters", [])],
                    "tag": (operation.get("tags") or ["other"])[0],
                }
            )
    order = [t["name"] for t in document["tags"]]
    found.sort(key=lambda op: order.index(op["tag"]) if op["tag"] in order else len(order))
    return found


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (one level); anything else comes back as it is."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return target
    return node


def markup(text: str | None) -> Markup:
    """A description for the docs page: escaped, with `code` spans (the only markdown used)."""
    return Markup(CODE.sub(r"<code>\1</code>", str(escape(text or ""))))
