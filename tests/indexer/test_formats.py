"""Extraction of every supported format from generated documents, and the hostile cases."""
from __future__ import annotations

import zipfile

import pytest

from indexer.errors import ExtractionError
from indexer.formats import detect_format, extract
from tests.conftest import (CORPUS, FR_CONTRACT, make_docx, make_eml, make_odt, make_pdf, make_pptx, make_scanned_pdf,
                            make_xlsx)


def texts(extracted):
    return [b.text for b in extracted.blocks]


def test_pdf_keeps_pages_and_headings_from_font_size(tmp_path):
    pdf = make_pdf(tmp_path / "a.pdf", [[("Contrat Dupont", 22), (FR_CONTRACT[0], 11)],
                                        [("Tarifs", 18), (FR_CONTRACT[2], 11)]])
    out = extract(pdf)
    assert out.pages == 2
    by_text = {b.text: b for b in out.blocks}
    assert by_text["Contrat Dupont"].kind == "heading" and by_text["Contrat Dupont"].page == 1
    assert by_text["Tarifs"].kind == "heading" and by_text["Tarifs"].page == 2
    assert any("12 400 euros" in t and b.page == 2 for t, b in by_text.items())


def test_pdf_headings_from_outline(tmp_path):
    pdf = make_pdf(tmp_path / "toc.pdf", [[("Introduction", 11), ("Some body text here.", 11)],
                                          [("Results", 11), ("Numbers went up.", 11)]],
                   toc=[[1, "Introduction", 1], [1, "Results", 2]])
    out = extract(pdf)
    headings = [(b.text, b.page) for b in out.blocks if b.kind == "heading"]
    assert headings == [("Introduction", 1), ("Results", 2)]


def test_scanned_pdf_is_reported(tmp_path):
    with pytest.raises(ExtractionError, match="no text layer"):
        extract(make_scanned_pdf(tmp_path / "scan.pdf"))


def test_encrypted_pdf_is_reported(tmp_path):
    pdf = make_pdf(tmp_path / "secret.pdf", [[("Secret text", 11)]], password="hunter2")
    with pytest.raises(ExtractionError, match="password protected"):
        extract(pdf)


def test_docx_headings_tables_and_page_breaks(tmp_path):
    path = make_docx(tmp_path / "a.docx", [("Première partie", ["Alpha paragraph."]), ("Seconde partie", ["Beta paragraph."])],
                     page_break_between=True, table=[["Nom", "Poste"], ["Durand", "4521"]])
    out = extract(path)
    kinds = [(b.kind, b.text, b.page) for b in out.blocks]
    assert ("heading", "Première partie", 1) in kinds
    assert ("heading", "Seconde partie", 2) in kinds
    assert any(k == "row" and "Durand" in t for k, t, _ in kinds)


def test_pptx_slide_numbers_and_titles(tmp_path):
    out = extract(make_pptx(tmp_path / "s.pptx", [("Intro", "hello world"), ("Budget", "48,000 euros")]))
    assert [(b.kind, b.text, b.page) for b in out.blocks] == [
        ("heading", "Intro", 1), ("para", "hello world", 1), ("heading", "Budget", 2), ("para", "48,000 euros", 2)]


def test_xlsx_rows_with_header(tmp_path):
    out = extract(make_xlsx(tmp_path / "b.xlsx", [["Poste", "Montant"], ["Licences", 5300]]))
    assert "Poste: Licences; Montant: 5300" in texts(out)


def test_odt_eml_html_md_csv_txt(tmp_path):
    assert "Note" in texts(extract(make_odt(tmp_path / "n.odt", "Note", ["Texte"])))
    eml = extract(make_eml(tmp_path / "m.eml", "Congés", "Posez vos congés."))
    assert eml.title == "Congés" and "Posez vos congés." in texts(eml)
    html = tmp_path / "p.html"
    html.write_text("<html><head><title>T</title><style>p{}</style></head><body><h2>Titre</h2><p>Corps &amp; texte</p>"
                    "<script>alert(1)</script><table><tr><td>a</td><td>b</td></tr></table></body></html>")
    blocks = extract(html).blocks
    assert [(b.kind, b.text) for b in blocks] == [("heading", "Titre"), ("para", "Corps & texte"), ("row", "a | b")]
    md = tmp_path / "r.md"
    md.write_text("# Top\n\nIntro text.\n\n## Sub\n\n```\ncode # not a heading\n```\n")
    md_blocks = extract(md).blocks
    assert [(b.kind, b.level) for b in md_blocks][:3] == [("heading", 1), ("para", 0), ("heading", 2)]
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("nom;poste\nDurand;4521\n")
    assert "nom: Durand; poste: 4521" in texts(extract(csv_path))
    legacy = tmp_path / "w.txt"
    legacy.write_bytes("Été à Noël : réunion.".encode("cp1252"))
    assert texts(extract(legacy)) == ["Été à Noël : réunion."]


