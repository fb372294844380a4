"""The catalog: collections, sources and documents, in SQLite (WAL) inside the data folder.

It is the source of truth for what is indexed. A document's chunks in LanceDB carry a generation
number; only the generation recorded here as ``indexed`` is live, and anything else is garbage
that ``reconcile`` removes. Write order (see IndexingService) keeps this true across crashes.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    path TEXT NOT NULL, kind TEXT NOT NULL, excludes TEXT NOT NULL DEFAULT '[]',
    added_at REAL NOT NULL, last_scan_at REAL, UNIQUE (collection_id, path)
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
    source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    path TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0, mtime_ns INTEGER NOT NULL DEFAULT 0,
    hash TEXT, status TEXT NOT NULL DEFAULT 'pending', reason TEXT, chunk_count INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0, lang TEXT, title TEXT, gen INTEGER NOT NULL DEFAULT 0,
    indexed_at REAL, seen_at REAL, reason_code TEXT, reason_params TEXT,
    UNIQUE (collection_id, path)
);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE INDEX IF NOT EXISTS documents_hash ON documents(hash);
"""

STATUSES = ("pending", "indexing", "indexed", "failed", "unsupported")


@dataclass(frozen=True)
class Collection:
    id: int
    name: str


@dataclass(frozen=True)
class Source:
    id: int
    collection_id: int
    path: str
    kind: str
    excludes: tuple[str, ...]


@dataclass
class DocumentRow:
    id: int
    collection_id: int
    source_id: int | None
    path: str
    size: int
    mtime_ns: int
    hash: str | None
    status: str
    reason: str | None
    chunk_count: int
    pages: int
    lang: str | None
    title: str | None
    gen: int
    indexed_at: float | None
    reason_code: str | None = None  # indexer.errors.FAILURES; None for documents failed before codes
    reason_params: dict | None = None

    @property
    def failure(self):
        from indexer.errors import Failure

        return Failure(self.reason_code or "unreadable", self.reason or "", dict(self.reason_params or {}))


class CatalogDamaged(Exception):
    """The catalog file is not a readable SQLite database (truncated, overwritten...)."""


