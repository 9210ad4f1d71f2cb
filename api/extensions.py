"""Extensions, created unbound and bound in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from engine.models import Base

# Flask-SQLAlchemy manages sessions per request; the tables are the engine's plain models.
db = SQLAlchemy(model_class=Base)
migrate = Migrate()
# Throttles sign-in only (api/routes/auth.py); limits and storage come from the settings. The
# counters live on this object, for the app last bound: one per process, and a fresh store for
# each app a test builds.
limiter = Limiter(key_func=get_remote_address)  # a 429 carries Retry-After (api/errors.py)
