"""What the library holds, summarised once for every view: `lanterne status`, the sidebar's
collections tree and the diagnostics text all read this (no view counts on its own)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from core.library import Library
from core.paths import display_path, path_from_db


@dataclass
class SourceStatus:
    id: int
    path: str  # as on disk (bytes-safe, see core.paths)
    kind: str
    excludes: list[str]
    present: bool  # the folder or file is there (a drive may be unplugged)

    def as_json(self) -> dict:
        return {"path": display_path(self.path), "kind": self.kind, "excludes": list(self.excludes)}


@dataclass
class CollectionStatus:
    id: int
    name: str
    documents: dict[str, int]  # by catalog status
    sources: list[SourceStatus] = field(default_factory=list)
    failures: list = field(default_factory=list)  # indexer.catalog.DocumentRow

    @property
    def indexed(self) -> int:
        return self.documents.get("indexed", 0)

    @property
    def pending(self) -> int:
        return self.documents.get("pending", 0) + self.documents.get("indexing", 0)

    @property
    def problems(self) -> int:
        return self.documents.get("failed", 0) + self.documents.get("unsupported", 0)

    def as_json(self) -> dict:
        return {"name": self.name, "sources": [s.as_json() for s in self.sources], "documents": self.documents,
                "failures": [{"path": display_path(d.path), "reason": d.reason, "status": d.status,
                              "code": d.failure.code} for d in self.failures]}


@dataclass
class LibraryStatus:
    collections: list[CollectionStatus]
    documents: dict[str, int]
    chunks: int
    semantic_share: float  # share of the chunks semantic search sees (the rest wait for vectors)
    embedder: str
    dimension: int | None
    index_bytes: int

    def as_json(self, data_dir: str) -> dict:
        return {"data_dir": data_dir, "collections": [c.as_json() for c in self.collections],
                "documents": self.documents, "chunks": self.chunks, "semantic_share": round(self.semantic_share, 4),
                "embedder": {"model": self.embedder, "dimension": self.dimension}, "index_bytes": self.index_bytes}


def collect(library: Library, *, failures: bool = True, index: bool = True) -> LibraryStatus:
    """Read the catalog (and, with ``index``, the index without loading the embedder). Call it off
    the UI thread: it touches the disk."""
    catalog = library.catalog
    collections = []
    for coll in catalog.collections():
        status = CollectionStatus(coll.id, coll.name, catalog.counts(coll.id))
        for s in catalog.sources(coll.id):
            path = path_from_db(s.path)
            status.sources.append(SourceStatus(s.id, path, s.kind, list(s.excludes), os.path.exists(path)))
        if failures:
            status.failures = catalog.failures(coll.id)
        collections.append(status)
    store = library.read_only_store() if index else None
    return LibraryStatus(
        collections, catalog.counts(), store.count() if store else 0,
        store.embedded_share() if store else 1.0,
        catalog.get_meta("embedder_id") or library.settings.embedder,
        int(catalog.get_meta("embedder_dim") or 0) or None,
        store.size_bytes() if store else 0)
