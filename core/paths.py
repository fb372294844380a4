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


# How paths are stored is the indexer's business; these names are kept here for core's callers.
from indexer.paths import display_path, lossless_path, path_from_db, path_to_db  # noqa: E402,F401

_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0)], "\ufffd")


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences in a file name could retitle or
    clear the terminal) shown as U+FFFD."""
    return text.translate(_CONTROL)
