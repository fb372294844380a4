"""Screenshots of the main screens from the real app in a real X window (run under Xvfb):

    xvfb-run -s "-screen 0 1600x1000x24" python -m desktop.screenshots docs/screenshots

Builds a sample folder, drives the app to each screen in English then French, and grabs each window
from the X server. (Developer tool; `make screenshots` runs it.)
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _sample(folder: Path) -> Path:
    import pymupdf

    from core.docgen import write_document

    folder.mkdir(parents=True, exist_ok=True)
    doc = pymupdf.open()
    texts = [
        ("Contrat de maintenance - Société Dupont", [
            "Le présent contrat de maintenance est conclu entre la société Dupont et la société Lanterne Conseil.",
            "Il prend effet le 1er mars 2024. Il se renouvelle tacitement chaque année au 1er mars, sauf "
            "résiliation notifiée par lettre recommandée trois mois avant l'échéance.",
        ]),
        ("Conditions financières", [
            "Le montant annuel de la redevance s'élève à 12 400 euros hors taxes, payable par trimestre.",
            "Les tarifs sont révisés chaque année selon l'indice Syntec.",
        ]),
    ]
    for title, paragraphs in texts:
        page = doc.new_page()
        y = 72
        page.insert_textbox(pymupdf.Rect(72, y, 540, y + 40), title, fontsize=18, fontname="helv")
        y += 50
        for paragraph in paragraphs:
            page.insert_textbox(pymupdf.Rect(72, y, 540, y + 120), paragraph, fontsize=11, fontname="helv")
            y += 80
    doc.save(str(folder / "contrat-dupont.pdf"))
    doc.close()
    write_document(folder / "politique-teletravail.docx", "Politique de télétravail", [
        "Les salariés peuvent télétravailler jusqu'à trois jours par semaine avec l'accord de leur responsable.",
        "L'ordinateur portable et le casque sont fournis par l'entreprise."])
    write_document(folder / "reglement-interieur.txt", "Règlement intérieur", [
        "Les horaires d'ouverture de l'accueil sont de 8 h 30 à 17 h.",
        "Le badge d'accès se retire à l'accueil sur présentation d'une pièce d'identité."])
    import shutil

    import resources

    # a scanned invoice (read by text recognition), and a damaged file for the problems list
    shutil.copy(Path(resources.__file__).resolve().parent / "samples" / "facture-scannee.pdf",
                folder / "facture-scannee.pdf")
    (folder / "ancien-devis.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    return folder


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    out = Path(argv[0] if argv else "docs/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QApplication

    from core.library import Library
    from desktop.app import Lanterne
    from desktop.style import app_icon
    from models import offline  # noqa: F401

    app = QApplication.instance() or QApplication(["lanterne"])
    app.setApplicationName("Lanterne")
    app.setWindowIcon(app_icon())

    def spin(seconds: float, until=None) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
            if until is not None and until():
                return True
        return until is None

    def grab(widget, name: str) -> None:
        spin(0.8)
        widget.raise_()
        spin(0.3)
        pixmap = app.primaryScreen().grabWindow(widget.winId())
        pixmap.save(str(out / f"{name}.png"))
        print("wrote", out / f"{name}.png")

    with tempfile.TemporaryDirectory() as tmp:
        docs = _sample(Path(tmp) / "Contrats")
        library = Library(Path(tmp) / "data")
        server = _office_server(library)  # the same library shared by a `lanterne serve` on loopback
        lanterne = Lanterne(library, app)
        window = lanterne.window
        window.resize(1280, 800)
        window.move(0, 0)
        window.show()
        lanterne.start(preload=True)
        for language in ("en", "fr"):
            lanterne.translations.apply(language)
            spin(0.5)
            if language == "en":
                grab(window, f"welcome-{language}")
                window.add_paths([str(docs)], "Contrats")
                spin(240, lambda: library.catalog.counts().get("indexed", 0) >= 4
                     and lanterne.controller.running() is None)
                spin(60, lambda: library.llm_loaded)
            else:
                window.welcome.set_first_run(True)
                window.stack.setCurrentWidget(window.welcome)
                grab(window, f"welcome-{language}")
                window.stack.setCurrentWidget(window.chat)
            window.new_conversation()
            question = ("Quand le contrat Dupont se renouvelle-t-il ?" if language == "fr"
                        else "When does the Dupont contract renew?")
            finished: list[object] = []
            window.chat.answer_finished.connect(finished.append)
            window.chat.ask(question)
            spin(180, lambda: bool(finished))
            window.chat.answer_finished.disconnect()
            grab(window, f"main-{language}")
            turn = window.chat.turns[-1]
            pdf = next((c for c in turn.citations if c["path"].endswith(".pdf")), None)
            if pdf is not None:
                window.chat.transcript.anchorClicked.emit(QUrl(f"card:{len(window.chat.turns) - 1}:{pdf['n']}"))
                spin(30, lambda: window.preview is not None and window.preview.image is not None)
                window.preview.resize(820, 900)
                window.preview.move(440, 0)
                grab(window.preview, f"preview-{language}")
                window.preview.hide()
            # the cited contract pinned to the conversation and read whole
            if pdf is not None:
                window.chat.pin_citation(pdf)
                spin(10, lambda: bool(window.chat.pinned))
                finished.clear()
                window.chat.answer_finished.connect(finished.append)
                window.chat.ask("Résume ce document." if language == "fr" else "Summarise this document.")
                spin(180, lambda: bool(finished))
                window.chat.answer_finished.disconnect()
                grab(window, f"pinned-{language}")
                window.chat._set_pins([])
            # the same folder, asked through the Lanterne server (sidebar: "Lanterne server")
            window.collections.refresh_server()
            spin(30, lambda: window.chat.server_collections == ["@server:Contrats"])
            window.new_conversation()
            window.chat._toggle_scope("@server:Contrats", True)
            finished.clear()
            window.chat.answer_finished.connect(finished.append)
            window.chat.ask(question)
            spin(180, lambda: bool(finished))
            window.chat.answer_finished.disconnect()
            grab(window, f"server-{language}")
            remote = next((c for c in window.chat.turns[-1].citations if c["path"].endswith(".pdf")), None)
            if remote is not None:  # its page comes from the server ("Open with default app" hidden)
                window.preview.image = None
                window.chat.transcript.anchorClicked.emit(QUrl(f"card:{len(window.chat.turns) - 1}:{remote['n']}"))
                spin(30, lambda: window.preview.image is not None)
                grab(window.preview, f"preview-server-{language}")
                window.preview.hide()
            window.chat._set_scope([])
            # a passage of the scanned invoice: the recognised words lit on the page image
            from core.search import SearchEngine

            hits = [h for h in SearchEngine(library).search("pénalité de retard de paiement facture", 5)
                    if h.file_path.endswith("facture-scannee.pdf")]
            if hits:
                h = hits[0]
                window.show_citation({"n": 1, "path": h.file_path, "page": h.page, "text": h.text,
                                      "chunk_id": h.chunk_id})
                spin(30, lambda: window.preview is not None and window.preview.image is not None
                     and window.preview.path.endswith("facture-scannee.pdf"))
                window.preview.resize(820, 900)
                window.preview.move(440, 0)
                grab(window.preview, f"preview-scan-{language}")
                window.preview.hide()
            window.show_help()
            window.help_dialog.move(300, 60)
            grab(window.help_dialog, f"help-{language}")
            window.help_dialog.close()
            window.show_problems()
            spin(10, lambda: window.problems.table.rowCount() >= 1)
            window.problems.move(200, 150)
            grab(window.problems, f"problems-{language}")
            window.problems.hide()
            window.show_models()
            spin(10, lambda: window.models_dialog.installed.rowCount() >= 1)
            window.models_dialog.move(160, 100)
            grab(window.models_dialog, f"models-{language}")
            window.models_dialog.tabs.setCurrentIndex(1)
            grab(window.models_dialog, f"catalog-{language}")
            window.models_dialog.tabs.setCurrentIndex(0)
            window.models_dialog.hide()
            window.show_settings()
            window.settings_dialog.move(300, 40)
            grab(window.settings_dialog, f"settings-{language}")
            from PySide6.QtWidgets import QScrollArea

            window.settings_dialog.findChild(QScrollArea).ensureWidgetVisible(window.settings_dialog.server)
            grab(window.settings_dialog, f"settings-server-{language}")
            window.settings_dialog.reject()
        lanterne.theme.apply("dark")
        lanterne.translations.apply("en")
        spin(1.0)
        grab(window, "main-dark-en")
        lanterne.controller.stop()
        lanterne.runner.wait(10)
        server.should_exit = True
        library.close()
        shutil.copytree(library.layout.logs, out / "logs", dirs_exist_ok=True)  # to read what happened
    return 0


def _office_server(library):
    """A Lanterne server on loopback over ``library`` with a token for "Contrats", and the app set
    to use it, so the sidebar and a question show the desktop as a client."""
    import threading

    import uvicorn

    from core.client import write_token
    from core.server import create_app
    from core.tokens import TokenStore
    from core.bench import free_port

    tokens = TokenStore(library.layout.root / "tokens.json")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(library, tokens), host="127.0.0.1", port=port,
                                          log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    library.settings.server_url = f"http://127.0.0.1:{port}"
    write_token(library.layout.root, tokens.create("accueil", ["Contrats"]))
    return server


if __name__ == "__main__":
    raise SystemExit(main())
