"""Embedded mode: servers that live in instance/ when no URL is configured."""


def embedded_redis_url(app) -> str:
    raise NotImplementedError


def open_embedded_documents(app):
    raise NotImplementedError
