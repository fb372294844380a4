"""RTF through striprtf (pure Python, maintained): destinations such as font tables, pictures and
field instructions are skipped; the document's code page (\\ansicpgNNNN) decodes \\'hh escapes."""
from __future__ import annotations

import codecs
import re

from indexer.errors import ExtractionError
from indexer.types import Block, Extracted

MAX_BYTES = 256 * 2**20
_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_PAGE = re.compile(r"\\page\b")


def extract_rtf(path: str) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    with open(path, "rb") as fh:
        raw = fh.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ExtractionError("too large: RTF documents over 256 MB are not read", code="too-large-memory")
    encoding = "cp1252"
    found = _CODEPAGE.search(raw[:4096])
    if found:
        candidate = f"cp{int(found.group(1))}"
        try:
            codecs.lookup(candidate)
            encoding = candidate
        except LookupError:
            pass
    source = raw.decode("latin-1")  # RTF itself is 7-bit; 8-bit bytes are read as they come
    blocks: list[Block] = []
    # An explicit \page becomes a private-use character that striprtf passes through (\uN), so
    # that text keeps its page number (RTF has no other page layout).
    source = _PAGE.sub(lambda _m: "\\par \\u57344?\\par ", source)
    try:
        text = rtf_to_text(source, encoding=encoding, errors="replace")
    except RecursionError:
        raise
    except Exception as exc:
        raise ExtractionError("damaged RTF document (it cannot be read)", code="damaged") from exc
    for number, page in enumerate(text.split("\ue000"), 1):
        for line in page.replace("\r", "\n").split("\n"):
            line = line.strip()
            if not line:
                continue
            kind = "row" if line.count("|") >= 2 else "para"
            if kind == "row":
                line = " | ".join(c.strip() for c in line.strip("|").split("|"))
            blocks.append(Block(line, number, kind))
    return Extracted(blocks=blocks, pages=max((b.page for b in blocks), default=1))
