"""Event handlers of the users domain."""

from app.extensions import events, mongo


@events.subscribe("user.deleted", name="users.forget_deleted_user")
def forget_deleted_user(envelope):
    """Reviews keep their text and rating but no longer name their author.

    Idempotent: setting the same values twice changes nothing.
    """
    user_id = int(envelope["key"])
    mongo.db.reviews.update_many(
        {"author_id": {"$in": [user_id, str(user_id)]}},
        {"$set": {"author_name": "Former traveler", "author_deleted": True}},
    )
