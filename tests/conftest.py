"""Shared fixtures. Documents are generated with known content; models are the real small ones."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from models import offline  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def embedder():
    from models.embedder import load_embedder

    return load_embedder(None, threads=2)


@pytest.fixture(scope="session")
def llm():
    """The real demo model, loaded once for the session."""
    from models.llm import LlamaCppLLM, LlamaSettings, default_llm_path

    model = LlamaCppLLM(default_llm_path(), LlamaSettings(n_ctx=2048))
    model.model_id = "smollm2-135m-instruct"
    yield model
    model.close()


def free_port() -> int:
    """A TCP port free on loopback now (for servers started by tests)."""
    from core.bench import free_port as free

    return free()


@pytest.fixture
def settings():
    from core.settings import Settings

    return Settings(indexing_workers=1, embed_threads=2, extract_timeout_s=60)


@pytest.fixture
def library(tmp_path, settings, embedder):
    from core.library import Library

    lib = Library(tmp_path / "data", settings)
    lib.set_embedder(embedder)
    yield lib
    lib.close()


# ---------------------------------------------------------------- document makers

def make_pdf(path: Path, pages: list[list[tuple[str, float]]], *, toc=None, password: str | None = None) -> Path:
    """pages: for each page, (text, fontsize) lines. Text wraps inside the page."""
    import pymupdf

    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page()
        y = 72
        for text, size in lines:
            rect = pymupdf.Rect(72, y, 540, y + 400)
            height = page.insert_textbox(rect, text, fontsize=size, fontname="helv")
            used = 400 - height if height >= 0 else 400
            y += used + size
    if toc:
        doc.set_toc(toc)
    kwargs = {}
    if password:
        kwargs = {"encryption": pymupdf.PDF_ENCRYPT_AES_256, "user_pw": password, "owner_pw": password + "x"}
    doc.save(str(path), **kwargs)
    doc.close()
    return path


def make_scanned_pdf(path: Path) -> Path:
    import pymupdf

    doc = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pix.clear_with(200)
    for _ in range(2):
        page = doc.new_page()
        page.insert_image(page.rect, pixmap=pix)
    doc.save(str(path))
    doc.close()
    return path


def make_docx(path: Path, sections: list[tuple[str, list[str]]], *, page_break_between=False, table=None) -> Path:
    import docx

    d = docx.Document()
    for i, (heading, paragraphs) in enumerate(sections):
        if i and page_break_between:
            d.add_page_break()
        d.add_heading(heading, level=1)
        for para in paragraphs:
            d.add_paragraph(para)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    d.save(str(path))
    return path


def make_pptx(path: Path, slides: list[tuple[str, str]]) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    for title, body in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    prs.save(str(path))
    return path


def make_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget"
    for row in rows:
        ws.append(row)
    wb.save(str(path))
    return path


def make_odt(path: Path, heading: str, paragraphs: list[str]) -> Path:
    from xml.sax.saxutils import escape

    body = f'<text:h text:outline-level="1">{escape(heading)}</text:h>' + "".join(
        f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    return path


def make_eml(path: Path, subject: str, body: str) -> Path:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "Claire Martin <claire@example.org>"
    msg["To"] = "rh@example.org"
    msg.set_content(body)
    path.write_bytes(bytes(msg))
    return path


FR_CONTRACT = [
    "Le contrat de maintenance conclu avec la société Dupont prend effet le 1er mars 2024.",
    "Il se renouvelle tacitement chaque année au 1er mars, sauf résiliation notifiée trois mois avant l'échéance.",
    "Le montant annuel de la redevance s'élève à 12 400 euros hors taxes, payable par trimestre.",
]
EN_POLICY = [
    "Employees may work remotely up to three days per week with their manager's approval.",
    "Remote work equipment, including a laptop and a headset, is provided by the company.",
    "Expenses for home internet are reimbursed up to 30 euros per month.",
]


@pytest.fixture
def sample_folder(tmp_path) -> Path:
    """A small mixed folder: French and English documents in several formats."""
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "contrat-dupont.pdf", [[("Contrat Dupont", 20), (" ".join(FR_CONTRACT[:2]), 11)],
                                             [("Conditions financières", 16), (FR_CONTRACT[2], 11)]])
    make_docx(folder / "remote-policy.docx", [("Remote work policy", EN_POLICY)])
    make_pptx(folder / "kickoff.pptx", [("Project Lumière", "Kick-off meeting on 12 May"),
                                         ("Budget", "The pilot costs 48,000 euros")])
    make_xlsx(folder / "budget.xlsx", [["Poste", "Montant"], ["Licences", 5300], ["Formation", 2100]])
    make_odt(folder / "note.odt", "Note de service", ["La cantine ferme exceptionnellement le vendredi 14 juin."])
    (folder / "readme.md").write_text("# Archive\n\nThe archive room is in building C, second floor.\n", encoding="utf-8")
    (folder / "memo.txt").write_text("Réunion du comité d'entreprise le jeudi à 10 heures.\n".encode("cp1252").decode("cp1252"),
                                     encoding="cp1252")
    (folder / "page.html").write_text("<html><head><title>Horaires</title><script>x()</script></head><body>"
                                      "<h1>Horaires d'ouverture</h1><p>L'accueil est ouvert de 8h30 à 17h.</p></body></html>",
                                      encoding="utf-8")
    (folder / "contacts.csv").write_text("nom;service;poste\nDurand;Comptabilité;4521\nLefèvre;Juridique;4533\n", encoding="utf-8")
    make_eml(folder / "mail.eml", "Congés d'été", "Merci de poser vos congés d'été avant le 15 avril.")
    return folder
