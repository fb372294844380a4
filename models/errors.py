"""The one error family of Lanterne, rooted at the lowest layer so that every layer shares it.

A ``LanterneError`` is something the user can cause or fix (a bad file, a missing model, a full
disk): it carries a stable ``code`` (looked up by the desktop for a translated message) and an
English ``message`` fit to show on the command line. Anything else is a bug: logged with its
traceback, shown as a generic failure. Layers raise their own subclasses (``ModelError`` here,
``ExtractionError`` in the indexer, ``DiskFullError`` in core) and callers catch the root.
"""
from __future__ import annotations


class LanterneError(Exception):
    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ModelError(LanterneError):
    """A known, user-fixable problem with a model. ``code`` is stable; ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
