"""The Library: everything Lanterne keeps for one data folder, built once by the composition root
(the CLI or desktop/app.py) and passed down. Loads models lazily, never at import."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from core.errors import LanterneError, from_os_error
from core.paths import DataLayout
from core.settings import Settings
from indexer.catalog import Catalog
from indexer.store import ChunkStore

log = logging.getLogger(__name__)

REMOTE = "remote:"  # the model slot's name for the configured answer engine


def embedder_for(settings: Settings):
    """The embedder the settings name, with their thread count."""
    from models.embedder import load_embedder

    return load_embedder(settings.embedder, threads=settings.embed_threads)


class Library:
    """One data folder, wired at start: the catalog, the chat store and the model registry exist
    from the constructor on (opening them costs milliseconds), so the UI thread can use them
    without waiting. The embedder, the index and the language model load lazily, each behind its
    own lock; a language model loads in a future, outside any lock, so a thread that only asks
    "is it loaded?" never waits on it."""

    def __init__(self, root: Path, settings: Settings | None = None) -> None:
        try:
            self.layout = DataLayout(Path(root)).ensure()
        except OSError as exc:
            raise from_os_error(exc, f"the data folder {root}") from exc
        self.settings: Settings = settings if settings is not None else Settings.load(self.layout.settings)
        self.notices: list[str] = []  # things the user should be told (index repaired, ...)
        self._catalog_rebuilt = False
        self.catalog: Catalog = self._open_catalog()
        from core.chats import ChatStore
        from models.registry import ModelRegistry

        self.chats: ChatStore = ChatStore(self.layout.chats)
        self.registry: ModelRegistry = ModelRegistry(self.layout.models)
        self._embedder = None
        self._store: ChunkStore | None = None
        self._lock = threading.RLock()  # the index (store) and repairs
        self._embedder_lock = threading.Lock()
        self._llm_lock = threading.Lock()  # held only to look at or replace the slot below
        self._llm_slot: tuple[str | None, Future] | None = None  # (model name, future of the model);
        # name None: a model handed in by set_llm (tests, benchmarks), used whatever is active

    def _open_catalog(self) -> Catalog:
        """The catalog; a damaged one (truncated file, disk error) is set aside, a new one is built
        from the backup of collections and sources, and the index is rebuilt from the files."""
        catalog, aside = Catalog.open_or_rebuild(self.layout.catalog)
        if aside:
            restored = catalog.restore_sources()
            catalog.set_meta("rebuild_pending", "1")  # cleared by the next complete indexing run
            self._catalog_rebuilt = True
            self.notices.append(
                f"The catalog of your documents was damaged and has been rebuilt ({restored} folder(s) restored; "
                f"the damaged copy was kept as {aside}). Your documents are being indexed again.")
            log.error("catalog damaged, set aside as %s; %d sources restored", aside, restored)
        return catalog

    def repair(self) -> str:
        """Reopen the catalog and the index after an error during a run, or when the catalog's
        file changed under us (index/ deleted, catalog truncated or deleted): what the live
        connection still holds is saved, or else the damaged part is set aside and rebuilt from
        the source files. Returns what was done, for the user."""
        with self._lock:
            notices = len(self.notices)
            if not self.catalog.file_intact():
                if self.catalog.salvage():
                    self.notices.append("The catalog file was damaged while Lanterne was running; it was "
                                        "rewritten from what Lanterne still had open (nothing lost).")
                else:
                    try:
                        self.catalog.close()
                    except Exception:
                        pass
                    self.catalog = self._open_catalog()
            self._store = None
            self.store  # noqa: B018 (reopens, rolls back or rebuilds)
            new = self.notices[notices:]
            return " ".join(new) if new else "the index was reopened"

    # -- models
    @property
    def embedder(self):
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = embedder_for(self.settings)
                log.info("embedder %s loaded (dim %d, max %d tokens)", self._embedder.model_id,
                         self._embedder.dimension, self._embedder.max_tokens)
            return self._embedder

    def set_embedder(self, embedder) -> None:
        """Use an already-loaded embedder (tests and benchmarks share one)."""
        with self._embedder_lock:
            self._embedder = embedder

    def change_embedder(self, name_or_path: str) -> None:
        """Switch the embedder: the next indexing pass re-embeds every document (see ``store``)."""
        with self._lock, self._embedder_lock:
            self.settings.embedder = name_or_path
            self.settings.save(self.layout.settings)
            self._embedder = None
            self._store = None

    def llm_future(self, name: str | None = None) -> Future:
        """The future of model ``name`` (default: the active one), loading it on its own thread if
        it is not loaded yet; the model loaded before is released once it is replaced. Settings
        (context, GPU layers) are honoured here, for every caller."""
        old = None
        with self._llm_lock:
            slot = self._llm_slot
            if slot is not None and slot[0] is None and (name is None or name == getattr(slot[1].result(), "model_id", None)):
                return slot[1]
        remote = self.remote_engine()
        if remote is not None and name in (None, remote.model):
            name = REMOTE + remote.model
        name = name or self.registry.active().name
        with self._llm_lock:
            slot = self._llm_slot
            if slot is not None and slot[0] == name and not (slot[1].done() and slot[1].exception()):
                return slot[1]
            future: Future = Future()
            self._llm_slot = (name, future)
            old = slot
        if old is not None and old[1].done() and not old[1].exception():
            old[1].result().close()
        threading.Thread(target=self._load_llm, args=(name, future), name="lanterne-model-load", daemon=True).start()
        return future

    def remote_engine(self):
        """The OpenAI-compatible answer engine set in the settings, or None (the local model)."""
        s = self.settings
        if not s.answer_engine_url:
            return None
        from models.remote import RemoteEngine

        return RemoteEngine(s.answer_engine_url, s.answer_engine_model or "default", s.answer_engine_key_env,
                            s.answer_engine_context)

    def server_client(self):
        """The client of the Lanterne server set in Settings (``core/client.py``)."""
        from core.client import ServerClient, read_token

        if not self.settings.server_url:
            raise LanterneError("No Lanterne server is set: add its address and token in Settings.",
                                code="server-not-set")
        return ServerClient(self.settings.server_url, read_token(self.layout.root),
                            strict_offline=self.settings.strict_offline)

    def _load_llm(self, name: str, future: Future) -> None:
        if name.startswith(REMOTE):
            try:
                from models.remote import RemoteLLM

                engine = self.remote_engine()
                engine.check(self.settings.strict_offline)
                future.set_result(RemoteLLM(engine))
            except BaseException as exc:
                future.set_exception(exc)
            return
        try:
            from models.llm import LlamaCppLLM, LlamaSettings

            entry = self.registry.get(name)
            s = self.settings
            started = time.perf_counter()
            llm = LlamaCppLLM(entry.file, LlamaSettings(
                n_ctx=s.llm_context or None, n_gpu_layers=None if s.gpu_layers < 0 else s.gpu_layers))
            llm.model_id = entry.name
            log.info("model %s loaded in %.2f s", entry.name, time.perf_counter() - started)
            future.set_result(llm)
        except BaseException as exc:  # handed to whoever waits on the future
            if not isinstance(exc, LanterneError):
                log.exception("loading model %s failed", name)
            future.set_exception(exc)

    def llm_for(self, name: str | None = None):
        """Model ``name`` (default: the active one), loaded once and kept; waits for it to load
        (never while holding a lock another thread needs)."""
        return self.llm_future(name).result()

    @property
    def llm(self):
        """The active language model, loaded once (on its own thread) and kept."""
        return self.llm_for(None)

    def use_model(self, name: str):
        """Make ``name`` the active model (remembered); the loaded one is released if it is another
        (when the next question needs it)."""
        return self.registry.use(name)

    def remove_model(self, name: str) -> None:
        """Uninstall a model; released first when it is the one loaded."""
        slot = self._llm_slot
        if slot is not None and slot[1].done() and not slot[1].exception() \
                and getattr(slot[1].result(), "model_id", None) == name:
            self.set_llm(None)
        self.registry.remove(name)

    @property
    def llm_loaded(self) -> bool:
        slot = self._llm_slot
        return slot is not None and slot[1].done() and slot[1].exception() is None

    def set_llm(self, llm) -> None:
        """Use an already-loaded model (tests and benchmarks); None releases the loaded one (it is
        loaded again, with the current settings, by the next question)."""
        future: Future | None = None
        if llm is not None:
            future = Future()
            future.set_result(llm)
        with self._llm_lock:
            old, self._llm_slot = self._llm_slot, (None, future) if future is not None else None
        if old is not None and old[1].done() and not old[1].exception() and old[1].result() is not llm:
            old[1].result().close()

    def forget_llm(self) -> None:
        """Drop the model without closing it (its owner, a test fixture, closes it)."""
        with self._llm_lock:
            self._llm_slot = None

    # -- storage
    @property
    def store(self) -> ChunkStore:
        """The chunk table, checked against the embedder (``indexer.index.open_index``): a
        different model means a re-embedding, never a broken search."""
        with self._lock:
            if self._store is None:
                from indexer.index import open_index

                try:
                    store, notices = open_index(self.layout.index, self.catalog, self.settings.embedder,
                                                lambda: self.embedder, catalog_rebuilt=self._catalog_rebuilt)
                except OSError as exc:
                    raise from_os_error(exc, f"the index in {self.layout.index}") from exc
                self._catalog_rebuilt = False
                self.notices.extend(notices)
                self._store = store
            return self._store

    def read_only_store(self) -> ChunkStore | None:
        """The store without loading the embedder (for status): None when nothing is indexed yet."""
        if self._store is not None:
            return self._store
        from indexer.index import open_existing

        try:
            store, notices = open_existing(self.layout.index, self.catalog, catalog_rebuilt=self._catalog_rebuilt)
        except Exception:
            log.exception("cannot open the index for status")
            return None
        if store is not None:
            self._catalog_rebuilt = False
        self.notices.extend(notices)
        return store

    def close(self) -> None:
        slot = self._llm_slot
        if slot is not None and slot[0] is not None:
            # a model still loading is waited for: its thread must not outlive the process's exit
            if slot[1].exception() is None:
                slot[1].result().close()
        self.chats.close()
        self.catalog.close()
