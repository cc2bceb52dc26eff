"""Activity consumer process: activity events (searches, views, clicks) from their
own Kafka topic and consumer group -> one RQ job per handler and batch."""

from app import create_app
from app.core.activity import run_activity_consumer
from workers import stop_flag


def main() -> None:
    app = create_app()
    stopping = stop_flag()
    with app.app_context():
        run_activity_consumer(stop=stopping.is_set)


if __name__ == "__main__":
    main()
