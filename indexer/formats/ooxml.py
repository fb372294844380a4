"""Office Open XML (DOCX, PPTX, XLSX). DOCX and PPTX are read straight from their XML parts with
defusedxml (no entity tricks); XLSX through openpyxl in read-only streaming mode, which uses
defusedxml when it is installed. Every container passes the zip-bomb checks first."""
from __future__ import annotations

import posixpath
import re

from indexer.errors import ExtractionError
from indexer.formats.safety import open_zip, parse_xml, read_member
from indexer.types import Block, Extracted

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_HEADING_NAME = re.compile(r"^(heading|titre|überschrift|título|titolo|kop)\s*(\d)$", re.I)


# ---------------------------------------------------------------- DOCX

def _docx_styles(zf) -> dict[str, int]:
    """styleId -> heading level (1-based) for paragraph styles that are headings."""
    levels: dict[str, int] = {}
    try:
        root = parse_xml(read_member(zf, "word/styles.xml"), "styles")
    except KeyError:
        return levels
    for style in root.iter(W + "style"):
        sid = style.get(W + "styleId") or ""
        name_el = style.find(W + "name")
        name = (name_el.get(W + "val") if name_el is not None else "") or ""
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        m = _HEADING_NAME.match(name.strip()) or _HEADING_NAME.match(sid.strip())
        if m:
            levels[sid] = int(m.group(2)) or 1
        elif outline is not None and (outline.get(W + "val") or "").isdigit() and int(outline.get(W + "val")) < 9:
            levels[sid] = int(outline.get(W + "val")) + 1
        elif name.strip().lower() in ("title", "titre"):
            levels[sid] = 1
    return levels


