"""Chunk storage in an embedded LanceDB table: vectors for semantic search, analysed terms for BM25.

One writer (the indexing service) and any number of readers: LanceDB versions every commit, so
searches never wait on a write. Maintenance (index refresh, compaction, removal of old versions)
runs after indexing batches, never inside a search.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Iterable, Sequence, TypedDict

import numpy as np
import pyarrow as pa

log = logging.getLogger(__name__)

TABLE = "chunks"
FTS_COLUMN = "terms"
VECTOR_INDEX_MIN_ROWS = 20_000  # below this, exact search is fast enough (~15 ms) and exact
# IVF_SQ measured at 100k chunks (README): 4 s to build, ~6 ms a query, recall@10 0.96 (1.0 with
# refine). HNSW and PQ variants were slower to build and far less accurate here.
VECTOR_NPROBES = 20
VECTOR_REFINE = 5


def import_lancedb():
    """``import lancedb``, without the REST client of LanceDB's remote namespace API.

    Importing lancedb imports ``lance_namespace_urllib3_client``, whose package ``__init__`` builds
    pydantic validators for ~370 HTTP client functions: 0.5 s of a one-shot command's start, for a
    client Lanterne never uses (its index is a local folder). The package is registered without
    running that ``__init__``; its ``models`` submodule, which lancedb does use, imports as usual.
    Falls back to the plain import if the layout differs."""
    import sys

    name = "lance_namespace_urllib3_client"
    if "lancedb" not in sys.modules and name not in sys.modules:
        try:
            import importlib.util
            import types

            spec = importlib.util.find_spec(name)
            if spec is not None and spec.submodule_search_locations:
                package = types.ModuleType(name)
                package.__path__ = list(spec.submodule_search_locations)
                package.__spec__ = spec
                package.__file__ = spec.origin
                sys.modules[name] = package
        except Exception:
            sys.modules.pop(name, None)
    import lancedb

    return lancedb


class ModelMismatch(Exception):
    """The table was built with another embedder (different dimension)."""


def schema(dim: int) -> pa.Schema:
    return pa.schema([
        pa.field("chunk_id", pa.string()),
        pa.field("doc_id", pa.int64()),
        pa.field("gen", pa.int64()),
        pa.field("collection_id", pa.int64()),
        pa.field("ordinal", pa.int32()),
        pa.field("path", pa.string()),
        pa.field("page", pa.int32()),
        pa.field("heading", pa.string()),
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("lang", pa.string()),
        pa.field("text", pa.string()),
        pa.field(FTS_COLUMN, pa.string()),
        pa.field("vector", pa.list_(pa.float32(), dim)),
        # Vectors follow the text: a chunk is keyword-searchable once written, semantically once
        # ``embedded`` (its vector is zero until then). ``context`` is what the embedder reads
        # before the text (file, title, heading path).
        pa.field("context", pa.string(), nullable=False),
        pa.field("embedded", pa.bool_(), nullable=False),
        # Spreadsheets and CSV: the sheet rows a chunk covers (0: not a table), for citations.
        pa.field("row_first", pa.int32(), nullable=False),
        pa.field("row_last", pa.int32(), nullable=False),
    ])


class ScoredChunk(TypedDict):
    """A search result as the store returns it: the display columns and one ``score`` (BM25, or
    cosine similarity); LanceDB's own ``_score``/``_distance`` never leave the store."""
    chunk_id: str
    doc_id: int
    gen: int
    ordinal: int
    collection_id: int
    path: str
    page: int
    heading: str
    start: int
    end: int
    text: str
    lang: str
    embedded: bool
    row_first: int
    row_last: int
    score: float


DISPLAY_COLUMNS = ["chunk_id", "doc_id", "gen", "ordinal", "collection_id", "path", "page", "heading", "start", "end",
                   "text", "lang", "embedded", "row_first", "row_last"]


