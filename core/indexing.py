"""The indexing pipeline: scan -> extract and chunk (worker processes) -> embed (batched) -> store.

Extraction of the next files overlaps with embedding of the previous ones; embeddings are computed
in large batches across documents; chunks are written in large batches (one LanceDB commit for
many documents). Write order keeps the index consistent whatever instant the process dies at:

1. catalog: the batch's documents are marked ``indexing``;
2. LanceDB: their new chunks are added under a fresh generation, then older generations deleted;
3. catalog: each document is marked ``indexed`` with that generation.

On the next start, ``reconcile`` puts ``indexing`` documents back in the queue and deletes every
chunk whose generation is not the live one, so no document is ever marked indexed without its
chunks and no orphan chunk survives.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyarrow as pa

from core.errors import DiskFullError, IndexBusyError, LanterneError
from core.library import Library
from core.paths import display_path, lossless_path, path_from_db, path_to_db
from indexer.catalog import Collection, DocumentRow, Source
from indexer.formats.detect import DOCUMENT_EXTENSIONS
from indexer.scan import FileEntry, ScanProblem, build_spec, content_hash, normalise_source, walk
from indexer.store import VECTOR_INDEX_MIN_ROWS, schema
from indexer.workers import ExtractionPool, Job, JobResult, WorkerConfig

log = logging.getLogger(__name__)

EMBED_BATCH = 64  # chunks per embedding call, then one vector update
WRITE_ROWS = 4096  # chunks per LanceDB commit
WRITE_EVERY_S = 2.0  # text rows wait at most this long for a commit (keyword search sees them then)


@dataclass
class Progress:
    """A snapshot of an indexing run, safe to hand to any thread."""

    state: str = "idle"  # idle | scanning | indexing | embedding | paused | done | cancelled | error
    collection: str = ""
    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    pages_done: int = 0
    chunks_done: int = 0
    vectors_total: int = 0  # chunks waiting for a vector when the run started, plus this run's
    vectors_done: int = 0
    failures: int = 0
    current: str = ""
    ocr_page: int = 0  # while the current file's text is being recognised: its page...
    ocr_pages: int = 0  # ...of this many
    ocr_waiting: int = 0  # scans set aside for recognition after the other files (this run)
    elapsed_s: float = 0.0
    rate_files_s: float = 0.0
    rate_chunks_s: float = 0.0
    eta_s: float | None = None
    message: str = ""
    code: str = ""  # with state "error": the error's code (disk-full, permission...)


@dataclass
class Report:
    files_seen: int = 0
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    moved: int = 0
    failed: list[dict] = field(default_factory=list)
    chunks: int = 0
    pages: int = 0
    seconds: float = 0.0
    cancelled: bool = False
    worker_peak_mb: float = 0.0  # largest extraction-worker memory seen (diagnostics, benchmarks)
    vectors_left: int = 0  # chunks still without a vector when the run returned (embedding budget spent)

    def as_json(self) -> dict:
        return {
            "files_seen": self.files_seen, "indexed": self.indexed, "unchanged": self.unchanged,
            "removed": self.removed, "moved": self.moved, "failed": self.failed, "chunks": self.chunks,
            "pages": self.pages, "seconds": round(self.seconds, 3), "cancelled": self.cancelled,
        }


@dataclass
class _Pending:
    row: DocumentRow
    entry: FileEntry
    hash: str
    result: JobResult


class IndexingService:
    """Indexes sources of the library. One run at a time per data folder (a file lock makes the CLI
    and the app take turns); cancellation and pause are cooperative, checked between files and
    between batches."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.cancel_event = threading.Event()
        self.resume_event = threading.Event()
        self.resume_event.set()
        self._run_lock = threading.Lock()

    # -- control
    def cancel(self) -> None:
        self.cancel_event.set()
        self.resume_event.set()

    def pause(self) -> None:
        self.resume_event.clear()

    def resume(self) -> None:
        self.resume_event.set()

    # -- public API
    def add_sources(self, paths: Iterable[str], collection: str = "Default",
                    excludes: Iterable[str] = ()) -> tuple[Collection, list[Source]]:
        catalog = self.library.catalog
        coll = catalog.ensure_collection(collection)
        sources = []
        for raw in paths:
            path = normalise_source(raw)
            kind = "folder" if os.path.isdir(path) else "file"
            sources.append(catalog.add_source(coll, path_to_db(path), kind, excludes))
        return coll, sources

    def index(self, paths: Iterable[str], collection: str = "Default",
              progress: Callable[[Progress], None] | None = None, excludes: Iterable[str] = ()) -> Report:
        """Add ``paths`` as sources of ``collection`` and bring them up to date now."""
        paths = list(paths)
        missing = [p for p in paths if not os.path.lexists(p)]
        if missing:
            raise LanterneError(f"Not found: {missing[0]}", code="not-found")
        coll, sources = self.add_sources(paths, collection, excludes)
        return self.run(coll, sources, progress)

    def run(self, coll: Collection, sources: list[Source],
            progress: Callable[[Progress], None] | None = None, *, embed_budget_s: float | None = None) -> Report:
        """Bring ``sources`` up to date. ``embed_budget_s``: stop filling in vectors after this long
        (the watcher interleaves long re-embeddings with new changes); ``report.vectors_left`` then
        says how many remain. None: return only when every chunk has its vector."""
        if not self._run_lock.acquire(blocking=False):
            raise IndexBusyError("Indexing is already running.", code="busy")
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.library.layout.index_lock))
        try:
            try:
                lock.acquire(timeout=2)
            except Timeout as exc:
                raise IndexBusyError(
                    "Another Lanterne process is indexing this data folder; try again when it has finished.",
                    code="busy") from exc
            try:
                self.cancel_event.clear()
                return _Run(self, coll, sources, progress, embed_budget_s).execute()
            except Exception as exc:
                error = exc
                if not isinstance(exc, LanterneError) and _is_disk_full(exc):
                    # Nothing is lost: committed batches stay, the interrupted one is re-queued
                    # by the next start's reconcile.
                    error = DiskFullError(str(self.library.layout.root))
                if progress is not None:
                    message = error.message if isinstance(error, LanterneError) else "Indexing stopped on an unexpected error."
                    try:
                        progress(Progress(state="error", collection=coll.name, message=message,
                                      code=getattr(error, "code", "error")))
                    except Exception:
                        log.exception("progress callback failed")
                if error is exc:
                    raise
                raise error from exc
            finally:
                lock.release()
        finally:
            self._run_lock.release()

    @contextlib.contextmanager
    def exclusive(self):
        """Stop the running pass (it commits what it finished) and keep others out while the caller
        changes what indexing depends on."""
        self.cancel()
        with self._run_lock:
            try:
                yield
            finally:
                self.cancel_event.clear()
                self.resume_event.set()

    def remove_source(self, source_id: int) -> int:
        """Stop watching a source and forget its documents and their passages (the files themselves
        are untouched). Waits for a running indexing pass, which is asked to stop first."""
        with self.exclusive():
            catalog = self.library.catalog
            doc_ids = [d.id for d in catalog.documents(source_id=source_id)]
            if doc_ids:
                # chunks first: a crash in between leaves catalog rows that the next start re-indexes
                self.library.store.delete_documents(doc_ids)
                catalog.delete_documents(doc_ids)
            catalog.remove_source(source_id)
            return len(doc_ids)

    def reconcile(self) -> dict:
        """Repair after a crash: re-queue half-written documents, delete chunks that are not the
        live generation of an indexed document."""
        catalog, store = self.library.catalog, self.library.store
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


