"""Durable executions (Lambda's durable functions), bottom up: ``executions`` (the model: an
execution, its operations and history), ``updates`` and ``lifecycle`` (what checkpoints, wake-ups,
pauses and deletions change), ``run`` (invoking and replaying the handler on the execution's
version), then the API's ``operations`` and the handle's ``controls``."""
