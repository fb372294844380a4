"""Plain text, Markdown and CSV, with encoding detection."""
from __future__ import annotations

import csv
import io
import re

from indexer.errors import ExtractionError
from indexer.formats.ooxml import rows_to_blocks
from indexer.types import Block, Extracted

MAX_TEXT_BYTES = 512 * 1024 * 1024
STREAM_BYTES = 16 * 1024 * 1024  # larger text and CSV files are read in parts (bounded memory)
PART_BYTES = 4 * 1024 * 1024  # text handed to the chunker at a time when streaming
_PARA_SPLIT = re.compile(r"\n\s*\n")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def read_text(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise ExtractionError("file too large for a text document (over 512 MB)", code="text-too-large")
    return decode(data)


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(data: bytes) -> str:
    for bom, enc in _BOMS:
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
        raise ExtractionError(f"malformed CSV ({exc})", code="damaged") from exc
    return Extracted(blocks=[b for b in blocks if b.text])


# ---------------------------------------------------------------- large files, in parts

def sniff_encoding(path: str) -> str:
    """The encoding of a (large) file, judged on its first 4 MB, the way ``decode`` judges."""
    with open(path, "rb") as fh:
        sample = fh.read(4 * 1024 * 1024)
    for bom, enc in _BOMS:
        if sample.startswith(bom):
            return enc
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    return encoding


def iter_text_parts(path: str, fmt: str):
    """(blocks, info) parts of a large text, Markdown or CSV file, read ``PART_BYTES`` at a time
    with an incremental decoder: memory stays bounded whatever the size (a 200 MB log file was
    taking a worker to 2.9 GB). Paragraphs (and CSV rows) are never cut between parts; a CSV
    file's header row is carried to every part."""
    encoding = sniff_encoding(path)
    with open(path, "r", encoding=encoding, errors="replace", newline="") as fh:
        if fmt == "csv":
            yield from _csv_parts(fh, path)
            return
        carry = ""
        while True:
            data = fh.read(PART_BYTES)
            if not data:
                break
            text = _normalise_newlines(carry + data)
            cut = text.rfind("\n\n")
            if cut < 0 or len(text) - cut > PART_BYTES:
                cut = text.rfind("\n")  # one enormous paragraph: cut at a line
            if cut <= 0:
                cut = len(text)
            carry, text = text[cut:], text[:cut]
            blocks = [Block(p.strip(), 0, "para") for p in _PARA_SPLIT.split(text) if p.strip()]
            if blocks:
                yield blocks, {"pages": 0, "title": "", "warnings": []}
        blocks = [Block(p.strip(), 0, "para") for p in _PARA_SPLIT.split(_normalise_newlines(carry)) if p.strip()]
        if blocks:
            yield blocks, {"pages": 0, "title": "", "warnings": []}


def _csv_parts(fh, path: str, rows_per_part: int = 20_000):
    sample = fh.read(64 * 1024)
    fh.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.lower().endswith(".tsv") else csv.excel
    csv.field_size_limit(16 * 1024 * 1024)
    reader = csv.reader(fh, dialect)
    header: list[str] | None = None
    header_line = 0
    part: list[tuple[int, list[str]]] = []  # (the file's row number, values)
    try:
        for line, row in enumerate(reader, start=1):
            if header is None:
                if not any(v.strip() for v in row):
                    continue
                header, header_line = row, line
                continue
            part.append((line, row))
            if len(part) >= rows_per_part:
                yield _csv_blocks(header, part, header_line), {"pages": 0, "title": "", "warnings": []}
                part = []
    except csv.Error as exc:
        raise ExtractionError(f"malformed CSV ({exc})", code="damaged") from exc
    if part or header is not None:
        yield _csv_blocks(header or [], part, header_line), {"pages": 0, "title": "", "warnings": []}


def _csv_blocks(header: list[str], rows: list[tuple[int, list[str]]], header_line: int) -> list[Block]:
    """A part of a long CSV, numbered by file row; the header is carried to every part."""
    blocks: list[Block] = []
    rows_to_blocks([(header_line, header), *rows] if header else rows, 0, "", blocks, [5_000_000], numbered=True)
    return [b for b in blocks if b.text]
