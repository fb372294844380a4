"""Opening the index: whether the chunk table on disk suits the embedder now configured, and what
to do when it does not. The policy lives here, beside the table it protects:

- same embedder setting as when the index was built: open it without loading the model;
- another model with the same dimension: keep every row (keyword search goes on) and re-embed
  every chunk in the background;
- another dimension: recreate the table and re-index every document;
- a catalog rebuilt after damage numbers documents afresh: the old table's chunks would be
  orphans, so the table is recreated;
- a table that is missing or empty while the catalog counts chunks (index/ deleted): every
  document is indexed again.
The catalog records the embedder (``embedder_id``, ``embedder_dim``, ``embedder_setting``).
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Callable

from indexer.catalog import Catalog
from indexer.store import ChunkStore, ModelMismatch

log = logging.getLogger(__name__)


def open_index(folder: Path, catalog: Catalog, embedder_setting: str, load_embedder: Callable[[], object], *,
               catalog_rebuilt: bool = False) -> tuple[ChunkStore, list[str]]:
    """The chunk table for ``embedder_setting``; ``load_embedder`` is called only when the table
    was built with another setting (or never). Returns (store, notices for the user)."""
    if catalog.get_meta("embedder_setting") == embedder_setting and catalog.get_meta("embedder_dim"):
        try:
            return _checked(ChunkStore(folder, int(catalog.get_meta("embedder_dim"))), catalog, catalog_rebuilt)
        except ModelMismatch:
            pass
    emb = load_embedder()
    stored_id = catalog.get_meta("embedder_id")
    stored_dim = catalog.get_meta("embedder_dim")
    try:
        store: ChunkStore | None = ChunkStore(folder, emb.dimension)
        mismatch = stored_id is not None and (stored_id != emb.model_id or int(stored_dim or 0) != emb.dimension)
    except ModelMismatch:
        store, mismatch = None, True
    if mismatch and store is not None:
        log.warning("embedder changed (%s -> %s): re-embedding every chunk in the background", stored_id, emb.model_id)
        store.forget_vectors()
    elif mismatch:
        log.warning("embedder changed (%s -> %s): re-indexing every document", stored_id, emb.model_id)
        if store is None:
            shutil.rmtree(folder / "chunks.lance", ignore_errors=True)
            store = ChunkStore(folder, emb.dimension)
        else:
            store.recreate()
        catalog.set_pending(None)
    catalog.set_meta("embedder_id", emb.model_id)
    catalog.set_meta("embedder_dim", str(emb.dimension))
    catalog.set_meta("embedder_setting", embedder_setting)
    return _checked(store, catalog, catalog_rebuilt)


def open_existing(folder: Path, catalog: Catalog, *, catalog_rebuilt: bool = False
                  ) -> tuple[ChunkStore | None, list[str]]:
    """The table as it is, without any embedder (status): (None, []) when nothing is indexed yet."""
    dim = catalog.get_meta("embedder_dim")
    if not dim or not (folder / "chunks.lance").exists():
        return None, []
    return _checked(ChunkStore(folder, int(dim)), catalog, catalog_rebuilt)


def _checked(store: ChunkStore, catalog: Catalog, catalog_rebuilt: bool) -> tuple[ChunkStore, list[str]]:
    notices: list[str] = []
    if catalog_rebuilt:
        store.recreate()  # the new catalog numbers documents afresh: chunks of the old one would be orphans
    if store.notice:
        notices.append(store.notice)
    if store.rebuilt:
        catalog.set_pending(None)
    if store.count() == 0 and catalog.total_chunks() > 0:
        # the index folder was deleted or emptied: every document is indexed again
        notices.append("The search index was missing and is being rebuilt from your documents.")
        catalog.set_pending(None)
    return store, notices
