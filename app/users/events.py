"""Event handlers of the users domain."""

from app.extensions import events
from app.listings import reviews


@events.subscribe("user.deleted", name="users.forget_deleted_user")
def forget_deleted_user(envelope):
    """Reviews keep their text and rating but no longer name their author.

    Idempotent: setting the same values twice changes nothing.
    """
    reviews.forget_author(int(envelope["key"]))
