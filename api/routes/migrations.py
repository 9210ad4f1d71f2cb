from flask import jsonify

from engine import case_migration

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import MigrationIn, MigrationOut
from . import body, v1


@v1.post("/processes/<process_id>/migrations")
@login_required
def migrate_cases(process_id):
    # Each moved case commits on its own in the engine (one transaction per case); a dry run writes nothing.
    args = body(MigrationIn())
    report = case_migration.migrate(db.session, current_user(), process_id, args["from_version"],
                                    args["to_version"], mapping=args["mapping"], codes=args.get("cases"),
                                    dry_run=args["dry_run"])
    return jsonify(MigrationOut().dump(report))