class ChunkStore:
    def __init__(self, folder: Path, dim: int) -> None:
        lancedb = import_lancedb()

        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self._db = lancedb.connect(str(self.folder))
        self._write_lock = threading.Lock()
        self.notice: str | None = None  # what recovery did, for the user (None: nothing to say)
        self._pending_vectors: int | None = None  # rows without a vector (None: not counted yet)
        self.rebuilt = False  # True: the table was recreated empty; every document must be re-indexed
        self._table = self._open_with_recovery()
        vector_type = self._table.schema.field("vector").type
        if getattr(vector_type, "list_size", dim) != dim:
            raise ModelMismatch(f"index vectors have {vector_type.list_size} dimensions, the embedder {dim}")
        if "embedded" not in self._table.schema.names:
            # an index from before vectors were filled in the background: every row has its vector
            self._table.add_columns({"context": "''", "embedded": "true"})
        if "row_first" not in self._table.schema.names:
            # an index from before table rows were cited: spreadsheets show their sheet only
            self._table.add_columns({"row_first": "CAST(0 AS INT)", "row_last": "CAST(0 AS INT)"})
        self._fts_ready = self._has_fts_index()

    # -- opening, and surviving a power cut
    @property
    def table_dir(self) -> Path:
        return self.folder / f"{TABLE}.lance"

    def _probe(self):
        table = self._db.create_table(TABLE, schema=schema(self.dim), exist_ok=True)
        table.count_rows()
        table.search().select(["doc_id"]).limit(1).to_arrow()  # reads the manifest and a data file
        return table

    def _newest_manifest(self) -> Path | None:
        versions = self.table_dir / "_versions"
        manifests = sorted(versions.glob("*.manifest"), key=lambda p: p.name) if versions.is_dir() else []
        if not manifests:
            return None
        # v2 naming stores u64::MAX - version: the smallest number is the newest version
        numbers = [(int(p.stem), p) for p in manifests if p.stem.isdigit()]
        if numbers and all(n > 2**63 for n, _ in numbers):
            return min(numbers)[1]
        return max(numbers)[1] if numbers else manifests[-1]

    def _open_with_recovery(self):
        """Open the table; if its newest version is damaged (a truncated or empty manifest after a
        power cut), roll back version by version; if nothing opens, set the table aside and start
        empty (the catalog then re-indexes everything from the source files)."""
        errors = []
        for _ in range(8):
            try:
                table = self._probe()
                if errors:
                    self.notice = ("The search index was damaged (interrupted write or power cut) and was rolled back "
                                   f"to its last good state ({len(errors)} version(s) set aside). "
                                   "Documents written since are re-indexed automatically.")
                    log.warning("%s Errors: %s", self.notice, errors)
                return table
            except Exception as exc:  # Lance reports corruption with assorted error types
                errors.append(str(exc)[:200])
                newest = self._newest_manifest()
                if newest is None or not self.table_dir.exists():
                    break
                newest.rename(newest.with_name(newest.name + ".damaged"))
                (self.table_dir / "_versions" / "latest_version_hint.json").unlink(missing_ok=True)
                if self._newest_manifest() is None:
                    break  # no good version left: rebuild rather than start an empty table in place
                self._db = import_lancedb().connect(str(self.folder))
        aside = self.folder / f"{TABLE}.lance.damaged-{int(time.time())}"
        if self.table_dir.exists():
            self.table_dir.rename(aside)
        self._db = import_lancedb().connect(str(self.folder))
        table = self._db.create_table(TABLE, schema=schema(self.dim), exist_ok=True)
        self.rebuilt = True
        self.notice = ("The search index could not be repaired and is being rebuilt from your documents "
                       f"(the damaged copy was kept in {aside.name}).")
        log.error("%s Errors: %s", self.notice, errors)
        return table

    # -- housekeeping
    def _has_fts_index(self) -> bool:
        try:
            return any(FTS_COLUMN in idx.columns for idx in self._table.list_indices())
        except Exception:
            return False

    def recreate(self) -> None:
        """Drop everything (another embedder was chosen): the catalog re-queues every document."""
        with self._write_lock:
            self._db.drop_table(TABLE)
            self._table = self._db.create_table(TABLE, schema=schema(self.dim), exist_ok=True)
            self._fts_ready = False
            self._pending_vectors = None

    def count(self) -> int:
        return self._table.count_rows()

    def refresh(self) -> None:
        """See commits made by other processes (the CLI and the app may share a data folder)."""
        try:
            self._table.checkout_latest()
        except Exception:
            pass

    # -- writes
    def write(self, rows: pa.Table, generation: int, doc_ids: Sequence[int]) -> None:
        """Add new chunks, then drop other generations of the same documents. Added first so a
        document never vanishes from search while it is re-indexed."""
        with self._write_lock:
            if rows.num_rows:
                self._table.add(rows)
                self._pending_vectors = None
            if doc_ids:
                ids = ",".join(str(int(d)) for d in doc_ids)
                self._table.delete(f"doc_id IN ({ids}) AND gen != {int(generation)}")

    def append(self, rows: pa.Table) -> None:
        """Add chunks without touching other generations (parts of a long document)."""
        with self._write_lock:
            if rows.num_rows:
                self._table.add(rows)
                self._pending_vectors = None

    def delete_documents(self, doc_ids: Iterable[int]) -> None:
        ids = [int(d) for d in doc_ids]
        with self._write_lock:
            for i in range(0, len(ids), 1000):
                part = ",".join(map(str, ids[i:i + 1000]))
                self._table.delete(f"doc_id IN ({part})")

    def delete_stale(self, live: dict[int, int]) -> int:
        """Remove every chunk whose (doc_id, gen) is not live in the catalog. Returns rows removed."""
        found = self.generations()
        stale_docs = sorted({d for (d, g) in found if live.get(d) != g})
        if not stale_docs:
            return 0
        removed = sum(n for (d, g), n in found.items() if live.get(d) != g)
        with self._write_lock:
            for i in range(0, len(stale_docs), 500):
                part = stale_docs[i:i + 500]
                clauses = []
                for d in part:
                    g = live.get(d)
                    clauses.append(f"(doc_id = {d})" if g is None else f"(doc_id = {d} AND gen != {g})")
                self._table.delete(" OR ".join(clauses))
        return removed

    def repath(self, doc_id: int, new_path: str) -> None:
        with self._write_lock:
            self._table.update(where=f"doc_id = {int(doc_id)}", values={"path": new_path})

    def generations(self) -> dict[tuple[int, int], int]:
        """(doc_id, gen) -> chunk count, scanning two small integer columns only."""
        n = self._table.count_rows()
        if n == 0:
            return {}
        data = self._table.search().select(["doc_id", "gen"]).limit(n).to_arrow()
        counts: dict[tuple[int, int], int] = {}
        if data.num_rows:
            pairs = np.stack([data.column("doc_id").to_numpy(), data.column("gen").to_numpy()], axis=1)
            uniq, cnt = np.unique(pairs, axis=0, return_counts=True)
            for (d, g), c in zip(uniq.tolist(), cnt.tolist()):
                counts[(int(d), int(g))] = int(c)
        return counts

    @property
    def fts_ready(self) -> bool:
        """The BM25 index exists (built by ``maintain``)."""
        return self._fts_ready

    def maintain(self, *, force_fts: bool = False) -> None:
        """Keep the table tidy: build or refresh the BM25 index, compact small fragments, drop old
        versions, and build a vector index once the table is large."""
        started = time.perf_counter()
        with self._write_lock:
            try:
                if not self._fts_ready or force_fts:
                    if self._table.count_rows():
                        from lancedb.index import FTS

                        # Terms are analysed by us (indexer.textproc): the index only splits on spaces.
                        config = FTS(with_position=False, base_tokenizer="whitespace", lower_case=False, stem=False,
                                     remove_stop_words=False, ascii_folding=False, max_token_length=40)
                        self._table.create_index(FTS_COLUMN, config=config, replace=True)
                        self._fts_ready = True
                self._table.optimize(cleanup_older_than=timedelta(hours=1))
                rows = self._table.count_rows()
                # IVF partitions are trained on the vectors: wait until every row has its own
                if (rows >= VECTOR_INDEX_MIN_ROWS and not self.unembedded_count()
                        and not any("vector" in i.columns for i in self._table.list_indices())):
                    from lancedb.index import IvfSq

                    self._table.create_index("vector", config=IvfSq(distance_type="cosine"))
            except Exception:
                log.exception("index maintenance failed (search keeps working on the last good version)")
        log.info("index maintenance took %.2f s", time.perf_counter() - started)

    # -- reads
    @staticmethod
    def _where(collection_ids: Sequence[int] | None) -> str | None:
        if not collection_ids:
            return None
        return f"collection_id IN ({','.join(str(int(c)) for c in collection_ids)})"

    def vector_search(self, vector: np.ndarray, k: int, collection_ids: Sequence[int] | None = None) -> list[ScoredChunk]:
        """The ``k`` nearest chunks; ``score`` is the cosine similarity."""
        query = self._table.search(np.asarray(vector, dtype=np.float32), query_type="vector", vector_column_name="vector")
        query = query.distance_type("cosine").nprobes(VECTOR_NPROBES).refine_factor(VECTOR_REFINE)
        query = query.select(DISPLAY_COLUMNS + ["_distance"]).limit(k)
        where = self._where(collection_ids)
        if self._partly_embedded:
            where = "embedded = true" + (f" AND {where}" if where else "")
        if where:
            query = query.where(where, prefilter=True)
        rows = query.to_arrow().to_pylist()
        for row in rows:  # LanceDB's cosine distance stays here: callers get a similarity
            row["score"] = 1.0 - float(row.pop("_distance"))
        return rows

    # -- vectors filled in the background
    @property
    def _partly_embedded(self) -> bool:
        """True while some rows wait for their vector (cached; a write or backfill resets it)."""
        if self._pending_vectors is None:
            self._pending_vectors = self._count_unembedded()
        return self._pending_vectors > 0

    def _count_unembedded(self) -> int:
        try:
            return self._table.count_rows("embedded = false")
        except Exception:
            log.exception("cannot count the rows without a vector")
            return 1  # assume some: vector search then filters, which is always correct

    def unembedded_count(self) -> int:
        """Rows waiting for a vector, counted now."""
        self._pending_vectors = self._count_unembedded()
        return self._pending_vectors

    def embedded_share(self) -> float:
        """Share of the chunks that semantic search can see (1.0 for an empty index)."""
        total = self._table.count_rows()
        return 1.0 if not total else 1.0 - self.unembedded_count() / total

    def unembedded(self, limit: int) -> list[dict]:
        """Up to ``limit`` rows waiting for a vector: chunk_id, and what the embedder reads."""
        if not self._partly_embedded:
            return []
        return (self._table.search().where("embedded = false")
                .select(["chunk_id", "path", "heading", "context", "text"]).limit(limit).to_arrow().to_pylist())

    def set_vectors(self, chunk_ids: Sequence[str], vectors: np.ndarray) -> None:
        """Store the vectors of chunks written before (rows deleted meanwhile are ignored)."""
        if not chunk_ids:
            return
        flat = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1)
        update = pa.table({
            "chunk_id": pa.array(list(chunk_ids), pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(flat, type=pa.float32()), self.dim),
            "embedded": pa.array([True] * len(chunk_ids), pa.bool_()),
        })
        with self._write_lock:
            self._table.merge_insert("chunk_id").when_matched_update_all().execute(update)
            self._pending_vectors = None

    def forget_vectors(self) -> None:
        """Another embedder was chosen: every row is re-embedded in the background, while keyword
        search keeps working on the same rows."""
        with self._write_lock:
            self._table.update(where="embedded = true", values={"embedded": False})
            self._pending_vectors = None
            self._drop_vector_index()

    def _drop_vector_index(self) -> None:
        try:
            for idx in self._table.list_indices():
                if "vector" in idx.columns:
                    self._table.drop_index(idx.name)
        except Exception:
            log.exception("could not drop the vector index")

    def text_search(self, terms: str, k: int, collection_ids: Sequence[int] | None = None) -> list[ScoredChunk]:
        """The ``k`` best BM25 matches of analysed ``terms``; ``score`` is the BM25 score."""
        if not terms.strip() or not self._fts_ready and not self._has_fts_index():
            return []
        self._fts_ready = True
        query = self._table.search(terms, query_type="fts", fts_columns=FTS_COLUMN).select(DISPLAY_COLUMNS + ["_score"]).limit(k)
        where = self._where(collection_ids)
        if where:
            query = query.where(where, prefilter=True)
        try:
            rows = query.to_arrow().to_pylist()
        except Exception:
            log.exception("full-text search failed")
            return []
        for row in rows:
            row["score"] = float(row.pop("_score"))
        return rows

    def document_chunks(self, doc_id: int) -> list[dict]:
        """The chunks of one document's newest generation, in reading order (for the preview)."""
        rows = (self._table.search().where(f"doc_id = {int(doc_id)}")
                .select(DISPLAY_COLUMNS).limit(1_000_000).to_arrow().to_pylist())
        if not rows:
            return []
        newest = max(r["gen"] for r in rows)
        return sorted((r for r in rows if r["gen"] == newest), key=lambda r: r["ordinal"])

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
