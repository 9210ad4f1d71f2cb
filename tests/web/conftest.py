"""Fixtures for the pages: the demo county with the process library, cases waiting at its units, and a
browser-like client that signs in through the sign-in page and sends the CSRF token as pages do."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from api.extensions import db
from engine import demo, deploy
from tests.processes import steps
from tests.processes.harness import Scenario

OTHER_VILLAGE = "441581-01-002"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def county(app):
    """The process library deployed and the demo county loaded, committed.

    Setup and checks each run in an app context of their own (``engine_session``): a context held
    open across requests would share ``g`` between them, and with it a CSRF token of another session.
    """
    load_county(app)
    return app


def load_county(app) -> None:
    """Deploy the process library and load the demo county, committed."""
    settings = app.config["MEDIATE"]
    with engine_session(app) as session:
        deploy.deploy(session, deploy.read_directories(settings.processes_dir, settings.forms_dir), "test",
                      max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
        demo.load(session)
        session.commit()


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium for the browser tests (``browsing.py``), one per test module."""
    from .browsing import launched

    with launched() as browser:
        yield browser


@contextmanager
def engine_session(app):
    """The database session in a fresh app context, for setting up and checking around requests."""
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


@dataclass(frozen=True)
class Waiting:
    """A task waiting in the inbox, as the tests refer to it."""

    case_code: str
    task_id: int
    task_name: str
    unit_code: str


def waiting_order(app, village: str = steps.VILLAGE, **over) -> Waiting:
    """A case registered by the town centre and routed to ``village``: its order waits to be accepted there."""
    with engine_session(app) as session:
        run = Scenario(session, "town_staff")
        location = f"{village}-01"  # its first grid
        steps.intake(run, **({"dispute_type": "合同债务", "amount": 2000, "location_unit_code": location} | over))
        steps.route(run)
        assert run.ready() == ["accept_order"]
        row = run.row("accept_order")
        return Waiting(run.case.code, row.id, row.name, row.org_unit.code)


@dataclass
class Browser:
    """A test client used the way a browser uses the pages: forms carry the page's CSRF token."""

    client: object

    def token(self, path: str = "/login") -> str:
        return TOKEN.search(self.client.get(path).get_data(as_text=True)).group(1)

    def sign_in(self, username: str, password: str = demo.DEMO_PASSWORD, **extra):
        data = {"username": username, "password": password, "csrf_token": self.token(), **extra}
        return self.client.post("/login", data=data)

    def post(self, path: str, data=None, *, htmx: bool = False, token: bool = True, page: str = "/inbox"):
        headers = {}
        if token:
            headers["X-CSRFToken"] = self.token(page)
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data=data or {}, headers=headers)

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)
