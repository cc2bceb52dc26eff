"""Kafka consumer process: events -> one RQ job per subscribed handler."""

from app import create_app
from app.core.consumer import run_consumer
from workers import stop_flag


def main() -> None:
    app = create_app()
    stopping = stop_flag()
    with app.app_context():
        run_consumer(stop=stopping.is_set)


if __name__ == "__main__":
    main()
