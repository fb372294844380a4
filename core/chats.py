"""Chat history in SQLite (``chats.sqlite`` in the data folder): conversations and their turns."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import LanterneError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    collections TEXT NOT NULL DEFAULT '[]', model TEXT NOT NULL DEFAULT '', pinned TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL DEFAULT '[]', model TEXT NOT NULL DEFAULT '',
    collections TEXT NOT NULL DEFAULT '[]', timings TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'done', details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_conversation ON turns(conversation_id, id);
"""


@dataclass
class StoredTurn:
    id: int
    question: str
    answer: str
    citations: list[dict]
    model: str
    collections: list[str]
    timings: dict
    created_at: float
    status: str = "done"  # done | not-found | cancelled
    details: dict = field(default_factory=dict)  # evidence, checks, cited: what the window shows again


@dataclass
class Conversation:
    id: int
    title: str
    created_at: float
    updated_at: float
    collections: list[str]
    model: str
    turns: list[StoredTurn] = field(default_factory=list)
    pinned: list[str] = field(default_factory=list)  # documents read whole (catalog paths, core/whole.py)

    def as_json(self, with_turns: bool = False) -> dict:
        data = {"id": self.id, "title": self.title, "created_at": self.created_at, "updated_at": self.updated_at,
                "collections": self.collections, "model": self.model, "pinned": self.pinned}
        if with_turns:
            data["turns"] = [vars(t) for t in self.turns]
        return data


