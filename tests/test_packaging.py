"""The self-test the installed app runs, the third-party notices it shows, and its data files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_selftest_indexes_searches_and_answers_offline(capsys):
    from core.selftest import run

    assert run(as_json=True) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["ok"] and [s["step"] for s in summary["steps"]] == ["index", "search", "ocr", "answer"]
    assert summary["steps"][0]["indexed"] == 4  # PDF, DOCX, TXT and a scanned invoice (text recognition)


def test_selftest_fails_loudly_when_a_sample_cannot_be_read(tmp_path, capsys):
    from core.selftest import run

    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    (tmp_path / "ok.txt").write_text("Le contrat Dupont se renouvelle le 1er mars.", encoding="utf-8")
    assert run(tmp_path, as_json=True) == 1
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert not summary["ok"] and summary["steps"][0]["failed"]


def test_third_party_notices_are_current_and_complete(tmp_path):
    out = tmp_path / "notices.txt"
    subprocess.run([sys.executable, str(ROOT / "packaging" / "notices.py"), str(out)], check=True,
                   capture_output=True)
    committed = (ROOT / "resources" / "THIRD_PARTY_NOTICES.txt").read_text(encoding="utf-8")
    text = out.read_text(encoding="utf-8")
    for needle in ("AGPL", "pymupdf", "torch", "PySide6", "llama_cpp_python", "lancedb",
                   "all-MiniLM-L6-v2", "SmolLM2-135M-Instruct", "Apache-2.0"):
        assert needle.lower() in committed.lower(), needle
    # every bundled package is listed (by name: versions may move between installs)
    names = {line.split(" ", 1)[0] for line in text.split("Python packages", 1)[1].splitlines()[2:] if line}
    listed = {line.split(" ", 1)[0] for line in committed.split("Python packages", 1)[1].splitlines()[2:] if line}
    assert names <= listed, f"missing from the notices: {sorted(names - listed)} (run: python packaging/notices.py)"


def test_about_dialog_shows_the_notices(qtbot):
    from desktop.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QPlainTextEdit

    notices = dialog.findChild(QPlainTextEdit)
    assert "SmolLM2" in notices.toPlainText() and "AGPL" in notices.toPlainText()
