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
from typing import Callable, Iterable, Iterator

from core.errors import DiskFullError, IndexBusyError, LanterneError
from core.library import Library
from core.paths import display_path, lossless_path, path_from_db, path_to_db
from indexer.catalog import Collection, DocumentRow, Source
from indexer.errors import Failure
from indexer.scan import (FileEntry, Known, ScanProblem, build_spec, changed_paths, content_hash, normalise_source,
                          scan_diff, walk)
from indexer.store import VECTOR_INDEX_MIN_ROWS
from indexer.workers import ExtractionPool, Job, JobResult, WorkerConfig
from indexer.writer import DocumentWrite, IndexWriter

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
        self.reconciled_store = None  # the store the last reconcile checked (once per opened index)
        # The watcher keeps extraction workers between passes: a saved file then costs its own
        # reading, not a worker start (a Python process and its parsers, ~1 s).
        self.keep_workers = False
        self._pool: ExtractionPool | None = None
        self._pool_lock = threading.Lock()

    def extraction_pool(self, config: WorkerConfig, workers: int) -> ExtractionPool:
        """Workers for one pass: the warm ones of the last pass when they suit, else new ones."""
        with self._pool_lock:
            pool = self._pool
            if pool is not None and (pool.config != config or pool.size != max(1, workers) or not pool.idle()):
                pool.close()
                pool = None
            if pool is None:
                pool = ExtractionPool(config, workers=workers)
            self._pool = pool if self.keep_workers else None
            return pool

    def worker_config(self, embedder) -> WorkerConfig:
        s = self.library.settings
        return WorkerConfig(
            tokenizer_file=str(embedder.tokenizer_file) if getattr(embedder, "tokenizer_file", None) else None,
            max_tokens=getattr(embedder, "content_tokens", embedder.max_tokens - 2),
            target_tokens=s.chunk_tokens, overlap_tokens=s.chunk_overlap,
            memory_mb=s.extract_memory_mb, base_timeout_s=s.extract_timeout_s, part_chunks=s.part_chunks,
            ocr_enabled=s.ocr_enabled, ocr_languages=s.ocr_languages, ocr_cache_dir=str(self.library.layout.ocr))

    def warm_up_workers(self) -> None:
        """Start the extraction workers before the first change arrives (the watcher, once ready)."""
        if self.keep_workers:
            self.extraction_pool(self.worker_config(self.library.embedder),
                                 self.library.settings.indexing_workers).start()

    def release_workers(self) -> None:
        """Stop the warm extraction workers (the watcher stops, or has been idle a while)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

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
            progress: Callable[[Progress], None] | None = None, *, embed_budget_s: float | None = None,
            paths: dict[int, set[str]] | None = None, reconcile: bool = False) -> Report:
        """Bring ``sources`` up to date. ``embed_budget_s``: stop filling in vectors after this long
        (the watcher interleaves long re-embeddings with new changes); ``report.vectors_left`` then
        says how many remain. None: return only when every chunk has its vector.

        ``paths``: {source id: changed paths} from the watcher; those sources look at these paths
        only (a save costs what the file costs). The index is reconciled with the catalog once
        after it opens, and again when ``reconcile`` is asked (the watcher's timer)."""
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
                return _Run(self, coll, sources, progress, embed_budget_s, paths, reconcile).execute()
            except Exception as exc:
                error = exc
                self.reconciled_store = None  # a pass that failed half-way: reconcile the next one
                if not isinstance(exc, LanterneError) and _is_disk_full(exc):
                    # Nothing is lost: committed batches stay, the interrupted one is re-queued
                    # by the next start's reconcile.
                    error = DiskFullError(str(self.library.layout.root))
                if progress is not None:
                    message = error.message if isinstance(error, LanterneError) else "Indexing stopped on an unexpected error."
                    try:
                        progress(Progress(state="error", collection=coll.name, message=message,
                                      code=error.code if isinstance(error, LanterneError) else "error"))
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

    def retry(self, doc_ids: Iterable[int]) -> set[int]:
        """Read these documents again at the next pass (the Problems list's Retry). Returns the
        sources to index now."""
        catalog = self.library.catalog
        doc_ids = list(doc_ids)
        sources = {row.source_id for row in (catalog.document_by_id(d) for d in doc_ids)
                   if row is not None and row.source_id is not None}
        catalog.set_pending(doc_ids)
        return sources

    def set_exclusions(self, patterns: dict[int, list[str]]) -> list[int]:
        """Save each source's exclusion patterns. Returns the sources whose patterns changed: walk
        them again (newly excluded files leave the index, newly included ones enter it)."""
        catalog = self.library.catalog
        current = {s.id: list(s.excludes) for s in catalog.sources()}
        changed = []
        for source_id, new in patterns.items():
            new = [p for p in new if p.strip()]
            if source_id in current and current[source_id] != new:
                catalog.set_source_excludes(source_id, new)
                changed.append(source_id)
        return changed

    def reconcile(self) -> dict:
        """Repair after a crash (see ``IndexWriter.reconcile``)."""
        return IndexWriter(self.library.catalog, self.library.store).reconcile()


class _Run:
    def __init__(self, service: IndexingService, coll: Collection, sources: list[Source],
                 progress: Callable[[Progress], None] | None, embed_budget_s: float | None = None,
                 paths: dict[int, set[str]] | None = None, reconcile: bool = False) -> None:
        self.embed_budget_s = embed_budget_s
        self.paths = paths
        self.force_reconcile = reconcile
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
        self.writer: IndexWriter | None = None  # set when the run starts (the store is opened then)

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

    def fail(self, path: str, failure: Failure) -> None:
        entry = {"path": display_path(path), "reason": failure.reason, "code": failure.code}
        if failure.params:
            entry["params"] = dict(failure.params)
        if lossless_path(path) is not None:
            entry["path_bytes_hex"] = lossless_path(path)
        self.report.failed.append(entry)
        self.progress.failures += 1

    # -- the run
    def execute(self) -> Report:
        store = self.library.store  # checks the index matches the configured embedder
        self.writer = IndexWriter(self.catalog, store)
        if self.force_reconcile or self.service.reconciled_store is not store:
            self.service.reconcile()
            self.service.reconciled_store = store
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
        # the text is searchable now, with its BM25 index
        self.writer.maintain(changed=bool(self.report.indexed or self.report.removed))
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
        ones. Returns the files that need (re)reading. A source given with changed paths (the
        watcher's) looks at those paths only, unless a folder changed."""
        jobs: list[tuple[DocumentRow, FileEntry]] = []
        for source in self.sources:
            root = path_from_db(source.path)
            spec = build_spec(list(self.settings.default_excludes) + list(source.excludes))
            targeted = self.paths.get(source.id) if self.paths is not None else None
            if targeted is not None and source.kind == "folder" and not self.catalog.has_pending(source.id):
                # (documents re-queued by a repair or a crash are found by a walk)
                change = changed_paths(root, spec, targeted, follow_links=self.settings.follow_links_outside,
                                       skip_dirs=[str(self.library.layout.root)])
                if not change.needs_walk:
                    self._scan_changed(source, change, jobs)
                    continue
            # Streams: each file is looked up in the catalog as it is found, and stamped as seen;
            # what was not stamped has vanished. No list of the whole source is held in memory.
            stamp = time.time()
            seen_ids: list[int] = []
            new_jobs: list[tuple[DocumentRow, FileEntry]] = []
            root_ok = True
            for item in walk(root, spec, follow_links=self.settings.follow_links_outside,
                             skip_dirs=[str(self.library.layout.root)]):
                if self.service.cancel_event.is_set():
                    self.report.cancelled = True
                    return jobs
                if isinstance(item, ScanProblem) and item.path == root:
                    root_ok = False
                row = self._consider(source, item, jobs, new_jobs)
                if row is not None:
                    seen_ids.append(row.id)
                    if len(seen_ids) >= 2000:
                        self.catalog.mark_seen(seen_ids, stamp)
                        seen_ids.clear()
                if self.report.files_seen % 500 == 0:
                    self.emit()
            self.catalog.mark_seen(seen_ids, stamp)
            if root_ok and not self.report.cancelled:
                vanished = list(self.catalog.documents(source_id=source.id, seen_before=stamp))
                self._remove_vanished(vanished, new_jobs, jobs)
                self.catalog.touch_source(source.id)
        return jobs

    def _scan_changed(self, source: Source, change, jobs: list) -> None:
        """The watcher's changed paths of one source: their files only (moves matched as in a walk)."""
        new_jobs: list[tuple[DocumentRow, FileEntry]] = []
        for item in change.entries:
            self._consider(source, item, jobs, new_jobs)
        vanished = [row for row in (self.catalog.document(self.coll.id, path_to_db(p)) for p in change.missing)
                    if row is not None and row.source_id == source.id]
        self._remove_vanished(vanished, new_jobs, jobs)

    def _remove_vanished(self, vanished: list[DocumentRow], new_jobs: list, jobs: list) -> None:
        moved = self._match_moves(vanished, new_jobs)
        if moved:
            jobs[:] = [(r, e) for r, e in jobs if r.id not in moved]
        gone = [d.id for d in vanished if d.id not in moved.values()]
        if gone:
            self.writer.remove(gone)
            self.report.removed += len(gone)

    def _consider(self, source: Source, item, jobs: list, new_jobs: list) -> DocumentRow | None:
        """One file found by a walk (or named by the watcher): recorded, and queued when it needs
        reading. Returns its catalog row (None for a problem)."""
        if isinstance(item, ScanProblem):
            self.fail(item.path, Failure(item.code, item.reason))
            return None
        key = path_to_db(item.path)
        self.report.files_seen += 1
        self.progress.current = display_path(key)
        row = self.catalog.document(self.coll.id, key)
        known = Known(row.status, row.size, row.mtime_ns) if row is not None else None
        change = scan_diff(known, item, max_bytes=self.settings.max_file_mb * 1024 * 1024,
                           any_format=source.kind == "file")
        is_new = row is None
        if row is None:
            row = self.catalog.upsert_document(self.coll.id, source.id, key, item.size, item.mtime_ns)
        if change.kind == "unchanged":
            self.report.unchanged += 1
            if row.status != "indexed":
                failure = row.failure
                entry = {"path": display_path(key), "reason": row.reason or "failed", "code": failure.code}
                if failure.params:
                    entry["params"] = failure.params
                self.report.failed.append(entry)
            return row
        if change.kind == "refused":
            self.catalog.mark_failed(row.id, change.failure, size=item.size, mtime_ns=item.mtime_ns, hash=None)
            self.fail(key, change.failure)
            return row
        jobs.append((row, item))
        if is_new:
            new_jobs.append((row, item))
        return row

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
            self.writer.repath(old.id, row.path)
            self.catalog.mark_unchanged(old.id, size=entry.size, mtime_ns=entry.mtime_ns)
            moved[row.id] = old.id
            self.report.moved += 1
            log.info("moved: %s -> %s (re-pathed, not re-embedded)", display_path(old.path), display_path(row.path))
        return moved

    def process(self, jobs: list[tuple[DocumentRow, FileEntry]], store, embedder) -> None:
        settings = self.settings
        config = self.service.worker_config(embedder)
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
                    results.put(("error", row, entry, Failure(
                        "permission" if isinstance(exc, PermissionError) else
                        "disappeared" if isinstance(exc, FileNotFoundError) else "unreadable",
                        f"cannot read the file ({exc.strerror or exc})")))
                    continue
                if row.status == "indexed" and row.hash == digest:
                    results.put(("same", row, entry, digest))  # touched but not changed
                    continue
                hashes[row.id] = digest
                yield Job(key=(row, entry), path=entry.path, default_lang=default_lang, digest=digest)

        def produce() -> None:
            pool = None
            try:
                pool = self.service.extraction_pool(config, settings.indexing_workers)
                for result in pool.run(job_stream(), cancelled=cancel.is_set):
                    results.put(("result", result))
                    if cancel.is_set():
                        break
            except BaseException as exc:  # surfaced in the consumer, which owns error reporting
                results.put(("crash", exc))
            finally:
                if pool is not None and not self.service.keep_workers:
                    pool.close()
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
                        _, row, entry, failure = item
                        self._failed(row, entry, failure, None)
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
                        elif result.ok and self.writer.in_parts(row.id):
                            self._write([_Pending(row, entry, hashes.get(row.id, ""), result)], store)
                            embed_work = True
                        elif not result.ok:
                            self._failed(row, entry, result.failure, hashes.get(row.id))
                        elif not result.chunks:
                            self._failed(row, entry, Failure("no-text", "no text found in the document"),
                                         hashes.get(row.id))
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
        """A part of a long document: written now, under the generation reserved for that
        document; the previous version stays searchable until the last part swaps them."""
        rows = self.writer.write_part(self._document(part))
        self.progress.vectors_total += rows
        self.progress.chunks_done += len(part.result.chunks)
        self.emit()

    def _failed(self, row: DocumentRow, entry: FileEntry, failure: Failure, digest: str | None) -> None:
        self.writer.fail(row.id, failure, was_indexed=row.status == "indexed", size=entry.size,
                         mtime_ns=entry.mtime_ns, hash=digest)
        self.fail(row.path, failure)
        self._file_done(entry)

    def _embed_batch(self, store, embedder) -> int:
        """Vectors for one batch of rows that have none yet; returns how many were done."""
        done = self.writer.embed_pending(embedder, EMBED_BATCH)
        if done:
            self.progress.vectors_done += done
            self.emit()
        return done

    def _document(self, p: _Pending) -> DocumentWrite:
        r = p.result
        return DocumentWrite(p.row.id, p.row.path, self.coll.id, r.chunks, lang=r.lang, pages=r.pages, title=r.title,
                             size=p.entry.size, mtime_ns=p.entry.mtime_ns, hash=p.hash)

    def _write(self, batch: list[_Pending], store) -> None:
        """Commit a batch of documents (``IndexWriter.commit``)."""
        rows, counts = self.writer.commit([self._document(p) for p in batch])
        self.progress.vectors_total += rows
        for p, count in zip(batch, counts):
            self.report.indexed += 1
            self.report.chunks += count
            self.report.pages += max(p.result.pages, 1)
            self.progress.pages_done += max(p.result.pages, 1)
            self.progress.chunks_done += len(p.result.chunks)
            self._file_done(p.entry)
        self.emit()


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
