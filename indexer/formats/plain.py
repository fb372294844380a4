"""Plain text, Markdown and CSV, with encoding detection."""
from __future__ import annotations

import csv
import io
import re

from indexer.errors import ExtractionError
from indexer.formats.ooxml import rows_to_blocks
from indexer.types import Block, Extracted

MAX_TEXT_BYTES = 512 * 1024 * 1024
_PARA_SPLIT = re.compile(r"\n\s*\n")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def read_text(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise ExtractionError("file too large for a text document (over 512 MB)")
    return decode(data)


def decode(data: bytes) -> str:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data[: 4 * 1024 * 1024])
    best = matches.best()
    encoding = best.encoding if best is not None else "cp1252"
    # Our users write Western European languages: when Windows-1252 reads the bytes about as
    # cleanly as the detector's favourite (short texts are ambiguous), take Windows-1252.
    for match in matches:
        if match.encoding == "cp1252" and best is not None and match.chaos <= best.chaos + 0.05:
            encoding = "cp1252"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def extract_text(path: str) -> Extracted:
    text = _normalise_newlines(read_text(path))
    blocks = [Block(p.strip(), 0, "para") for p in _PARA_SPLIT.split(text) if p.strip()]
    return Extracted(blocks=blocks)


def extract_markdown(path: str) -> Extracted:
    text = _normalise_newlines(read_text(path))
    blocks: list[Block] = []
    para: list[str] = []
    in_fence = False

    def flush() -> None:
        if para:
            joined = "\n".join(para).strip()
            if joined:
                blocks.append(Block(joined, 0, "para"))
            para.clear()

    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            para.append(line)
            continue
        if in_fence:
            para.append(line)
            continue
        m = _ATX.match(line)
        if m:
            flush()
            if m.group(2):
                blocks.append(Block(m.group(2), 0, "heading", len(m.group(1))))
            continue
        if line.strip() and i + 1 < len(lines) and re.fullmatch(r"\s*(=+|-+)\s*", lines[i + 1] or "") and not para:
            # setext heading: the underline is consumed below
            blocks.append(Block(line.strip(), 0, "heading", 1 if "=" in lines[i + 1] else 2))
            lines[i + 1] = ""
            continue
        if not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    return Extracted(blocks=blocks)


def extract_csv(path: str) -> Extracted:
    text = _normalise_newlines(read_text(path))
    sample = text[:64 * 1024]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.lower().endswith(".tsv") else csv.excel
    try:
        csv.field_size_limit(16 * 1024 * 1024)
        rows = csv.reader(io.StringIO(text), dialect)
        blocks: list[Block] = []
        rows_to_blocks(rows, 0, "", blocks, [5_000_000])
    except csv.Error as exc:
        raise ExtractionError(f"malformed CSV ({exc})") from exc
    return Extracted(blocks=[b for b in blocks if b.text])
