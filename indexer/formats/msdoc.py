"""Word 97-2003 (.doc) and Word 6/95 text, read from the OLE streams without LibreOffice.

Word 97+ ([MS-DOC]): the File Information Block at the start of the WordDocument stream says which
table stream holds the piece table (CLX) and how many characters the main text has. Each piece
points into WordDocument at either 8-bit (cp1252) or UTF-16LE text. Word 6/95: the text runs from
fcMin to fcMac in WordDocument (one code page) unless the file was fast-saved.

Field codes (between 0x13 and 0x14) are dropped, their results kept; cell and row marks (0x07)
become tab-separated rows; manual page breaks (0x0C) advance the page number.
"""
from __future__ import annotations

import struct

from indexer.errors import ExtractionError
from indexer.types import Block, Extracted

MAX_CHARS = 20_000_000  # a piece table claiming more text than this is damaged or hostile
_DAMAGED = "damaged Word 97-2003 document (it cannot be read; try opening and saving it again)"


def _u16(data: bytes, offset: int) -> int:
    return struct.unpack_from("<H", data, offset)[0]


def _u32(data: bytes, offset: int) -> int:
    return struct.unpack_from("<I", data, offset)[0]


def open_ole(path: str, damaged: str):
    """The OLE2 container of a legacy Office file; a broken one raises ``damaged``."""
    import olefile

    try:
        return olefile.OleFileIO(path)
    except Exception as exc:
        raise ExtractionError(damaged, code="damaged") from exc


def read_stream(ole, name: str, damaged: str, limit: int = 512 * 2**20) -> bytes:
    """One stream, size-capped; olefile's errors on broken sector chains become ``damaged``."""
    if not ole.exists(name):
        raise ExtractionError(damaged, code="damaged")
    try:
        if ole.get_size(name) > limit:
            raise ExtractionError(f"too large: the file's {name} stream is over {limit // 2**20} MB", code="too-large-memory")
        with ole.openstream(name) as fh:
            return fh.read()
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(damaged, code="damaged") from exc


def _read_stream(ole, name: str) -> bytes:
    return read_stream(ole, name, _DAMAGED)


def extract_doc(path: str) -> Extracted:
    with open_ole(path, _DAMAGED) as ole:
        try:
            word = _read_stream(ole, "WordDocument")
            if len(word) < 0x20 or _u16(word, 0) not in (0xA5EC, 0xA5DC):
                raise ExtractionError(_DAMAGED, code="damaged")
            n_fib = _u16(word, 2)
            flags = _u16(word, 0x0A)
            if flags & 0x0100:  # fEncrypted
                raise ExtractionError("password protected", code="password-protected")
            if n_fib < 101 or _u16(word, 0) == 0xA5DC:
                main, extra = _text_word6(word, flags), ""
            else:
                table_name = "1Table" if flags & 0x0200 else "0Table"
                table = _read_stream(ole, table_name) if ole.exists(table_name) else b""
                main, extra = _text_word97(word, table)
            title = ""
            try:
                meta = ole.get_metadata()
                raw = meta.title or b""
                title = raw.decode("cp1252", "replace").strip() if isinstance(raw, bytes) else str(raw).strip()
            except Exception:
                pass
        except ExtractionError:
            raise
        except Exception as exc:  # struct/index errors on lying offsets, olefile's on broken chains
            raise ExtractionError(_DAMAGED, code="damaged") from exc
    blocks = text_to_blocks(main)
    pages = max((b.page for b in blocks), default=1)
    # Footnotes, comments, endnotes and text boxes: no page is known for them.
    for block in text_to_blocks(extra):
        block.page = 0
        blocks.append(block)
    return Extracted(blocks=blocks, pages=pages, title=title)


