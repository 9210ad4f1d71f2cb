"""Extensions, created unbound and bound in ``create_app``."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from engine.models import Base

# Flask-SQLAlchemy manages sessions per request; the tables are the engine's plain models.
db = SQLAlchemy(model_class=Base)
migrate = Migrate()
