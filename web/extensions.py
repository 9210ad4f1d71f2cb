"""The pages' extensions, created unbound and bound in ``web.init_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
# Every POST/PUT/PATCH/DELETE checks a token from the form or the X-CSRFToken header (htmx sends it);
# the JSON API's blueprint is exempted by the app factory: it authenticates by bearer token, not cookie.
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "pages.login"
login_manager.login_message = None  # the sign-in page says what it needs to
