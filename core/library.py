"""The Library: everything Lanterne keeps for one data folder, built once by the composition root
(the CLI or desktop/app.py) and passed down. Loads models lazily, never at import."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from core.errors import LanterneError, from_os_error
from core.paths import DataLayout
from core.settings import Settings
from indexer.catalog import Catalog
from indexer.store import ChunkStore, ModelMismatch
from models.errors import ModelError

log = logging.getLogger(__name__)


class Library:
    def __init__(self, root: Path, settings: Settings | None = None) -> None:
        try:
            self.layout = DataLayout(Path(root)).ensure()
        except OSError as exc:
            raise from_os_error(exc, f"the data folder {root}") from exc
        self.settings = settings if settings is not None else Settings.load(self.layout.settings)
        self.notices: list[str] = []  # things the user should be told (index repaired, ...)
        self._catalog_rebuilt = False
        self.catalog = self._open_catalog()
        self._embedder = None
        self._store: ChunkStore | None = None
        self._llm = None
        self._chats = None
        self._lock = threading.RLock()

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
        with self._lock:
            if self._embedder is None:
                from models.embedder import load_embedder

                try:
                    self._embedder = load_embedder(self.settings.embedder, threads=self.settings.embed_threads)
                except ModelError as exc:
                    raise LanterneError(exc.message, code=exc.code) from exc
                log.info("embedder %s loaded (dim %d, max %d tokens)", self._embedder.model_id,
                         self._embedder.dimension, self._embedder.max_tokens)
            return self._embedder

    def set_embedder(self, embedder) -> None:
        """Use an already-loaded embedder (tests and benchmarks share one)."""
        with self._lock:
            self._embedder = embedder

    def change_embedder(self, name_or_path: str) -> None:
        """Switch the embedder: the next indexing pass re-embeds every document (see ``store``)."""
        with self._lock:
            self.settings.embedder = name_or_path
            self.settings.save(self.layout.settings)
            self._embedder = None
            self._store = None

    @property
    def registry(self):
        from models.registry import ModelRegistry

        return ModelRegistry(self.layout.models)

    @property
    def llm(self):
        """The active language model, loaded once (on its own thread) and kept."""
        with self._lock:
            if self._llm is None:
                from models.llm import LlamaCppLLM, LlamaSettings

                entry = self.registry.active()
                s = self.settings
                self._llm = LlamaCppLLM(entry.file, LlamaSettings(
                    n_ctx=s.llm_context or None, n_gpu_layers=None if s.gpu_layers < 0 else s.gpu_layers))
                self._llm.model_id = entry.name
            return self._llm

    def use_model(self, name: str):
        """Make ``name`` the active model; the loaded one is released if it is another."""
        with self._lock:
            entry = self.registry.use(name)
            if self._llm is not None and getattr(self._llm, "model_id", None) != entry.name:
                self._llm.close()
                self._llm = None
            return entry

    @property
    def llm_loaded(self) -> bool:
        return self._llm is not None

    def set_llm(self, llm) -> None:
        """Use an already-loaded model (tests and benchmarks)."""
        with self._lock:
            if self._llm is not None and self._llm is not llm:
                self._llm.close()
            self._llm = llm

    @property
    def chats(self):
        with self._lock:
            if self._chats is None:
                from core.chats import ChatStore

                self._chats = ChatStore(self.layout.chats)
            return self._chats

    # -- storage
    @property
    def store(self) -> ChunkStore:
        """The chunk table, checked against the embedder: a different model means a clean
        re-embedding of every document, never a broken search."""
        with self._lock:
            if self._store is None:
                # Same embedder setting as the one the index was built with: open it without
                # loading the model (a re-scan of unchanged folders then takes a moment).
                if self.catalog.get_meta("embedder_setting") == self.settings.embedder and self.catalog.get_meta("embedder_dim"):
                    try:
                        self._store = self._checked(ChunkStore(self.layout.index, int(self.catalog.get_meta("embedder_dim"))))
                        return self._store
                    except ModelMismatch:
                        pass
                    except OSError as exc:
                        raise from_os_error(exc, f"the index in {self.layout.index}") from exc
                emb = self.embedder
                stored_id = self.catalog.get_meta("embedder_id")
                stored_dim = self.catalog.get_meta("embedder_dim")
                try:
                    store = ChunkStore(self.layout.index, emb.dimension)
                    mismatch = stored_id is not None and (stored_id != emb.model_id or int(stored_dim or 0) != emb.dimension)
                except ModelMismatch:
                    store, mismatch = None, True
                except OSError as exc:
                    raise from_os_error(exc, f"the index in {self.layout.index}") from exc
                if mismatch and store is not None:
                    # Same dimension: keep every row (keyword search goes on) and let indexing
                    # fill in the new model's vectors in the background.
                    log.warning("embedder changed (%s -> %s): re-embedding every chunk in the background",
                                stored_id, emb.model_id)
                    store.forget_vectors()
                elif mismatch:
                    log.warning("embedder changed (%s -> %s): re-indexing every document", stored_id, emb.model_id)
                    if store is None:
                        import shutil

                        shutil.rmtree(self.layout.index / "chunks.lance", ignore_errors=True)
                        store = ChunkStore(self.layout.index, emb.dimension)
                    else:
                        store.recreate()
                    self.catalog.set_pending(None)
                self.catalog.set_meta("embedder_id", emb.model_id)
                self.catalog.set_meta("embedder_dim", str(emb.dimension))
                self.catalog.set_meta("embedder_setting", self.settings.embedder)
                self._store = self._checked(store)
            return self._store

    def _checked(self, store: ChunkStore) -> ChunkStore:
        if self._catalog_rebuilt:
            # the new catalog numbers documents afresh: chunks of the old one would be orphans
            store.recreate()
            self._catalog_rebuilt = False
        if store.notice:
            self.notices.append(store.notice)
        if store.rebuilt:
            self.catalog.set_pending(None)
        if store.count() == 0 and self.catalog.total_chunks() > 0:
            # the index folder was deleted or emptied: every document is indexed again
            self.notices.append("The search index was missing and is being rebuilt from your documents.")
            self.catalog.set_pending(None)
        return store

    def read_only_store(self) -> ChunkStore | None:
        """The store without loading the embedder (for status): None when nothing is indexed yet."""
        if self._store is not None:
            return self._store
        dim = self.catalog.get_meta("embedder_dim")
        if not dim or not (self.layout.index / "chunks.lance").exists():
            return None
        try:
            return self._checked(ChunkStore(self.layout.index, int(dim)))
        except Exception:
            log.exception("cannot open the index for status")
            return None

    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
        if self._chats is not None:
            self._chats.close()
        self.catalog.close()
