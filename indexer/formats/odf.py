"""OpenDocument (ODT, ODS, ODP) read from content.xml with defusedxml."""
from __future__ import annotations

from indexer.errors import ExtractionError
from indexer.formats.ooxml import rows_to_blocks
from indexer.formats.safety import open_zip, parse_xml, read_member
from indexer.types import Block, Extracted

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
PRES = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
MAX_REPEAT = 1000  # spreadsheets repeat empty cells a million times; never expand blindly


def _inline_text(el) -> str:
    parts: list[str] = []

    def visit(node) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag
            if tag == TEXT + "s":
                parts.append(" " * min(int(child.get(TEXT + "c") or 1), 100))
            elif tag == TEXT + "tab":
                parts.append("\t")
            elif tag == TEXT + "line-break":
                parts.append("\n")
            elif tag in (TEXT + "note", OFFICE + "annotation"):
                pass  # notes and comments are not part of the running text
            else:
                visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(el)
    return "".join(parts).strip()


def _table_rows(table):
    """(row number, cell display texts): the text ODF stores is what the sheet shows."""
    number = 0
    for row in table.iter(TABLE + "table-row"):
        declared = int(row.get(TABLE + "number-rows-repeated") or 1)
        repeat_rows = min(declared, MAX_REPEAT)
        first = number + 1
        number += declared
        values: list[str] = []
        for cell in row:
            if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                continue
            text = " ".join(t for t in (_inline_text(p) for p in cell.iter(TEXT + "p")) if t)
            repeat = int(cell.get(TABLE + "number-columns-repeated") or 1)
            values.extend([text] * (min(repeat, MAX_REPEAT) if text else min(repeat, 1)))
        if any(values):
            for k in range(repeat_rows):
                yield first + k, values


def _walk_text(container, page: int, blocks: list[Block]) -> None:
    for child in container:
        tag = child.tag
        if tag == TEXT + "h":
            text = _inline_text(child)
            if text:
                level = int(child.get(TEXT + "outline-level") or 1)
                blocks.append(Block(text, page, "heading", level))
        elif tag == TEXT + "p":
            text = _inline_text(child)
            if text:
                blocks.append(Block(text, page, "para"))
            for frame in child.iter(DRAW + "text-box"):
                _walk_text(frame, page, blocks)
        elif tag == TABLE + "table":
            for values in _table_rows(child):
                line = " | ".join(v for v in values if v)
                if line:
                    blocks.append(Block(line, page, "row"))
        elif tag in (TEXT + "list", TEXT + "list-item", TEXT + "list-header", TEXT + "section",
                     DRAW + "frame", DRAW + "text-box", TEXT + "index-body"):
            _walk_text(child, page, blocks)


def extract_odf(path: str) -> Extracted:
    with open_zip(path) as zf:
        try:
            root = parse_xml(read_member(zf, "content.xml"), "content")
        except KeyError as exc:
            raise ExtractionError("corrupt file (no content part)", code="damaged") from exc
    body = root.find(OFFICE + "body")
    if body is None:
        raise ExtractionError("corrupt file (document has no body)", code="damaged")
    blocks: list[Block] = []
    pages = 0
    text_body = body.find(OFFICE + "text")
    sheet_body = body.find(OFFICE + "spreadsheet")
    pres_body = body.find(OFFICE + "presentation")
    if pres_body is None:
        pres_body = body.find(OFFICE + "drawing")
    if text_body is not None:
        _walk_text(text_body, 0, blocks)
    elif sheet_body is not None:
        budget = [2_000_000]
        for number, table in enumerate(sheet_body.findall(TABLE + "table"), start=1):
            rows_to_blocks(_table_rows(table), number, table.get(TABLE + "name") or f"Sheet {number}", blocks, budget,
                           numbered=True)
            pages = number
    elif pres_body is not None:
        for number, slide in enumerate(pres_body.findall(DRAW + "page"), start=1):
            pages = number
            for frame in slide.iter(DRAW + "frame"):
                is_title = (frame.get(PRES + "class") or "") == "title"
                for box in frame.findall(DRAW + "text-box"):
                    sub: list[Block] = []
                    _walk_text(box, number, sub)
                    for b in sub:
                        if is_title:
                            b.kind, b.level = "heading", 1
                    blocks.extend(sub)
    else:
        raise ExtractionError("unsupported format: OpenDocument type not recognised", code="unsupported")
    return Extracted(blocks=blocks, pages=pages)
