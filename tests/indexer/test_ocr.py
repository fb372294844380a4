"""Text recognition of scans and photos, with the real engine (Tesseract, French + English)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer import ocr
from tests.conftest import make_pdf

LANGS, _FOLDER, WHY = ocr.resolve("fra+eng")
pytestmark = pytest.mark.skipif(
    not LANGS or LANGS != "fra+eng",
    reason=f"OCR unavailable ({WHY or 'French model missing'}): `make setup` installs Debian's "
           "tesseract-ocr-fra/-eng/-osd when it runs as root; else apt-get install them")

TEXT = ("Le locataire s'engage à régler le loyer mensuel de 1 250 euros avant le cinq de chaque mois. "
        "En cas de retard, une pénalité forfaitaire de quarante euros sera appliquée à compter du "
        "dixième jour. Le dépôt de garantie s'élève à deux mois de loyer hors charges.")
PAGE2 = "Clause de résiliation : le préavis est de trois mois pour le locataire et de six mois pour le bailleur."


def _page_images(pdf: Path, dpi: int = 150):
    import pymupdf
    from PIL import Image

    with pymupdf.open(pdf) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            yield Image.frombytes("L", (pix.width, pix.height), pix.samples)


def make_scan(tmp_path: Path, name: str = "bail-scanne.pdf", rotate: int = 0, folder: Path | None = None) -> Path:
    """A text PDF as a scanner makes it (150 dpi grey, JPEG quality 70, image only: the same
    recipe as `lanterne bench ocr`); ``rotate`` turns the page images (a page fed sideways)."""
    from core.docgen import scan_pdf

    source = make_pdf(tmp_path / f"source-{name}", [[("Contrat de bail", 18), (TEXT, 11)], [(PAGE2, 11)]])
    path = (folder or tmp_path) / name
    scan_pdf(source, path, rotate=rotate)
    return path


@pytest.fixture
def context(tmp_path):
    """The in-process recognition context, with a cache folder; restored afterwards."""
    saved = ocr.CONTEXT
    ocr.CONTEXT = ocr.OcrContext(cache_dir=str(tmp_path / "ocr-cache"), digest="d" * 40)
    progress: list[tuple[int, int]] = []
    ocr.CONTEXT.progress = lambda page, pages: progress.append((page, pages))
    ocr.CONTEXT.seen = progress
    yield ocr.CONTEXT
    if ocr.CONTEXT.engine is not None:
        ocr.CONTEXT.engine.close()
    ocr.CONTEXT = saved


def _words(text: str) -> set[str]:
    return {w.strip(".,:;'’").lower() for w in text.split() if len(w) > 3}


def test_scanned_pdf_is_read_page_by_page_with_progress_and_cache(tmp_path, context):
    from indexer.formats.detect import extract

    scan = make_scan(tmp_path)
    out = extract(scan)
    pages = {b.page for b in out.blocks}
    assert pages == {1, 2}, "every page yields text"
    text = " ".join(b.text for b in out.blocks)
    assert "pénalité" in text and "résiliation" in text  # accents read
    assert len(_words(TEXT + " " + PAGE2) - _words(text)) <= 2
    assert context.seen == [(1, 2), (2, 2)]
    cached = sorted(Path(context.cache_dir).rglob("*.json.gz"))
    assert len(cached) == 2
    stamps = [p.stat().st_mtime_ns for p in cached]
    context.engine.close()
    context.engine = None
    again = extract(scan)  # the same file: read from the cache, the engine is never started
    assert [b.text for b in again.blocks] == [b.text for b in out.blocks]
    assert context.engine is None
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    words = ocr.cached_words(context.cache_dir, context.digest, 1)
    loyer = [w for w in words if w[0].lower().startswith("loyer")]
    assert loyer and all(0 <= v <= 1 for v in loyer[0][1:]) and loyer[0][1] < loyer[0][3]


def test_sideways_and_upside_down_pages_are_turned(tmp_path, context):
    from indexer.formats.detect import extract

    for angle in (90, 180):
        context.digest = f"{angle:040d}"
        text = " ".join(b.text for b in extract(make_scan(tmp_path, f"scan-{angle}.pdf", rotate=angle)).blocks)
        assert "pénalité" in text and "résiliation" in text, angle


def test_photos_png_jpeg_exif_and_multipage_tiff(tmp_path, context):
    from PIL import Image

    from indexer.formats.detect import detect_format, extract

    source = make_pdf(tmp_path / "src.pdf", [[(TEXT, 12)], [(PAGE2, 12)]])
    first, second = list(_page_images(source, dpi=200))
    first.save(tmp_path / "photo.png")
    # A phone photo taken sideways: pixels stored rotated, EXIF orientation 6 (turn 90° clockwise).
    exif = Image.Exif()
    exif[0x0112] = 6
    first.rotate(90, expand=True).save(tmp_path / "photo.jpg", quality=80, exif=exif)
    first.save(tmp_path / "pages.tiff", save_all=True, append_images=[second], compression="tiff_lzw")
    first.save(tmp_path / "page.webp", quality=80)
    for name in ("photo.png", "photo.jpg", "pages.tiff", "page.webp"):
        context.digest = name.encode().hex().ljust(40, "0")
        path = tmp_path / name
        assert detect_format(path) == "image"
        out = extract(path)
        text = " ".join(b.text for b in out.blocks)
        assert "pénalité" in text, name
        if name == "pages.tiff":
            assert out.pages == 2 and "résiliation" in " ".join(b.text for b in out.blocks if b.page == 2)


def test_blank_scan_and_tiny_image_fail_with_reasons(tmp_path, context):
    from PIL import Image

    from indexer.errors import ExtractionError
    from indexer.formats.detect import extract
    from tests.conftest import make_scanned_pdf

    with pytest.raises(ExtractionError, match=r"^no text layer \(scanned\)"):
        extract(make_scanned_pdf(tmp_path / "blank.pdf"))
    Image.new("L", (40, 40), 255).save(tmp_path / "icon.png")
    with pytest.raises(ExtractionError, match="too small"):
        extract(tmp_path / "icon.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(ExtractionError, match="damaged image"):
        extract(tmp_path / "broken.png")


def test_turned_off_in_settings_gives_the_reason(tmp_path, context):
    from indexer.errors import ExtractionError
    from indexer.formats.detect import extract

    context.configure(False, "fra+eng")
    with pytest.raises(ExtractionError, match="turned off"):
        extract(make_scan(tmp_path))


def test_garbage_text_layer_is_recognised_instead():
    assert ocr.garbage_text("\ufffd\ufffd\ue001\ue002 ## %% \ufffd" * 10)
    assert not ocr.garbage_text(TEXT)


def test_indexing_reads_text_files_first_then_scans_and_search_finds_them(library, tmp_path):
    from core.indexing import IndexingService
    from core.search import SearchEngine

    folder = tmp_path / "dossier"
    folder.mkdir()
    make_scan(tmp_path, folder=folder)
    (folder / "notes.txt").write_text("Réunion du bureau le lundi matin.", encoding="utf-8")
    events = []
    report = IndexingService(library).index([str(folder)], "Bail", progress=events.append)
    assert report.indexed == 2 and not report.failed
    when = {os.path.basename(d.path): d.indexed_at for d in library.catalog.documents()}
    assert when["notes.txt"] < when["bail-scanne.pdf"], "text files are indexed before the scans"
    assert any(e.ocr_pages == 2 and e.ocr_page >= 1 for e in events), "page-by-page progress"
    hits = SearchEngine(library).search("pénalité de retard du loyer", k=3)
    assert hits and hits[0].path.endswith("bail-scanne.pdf") and hits[0].page == 1
    cache = library.layout.ocr
    stamps = {p: p.stat().st_mtime_ns for p in cache.rglob("*.json.gz")}
    assert len(stamps) == 2
    # A copy of the same scan is a new document, but its pages are not recognised again.
    import shutil

    shutil.copy(folder / "bail-scanne.pdf", folder / "copie.pdf")
    again = IndexingService(library).index([str(folder)], "Bail")
    assert again.indexed == 1
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*.json.gz")} == stamps
    # Removed from the folder: its recognised text is deleted from the data folder too.
    (folder / "bail-scanne.pdf").unlink()
    (folder / "copie.pdf").unlink()
    IndexingService(library).index([str(folder)], "Bail")
    assert not list(cache.rglob("*.json.gz"))


def test_scan_with_a_stamped_line_of_text_is_still_recognised(tmp_path, context):
    """Scanners and PDF tools often add a text line (a page number, a date) over the image: the
    page is still a scan."""
    import pymupdf

    from indexer.formats.detect import extract

    scan = make_scan(tmp_path)
    with pymupdf.open(str(scan)) as doc:
        for page in doc:
            page.insert_text((20, 20), f"Numérisé le 02/12/2026 — page {page.number + 1}", fontsize=7)
        doc.save(str(tmp_path / "stamped.pdf"))
    text = " ".join(b.text for b in extract(tmp_path / "stamped.pdf").blocks)
    assert "pénalité" in text and "résiliation" in text


def test_without_recognition_a_scans_own_text_layer_is_kept(tmp_path, context):
    import pymupdf

    from indexer.formats.detect import extract

    scan = make_scan(tmp_path)
    with pymupdf.open(str(scan)) as doc:
        doc[0].insert_text((20, 20), "Dossier Martin, bail du 3 mars", fontsize=7)
        doc.save(str(tmp_path / "stamped.pdf"))
    context.configure(False, "fra+eng")  # turned off in Settings
    out = extract(tmp_path / "stamped.pdf")
    assert [b.text for b in out.blocks] == ["Dossier Martin, bail du 3 mars"]
    assert "1 page(s) without a text layer" in out.warnings[0]
