"""Process entry points: `python -m workers.worker | workers.relay | workers.consumer`."""

from __future__ import annotations

import signal
import threading


def stop_flag() -> threading.Event:
    """An event set by SIGTERM/SIGINT, so loops finish their round and exit."""
    stopping = threading.Event()

    def handle(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stopping
