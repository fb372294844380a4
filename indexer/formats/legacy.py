"""Legacy binary Office formats that a well-kept library reads cheaply: Excel 97-2003 (xlrd)."""
from __future__ import annotations

from indexer.errors import ExtractionError
from indexer.formats.ooxml import rows_to_blocks
from indexer.types import Block, Extracted


def extract_xls(path: str) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True, logfile=_Null())
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ExtractionError("password protected") from exc
        raise ExtractionError("damaged spreadsheet (it cannot be read; try opening and saving it again)") from exc
    except Exception as exc:
        raise ExtractionError("damaged spreadsheet (it cannot be read; try opening and saving it again)") from exc
    blocks: list[Block] = []
    budget = [2_000_000]
    try:
        for number in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(number)
                rows = (sheet.row_values(r) for r in range(sheet.nrows))
                rows_to_blocks(rows, number + 1, sheet.name, blocks, budget)
            except Exception:
                continue
            finally:
                book.unload_sheet(number)
    finally:
        book.release_resources()
    return Extracted(blocks=blocks, pages=book.nsheets)


class _Null:
    def write(self, *_args) -> None:
        pass
