"""Errors the engine raises; the API maps each to one HTTP status and one JSON shape."""

from __future__ import annotations


class EngineError(Exception):
    """Base class: ``code`` is machine-readable, the message is for people."""

    code = "error"

    def __init__(self, message: str, fields: dict | None = None, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.details = details

    def __reduce__(self):  # raised in a worker process, it reaches the caller whole
        return type(self), (self.message, self.fields, self.details)


class BadRequest(EngineError):
    code = "bad_request"


class NotFound(EngineError):
    code = "not_found"


class Forbidden(EngineError):
    code = "forbidden"


class Conflict(EngineError):
    code = "conflict"


class FormInvalid(EngineError):
    """Submitted data does not satisfy the task's form; ``fields`` maps paths to messages."""

    code = "validation_failed"


class DeploymentRejected(EngineError):
    """``details`` lists ``{"file", "element", "message"}`` for each problem found."""

    code = "deployment_rejected"
