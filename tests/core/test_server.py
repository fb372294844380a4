"""`lanterne serve`, called as its users will: with the official `openai` client, on loopback,
with the real demo model. Tokens, collection boundaries, limits, the audit log."""
from __future__ import annotations

import json
import os
import stat
import threading
import time

import pytest

from tests.conftest import free_port, make_pdf

openai = pytest.importorskip("openai")
httpx = pytest.importorskip("httpx")


@pytest.fixture
def api(tmp_path, library, llm):
    """A running server over two collections: RH (the canteen note) and Direction (the contract)."""
    import uvicorn

    from core.indexing import IndexingService
    from core.server import create_app
    from core.tokens import TokenStore

    rh, direction = tmp_path / "rh", tmp_path / "direction"
    rh.mkdir()
    direction.mkdir()
    (rh / "cantine.txt").write_text("La cantine ferme exceptionnellement le vendredi 14 juin pour travaux.",
                                    encoding="utf-8")
    make_pdf(direction / "contrat-dupont.pdf", [[("Contrat Dupont", 18), (
        "Le contrat Dupont se renouvelle tacitement le 1er mars de chaque année. Le montant annuel est de "
        "48 000 euros.", 11)]])
    service = IndexingService(library)
    service.index([str(rh)], "RH")
    service.index([str(direction)], "Direction")
    library.set_llm(llm)
    tokens = TokenStore(library.layout.root / "tokens.json")
    everything = tokens.create("admin")
    only_rh = tokens.create("accueil", ["RH"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(library, tokens, rate_per_minute=1000), host="127.0.0.1",
                                          port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not server.started and time.monotonic() < end:
        time.sleep(0.05)
    assert server.started
    base = f"http://127.0.0.1:{port}/v1"
    yield {"base": base, "admin": everything, "rh": only_rh, "library": library, "tokens": tokens}
    server.should_exit = True
    thread.join(10)
    library.forget_llm()


def _client(api, who: str):
    return openai.OpenAI(base_url=api["base"], api_key=api[who], max_retries=0, timeout=300)


def test_models_and_a_cited_answer_from_the_documents(api):
    client = _client(api, "admin")
    names = [m.id for m in client.models.list().data]
    assert names[0] == "lanterne" and "smollm2-135m-instruct" in names
    reply = client.chat.completions.create(model="lanterne", max_tokens=60, messages=[
        {"role": "user", "content": "Quand le contrat Dupont se renouvelle-t-il ?"}])
    data = reply.model_dump()
    assert data["choices"][0]["message"]["content"]
    assert data["citations"] and any(c["path"].endswith("contrat-dupont.pdf") for c in data["citations"])
    assert {"n", "path", "page", "text"} <= set(data["citations"][0])
    assert data["lanterne"]["evidence"] and "1er mars" in data["lanterne"]["evidence"][0]["text"]
    assert data["usage"]["prompt_tokens"] > 0


def test_streamed_answer_ends_with_its_citations(api):
    client = _client(api, "admin")
    pieces, last, evidence_before_words = [], None, None
    for chunk in client.chat.completions.create(model="lanterne", stream=True, max_tokens=40, messages=[
            {"role": "user", "content": "Quand la cantine est-elle fermée ?"}]):
        extra = chunk.model_dump().get("lanterne") or {}
        if extra.get("stage") == "evidence":
            evidence_before_words = not pieces and "14 juin" in extra["evidence"][0]["text"]
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        last = chunk
    assert evidence_before_words  # the sentences holding the answer come before any word
    assert len(pieces) > 2
    extra = last.model_dump()
    assert last.choices[0].finish_reason == "stop"
    assert any(c["path"].endswith("cantine.txt") for c in extra["citations"])


def test_an_installed_model_answers_without_retrieval(api):
    reply = _client(api, "admin").chat.completions.create(model="smollm2-135m-instruct", max_tokens=20, messages=[
        {"role": "user", "content": "Say hello."}]).model_dump()
    assert reply["choices"][0]["message"]["content"] and "citations" not in reply


def test_no_token_or_a_wrong_one_gets_401(api):
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=api["base"], api_key="lnt_wrong", max_retries=0).models.list()
    assert httpx.get(api["base"] + "/models").status_code == 401


def test_a_token_sees_only_its_collections(api):
    rh = _client(api, "rh")
    question = [{"role": "user", "content": "Quand le contrat Dupont se renouvelle-t-il ?"}]
    data = rh.chat.completions.create(model="lanterne", max_tokens=30, messages=question).model_dump()
    assert all("contrat-dupont" not in c["path"] for c in data["citations"])
    assert all("1er mars" not in e["text"] for e in data["lanterne"]["evidence"])
    # asking for the other collection by name: nothing from it, and no error that names it
    data = rh.chat.completions.create(model="lanterne", max_tokens=30, messages=question,
                                      extra_body={"lanterne": {"collections": ["Direction"]}}).model_dump()
    assert data["citations"] == [] and data["lanterne"]["not_found"] is True
    assert "Direction" not in json.dumps(data)
    hits = httpx.post(api["base"] + "/search", headers={"Authorization": f"Bearer {api['rh']}"},
                      json={"query": "contrat Dupont renouvellement", "k": 10}).json()
    assert hits and all("contrat-dupont" not in h["path"] for h in hits)
    admin_hits = httpx.post(api["base"] + "/search", headers={"Authorization": f"Bearer {api['admin']}"},
                            json={"query": "contrat Dupont renouvellement", "k": 10}).json()
    assert admin_hits[0]["path"].endswith("contrat-dupont.pdf")


def test_embeddings_with_the_app_embedder(api):
    out = _client(api, "admin").embeddings.create(model="lanterne", input=["Le contrat", "The contract"])
    assert len(out.data) == 2 and len(out.data[0].embedding) == api["library"].embedder.dimension


def test_limits_and_the_audit_log(api, tmp_path):
    headers = {"Authorization": f"Bearer {api['admin']}"}
    big = httpx.post(api["base"] + "/search", headers=headers, content=b'{"query": "' + b"a" * 1_100_000 + b'"}')
    assert big.status_code == 413
    assert httpx.post(api["base"] + "/search", headers=headers, content=b"not json").status_code == 400
    assert httpx.post(api["base"] + "/search", headers=headers, json={"query": "x", "k": 5000}).status_code == 400
    log = (api["library"].layout.logs / "audit.log").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in log]
    assert any(e["token"] == "admin" and e["endpoint"] == "search" and e["status"] == 413 for e in entries)
    assert all("question" not in e for e in entries)  # questions are written only when the setting says so


