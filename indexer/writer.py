"""The one writer of the index: it alone knows the table's rows, generations and the order in which
the catalog and the chunk table are written, so that a crash at any moment leaves a state the
next start repairs (``reconcile``).

Commit protocol for a batch of documents (see also core/indexing.py's module notes):
1. a new generation number is taken from the catalog;
2. the documents are marked ``indexing`` in the catalog;
3. their rows are written to the chunk table under that generation, replacing older generations
   of the same documents in one table write;
4. the documents are marked ``indexed`` with the generation and chunk count, in one transaction.
A crash between 2 and 4 leaves documents ``indexing``: ``reconcile`` re-queues them and deletes
chunks that are not the live generation of an indexed document. Vectors are filled in afterwards
(``embed_pending``): text is searchable by keywords as soon as it is written.

A long document is written in parts: a generation is reserved for it, each part is appended under
it (the previous version stays searchable), and the last part's commit swaps them.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pyarrow as pa

from indexer.catalog import Catalog
from indexer.errors import Failure
from indexer.paths import display_path
from indexer.store import ChunkStore, schema
from indexer.types import ChunkData

log = logging.getLogger(__name__)


@dataclass
class DocumentWrite:
    """One document's extracted content, ready to be written."""
    doc_id: int
    path: str  # the catalog's form
    collection_id: int
    chunks: list[ChunkData]
    lang: str = ""
    pages: int = 0
    title: str = ""
    size: int = 0
    mtime_ns: int = 0
    hash: str = ""


@dataclass
class _Reserved:
    generation: int
    count: int = 0  # chunks written in parts so far


