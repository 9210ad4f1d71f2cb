"""The designer's pages: the process library at a glance, and the forms editor with a live preview.

The preview is drawn by the task page's own renderer (``_form.html`` with ``web/forms.py``), so what
the designer sees is what staff will see.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from api.extensions import db
from engine import designer, form_design, rollback
from engine.errors import BadRequest, Conflict
from engine.form_schema import Problem

from .. import forms
from ..session import me
from . import pages

# The editor posts the whole text; a form is far smaller than this.
MAX_TEXT = 200_000


@pages.get("/designer")
@login_required
def designer_home():
    return render_template("designer.html", overview=designer.overview(db.session, me()))


@pages.get("/designer/forms")
@login_required
def designer_forms():
    return render_template("designer_forms.html", editable=form_design.editable(db.session, me()))


def _text() -> str:
    text = request.form.get("schema", "")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"schema: longer than {MAX_TEXT} characters", fields={"schema": "too long"})
    return text.replace("\r\n", "\n")


def _editor(path: str, text: str, base: str, *, review=None, problems=None, conflict: str = "", status: int = 200):
    current = form_design.source(db.session, me(), path)
    preview = _preview(*form_design.check(text))
    return render_template("form_editor.html", F=forms, errors={}, source=current, text=text, base=base,
                           preview=preview, review=review, conflict=conflict,
                           review_digest=form_design.digest(text),
                           problems=preview["problems"] if problems is None else problems), status


def _preview(schema, problems, notes) -> dict:
    return {"schema": schema if not problems else None, "problems": problems, "notes": notes}


@pages.get("/designer/forms/<path:form>")
@login_required
def form_editor(form: str):
    current = form_design.source(db.session, me(), form)
    return _editor(form, current.text, current.base)


@pages.post("/designer/forms/<path:form>")
@login_required
def form_save(form: str):
    text, base = _text(), request.form.get("base", "")
    settings = current_app.config["MEDIATE"]
    try:
        # Saving stores what the designer reviewed: a text changed since its review is reviewed again.
        if request.form.get("action") != "save" or request.form.get("reviewed") != form_design.digest(text):
            review = form_design.review(db.session, me(), form, text, base)
            return _editor(form, text, base, review=review, status=422 if review.problems else 200)
        result = form_design.save(db.session, me(), form, text, base, max_bytes=settings.max_upload_bytes,
                                  forms_dir=settings.forms_dir)
    except BadRequest as err:
        db.session.rollback()
        problems = [Problem(d["path"], d["message"], d.get("zh", "")) for d in err.details or
                    [{"path": "$", "message": err.message}]]
        return _editor(form, text, base, problems=problems, status=422)
    except Conflict as err:
        db.session.rollback()
        return _editor(form, text, base, conflict=err.message, status=409)
    db.session.commit()
    made = ", ".join(f"{v['process_id']} v{v['version']}" for v in result["versions"])
    if made:
        flash(_("Form saved. New versions: %(versions)s.", versions=made), "success")
    else:
        flash(_("Nothing changed: no process needed a new version."), "info")
    return redirect(url_for("pages.form_editor", form=form))


@pages.post("/designer/form-preview")
@login_required
def form_preview():
    preview = _preview(*form_design.preview(me(), _text()))
    return render_template("_form_preview.html", F=forms, errors={}, preview=preview)


@pages.post("/designer/processes/<process_id>/versions/<int:version>/rollback")
@login_required
def designer_rollback(process_id: str, version: int):
    user = me()
    designer.require(user)
    settings = current_app.config["MEDIATE"]
    result = rollback.rollback(db.session, process_id, version, user.username,
                               max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
    db.session.commit()
    made = ", ".join(f"{v['process_id']} v{v['version']}" for v in result["versions"] if v.get("created"))
    flash(_("Rolled back to version %(version)s. New versions: %(versions)s.", version=version, versions=made),
          "success")
    return redirect(url_for("pages.designer_home", _anchor=f"process-{process_id}"))
