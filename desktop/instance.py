"""One window per data folder. The first launch holds a lock file in the data folder and listens on a
local socket; a second launch finds the lock taken, asks the first to come forward, and exits.
(The command line does not take this lock: it shares the data folder through the catalog's SQLite
locking and the indexing lock.)"""
from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from filelock import FileLock, Timeout
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()[:16]
    return f"lanterne-{digest}"


class SingleInstance(QObject):
    """Signals:
        activated(): another launch asked this window to come forward.
    """

    activated = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.lock = FileLock(str(Path(data_dir) / "app.lock"))
        self.server: QLocalServer | None = None
        self._connections: list[QLocalSocket] = []

    def acquire(self) -> bool:
        """True when this process is the first; False after asking the first one to show itself."""
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            for _ in range(20):  # the first one may still be starting its server
                if self._forward():
                    return False
                time.sleep(0.1)
            log.warning("another Lanterne holds the data folder but does not answer")
            return False
        QLocalServer.removeServer(self.name)  # a stale socket left by a crash
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.UserAccessOption)
        if not self.server.listen(self.name):
            log.warning("single-instance server: %s", self.server.errorString())
        self.server.newConnection.connect(self._connection)
        return True

    def _forward(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(300):
            return False
        socket.write(b"show\n")
        socket.flush()
        socket.waitForBytesWritten(300)
        socket.disconnectFromServer()
        return True

    def _connection(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()  # a child of the server, freed with it
            self._connections.append(conn)
            conn.readyRead.connect(self._read)
        self._read()

    def _read(self) -> None:
        for conn in list(self._connections):
            if conn.bytesAvailable() and bytes(conn.readAll()).strip().startswith(b"show"):
                self.activated.emit()
            if conn.state() == QLocalSocket.UnconnectedState:
                self._connections.remove(conn)

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.lock.is_locked:
            self.lock.release()
