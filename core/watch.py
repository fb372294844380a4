"""Keeping sources up to date: watchdog observers, debounced, with reconciles as the safety net.

Events are hints. After a source has been quiet for ``debounce_s`` its changes are applied by an
ordinary indexing run over that source (a stat walk: unchanged files cost a ``stat``; moves are
re-pathed by content hash; deletions removed). A full reconcile also runs at start, on a timer,
after a watcher error, and when a source that had disappeared (USB drive, network share) comes
back. Network and removable folders are polled instead of watched.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from core.indexing import IndexingService
from core.library import Library
from core.paths import path_from_db
from indexer.catalog import Source
from indexer.scan import build_spec, is_excluded

log = logging.getLogger(__name__)

NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "fuse.sshfs", "sshfs", "9p", "afpfs", "webdav", "davfs",
              "fuse.rclone", "ncpfs"}
REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/", "/Volumes/")


def needs_polling(path: str) -> bool:
    """Network shares and removable drives do not deliver reliable change notifications."""
    real = os.path.realpath(path)
    if real.startswith(REMOVABLE_ROOTS) or real.startswith("\\\\"):
        return True
    try:
        import psutil

        best = None
        for part in psutil.disk_partitions(all=True):
            mount = part.mountpoint.rstrip(os.sep) or os.sep
            if (real == mount or real.startswith(mount.rstrip(os.sep) + os.sep)) and (best is None or len(mount) > len(best[0])):
                best = (mount, part.fstype.lower(), part.opts)
        if best and (best[1] in NETWORK_FS or "remote" in best[2]):
            return True
    except Exception:
        pass
    return False


@dataclass
class WatchEvent:
    kind: str  # started | ready | changed | indexed | reconcile | source-missing | source-back | error | stopped
    source: str = ""
    path: str = ""
    detail: dict | None = None

    def as_json(self) -> dict:
        out = {"event": self.kind, "time": round(time.time(), 3)}
        if self.source:
            out["source"] = self.source
        if self.path:
            out["path"] = self.path
        if self.detail:
            out.update(self.detail)
        return out


class WatchService:
    """Watches every source of the library and keeps the index current. Not Qt: the desktop wraps
    its events in signals, ``lanterne watch`` prints them."""

    def __init__(self, library: Library, service: IndexingService | None = None, *, debounce_s: float = 1.0,
                 reconcile_every_s: float = 3600.0, poll_interval_s: float = 10.0,
                 on_event: Callable[[WatchEvent], None] | None = None,
                 on_progress: Callable[[object], None] | None = None) -> None:
        self.library = library
        self.service = service or IndexingService(library)
        self.debounce_s = debounce_s
        self.reconcile_every_s = reconcile_every_s
        self.poll_interval_s = poll_interval_s
        self.on_event = on_event or (lambda e: None)
        self.on_progress = on_progress  # indexing progress of the runs this service starts
        self._lock = threading.Condition()
        self._dirty: dict[int, float] = {}  # source id -> time of the last event
        # source id -> the paths changed since its last pass; None: look at the whole source
        self._changed: dict[int, set[str] | None] = {}
        self._reconcile_due = False  # the timer asks the next pass to check the index against the catalog
        self._observers: dict[int, object] = {}
        self._missing: set[int] = set()
        self._retry_at: dict[int, float] = {}  # source id -> when to try again (disk full)
        self.retry_after_s = 30.0
        self.repair_retry_s = 2.0
        self.embed_slice_s = 30.0  # longest a pass spends filling in vectors before new changes
        self.service.keep_workers = True  # warm extraction workers between passes
        self.idle_release_s = 300.0  # ... stopped after this long without a pass (their memory back)
        self._last_pass = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # indexing runs done (tests and diagnostics)

    # -- lifecycle
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="lanterne-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        self._stop.set()
        self.service.cancel()
        with self._lock:
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        for observer in list(self._observers.values()):
            try:
                observer.stop()
                observer.join(5)
            except Exception:
                pass
        self._observers.clear()
        self.service.release_workers()
        self.emit(WatchEvent("stopped"))

    def emit(self, event: WatchEvent) -> None:
        try:
            self.on_event(event)
        except Exception:
            log.exception("watch event callback failed")

    MAX_PATHS = 1000  # more changed paths than this in one debounce: walk the source instead

    def mark_dirty(self, source_id: int, paths: Iterable[str] | None = None) -> None:
        """Index a source after the debounce; ``paths``: only these changed (a file event), else
        the whole source is walked."""
        with self._lock:
            self._dirty[source_id] = time.monotonic()
            self._note(source_id, paths)
            self._lock.notify_all()

    def _note(self, source_id: int, paths: Iterable[str] | None) -> None:
        known = self._changed.get(source_id, set())
        if paths is None or known is None:
            self._changed[source_id] = None
            return
        known.update(paths)
        self._changed[source_id] = known if len(known) <= self.MAX_PATHS else None

    def index_now(self, source_id: int) -> None:
        """Index a source at the next turn of the loop, without waiting for the debounce (a folder
        the user just added, a Retry)."""
        with self._lock:
            self._dirty[source_id] = float("-inf")
            self._note(source_id, None)
            self._lock.notify_all()

    # -- observers
    def _sources(self) -> list[Source]:
        return self.library.catalog.sources()

    def _schedule(self, source: Source) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        root = path_from_db(source.path)
        folder = root if source.kind == "folder" else os.path.dirname(root)
        if not os.path.isdir(folder):
            if source.id not in self._missing:
                self._missing.add(source.id)
                self.emit(WatchEvent("source-missing", source=root))
            return
        spec = build_spec(list(self.library.settings.default_excludes) + list(source.excludes))
        data_root = str(self.library.layout.root)
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                if event.is_directory and event.event_type == "modified":
                    return  # a folder's listing changed: the event of the file itself says which
                paths = [p for p in (event.src_path, getattr(event, "dest_path", "")) if p]
                relevant = []
                for p in paths:
                    p = os.fsdecode(p)
                    if p.startswith(data_root):
                        continue
                    if source.kind == "file" and p != root:
                        continue
                    rel = os.path.relpath(p, folder)
                    if rel != "." and is_excluded(spec, rel, event.is_directory):
                        continue
                    relevant.append(p)
                    watcher.emit(WatchEvent("changed", source=root, path=p, detail={"change": event.event_type}))
                if relevant:
                    # a folder event (created, moved, deleted) can stand for many files: walk
                    watcher.mark_dirty(source.id, None if event.is_directory else relevant)

        polling = needs_polling(folder)
        observer = PollingObserver(timeout=self.poll_interval_s) if polling else Observer()
        observer.schedule(Handler(), folder, recursive=source.kind == "folder")
        observer.daemon = True
        observer.start()
        self._observers[source.id] = observer
        log.info("watching %s (%s)", root, "polling" if polling else "native events")

    def _check_observers(self) -> None:
        """(Re)start observers: new sources, sources back from the dead, crashed observers."""
        for source in self._sources():
            observer = self._observers.get(source.id)
            root = path_from_db(source.path)
            folder = root if source.kind == "folder" else os.path.dirname(root)
            if observer is not None and observer.is_alive() and os.path.isdir(folder):
                continue
            if observer is not None:
                # the observer died (watch limit, queue overflow) or its folder vanished
                try:
                    observer.stop()
                except Exception:
                    pass
                del self._observers[source.id]
                if os.path.isdir(folder):
                    self.emit(WatchEvent("error", source=root, detail={"reason": "watcher stopped; reconciling"}))
                    self.mark_dirty(source.id)
            was_missing = source.id in self._missing
            self._schedule(source)
            if source.id in self._observers and was_missing:
                self._missing.discard(source.id)
                self.emit(WatchEvent("source-back", source=root))
                self.mark_dirty(source.id)

    # -- the loop
    def _loop(self) -> None:
        try:
            self._check_observers()
            initial = {s.id for s in self._sources()}
            for sid in initial:  # reconcile at start: changes made while we were away
                self.mark_dirty(sid)
            last_reconcile = time.monotonic()
            last_check = time.monotonic()
            while not self._stop.is_set():
                now = time.monotonic()
                if now - last_check >= min(self.poll_interval_s, 5.0):
                    self._check_observers()
                    last_check = now
                for sid, when in list(self._retry_at.items()):
                    if now >= when:
                        del self._retry_at[sid]
                        self.mark_dirty(sid)
                if now - last_reconcile >= self.reconcile_every_s:
                    self.emit(WatchEvent("reconcile", detail={"reason": "timer"}))
                    self._reconcile_due = True
                    for source in self._sources():
                        self.mark_dirty(source.id)
                    last_reconcile = now
                ready = []
                with self._lock:
                    for sid, t in list(self._dirty.items()):
                        if now - t >= self.debounce_s:
                            ready.append((sid, self._changed.pop(sid, None)))
                            del self._dirty[sid]
                    if not ready:
                        if time.monotonic() - self._last_pass > self.idle_release_s:
                            self.service.release_workers()
                        self._lock.wait(timeout=0.5)
                        continue
                for sid, changed in ready:
                    if self._stop.is_set():
                        break
                    self._last_pass = time.monotonic()
                    try:
                        self._index_source(sid, changed)
                    except Exception:  # never let one bad pass end watching for good
                        log.exception("the watch pass over source %s failed", sid)
                        self._retry_at[sid] = time.monotonic() + self.repair_retry_s
                    if initial:
                        initial.discard(sid)
                        if not initial:
                            initial = None
                            self.emit(WatchEvent("ready", detail={"sources": len(self._sources()),
                                                                  "watched": len(self._observers)}))
                            try:
                                self.service.warm_up_workers()
                            except Exception:
                                log.exception("could not start the extraction workers ahead")
        except Exception:
            log.exception("the watch loop failed")
            self.emit(WatchEvent("error", detail={"reason": "internal error (see the log file)"}))
            if not self._stop.is_set():  # start again rather than watch without indexing
                time.sleep(self.repair_retry_s)
                try:
                    self.emit(WatchEvent("error", detail={"reason": self.library.repair(), "code": "repairing"}))
                except Exception:
                    log.exception("repair failed")
                self._thread = threading.Thread(target=self._loop, name="lanterne-watch", daemon=True)
                self._thread.start()

    def _index_source(self, source_id: int, changed: set[str] | None = None) -> None:
        source = next((s for s in self._sources() if s.id == source_id), None)
        if source is None:
            return
        root = path_from_db(source.path)
        if not os.path.exists(root):
            # a drive unplugged: keep its documents, wait for it to come back
            if source.id not in self._missing:
                self._missing.add(source.id)
                self.emit(WatchEvent("source-missing", source=root))
            return
        if not self.library.catalog.file_intact() or not self.library.layout.index.is_dir():
            # the data folder changed under us: repair first, then index as usual
            self.emit(WatchEvent("error", source=root, detail={"reason": self.library.repair(), "code": "repaired"}))
            for other in self._sources():  # a rebuilt catalog numbers sources afresh: reconcile them all
                if other.path != source.path:
                    self.mark_dirty(other.id)
            source = next((s for s in self._sources() if s.path == source.path), None)
            if source is None:
                return
        coll = next(c for c in self.library.catalog.collections() if c.id == source.collection_id)
        from core.errors import DiskFullError, IndexBusyError, LanterneError

        try:
            # vectors are filled in slices, so that a long re-embedding (after an upgrade) never
            # keeps new changes waiting: the source comes back at the next turn of the loop
            reconcile, self._reconcile_due = self._reconcile_due, False
            report = self.service.run(coll, [source], self.on_progress, embed_budget_s=self.embed_slice_s,
                                      paths={source.id: changed} if changed else None, reconcile=reconcile)
        except IndexBusyError:
            self.mark_dirty(source_id, changed)  # another process is indexing: try again later
            return
        except DiskFullError as exc:
            # paused, not failed: try again regularly; work resumes when space returns
            self._retry_at[source_id] = time.monotonic() + self.retry_after_s
            self.emit(WatchEvent("error", source=root, detail={"reason": exc.message, "code": exc.code}))
            return
        except LanterneError as exc:
            self.emit(WatchEvent("error", source=root, detail={"reason": exc.message, "code": exc.code}))
            return
        except Exception as exc:
            # A bug, or the data folder changed under us (index/ deleted, catalog truncated): the
            # sources are the truth, so reopen (and if need be rebuild) what is broken and go on.
            log.exception("indexing %s failed; repairing the index and trying again", root)
            self._retry_at[source_id] = time.monotonic() + self.repair_retry_s
            try:
                repaired = self.library.repair()
            except Exception:
                log.exception("repair failed")
                repaired = "the index could not be reopened yet"
            self.emit(WatchEvent("error", source=root, detail={
                "reason": f"indexing failed ({exc.__class__.__name__}); {repaired}; retrying", "code": "repairing"}))
            return
        self.runs += 1
        if report.vectors_left:
            self.index_now(source_id)
        if report.indexed or report.removed or report.moved:
            self.emit(WatchEvent("indexed", source=root, detail={
                k: v for k, v in report.as_json().items() if k in ("indexed", "removed", "moved", "chunks", "seconds")}
                | {"failed": len(report.failed)}))
