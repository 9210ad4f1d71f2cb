from flask import jsonify

from engine import doctor

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import OrganisationOut
from . import v1


@v1.get("/admin/organisation")
@login_required
def organisation_check():
    return jsonify(OrganisationOut().dump(doctor.check_as(db.session, current_user())))