def test_mislabelled_file_is_read_as_what_it_is(tmp_path):
    pdf = make_pdf(tmp_path / "real.pdf", [[("Hidden PDF content", 11)]])
    fake = tmp_path / "looks-like.docx"
    fake.write_bytes(pdf.read_bytes())
    assert detect_format(fake) == "pdf"
    assert "Hidden PDF content" in " ".join(texts(extract(fake)))


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"\x00\x01\x02\x03" * 100, "unsupported format"),
    (b"PK\x03\x04garbage", "corrupt"),
])
def test_bad_inputs_have_reasons(tmp_path, content, reason):
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=reason):
        extract(path)


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>")
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract(bomb)


def test_xml_entity_attack_is_refused(tmp_path):
    evil = tmp_path / "evil.docx"
    payload = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
               '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
               '<w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("word/document.xml", payload)
    with pytest.raises(ExtractionError, match="unsafe"):
        extract(evil)


def test_broken_legacy_word_is_reported_damaged(tmp_path):
    import olefile  # noqa: F401  (the sniffer's dependency)

    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ExtractionError, match="damaged|unsupported"):
        extract(doc)


def test_rtf_text_pages_tables_and_code_page(tmp_path):
    rtf = tmp_path / "lettre.rtf"
    rtf.write_bytes(
        b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}{\\info{\\title Lettre}}"
        b"\\pard Objet : r\\'e9siliation du contrat\\par Le pr\\u233?avis est de trois mois.\\par"
        b"{\\*\\generator Hostile 1.0;}{\\pict\\pngblip 89504e47}"
        b"\\page Page deux : le d\\'e9p\\'f4t de garantie.\\par"
        b"\\trowd\\cellx1000\\cellx2000 Article\\cell Prix\\cell\\row"
        b"\\trowd\\cellx1000\\cellx2000 Croissant\\cell 1,35 \\'80\\cell\\row}")
    out = extract(rtf)
    texts = [(b.text, b.page) for b in out.blocks]
    assert ("Objet : résiliation du contrat", 1) in texts
    assert ("Le préavis est de trois mois.", 1) in texts
    assert ("Page deux : le dépôt de garantie.", 2) in texts
    assert any("Croissant" in t and "1,35 €" in t for t, _ in texts)
    assert not any("Hostile" in t or "89504e47" in t or "Times" in t for t, _ in texts)


@pytest.mark.skipif(not (CORPUS / "poi").is_dir(), reason="../shared/corpus/poi is absent")
def test_legacy_word_and_powerpoint_from_the_poi_suite():
    poi = CORPUS / "poi"
    doc = extract(poi / "document__simple-table2.doc")
    assert [b.text for b in doc.blocks if b.kind == "row"][0] == "Row 1/Cell 1\tRow 1/Cell 2\tRow 1/Cell 3"
    word95 = extract(poi / "document__Word95.doc")
    assert "The quick brown fox jumps over the lazy dog" in " ".join(b.text for b in word95.blocks)
    french = extract(poi / "hpsf__TestNon4ByteBoundary.doc")
    assert "Prononcé de l'arrêt" in " ".join(b.text for b in french.blocks)
    fields = extract(poi / "document__hyperlink.doc")  # field codes dropped, their result kept
    assert " ".join(b.text for b in fields.blocks) == "Before text; Hyperlink text; after text"
    # Slides in the order of the presentation (not the order they were created), masters left out.
    ppt = extract(poi / "slideshow__incorrect_slide_order.ppt")
    assert [(b.text, b.page) for b in ppt.blocks][:2] == [("Slide 1", 1), ("First slide I added", 1)]
    assert ("Second slide I added", 3) in [(b.text, b.page) for b in ppt.blocks]
    boxes = extract(poi / "slideshow__bug62092.ppt")  # free text boxes, not only placeholders
    assert "Text box3" in " ".join(b.text for b in boxes.blocks)
    masters = extract(poi / "slideshow__43781.ppt")
    assert "Click to edit Master" not in " ".join(b.text for b in masters.blocks)
    for name in ("document__password_password_cryptoapi.doc", "slideshow__Password_Protected-hello.ppt"):
        with pytest.raises(ExtractionError, match="password protected"):
            extract(poi / name)
    with pytest.raises(ExtractionError, match="PowerPoint 4.0"):
        extract(poi / "slideshow__pp40only.ppt")


