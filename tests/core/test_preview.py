"""The preview without Qt: a citation finds its file by document id (so a file whose name is not
valid UTF-8 previews), the PDF page is rendered with the passage lit, a text is rebuilt."""
from __future__ import annotations

import os

from core.answer import consulted_citations
from core.indexing import IndexingService
from core.preview import cited_document, document_text, render_pdf_page
from core.search import SearchEngine
from tests.conftest import make_pdf


def test_a_citation_of_a_file_with_an_undecodable_name_previews(tmp_path, library):
    folder = tmp_path / "docs"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"compte-rendu-r\xe9union.txt")  # Latin-1 name, not UTF-8
    with open(odd, "wb") as fh:
        fh.write("La réunion du comité a fixé le budget annuel à trente mille euros.\n\n"
                 "Le prochain comité se tiendra en septembre.".encode())
    make_pdf(folder / "contrat.pdf", [[("Le contrat Dupont se renouvelle tacitement le 1er mars.", 12)]])
    IndexingService(library).index([str(folder)], "Docs")
    hits = SearchEngine(library).search("budget annuel du comité", 3)
    citation = consulted_citations(hits[:1])[0].as_json()
    assert not os.path.exists(citation["path"])  # the displayed name is lossy: it cannot open the file
    doc = cited_document(library, citation)
    assert os.fsencode(doc.path) == odd and os.path.exists(doc.path)  # the real name, from the catalog
    text = document_text(doc.chunks, doc.passage)
    assert "trente mille euros" in text.text[text.spans[0][0]:text.spans[0][1]]

    pdf_hit = SearchEngine(library).search("contrat Dupont renouvellement", 1)[0]
    pdf_doc = cited_document(library, consulted_citations([pdf_hit])[0].as_json())
    image = render_pdf_page(pdf_doc.path, 1, pdf_doc.passage, 600)
    assert image.png.startswith(b"\x89PNG") and image.pages == 1 and image.rects  # the passage is lit


def test_citations_saved_before_ids_still_open(tmp_path, library):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("Le parking ferme à vingt heures.", encoding="utf-8")
    IndexingService(library).index([str(folder)], "Docs")
    hit = SearchEngine(library).search("parking", 1)[0]
    old = {"path": str(folder / "note.txt"), "text": "Le parking…", "chunk_id": hit.chunk_id}  # no doc_id
    doc = cited_document(library, old)
    assert doc.passage.startswith("Le parking ferme") and doc.chunks
