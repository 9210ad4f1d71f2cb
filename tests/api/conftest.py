import pytest

from api.extensions import db
from tests.helpers import deploy_fixture, small_org


@pytest.fixture
def world(app, echo_handler):
    with app.app_context():
        units, users = small_org(db.session)
        deploy_fixture(db.session)
        db.session.commit()
    return units


@pytest.fixture
def login(client):
    def _login(username, password="pw"):
        res = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert res.status_code == 200, res.json
        return {"Authorization": f"Bearer {res.json['token']}"}
    return _login
