"""Editing a deployed form: its text, what saving it would change, and saving it as a deployment.

A form is a deployment file (``forms/<process>/<task>.schema.json``); every process version carries
the forms its tasks name, frozen, so a running case keeps its version's forms. Saving a form
therefore deploys it: each process whose newest version carries the form gets version N+1 with the
new form (the same as a deployment of the file through ``POST /deployments``), and

- cases opened from then on run the new version and show the new form;
- cases already running stay on their version and keep its form, open tasks included: their data
  was collected against it, and a form that asks for a field their diagram never fills would
  strand them.

Only forms carried by some process's newest version can be edited here (a new form arrives with the
diagram that names it). Saving is refused while the text has any problem (``form_schema``), and
when someone else saved the form after the editor was opened (a 409 naming them). Each save is
audited (``form_saved``: the form, who, the versions it made).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit, deploy, designer, form_schema
from .errors import BadRequest, Conflict, DeploymentRejected, NotFound
from .models import Deployment, DeploymentFile, ProcessVersion, User


@dataclass(frozen=True)
class FormSource:
    """A form as deployed now: its text, a digest of it (the editor's base) and the processes carrying it."""

    path: str
    text: str
    base: str
    users: list[ProcessVersion]  # the newest version of each process that carries the form
    saved_by: str
    saved_at: object


@dataclass(frozen=True)
class Review:
    """What saving a text would do: its problems, its notes, the diff and the versions it would make."""

    schema: dict | None
    problems: list[form_schema.Problem]
    notes: list[form_schema.Problem]
    diff: list[str]
    new_versions: list[tuple[str, str, int]]  # (process id, name, the version saving makes)

    @property
    def changed(self) -> bool:
        return bool(self.diff)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _newest_versions(session: Session) -> list[ProcessVersion]:
    newest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)
    return list(session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(newest))
                                .order_by(ProcessVersion.process_id)))


def editable(session: Session, user: User) -> dict[str, list[str]]:
    """Form path → the processes whose newest version carries it: the forms a designer can edit."""
    designer.require(user)
    newest = _newest_versions(session)
    names = designer.version_forms(session, newest)
    out: dict[str, list[str]] = {}
    for pv in newest:
        for path in names[pv.id]:
            out.setdefault(path, []).append(pv.process_id)
    return dict(sorted(out.items()))


def source(session: Session, user: User, path: str) -> FormSource:
    """The form's deployed text (as written, or as stored when no file was kept); 404 for a form no process carries."""
    designer.require(user)
    newest = _newest_versions(session)
    names = designer.version_forms(session, newest)
    users = [pv for pv in newest if path in names[pv.id]]
    if not users:
        raise NotFound(f"no deployed process uses the form {path!r}")
    row = session.execute(select(DeploymentFile.content, Deployment.actor, Deployment.created_at)
                          .join(Deployment, Deployment.id == DeploymentFile.deployment_id)
                          .where(DeploymentFile.name == path, DeploymentFile.kind == "form")
                          .order_by(DeploymentFile.deployment_id.desc()).limit(1)).first()
    if row is not None:
        text, actor, at = row
    else:
        text = json.dumps(users[-1].forms[path], ensure_ascii=False, indent=2) + "\n"
        deployment = session.get(Deployment, users[-1].deployment_id)
        actor, at = deployment.actor, deployment.created_at
    return FormSource(path, text, digest(text), users, actor, at)


def check(text: str) -> tuple[dict | None, list[form_schema.Problem], list[form_schema.Problem]]:
    """The parsed form, its problems and its notes (what the preview and a save both show)."""
    schema, problems = form_schema.problems(text)
    return schema, problems, form_schema.notes(schema) if not problems else []


def preview(user: User, text: str) -> tuple[dict | None, list[form_schema.Problem], list[form_schema.Problem]]:
    """``check`` for a designer's live preview."""
    designer.require(user)
    return check(text)


def _current(session: Session, user: User, path: str, base: str | None) -> FormSource:
    current = source(session, user, path)
    if base is not None and base != current.base:
        raise Conflict(f"{current.saved_by} saved this form after you opened it; reload it to see their change")
    return current


def review(session: Session, user: User, path: str, text: str, base: str | None = None) -> Review:
    """What saving ``text`` as the form at ``path`` would do, without doing it (a ``Conflict`` when ``base`` is stale)."""
    current = _current(session, user, path, base)
    schema, problems, notes = check(text)
    diff = list(difflib.unified_diff(current.text.splitlines(), text.splitlines(), "deployed", "edited",
                                     n=2, lineterm=""))[2:]
    same_meaning = schema is not None and schema == json.loads(current.text)
    new_versions = [] if problems or same_meaning else [(pv.process_id, pv.name, pv.version + 1)
                                                        for pv in current.users]
    return Review(schema, problems, notes, diff, new_versions)


def save(session: Session, user: User, path: str, text: str, base: str, *, max_bytes: int,
         forms_dir: Path | None) -> dict:
    """Deploy ``text`` as the form at ``path``: a new version of each process carrying it, audited.

    ``base`` is the digest of the text the editor started from; a different current text is a
    ``Conflict`` (someone saved meanwhile). Problems are a ``BadRequest`` with a message per JSON path.
    Returns the deployment's result (``versions`` with ``created``), or ``deployment: None`` when the
    text is the deployed one.
    """
    current = _current(session, user, path, base)
    _, problems, _ = check(text)
    if problems:
        raise BadRequest(f"{len(problems)} problem(s) in the form; first: {problems[0].path}: {problems[0].message}",
                         fields={p.path: p.message for p in problems},
                         details=[{"path": p.path, "message": p.message, "zh": p.zh} for p in problems])
    if text == current.text:
        return {"deployment": None, "versions": []}
    try:
        result = deploy.deploy(session, [deploy.SourceFile(path, text.encode("utf-8"))], user.username,
                               max_bytes=max_bytes, forms_dir=forms_dir)
    except DeploymentRejected as err:
        found = [{"path": f"{d['file']} {d['element']}".strip(), "message": d["message"]} for d in err.details or []]
        raise BadRequest(err.message, fields={d["path"]: d["message"] for d in found}, details=found) from None
    made = [v for v in result["versions"] if v["created"]]
    audit.record(session, "form_saved", user.username, detail={"form": path, "deployment": result["deployment"],
                                                                "versions": made})
    return {"deployment": result["deployment"], "versions": made}