class _DocxWalker:
    def __init__(self, styles: dict[str, int]) -> None:
        self.styles = styles
        self.page = 1
        self.blocks: list[Block] = []

    def paragraph_text(self, p) -> str:
        parts: list[str] = []
        for el in p.iter():
            tag = el.tag
            if tag == W + "t":
                parts.append(el.text or "")
            elif tag == W + "tab":
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                if el.get(W + "type") == "page":
                    self.page += 1
                else:
                    parts.append("\n")
            elif tag == W + "lastRenderedPageBreak":
                self.page += 1
            elif tag == W + "noBreakHyphen":
                parts.append("-")
        return "".join(parts).strip()

    def level_of(self, p) -> int:
        ppr = p.find(W + "pPr")
        if ppr is None:
            return 0
        style = ppr.find(W + "pStyle")
        if style is not None and style.get(W + "val") in self.styles:
            return self.styles[style.get(W + "val")]
        outline = ppr.find(W + "outlineLvl")
        if outline is not None and (outline.get(W + "val") or "").isdigit() and int(outline.get(W + "val")) < 9:
            return int(outline.get(W + "val")) + 1
        return 0

    def walk(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == W + "p":
                page = self.page
                text = self.paragraph_text(child)
                if text:
                    level = self.level_of(child)
                    self.blocks.append(Block(text, page, "heading" if level else "para", level))
            elif tag == W + "tbl":
                for row in child.iter(W + "tr"):
                    cells = []
                    for cell in row.findall(W + "tc"):
                        cell_text = " ".join(
                            t for t in (self.paragraph_text(p) for p in cell.iter(W + "p")) if t
                        )
                        cells.append(cell_text)
                    line = " | ".join(c for c in cells if c)
                    if line:
                        self.blocks.append(Block(line, self.page, "row"))
            elif tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"):
                self.walk(child)


STRICT_NS = b"purl.oclc.org/ooxml"


def _refuse_strict(zf, part: str, what: str) -> None:
    try:
        head = zf.open(part).read(2048)
    except (KeyError, OSError, Exception):
        return
    if STRICT_NS in head:
        from indexer.errors import UnsupportedFormat

        raise UnsupportedFormat(f"unsupported format: Strict Open XML {what}; save it in the standard format to index it")


def extract_docx(path: str) -> Extracted:
    with open_zip(path) as zf:
        names = set(zf.namelist())
        _refuse_strict(zf, "word/document.xml", "document")
        main = "word/document.xml"
        if main not in names:
            main = next((n for n in names if n.startswith("word/") and n.endswith("document.xml")), "")
            if not main:
                raise ExtractionError("corrupt file (no document part)", code="damaged")
        styles = _docx_styles(zf)
        root = parse_xml(read_member(zf, main), "document")
        body = root.find(W + "body")
        if body is None:
            raise ExtractionError("corrupt file (document has no body)", code="damaged")
        walker = _DocxWalker(styles)
        walker.walk(body)
        for extra in ("word/footnotes.xml", "word/endnotes.xml"):
            if extra in names:
                try:
                    note_root = parse_xml(read_member(zf, extra), "notes")
                except ExtractionError:
                    continue
                for note in note_root:
                    if (note.get(W + "type") or "normal") == "normal":
                        walker.walk(note)
        pages = walker.page if any(b.page > 1 for b in walker.blocks) else 0
        if not pages:
            for b in walker.blocks:
                b.page = 0  # no layout information: no page numbers rather than wrong ones
        return Extracted(blocks=walker.blocks, pages=pages, title=_core_title(zf, names))


def _core_title(zf, names) -> str:
    if "docProps/core.xml" not in names:
        return ""
    try:
        root = parse_xml(read_member(zf, "docProps/core.xml"), "properties")
    except ExtractionError:
        return ""
    for el in root.iter():
        if el.tag.endswith("}title") and el.text:
            return el.text.strip()
    return ""


# ---------------------------------------------------------------- PPTX

def _rels(zf, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = parse_xml(read_member(zf, rels_name), "relationships")
    except KeyError:
        return {}
    out = {}
    for rel in root.iter(PKG_REL + "Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            continue
        out[rel.get("Id") or ""] = posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
    return out


def _shape_paragraphs(tree) -> list[tuple[str, bool]]:
    """(text, is_title) for each paragraph of each shape, in document order."""
    out: list[tuple[str, bool]] = []
    for sp in tree.iter():
        if sp.tag not in (P + "sp", P + "graphicFrame"):
            continue
        is_title = False
        ph = sp.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
        if ph is not None and (ph.get("type") or "") in ("title", "ctrTitle"):
            is_title = True
        if sp.tag == P + "graphicFrame":
            for row in sp.iter(A + "tr"):
                cells = [" ".join((t.text or "") for t in tc.iter(A + "t")).strip() for tc in row.iter(A + "tc")]
                line = " | ".join(c for c in cells if c)
                if line:
                    out.append((line, False))
            continue
        for para in sp.iter(A + "p"):
            text = "".join((t.text or "") if t.tag == A + "t" else "\n" for t in para.iter() if t.tag in (A + "t", A + "br")).strip()
            if text:
                out.append((text, is_title))
    return out


def extract_pptx(path: str) -> Extracted:
    with open_zip(path) as zf:
        _refuse_strict(zf, "ppt/presentation.xml", "presentation")
        try:
            pres = parse_xml(read_member(zf, "ppt/presentation.xml"), "presentation")
        except KeyError as exc:
            raise ExtractionError("corrupt file (no presentation part)", code="damaged") from exc
        rels = _rels(zf, "ppt/presentation.xml")
        slide_parts = []
        lst = pres.find(P + "sldIdLst")
        if lst is not None:
            for sld in lst.findall(P + "sldId"):
                target = rels.get(sld.get(R + "id") or "")
                if target:
                    slide_parts.append(target)
        blocks: list[Block] = []
        names = set(zf.namelist())
        for number, part in enumerate(slide_parts, start=1):
            if part not in names:
                continue
            try:
                slide = parse_xml(read_member(zf, part), f"slide {number}")
            except ExtractionError:
                continue  # one broken slide, not a lost presentation
            for text, is_title in _shape_paragraphs(slide):
                blocks.append(Block(text, number, "heading" if is_title else "para", 1 if is_title else 0))
            for target in _rels(zf, part).values():
                if "notesSlide" in target and target in names:
                    try:
                        notes = parse_xml(read_member(zf, target), "notes")
                    except ExtractionError:
                        continue
                    for text, _ in _shape_paragraphs(notes):
                        if not text.isdigit():
                            blocks.append(Block(text, number, "para"))
        return Extracted(blocks=blocks, pages=len(slide_parts), title=_core_title(zf, names))


# ---------------------------------------------------------------- XLSX

MAX_CELLS = 2_000_000


def rows_to_blocks(rows, sheet_number: int, sheet_name: str, blocks: list[Block], budget: list[int],
                   first_row: int = 1, numbered: bool = False) -> None:
    """Spreadsheet rows as text, each with its row number. When the first non-empty row looks
    like a header, every row is written as "header: value; ..." so that a chunk stays meaningful
    on its own (the sheet's name is the chunk's heading). ``numbered``: rows come as (number,
    values) pairs; otherwise they are numbered from ``first_row``."""
    heading = Block(sheet_name, sheet_number, "heading", 1)
    header: list[str] | None = None
    for index, row in enumerate(rows):
        number, row = row if numbered else (first_row + index, row)
        values = [_cell(v) for v in row]
        while values and not values[-1]:
            values.pop()
        if not any(values):
            continue
        budget[0] -= len(values)
        if budget[0] < 0:
            return
        if heading is not None:  # only sheets with content get their name in the text
            if sheet_name:
                blocks.append(heading)
            heading = None
        if header is None:
            header = values if all(values) and all(not _is_number(v) for v in values) and len(values) > 1 else []
            if header:
                blocks.append(Block(" | ".join(values), sheet_number, "row", row=number))
                continue
        if header:
            text = "; ".join(f"{h}: {v}" if i < len(header) and (h := header[i]) else v for i, v in enumerate(values) if v)
        else:
            text = " | ".join(v for v in values if v)
        blocks.append(Block(text, sheet_number, "row", row=number))


def _formatted_rows(ws):
    """(row number, cell texts as the spreadsheet shows them) for each row of a read-only sheet."""
    for index, row in enumerate(ws.iter_rows(), start=1):
        number = index
        values = []
        for cell in row:
            value = getattr(cell, "value", None)
            if getattr(cell, "row", None):
                number = cell.row
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = format_number(value, getattr(cell, "number_format", None))
            elif hasattr(value, "isoformat"):
                value = _format_date(value)
            values.append(value)
        yield number, values


def _format_date(value) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value.isoformat()


_FR_LCID = re.compile(r"\[\$[^\]]*-(?:[0-9A-Fa-f]*0[Cc]|fr[^\]]*)\]")


def _format_tokens(fmt: str):
    """A number format's section as ("lit", text) and ("num", placeholder) pieces."""
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) if end < 0 else end
            yield "lit", fmt[i + 1:end]
            i = end + 1
        elif ch == "\\" and i + 1 < len(fmt):
            yield "lit", fmt[i + 1]
            i += 2
        elif ch == "[":
            end = fmt.find("]", i)
            end = len(fmt) if end < 0 else end
            tag = fmt[i + 1:end]
            if tag.startswith("$") and tag[1:2] not in ("-", ""):
                yield "lit", tag[1:].split("-")[0]  # [$€-40C]: the currency symbol
            i = end + 1
        elif ch == "_":
            yield "lit", " "  # padding as wide as the next character
            i += 2
        elif ch == "*":
            i += 2  # fill character
        elif ch in "0#?,.":
            yield "num", ch
            i += 1
        elif ch == "%":
            yield "pct", ch
            i += 1
        else:
            yield "lit", ch
            i += 1


def format_number(value: float | int, number_format: str | None) -> str:
    """A number as the spreadsheet displays it: its decimals, grouping, percent and currency
    (1.35 with '#,##0.00 "€"' gives "1,35 €"). Comma decimals when the format is French (its
    locale tag, or a euro amount)."""
    fmt = (number_format or "General").split(";")[0]
    tokens = list(_format_tokens(fmt))
    nums = [i for i, (kind, _) in enumerate(tokens) if kind == "num" and _ in "0#?"]
    if fmt in ("General", "@", "") or not nums:
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(value)
    first, last = nums[0], nums[-1]
    body = "".join(t for kind, t in tokens[first:last + 1] if kind == "num")
    decimals = len(body.split(".", 1)[1].replace(",", "")) if "." in body else 0
    grouping = "," in body.split(".", 1)[0]
    percent = any(kind == "pct" for kind, _ in tokens)
    number = value * 100 if percent else value
    text = f"{number:,.{decimals}f}" if grouping else f"{number:.{decimals}f}"
    zeros = body.split(".", 1)[0].count("0")  # "00000": at least five digits
    if zeros > 1 and not grouping:
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, _, frac = digits.partition(".")
        text = sign + whole.zfill(zeros) + ("." + frac if frac else "")
    if bool(_FR_LCID.search(fmt)) or "€" in fmt:
        text = text.replace(",", "\u202f").replace(".", ",")
    head = "".join(t for kind, t in tokens[:first] if kind == "lit")
    tail = "".join(t if kind == "lit" else "%" for kind, t in tokens[last + 1:] if kind in ("lit", "pct"))
    return f"{head}{text}{tail}".strip()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
        return True
    except ValueError:
        return False


def extract_xlsx(path: str) -> Extracted:
    import warnings

    import openpyxl

    with open_zip(path) as zf:  # the zip-bomb checks, before openpyxl inflates anything
        _refuse_strict(zf, "xl/workbook.xml", "spreadsheet")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError("damaged spreadsheet (it cannot be read; try opening and saving it again)", code="damaged") from exc
    blocks: list[Block] = []
    budget = [MAX_CELLS]
    try:
        for number, ws in enumerate(wb.worksheets, start=1):
            try:
                rows_to_blocks(_formatted_rows(ws), number, ws.title, blocks, budget, numbered=True)
            except Exception as exc:
                if not blocks:
                    raise ExtractionError("damaged spreadsheet (it cannot be read; try opening and saving it again)", code="damaged") from exc
    finally:
        wb.close()
    warnings_out = ["spreadsheet truncated: too many cells"] if budget[0] < 0 else []
    return Extracted(blocks=blocks, pages=len(wb.worksheets), warnings=warnings_out)
