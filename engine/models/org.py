"""Organisation: the unit tree (county → town → village → grid, plus departments) and users."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

UNIT_KINDS = ("county", "town", "village", "grid", "department")
ROLES = ("grid_worker", "mediator", "centre_staff", "department", "leader", "admin", "designer")
# A diagram's ``department`` lane is "the unit the order went to". When that unit is a village
# or a town rather than a functional department, its mediators and centre staff receive it.
RECEIVING_ROLES = ("mediator", "centre_staff")

# Roles that may reassign tasks of their subtree to someone else.
SUPERVISOR_ROLES = ("leader", "centre_staff", "admin")


class OrgUnit(Base):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Materialised path of ids, e.g. "/1/4/12/", so subtree look-ups need no recursion.
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    # A closed unit keeps its code, cases and history; the organisation check and pickers skip it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id")


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(30), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Carried in every token; bumping it (password change, deactivation) ends the tokens issued before.
    session_version: Mapped[int] = mapped_column(Integer, default=0)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")
