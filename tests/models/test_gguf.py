"""GGUF safety: broken and hostile files are refused before llama.cpp parses them."""
from __future__ import annotations

import struct

import pytest

from models.errors import ModelError
from models.gguf import inspect_gguf
from models.llm import default_llm_path


def test_real_model_header():
    info = inspect_gguf(default_llm_path())
    assert info.architecture == "llama" and info.context_length == 8192
    assert info.quantization == "Q4_1" and info.license == "apache-2.0"
    assert "im_start" in info.chat_template and info.kv_bytes_per_token() > 0


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b[: len(b) // 2], "truncated"),
    (lambda b: b[:2000], "truncated"),
    (lambda b: b"GGML" + b[4:], "not a GGUF"),
    (lambda b: b[:4] + struct.pack("<I", 99) + b[8:], "version 99"),
    (lambda b: b[:8] + struct.pack("<Q", 2**60) + b[16:], "absurd counts"),
    (lambda b: b[:16] + struct.pack("<Q", 90_000) + b[24:], "truncated|absurd"),
    (lambda b: b"", "not a GGUF"),
])
def test_malformed_files_are_refused(tmp_path, mutate, message):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(mutate(default_llm_path().read_bytes()))
    with pytest.raises(ModelError, match=message):
        inspect_gguf(bad)


def test_absurd_string_length_is_refused(tmp_path):
    data = bytearray(default_llm_path().read_bytes())
    struct.pack_into("<Q", data, 24, 2**62)  # length of the first key
    bad = tmp_path / "long.gguf"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="absurd"):
        inspect_gguf(bad)
