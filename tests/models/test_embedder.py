"""The default embedder loads offline from its package, and per-model prefixes are applied."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from models.embedder import DEFAULT_EMBEDDER, default_embedder_path, describe_model, load_embedder
from models.errors import ModelError


def test_default_embedder_is_offline_and_normalised(embedder):
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["HF_HUB_DISABLE_TELEMETRY"] == "1"
    assert embedder.model_id == DEFAULT_EMBEDDER and embedder.dimension == 384 and embedder.max_tokens == 512
    docs = embedder.embed_documents(["Le chat dort.", "The cat sleeps.", "Quarterly revenue grew."])
    assert docs.shape == (3, 384) and np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    q = embedder.embed_query("a sleeping cat")
    assert q @ docs[1] > q @ docs[2] and q @ docs[0] > q @ docs[2]  # French too
    assert embedder.count_tokens("chat") == 1 and embedder.count_tokens("") == 0
    assert embedder.count_tokens_batch(["chat", "chat chat"]) == [1, 2]
    assert embedder.count_tokens("x" * 10) <= embedder.content_tokens


def test_minilm_stays_available_by_name():
    emb = load_embedder("all-MiniLM-L6-v2")
    assert emb.model_id == "all-MiniLM-L6-v2" and emb.max_tokens == 256 and "en" in emb.languages
    assert emb.count_tokens("hello world") == 2


def test_one_shot_search_imports_no_torch(tmp_path):
    """The default path (embedder, index, search) never imports PyTorch or transformers: that is
    what made a one-shot `lanterne search` take 6.6 s."""
    import subprocess
    import sys

    code = ("import sys; from core.cli import main; main(['--data-dir', sys.argv[1], 'search', 'x', '--json']); "
            "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "data")], capture_output=True, text=True,
                         timeout=120, cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_prefixes_from_model_name_and_override(tmp_path):
    prefixes, langs = describe_model("multilingual-e5-small")
    assert (prefixes.query, prefixes.passage) == ("query: ", "passage: ") and not langs
    copy = tmp_path / "my-model"
    shutil.copytree(default_embedder_path(), copy)
    (copy / "lanterne.json").write_text(json.dumps({"query_prefix": "query: ", "passage_prefix": "passage: ",
                                                    "languages": ["fr", "en"]}))
    emb = load_embedder(str(copy))
    assert emb.model_id == "my-model" and emb.languages == frozenset({"fr", "en"})
    plain = load_embedder("all-MiniLM-L6-v2")
    text = "Le contrat est renouvelé."
    # the prefix changes what the model sees, hence the vector
    assert not np.allclose(emb.embed_documents([text])[0], plain.embed_documents([text])[0])
    assert np.allclose(emb.embed_documents([text])[0], plain.embed_documents(["passage: " + text])[0], atol=1e-5)


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_embedder(str(tmp_path / "absent"))
