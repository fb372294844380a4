"""Answers from an OpenAI-compatible engine: llama-cpp-python's own server on loopback, with the
demo GGUF, in place of the in-process model."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from core.errors import LanterneError
from tests.conftest import free_port

pytest.importorskip("llama_cpp.server")


@pytest.fixture(scope="module")
def engine():
    from models.llm import default_llm_path

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(default_llm_path()),
                             "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port),
                             "--n_ctx", "2048", "--seed", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    end = time.monotonic() + 180
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start")
    yield url
    proc.terminate()
    proc.wait(30)


def _use(library, url, **extra):
    s = library.settings
    s.answer_engine_url, s.answer_engine_model = url, "smollm2"
    for k, v in extra.items():
        setattr(s, k, v)
    library.set_llm(None)


def test_answers_come_from_the_remote_engine_with_citations(engine, library, sample_folder):
    from core.conversations import ConversationService
    from core.indexing import IndexingService

    IndexingService(library).index([str(sample_folder)], "Travail")
    _use(library, engine)
    pieces: list[str] = []
    saved = ConversationService(library).ask(None, "Quand le contrat Dupont se renouvelle-t-il ?",
                                             on_token=pieces.append, max_tokens=60)
    result = saved.result
    assert result.model == "smollm2" and result.answer and len(pieces) > 2
    assert result.sources and result.prompt_tokens > 0 and result.ttft_s > 0
    assert any(c["path"].endswith("contrat-dupont.pdf") for c in saved.citations)
    assert library.chats.turn(saved.turn.id).model == "smollm2"


def test_cancel_closes_the_stream(engine, library, sample_folder):
    from core.conversations import ConversationService
    from core.indexing import IndexingService

    IndexingService(library).index([str(sample_folder)], "Travail")
    _use(library, engine)
    cancel = threading.Event()
    pieces: list[str] = []

    def on_token(piece):
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()

    result = ConversationService(library).answer("Résume la politique de télétravail.", [], scope=None,
                                                 on_token=on_token, cancel=cancel, max_tokens=200)
    assert result.cancelled and len(pieces) <= 5


def test_strict_offline_refuses_an_engine_off_this_computer(library, sample_folder):
    from core.conversations import ConversationService
    from core.indexing import IndexingService

    IndexingService(library).index([str(sample_folder)], "Travail")
    _use(library, "http://192.0.2.10:8080/v1", strict_offline=True)
    with pytest.raises(LanterneError) as err:
        ConversationService(library).answer("Quand le contrat Dupont se renouvelle-t-il ?", [], scope=None)
    assert err.value.code == "offline"
    _use(library, "http://127.0.0.1:9/v1", strict_offline=True)  # loopback is fine, but nothing listens
    with pytest.raises(LanterneError) as err:
        ConversationService(library).answer("Quand le contrat Dupont se renouvelle-t-il ?", [], scope=None)
    assert err.value.code == "engine-unreachable"
    _use(library, "http://127.0.0.1:9/v1", answer_engine_key_env="LANTERNE_TEST_NO_SUCH_KEY")
    with pytest.raises(LanterneError) as err:
        ConversationService(library).answer("Quand le contrat Dupont se renouvelle-t-il ?", [], scope=None)
    assert err.value.code == "engine-key"


def test_ask_on_the_command_line_with_engine_flags(engine, tmp_path, sample_folder):
    from tests.core.test_cli import lanterne

    data = tmp_path / "data"
    assert lanterne("index", str(sample_folder), data_dir=data).returncode == 0
    out = lanterne("ask", "Quand le contrat Dupont se renouvelle-t-il ?", "--json", "--engine-url", engine,
                   "--engine-model", "smollm2", data_dir=data)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["model"] == "smollm2" and answer["answer"] and answer["evidence"]


def test_the_remote_engine_cites_like_the_in_process_model(engine, library, sample_folder, llm):
    """The same question at temperature 0, answered by the in-process model and by llama.cpp's
    server with the same GGUF: the same passages read, the same citations."""
    from core.conversations import ConversationService
    from core.indexing import IndexingService

    IndexingService(library).index([str(sample_folder)], "Travail")
    library.settings.answer_temperature = 0.0
    question = "Quand le contrat Dupont se renouvelle-t-il ?"
    library.set_llm(llm)
    local = ConversationService(library).answer(question, [], scope=None, max_tokens=60)
    library.forget_llm()  # the session's model is detached, not closed (other tests use it)
    _use(library, engine)
    remote = ConversationService(library).answer(question, [], scope=None, max_tokens=60)

    def cited(result):
        from core.conversations import shown_citations

        return [(c["path"], c["page"], c["text"]) for c in shown_citations(result)]

    assert [h.chunk_id for h in remote.sources] == [h.chunk_id for h in local.sources]
    assert cited(remote) == cited(local) and cited(local)
