"""Deployments and the process versions they make."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JsonType, UtcDateTime, utcnow


class Deployment(Base):
    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))

    files: Mapped[list[DeploymentFile]] = relationship(back_populates="deployment",
                                                        cascade="all, delete-orphan")


class DeploymentFile(Base):
    __tablename__ = "deployment_file"
    __table_args__ = (UniqueConstraint("deployment_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # bpmn | dmn | form
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)

    deployment: Mapped[Deployment] = relationship(back_populates="files")


class ProcessVersion(Base):
    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The diagram as deployed, and the parsed spec (with the specs it calls) serialised once.
    # Deferred (read on first use): every case and task row joins its version, and these three
    # columns are up to ~200 KB a version, which each inbox row would otherwise carry.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    # Form path → JSON Schema, frozen with the version so a form change never breaks a running case.
    forms: Mapped[dict] = mapped_column(JsonType, default=dict, deferred=True)
    executable: Mapped[bool] = mapped_column(default=True)
    # Cases can be opened of this version (the diagram's ``startable`` property); sub-processes cannot.
    startable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