class _Run:
    def __init__(self, service: IndexingService, coll: Collection, sources: list[Source],
                 progress: Callable[[Progress], None] | None, embed_budget_s: float | None = None) -> None:
        self.embed_budget_s = embed_budget_s
        self.service = service
        self.library = service.library
        self.catalog = service.library.catalog
        self.settings = service.library.settings
        self.coll = coll
        self.sources = sources
        self.report = Report()
        self.progress = Progress(collection=coll.name)
        self.callback = progress
        self.started = time.monotonic()
        self._last_emit = 0.0
        self._parts: dict[int, dict] = {}  # doc id -> {"gen", "count"} for long documents sent in parts

    # -- progress
    def emit(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.callback or (not force and now - self._last_emit < 0.25):
            return
        self._last_emit = now
        p = self.progress
        p.elapsed_s = now - self.started
        if p.elapsed_s > 0 and p.files_done:
            p.rate_files_s = p.files_done / p.elapsed_s
            p.rate_chunks_s = p.chunks_done / p.elapsed_s
            if p.bytes_done and p.bytes_total > p.bytes_done:
                p.eta_s = (p.bytes_total - p.bytes_done) / (p.bytes_done / p.elapsed_s)
            elif p.files_total > p.files_done:
                p.eta_s = (p.files_total - p.files_done) / p.rate_files_s
            else:
                p.eta_s = 0.0
        try:
            self.callback(Progress(**vars(p)))
        except Exception:
            log.exception("progress callback failed")

    def fail(self, path: str, reason: str) -> None:
        entry = {"path": display_path(path), "reason": reason}
        if lossless_path(path) is not None:
            entry["path_bytes_hex"] = lossless_path(path)
        self.report.failed.append(entry)
        self.progress.failures += 1

    # -- the run
    def execute(self) -> Report:
        store = self.library.store  # checks the index matches the configured embedder
        self.service.reconcile()
        self.progress.state = "scanning"
        self.emit(force=True)
        jobs = self.scan()
        jobs.sort(key=lambda item: item[1].mtime_ns, reverse=True)  # recently changed first
        self.progress.files_total = len(jobs)
        self.progress.bytes_total = sum(e.size for _, e in jobs)
        self.progress.state = "indexing"
        self.emit(force=True)
        embedder = self.library.embedder
        self.progress.vectors_total = self.progress.vectors_done + store.unembedded_count()
        if jobs:
            self.process(jobs, store, embedder)
        if self.report.indexed or self.report.removed or not store._fts_ready:
            store.maintain()  # the text is searchable now, with its BM25 index
        self.embed_remaining(store, embedder)
        if not self.report.cancelled and self.catalog.get_meta("rebuild_pending"):
            self.catalog.set_meta("rebuild_pending", "")
        if not self.report.cancelled and (self.report.removed or self.report.indexed):
            # the recognised text of files that are gone or changed is not kept (privacy, disk)
            from indexer.ocr import prune_cache

            try:
                prune_cache(self.library.layout.ocr, self.catalog.content_hashes())
            except OSError as exc:
                log.warning("could not prune the OCR cache: %s", exc)
        self.report.seconds = time.monotonic() - self.started
        self.progress.state = "cancelled" if self.report.cancelled else "done"
        self.progress.current = ""
        self.emit(force=True)
        return self.report

    def scan(self) -> list[tuple[DocumentRow, FileEntry]]:
        """Walk each source: record new files, spot unchanged ones by size+mtime, remove vanished
        ones. Returns the files that need (re)reading."""
        jobs: list[tuple[DocumentRow, FileEntry]] = []
        max_bytes = self.settings.max_file_mb * 1024 * 1024
        for source in self.sources:
            root = path_from_db(source.path)
            spec = build_spec(list(self.settings.default_excludes) + list(source.excludes))
            # Streams: each file is looked up in the catalog as it is found, and stamped as seen;
            # what was not stamped has vanished. No list of the whole source is held in memory.
            stamp = time.time()
            seen_ids: list[int] = []
            new_jobs: list[tuple[DocumentRow, FileEntry]] = []
            root_ok = True
            explicit_file = source.kind == "file"
            for item in walk(root, spec, follow_links=self.settings.follow_links_outside,
                             skip_dirs=[str(self.library.layout.root)]):
                if self.service.cancel_event.is_set():
                    self.report.cancelled = True
                    return jobs
                if isinstance(item, ScanProblem):
                    if item.path == root:
                        root_ok = False
                    self.fail(item.path, item.reason)
                    continue
                key = path_to_db(item.path)
                self.report.files_seen += 1
                self.progress.current = display_path(key)
                row = self.catalog.document(self.coll.id, key)
                is_new = row is None
                if row is None:
                    row = self.catalog.upsert_document(self.coll.id, source.id, key, item.size, item.mtime_ns)
                seen_ids.append(row.id)
                if len(seen_ids) >= 2000:
                    self.catalog.mark_seen(seen_ids, stamp)
                    seen_ids.clear()
                if row.status in ("indexed", "failed", "unsupported") and row.size == item.size and row.mtime_ns == item.mtime_ns:
                    self.report.unchanged += 1
                    if row.status != "indexed":
                        self.report.failed.append({"path": display_path(key), "reason": row.reason or "failed"})
                    continue
                ext = os.path.splitext(item.path)[1].lower()
                if ext and ext not in DOCUMENT_EXTENSIONS and not explicit_file:
                    reason = f"unsupported format ({ext})"
                    self.catalog.mark_failed(row.id, reason, size=item.size, mtime_ns=item.mtime_ns, hash=None, status="unsupported")
                    self.fail(key, reason)
                    continue
                if item.size > max_bytes:
                    reason = f"too large ({item.size // 2**20} MB; the limit is {self.settings.max_file_mb} MB in settings)"
                    self.catalog.mark_failed(row.id, reason, size=item.size, mtime_ns=item.mtime_ns, hash=None)
                    self.fail(key, reason)
                    continue
                jobs.append((row, item))
                if is_new:
                    new_jobs.append((row, item))
                if self.report.files_seen % 500 == 0:
                    self.emit()
            self.catalog.mark_seen(seen_ids, stamp)
            if root_ok and not self.report.cancelled:
                vanished = list(self.catalog.documents(source_id=source.id, seen_before=stamp))
                moved = self._match_moves(vanished, new_jobs)
                if moved:
                    jobs[:] = [(r, e) for r, e in jobs if r.id not in moved]
                gone = [d.id for d in vanished if d.id not in moved.values()]
                if gone:
                    self.library.store.delete_documents(gone)  # chunks first, then the catalog rows
                    self.catalog.delete_documents(gone)
                    self.report.removed += len(gone)
                self.catalog.touch_source(source.id)
        return jobs

    def _match_moves(self, vanished: list[DocumentRow], new_jobs: list[tuple[DocumentRow, FileEntry]]) -> dict[int, int]:
        """A vanished indexed document and a new file with the same size and content are one
        document that moved or was renamed: re-path it, keep its chunks, skip re-embedding.
        Returns {new row id: old document id}."""
        candidates: dict[tuple[int, str], DocumentRow] = {}
        for doc in vanished:
            if doc.status == "indexed" and doc.hash:
                candidates[(doc.size, doc.hash)] = doc
        if not candidates:
            return {}
        sizes = {size for size, _ in candidates}
        moved: dict[int, int] = {}
        for row, entry in new_jobs:
            if entry.size not in sizes:
                continue
            try:
                digest = content_hash(entry.path)
            except OSError:
                continue
            old = candidates.pop((entry.size, digest), None)
            if old is None:
                continue
            self.catalog.delete_documents([row.id])  # the placeholder row the scan just made
            self.catalog.repath(old.id, row.path)
            self.catalog.mark_unchanged(old.id, size=entry.size, mtime_ns=entry.mtime_ns)
            self.library.store.repath(old.id, row.path)
            moved[row.id] = old.id
            self.report.moved += 1
            log.info("moved: %s -> %s (re-pathed, not re-embedded)", display_path(old.path), display_path(row.path))
        return moved

    def process(self, jobs: list[tuple[DocumentRow, FileEntry]], store, embedder) -> None:
        settings = self.settings
        config = WorkerConfig(
            tokenizer_file=str(embedder.tokenizer_file) if getattr(embedder, "tokenizer_file", None) else None,
            max_tokens=getattr(embedder, "content_tokens", embedder.max_tokens - 2),
            target_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap,
            memory_mb=settings.extract_memory_mb, base_timeout_s=settings.extract_timeout_s,
            part_chunks=settings.part_chunks,
            ocr_enabled=settings.ocr_enabled, ocr_languages=settings.ocr_languages,
            ocr_cache_dir=str(self.library.layout.ocr),
        )
        results: queue.Queue = queue.Queue(maxsize=16)
        cancel = self.service.cancel_event
        hashes: dict[int, str] = {}
        default_lang = _default_language(settings)

        def job_stream() -> Iterator[Job]:
            for row, entry in jobs:
                if cancel.is_set():
                    return
                self.service.resume_event.wait()
                try:
                    digest = content_hash(entry.path)
                except OSError as exc:
                    results.put(("error", row, entry, f"cannot read the file ({exc.strerror or exc})"))
                    continue
                if row.status == "indexed" and row.hash == digest:
                    results.put(("same", row, entry, digest))  # touched but not changed
                    continue
                hashes[row.id] = digest
                yield Job(key=(row, entry), path=entry.path, default_lang=default_lang, digest=digest)

        def produce() -> None:
            try:
                with ExtractionPool(config, workers=settings.indexing_workers) as pool:
                    for result in pool.run(job_stream(), cancelled=cancel.is_set):
                        results.put(("result", result))
                        if cancel.is_set():
                            break
            except BaseException as exc:  # surfaced in the consumer, which owns error reporting
                results.put(("crash", exc))
            finally:
                results.put(("end",))

        producer = threading.Thread(target=produce, name="lanterne-extract-feed", daemon=True)
        producer.start()

        write_rows: list[_Pending] = []
        last_write = time.monotonic()
        finished = False
        embed_work = store.unembedded_count() > 0
        try:
            while not finished:
                try:
                    item = results.get(timeout=0.02 if embed_work else 0.5)
                except queue.Empty:
                    item = None
                if item is not None:
                    kind = item[0]
                    if kind == "end":
                        finished = True
                    elif kind == "crash":
                        raise item[1]
                    elif kind == "same":
                        _, row, entry, digest = item
                        self.catalog.mark_unchanged(row.id, size=entry.size, mtime_ns=entry.mtime_ns)
                        self.report.unchanged += 1
                        self._file_done(entry)
                    elif kind == "error":
                        _, row, entry, reason = item
                        self._failed(row, entry, reason, None)
                    else:
                        result: JobResult = item[1]
                        row, entry = result.job.key
                        self.progress.current = display_path(row.path)
                        if result.job.ocr and not result.partial:  # a scan finished
                            self.progress.ocr_page = self.progress.ocr_pages = 0
                            self.progress.ocr_waiting = max(0, self.progress.ocr_waiting - 1)
                        self.report.worker_peak_mb = max(self.report.worker_peak_mb, result.peak_mb)
                        if result.progress is not None:  # a page of a scan recognised
                            self.progress.ocr_page, self.progress.ocr_pages = result.progress
                            self.emit(force=True)  # a page takes seconds: every one is worth showing
                        elif result.deferred:  # a scan: read after the other files
                            self.progress.ocr_waiting += 1
                        elif result.partial:
                            self._write_part(_Pending(row, entry, hashes.get(row.id, ""), result), store, embedder)
                            embed_work = True
                        elif result.ok and row.id in self._parts:
                            self._write([_Pending(row, entry, hashes.get(row.id, ""), result)], store)
                            embed_work = True
                        elif not result.ok:
                            self._failed(row, entry, result.reason, hashes.get(row.id))
                        elif not result.chunks:
                            self._failed(row, entry, "no text found in the document", hashes.get(row.id))
                        else:
                            write_rows.append(_Pending(row, entry, hashes.get(row.id, ""), result))
                # Text first: rows are committed as soon as extraction is caught up (or often), so
                # a file is keyword-searchable at once; its vectors follow.
                rows_waiting = sum(len(p.result.chunks) for p in write_rows)
                if write_rows and (rows_waiting >= WRITE_ROWS or finished or cancel.is_set() or item is None
                                   or time.monotonic() - last_write > min(WRITE_EVERY_S, settings.commit_every_s)):
                    self._write(write_rows, store)
                    write_rows = []
                    last_write = time.monotonic()
                    embed_work = True
                if item is None and embed_work and not cancel.is_set():
                    # nothing waiting from extraction: fill one batch of vectors
                    embed_work = self._embed_batch(store, embedder) > 0
                if cancel.is_set() and not finished:
                    self.report.cancelled = True
                    break
                if not self.service.resume_event.is_set():
                    self.progress.state = "paused"
                    self.emit(force=True)
                    self.service.resume_event.wait()
                    self.progress.state = "indexing"
                self.emit()
        finally:
            if write_rows:
                self._write(write_rows, store)
            if not finished:
                cancel.set()
                while producer.is_alive():  # drain so the producer can finish and close its pool
                    try:
                        results.get(timeout=0.2)
                    except queue.Empty:
                        pass
            producer.join(timeout=10)

    def embed_remaining(self, store, embedder) -> None:
        """The vectors of every row still without one (this run's, a crash's, or all of them after
        the embedder changed). Cancellable between batches; keyword search works meanwhile."""
        left = store.unembedded_count()
        if not left:
            return
        self.progress.state = "embedding"
        self.progress.vectors_total = self.progress.vectors_done + left
        self.emit(force=True)
        deadline = None if self.embed_budget_s is None else time.monotonic() + self.embed_budget_s
        while not self.service.cancel_event.is_set():
            if not self.service.resume_event.is_set():
                self.progress.state = "paused"
                self.emit(force=True)
                self.service.resume_event.wait()
                self.progress.state = "embedding"
            if not self._embed_batch(store, embedder):
                break
            if deadline is not None and time.monotonic() > deadline:  # at least one batch a pass
                self.report.vectors_left = store.unembedded_count()
                if self.report.vectors_left:
                    return
        if self.service.cancel_event.is_set():
            self.report.cancelled = True
        elif self.progress.vectors_done and store.count() >= VECTOR_INDEX_MIN_ROWS:
            store.maintain()  # every row has its vector: the vector index can be (re)built now

    def _file_done(self, entry: FileEntry) -> None:
        self.progress.files_done += 1
        self.progress.bytes_done += entry.size

    def _write_part(self, part: _Pending, store, embedder) -> None:
        """A part of a long document: embedded and committed now, under the generation reserved for
        that document; the previous version stays searchable until the last part swaps them."""
        info = self._parts.get(part.row.id)
        if info is None:
            info = self._parts[part.row.id] = {"gen": self.catalog.next_generation(), "count": 0}
            self.catalog.mark_indexing([part.row.id])
        rows = self._table([part], info["gen"], store)
        self.progress.vectors_total += rows.num_rows
        store.append(rows)
        info["count"] += len(part.result.chunks)
        self.progress.chunks_done += len(part.result.chunks)
        self.emit()

    def _failed(self, row: DocumentRow, entry: FileEntry, reason: str, digest: str | None) -> None:
        status = "unsupported" if reason.startswith("unsupported format") else "failed"
        if self._parts.pop(row.id, None) is not None:
            self.library.store.delete_documents([row.id])  # the parts written before it failed
        elif row.status == "indexed":
            self.library.store.delete_documents([row.id])  # its old content no longer reflects the file
        self.catalog.mark_failed(row.id, reason, size=entry.size, mtime_ns=entry.mtime_ns, hash=digest, status=status)
        self.fail(row.path, reason)
        self._file_done(entry)

    def _embed_batch(self, store, embedder) -> int:
        """Vectors for one batch of rows that have none yet; returns how many were done."""
        done = embed_pending_batch(store, embedder, EMBED_BATCH)
        if done:
            self.progress.vectors_done += done
            self.emit()
        return done

    def _table(self, batch: list[_Pending], generation: int, store) -> pa.Table:
        """Rows for a batch of documents, without vectors: the text is searchable at once, the
        vectors are filled in afterwards (``IndexingService.embed_pending``)."""
        import numpy as np

        sch = schema(store.dim)
        columns: dict[str, list] = {name: [] for name in sch.names if name != "vector"}
        for p in batch:
            for chunk in p.result.chunks:
                columns["chunk_id"].append(f"{p.row.id}-{generation}-{chunk.ordinal}")
                columns["doc_id"].append(p.row.id)
                columns["gen"].append(generation)
                columns["collection_id"].append(self.coll.id)
                columns["ordinal"].append(chunk.ordinal)
                columns["path"].append(p.row.path)
                columns["page"].append(chunk.page)
                columns["heading"].append(chunk.heading)
                columns["start"].append(chunk.start)
                columns["end"].append(chunk.end)
                columns["lang"].append(p.result.lang)
                columns["text"].append(chunk.text)
                columns["terms"].append(chunk.terms)
                embed_text = chunk.embed_text or chunk.text
                columns["context"].append(embed_text[:-len(chunk.text)].rstrip("\n") if embed_text.endswith(chunk.text) else "")
                columns["embedded"].append(False)
                columns["row_first"].append(chunk.row_first)
                columns["row_last"].append(chunk.row_last)
        n = len(columns["chunk_id"])
        arrays = {name: pa.array(values, type=sch.field(name).type) for name, values in columns.items()}
        arrays["vector"] = pa.FixedSizeListArray.from_arrays(pa.array(np.zeros(n * store.dim, dtype=np.float32)), store.dim)
        return pa.Table.from_arrays([arrays[name] for name in sch.names], schema=sch)

    def _write(self, batch: list[_Pending], store) -> None:
        """Commit a batch of documents (see the module docstring for the order). A long document
        whose parts were committed already is finished under its reserved generation."""
        parts = [self._parts.pop(p.row.id) for p in batch if p.row.id in self._parts]
        generation = parts[0]["gen"] if parts else self.catalog.next_generation()
        prior = parts[0]["count"] if parts else 0
        doc_ids = [p.row.id for p in batch]
        table = self._table(batch, generation, store)
        self.progress.vectors_total += table.num_rows
        self.catalog.mark_indexing(doc_ids)
        store.write(table, generation, doc_ids)  # a full disk surfaces here; run() reports it
        with self.catalog.transaction():
            for p in batch:
                r = p.result
                self.catalog.mark_indexed(p.row.id, size=p.entry.size, mtime_ns=p.entry.mtime_ns, hash=p.hash,
                                          gen=generation, chunk_count=len(r.chunks) + prior, pages=r.pages,
                                          lang=r.lang, title=r.title)
        for p in batch:
            self.report.indexed += 1
            self.report.chunks += len(p.result.chunks) + prior
            self.report.pages += max(p.result.pages, 1)
            self.progress.pages_done += max(p.result.pages, 1)
            self.progress.chunks_done += len(p.result.chunks)
            self._file_done(p.entry)
        self.emit()


def embed_pending_batch(store, embedder, limit: int) -> int:
    """Embed up to ``limit`` rows that have no vector yet and store their vectors."""
    rows = store.unembedded(limit)
    if not rows:
        return 0
    texts = [_embed_text(row) for row in rows]
    vectors = embedder.embed_documents(texts)
    store.set_vectors([row["chunk_id"] for row in rows], vectors)
    return len(rows)


def _embed_text(row: dict) -> str:
    """What the embedder reads: the context header the worker built (file, title, heading path),
    then the text. Rows from an index made before contexts were stored get file and heading."""
    context = row.get("context") or ""
    if not context:
        stem = os.path.splitext(os.path.basename(display_path(row["path"])))[0]
        context = stem + (" > " + row["heading"] if row.get("heading") else "")
    return context + "\n" + row["text"]


def _is_disk_full(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return True
        text = str(exc).lower()
        if "no space left" in text or "disk is full" in text or "disk quota" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _default_language(settings) -> str:
    if settings.language in ("en", "fr"):
        return settings.language
    import locale

    try:
        code = (locale.getlocale()[0] or os.environ.get("LANG", "en"))[:2].lower()
    except (ValueError, TypeError):
        code = "en"
    from indexer.textproc import LANGUAGES

    return code if code in LANGUAGES else "en"
