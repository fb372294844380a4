"""How file paths are stored in the catalog and the index. Paths are text there; a name that is
not valid UTF-8 (possible on Linux) is kept reversibly as escaped bytes ("\\x00fs:" + hex)."""
from __future__ import annotations

import os


def path_to_db(path: str) -> str:
    """Paths are stored as text; a name that is not valid UTF-8 (possible on Linux) is kept
    reversibly as escaped bytes instead of crashing the catalog."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        raw = os.fsencode(path)
        return "\x00fs:" + raw.hex()


def path_from_db(text: str) -> str:
    if text.startswith("\x00fs:"):
        return os.fsdecode(bytes.fromhex(text[4:]))
    return text


def display_path(text: str) -> str:
    if text.startswith("\x00fs:"):
        return bytes.fromhex(text[4:]).decode("utf-8", errors="replace")
    return text


def lossless_path(text: str) -> str | None:
    """For a name that is not valid UTF-8, its exact bytes as hex (JSON output gives both the
    readable form, with U+FFFD, and this one); None for an ordinary name."""
    return text[4:] if text.startswith("\x00fs:") else None
