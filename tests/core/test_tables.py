"""Spreadsheets answer by row: the row's headers and sheet travel with it, citations say which
rows, and numbers read as the sheet shows them."""
from __future__ import annotations

import csv
import json
import random

import pytest

from core.indexing import IndexingService
from core.search import SearchEngine

NOUNS = ["Pain", "Baguette", "Brioche", "Tarte", "Gâteau", "Biscuit", "Chausson", "Ficelle", "Galette", "Cake",
         "Sablé", "Financier", "Madeleine", "Éclair", "Flan", "Macaron", "Muffin", "Cookie", "Beignet", "Palmier"]
KINDS = ["aux noix", "aux céréales", "au seigle", "complet", "aux figues", "aux raisins", "au citron",
         "à la framboise", "au café", "à la pistache", "nature", "aux pommes", "au sésame", "aux olives",
         "au miel", "aux noisettes", "au caramel", "à l'abricot", "au thym", "au fromage"]
CROISSANT_ROW = 3173  # the sheet's row number (row 1 is the header)


def _price_list(path, rows: int = 5000) -> None:
    import openpyxl

    rng = random.Random(7)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tarifs 2026"
    ws.append(["Référence", "Article", "Prix TTC", "Remise"])
    for i in range(2, rows + 2):
        name = "Croissant pur beurre" if i == CROISSANT_ROW else \
            f"{rng.choice(NOUNS)} {rng.choice(KINDS)} n° {i}"
        price = 1.35 if i == CROISSANT_ROW else round(rng.uniform(0.5, 30), 2)
        ws.append([f"REF-{i:05d}", name, price, 0.05])
        ws.cell(row=i, column=3).number_format = '#,##0.00 "€"'
        ws.cell(row=i, column=4).number_format = "0%"
    wb.save(path)


@pytest.fixture(scope="module")
def price_library(tmp_path_factory, embedder):
    """A 5,000-row price list, indexed once (text and vectors) for the tests of this module."""
    from core.library import Library
    from core.settings import Settings

    root = tmp_path_factory.mktemp("prices")
    folder = root / "boulangerie"
    folder.mkdir()
    _price_list(folder / "tarifs.xlsx")
    library = Library(root / "data", Settings(indexing_workers=1, embed_threads=2, extract_timeout_s=120))
    library.set_embedder(embedder)
    report = IndexingService(library).index([str(folder)], "Boulangerie")
    assert report.indexed == 1 and report.vectors_left == 0
    yield library
    library.close()


def test_price_of_the_croissant_is_found_by_row_with_sheet_and_rows(price_library):
    hits = SearchEngine(price_library).search("quel est le prix du croissant ?", k=5)
    top = hits[0]
    assert "Croissant pur beurre" in top.text
    assert "Prix TTC: 1,35 €" in top.text  # the header with the value, the number as the sheet shows it
    assert "Remise: 5%" in top.text
    first, last = top.rows
    assert first <= CROISSANT_ROW <= last and last - first < 60
    assert top.heading == "Tarifs 2026"
    data = top.as_json()
    assert data["rows"] == [first, last] and data["heading"] == "Tarifs 2026"


def test_csv_rows_are_numbered_like_the_file(library, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    with open(folder / "stock.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["article", "quantité", "entrepôt"])
        for i in range(2, 2001):
            writer.writerow([f"vis {i} mm" if i != 1500 else "écrou papillon M8", str(i % 97), "Lyon"])
    IndexingService(library).index([str(folder)], "Stock")
    hit = SearchEngine(library).search("écrou papillon", k=3)[0]
    assert "article: écrou papillon M8" in hit.text
    assert hit.rows[0] <= 1500 <= hit.rows[1]


def test_cli_search_json_carries_rows(price_library, capsys):
    from core.cli import main

    price_library.settings.save(price_library.layout.settings)
    rc = main(["--data-dir", str(price_library.layout.root), "search", "croissant pur beurre", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out and out[0]["rows"][0] <= CROISSANT_ROW <= out[0]["rows"][1]
    rc = main(["--data-dir", str(price_library.layout.root), "search", "croissant pur beurre"])
    assert rc == 0 and "sheet Tarifs 2026, rows" in capsys.readouterr().out


def test_number_formats():
    from indexer.formats.ooxml import format_number

    assert format_number(1.35, '#,##0.00 "€"') == "1,35 €"
    assert format_number(1250.5, '#,##0.00\\ [$€-40C]') == "1\u202f250,50 €"
    assert format_number(1234.5, "$#,##0.00") == "$1,234.50"
    assert format_number(0.125, "0.0%") == "12.5%"
    assert format_number(12, "00000") == "00012"
    assert format_number(3.0, "General") == "3"
