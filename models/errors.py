"""Errors a model can raise that the user can fix (missing or broken model files)."""
from __future__ import annotations


class ModelError(Exception):
    """A known, user-fixable problem with a model. ``code`` is stable; ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
