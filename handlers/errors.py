"""The one error a handler raises on purpose; a diagram can catch it by its code."""


class HandlerError(Exception):
    """A business error with a stable code (matched by an error boundary event) and a message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
