"""Where iterative review sessions live between calls (rubric section 5).

A session is an ordered list of turns; a turn is the *redacted* text of one call plus the report
that call returned. The tool reads a session's earlier turns, analyses them with the new one, and
appends the new turn only if nobody else appended one in between (optimistic concurrency: the
caller says which turn number it expects to write).

`SessionStore` is the whole interface the server uses, so another backend (Redis, Postgres) can
be added without touching the tool. Two implementations ship:

- `SqliteSessionStore`, the default: one file, WAL mode, a fresh connection per call (safe from
  any thread and from several server processes sharing the file), one `BEGIN IMMEDIATE`
  transaction per turn, so a turn is stored whole or not at all.
- `MemorySessionStore`: a dict behind a lock, for tests and throw-away servers.

Stores never see a secret: the server redacts the text before it calls `append_turn`, and the
report it passes along is built from the redacted text.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

Clock = Callable[[], float]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id          TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    turn_count  INTEGER NOT NULL DEFAULT 0,
    text_chars  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_by_updated_at ON sessions (updated_at);
CREATE TABLE IF NOT EXISTS turns (
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    turn        INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    text        TEXT NOT NULL,
    strict      INTEGER NOT NULL,
    verdict     TEXT NOT NULL,
    report      TEXT NOT NULL,
    PRIMARY KEY (session_id, turn)
);
"""


class SessionStoreError(Exception):
    """Base class of the store's errors."""


class SessionNotFound(SessionStoreError):
    """The session does not exist, or it expired."""


class SessionConflict(SessionStoreError):
    """Another call appended a turn to this session since it was read."""


@dataclass(frozen=True, slots=True)
class StoredTurn:
    number: int  # 1-based
    text: str  # the redacted text of the call
    strict: bool
    verdict: str
    report: dict[str, Any]  # the Report the call returned, as JSON (built from redacted text)
    created_at: float  # seconds since the epoch


@dataclass(frozen=True, slots=True)
class StoredSession:
    session_id: str
    created_at: float
    updated_at: float
    expires_at: float | None  # None: sessions never expire
    turns: tuple[StoredTurn, ...]

    @property
    def text_chars(self) -> int:
        return sum(len(t.text) for t in self.turns)

    @property
    def latest(self) -> StoredTurn | None:
        return self.turns[-1] if self.turns else None


@runtime_checkable
class SessionStore(Protocol):
    """What the server needs from a session backend. Implementations must be thread-safe."""

    ttl: float | None
    """Idle time in seconds after which a session expires; None: never."""

    def get(self, session_id: str) -> StoredSession | None:
        """The session with its turns in order, or None when it is unknown or expired.

        Reading a session does not extend its life; only appending a turn does.
        """
        ...

    def append_turn(
        self,
        session_id: str,
        number: int,
        text: str,
        *,
        strict: bool,
        verdict: str,
        report: dict[str, Any],
    ) -> StoredTurn:
        """Store turn `number` of the session, atomically.

        `number == 1` creates the session. Raises `SessionNotFound` when `number > 1` and the
        session is unknown or expired, and `SessionConflict` when the session does not have
        exactly `number - 1` turns (someone else appended one first; read it again and retry).
        """
        ...

    def purge_expired(self) -> int:
        """Delete every expired session; returns how many were deleted."""
        ...

    def close(self) -> None: ...


# --- SQLite -----------------------------------------------------------------------------------


