"""The one exception a handler raises on purpose."""


class HandlerError(Exception):
    """A business failure; ``code`` is the BPMN error code a diagram may catch."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