def _text_word97(word: bytes, table: bytes) -> tuple[str, str]:
    """The main story, and the footnote, comment, endnote and text-box stories joined (headers
    and footers, repeated on every page, are left out)."""
    csw = _u16(word, 0x20)
    lw_at = 0x22 + csw * 2
    cslw = _u16(word, lw_at)
    rglw = lw_at + 2
    ccp = [_u32(word, rglw + 4 * i) for i in range(3, min(cslw, 11))]  # ccpText, Ftn, Hdd, Mcr, Atn, Edn, Txbx, HdrTxbx
    fclcb_at = rglw + cslw * 4
    cb_fclcb = _u16(word, fclcb_at)
    fclcb = fclcb_at + 2
    if cb_fclcb <= 33 or not table:
        raise ExtractionError(_DAMAGED, code="damaged")
    fc_clx = _u32(word, fclcb + 33 * 8)
    lcb_clx = _u32(word, fclcb + 33 * 8 + 4)
    if lcb_clx == 0 or fc_clx + lcb_clx > len(table):
        raise ExtractionError(_DAMAGED, code="damaged")
    clx = table[fc_clx:fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ExtractionError(_DAMAGED, code="damaged")
    lcb = _u32(clx, pos + 1)
    plc = clx[pos + 5:pos + 5 + lcb]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise ExtractionError(_DAMAGED, code="damaged")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    parts: list[str] = []
    total = 0
    # Main text first, then the stories that follow it (footnotes, headers, comments, text boxes).
    limit = sum(ccp) if ccp else cps[-1]
    for i in range(count):
        start, end = cps[i], cps[i + 1]
        if end <= start or start >= limit:
            continue
        end = min(end, limit)
        fc = _u32(plc, 4 * (count + 1) + 8 * i + 2)
        n = end - start
        total += n
        if total > MAX_CHARS:
            raise ExtractionError(_DAMAGED, code="damaged")
        if fc & 0x40000000:
            offset = (fc & 0x3FFFFFFF) // 2
            chunk = word[offset:offset + n].decode("cp1252", "replace")
        else:
            chunk = word[fc:fc + 2 * n].decode("utf-16-le", "replace")
        parts.append(chunk)
    text = "".join(parts)
    bounds = [0]
    for n in ccp:
        bounds.append(bounds[-1] + n)
    stories = [text[bounds[i]:bounds[i + 1]] for i in range(len(ccp))]
    extra = [stories[i] for i in (1, 4, 5, 6) if i < len(stories)]  # Ftn, Atn, Edn, Txbx
    return (stories[0] if stories else text), "\r".join(extra)


def _text_word6(word: bytes, flags: int) -> str:
    # A fast-saved (fComplex) Word 6 file keeps edits in a piece table this reader does not
    # follow: its contiguous text is read, which holds the document as last fully saved.
    fc_min = _u32(word, 0x18)
    fc_mac = _u32(word, 0x1C)
    if not (0 < fc_min < fc_mac <= len(word)):
        raise ExtractionError(_DAMAGED, code="damaged")
    if fc_mac - fc_min > MAX_CHARS:
        raise ExtractionError(_DAMAGED, code="damaged")
    return word[fc_min:fc_mac].decode("cp1252", "replace")


_DROP = {0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x1F}


def text_to_blocks(text: str) -> list[Block]:
    """Word's special characters to paragraphs, table rows and pages."""
    blocks: list[Block] = []
    page = 1
    field_depth: list[bool] = []  # per open field: True while in its code part
    para: list[str] = []
    cells: list[str] = []

    def flush_para() -> None:
        line = "".join(para).strip()
        para.clear()
        if line:
            blocks.append(Block(" ".join(line.split()) if "\t" not in line else line, page, "para"))

    previous = 0
    for ch in text:
        code = ord(ch)
        last, previous = previous, code
        if code == 0x13:
            field_depth.append(True)
            continue
        if code == 0x14:
            if field_depth:
                field_depth[-1] = False
            continue
        if code == 0x15:
            if field_depth:
                field_depth.pop()
            continue
        if field_depth and field_depth[-1]:
            continue  # a field's instruction (HYPERLINK "...", PAGE, TOC \o ...)
        if code == 0x0D:
            if cells:  # a paragraph inside a cell
                para.append(" ")
            else:
                flush_para()
        elif code == 0x07:
            # End of a cell; the mark right after a cell's is the row's end (an empty cell reads
            # the same, so such a row is split in two: the text is kept either way).
            if last == 0x07:
                if any(cells):
                    blocks.append(Block("\t".join(cells), page, "row"))
                cells.clear()
            else:
                cells.append(" ".join("".join(para).split()))
                para.clear()
        elif code == 0x0C:
            if any(cells):
                blocks.append(Block("\t".join(cells), page, "row"))
            cells.clear()
            flush_para()
            page += 1
        elif code == 0x0B:
            para.append("\n")
        elif code == 0x1E:
            para.append("-")
        elif code == 0x09:
            para.append("\t")
        elif code in _DROP or code < 0x09:
            continue
        else:
            para.append(ch)
    if any(cells):
        blocks.append(Block("\t".join(cells), page, "row"))
    flush_para()
    return [b for b in blocks if b.text.strip()]
