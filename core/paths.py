"""The data folder and its layout. Everything Lanterne writes lives under it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "LANTERNE_DATA_DIR"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Lanterne", appauthor=False, roaming=True))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


@dataclass(frozen=True)
class DataLayout:
    root: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def ocr(self) -> Path:
        """Recognised text of scanned pages, by file content hash (never recognised twice)."""
        return self.root / "ocr"

    @property
    def chats(self) -> Path:
        return self.root / "chats.sqlite"

    @property
    def index_lock(self) -> Path:
        return self.root / "indexing.lock"

    def ensure(self) -> "DataLayout":
        for folder in (self.root, self.logs, self.models):
            folder.mkdir(parents=True, exist_ok=True)
        return self


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


_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0)], "\ufffd")


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences in a file name could retitle or
    clear the terminal) shown as U+FFFD."""
    return text.translate(_CONTROL)
