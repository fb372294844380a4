"""The UI never freezes: a heartbeat on the UI thread while the app indexes a few hundred files and
streams an answer. The bound is generous (shared CI machines); `python -m desktop.bench` measures."""
from __future__ import annotations

from desktop.bench import make_folder, measure


def test_event_loop_stays_responsive_while_indexing_and_answering(app_factory, library, tmp_path, llm):
    lanterne = app_factory(llm=llm)
    folder = make_folder(tmp_path / "many", 200)
    figures = measure(lanterne, folder, timeout_s=600)
    print("responsiveness:", figures)
    assert figures["indexed"] and figures["answered"] and figures["answer_tokens"] > 0
    assert library.catalog.counts()["indexed"] >= 200
    assert figures["max_gap_ms"] < 1000, figures
