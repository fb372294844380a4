"""The window as a client of a Lanterne server: Settings ▸ Lanterne server, the server's
collections in the sidebar, a question over them answered by the server, the cited passage
previewed from it, and the window carrying on when the server goes away."""
from __future__ import annotations

import pytest

from tests.core.test_server import api  # noqa: F401 (the running server fixture)

pytest.importorskip("httpx")


def test_the_window_asks_and_previews_the_servers_collections(app_factory, api, qtbot):  # noqa: F811
    from core.client import write_token
    from desktop.settings_view import SettingsDialog

    library = api["library"]
    lanterne = app_factory(watch=False)
    window = lanterne.window
    # Settings: address and token, tested, then saved (the token in an owner-only file)
    dialog = SettingsDialog(library, lanterne.runner, window)
    dialog.server_url.setText(api["base"].removesuffix("/v1"))
    dialog.server_token.setText(api["rh"])
    dialog.test_server()
    qtbot.waitUntil(lambda: "1" in dialog.server_result.text() and "Connect" in dialog.server_result.text(),
                    timeout=30_000)
    dialog.applied.connect(window.apply_settings)
    dialog.accept()
    assert library.settings.server_url == api["base"].removesuffix("/v1")
    # the sidebar lists the server's collections the token may read, after the local ones
    tree = window.collections.model
    qtbot.waitUntil(lambda: tree.rowCount() == 3 and tree.item(2).rowCount() == 1, timeout=30_000)
    server_row = tree.item(2)
    assert server_row.text().startswith("Lanterne server (127.0.0.1)")
    assert server_row.child(0).text() == "RH — 1 document"
    chat = window.chat
    qtbot.waitUntil(lambda: chat.server_collections == ["@server:RH"], timeout=10_000)
    # choosing the server's collection replaces a local scope (no mixing)
    chat._toggle_scope("Direction", True)
    chat._toggle_scope("@server:RH", True)
    assert chat.scope == ["@server:RH"] and chat.scope_button.text() == "RH (server)"
    assert not chat.model_combo.isEnabled()  # the server answers with its own model
    with qtbot.waitSignal(chat.answer_finished, timeout=300_000) as finished:
        chat.ask("Quand la cantine est-elle fermée ?")
    result = finished.args[0]
    assert result is not None and result.answer
    turn = chat.turns[-1]
    assert turn.citations and all(c.get("server") for c in turn.citations)
    citation = next(c for c in turn.citations if c["path"].endswith("cantine.txt"))
    window.show_citation(citation)
    preview = window.preview
    qtbot.waitUntil(lambda: preview.stack.currentWidget() is preview.text, timeout=30_000)
    assert "14 juin" in preview.text.toPlainText()
    assert not preview.open_button.isVisible()  # the file is on the server
    # a wrong token: said in the sidebar, the listing kept
    write_token(library.layout.root, "lnt_wrong")
    window.collections.refresh_server()
    qtbot.waitUntil(lambda: "token refused" in tree.item(2).text(), timeout=30_000)
    assert tree.item(2).rowCount() == 1 and chat.server_collections == ["@server:RH"]
    # the server away: the window says so, keeps the scope, and local questions still work
    library.settings.server_url = "http://127.0.0.1:9"
    window.collections.refresh_server()
    qtbot.waitUntil(lambda: "unreachable" in tree.item(2).text(), timeout=30_000)
    with qtbot.waitSignal(chat.answer_finished, timeout=60_000):
        chat.ask("Et la cantine ?")
    assert "cannot be reached" in chat.turns[-1].error
    assert chat.scope == ["@server:RH"]
