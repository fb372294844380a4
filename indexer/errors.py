"""Why a document could not be indexed: a stable ``code`` (with ``params``) that every layer passes
on and the desktop translates, and an English ``reason`` for the command line and the log.

Codes are never parsed back from the English text: rewording a reason cannot lose its translation.
``FAILURES`` lists every code with its English message; the desktop has one translated message per
code (a test checks both tables and every code raised in the indexer).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from models.errors import LanterneError

# code -> English message ({name} placeholders come from the failure's params)
FAILURES: dict[str, str] = {
    "password-protected": "Password protected: Lanterne cannot open it.",
    "ocr-off": "Scanned document: text recognition is turned off in the settings.",
    "ocr-missing": "Scanned document or image: the text recognition models are not installed.",
    "scanned-no-text": "Scanned document: no text could be recognised on its pages.",
    "image-ocr-off": "Image: text recognition is turned off in the settings.",
    "image-too-small": "Image too small to hold readable text.",
    "image-no-text": "No text was recognised in this image.",
    "no-text": "No text found in this document.",
    "empty": "Empty file.",
    "unsupported": "Unsupported format ({ext}).",
    "too-large": "Too large ({size_mb} MB; the limit is {limit_mb} MB in the settings).",
    "too-large-memory": "Too large: reading it needs more memory than the limit in the settings.",
    "damaged": "Damaged file: it cannot be read. Try opening and saving it again.",
    "refused": "Refused for safety (the file looks like a decompression bomb or holds unsafe content).",
    "permission": "Permission denied: Lanterne cannot read this file.",
    "disappeared": "The file disappeared before it could be read.",
    "timeout": "Reading this file took too long.",
    "symlink-outside": "Shortcut (symbolic link) to a file outside this folder: not followed, for privacy.",
    "text-too-large": "Too large for a text document.",
    "crashed": "The reader crashed on this file (damaged or hostile content).",
    "unreadable": "This file could not be read.",
}


@dataclass(frozen=True)
class Failure:
    """What went wrong with one file, as it travels through the worker pipe and into the catalog."""
    code: str
    reason: str  # English detail, for the command line and the log
    params: dict = field(default_factory=dict)

    def as_tuple(self) -> tuple:
        return (self.code, self.reason, dict(self.params))

    @classmethod
    def from_tuple(cls, data) -> "Failure":
        if isinstance(data, str):  # a worker of an older build
            return cls("unreadable", data)
        code, reason, params = data
        return cls(code, reason, dict(params or {}))

    def message(self) -> str:
        """The English message for the code (the command line's short form)."""
        template = FAILURES.get(self.code)
        if template is None:
            return self.reason
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return self.reason


class ExtractionError(LanterneError):
    """A known problem with one file (corrupt, encrypted, empty, too large...). Never a bug."""

    def __init__(self, reason: str, *, code: str = "unreadable", **params) -> None:
        super().__init__(reason, code=code)
        self.reason = reason
        self.params = params

    @property
    def failure(self) -> Failure:
        return Failure(self.code, self.reason, self.params)


class UnsupportedFormat(ExtractionError):
    def __init__(self, reason: str, *, code: str = "unsupported", **params) -> None:
        super().__init__(reason, code=code, **params)