def test_rate_limit_per_token():
    from core.server import RateLimiter

    limiter = RateLimiter(per_minute=3)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") > 0 and limiter.take("b") == 0.0  # per token


def test_tokens_are_stored_hashed_and_shown_once(tmp_path):
    from tests.core.test_cli import lanterne

    data = tmp_path / "data"
    created = lanterne("tokens", "create", "compta", "--collections", "Factures,RH", "--json", data_dir=data)
    assert created.returncode == 0, created.stderr
    token = json.loads(created.stdout)["token"]
    stored = (data / "tokens.json").read_text()
    assert token not in stored and stat.S_IMODE(os.stat(data / "tokens.json").st_mode) == 0o600
    listed = json.loads(lanterne("tokens", "list", "--json", data_dir=data).stdout)
    assert listed[0]["name"] == "compta" and listed[0]["collections"] == ["Factures", "RH"] and token not in json.dumps(listed)
    assert lanterne("tokens", "create", "compta", data_dir=data).returncode == 2  # names are unique
    assert lanterne("tokens", "revoke", "compta", data_dir=data).returncode == 0
    assert json.loads(lanterne("tokens", "list", "--json", data_dir=data).stdout) == []


def test_serve_refuses_the_network_without_tls_and_starts_on_loopback(tmp_path):
    from tests.core.test_cli import lanterne

    data = tmp_path / "data"
    refused = lanterne("serve", "--host", "0.0.0.0", data_dir=data)
    assert refused.returncode == 2 and "TLS" in refused.stderr
    assert lanterne("serve", data_dir=data, timeout=120).returncode == 2  # no token yet: nothing could call it
    token = json.loads(lanterne("tokens", "create", "me", "--json", data_dir=data).stdout)["token"]
    import subprocess
    import sys

    from tests.conftest import ROOT

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "--data-dir", str(data), "serve", "--port", str(port)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert f"http://127.0.0.1:{port}/v1" in line
        listed = httpx.get(f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200 and listed.json()["data"][0]["id"] == "lanterne"
    finally:
        proc.terminate()
        assert proc.wait(30) == 0


def _doc_id(api, name: str) -> int:
    library = api["library"]
    return next(d.id for d in library.catalog.documents() if d.path.endswith(name))


def test_collections_and_previews_stay_within_the_token(api):
    admin = {"Authorization": f"Bearer {api['admin']}"}
    rh = {"Authorization": f"Bearer {api['rh']}"}
    listed = httpx.get(api["base"] + "/collections", headers=rh).json()
    assert [c["name"] for c in listed["data"]] == ["RH"] and listed["data"][0]["documents"] == 1
    assert {c["name"] for c in httpx.get(api["base"] + "/collections", headers=admin).json()["data"]} == {
        "RH", "Direction"}
    contract = _doc_id(api, "contrat-dupont.pdf")
    page = httpx.post(api["base"] + "/preview", headers=admin, json={"doc_id": contract, "ordinal": 0}, timeout=60)
    assert page.status_code == 200
    shown = page.json()
    assert shown["image"]["pages"] == 1 and shown["image"]["png"] and shown["image"]["rects"]
    text = httpx.post(api["base"] + "/preview", headers=rh, json={"doc_id": _doc_id(api, "cantine.txt"), "ordinal": 0}).json()
    assert "14 juin" in text["text"]["text"] and text["text"]["spans"]
    # the other collection's document: "not found", as if it did not exist, and not named
    refused = httpx.post(api["base"] + "/preview", headers=rh, json={"doc_id": contract})
    missing = httpx.post(api["base"] + "/preview", headers=rh, json={"doc_id": 99999})
    assert refused.status_code == missing.status_code == 404 and refused.json() == missing.json()
    assert "Direction" not in refused.text and "dupont" not in refused.text.lower()
    # path traversal: a path is never read, whatever it looks like
    for attempt in ({"path": "../../../../etc/passwd"}, {"doc_id": "../../../../etc/passwd"},
                    {"doc_id": contract, "page": "../../etc/passwd"}):
        answer = httpx.post(api["base"] + "/preview", headers=admin, json=attempt)
        assert answer.status_code == 400 and "root:" not in answer.text
    assert httpx.get(api["base"] + "/preview/../../../etc/passwd", headers=admin).status_code == 404
    log = [json.loads(line) for line in
           (api["library"].layout.logs / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert any(e["endpoint"] == "preview" and e["token"] == "accueil" and e["status"] == 404 for e in log)
    assert any(e["endpoint"] == "preview" and e["status"] == 400 for e in log)


def test_a_flood_from_one_token_is_refused_and_the_others_are_served(library):
    from starlette.testclient import TestClient

    from core.server import create_app
    from core.tokens import TokenStore

    tokens = TokenStore(library.layout.root / "tokens.json")
    noisy, quiet = tokens.create("noisy"), tokens.create("quiet")
    with TestClient(create_app(library, tokens, rate_per_minute=5)) as client:
        codes = [client.get("/v1/collections", headers={"Authorization": f"Bearer {noisy}"}).status_code
                 for _ in range(12)]
        assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
        limited = client.get("/v1/collections", headers={"Authorization": f"Bearer {noisy}"})
        assert int(limited.headers["Retry-After"]) >= 1
        assert client.get("/v1/collections", headers={"Authorization": f"Bearer {quiet}"}).status_code == 200
    log = [json.loads(line) for line in (library.layout.logs / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert sum(e["token"] == "noisy" and e["status"] == 429 for e in log) == 8


def test_the_desktop_as_a_client_of_the_server(api, tmp_path):
    """A second Lanterne (another desk) set to use the server: its collections, a question asked
    through the conversation service and saved locally, and the cited page previewed from it."""
    from core.client import ServerClient, write_token
    from core.conversations import ConversationService
    from core.errors import LanterneError
    from core.library import Library

    desk = Library(tmp_path / "desk")
    desk.settings.server_url = api["base"].removesuffix("/v1")
    write_token(desk.layout.root, api["rh"])
    assert stat.S_IMODE(os.stat(desk.layout.root / "client-token").st_mode) == 0o600
    client = desk.server_client()
    assert [(c.scope_name, c.documents) for c in client.collections()] == [("@server:RH", 1)]
    pieces: list[str] = []
    early: list[int] = []  # how many words had come when the evidence arrived
    saved = ConversationService(desk).ask(None, "Quand la cantine est-elle fermée ?", scope=["@server:RH"],
                                          on_token=pieces.append, max_tokens=40,
                                          on_evidence=lambda ev: early.append(len(pieces)))
    assert early == [0]
    assert saved.turn is not None and saved.result.answer == "".join(pieces).strip()
    assert saved.citations and all(c.get("server") for c in saved.citations)
    assert any(c["path"].endswith("cantine.txt") for c in saved.citations)
    assert "14 juin" in saved.result.evidence[0].text
    stored = desk.chats.get(saved.chat_id)
    assert stored.collections == ["@server:RH"] and stored.turns[0].citations == saved.citations
    shown = client.preview(saved.citations[0])
    assert shown.text is not None and "14 juin" in shown.text.text
    with pytest.raises(LanterneError) as mixed:
        ConversationService(desk).ask(None, "Et la cantine ?", scope=["@server:RH", "Local"])
    assert mixed.value.code == "mixed-scope"
    with pytest.raises(LanterneError) as refused:
        ServerClient(api["base"], "lnt_wrong").collections()
    assert refused.value.code == "server-token"
    with pytest.raises(LanterneError) as away:
        ServerClient(f"http://127.0.0.1:{free_port()}", api["rh"]).collections()
    assert away.value.code == "server-unreachable"
    with pytest.raises(LanterneError) as offline:
        ServerClient("http://192.0.2.10:8765", api["rh"], strict_offline=True)
    assert offline.value.code == "server-offline"
    desk.close()


def test_concurrent_clients_then_a_sigkill_and_a_restart(tmp_path):
    """`lanterne bench serve` on a small load: a real server process, concurrent streamed
    questions without errors, then killed with SIGKILL mid-load and restarted: the index is intact,
    search and answers work."""
    from tests.core.test_cli import lanterne

    run = lanterne("bench", "serve", "--clients", "3", "--questions", "1", "--tokens", "16", "--json",
                   data_dir=tmp_path / "unused", timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout[run.stdout.index("{"):])
    assert figures["requests"] == 3 and figures["errors"] == 0 and figures["with_citations"] == 3
    assert figures["latency_p95_s"] >= figures["latency_p50_s"] > 0
    after = figures["after_sigkill"]
    assert after["chunks_after"] == after["chunks_before"] > 0
    assert after["search_top"] == "contrat-dupont.txt" and after["answer_error"] is None