class SqliteSessionStore:
    """Sessions in one SQLite file (WAL mode), safe for several threads and processes."""

    PURGE_INTERVAL = 60.0  # seconds between opportunistic purges on write

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        ttl: float | None = 7 * 24 * 3600.0,
        clock: Clock = time.time,
        busy_timeout: float = 10.0,
    ) -> None:
        if str(path) in ("", ":memory:") or str(path).startswith("file:"):
            raise ValueError(
                "SqliteSessionStore needs a file path; use MemorySessionStore for an "
                "in-memory store"
            )
        self.path = Path(path).expanduser()
        self.ttl = ttl if ttl and ttl > 0 else None
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._last_purge = float("-inf")
        self._purge_lock = threading.Lock()
        self._create()

    # connections

    def _connect(self) -> sqlite3.Connection:
        # A connection per call: sqlite3 connections must not be shared across threads without
        # care, and opening one on a local file costs microseconds. isolation_level=None puts
        # the module in autocommit mode so that transactions are exactly the BEGIN/COMMIT below.
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            # IMMEDIATE takes the write lock up front, so two writers never both read "3 turns"
            # and then race; readers in WAL mode are never blocked by a writer.
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _create(self) -> None:
        directory = self.path.parent
        if not directory.exists():
            directory.mkdir(parents=True, mode=0o700, exist_ok=True)
        if not self.path.exists():
            # The file holds people's designs: readable by its owner only. SQLite gives the
            # -wal and -shm files the same permissions as the database file.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        conn = self._connect()
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise SessionStoreError(f"could not put {self.path} in WAL mode (got {mode!r})")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise SessionStoreError(
                    f"{self.path} was written by a newer workflow-prover (schema {version}); "
                    f"this one reads schema {SCHEMA_VERSION}"
                )
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        finally:
            conn.close()

    # the interface

    def _expired(self, updated_at: float, now: float) -> bool:
        return self.ttl is not None and now - updated_at > self.ttl

    def get(self, session_id: str) -> StoredSession | None:
        now = self._clock()
        with self._transaction(write=False) as conn:
            row = conn.execute(
                "SELECT created_at, updated_at FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is None or self._expired(row[1], now):
                return None
            turns = conn.execute(
                "SELECT turn, text, strict, verdict, report, created_at FROM turns "
                "WHERE session_id = ? ORDER BY turn",
                (session_id,),
            ).fetchall()
        return StoredSession(
            session_id=session_id,
            created_at=row[0],
            updated_at=row[1],
            expires_at=None if self.ttl is None else row[1] + self.ttl,
            turns=tuple(
                StoredTurn(
                    number=t[0],
                    text=t[1],
                    strict=bool(t[2]),
                    verdict=t[3],
                    report=json.loads(t[4]),
                    created_at=t[5],
                )
                for t in turns
            ),
        )

    def append_turn(
        self,
        session_id: str,
        number: int,
        text: str,
        *,
        strict: bool,
        verdict: str,
        report: dict[str, Any],
    ) -> StoredTurn:
        if number < 1:
            raise ValueError("turn numbers start at 1")
        now = self._clock()
        payload = json.dumps(report, ensure_ascii=False, separators=(",", ":"))
        with self._transaction(write=True) as conn:
            row = conn.execute(
                "SELECT updated_at, turn_count FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is not None and self._expired(row[0], now):
                if number > 1:
                    raise SessionNotFound(session_id)  # purge_expired() will delete it
                self._delete(conn, session_id)
                row = None
            if number == 1:
                if row is not None:
                    raise SessionConflict(f"session {session_id} already exists")
                conn.execute(
                    "INSERT INTO sessions (id, created_at, updated_at, turn_count, "
                    "text_chars) VALUES (?, ?, ?, 0, 0)",
                    (session_id, now, now),
                )
            elif row is None:
                raise SessionNotFound(session_id)
            elif row[1] != number - 1:
                raise SessionConflict(f"session {session_id} has {row[1]} turns, not {number - 1}")
            conn.execute(
                "INSERT INTO turns (session_id, turn, created_at, text, strict, verdict, report) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, number, now, text, int(strict), verdict, payload),
            )
            conn.execute(
                "UPDATE sessions SET updated_at = ?, turn_count = ?, "
                "text_chars = text_chars + ? WHERE id = ?",
                (now, number, len(text), session_id),
            )
        self._maybe_purge(now)
        return StoredTurn(
            number=number, text=text, strict=strict, verdict=verdict, report=report, created_at=now
        )

    @staticmethod
    def _delete(conn: sqlite3.Connection, session_id: str) -> None:
        conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def purge_expired(self) -> int:
        if self.ttl is None:
            return 0
        cutoff = self._clock() - self.ttl
        with self._transaction(write=True) as conn:
            conn.execute(
                "DELETE FROM turns WHERE session_id IN "
                "(SELECT id FROM sessions WHERE updated_at < ?)",
                (cutoff,),
            )
            deleted = conn.execute("DELETE FROM sessions WHERE updated_at < ?", (cutoff,)).rowcount
        return int(deleted)

    def _maybe_purge(self, now: float) -> None:
        if self.ttl is None or now - self._last_purge < self.PURGE_INTERVAL:
            return
        with self._purge_lock:
            if now - self._last_purge < self.PURGE_INTERVAL:
                return
            self._last_purge = now
        self.purge_expired()

    def close(self) -> None:
        # Nothing is held open between calls. Fold the WAL back into the main file so the
        # database is a single file again when the server stops.
        conn = self._connect()
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


# --- memory -----------------------------------------------------------------------------------


class MemorySessionStore:
    """Sessions in a dict: for tests and servers that need no persistence."""

    def __init__(self, *, ttl: float | None = 7 * 24 * 3600.0, clock: Clock = time.time) -> None:
        self.ttl = ttl if ttl and ttl > 0 else None
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[float, float, list[StoredTurn]]] = {}

    def _expired(self, updated_at: float, now: float) -> bool:
        return self.ttl is not None and now - updated_at > self.ttl

    def get(self, session_id: str) -> StoredSession | None:
        now = self._clock()
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is None or self._expired(entry[1], now):
                return None
            created, updated, turns = entry
            return StoredSession(
                session_id=session_id,
                created_at=created,
                updated_at=updated,
                expires_at=None if self.ttl is None else updated + self.ttl,
                turns=tuple(turns),
            )

    def append_turn(
        self,
        session_id: str,
        number: int,
        text: str,
        *,
        strict: bool,
        verdict: str,
        report: dict[str, Any],
    ) -> StoredTurn:
        if number < 1:
            raise ValueError("turn numbers start at 1")
        now = self._clock()
        turn = StoredTurn(
            number=number,
            text=text,
            strict=strict,
            verdict=verdict,
            report=json.loads(json.dumps(report)),
            created_at=now,
        )
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is not None and self._expired(entry[1], now):
                if number > 1:
                    raise SessionNotFound(session_id)  # purge_expired() will delete it
                del self._sessions[session_id]
                entry = None
            if number == 1:
                if entry is not None:
                    raise SessionConflict(f"session {session_id} already exists")
                self._sessions[session_id] = (now, now, [turn])
            elif entry is None:
                raise SessionNotFound(session_id)
            elif len(entry[2]) != number - 1:
                raise SessionConflict(
                    f"session {session_id} has {len(entry[2])} turns, not {number - 1}"
                )
            else:
                self._sessions[session_id] = (entry[0], now, [*entry[2], turn])
        return turn

    def purge_expired(self) -> int:
        now = self._clock()
        with self._lock:
            expired = [k for k, v in self._sessions.items() if self._expired(v[1], now)]
            for key in expired:
                del self._sessions[key]
        return len(expired)

    def close(self) -> None:
        pass
