"""The command-line contract: JSON shapes, exit codes, one clear line on fatal errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def lanterne(*args, data_dir, timeout=300, input_text=None):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "core.cli", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env, input=input_text)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    from tests.conftest import FR_CONTRACT, make_docx, make_pdf

    root = tmp_path_factory.mktemp("cli")
    docs = root / "docs"
    docs.mkdir()
    make_pdf(docs / "contrat.pdf", [[("Contrat Dupont", 20), (" ".join(FR_CONTRACT), 11)]])
    make_docx(docs / "policy.docx", [("Policy", ["Remote work is allowed three days a week."])])
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    data = root / "data"
    result = lanterne("index", str(docs), "--collection", "Contrats", "--json", data_dir=data)
    return data, docs, result


def test_index_json_contract(indexed):
    data, docs, result = indexed
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"files_seen", "indexed", "unchanged", "removed", "failed", "chunks", "seconds"} <= set(report)
    assert report["files_seen"] == 3 and report["indexed"] == 2 and report["chunks"] >= 2
    assert [(f["path"].endswith("broken.pdf"), bool(f["reason"])) for f in report["failed"]] == [(True, True)]
    assert report["failed"][0]["reason"] == "corrupt PDF (damaged, or not really a PDF)"
    assert "files" in result.stderr and "Traceback" not in result.stderr  # progress went to stderr


def test_search_json_and_batch(indexed, tmp_path):
    data, _, _ = indexed
    result = lanterne("search", "renouvellement du contrat", "--json", "--k", "3", data_dir=data)
    hits = json.loads(result.stdout)
    assert hits and {"path", "page", "text", "score", "chunk_id"} <= set(hits[0])
    assert hits[0]["path"].endswith("contrat.pdf") and hits[0]["page"] == 1
    batch = tmp_path / "queries.txt"
    batch.write_text("remote work\nrenouvellement Dupont\n", encoding="utf-8")
    out = lanterne("search", "--batch", str(batch), "--json", "--k", "2", data_dir=data)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])[0]["path"].endswith("policy.docx")
    assert json.loads(lines[1])[0]["path"].endswith("contrat.pdf")
    scoped = lanterne("search", "remote", "--collection", "Nope", "--json", data_dir=data)
    assert scoped.returncode == 2 and "No collection" in scoped.stderr


def test_status_json(indexed):
    data, docs, _ = indexed
    status = json.loads(lanterne("status", "--json", data_dir=data).stdout)
    coll = status["collections"][0]
    assert coll["name"] == "Contrats" and coll["sources"][0]["path"] == str(docs)
    assert coll["documents"]["indexed"] == 2 and coll["documents"]["failed"] == 1
    assert coll["failures"][0]["reason"]
    assert status["embedder"]["model"] == "all-MiniLM-L6-v2" and status["embedder"]["dimension"] == 384
    assert status["chunks"] >= 2 and status["index_bytes"] > 0


def test_second_run_is_incremental(indexed):
    data, docs, _ = indexed
    report = json.loads(lanterne("index", str(docs), "--collection", "Contrats", "--json", data_dir=data).stdout)
    assert report["indexed"] == 0 and report["unchanged"] == 3


def test_fatal_error_is_one_line_no_traceback(tmp_path):
    result = lanterne("index", str(tmp_path / "nowhere"), data_dir=tmp_path / "d")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Not found" in result.stderr and "Traceback" not in result.stderr
    unwritable = lanterne("status", data_dir="/proc/lanterne-cannot-write")
    assert unwritable.returncode == 2 and "Traceback" not in unwritable.stderr
