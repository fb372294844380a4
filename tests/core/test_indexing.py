"""The indexing pipeline on generated folders: statuses, incremental updates, consistency."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from core.indexing import IndexingService
from tests.conftest import make_docx, make_scanned_pdf


def consistent(library) -> None:
    """Catalog and chunks agree: every indexed document has exactly its live chunks, no orphans."""
    live = library.catalog.live_generations()
    found = library.store.generations()
    for (doc_id, gen), count in found.items():
        assert live.get(doc_id) == gen, f"orphan chunks for doc {doc_id} gen {gen}"
    for doc in library.catalog.documents(status="indexed"):
        assert found.get((doc.id, doc.gen)) == doc.chunk_count > 0


def test_index_folder_reports_and_is_incremental(library, sample_folder):
    service = IndexingService(library)
    make_scanned_pdf(sample_folder / "scan.pdf")
    (sample_folder / "~$lock.docx").write_bytes(b"lock")  # Office lock file: excluded by default
    (sample_folder / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    events = []
    report = service.index([str(sample_folder)], "Travail", progress=events.append)
    assert report.files_seen == 12
    assert report.indexed == 10
    reasons = {os.path.basename(f["path"]): f["reason"] for f in report.failed}
    assert reasons["scan.pdf"].startswith("no text layer (scanned)")
    assert reasons["photo.jpg"].startswith("damaged image")
    assert report.chunks >= 10
    assert events[-1].state == "done" and events[-1].files_done == events[-1].files_total
    consistent(library)

    again = service.index([str(sample_folder)], "Travail")
    assert (again.indexed, again.unchanged, again.removed) == (0, 12, 0)

    # touched but identical: the hash says unchanged, nothing is re-embedded
    os.utime(sample_folder / "memo.txt", ns=(time.time_ns(), time.time_ns()))
    # changed content: its chunks are replaced as one unit
    make_docx(sample_folder / "remote-policy.docx", [("Remote work policy", ["Remote work is now allowed four days a week."])])
    (sample_folder / "readme.md").unlink()
    third = service.index([str(sample_folder)], "Travail")
    assert (third.indexed, third.removed) == (1, 1)
    assert third.unchanged == 10
    consistent(library)
    texts = [h["text"] for h in library.store.text_search("four", 20)]
    assert any("four days" in t for t in texts) and not any("three days" in t for t in texts)


def test_crash_between_commits_is_repaired(library, sample_folder):
    service = IndexingService(library)
    service.index([str(sample_folder)], "A")
    docs = list(library.catalog.documents(status="indexed"))
    victim = docs[0]
    # Simulate a crash after step 1 and 2 of a rewrite: marked indexing, a new generation added.
    library.catalog.mark_indexing([victim.id])
    rows = library.store._table.search().where(f"doc_id = {victim.id}").limit(1000).to_arrow()
    rows = rows.drop_columns([c for c in rows.column_names if c.startswith("_")])
    import pyarrow.compute as pc

    rows = rows.set_column(rows.schema.get_field_index("gen"), "gen", pc.add(rows.column("gen"), 1000))
    library.store._table.add(rows)
    repaired = service.reconcile()
    assert repaired["requeued"] == 1 and repaired["stale_chunks_removed"] >= 1
    assert library.catalog.document_by_id(victim.id).status == "pending"
    service.index([str(sample_folder)], "A")
    consistent(library)
    assert library.catalog.document_by_id(victim.id).status == "indexed"


def test_unreadable_folder_is_reported_and_the_rest_indexes(tmp_path):
    """A real permission error: when the suite runs as root (which reads everything), the scan
    runs in a forked child that drops to the unprivileged 'nobody' user."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="lanterne-perm-"))
    try:
        os.chmod(root, 0o755)
        (root / "locked").mkdir()
        (root / "ok.txt").write_text("Readable text here.")
        (root / "locked" / "hidden.txt").write_text("secret")
        os.chmod(root / "locked", 0)
        from indexer.scan import build_spec, walk

        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: drop to 'nobody' when root, scan, report through the pipe
            status = 1
            try:
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                found = [[type(i).__name__, i.path, getattr(i, "reason", "")] for i in walk(str(root), build_spec([]))]
                os.write(write_fd, json.dumps(found).encode())
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            raw = pipe.read()
        _, status = os.waitpid(pid, 0)
        assert status == 0
        items = json.loads(raw)
        assert ["FileEntry", str(root / "ok.txt"), ""] in items
        problems = [i for i in items if i[0] == "ScanProblem"]
        assert problems == [["ScanProblem", str(root / "locked"), "permission denied (cannot open the folder)"]]
    finally:
        os.chmod(root / "locked", 0o755)
        shutil.rmtree(root, ignore_errors=True)


