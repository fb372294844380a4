"""The UI never freezes: a heartbeat on the UI thread while the app indexes a few hundred files and
streams an answer. The bound is generous (shared CI machines); `python -m desktop.bench` measures."""
from __future__ import annotations

import os
import sys
import threading

import pytest

from desktop.bench import make_folder, measure


def test_event_loop_stays_responsive_while_indexing_and_answering(app_factory, library, tmp_path, llm):
    lanterne = app_factory(llm=llm)
    folder = make_folder(tmp_path / "many", 200)
    figures = measure(lanterne, folder, timeout_s=600)
    print("responsiveness:", figures)
    assert figures["indexed"] and figures["answered"] and figures["answer_tokens"] > 0
    assert library.catalog.counts()["indexed"] >= 200
    assert figures["max_gap_ms"] < 1000, figures


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own CPU priority is a Linux feature")
def test_background_work_runs_at_a_lower_priority_than_the_window(qtbot):
    """Runner threads (and the model threads they start) yield the CPU to the UI thread."""
    from desktop.bridge import BACKGROUND_NICE, Runner

    runner = Runner()
    window_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[tuple[int, int]] = []

    def work():
        child: list[int] = []
        t = threading.Thread(target=lambda: child.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        t.start()
        t.join()
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), child[0]

    runner.run(work, seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    expected = min(19, window_nice + BACKGROUND_NICE)
    assert seen[0] == (expected, expected)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == window_nice
