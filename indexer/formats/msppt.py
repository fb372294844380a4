"""PowerPoint 97-2003 (.ppt) text, read from the "PowerPoint Document" stream ([MS-PPT]).

The stream is a tree of records (8-byte header: version/instance, type, length). Placeholder text
(titles, bullets) sits in the document's SlideListWithText, one SlidePersistAtom per slide followed
by its text atoms; text typed in free text boxes sits in each slide's own drawing. Slides are found
through the persist directory (persist id -> stream offset), so that every text lands on its slide
number. Masters, handouts and layouts ("Cliquez pour modifier le style du titre") are skipped.
"""
from __future__ import annotations

import struct

from indexer.errors import ExtractionError
from indexer.types import Block, Extracted

_DAMAGED = "damaged PowerPoint 97-2003 presentation (it cannot be read; try opening and saving it again)"

DOCUMENT = 0x03E8
SLIDE = 0x03EE
NOTES = 0x03F0
SLIDE_PERSIST = 0x03F3
MAIN_MASTER = 0x03F8
HANDOUT = 0x0FC9
HEADERS_FOOTERS = 0x0FD9
CSTRING = 0x0FBA
SLIDE_LIST = 0x0FF0
TEXT_HEADER = 0x0F9F
TEXT_CHARS = 0x0FA0
TEXT_BYTES = 0x0FA8
PERSIST_DIRECTORY = 0x1772
CRYPT_SESSION = 0x2F14
MAX_DEPTH = 32
MAX_CHARS = 20_000_000


def _records(data: bytes, start: int, end: int):
    """(offset, version, instance, type, body start, body end) of each record in [start, end)."""
    pos = start
    while pos + 8 <= end:
        ver_inst, rec_type, length = struct.unpack_from("<HHI", data, pos)
        body = pos + 8
        stop = body + length
        if stop > end:
            stop = end  # a truncated last record: read what is there
        yield pos, ver_inst & 0x0F, ver_inst >> 4, rec_type, body, stop
        pos = body + length


def extract_ppt(path: str) -> Extracted:
    from indexer.formats.msdoc import open_ole, read_stream

    with open_ole(path, _DAMAGED) as ole:
        if not ole.exists("PowerPoint Document") and ole.exists("PP40"):
            raise ExtractionError("unsupported format: PowerPoint 4.0 presentation (1994); save it as .pptx to index it", code="unsupported")
        if ole.exists("EncryptedSummary"):
            raise ExtractionError("password protected", code="password-protected")
        data = read_stream(ole, "PowerPoint Document", _DAMAGED)
    try:
        return _extract(data)
    except ExtractionError:
        raise
    except (struct.error, IndexError, ValueError, RecursionError) as exc:
        raise ExtractionError(_DAMAGED, code="damaged") from exc


