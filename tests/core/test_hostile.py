"""Hostile documents and broken states (issue: no prompt takeover, no silent death, no dead end):
a watcher that survives and repairs, a damaged catalog rebuilt, links that leave the folder, and
the command line's small dead ends."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from core.indexing import IndexingService
from core.library import Library
from core.search import SearchEngine
from tests.conftest import ROOT


def lanterne(*args, data_dir, timeout=300, input_bytes=None):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "core.cli", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          capture_output=True, timeout=timeout, env=env, input=input_bytes)


def _events_until(proc, predicate, timeout=180):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        event = json.loads(line)
        seen.append(event)
        if predicate(event):
            return seen
    raise AssertionError(f"event not seen; got {[e['event'] for e in seen]}")


@pytest.mark.parametrize("damage", ["delete-index", "truncate-catalog"])
def test_watch_survives_a_broken_data_folder_and_indexes_later_changes(tmp_path, damage):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Le contrat Dupont se renouvelle le premier mars de chaque année.")
    data = tmp_path / "data"
    assert lanterne("index", str(folder), data_dir=data).returncode == 0
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "--data-dir", str(data), "watch", "--json-events",
                             "--debounce", "0.3"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        _events_until(proc, lambda e: e["event"] == "ready")
        if damage == "delete-index":
            shutil.rmtree(data / "index")
        else:
            with open(data / "catalog.sqlite", "r+b") as fh:
                fh.truncate(1000)
            for extra in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
                (data / extra).unlink(missing_ok=True)
        (folder / "b.txt").write_text("La cantine ferme exceptionnellement le vendredi quatorze juin.")
        seen = _events_until(proc, lambda e: e["event"] == "indexed" and e.get("indexed", 0) >= 1)
        (folder / "c.txt").write_text("Le parking du personnel ferme à vingt heures en semaine.")
        seen += _events_until(proc, lambda e: e["event"] == "indexed" and e.get("indexed", 0) >= 1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0
    for query, name in [("cantine vendredi", "b.txt"), ("parking personnel", "c.txt"), ("contrat Dupont", "a.txt")]:
        out = lanterne("search", query, "--json", data_dir=data)
        assert out.returncode == 0, out.stderr
        hits = json.loads(out.stdout)
        assert hits and hits[0]["path"].endswith(name)


def test_damaged_catalog_is_set_aside_and_rebuilt_from_the_sources(tmp_path, sample_folder, settings, embedder):
    data = tmp_path / "data"
    lib = Library(data, settings)
    lib.set_embedder(embedder)
    IndexingService(lib).index([str(sample_folder)], "Travail")
    lib.close()
    with open(data / "catalog.sqlite", "r+b") as fh:
        fh.truncate(2048)
    lib = Library(data, settings)
    lib.set_embedder(embedder)
    try:
        assert any("catalog" in n and "rebuilt" in n for n in lib.notices)
        assert list(data.glob("catalog.sqlite.damaged-*"))
        assert [c.name for c in lib.catalog.collections()] == ["Travail"]  # what the user chose survives
        report = IndexingService(lib).index([str(sample_folder)], "Travail")
        assert report.indexed >= 9
        assert SearchEngine(lib).search("cantine vendredi", 3)[0].path.endswith("note.odt")
    finally:
        lib.close()


def test_search_on_a_deleted_index_says_so(tmp_path, sample_folder):
    data = tmp_path / "data"
    assert lanterne("index", str(sample_folder), data_dir=data).returncode == 0
    shutil.rmtree(data / "index")
    out = lanterne("search", "cantine", "--json", data_dir=data)
    assert out.returncode == 2 and b"rebuilt" in out.stderr
    assert lanterne("index", str(sample_folder), data_dir=data).returncode == 0
    out = lanterne("search", "cantine", "--json", data_dir=data)
    assert out.returncode == 0 and json.loads(out.stdout)


def test_links_leaving_the_folder_are_not_followed(library, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Mot de passe du coffre : 1234.")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ok.txt").write_text("Une note ordinaire sur la cantine.")
    (folder / "inner").mkdir()
    (folder / "inner" / "deep.txt").write_text("Une note rangée plus loin.")
    os.symlink(outside / "secret.txt", folder / "passwd.txt")
    os.symlink(outside, folder / "ailleurs")
    os.symlink(folder / "inner" / "deep.txt", folder / "raccourci.txt")  # stays inside: followed
    report = IndexingService(library).index([str(folder)], "Docs")
    indexed = {os.path.basename(d.path) for d in library.catalog.documents(status="indexed")}
    assert indexed == {"ok.txt", "deep.txt", "raccourci.txt"}
    reasons = {os.path.basename(f["path"]): f["reason"] for f in report.failed}
    assert "outside" in reasons["passwd.txt"] and "outside" in reasons["ailleurs"]
    assert not any("coffre" in h.text for h in SearchEngine(library).search("mot de passe coffre", 5))


def test_a_data_folder_inside_an_indexed_folder_is_not_indexed(tmp_path, sample_folder, settings, embedder):
    lib = Library(sample_folder / "lanterne-data", settings)
    lib.set_embedder(embedder)
    try:
        report = IndexingService(lib).index([str(sample_folder)], "Travail")
        assert not any("lanterne-data" in f["path"] for f in report.failed)
        assert not any("lanterne-data" in d.path for d in lib.catalog.documents())
    finally:
        lib.close()


def test_command_line_dead_ends(tmp_path, sample_folder):
    data = tmp_path / "data"
    assert lanterne("index", str(sample_folder), data_dir=data).returncode == 0
    for k in ("0", "-3", "100000", "x"):
        assert lanterne("search", "cantine", "--k", k, data_dir=data).returncode == 2
    binary = tmp_path / "queries.bin"
    binary.write_bytes(b"cantine\n\xff\xfe\x00garbage\n")
    out = lanterne("search", "--batch", str(binary), "--json", data_dir=data)
    assert out.returncode == 2 and b"UTF-8" in out.stderr
    out = lanterne("search", "--batch", "-", "--json", data_dir=data, input_bytes="cantine\nparking\n".encode())
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 2
    out = lanterne("search", os.fsdecode(b"caf\xe9"), data_dir=data)  # not UTF-8 on the command line
    assert out.returncode == 2
    fifo = tmp_path / "model.gguf"
    os.mkfifo(fifo)
    out = lanterne("models", "import", str(fifo), data_dir=data, timeout=60)
    assert out.returncode == 2 and b"not a regular file" in out.stderr
    # a failed ask (no such model) leaves no empty conversation behind
    assert lanterne("ask", "Quand ferme la cantine ?", "--model", "absent", data_dir=data).returncode == 2
    assert json.loads(lanterne("chats", "list", "--json", data_dir=data).stdout) == []


def test_names_are_safe_for_the_terminal_and_lossless_in_json(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "titre\x1b]0;pwned\x07.txt").write_text("Réunion du comité le jeudi.")
    raw_name = b"r\xe9union.txt"  # Latin-1 name: not valid UTF-8
    with open(os.path.join(os.fsencode(folder), raw_name), "w") as fh:
        fh.write("Ordre du jour de la réunion du comité.")
    data = tmp_path / "data"
    assert lanterne("index", str(folder), data_dir=data).returncode == 0
    out = lanterne("search", "comité", data_dir=data)
    assert out.returncode == 0 and b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    hits = json.loads(lanterne("search", "ordre du jour comité", "--json", data_dir=data).stdout)
    latin = next(h for h in hits if "union.txt" in h["path"] and "path_bytes_hex" in h)
    assert bytes.fromhex(latin["path_bytes_hex"]).endswith(raw_name)


def test_broken_pipe_is_not_an_error(tmp_path, sample_folder):
    data = tmp_path / "data"
    assert lanterne("index", str(sample_folder), data_dir=data).returncode == 0
    cmd = (f"{sys.executable} -m core.cli --data-dir {data} search cantine --k 50 | head -c 1 >/dev/null; "
           "echo ${PIPESTATUS[0]}")
    out = subprocess.run(["bash", "-c", cmd], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == "0"
    assert "unexpected error" not in (data / "logs" / "lanterne.log").read_text(encoding="utf-8")


def test_large_text_and_csv_files_are_read_in_parts(tmp_path, monkeypatch):
    """Big text files stream through the chunker in parts (the 200 MB case took a worker to
    2.9 GB); nothing is lost or cut between parts, and a CSV header reaches every part."""
    from indexer.formats import plain
    from indexer.formats.detect import iter_parts

    monkeypatch.setattr(plain, "STREAM_BYTES", 64 * 1024)
    monkeypatch.setattr(plain, "PART_BYTES", 16 * 1024)
    paragraphs = [f"Paragraphe {i} : le comité se réunit le jeudi {i % 28 + 1} pour le budget." for i in range(4000)]
    text_file = tmp_path / "journal.txt"
    text_file.write_text("\n\n".join(paragraphs), encoding="cp1252")
    parts = list(iter_parts(str(text_file)))
    assert len(parts) > 5
    assert [b.text for blocks, _ in parts for b in blocks] == paragraphs
    rows = [f"Article {i};{i},35 €;Boulangerie" for i in range(30000)]
    csv_file = tmp_path / "tarifs.csv"
    csv_file.write_text("produit;prix;rayon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    parts = list(iter_parts(str(csv_file)))
    assert len(parts) >= 2
    texts = [b.text for blocks, _ in parts for b in blocks if b.kind == "row"]
    assert "produit: Article 29999; prix: 29999,35 €; rayon: Boulangerie" in texts
    assert all(any(b.text == "produit | prix | rayon" for b in blocks) for blocks, _ in parts)


def test_watch_waits_out_a_full_disk_then_indexes(library, tmp_path, monkeypatch):
    """The disk fills while `watch` runs: the pass stops with the disk-full message, nothing is
    lost, and once space is back (the next commit succeeds) the waiting change is indexed. The
    real 1 MB filesystem case is tests/test_disk_full.py; here the failure is injected at the
    store's first commit so the watcher's own handling is what is tested."""
    import errno

    from core.watch import WatchService
    from indexer.store import ChunkStore

    folder = tmp_path / "live"
    folder.mkdir()
    (folder / "a.txt").write_text("Le contrat Dupont se renouvelle le premier mars.")
    service = IndexingService(library)
    service.index([str(folder)], "Live")
    real_write = ChunkStore.write
    calls = {"n": 0}

    def full_once(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(ChunkStore, "write", full_once)
    events = []
    watcher = WatchService(library, service, debounce_s=0.3, poll_interval_s=1.0, on_event=events.append)
    watcher.retry_after_s = 1.0
    watcher.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(e.kind == "ready" for e in events):
            time.sleep(0.1)
        (folder / "b.txt").write_text("La cantine ferme exceptionnellement le vendredi quatorze juin.")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            doc = library.catalog.document(library.catalog.collection("Live").id, str(folder / "b.txt"))
            if doc is not None and doc.status == "indexed":
                break
            time.sleep(0.2)
        assert doc is not None and doc.status == "indexed"
    finally:
        watcher.stop()
    assert any(e.kind == "error" and (e.detail or {}).get("code") == "disk-full" for e in events)
    assert SearchEngine(library).search("cantine vendredi", 3)[0].path.endswith("b.txt")


def test_search_shows_only_live_generations(library, tmp_path):
    """After an interrupted run, chunks of a version that was never marked indexed are not results."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Le contrat Dupont se renouvelle le premier mars de chaque année.")
    IndexingService(library).index([str(folder)], "Docs")
    doc = next(library.catalog.documents(status="indexed"))
    store = library.store
    rows = store._table.search().where(f"doc_id = {doc.id}").limit(10).to_arrow()
    orphan = rows.set_column(rows.schema.get_field_index("gen"), "gen",
                             __import__("pyarrow").array([doc.gen + 1000] * rows.num_rows, __import__("pyarrow").int64()))
    orphan = orphan.set_column(orphan.schema.get_field_index("chunk_id"), "chunk_id",
                               __import__("pyarrow").array([f"x-{i}" for i in range(rows.num_rows)]))
    store.append(orphan.select(store._table.schema.names))  # what a run killed before marking it left
    hits = SearchEngine(library).search("contrat Dupont", 10)
    assert hits and all(not h.chunk_id.startswith("x-") for h in hits)
    assert {h.doc_id for h in hits} == {doc.id}
