"""Live folders: new, changed (atomic saves), moved, deleted files and new subfolders are picked
up; a source that disappears loses nothing and is reconciled when it comes back."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from core.indexing import IndexingService
from core.watch import WatchService
from tests.conftest import ROOT


def wait_until(predicate, timeout=30.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def doc(library, path):
    return library.catalog.document(library.catalog.collection("Live").id, str(path))


@pytest.fixture
def live(library, tmp_path):
    folder = tmp_path / "live"
    folder.mkdir()
    (folder / "a.txt").write_text("Le contrat Dupont se renouvelle le 1er mars.")
    service = IndexingService(library)
    service.index([str(folder)], "Live")
    events = []
    watcher = WatchService(library, service, debounce_s=0.6, poll_interval_s=1.0, on_event=events.append)
    watcher.start()
    assert wait_until(lambda: watcher.runs >= 1)  # the start-up reconcile
    yield library, folder, watcher, events
    watcher.stop()


def test_new_changed_moved_deleted_and_subfolders(live):
    library, folder, watcher, events = live
    (folder / "b.txt").write_text("La cantine ferme le vendredi.")
    assert wait_until(lambda: (d := doc(library, folder / "b.txt")) is not None and d.status == "indexed")

    a = doc(library, folder / "a.txt")
    os.rename(folder / "a.txt", folder / "renamed.txt")
    # the pass records the new name before it recognises the move (a placeholder row, deleted when
    # the content hash matches): wait for the pass to finish, not for the first sight of the name
    assert wait_until(lambda: (d := doc(library, folder / "renamed.txt")) is not None and d.status == "indexed"
                      and doc(library, folder / "a.txt") is None)
    moved = doc(library, folder / "renamed.txt")
    assert moved.id == a.id and moved.gen == a.gen  # re-pathed, not re-embedded
    assert doc(library, folder / "a.txt") is None
    hits = library.store.text_search("cantin", 5) + library.store.text_search("renouvel", 5)
    assert any(h["path"].endswith("renamed.txt") for h in hits)

    (folder / "sub").mkdir()
    (folder / "sub" / "c.md").write_text("# Note\n\nLe parking est fermé en août.")
    assert wait_until(lambda: (d := doc(library, folder / "sub" / "c.md")) is not None and d.status == "indexed")

    (folder / "b.txt").unlink()
    assert wait_until(lambda: doc(library, folder / "b.txt") is None)
    assert not any(h["path"].endswith("b.txt") for h in library.store.text_search("cantin", 5))


def test_atomic_save_gives_exactly_one_reindex(live):
    library, folder, watcher, events = live
    before = doc(library, folder / "a.txt")
    runs_before = watcher.runs
    tmp = folder / "a.txt.tmp"  # an editor's atomic save: write a temp file, then rename over
    tmp.write_text("Le contrat Dupont se renouvelle désormais le 1er avril.")
    with open(tmp, "a") as fh:
        fh.write(" Avenant signé.")
    os.replace(tmp, folder / "a.txt")
    assert wait_until(lambda: doc(library, folder / "a.txt").gen != before.gen)
    time.sleep(2.0)  # any straggling event would cause a second run by now
    after = doc(library, folder / "a.txt")
    indexed_events = [e for e in events if e.kind == "indexed"]
    assert watcher.runs - runs_before == 1
    assert after.id == before.id and after.status == "indexed"
    assert indexed_events[-1].detail["indexed"] == 1
    assert "avril" in " ".join(h["text"] for h in library.store.text_search("avril", 5))


def test_source_that_disappears_loses_nothing(live):
    library, folder, watcher, events = live
    away = folder.with_name("unplugged")
    os.rename(folder, away)  # the USB drive is unplugged
    assert wait_until(lambda: any(e.kind == "source-missing" for e in events))
    assert doc(library, folder / "a.txt").status == "indexed"  # nothing deleted
    (away / "d.txt").write_text("Ajouté pendant l'absence.")
    os.rename(away, folder)  # plugged back in
    assert wait_until(lambda: any(e.kind == "source-back" for e in events))
    assert wait_until(lambda: (d := doc(library, folder / "d.txt")) is not None and d.status == "indexed")


def test_watch_command_runs_until_sigterm(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "x.txt").write_text("Premier document.")
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cli = [sys.executable, "-m", "core.cli", "--data-dir", str(data)]
    subprocess.run(cli + ["index", str(folder)], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    proc = subprocess.Popen(cli + ["watch", "--json-events", "--debounce", "0.5"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "started" and first["sources"] == 1
        while (event := json.loads(proc.stdout.readline()))["event"] != "ready":
            pass
        assert event["watched"] == 1
        (folder / "y.txt").write_text("Deuxième document, ajouté pendant la surveillance.")
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            event = json.loads(proc.stdout.readline())
            seen.append(event)
            if event["event"] == "indexed" and event.get("indexed") == 1:
                break
        assert any(e["event"] == "changed" and e["path"].endswith("y.txt") for e in seen)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["event"] == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
    status = json.loads(subprocess.run(cli + ["status", "--json"], cwd=ROOT, env=env, capture_output=True,
                                       text=True, timeout=120).stdout)
    assert status["documents"]["indexed"] == 2


def test_long_reembedding_is_done_in_slices_between_changes(library, tmp_path):
    """After an embedder change every chunk needs a new vector; the watcher fills them in short
    slices, so a file saved meanwhile is indexed without waiting for the whole re-embedding."""
    folder = tmp_path / "live"
    folder.mkdir()
    for i in range(260):  # several embedding batches (64 chunks): more than one slice
        (folder / f"n{i:03d}.txt").write_text(f"Note {i} : la réunion du comité budgétaire a lieu le jeudi {i + 1}.")
    service = IndexingService(library)
    service.index([str(folder)], "Live")
    library.store.forget_vectors()  # what an embedder change of the same dimension does
    events = []
    watcher = WatchService(library, service, debounce_s=0.3, poll_interval_s=1.0, on_event=events.append)
    watcher.embed_slice_s = 0.0  # one batch per pass
    watcher.start()
    try:
        (folder / "new.txt").write_text("La cantine ferme exceptionnellement le vendredi quatorze juin.")
        assert wait_until(lambda: (d := doc(library, folder / "new.txt")) is not None and d.status == "indexed", 120)
        assert wait_until(lambda: library.store.embedded_share() == 1.0, 300)
    finally:
        watcher.stop()
    assert watcher.runs >= 2
