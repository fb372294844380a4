"""Keep Hugging Face libraries offline.

Must run before any Hugging Face import (transformers, sentence_transformers, huggingface_hub read
these variables once, at import time). Every module that imports them imports this one first.
"""
from __future__ import annotations

import os

_VARS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TQDM_DISABLE": "1",
}


def enforce_offline() -> None:
    for key, value in _VARS.items():
        os.environ[key] = value


enforce_offline()