def _extract(data: bytes) -> Extracted:
    # persist id -> offset of the object (the last directory in the stream wins: incremental saves)
    persist: dict[int, int] = {}
    top = list(_records(data, 0, len(data)))
    for _, _, _, rec_type, body, stop in top:
        if rec_type == PERSIST_DIRECTORY:
            pos = body
            while pos + 4 <= stop:
                word = struct.unpack_from("<I", data, pos)[0]
                first, count = word & 0xFFFFF, word >> 20
                pos += 4
                for k in range(count):
                    if pos + 4 > stop:
                        break
                    persist[first + k] = struct.unpack_from("<I", data, pos)[0]
                    pos += 4
        if rec_type == CRYPT_SESSION:
            raise ExtractionError("password protected", code="password-protected")

    slides: dict[int, list[str]] = {}  # slide number -> texts, in order
    notes: dict[int, list[str]] = {}
    slide_of_offset: dict[int, int] = {}
    master_offsets: set[int] = set()  # title masters are slide records too: not content
    seen: dict[int, set[str]] = {}
    total = [0]

    def text_of(rec_type: int, body: int, stop: int) -> str:
        raw = data[body:stop]
        total[0] += len(raw)
        if total[0] > MAX_CHARS * 2:
            raise ExtractionError(_DAMAGED, code="damaged")
        text = raw.decode("utf-16-le", "replace") if rec_type == TEXT_CHARS else raw.decode("latin-1")
        return text.replace("\r", "\n").replace("\x0b", "\n").strip()

    def add(target: dict[int, list[str]], number: int, text: str) -> None:
        if not text or text.startswith("*"):  # "*" alone is the slide-number field's placeholder
            return
        bucket = seen.setdefault(number * (1 if target is slides else -1), set())
        if text in bucket:
            return
        bucket.add(text)
        target.setdefault(number, []).append(text)

    def walk(start: int, stop: int, depth: int, sink) -> None:
        if depth > MAX_DEPTH:
            raise ExtractionError("corrupt file (structure nested too deeply)", code="damaged")
        for _, ver, _, rec_type, body, end in _records(data, start, stop):
            if rec_type in (TEXT_CHARS, TEXT_BYTES):
                sink(text_of(rec_type, body, end))
            elif ver == 0x0F and rec_type not in (MAIN_MASTER, HANDOUT):
                walk(body, end, depth + 1, sink)

    footers: list[str] = []
    # 1. The document's slide list: the order of slides and their placeholder text.
    number = 0
    for _, _, _, rec_type, body, stop in top:
        if rec_type != DOCUMENT:
            continue
        for _, ver, instance, sub_type, sub_body, sub_stop in _records(data, body, stop):
            if sub_type == HEADERS_FOOTERS and instance == 3:  # the slides' header and footer text
                for _, _, kind, atom, a_body, a_stop in _records(data, sub_body, sub_stop):
                    if atom == CSTRING and kind in (1, 2):
                        footer = data[a_body:a_stop].decode("utf-16-le", "replace").strip()
                        if footer:
                            footers.append(footer)
                continue
            if sub_type == SLIDE_LIST and instance == 1:
                for _, _, _, atom, a_body, a_stop in _records(data, sub_body, sub_stop):
                    if atom == SLIDE_PERSIST and a_stop - a_body >= 4:
                        ref = struct.unpack_from("<I", data, a_body)[0]
                        if ref in persist:
                            master_offsets.add(persist[ref])
                continue
            if sub_type != SLIDE_LIST or instance not in (0, 2):
                continue
            current = 0
            for _, _, _, atom, a_body, a_stop in _records(data, sub_body, sub_stop):
                if atom == SLIDE_PERSIST and a_stop - a_body >= 4:
                    if instance == 0:
                        number += 1
                        current = number
                        ref = struct.unpack_from("<I", data, a_body)[0]
                        if ref in persist:
                            slide_of_offset[persist[ref]] = current
                    else:
                        current += 1
                elif atom in (TEXT_CHARS, TEXT_BYTES) and current:
                    add(slides if instance == 0 else notes, current, text_of(atom, a_body, a_stop))
        break
    # 2. Each slide's drawing: free text boxes, tables, and the text of files whose slide list is
    #    empty (some writers keep all text there).
    fallback = max(slides, default=0)
    for offset, _, _, rec_type, body, stop in top:
        if rec_type == SLIDE and offset not in master_offsets:
            slide_number = slide_of_offset.get(offset)
            if slide_number is None:
                fallback += 1
                slide_number = fallback
            walk(body, stop, 1, lambda t, n=slide_number: add(slides, n, t))

    blocks: list[Block] = []
    for n in sorted(slides):
        texts = slides[n]
        for i, text in enumerate(texts):
            kind = "title" if i == 0 and len(text) <= 200 and "\n" not in text else "para"
            for line in text.split("\n") if kind == "para" else [text]:
                if line.strip():
                    blocks.append(Block(" ".join(line.split()), n, kind))
        for text in notes.get(n, ()):
            blocks.append(Block(" ".join(text.split()), n, "para"))
    if blocks and footers:
        blocks.extend(Block(" ".join(f.split()), 1, "para") for f in dict.fromkeys(footers))
    elif footers and not blocks:
        blocks = [Block(" ".join(f.split()), 1, "para") for f in dict.fromkeys(footers)]
    pages = max(slides, default=0)
    if not blocks:
        raise ExtractionError("no text found in the document", code="no-text")
    return Extracted(blocks=blocks, pages=pages)
