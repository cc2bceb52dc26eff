"""RQ worker process.

It builds the app once and runs jobs in-process (SimpleWorker) inside that
app context: no fork, so database pools are never shared across processes.
The scheduler runs alongside, for retries enqueued with a delay.
"""

import argparse

from rq import SimpleWorker

from app import create_app
from app.extensions import queues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        worker = SimpleWorker(queues.worker_queues, connection=queues.redis, name=args.name)
        worker.work(with_scheduler=True, burst=args.burst, logging_level=app.config["LOG_LEVEL"])


if __name__ == "__main__":
    main()
