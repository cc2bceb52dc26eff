"""Outbox relay process: committed outbox rows -> Kafka (or RQ when embedded)."""

from app import create_app
from app.core.relay import run_relay
from workers import stop_flag


def main() -> None:
    app = create_app()
    stopping = stop_flag()
    with app.app_context():
        run_relay(stop=stopping.is_set)


if __name__ == "__main__":
    main()
