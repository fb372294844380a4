"""GGUF header checks in pure Python, before llama.cpp sees a file.

llama.cpp trusts the header it parses; a truncated download or a hostile file with absurd counts
or lengths can make it allocate wildly or read out of bounds. We walk the whole header — magic,
version, key/value pairs, tensor descriptors — bounding every count and length by the file size,
and refuse anything that does not add up, with a message a person understands.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import ModelError

MAGIC = b"GGUF"
MAX_KV = 100_000
MAX_TENSORS = 1_000_000
MAX_ARRAY = 50_000_000
MAX_STRING = 64 * 1024 * 1024
MAX_DIMS = 8

# GGUF value types
_U8, _I8, _U16, _I16, _U32, _I32, _F32, _BOOL, _STR, _ARR, _U64, _I64, _F64 = range(13)
_SCALAR = {_U8: "<B", _I8: "<b", _U16: "<H", _I16: "<h", _U32: "<I", _I32: "<i", _F32: "<f", _BOOL: "<?",
           _U64: "<Q", _I64: "<q", _F64: "<d"}

FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
              12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
              19: "IQ2_XXS", 20: "IQ2_XS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 28: "IQ4_XS", 32: "BF16"}


@dataclass
class GGUFInfo:
    path: Path
    version: int
    tensor_count: int
    metadata: dict = field(default_factory=dict)  # scalar and string values; big arrays summarised

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    def arch_value(self, key: str, default=None):
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name") or self.path.stem)

    @property
    def context_length(self) -> int:
        return int(self.arch_value("context_length", 0) or 0)

    @property
    def quantization(self) -> str:
        ft = self.metadata.get("general.file_type")
        if isinstance(ft, int) and ft in FILE_TYPES:
            return FILE_TYPES[ft]
        stem = self.path.stem.upper()
        for q in sorted(FILE_TYPES.values(), key=len, reverse=True):
            if q in stem:
                return q
        return "unknown"

    @property
    def license(self) -> str:
        return str(self.metadata.get("general.license", "") or "")

    @property
    def chat_template(self) -> str:
        return str(self.metadata.get("tokenizer.chat_template", "") or "")

    def kv_bytes_per_token(self) -> int:
        """Memory the KV cache needs per token of context (f16 keys and values)."""
        layers = int(self.arch_value("block_count", 0) or 0)
        embd = int(self.arch_value("embedding_length", 0) or 0)
        heads = int(self.arch_value("attention.head_count", 0) or 0) or 1
        kv_heads = self.arch_value("attention.head_count_kv", heads)
        kv_heads = int(max(kv_heads) if isinstance(kv_heads, list) else kv_heads or heads)
        head_dim = int(self.arch_value("attention.key_length", 0) or (embd // heads if heads else 0))
        return 2 * 2 * layers * kv_heads * head_dim


class _Reader:
    def __init__(self, fh, size: int) -> None:
        self.fh, self.size = fh, size

    def need(self, n: int, what: str) -> bytes:
        if n < 0 or self.fh.tell() + n > self.size:
            raise ModelError("gguf-corrupt", f"The model file is truncated or corrupt ({what} runs past the end of the file).")
        data = self.fh.read(n)
        if len(data) != n:
            raise ModelError("gguf-corrupt", "The model file is truncated.")
        return data

    def unpack(self, fmt: str, what: str):
        return struct.unpack(fmt, self.need(struct.calcsize(fmt), what))[0]

    def string(self, what: str, keep: bool = True) -> str | None:
        n = self.unpack("<Q", what)
        if n > MAX_STRING:
            raise ModelError("gguf-corrupt", f"The model file declares an absurd {what} length ({n} bytes).")
        if not keep:
            if self.fh.tell() + n > self.size:
                raise ModelError("gguf-corrupt", f"The model file is truncated ({what}).")
            self.fh.seek(n, os.SEEK_CUR)
            return None
        return self.need(n, what).decode("utf-8", errors="replace")

    def value(self, vtype: int, key: str, depth: int = 0):
        if vtype in _SCALAR:
            return self.unpack(_SCALAR[vtype], key)
        if vtype == _STR:
            return self.string(f"value of {key}")
        if vtype == _ARR:
            if depth > 2:
                raise ModelError("gguf-corrupt", "The model file nests arrays too deeply.")
            item_type = self.unpack("<I", key)
            count = self.unpack("<Q", key)
            if count > MAX_ARRAY:
                raise ModelError("gguf-corrupt", f"The model file declares an absurd array size for {key} ({count}).")
            if item_type in _SCALAR:
                width = struct.calcsize(_SCALAR[item_type])
                raw = self.need(width * count, key)
                if count <= 64:
                    return list(struct.unpack("<" + _SCALAR[item_type][1] * count, raw))
                return f"<array of {count}>"
            if item_type == _STR:
                for _ in range(count):
                    self.string(key, keep=False)
                return f"<array of {count} strings>"
            if item_type == _ARR:
                return [self.value(_ARR, key, depth + 1) for _ in range(min(count, 1))] if count else []
            raise ModelError("gguf-corrupt", f"The model file uses an unknown array type for {key}.")
        raise ModelError("gguf-corrupt", f"The model file uses an unknown value type ({vtype}) for {key}.")


def inspect_gguf(path: str | os.PathLike[str]) -> GGUFInfo:
    """Validate a GGUF file's header and return its metadata. Raises ModelError with a reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        fh = open(path, "rb")
    except FileNotFoundError as exc:
        raise ModelError("model-missing", f"Model file not found: {path}") from exc
    except OSError as exc:
        raise ModelError("model-unreadable", f"Cannot read the model file {path}: {exc.strerror}") from exc
    with fh:
        r = _Reader(fh, size)
        if size < 24 or fh.read(4) != MAGIC:
            raise ModelError("gguf-magic", f"{path.name} is not a GGUF model file (llama.cpp models end in .gguf).")
        version = r.unpack("<I", "version")
        if version not in (2, 3):
            raise ModelError("gguf-version", f"{path.name} uses GGUF version {version}, which is not supported (2 or 3).")
        tensor_count = r.unpack("<Q", "tensor count")
        kv_count = r.unpack("<Q", "metadata count")
        if tensor_count > MAX_TENSORS or kv_count > MAX_KV:
            raise ModelError("gguf-corrupt", f"{path.name} declares absurd counts ({tensor_count} tensors, {kv_count} keys).")
        # each tensor descriptor takes at least 28 bytes, each key/value at least 13
        if tensor_count * 28 + kv_count * 13 > size:
            raise ModelError("gguf-corrupt", f"{path.name} is truncated: its header promises more than the file holds.")
        metadata: dict = {}
        for _ in range(kv_count):
            key = r.string("metadata key") or ""
            vtype = r.unpack("<I", key)
            metadata[key] = r.value(vtype, key)
        alignment = int(metadata.get("general.alignment", 32) or 32)
        if alignment <= 0 or alignment & (alignment - 1):
            raise ModelError("gguf-corrupt", f"{path.name} declares an invalid alignment ({alignment}).")
        extents = []
        for _ in range(tensor_count):
            name = r.string("tensor name") or ""
            n_dims = r.unpack("<I", name)
            if n_dims == 0 or n_dims > MAX_DIMS:
                raise ModelError("gguf-corrupt", f"{path.name}: tensor {name!r} has {n_dims} dimensions.")
            dims = [r.unpack("<Q", name) for _ in range(n_dims)]
            r.unpack("<I", name)  # type
            offset = r.unpack("<Q", name)
            elements = 1
            for d in dims:
                elements *= d
            if elements > size * 8:  # even 1-bit weights could not fit
                raise ModelError("gguf-corrupt", f"{path.name}: tensor {name!r} is larger than the file.")
            extents.append(offset)
        data_start = (fh.tell() + alignment - 1) // alignment * alignment
        if any(data_start + off > size for off in extents):
            raise ModelError("gguf-corrupt", f"{path.name} is truncated (tensor data missing: incomplete download?).")
    return GGUFInfo(path=path, version=version, tensor_count=tensor_count, metadata=metadata)
