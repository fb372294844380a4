"""French-first retrieval with the default multilingual embedder: cross-lingual search, text
searchable before its vectors exist, fusion over a partly embedded index, boilerplate demotion."""
from __future__ import annotations

import os
import threading
import time

from core.indexing import IndexingService
from core.search import FusionWeights, SearchEngine, substance
from tests.conftest import make_pdf

FR_DISPUTE = ("Litige de paiement : en cas de contestation d'une facture, le client dispose de trente jours "
              "pour écrire au service comptable, qui suspend les relances pendant l'examen du dossier.")
EN_PARKING = ("Parking: the staff car park closes at 8 pm on weekdays and stays closed on Sundays; bicycles "
              "are stored in the basement room next to the lifts.")
EN_TRAINING = ("Training budget: each employee may spend up to 1,500 euros a year on courses approved by "
               "their manager, booked through the human resources portal.")


def _folder(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "litiges.txt").write_text(FR_DISPUTE, encoding="utf-8")
    (folder / "parking.txt").write_text(EN_PARKING, encoding="utf-8")
    (folder / "training.txt").write_text(EN_TRAINING, encoding="utf-8")
    return folder


def test_default_embedder_is_multilingual(embedder):
    assert embedder.model_id == "multilingual-e5-small" and embedder.dimension == 384
    assert not embedder.languages  # many: no language is "foreign" to it
    fr, en, other = embedder.embed_documents([FR_DISPUTE, "Payment disputes: invoices may be contested within "
                                              "thirty days.", EN_PARKING])
    q = embedder.embed_query("souci avec ma facture")
    assert q @ fr > q @ other and q @ en > q @ other


def test_cross_lingual_retrieval(library, tmp_path):
    IndexingService(library).index([str(_folder(tmp_path))], "Bureau")
    engine = SearchEngine(library)
    # a French question, English documents (no shared word), and the reverse
    for query, expected in [("où ranger mon vélo au travail ?", "parking.txt"),
                            ("combien puis-je dépenser en formation par an ?", "training.txt"),
                            ("how long do I have to contest an invoice?", "litiges.txt"),
                            ("souci avec ma facture", "litiges.txt")]:
        hits = engine.search(query, 3)
        assert hits and os.path.basename(hits[0].path) == expected, (query, [h.path for h in hits])


class _Held:
    """The real embedder, whose passage embedding waits for ``gate``: the test searches while the
    written rows have no vectors yet, whatever the machine's speed (queries are not held)."""

    def __init__(self, inner, gate: threading.Event) -> None:
        self._inner, self._gate = inner, gate

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def embed_documents(self, texts):
        assert self._gate.wait(120), "the test never released the embedder"
        return self._inner.embed_documents(texts)


def test_text_is_searchable_before_its_vectors(library, tmp_path):
    """Keyword search sees a file as soon as it is written; vectors follow, and `index` returns
    only when both are done."""
    gate = threading.Event()
    real = library.embedder
    library.set_embedder(_Held(real, gate))
    reports = []
    run = threading.Thread(target=lambda: reports.append(
        IndexingService(library).index([str(_folder(tmp_path))], "Bureau")), daemon=True)
    run.start()
    try:
        engine = SearchEngine(library)
        end = time.monotonic() + 300
        bm25: list[str] = []
        while time.monotonic() < end and not bm25:
            # the three files are written one after the other: wait for the one asked about
            bm25 = [os.path.basename(h.path) for h in engine.search("contestation facture", 3, mode="bm25")]
            time.sleep(0.05)
        share = library.store.embedded_share()
        hybrid = [os.path.basename(h.path) for h in engine.search("contestation facture", 3)]
    finally:
        gate.set()
        run.join(300)
    library.set_embedder(real)
    assert reports and reports[0].indexed == 3
    assert share < 1.0 and bm25[0] == "litiges.txt" and hybrid[0] == "litiges.txt"
    assert library.store.embedded_share() == 1.0


def _row(cid: str, doc: int, text: str, embedded: bool = True) -> dict:
    return {"chunk_id": cid, "doc_id": doc, "path": f"/d/{doc}.txt", "page": 0, "heading": "", "text": text,
            "start": 0, "end": len(text), "embedded": embedded}


def test_fusion_treats_missing_vectors_as_unknown_not_zero(library):
    text = "un passage de taille normale, " * 4
    new = _row("new", 1, text, embedded=False)  # best BM25 match, no vector yet
    old = _row("old", 2, text)  # weaker on BM25, has a vector
    other = _row("other", 3, text)
    bm25 = [{**new, "score": 9.0}, {**old, "score": 6.0}, {**other, "score": 1.0}]
    vec = [{**old, "score": 0.8}, {**other, "score": 0.75}]
    engine = SearchEngine(library, FusionWeights(document_prior=0.0))
    ranked = [h.chunk_id for h in engine.fuse(bm25, vec, ["fr"], 3)]
    assert ranked[0] == "new"
    # with a vector of its own it competes normally (a zero vector score would have sunk it)
    embedded = {**new, "embedded": True}
    ranked = [h.chunk_id for h in engine.fuse([{**embedded, "score": 9.0}] + bm25[1:], vec, ["fr"], 3)]
    assert ranked.index("new") > 0


def test_short_boilerplate_does_not_outrank_substance(library, tmp_path):
    folder = tmp_path / "contrats"
    folder.mkdir()
    body = ("Le bail commercial est conclu pour neuf années à compter du 1er avril 2024. Le loyer annuel est "
            "fixé à 24 000 euros hors charges, payable par trimestre à échoir. Le dépôt de garantie est de "
            "deux mois de loyer.")
    make_pdf(folder / "bail.pdf", [[("Bail commercial", 18), (body, 11)], [("Fait à Lyon, le 15 février 2024", 11)]])
    make_pdf(folder / "avenant.pdf", [[("Avenant au bail", 18), ("Le loyer est révisé chaque année selon l'indice "
                                                                 "des loyers commerciaux publié par l'INSEE.", 11)],
                                      [("Fait à Lyon, le 2 mars 2024", 11)]])
    IndexingService(library).index([str(folder)], "Baux")
    hits = SearchEngine(library).search("Quel est le montant du loyer du bail à Lyon ?", 5)
    texts = [h.text for h in hits]
    signature = next(i for i, t in enumerate(texts) if t.startswith("Fait à Lyon, le 15"))
    substantive = next(i for i, t in enumerate(texts) if "24 000 euros" in t)
    assert substantive < signature
    assert substance("Fait à Lyon, le 15 février 2024", 12) < 1.0 and substance(body, 12) == 1.0
