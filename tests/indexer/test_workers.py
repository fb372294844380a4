"""Extraction workers: a hanging parser times out, a dead worker is replaced, the run goes on."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from indexer.workers import ExtractionPool, Job, WorkerConfig


def _config(embedder, **kw):
    return WorkerConfig(tokenizer_file=str(embedder.tokenizer_file), max_tokens=embedder.content_tokens,
                        timeout_per_mb_s=0.0, **kw)


def _slow_file(path):
    """Tens of MB of prose: seconds of real parsing and tokenising work."""
    para = "Le preneur s'engage à entretenir les locaux loués en bon état de réparations locatives. " * 20
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(12000):
            fh.write(para + "\n\n")
    return path


def _startup_s(tmp_path, embedder) -> float:
    """How long a fresh worker takes to read a tiny file on this machine (start-up included): the
    deadlines below are scaled from it, so a machine twice as slow still passes."""
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("Bonjour.")
    started = time.monotonic()
    with ExtractionPool(_config(embedder, base_timeout_s=60.0), workers=1) as pool:
        (result,) = list(pool.run([Job(0, str(tiny))]))
    assert result.ok
    return time.monotonic() - started


def test_hanging_file_times_out_and_others_still_index(tmp_path, embedder):
    fifo = _slow_file(tmp_path / "hangs.txt")
    good = tmp_path / "good.txt"
    good.write_text("Le contrat est signé.\n\nIl court un an.")
    deadline = max(1.0, 3 * _startup_s(tmp_path, embedder))  # the big file takes far longer than this
    with ExtractionPool(_config(embedder, base_timeout_s=deadline), workers=1) as pool:
        results = {os.path.basename(r.job.path): r for r in pool.run([Job(1, str(fifo)), Job(2, str(good))])}
        assert pool.restarts == 1
    assert not results["hangs.txt"].ok and "timed out" in results["hangs.txt"].reason
    assert results["good.txt"].ok and results["good.txt"].chunks[0].text.startswith("Le contrat")


def test_killed_worker_is_replaced(tmp_path, embedder):
    fifo = _slow_file(tmp_path / "stuck.txt")
    good = tmp_path / "after.txt"
    good.write_text("Still indexed after a crash.")
    pool = ExtractionPool(_config(embedder, base_timeout_s=60.0), workers=1)

    def kill_soon():
        time.sleep(2.0)  # the worker is busy with the big file by then
        for worker in pool._workers:
            os.kill(worker.process.pid, signal.SIGKILL)  # what a segfault looks like from outside

    threading.Thread(target=kill_soon, daemon=True).start()
    try:
        results = list(pool.run([Job(1, str(fifo)), Job(2, str(good))]))
    finally:
        pool.close()
    by_key = {r.job.key: r for r in results}
    assert not by_key[1].ok and "crashed" in by_key[1].reason
    assert by_key[2].ok


def test_memory_cap_reports_a_reason_and_the_worker_survives(tmp_path, embedder):
    # ~120 MB of HTML, a format still read whole (text, Markdown and CSV are read in parts):
    # far more than the cap allows to parse
    hog = tmp_path / "hog.html"
    with open(hog, "w", encoding="utf-8") as fh:
        fh.write("<html><body>")
        line = "<p>Une ligne de texte qui se répète pour remplir la mémoire du lecteur. " * 16 + "</p>\n"
        for _ in range(100_000):
            fh.write(line)
        fh.write("</body></html>")
    small = tmp_path / "small.txt"
    small.write_text("Toujours indexé.")
    # 1,200 MB: the default embedder's tokenizer (its C engine, model mapped) needs ~1 GB of address
    # space in a worker; the default cap is 3 GB
    with ExtractionPool(_config(embedder, memory_mb=1200, base_timeout_s=120.0), workers=1) as pool:
        results = {r.job.key: r for r in pool.run([Job(1, str(hog)), Job(2, str(small))])}
    assert not results[1].ok and ("memory" in results[1].reason or "crashed" in results[1].reason), results[1].reason
    assert results[2].ok