class Catalog:
    """Thread-safe access to the catalog database.

    Durability: WAL with ``synchronous=NORMAL``, chosen on purpose. In WAL mode a power cut can
    lose the last transactions but never corrupts the database, and losing them is safe here: a
    document is marked indexed only after its chunks are committed, so a lost mark re-indexes it.
    FULL would add an fsync to every commit for nothing the write order does not already give."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            try:
                self._conn.close()
            except Exception:
                pass
            raise CatalogDamaged(str(exc)) from exc

    @classmethod
    def open_or_rebuild(cls, path: Path) -> tuple["Catalog", str | None]:
        """Open the catalog; a damaged one is set aside (kept, renamed) and a new one started.
        Returns the catalog and, when that happened, the name of the copy set aside."""
        try:
            return cls(path), None
        except CatalogDamaged:
            path = Path(path)
            aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(str(path) + suffix)
                if part.exists():
                    part.rename(Path(str(aside) + suffix))
            return cls(path), aside.name

    def file_intact(self, *, confirm: int = 3, pause_s: float = 0.2) -> bool:
        """A cheap check (a stat and the 100-byte header, not a scan) that the file under our open
        connection is still the database: not deleted, replaced, truncated, and its WAL still
        there. A connection keeps working on a file truncated or unlinked under it, and all it
        writes would be lost at the next start.

        A failed look is taken again ``confirm`` times, ``pause_s`` apart: a checkpoint copying the
        WAL into the file writes the header's new page count before the file has grown to it, and
        that moment must not pass for damage (it did, under indexing, and set off a repair)."""
        for attempt in range(max(1, confirm)):
            if attempt:
                time.sleep(pause_s)
            if self._looks_intact():
                return True
        return False

    def _looks_intact(self) -> bool:
        try:
            st = os.stat(self.path)
            with open(self.path, "rb") as fh:
                header = fh.read(100)
        except OSError:
            return False
        if (st.st_dev, st.st_ino) != self._identity:
            return self._damaged("replaced")
        if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
            return self._damaged("header")
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        if st.st_size < pages * page_size:
            return self._damaged(f"truncated: {st.st_size} bytes, the header says {pages} pages of {page_size}")
        return os.path.exists(str(self.path) + "-wal") or self._damaged("its WAL file is gone")

    def _damaged(self, why: str) -> bool:
        log.warning("the catalog file %s does not look intact: %s", self.path, why)
        return False

    def salvage(self) -> bool:
        """After ``file_intact`` failed: write what the live connection still sees to a new file
        and put it in place of the damaged one (kept aside). False when that is not possible."""
        fresh = self.path.with_name(self.path.name + ".salvage")
        aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
        try:
            fresh.unlink(missing_ok=True)
            with self._lock:
                self._conn.execute("VACUUM INTO ?", (str(fresh),))
                check = sqlite3.connect(str(fresh))
                try:
                    ok = check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                finally:
                    check.close()
                if not ok:
                    return False
                self._conn.close()
                for suffix in ("", "-wal", "-shm"):
                    part = Path(str(self.path) + suffix)
                    if part.exists():
                        part.rename(Path(str(aside) + suffix))
                fresh.rename(self.path)
                self._open()
            return True
        except (sqlite3.Error, OSError):
            fresh.unlink(missing_ok=True)
            return False

    def _open(self) -> None:
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            check = self._conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"quick_check: {check}")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            st = os.stat(self.path)
            self._identity = (st.st_dev, st.st_ino)
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)
            columns = {r["name"] for r in self._conn.execute("PRAGMA table_info(documents)")}
            for name in ("reason_code", "reason_params"):  # catalogs of earlier versions
                if name not in columns:
                    self._conn.execute(f"ALTER TABLE documents ADD COLUMN {name} TEXT")
            if self.get_meta("schema_version") is None:
                self.set_meta("schema_version", str(SCHEMA_VERSION))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- plumbing
    def _q(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def transaction(self):
        catalog = self

        class _Tx:
            def __enter__(self_inner):
                catalog._lock.acquire()
                catalog._conn.execute("BEGIN IMMEDIATE")
                return catalog

            def __exit__(self_inner, exc_type, *_):
                try:
                    catalog._conn.execute("ROLLBACK" if exc_type else "COMMIT")
                finally:
                    catalog._lock.release()

        return _Tx()

    def get_meta(self, key: str) -> str | None:
        rows = self._q("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._q("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))

    # -- collections and sources
    def ensure_collection(self, name: str) -> Collection:
        name = name.strip() or "Default"
        self._q("INSERT OR IGNORE INTO collections(name, created_at) VALUES(?, ?)", (name, time.time()))
        row = self._q("SELECT id, name FROM collections WHERE name=?", (name,))[0]
        self._backup_sources()
        return Collection(row["id"], row["name"])

    def rename_collection(self, collection_id: int, name: str) -> Collection:
        """Give a collection another name (documents, folders and index stay as they are).
        Raises ValueError when the name is empty or already used by another collection."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("empty name")
        other = self.collection(name)
        if other is not None and other.id != collection_id:
            raise ValueError("name already used")
        self._q("UPDATE collections SET name=? WHERE id=?", (name, collection_id))
        self._backup_sources()
        return Collection(collection_id, name)

    def collection(self, name: str) -> Collection | None:
        rows = self._q("SELECT id, name FROM collections WHERE name=?", (name,))
        return Collection(rows[0]["id"], rows[0]["name"]) if rows else None

    def collections(self) -> list[Collection]:
        return [Collection(r["id"], r["name"]) for r in self._q("SELECT id, name FROM collections ORDER BY name")]

    def collection_names(self) -> dict[int, str]:
        return {c.id: c.name for c in self.collections()}

    def add_source(self, collection: Collection, path: str, kind: str, excludes: Iterable[str] = ()) -> Source:
        patterns = list(excludes)
        self._q(
            "INSERT INTO sources(collection_id, path, kind, excludes, added_at) VALUES(?, ?, ?, ?, ?) "
            "ON CONFLICT(collection_id, path) DO NOTHING",
            (collection.id, path, kind, json.dumps(patterns), time.time()),
        )
        if patterns:  # given again for an existing source: the new patterns replace the old ones
            self._q("UPDATE sources SET excludes=? WHERE collection_id=? AND path=?",
                    (json.dumps(patterns), collection.id, path))
        row = self._q("SELECT * FROM sources WHERE collection_id=? AND path=?", (collection.id, path))[0]
        self._backup_sources()
        return _source(row)

    def sources(self, collection_id: int | None = None) -> list[Source]:
        if collection_id is None:
            rows = self._q("SELECT * FROM sources ORDER BY collection_id, path")
        else:
            rows = self._q("SELECT * FROM sources WHERE collection_id=? ORDER BY path", (collection_id,))
        return [_source(r) for r in rows]

    def remove_source(self, source_id: int) -> None:
        self._q("DELETE FROM sources WHERE id=?", (source_id,))
        self._backup_sources()

    def set_source_excludes(self, source_id: int, excludes: Iterable[str]) -> None:
        self._q("UPDATE sources SET excludes=? WHERE id=?", (json.dumps([e for e in excludes if e.strip()]), source_id))
        self._backup_sources()

    # -- what the user chose, kept beside the database: a damaged catalog is rebuilt from it
    @property
    def sources_backup(self) -> Path:
        return self.path.with_name(self.path.stem + ".sources.json")

    def _backup_sources(self) -> None:
        data = {"collections": [{"name": c.name, "sources": [{"path": s.path, "kind": s.kind, "excludes": list(s.excludes)}
                                                             for s in self.sources(c.id)]}
                                for c in self.collections()]}
        tmp = self.sources_backup.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(self.sources_backup)
        except OSError:
            pass  # a convenience for repairs; the database itself is the record

    def restore_sources(self) -> int:
        """Collections and sources from the backup (after a damaged catalog was set aside).
        Returns how many sources were restored; their documents are found by the next scan."""
        try:
            data = json.loads(self.sources_backup.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        restored = 0
        for entry in data.get("collections", []):
            coll = self.ensure_collection(entry["name"])
            for src in entry.get("sources", []):
                self.add_source(coll, src["path"], src.get("kind", "folder"), src.get("excludes", []))
                restored += 1
        return restored

    def touch_source(self, source_id: int) -> None:
        self._q("UPDATE sources SET last_scan_at=? WHERE id=?", (time.time(), source_id))

    # -- documents
    def document(self, collection_id: int, path: str) -> DocumentRow | None:
        rows = self._q("SELECT * FROM documents WHERE collection_id=? AND path=?", (collection_id, path))
        return _doc(rows[0]) if rows else None

    def document_by_id(self, doc_id: int) -> DocumentRow | None:
        rows = self._q("SELECT * FROM documents WHERE id=?", (doc_id,))
        return _doc(rows[0]) if rows else None

    def indexed_document(self, path: str) -> DocumentRow | None:
        """The indexed document at ``path`` (the catalog's text form), in whichever collection
        holds it first; None when no collection has it indexed."""
        rows = self._q("SELECT * FROM documents WHERE path=? AND status='indexed' ORDER BY id LIMIT 1", (path,))
        return _doc(rows[0]) if rows else None

    def content_hashes(self) -> set[str]:
        """The content hash of every document the catalog knows (keys of the OCR page cache)."""
        return {r["hash"] for r in self._q("SELECT DISTINCT hash FROM documents WHERE hash IS NOT NULL")}

    def documents(self, collection_id: int | None = None, source_id: int | None = None,
                  status: str | None = None, seen_before: float | None = None) -> Iterator[DocumentRow]:
        sql, params = "SELECT * FROM documents WHERE 1=1", []
        if seen_before is not None:
            sql += " AND (seen_at IS NULL OR seen_at < ?)"
            params.append(seen_before)
        if collection_id is not None:
            sql += " AND collection_id=?"
            params.append(collection_id)
        if source_id is not None:
            sql += " AND source_id=?"
            params.append(source_id)
        if status is not None:
            sql += " AND status=?"
            params.append(status)
        for row in self._q(sql + " ORDER BY id", params):
            yield _doc(row)

    def upsert_document(self, collection_id: int, source_id: int | None, path: str, size: int, mtime_ns: int) -> DocumentRow:
        self._q(
            "INSERT INTO documents(collection_id, source_id, path, size, mtime_ns, status, seen_at) "
            "VALUES(?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT(collection_id, path) DO UPDATE SET seen_at=excluded.seen_at",
            (collection_id, source_id, path, size, mtime_ns, time.time()),
        )
        return self.document(collection_id, path)  # type: ignore[return-value]

    def mark_seen(self, doc_ids: list[int], stamp: float) -> None:
        """Record that a scan found these files (what it did not find has vanished)."""
        with self.transaction():
            for i in range(0, len(doc_ids), 500):
                part = doc_ids[i:i + 500]
                self._conn.execute(f"UPDATE documents SET seen_at=? WHERE id IN ({','.join('?' * len(part))})",
                                   [stamp, *part])

    def mark_indexing(self, doc_ids: list[int]) -> None:
        if doc_ids:
            self._q(f"UPDATE documents SET status='indexing' WHERE id IN ({','.join('?' * len(doc_ids))})", doc_ids)

    def mark_indexed(self, doc_id: int, *, size: int, mtime_ns: int, hash: str, gen: int, chunk_count: int,
                     pages: int, lang: str, title: str) -> None:
        self._q(
            "UPDATE documents SET status='indexed', reason=NULL, reason_code=NULL, reason_params=NULL, size=?, mtime_ns=?, hash=?, gen=?, chunk_count=?, "
            "pages=?, lang=?, title=?, indexed_at=? WHERE id=?",
            (size, mtime_ns, hash, gen, chunk_count, pages, lang, title, time.time(), doc_id),
        )

    def mark_failed(self, doc_id: int, failure, *, size: int, mtime_ns: int, hash: str | None) -> None:
        """``failure``: an ``indexer.errors.Failure``; code "unsupported" gives the status of that name."""
        status = "unsupported" if failure.code == "unsupported" else "failed"
        self._q(
            "UPDATE documents SET status=?, reason=?, reason_code=?, reason_params=?, size=?, mtime_ns=?, hash=?, "
            "chunk_count=0, gen=0, indexed_at=? WHERE id=?",
            (status, failure.reason, failure.code, json.dumps(failure.params), size, mtime_ns, hash, time.time(), doc_id),
        )

    def mark_unchanged(self, doc_id: int, *, size: int, mtime_ns: int) -> None:
        self._q("UPDATE documents SET size=?, mtime_ns=? WHERE id=?", (size, mtime_ns, doc_id))

    def set_pending(self, doc_ids: list[int] | None = None) -> None:
        if doc_ids is None:
            self._q("UPDATE documents SET status='pending', gen=0, chunk_count=0")
        elif doc_ids:
            self._q(f"UPDATE documents SET status='pending' WHERE id IN ({','.join('?' * len(doc_ids))})", doc_ids)

    def has_pending(self, source_id: int) -> bool:
        """Some document of the source waits to be (re)read: re-queued by a repair or a crash."""
        return bool(self._q("SELECT 1 FROM documents WHERE source_id=? AND status IN ('pending', 'indexing') LIMIT 1",
                            (source_id,)))

    def repath(self, doc_id: int, new_path: str) -> None:
        self._q("UPDATE documents SET path=? WHERE id=?", (new_path, doc_id))

    def delete_documents(self, doc_ids: list[int]) -> None:
        for i in range(0, len(doc_ids), 500):
            part = doc_ids[i:i + 500]
            self._q(f"DELETE FROM documents WHERE id IN ({','.join('?' * len(part))})", part)

    def live_generations(self) -> dict[int, int]:
        """doc_id -> live generation, for every document marked indexed."""
        return {r["id"]: r["gen"] for r in self._q("SELECT id, gen FROM documents WHERE status='indexed'")}

    def live_generation_of(self, doc_ids: Iterable[int]) -> dict[int, int]:
        """doc_id -> live generation, for those of ``doc_ids`` that are indexed (or being re-indexed:
        their previous version stays live until the new one is committed)."""
        ids = sorted({int(d) for d in doc_ids})
        out: dict[int, int] = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            for r in self._q(f"SELECT id, gen FROM documents WHERE status IN ('indexed', 'indexing') AND id IN ({','.join('?' * len(part))})",
                             part):
                out[r["id"]] = r["gen"]
        return out

    def next_generation(self) -> int:
        """Monotonic generation numbers, never reused (also across restarts)."""
        with self.transaction():
            current = int(self.get_meta("generation") or "0") + 1
            self.set_meta("generation", str(current))
        return current

    def counts(self, collection_id: int | None = None) -> dict[str, int]:
        sql = "SELECT status, COUNT(*) AS n FROM documents"
        params: list = []
        if collection_id is not None:
            sql += " WHERE collection_id=?"
            params.append(collection_id)
        out = {s: 0 for s in STATUSES}
        for row in self._q(sql + " GROUP BY status", params):
            out[row["status"]] = row["n"]
        return out

    def failures(self, collection_id: int | None = None) -> list[DocumentRow]:
        sql = "SELECT * FROM documents WHERE status IN ('failed', 'unsupported')"
        params: list = []
        if collection_id is not None:
            sql += " AND collection_id=?"
            params.append(collection_id)
        return [_doc(r) for r in self._q(sql + " ORDER BY path", params)]

    def total_chunks(self) -> int:
        return int(self._q("SELECT COALESCE(SUM(chunk_count), 0) AS n FROM documents WHERE status='indexed'")[0]["n"])


def _source(row: sqlite3.Row) -> Source:
    return Source(row["id"], row["collection_id"], row["path"], row["kind"], tuple(json.loads(row["excludes"] or "[]")))


def _doc(row: sqlite3.Row) -> DocumentRow:
    return DocumentRow(
        row["id"], row["collection_id"], row["source_id"], row["path"], row["size"], row["mtime_ns"], row["hash"],
        row["status"], row["reason"], row["chunk_count"], row["pages"], row["lang"], row["title"], row["gen"],
        row["indexed_at"], row["reason_code"], json.loads(row["reason_params"]) if row["reason_params"] else None,
    )
