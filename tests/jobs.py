"""Job functions the real RQ worker imports during the tests."""

import os


def add(a, b):
    return a + b


def whoami():
    """Proves the job ran in another process, inside the app context."""
    from flask import current_app

    return {"pid": os.getpid(), "queue": current_app.config["RQ_QUEUE"]}
