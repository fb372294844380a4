"""Crash safety, for real: `lanterne index` is SIGKILLed at random moments, many times. After each
kill the index opens; no document is marked indexed without its chunks; after the start-up repair
there are no orphans and no duplicates; and indexing resumes where it stopped."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core.docgen import filler_paragraphs, write_document
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def check_indexed_have_chunks(library) -> None:
    found = library.store.generations()
    for d in library.catalog.documents(status="indexed"):
        assert found.get((d.id, d.gen)) == d.chunk_count > 0, f"{d.path} marked indexed without its chunks"


def check_consistent(library) -> None:
    live = library.catalog.live_generations()
    found = library.store.generations()
    assert all(live.get(doc) == gen for (doc, gen) in found), "orphan chunks"
    ids = library.store._table.search().select(["chunk_id"]).limit(1_000_000).to_arrow().column("chunk_id").to_pylist()
    assert max(Counter(ids).values(), default=1) == 1, "duplicate chunks"
    check_indexed_have_chunks(library)


def _wait_for_indexed(catalog: Path, count: int, proc, limit_s: float = 600.0) -> None:
    """Wait until the catalog counts ``count`` indexed documents (or the process ended)."""
    import sqlite3

    end = time.monotonic() + limit_s
    while time.monotonic() < end and proc.poll() is None:
        if catalog.exists():
            try:
                conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=1)
                try:
                    if conn.execute("SELECT COUNT(*) FROM documents WHERE status='indexed'").fetchone()[0] >= count:
                        return
                finally:
                    conn.close()
            except sqlite3.Error:
                pass  # the schema is being created
        time.sleep(0.1)


def test_sigkill_at_random_moments_then_resume(tmp_path, embedder):
    from core.indexing import IndexingService
    from core.library import Library
    from core.settings import Settings

    rng = random.Random(1234)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(80):
        fmt = ("txt", "md", "html", "docx", "odt")[i % 5]
        write_document(docs / f"d{i:03d}.{fmt}", f"Dossier {i}", filler_paragraphs(rng, 2500), fmt)
    data = tmp_path / "data"
    data.mkdir()
    Settings(indexing_workers=1, commit_every_s=0.5).save(data / "settings.json")
    cmd = [sys.executable, "-m", "core.cli", "--data-dir", str(data), "index", str(docs), "--json"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    progress = []
    done = 0
    for iteration in range(7):
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Killed at a random moment timed by progress, not by the clock: once a random number of
        # further documents is indexed, plus a random fraction of a second (mid-write, mid-embed).
        _wait_for_indexed(data / "catalog.sqlite", done + rng.randint(1, 6), proc)
        time.sleep(rng.uniform(0.0, 1.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        library = Library(data)
        library.set_embedder(embedder)
        try:
            check_indexed_have_chunks(library)  # holds even before any repair
            IndexingService(library).reconcile()  # what the next start does
            check_consistent(library)
            progress.append(library.catalog.counts()["indexed"])
            done = progress[-1]
        finally:
            library.close()
    assert progress[-1] > 0 and progress == sorted(progress), f"indexing must move forward: {progress}"
    final = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert report["indexed"] == 80 - progress[-1]  # only what was not yet done
    library = Library(data)
    library.set_embedder(embedder)
    try:
        check_consistent(library)
        assert library.catalog.counts()["indexed"] == 80
    finally:
        library.close()


@pytest.mark.parametrize("damage", ["truncate", "empty", "all"])
def test_damaged_index_is_rolled_back_or_rebuilt(tmp_path, embedder, sample_folder, damage):
    from core.indexing import IndexingService
    from core.library import Library
    from core.settings import Settings

    settings = Settings(indexing_workers=1)
    library = Library(tmp_path / "data", settings)
    library.set_embedder(embedder)
    IndexingService(library).index([str(sample_folder)], "A")
    total = library.catalog.counts()["indexed"]
    versions = library.store.table_dir / "_versions"
    library.close()

    manifests = sorted(versions.glob("*.manifest"), key=lambda p: int(p.stem))
    if damage == "truncate":  # a power cut in the middle of writing the newest version
        data = manifests[0].read_bytes()
        manifests[0].write_bytes(data[: len(data) // 3])
    elif damage == "empty":
        manifests[0].write_bytes(b"")
    else:  # nothing is readable any more
        for m in manifests:
            m.write_bytes(b"garbage")

    library = Library(tmp_path / "data", settings)  # must start, whatever the damage
    library.set_embedder(embedder)
    try:
        store = library.store
        assert library.notices and ("rolled back" in library.notices[0] or "rebuilt" in library.notices[0])
        if damage == "all":
            assert store.rebuilt and store.count() == 0
            assert any(p.name.startswith("chunks.lance.damaged-") for p in store.folder.iterdir())
        report = IndexingService(library).index([str(sample_folder)], "A")
        assert library.catalog.counts()["indexed"] == total
        check_consistent(library)
        assert report.indexed <= total
        assert library.store.text_search("cantin", 3)  # search works again
    finally:
        library.close()
