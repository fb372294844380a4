"""Legacy binary Office formats that a well-kept library reads cheaply: Excel 97-2003 (xlrd)."""
from __future__ import annotations

from indexer.errors import ExtractionError
from indexer.formats.ooxml import _format_date, format_number, rows_to_blocks
from indexer.types import Block, Extracted


def extract_xls(path: str) -> Extracted:
    import xlrd

    try:
        try:  # with cell formats, so that numbers read as the sheet shows them (1,35 €)
            book = xlrd.open_workbook(path, on_demand=True, logfile=_Null(), formatting_info=True)
        except (NotImplementedError, IndexError, KeyError, AssertionError):
            book = xlrd.open_workbook(path, on_demand=True, logfile=_Null())
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ExtractionError("password protected", code="password-protected") from exc
        raise ExtractionError("damaged spreadsheet (it cannot be read; try opening and saving it again)", code="damaged") from exc
    except Exception as exc:
        raise ExtractionError("damaged spreadsheet (it cannot be read; try opening and saving it again)", code="damaged") from exc
    blocks: list[Block] = []
    budget = [2_000_000]
    try:
        for number in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(number)
                rows = ((r + 1, _row_texts(book, sheet, r)) for r in range(sheet.nrows))
                rows_to_blocks(rows, number + 1, sheet.name, blocks, budget, numbered=True)
            except Exception:
                continue
            finally:
                book.unload_sheet(number)
    finally:
        book.release_resources()
    return Extracted(blocks=blocks, pages=book.nsheets)


def _row_texts(book, sheet, r: int) -> list:
    import xlrd

    out: list = []
    for cell in sheet.row(r):
        value = cell.value
        try:
            if cell.ctype == xlrd.XL_CELL_NUMBER and book.formatting_info:
                fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
                value = format_number(value, fmt)
            elif cell.ctype == xlrd.XL_CELL_DATE:
                value = _format_date(xlrd.xldate_as_datetime(value, book.datemode))
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = "TRUE" if value else "FALSE"
        except Exception:
            pass  # an odd format or date: the raw value
        out.append(value)
    return out


class _Null:
    def write(self, *_args) -> None:
        pass