@dataclass
class IndexWriter:
    catalog: Catalog
    store: ChunkStore
    _parts: dict[int, _Reserved] = field(default_factory=dict)

    # -- rows
    def rows(self, docs: Sequence[DocumentWrite], generation: int, vectors: np.ndarray | None = None) -> pa.Table:
        """The table rows of ``docs`` under ``generation``: without vectors (``embedded`` false, filled
        in by ``embed_pending``), or with ``vectors`` already computed, one per chunk in order."""
        sch = schema(self.store.dim)
        columns: dict[str, list] = {name: [] for name in sch.names if name != "vector"}
        for doc in docs:
            for chunk in doc.chunks:
                columns["chunk_id"].append(chunk_id(doc.doc_id, generation, chunk.ordinal))
                columns["doc_id"].append(doc.doc_id)
                columns["gen"].append(generation)
                columns["collection_id"].append(doc.collection_id)
                columns["ordinal"].append(chunk.ordinal)
                columns["path"].append(doc.path)
                columns["page"].append(chunk.page)
                columns["heading"].append(chunk.heading)
                columns["start"].append(chunk.start)
                columns["end"].append(chunk.end)
                columns["lang"].append(doc.lang)
                columns["text"].append(chunk.text)
                columns["terms"].append(chunk.terms)
                embed_text = chunk.embed_text or chunk.text
                columns["context"].append(embed_text[:-len(chunk.text)].rstrip("\n")
                                          if embed_text.endswith(chunk.text) else "")
                columns["embedded"].append(vectors is not None)
                columns["row_first"].append(chunk.row_first)
                columns["row_last"].append(chunk.row_last)
        n = len(columns["chunk_id"])
        arrays = {name: pa.array(values, type=sch.field(name).type) for name, values in columns.items()}
        flat = (np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1) if vectors is not None
                else np.zeros(n * self.store.dim, dtype=np.float32))
        if flat.size != n * self.store.dim:
            raise ValueError(f"{n} chunks need {n} vectors of dimension {self.store.dim}")
        arrays["vector"] = pa.FixedSizeListArray.from_arrays(pa.array(flat), self.store.dim)
        return pa.Table.from_arrays([arrays[name] for name in sch.names], schema=sch)

    # -- writing
    def in_parts(self, doc_id: int) -> bool:
        """Parts of this document were written already (its last part commits them)."""
        return doc_id in self._parts

    def write_part(self, doc: DocumentWrite) -> int:
        """Append one part of a long document under its reserved generation. Returns the rows written."""
        reserved = self._parts.get(doc.doc_id)
        if reserved is None:
            reserved = self._parts[doc.doc_id] = _Reserved(self.catalog.next_generation())
            self.catalog.mark_indexing([doc.doc_id])
        table = self.rows([doc], reserved.generation)
        self.store.append(table)
        reserved.count += len(doc.chunks)
        return table.num_rows

    def commit(self, docs: Sequence[DocumentWrite], vectors: np.ndarray | None = None) -> tuple[int, list[int]]:
        """Commit a batch (the protocol above); a long document whose parts were written is finished
        under its reserved generation. ``vectors``: precomputed, one per chunk (benchmarks, imports).
        Returns (rows written, chunk count of each document)."""
        parts = [self._parts.pop(d.doc_id) for d in docs if d.doc_id in self._parts]
        generation = parts[0].generation if parts else self.catalog.next_generation()
        prior = parts[0].count if parts else 0
        doc_ids = [d.doc_id for d in docs]
        table = self.rows(docs, generation, vectors)
        self.catalog.mark_indexing(doc_ids)
        self.store.write(table, generation, doc_ids)  # a full disk surfaces here
        counts = [len(d.chunks) + prior for d in docs]
        with self.catalog.transaction():
            for d, count in zip(docs, counts):
                self.catalog.mark_indexed(d.doc_id, size=d.size, mtime_ns=d.mtime_ns, hash=d.hash, gen=generation,
                                          chunk_count=count, pages=d.pages, lang=d.lang, title=d.title)
        return table.num_rows, counts

    def fail(self, doc_id: int, failure: Failure, *, was_indexed: bool, size: int, mtime_ns: int,
             hash: str | None) -> None:
        """A document that could not be read: parts written before the failure, or its old content
        (which no longer reflects the file), leave the index."""
        if self._parts.pop(doc_id, None) is not None or was_indexed:
            self.store.delete_documents([doc_id])
        self.catalog.mark_failed(doc_id, failure, size=size, mtime_ns=mtime_ns, hash=hash)

    def remove(self, doc_ids: list[int]) -> None:
        """Documents whose files are gone: chunks first, then the catalog rows (a crash in between
        leaves catalog rows the next pass removes again)."""
        if doc_ids:
            self.store.delete_documents(doc_ids)
            self.catalog.delete_documents(doc_ids)

    def repath(self, doc_id: int, new_path: str) -> None:
        """A moved or renamed file: same content, new name; its chunks are kept."""
        self.catalog.repath(doc_id, new_path)
        self.store.repath(doc_id, new_path)

    # -- vectors
    def embed_pending(self, embedder, limit: int) -> int:
        """Embed up to ``limit`` rows that have no vector yet. Returns how many were done."""
        rows = self.store.unembedded(limit)
        if not rows:
            return 0
        vectors = embedder.embed_documents([embed_text(row) for row in rows])
        self.store.set_vectors([row["chunk_id"] for row in rows], vectors)
        return len(rows)

    # -- upkeep
    def maintain(self, *, changed: bool) -> None:
        """BM25 index and compaction after a pass that changed something (or a fresh index)."""
        if changed or not self.store.fts_ready:
            self.store.maintain()

    def reconcile(self) -> dict:
        """Repair after a crash: re-queue half-written documents, delete chunks that are not the
        live generation of an indexed document."""
        catalog, store = self.catalog, self.store
        interrupted = [d.id for d in catalog.documents(status="indexing")]
        found = store.generations()
        # after a rollback of a damaged index, some documents lost their live chunks
        lost = [d.id for d in catalog.documents(status="indexed") if found.get((d.id, d.gen)) != d.chunk_count]
        catalog.set_pending(interrupted + lost)
        removed = store.delete_stale(catalog.live_generations())
        if interrupted or removed or lost:
            log.info("reconcile: %d interrupted and %d incomplete documents re-queued, %d stale chunks removed",
                     len(interrupted), len(lost), removed)
        return {"requeued": len(interrupted) + len(lost), "stale_chunks_removed": removed}


def chunk_id(doc_id: int, generation: int, ordinal: int) -> str:
    return f"{doc_id}-{generation}-{ordinal}"


def embed_text(row: dict) -> str:
    """What the embedder reads: the context header the worker built (file, title, heading path),
    then the text. Rows from an index made before contexts were stored get file and heading."""
    context = row.get("context") or ""
    if not context:
        stem = os.path.splitext(os.path.basename(display_path(row["path"])))[0]
        context = stem + (" > " + row["heading"] if row.get("heading") else "")
    return context + "\n" + row["text"]
