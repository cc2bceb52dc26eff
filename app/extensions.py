"""Extension singletons, created unbound and bound to an app in `init_app`."""

from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from app.core.activity import ActivityStream
from app.core.documents import DocumentStore
from app.core.events import EventBus
from app.core.queues import Queues

# Named constraints keep Alembic migrations identical on SQLite and MySQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
cache = Cache()
mongo = DocumentStore()
queues = Queues()
events = EventBus()
activity = ActivityStream()
