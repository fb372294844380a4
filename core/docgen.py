"""Writes documents in several formats from (title, paragraphs): benchmarks, samples, selftests.

Only runtime dependencies are used (PyMuPDF for PDF; DOCX and ODT are written as plain XML parts),
so the benchmarks also run from the installed app.
"""
from __future__ import annotations

import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

FORMATS = ("txt", "md", "html", "docx", "pdf", "odt")


def write_document(path: Path, title: str, paragraphs: list[str], fmt: str | None = None) -> Path:
    fmt = fmt or path.suffix.lstrip(".")
    writer = {"txt": _txt, "md": _md, "html": _html, "docx": _docx, "pdf": _pdf, "odt": _odt}[fmt]
    writer(path, title, paragraphs)
    return path


def _txt(path, title, paragraphs):
    path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _md(path, title, paragraphs):
    path.write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _html(path, title, paragraphs):
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
                    f"<body><h1>{escape(title)}</h1>\n{body}</body></html>", encoding="utf-8")


def _docx(path, title, paragraphs):
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def para(text, heading=False):
        ppr = '<w:pPr><w:outlineLvl w:val="0"/></w:pPr>' if heading else ""
        return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = para(title, True) + "".join(para(p) for p in paragraphs)
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body>{body}</w:body></w:document>'
    content_types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                     '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", document)


def _odt(path, title, paragraphs):
    body = f'<text:h text:outline-level="1">{escape(title)}</text:h>' + "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)


def _pdf(path, title, paragraphs):
    """Paragraphs flow from page to page; a paragraph too long for the rest of a page is split
    at a word boundary like a word processor would."""
    import pymupdf

    doc = pymupdf.open()
    # A Font object (not a base-14 font name) so that every Unicode character, such as the
    # typographic apostrophe of French text, is encoded faithfully.
    font = pymupdf.Font("helv")
    margin, width, height = 56, 595, 842
    fontsize, leading = 10.5, 1.35
    page = doc.new_page(width=width, height=height)
    writer = pymupdf.TextWriter(page.rect)
    y = margin
    writer.append((margin, y + 16), title, font=font, fontsize=18)
    y += 40
    max_chars = int((width - 2 * margin) / (fontsize * 0.5))
    for text in paragraphs:
        lines, line = [], ""
        for word in text.split():
            if len(line) + len(word) + 1 > max_chars:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            lines.append(line)
        for ln in lines:
            if y + fontsize * leading > height - margin:
                writer.write_text(page)
                page = doc.new_page(width=width, height=height)
                writer = pymupdf.TextWriter(page.rect)
                y = margin
            writer.append((margin, y + fontsize), ln, font=font, fontsize=fontsize)
            y += fontsize * leading
        y += fontsize * 0.9
    writer.write_text(page)
    doc.subset_fonts()
    doc.save(str(path), garbage=3, deflate=True)
    doc.close()


# ---------------------------------------------------------------- realistic filler text

_SUBJECTS = ["Le prestataire", "La société", "Le salarié", "L'employeur", "Le client", "Le bailleur", "Le locataire",
             "La direction financière", "Le comité de pilotage", "Le service juridique", "L'équipe projet",
             "The supplier", "The employee", "The customer", "The board", "The project team", "The auditor"]
_VERBS = ["s'engage à", "doit", "peut", "prévoit de", "accepte de", "refuse de", "est tenu de",
          "shall", "may", "agrees to", "is required to", "plans to"]
_OBJECTS = ["transmettre le rapport trimestriel", "régler la facture dans un délai de trente jours",
            "respecter les clauses de confidentialité", "renouveler le contrat à son échéance",
            "informer les représentants du personnel", "mettre à jour le registre des traitements",
            "verser une indemnité de résiliation", "organiser une visite médicale de reprise",
            "provide the annual maintenance report", "pay the invoice within thirty days",
            "renew the agreement at its expiry date", "notify the data protection officer",
            "deliver the equipment before the end of the quarter", "review the budget with the finance team"]
_TAILS = ["conformément à l'article {n} du contrat", "avant le {d} {m} {y}", "pour un montant de {a} euros",
          "sous réserve de l'accord écrit des parties", "in accordance with section {n}", "before {m} {d}, {y}",
          "for a total of {a} euros", "unless otherwise agreed in writing", ""]
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre", "novembre"]


def filler_paragraphs(rng: random.Random, chars: int) -> list[str]:
    """About ``chars`` characters of plausible contract and HR prose, in paragraphs."""
    out, total = [], 0
    while total < chars:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            tail = rng.choice(_TAILS).format(n=rng.randint(1, 40), d=rng.randint(1, 28), m=rng.choice(_MONTHS),
                                             y=rng.randint(2019, 2027), a=f"{rng.randint(1, 900) * 100:,}".replace(",", " "))
            sentences.append(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {tail}".strip() + ".")
        para = " ".join(sentences)
        out.append(para)
        total += len(para)
    return out


def scan_pdf(source: Path, target: Path, *, dpi: int = 150, quality: int = 70, rotate: int = 0) -> int:
    """What a scanner makes of a document: each page of ``source`` rendered at ``dpi`` in grey,
    saved as JPEG at ``quality``, in an image-only PDF (no text layer). ``rotate`` turns the page
    images (a sheet fed sideways). Returns the number of pages."""
    import io

    import pymupdf
    from PIL import Image

    out = pymupdf.open()
    with pymupdf.open(str(source)) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
            if rotate:
                image = image.rotate(rotate, expand=True, fillcolor=255)
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=quality)
            new = out.new_page(width=image.width * 72 / dpi, height=image.height * 72 / dpi)
            new.insert_image(new.rect, stream=buf.getvalue())
        pages = doc.page_count
    out.save(str(target), garbage=3, deflate=True)
    out.close()
    return pages
