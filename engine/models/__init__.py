"""All tables. Import from here: ``from engine.models import Case``."""

from .analysis import LEDGER_LEVELS, LEDGER_STATES, AnalysisFigure, LedgerEntry
from .base import INTEGER_MAX, Base, utcnow
from .case import AuditEvent, Case, CaseState, Incident, PartyName, ServiceCall, TaskItem
from .decision import DecisionRecord
from .ledger import (
    ORDER_FINAL_STATES,
    ORDER_OPEN_STATES,
    SUPERVISION_STATES,
    Archive,
    CaseCodeSequence,
    JudicialConfirmation,
    Mediator,
    MediatorAssignment,
    Notification,
    Order,
    OrderEvent,
    Outbox,
    SubsidyRecord,
    Supervision,
)
from .org import RECEIVING_ROLES, ROLES, SUPERVISOR_ROLES, UNIT_KINDS, OrgUnit, User
from .process import Deployment, DeploymentFile, ProcessVersion
from .risk import LETTER_STATES, RISK_KINDS, SEVERITIES, CaseSignal, PartyKey, Risk, RiskLetter
from .timer import TIMER_KINDS, MonthlySnapshot, Timer

__all__ = [
    "INTEGER_MAX", "Base", "utcnow", "AuditEvent", "Case", "CaseState", "Incident", "PartyName", "ServiceCall", "TaskItem",
    "RECEIVING_ROLES", "ROLES", "SUPERVISOR_ROLES", "UNIT_KINDS", "OrgUnit", "User", "Deployment", "DeploymentFile",
    "ProcessVersion", "TIMER_KINDS", "MonthlySnapshot", "Timer", "Archive", "CaseCodeSequence",
    "JudicialConfirmation", "Mediator", "MediatorAssignment", "Order", "OrderEvent", "Outbox", "SubsidyRecord",
    "ORDER_OPEN_STATES", "ORDER_FINAL_STATES", "SUPERVISION_STATES", "Supervision", "Notification",
    "DecisionRecord", "LEDGER_LEVELS", "LEDGER_STATES", "AnalysisFigure", "LedgerEntry",
    "LETTER_STATES", "RISK_KINDS", "SEVERITIES", "CaseSignal", "PartyKey", "Risk", "RiskLetter",
]
