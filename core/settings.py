"""Typed, versioned settings stored as JSON in the data folder. Tests build their own Settings."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SETTINGS_VERSION = 2

DEFAULT_EXCLUDES = [
    ".*",                    # hidden files and folders (.git, .DS_Store, .~lock.x#...)
    "~$*",                   # Office lock files
    "~*.tmp", "*.tmp", "*.temp", "*.swp", "*.swx", "*~", "*.part", "*.crdownload", "*.partial",
    "Thumbs.db", "desktop.ini", "ehthumbs.db",
    "node_modules/", "__pycache__/", "venv/", "build/", "dist/", "target/", "*.pyc", "*.o", "*.class",
    "$RECYCLE.BIN/", "System Volume Information/",
]


def _cores() -> int:
    return os.cpu_count() or 2


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    embedder: str = "multilingual-e5-small"  # or "all-MiniLM-L6-v2", or a sentence-transformers folder
    chunk_tokens: int = 320
    chunk_overlap: int = 40
    indexing_workers: int = field(default_factory=lambda: max(1, _cores() - 1))
    embed_threads: int = field(default_factory=_cores)
    max_file_mb: int = 1024
    extract_timeout_s: float = 120.0
    extract_memory_mb: int = 3072
    default_excludes: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    search_k: int = 10
    ocr_enabled: bool = True  # recognise the text of scanned PDFs and images
    ocr_languages: str = "fra+eng"  # Tesseract codes joined by "+"; installed ones are listed in Settings
    follow_links_outside: bool = False  # symbolic links leading out of an indexed folder are not followed
    part_chunks: int = 1024  # long documents are embedded and committed in parts of this many chunks
    commit_every_s: float = 10.0  # a crash loses at most this much embedding work
    answer_temperature: float = 0.1  # 0: the same answer every time for the same passages
    passages_per_answer: int = 4  # each costs ~250 prompt tokens: the main term of time to first word
    llm_context: int = 0  # 0: chosen from the model's training context and free RAM
    gpu_layers: int = -1  # -1: all layers when llama.cpp has a GPU backend, else CPU
    language: str = "system"  # "system" | "en" | "fr"
    theme: str = "system"  # "system" | "light" | "dark"
    strict_offline: bool = False
    audit_questions: bool = False  # `lanterne serve`: also write each question to logs/audit.log
    # Answers from an OpenAI-compatible engine (llama.cpp server, vLLM, Ollama, another Lanterne)
    # instead of the in-process model; empty: the local model. The key is read from the named
    # environment variable, never stored here.
    answer_engine_url: str = ""
    answer_engine_model: str = ""
    answer_engine_key_env: str = ""
    answer_engine_context: int = 8192
    # The desktop as a client of a Lanterne server (`lanterne serve` on an office machine): its
    # collections appear beside the local ones; the token is kept in ``client-token`` (core/client.py).
    server_url: str = ""
    # desktop
    close_to_tray: bool = True  # closing the window keeps watching and indexing in the background
    welcomed: bool = False  # the first-run welcome was shown
    zoom: float = 1.0  # text size factor (View ▸ Larger text, Ctrl+plus)

    @classmethod
    def load(cls, path: Path) -> "Settings":
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("settings file %s unreadable; using defaults (the file is kept as .bad)", path)
            try:
                path.replace(path.with_suffix(".json.bad"))
            except OSError:
                pass
            return cls()
        data = migrate(data)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: Path) -> None:
        """Atomic: written to a temporary file, then renamed over the old one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=str(path.parent))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(dataclasses.asdict(self), fh, indent=2, ensure_ascii=False)
        os.replace(tmp, path)


def migrate(data: dict) -> dict:
    """Bring an older settings dict up to SETTINGS_VERSION. Each step is kept forever."""
    version = int(data.get("version", 1))
    if version == 1:
        # 2: the default embedder became multilingual. A folder that used the old default moves
        # to the new one (its chunks are re-embedded in the background, keyword search goes on);
        # a model folder the user chose is kept.
        if data.get("embedder") in (None, "all-MiniLM-L6-v2"):
            data["embedder"] = "multilingual-e5-small"
        version = 2
    data["version"] = max(version, SETTINGS_VERSION)
    return data
