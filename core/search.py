"""Hybrid search: BM25 over our own per-language analysis, plus vector search, fused.

Why not plain reciprocal-rank fusion: RRF gives both lists the same vote. When one retriever is
weak for a query — an English-only embedder on a French question — its noise drags the fusion
below BM25 alone (measured on PIAF, see the README). We fuse normalised *scores* with weights set
per query from what each retriever is known to be good at:

- the vector list counts fully when the embedder was trained on the query's language, little when
  it was not (its similarities are then mostly noise, though names and numbers still help);
- BM25 counts fully when its best hit stands out, less when it is flat (no distinctive term
  matched, the case where semantic search earns its keep).

A candidate's fused score is the weighted sum of its normalised BM25 and vector scores, so a
passage both retrievers like beats one only a single retriever likes; then each passage gets a
share of its document's best score (a document prior: a document that matches as a whole is more
likely to hold the answer than a lone passage of an off-topic one).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.library import Library
from core.paths import display_path, lossless_path, path_from_db
from indexer.textproc import analyze_query, query_languages

log = logging.getLogger(__name__)


@dataclass
class Hit:
    chunk_id: str
    doc_id: int
    path: str
    page: int
    heading: str
    text: str
    score: float
    start: int = 0
    end: int = 0
    bm25: float = 0.0
    vector: float = 0.0
    rows: tuple[int, int] | None = None  # spreadsheets and CSV: the sheet rows (first, last)
    ordinal: int = 0  # the chunk's place in its document

    @property
    def file_path(self) -> str:
        """The path on disk (``path`` is the catalog's text form)."""
        return path_from_db(self.path)

    def as_json(self) -> dict:
        out = {"path": display_path(self.path), "page": self.page or None, "text": self.text,
               "score": round(self.score, 5), "chunk_id": self.chunk_id, "heading": self.heading}
        if self.rows:
            out["rows"] = list(self.rows)
        raw = lossless_path(self.path)
        if raw is not None:
            out["path_bytes_hex"] = raw  # the exact name, when it is not valid UTF-8
        return out


@dataclass(frozen=True)
class FusionWeights:
    """Tunable weights; the defaults were chosen on PIAF (French) and English synthetic sets."""

    vector_in_language: float = 1.0
    vector_out_of_language: float = 0.3
    bm25: float = 1.0
    document_prior: float = 1.0
    candidates: int = 50
    # Similarities of the vector candidates are scaled over at least this span: when they are all
    # nearly equal (a 5,000-row price list: 0.860-0.869), none of them is a real match, and a
    # min-max scale would still give the first a full point, tying a decisive keyword match.
    vector_min_spread: float = 0.04  # PIAF: R@1 0.738 -> 0.744, R@5 0.924 either way (0.06+ loses R@5)
    short_words: int = 12  # passages shorter than this are demoted (see ``substance``)


class SearchEngine:
    MODES = ("hybrid", "bm25", "vector")

    def __init__(self, library: Library, weights: FusionWeights | None = None) -> None:
        self.library = library
        self.weights = weights or FusionWeights()
        self._corpus_langs: list[str] | None = None
        # the last few questions' vectors (evidence reuses them), by model: after the user switches
        # embedders (``Library.change_embedder``), the old model's vectors must not be searched with
        self._vectors: dict[tuple[str, str], object] = {}
        self._vectors_lock = threading.Lock()

    def query_vector(self, query: str):
        """The embedder's vector for ``query``, computed once for retrieval and evidence ranking."""
        embedder = self.library.embedder
        key = (embedder.model_id, query)
        with self._vectors_lock:
            vector = self._vectors.get(key)
        if vector is None:
            vector = embedder.embed_query(query)
            with self._vectors_lock:
                if len(self._vectors) >= 8:
                    self._vectors.pop(next(iter(self._vectors)))
                self._vectors[key] = vector
        return vector

    def collection_ids(self, names: Sequence[str] | None) -> list[int] | None:
        if not names:
            return None
        ids = []
        for name in names:
            coll = self.library.catalog.collection(name)
            if coll is None:
                from core.errors import LanterneError

                raise LanterneError(f"No collection named {name!r}.", code="no-collection")
            ids.append(coll.id)
        return ids

    def corpus_languages(self) -> list[str]:
        if self._corpus_langs is None:
            counts: dict[str, int] = {}
            for doc in self.library.catalog.documents(status="indexed"):
                if doc.lang:
                    counts[doc.lang] = counts.get(doc.lang, 0) + doc.chunk_count
            self._corpus_langs = [l for l, _ in sorted(counts.items(), key=lambda kv: -kv[1])][:2]
        return self._corpus_langs

    def retrieve(self, query: str, n: int, collection_ids: Sequence[int] | None,
                 modes: Sequence[str] = ("bm25", "vector")) -> tuple[list[dict], list[dict], list[str]]:
        """Candidates from each retriever: (bm25 rows, vector rows, query languages)."""
        store = self.library.store
        langs = query_languages(query, self.corpus_languages())
        t0 = time.perf_counter()
        bm25_rows = store.text_search(analyze_query(query, langs), n, collection_ids) if "bm25" in modes else []
        t1 = time.perf_counter()
        vec_rows: list[dict] = []
        if "vector" in modes:
            vec_rows = store.vector_search(self.query_vector(query), n, collection_ids)
        log.debug("search %r: bm25 %.1f ms, vector %.1f ms", query, (t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3)
        return bm25_rows, vec_rows, langs

    def search(self, query: str, k: int = 10, collections: Sequence[str] | None = None,
               mode: str = "hybrid") -> list[Hit]:
        query = query.strip()
        if not query:
            return []
        ids = self.collection_ids(collections)
        n = max(k, self.weights.candidates)
        modes = ("bm25", "vector") if mode == "hybrid" else (mode,)
        bm25_rows, vec_rows, langs = self.retrieve(query, n, ids, modes)
        bm25_rows, vec_rows = self._live(bm25_rows, vec_rows)
        if mode == "bm25":
            return [_hit(r, r["score"], bm25=r["score"]) for r in bm25_rows[:k]]
        if mode == "vector":
            return [_hit(r, r["score"], vector=r["score"]) for r in vec_rows[:k]]
        return self.fuse(bm25_rows, vec_rows, langs, k)

    def _live(self, *lists: list[dict]) -> tuple[list[dict], ...]:
        """Only chunks of a document's live generation: after an interrupted run, the chunks of a
        version that was never marked indexed are not search results (the next start deletes
        them). One catalog query for all the lists."""
        doc_ids = {r["doc_id"] for rows in lists for r in rows}
        live = self.library.catalog.live_generation_of(doc_ids) if doc_ids else {}
        return tuple([r for r in rows if live.get(int(r["doc_id"])) == int(r["gen"])] for rows in lists)

    def fuse(self, bm25_rows: list[dict], vec_rows: list[dict], langs: list[str], k: int) -> list[Hit]:
        w = self.weights
        emb_langs = getattr(self.library.embedder, "languages", frozenset())
        in_language = not emb_langs or (bool(langs) and langs[0] in emb_langs)
        w_vec = w.vector_in_language if in_language else w.vector_out_of_language
        w_bm25 = w.bm25

        bm25 = {r["chunk_id"]: float(r["score"]) for r in bm25_rows}
        sims = {r["chunk_id"]: float(r["score"]) for r in vec_rows}
        bm25_n = _normalise(bm25)
        vec_n = _normalise(sims, w.vector_min_spread)
        rows = {r["chunk_id"]: r for r in vec_rows}
        rows.update({r["chunk_id"]: r for r in bm25_rows})
        scores = {}
        for cid, row in rows.items():
            if row.get("embedded", True) or cid in sims:
                scores[cid] = w_bm25 * bm25_n.get(cid, 0.0) + w_vec * vec_n.get(cid, 0.0)
            else:
                # No vector yet (written seconds ago, or being re-embedded): its semantic score is
                # unknown, not zero. Judge it on what is known, at the full weight, so it is not
                # ranked below worse passages that happen to have a vector.
                scores[cid] = (w_bm25 + w_vec) * bm25_n.get(cid, 0.0)
        best_of_doc: dict[int, float] = {}
        for cid, score in scores.items():
            doc = int(rows[cid]["doc_id"])
            best_of_doc[doc] = max(best_of_doc.get(doc, 0.0), score)
        doc_n = _normalise({str(d): s for d, s in best_of_doc.items()})
        fused = []
        for cid, row in rows.items():
            score = scores[cid] + w.document_prior * doc_n.get(str(int(row["doc_id"])), 0.0)
            score *= substance(row["text"], w.short_words)
            fused.append(_hit(row, score, bm25=bm25.get(cid, 0.0), vector=sims.get(cid, 0.0)))
        fused.sort(key=lambda h: (-h.score, h.chunk_id))
        return fused[:k]


def rrf(bm25_rows: list[dict], vec_rows: list[dict], k: int, c: int = 60) -> list[str]:
    """Plain reciprocal-rank fusion (the common default), kept for the benchmark's comparison."""
    scores: dict[str, float] = {}
    for rows in (bm25_rows, vec_rows):
        for rank, row in enumerate(rows):
            scores[row["chunk_id"]] = scores.get(row["chunk_id"], 0.0) + 1.0 / (c + rank + 1)
    return [cid for cid, _ in sorted(scores.items(), key=lambda kv: -kv[1])[:k]]


def substance(text: str, short_words: int) -> float:
    """A factor in (0, 1] that demotes passages too short to answer anything on their own.

    A one-line chunk ("Fait à Lyon, le 15 février 2024", a signature, a page header) matches many
    questions a little: its few words all count, a short text's embedding sits close to many
    queries, and it inherits its document's prior. Measured: such a line was among the sources of
    nearly every answer in a first-use test, and outscored the clause that held the answer on both
    BM25 and vector similarity (0.96 vs 0.82, 0.87 vs 0.85). The factor is words / short_words,
    capped at 1, so passages of 12 words and more are untouched (no PIAF passage is that short:
    R@k unchanged); a square root was measured too weak for that case."""
    words = len(text.split())
    return 1.0 if words >= short_words else max(words, 1) / short_words


def _normalise(scores: dict[str, float], min_spread: float = 0.0) -> dict[str, float]:
    """Scale to [0, 1] against the list's best and its tail (min-max over the candidates); with
    ``min_spread``, a list whose values lie closer together than that is scaled over that span
    (its best gets less than 1)."""
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    hi, lo = float(values.max()), float(values.min())
    spread = max(hi - lo, min_spread)
    if spread < 1e-9:
        return {key: 1.0 for key in scores}
    return {key: (value - lo) / spread for key, value in scores.items()}


def _hit(row: dict, score: float, *, bm25: float = 0.0, vector: float = 0.0) -> Hit:
    return Hit(chunk_id=row["chunk_id"], doc_id=int(row["doc_id"]), path=row["path"],
               page=int(row["page"] or 0), heading=row.get("heading") or "", text=row["text"], score=float(score),
               start=int(row.get("start") or 0), end=int(row.get("end") or 0), bm25=bm25, vector=vector,
               rows=(int(row["row_first"]), int(row["row_last"])) if row.get("row_first") else None,
               ordinal=int(row.get("ordinal") or 0))