def test_too_large_and_missing_files_are_reported(library, tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "huge.txt").write_text("mot " * 400_000)  # 1.6 MB
    (folder / "small.txt").write_text("Un petit fichier.")
    library.settings.max_file_mb = 1
    report = IndexingService(library).index([str(folder)])
    assert report.indexed == 1
    assert [f["reason"] for f in report.failed] == ["too large (1 MB; the limit is 1 MB in settings)"]


def test_symlink_loop_and_odd_names(library, tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    os.symlink(root, root / "loop")
    (root / "accentué é.txt").write_text("Un fichier au nom accentué.")
    if os.name == "posix":
        odd = os.fsdecode(b"latin1-\xe9t\xe9.txt")  # not valid UTF-8 on disk
        with open(os.path.join(os.fsencode(root), b"latin1-\xe9t\xe9.txt"), "wb") as fh:
            fh.write(b"Nom de fichier en Latin-1.")
    report = IndexingService(library).index([str(root)])
    assert report.indexed == (2 if os.name == "posix" else 1)
    assert not report.failed
    paths = [d.path for d in library.catalog.documents()]
    assert len(paths) == report.indexed


def test_collections_scope_search_and_embedder_change_reembeds(library, sample_folder, tmp_path, embedder):
    from core.library import Library
    from core.search import SearchEngine
    from models.embedder import default_embedder_path, load_embedder

    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("La cantine ouvre à midi.")
    service = IndexingService(library)
    service.index([str(sample_folder)], "Travail")
    service.index([str(other)], "Perso")
    engine = SearchEngine(library)
    perso = engine.search("cantine", 5, ["Perso"])
    assert perso and all("x.txt" in h.path for h in perso)
    both = {os.path.basename(h.path) for h in engine.search("cantine", 10)}
    assert {"x.txt", "note.odt"} <= both

    # Another embedder of the same dimension (MiniLM, from a folder): every row is kept and
    # keyword search goes on while the new vectors are filled in the background.
    copy = tmp_path / "my-minilm-copy"
    shutil.copytree(default_embedder_path(), copy)
    library.settings.embedder = str(copy)
    lib2 = Library(library.layout.root, library.settings)
    lib2.set_embedder(load_embedder(str(copy)))
    rows = lib2.store.count()
    assert rows > 0 and lib2.store.embedded_share() == 0.0
    engine2 = SearchEngine(lib2)
    assert any("x.txt" in h.path for h in engine2.search("cantine", 5))  # keyword half, at once
    assert engine2.search("cantine", 5, mode="vector") == []  # no stale vectors of the old model
    report = IndexingService(lib2).index([str(other)], "Perso")
    assert report.indexed == 0 and report.unchanged == 1  # nothing re-read...
    assert lib2.store.embedded_share() == 1.0 and lib2.store.count() == rows  # ...everything re-embedded
    assert lib2.catalog.get_meta("embedder_id") == "my-minilm-copy"
    assert any("x.txt" in h.path for h in engine2.search("cantine", 5, mode="vector"))
    lib2.close()


def test_per_source_exclusions(library, sample_folder):
    (sample_folder / "drafts").mkdir()
    (sample_folder / "drafts" / "brouillon.txt").write_text("Un brouillon à ignorer.")
    (sample_folder / ".hidden.txt").write_text("caché")  # default exclusion: hidden files
    report = IndexingService(library).index([str(sample_folder)], "Travail", excludes=["*.md", "drafts/"])
    paths = {os.path.basename(d.path) for d in library.catalog.documents()}
    assert "readme.md" not in paths and "brouillon.txt" not in paths and ".hidden.txt" not in paths
    assert "memo.txt" in paths and report.files_seen == 9
    source = library.catalog.sources()[0]
    assert source.excludes == ("*.md", "drafts/")


def test_long_document_is_committed_in_parts(library, tmp_path):
    """A long PDF is extracted page group by page group and committed in parts (bounded memory);
    the result is one consistent document, and a re-index swaps versions without duplicates."""
    import random

    from core.docgen import filler_paragraphs, write_document
    from indexer.workers import ExtractionPool, Job, WorkerConfig

    folder = tmp_path / "long"
    folder.mkdir()
    pdf = write_document(folder / "rapport.pdf", "Rapport annuel", filler_paragraphs(random.Random(3), 120 * 2600), "pdf")
    emb = library.embedder
    settings = library.settings
    config = WorkerConfig(tokenizer_file=str(emb.tokenizer_file), max_tokens=emb.content_tokens, part_chunks=40,
                          pages_per_part=20, target_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap)
    with ExtractionPool(config) as pool:
        results = list(pool.run([Job(1, str(pdf))]))
    assert len(results) >= 4 and all(r.partial for r in results[:-1]) and not results[-1].partial
    ordinals = [c.ordinal for r in results for c in r.chunks]
    assert ordinals == list(range(len(ordinals)))

    library.settings.part_chunks = 40
    service = IndexingService(library)
    report = service.index([str(folder)], "Long")
    doc = library.catalog.documents(status="indexed").__next__()
    assert report.indexed == 1 and report.chunks == len(ordinals) == doc.chunk_count and doc.pages == 84
    consistent(library)
    rows = library.store._table.search().where(f"doc_id = {doc.id}").select(["ordinal", "page"]).limit(100000).to_arrow()
    assert sorted(rows.column("ordinal").to_pylist()) == list(range(doc.chunk_count))
    assert max(rows.column("page").to_pylist()) == 84

    write_document(pdf, "Rapport annuel", filler_paragraphs(random.Random(4), 120 * 2600), "pdf")  # changed
    service.index([str(folder)], "Long")
    consistent(library)
    again = library.catalog.document_by_id(doc.id)
    assert again.gen != doc.gen and library.store.generations().keys() == {(doc.id, again.gen)}


def test_pause_resume_and_cancel(library, sample_folder):
    import threading

    service = IndexingService(library)
    states: list[str] = []
    paused = threading.Event()

    def on_progress(p) -> None:
        states.append(p.state)
        if p.state == "paused":
            paused.set()

    service.pause()
    worker = threading.Thread(target=lambda: results.append(service.index([str(sample_folder)], "P", on_progress)))
    results: list = []
    worker.start()
    assert paused.wait(60), states  # the run reports that it is paused, and waits
    assert library.catalog.counts()["indexed"] == 0
    service.resume()
    worker.join(120)
    assert results and results[0].indexed == 10 and states[-1] == "done"

    (sample_folder / "new.txt").write_text("Un document ajouté ensuite.")
    service.cancel()  # a cancel before the run starts is cleared by the run itself
    report = service.index([str(sample_folder)], "P")
    assert report.indexed == 1 and not report.cancelled
    consistent(library)


def test_changed_exclusions_and_retry_are_core_commands(tmp_path, library):
    from core.indexing import IndexingService

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "garder.txt").write_text("Le budget du comité est voté.", encoding="utf-8")
    (folder / "brouillon.txt").write_text("Brouillon du budget, à ne pas indexer.", encoding="utf-8")
    service = IndexingService(library)
    service.index([str(folder)], "Docs")
    (source,) = library.catalog.sources()
    assert service.set_exclusions({source.id: ["brouillon*"]}) == [source.id]
    assert service.set_exclusions({source.id: ["brouillon*"]}) == []  # unchanged: nothing to rescan
    coll = library.catalog.collection("Docs")
    report = service.run(coll, library.catalog.sources())
    assert report.removed == 1 and library.catalog.counts()["indexed"] == 1
    (kept,) = library.catalog.documents(status="indexed")
    assert service.retry([kept.id]) == {source.id}
    assert library.catalog.document_by_id(kept.id).status == "pending"
    assert service.run(coll, library.catalog.sources()).indexed == 1
