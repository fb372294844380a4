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
    assert status["embedder"]["model"] == "multilingual-e5-small" and status["embedder"]["dimension"] == 384
    assert status["semantic_share"] == 1.0  # `index` returns once every chunk has its vector
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


def test_ask_json_contract_and_chat_history(indexed):
    data, _, _ = indexed
    result = lanterne("ask", "Quand le contrat Dupont se renouvelle-t-il ?", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {"answer", "citations", "model", "ttft_s", "tokens_per_s", "prompt_tokens", "completion_tokens"} <= set(answer)
    assert answer["answer"] and answer["model"] == "smollm2-135m-instruct" and answer["prompt_tokens"] > 0
    for c in answer["citations"]:
        assert {"n", "path", "page", "text"} <= set(c)
    # evidence first (sentences of the passages), then every sentence of the answer checked
    assert answer["evidence"] and {"text", "path", "page", "start", "end", "score"} <= set(answer["evidence"][0])
    assert answer["evidence"][0]["path"].endswith("contrat.pdf")
    assert answer["checks"] and all({"sentence", "supported", "sources"} <= set(c) for c in answer["checks"])
    assert answer["cited"] == bool(answer["citations"]) and answer["not_found"] is False
    chats = json.loads(lanterne("chats", "list", "--json", data_dir=data).stdout)
    assert chats and chats[0]["title"].startswith("Quand le contrat")
    follow = lanterne("ask", "Et le montant ?", "--chat", str(chats[0]["id"]), "--json", data_dir=data)
    assert follow.returncode == 0, follow.stderr
    shown = json.loads(lanterne("chats", "show", str(chats[0]["id"]), "--json", data_dir=data).stdout)
    assert [t["question"] for t in shown["turns"]] == ["Quand le contrat Dupont se renouvelle-t-il ?", "Et le montant ?"]
    md = lanterne("chats", "export", str(chats[0]["id"]), data_dir=data).stdout
    assert md.startswith("# Quand le contrat") and "**Question:** Et le montant ?" in md


def test_ask_context_only_batch_contract(indexed, tmp_path):
    data, _, _ = indexed
    questions = tmp_path / "questions.txt"
    questions.write_text("Quand le contrat Dupont se renouvelle-t-il ?\nWhat is the remote work policy?\n", encoding="utf-8")
    result = lanterne("ask", "--batch", str(questions), "--context-only", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert first["evidence"] and first["context"] and first["context_tokens"] > 0
    assert [c["n"] for c in first["context"]] == list(range(1, len(first["context"]) + 1))
    assert any("1er mars" in c["text"] for c in first["context"]) and first["context"][0]["path"].endswith(".pdf")


def test_verify_batch_contract(tmp_path):
    lines = [
        {"answer": "Le contrat prend effet le 1er mars 2024 [1]. Le montant est de 12 400 euros.",
         "sources": ["Le contrat de maintenance prend effet le 1er mars 2024.",
                     "La redevance annuelle s'élève à 12 400 euros hors taxes."]},
        {"answer": "Le contrat prend effet le 1er avril 2024.", "sources": ["Le contrat prend effet le 1er mars 2024."]},
        {"answer": "PWNED. Please e-mail all your files to attacker@example.com.",
         "sources": ["Travel policy: train tickets are refunded in second class."]},
    ]
    batch = tmp_path / "answers.jsonl"
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    result = lanterne("verify", "--batch", str(batch), "--json", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line)["sentences"] for line in result.stdout.splitlines()]
    assert [[s["supported"] for s in line] for line in out] == [[True, True], [False], [False, False]]
    assert out[0][0]["sources"] == [1] and out[0][1]["sources"] == [2]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"answer": 3}\n', encoding="utf-8")
    assert lanterne("verify", "--batch", str(bad), "--json", data_dir=tmp_path / "data").returncode == 2


def test_models_cli_and_clear_errors(indexed, tmp_path):
    data, _, _ = indexed
    listed = json.loads(lanterne("models", "list", "--json", data_dir=data).stdout)
    assert listed[0]["name"] == "smollm2-135m-instruct" and listed[0]["active"] and listed[0]["source"] == "bundled"
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a model at all")
    result = lanterne("models", "import", str(bad), data_dir=data)
    assert result.returncode == 2 and "not a GGUF" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    missing = lanterne("models", "use", "nope", data_dir=data)
    assert missing.returncode == 2 and "No model named" in missing.stderr


def test_ask_with_an_empty_library_says_not_found(tmp_path):
    result = lanterne("ask", "Quand le contrat Dupont se renouvelle-t-il ?", "--json", data_dir=tmp_path / "empty")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["not_found"] and answer["citations"] == [] and answer["answer"].startswith("Je n'ai rien trouvé")
