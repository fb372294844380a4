"""Logging to a rotating file in the data folder. Bugs go there with their traceback."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def setup_logging(folder: Path, *, level: int = logging.INFO, stderr_level: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    log_file = folder / "lanterne.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_lanterne", False):
            root.removeHandler(handler)
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    handler._lanterne = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if stderr_level is not None:
        console = logging.StreamHandler()
        console.setLevel(stderr_level)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console._lanterne = True  # type: ignore[attr-defined]
        root.addHandler(console)
    root.setLevel(level)
    for noisy in ("lancedb", "pyarrow", "urllib3", "sentence_transformers", "transformers", "filelock", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file
