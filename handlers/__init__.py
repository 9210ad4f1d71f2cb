"""Service-task handlers, one per file, registered by the operator name the BPMN uses."""

REGISTRY: dict = {}
