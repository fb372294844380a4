"""Disk full, for real: indexing on a 1 MB filesystem stops with a clear message and loses
nothing; once the filesystem is grown, the same command resumes and completes."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import pytest

from core.docgen import filler_paragraphs, write_document
from tests.conftest import ROOT


def _mount_namespace_available() -> bool:
    exe = shutil.which("unshare")
    return bool(exe) and subprocess.run([exe, "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _mount_namespace_available(), reason="unshare -rm (user + mount namespace) is not available")
def test_disk_full_pauses_cleanly_and_resumes(tmp_path):
    rng = random.Random(7)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        write_document(docs / f"d{i:02d}.txt", f"Dossier {i}", filler_paragraphs(rng, 16000), "txt")
    data = tmp_path / "data"
    data.mkdir()
    script = (f"mount -t tmpfs -o size=1m tmpfs {data} && "
              f"exec {sys.executable} {ROOT / 'tests' / 'diskfull_session.py'} {data} {docs}")
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=900, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["full"] and "disk" in out["full"] and "full" in out["full"]
    assert out["last_state"] == ["error", out["full"]]  # the progress channel says so too
    assert out["indexed_without_chunks"] == []
    assert out["indexed_after"] == 40 and out["orphans"] == [] and out["hits"] > 0
    assert out["resumed_indexed"] == 40 - out["indexed_before"]
