import pytest

from engine import orgs
from engine.errors import Forbidden
from engine.models import ROLES, User


@pytest.mark.parametrize("role", ROLES)
def test_only_centre_staff_leaders_and_administrators_oversee(role):
    user = User(username="someone", role=role)
    if role in ("centre_staff", "leader", "admin"):
        orgs.require_overseer(user, "the ledger is")
    else:
        with pytest.raises(Forbidden, match="^the ledger is for centre staff, leaders and administrators$"):
            orgs.require_overseer(user, "the ledger is")
