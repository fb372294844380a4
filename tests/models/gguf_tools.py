"""Test helper: rewrite string metadata of a real GGUF file (e.g. plant a hostile chat template)."""
from __future__ import annotations

import struct
from pathlib import Path


def _read_string(data: bytes, pos: int) -> tuple[str, int]:
    n = struct.unpack_from("<Q", data, pos)[0]
    return data[pos + 8:pos + 8 + n].decode("utf-8", "replace"), pos + 8 + n


def _skip_value(data: bytes, pos: int, vtype: int) -> int:
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
    if vtype in sizes:
        return pos + sizes[vtype]
    if vtype == 8:
        return _read_string(data, pos)[1]
    if vtype == 9:
        item, count = struct.unpack_from("<IQ", data, pos)
        pos += 12
        for _ in range(count):
            pos = _skip_value(data, pos, item)
        return pos
    raise ValueError(vtype)


def rewrite_strings(src: Path, dst: Path, overrides: dict[str, str]) -> Path:
    data = src.read_bytes()
    n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
    pos = 24
    out = bytearray(data[:24])
    alignment = 32
    for _ in range(n_kv):
        start = pos
        key, pos = _read_string(data, pos)
        vtype = struct.unpack_from("<I", data, pos)[0]
        end = _skip_value(data, pos + 4, vtype)
        if key == "general.alignment":
            alignment = struct.unpack_from("<I", data, pos + 4)[0]
        if key in overrides and vtype == 8:
            value = overrides[key].encode()
            out += data[start:pos + 4] + struct.pack("<Q", len(value)) + value
        else:
            out += data[start:end]
        pos = end
    tensors_start = pos
    for _ in range(n_tensors):
        _, pos = _read_string(data, pos)
        n_dims = struct.unpack_from("<I", data, pos)[0]
        pos += 4 + 8 * n_dims + 4 + 8
    out += data[tensors_start:pos]
    old_data_start = (pos + alignment - 1) // alignment * alignment
    out += b"\0" * ((-len(out)) % alignment)
    out += data[old_data_start:]
    dst.write_bytes(bytes(out))
    return dst
