"""Event handlers of the analytics domain."""

from app.analytics import services
from app.extensions import events


@events.subscribe("*", name="analytics.raw_event_log", batch=services.record_raw_events)
def raw_event_log(envelope):
    """Every event, as it arrived, in MongoDB `events` (the raw analytics log);
    activity events a batch at a time."""
    services.record_raw_event(envelope)
