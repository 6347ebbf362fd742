"""One writer at a time per index, and a record of unfinished writes.

Readers never lock. Writers (``index add``, ``remove``, an app upload, ``--watch``) serialise:

* Embedded store: an exclusive ``flock`` on ``DATA_DIR/newsqa-write.lock``. The kernel drops it
  when the process dies, even by SIGKILL, so a crash never leaves a stale lock. A second writer
  waits; two writing processes would otherwise each flush their own in-memory vector index over
  the other's files.
* Chroma server: no shared file system, so the lock is a lease in the article collection's
  metadata (``writer`` plus a heartbeat time). A lease whose heartbeat is older than
  :data:`LEASE_SECONDS`, or whose process on this host is gone, is taken over.

Either way the ``writer`` field stays set until a write session ends cleanly. A session that
finds it set (and may take over) knows the previous one died half-way and recovers first (see
:mod:`index.store.session`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Self

from .errors import StoreError

log = logging.getLogger(__name__)

#: Seconds after which a server-mode writer that stopped sending heartbeats is presumed dead.
LEASE_SECONDS = 120.0


def writer_token() -> str:
    """An identifier of this writer: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def token_is_alive(token: str, heartbeat: float, now: float | None = None) -> bool:
    """Whether the writer that left ``token`` may still be running.

    Args:
        token: the ``writer`` field (``host:pid:random``), "" when none.
        heartbeat: epoch seconds of its last heartbeat.
        now: the current time (tests pass it).

    Returns:
        False when there is no writer, its lease expired, or its process on this host is gone
        (or is this very process).
    """
    if not token:
        return False
    now = time.time() if now is None else now
    if now - heartbeat > LEASE_SECONDS:
        return False
    host, _, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        if int(pid_text) == os.getpid():
            return False  # left by this process's own failed session, which is over
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


def write_lock(data_dir: Path) -> FileLock:
    """The lock an embedded index's writers hold (``DATA_DIR/newsqa-write.lock``)."""
    return FileLock(Path(data_dir) / "newsqa-write.lock")


class FileLock:
    """An exclusive ``flock`` on one file, waiting (and saying so) while another process holds it.

    Usable as a context manager.

    Args:
        path: the lock file (created when missing).
        activity: what the holder is doing, for the message shown while waiting.
    """

    def __init__(self, path: Path, activity: str = "writing to this index") -> None:
        self.path = path
        self.activity = activity
        self._fd: int | None = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Block until the lock is ours.

        Raises:
            StoreError: the lock file cannot be created.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"cannot create the lock file {self.path}: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            log.warning(
                "another process (%s) is %s; waiting for it to finish", holder, self.activity
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{socket.gethostname()} pid {os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (closing the descriptor releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
    except OSError:
        return "unknown"
