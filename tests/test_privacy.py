"""Privacy, proven: a whole session (index, search, ask with the default models) runs with no
network at all — inside a network namespace, and with an audit hook that fails any socket connect
other than loopback — makes zero network attempts, and writes nothing outside the data folder and
the system temp folder (checked by the audit hook, and by giving the session an empty HOME that
must stay empty, which also catches writes from native code)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import FR_CONTRACT, ROOT, make_docx, make_pdf


def _unshare_available() -> bool:
    exe = shutil.which("unshare")
    if not exe:
        return False
    return subprocess.run([exe, "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _unshare_available(), reason="unshare -rn (user + network namespace) is not available here")
def test_whole_session_without_network(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    make_pdf(docs / "contrat.pdf", [[("Contrat", 18), (" ".join(FR_CONTRACT), 11)]])
    make_docx(docs / "note.docx", [("Note", ["Le contrat se renouvelle chaque année au 1er mars."])])
    # a scan: text recognition (Tesseract in the extraction workers) runs under the same watch;
    # the workers share the network namespace, and the empty home below catches their writes
    shutil.copy(ROOT / "resources" / "samples" / "facture-scannee.pdf", docs / "facture.pdf")
    home = tmp_path / "home"
    home.mkdir()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "HF_", "TRANSFORMERS_"))}
    env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1", PYTHONWARNINGS="ignore")
    result = subprocess.run(["unshare", "-rn", sys.executable, str(ROOT / "tests" / "privacy_session.py"),
                             str(data), str(docs)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    from indexer.ocr import resolve

    assert report["indexed"] == (3 if resolve("fra+eng")[0] else 2) and report["hits"] > 0 and report["answer"]
    assert report["attempts"] == []
    assert report["stray_writes"] == []
    assert [str(p) for p in home.rglob("*")] == []  # nothing written to the (empty) home folder