class ChatStore:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)
            columns = {r["name"] for r in self._conn.execute("PRAGMA table_info(turns)")}
            for name, ddl in (("status", "TEXT NOT NULL DEFAULT 'done'"), ("details", "TEXT NOT NULL DEFAULT '{}'")):
                if name not in columns:  # chats saved by an earlier version
                    self._conn.execute(f"ALTER TABLE turns ADD COLUMN {name} {ddl}")
            if "pinned" not in {r["name"] for r in self._conn.execute("PRAGMA table_info(conversations)")}:
                self._conn.execute("ALTER TABLE conversations ADD COLUMN pinned TEXT NOT NULL DEFAULT '[]'")

    def close(self) -> None:
        self._conn.close()

    def _q(self, sql: str, params=()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def create(self, title: str, collections: list[str] | None = None, model: str = "",
               pinned: list[str] | None = None) -> Conversation:
        now = time.time()
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO conversations(title, created_at, updated_at, collections, model, pinned) "
                "VALUES(?, ?, ?, ?, ?, ?)",
                (title.strip()[:200] or "Conversation", now, now, json.dumps(collections or []), model,
                 json.dumps(pinned or [], ensure_ascii=False)))
            return self.get(cur.lastrowid)

    def rename_collection(self, old: str, new: str) -> int:
        """Conversations scoped to a renamed collection keep their scope. Returns how many changed."""
        changed = 0
        with self._lock:
            for row in self._conn.execute("SELECT id, collections FROM conversations").fetchall():
                names = json.loads(row["collections"])
                if old in names:
                    names = [new if n == old else n for n in names]
                    self._conn.execute("UPDATE conversations SET collections=? WHERE id=?", (json.dumps(names), row["id"]))
                    changed += 1
        return changed

    def get(self, chat_id: int) -> Conversation:
        rows = self._q("SELECT * FROM conversations WHERE id=?", (chat_id,))
        if not rows:
            raise LanterneError(f"No conversation with id {chat_id}.", code="no-chat")
        r = rows[0]
        conv = Conversation(r["id"], r["title"], r["created_at"], r["updated_at"], json.loads(r["collections"]), r["model"],
                            pinned=json.loads(r["pinned"]))
        conv.turns = [self._turn(t) for t in self._q("SELECT * FROM turns WHERE conversation_id=? ORDER BY id", (chat_id,))]
        return conv

    @staticmethod
    def _turn(t: sqlite3.Row) -> StoredTurn:
        return StoredTurn(t["id"], t["question"], t["answer"], json.loads(t["citations"]), t["model"],
                          json.loads(t["collections"]), json.loads(t["timings"]), t["created_at"], t["status"],
                          json.loads(t["details"]))

    def turn(self, turn_id: int) -> StoredTurn:
        rows = self._q("SELECT * FROM turns WHERE id=?", (turn_id,))
        if not rows:
            raise LanterneError(f"No turn with id {turn_id}.", code="no-chat")
        return self._turn(rows[0])

    def list(self, search: str | None = None) -> list[Conversation]:
        if search:
            like = f"%{search}%"
            rows = self._q("SELECT DISTINCT c.* FROM conversations c LEFT JOIN turns t ON t.conversation_id=c.id "
                           "WHERE c.title LIKE ? OR t.question LIKE ? OR t.answer LIKE ? ORDER BY c.updated_at DESC",
                           (like, like, like))
        else:
            rows = self._q("SELECT * FROM conversations ORDER BY updated_at DESC")
        return [Conversation(r["id"], r["title"], r["created_at"], r["updated_at"], json.loads(r["collections"]), r["model"],
                             pinned=json.loads(r["pinned"])) for r in rows]

    def add_turn(self, chat_id: int, question: str, answer: str, citations: list[dict], model: str,
                 collections: list[str], timings: dict, *, status: str = "done",
                 details: dict | None = None) -> StoredTurn:
        """Save one turn; returns it as stored (with its id), so callers need not read the chat back."""
        now = time.time()
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                cur = self._conn.execute(
                    "INSERT INTO turns(conversation_id, question, answer, citations, model, collections, timings, "
                    "created_at, status, details) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (chat_id, question, answer, json.dumps(citations, ensure_ascii=False), model,
                     json.dumps(collections), json.dumps(timings), now, status,
                     json.dumps(details or {}, ensure_ascii=False)))
                self._conn.execute("UPDATE conversations SET updated_at=?, model=? WHERE id=?", (now, model, chat_id))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return StoredTurn(cur.lastrowid, question, answer, citations, model, list(collections), dict(timings), now,
                          status, dict(details or {}))

    def rename(self, chat_id: int, title: str) -> None:
        self.get(chat_id)
        self._q("UPDATE conversations SET title=? WHERE id=?", (title.strip()[:200], chat_id))

    def set_scope(self, chat_id: int, collections: list[str], model: str | None = None) -> None:
        """The collections (and model) a conversation answers from; changeable at any time."""
        self.get(chat_id)
        if model is None:
            self._q("UPDATE conversations SET collections=? WHERE id=?", (json.dumps(collections), chat_id))
        else:
            self._q("UPDATE conversations SET collections=?, model=? WHERE id=?", (json.dumps(collections), model, chat_id))

    def set_pinned(self, chat_id: int, paths: list[str]) -> None:
        """The documents a conversation reads whole (empty: it searches its collections)."""
        self.get(chat_id)
        self._q("UPDATE conversations SET pinned=? WHERE id=?", (json.dumps(list(paths), ensure_ascii=False), chat_id))

    def delete_turn(self, turn_id: int) -> None:
        """Forget one turn (an answer being regenerated)."""
        self._q("DELETE FROM turns WHERE id=?", (turn_id,))

    def delete(self, chat_id: int) -> None:
        self.get(chat_id)
        self._q("DELETE FROM conversations WHERE id=?", (chat_id,))

    def export_markdown(self, chat_id: int) -> str:
        conv = self.get(chat_id)
        lines = [f"# {conv.title}", ""]
        for turn in conv.turns:
            lines += [f"**Question:** {turn.question}", "", turn.answer, ""]
            if turn.citations:
                lines.append("Sources:")
                for c in turn.citations:
                    from core.answer import where_text

                    page = where_text(c.get("page"), c.get("heading") or "", c.get("rows"))
                    lines.append(f"- [{c['n']}] {c['path']}{page}: “{c['text']}”")
                lines.append("")
            lines += [f"_{turn.model} · {time.strftime('%Y-%m-%d %H:%M', time.localtime(turn.created_at))}_", "", "---", ""]
        return "\n".join(lines).rstrip("-\n ") + "\n"
