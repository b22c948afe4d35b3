"""Where iterative review sessions live between calls (rubric section 5).

A session is an ordered list of turns; a turn is the *redacted* text of one call plus the report
that call returned (and, when the client's model helped read it, the accepted assisted reading,
so that the session replays without asking the model again). The tool reads a session's earlier
turns, analyses them with the new one, and appends the new turn only if nobody else appended one
in between (optimistic concurrency: the caller says which turn number it expects to write).

`SessionStore` is the whole interface the server uses, so another backend (Redis, Postgres) can
be added without touching the tool. Two implementations ship:

- `SqliteSessionStore`, the default: one file, WAL mode, a fresh connection per call (safe from
  any thread and from several server processes sharing the file), one `BEGIN IMMEDIATE`
  transaction per turn, so a turn is stored whole or not at all.
- `MemorySessionStore`: a dict behind a lock, for tests and throw-away servers.

Stores never see a secret: the server redacts the text before it calls `append_turn`, and the
report it passes along is built from the redacted text.

Both are bounded (hardening fault 5):

- a session expires after `ttl` idle seconds (default 7 days), a session that was never
  continued (one turn: most calls without a session_id) after `one_turn_ttl` (default 24 hours);
- a store holds at most `max_sessions` sessions (default 10,000): creating one more first drops
  the expired ones, then evicts the least recently used, one-turn sessions first;
- a backend that cannot read or write (disk full, read-only file, damaged database) raises
  `StoreUnavailable` with a short reason, never the backend's own exception.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

Clock = Callable[[], float]

SCHEMA_VERSION = 2  # 2: turns.assist, the accepted assisted reading of the turn
DEFAULT_TTL = 7 * 24 * 3600.0
DEFAULT_ONE_TURN_TTL = 24 * 3600.0
DEFAULT_MAX_SESSIONS = 10_000

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
    assist      TEXT,
    PRIMARY KEY (session_id, turn)
);
"""


class SessionStoreError(Exception):
    """Base class of the store's errors."""


class SessionNotFound(SessionStoreError):
    """The session does not exist, or it expired."""


class SessionConflict(SessionStoreError):
    """Another call appended a turn to this session since it was read."""


class StoreUnavailable(SessionStoreError):
    """The backend cannot read or write now. `reason` is what a user may be told: 'full',
    'read-only', 'busy', 'damaged' or 'unavailable'."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"session store {reason}" + (f" ({detail})" if detail else ""))
        self.reason = reason


_SQLITE_REASONS = (
    ("SQLITE_FULL", "full"),
    ("SQLITE_READONLY", "read-only"),
    ("SQLITE_CANTOPEN", "read-only"),
    ("SQLITE_PERM", "read-only"),
    ("SQLITE_BUSY", "busy"),
    ("SQLITE_LOCKED", "busy"),
    ("SQLITE_CORRUPT", "damaged"),
    ("SQLITE_NOTADB", "damaged"),
)


_LOW_SPACE = 1 << 20  # bytes: below this, an I/O error on the store is a full disk


def _sqlite_unavailable(exc: sqlite3.Error, path: Path) -> StoreUnavailable:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    reason = next((r for prefix, r in _SQLITE_REASONS if name.startswith(prefix)), "unavailable")
    if name.startswith("SQLITE_IOERR") and _free_bytes(path) < _LOW_SPACE:
        # A full disk in WAL mode is mostly an I/O error (the -shm or -wal file cannot grow,
        # SQLITE_IOERR_SHMSIZE / _WRITE), seldom SQLITE_FULL.
        reason = "full"
    return StoreUnavailable(reason, name or type(exc).__name__)


def _free_bytes(path: Path) -> int:
    try:
        stats = os.statvfs(path.parent)
    except (OSError, AttributeError):  # no statvfs on Windows
        return _LOW_SPACE
    return stats.f_bavail * stats.f_frsize


@dataclass(frozen=True, slots=True)
class Limits:
    """How long sessions live and how many a store keeps (None: no limit)."""

    ttl: float | None = DEFAULT_TTL
    one_turn_ttl: float | None = DEFAULT_ONE_TURN_TTL
    max_sessions: int | None = DEFAULT_MAX_SESSIONS

    @classmethod
    def of(cls, ttl: float | None, one_turn_ttl: float | None, max_sessions: int | None) -> Limits:
        ttl = ttl if ttl and ttl > 0 else None
        one = one_turn_ttl if one_turn_ttl and one_turn_ttl > 0 else None
        if one is None or (ttl is not None and one > ttl):
            one = ttl
        return cls(ttl, one, max_sessions if max_sessions and max_sessions > 0 else None)

    def ttl_for(self, turns: int) -> float | None:
        return self.one_turn_ttl if turns <= 1 else self.ttl

    def expired(self, updated_at: float, turns: int, now: float) -> bool:
        ttl = self.ttl_for(turns)
        return ttl is not None and now - updated_at > ttl

    def expires_at(self, updated_at: float, turns: int) -> float | None:
        ttl = self.ttl_for(turns)
        return None if ttl is None else updated_at + ttl

    def cutoffs(self, now: float) -> tuple[float, float]:
        """(any session, one-turn session): last update times at or before which they expire."""
        inf = float("-inf")
        return (
            inf if self.ttl is None else now - self.ttl,
            inf if self.one_turn_ttl is None else now - self.one_turn_ttl,
        )


@dataclass(frozen=True, slots=True)
class StoredTurn:
    number: int  # 1-based
    text: str  # the redacted text of the call
    strict: bool
    verdict: str
    report: dict[str, Any]  # the Report the call returned, as JSON (built from redacted text)
    created_at: float  # seconds since the epoch
    # the accepted assisted reading of the turn (`assist.reading`), replayed with the session
    # instead of asking the model again; its quotes are words of the redacted text
    assist: dict[str, Any] | None = None


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

        Reading a session does not extend its life; only appending a turn does. Raises
        `StoreUnavailable` when the backend cannot be read.
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
        assist: dict[str, Any] | None = None,
    ) -> StoredTurn:
        """Store turn `number` of the session, atomically (with its assisted reading, if any).

        `number == 1` creates the session (evicting others beyond the store's cap). Raises
        `SessionNotFound` when `number > 1` and the session is unknown or expired,
        `SessionConflict` when the session does not have exactly `number - 1` turns (someone
        else appended one first; read it again and retry), and `StoreUnavailable` when the
        backend cannot write (nothing of the turn is stored then).
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
        ttl: float | None = DEFAULT_TTL,
        one_turn_ttl: float | None = DEFAULT_ONE_TURN_TTL,
        max_sessions: int | None = DEFAULT_MAX_SESSIONS,
        clock: Clock = time.time,
        busy_timeout: float = 10.0,
    ) -> None:
        if str(path) in ("", ":memory:") or str(path).startswith("file:"):
            raise ValueError(
                "SqliteSessionStore needs a file path; use MemorySessionStore for an "
                "in-memory store"
            )
        self.path = Path(path).expanduser()
        self.limits = Limits.of(ttl, one_turn_ttl, max_sessions)
        self.ttl = self.limits.ttl
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
        try:
            with self._raw_transaction(write=write) as conn:
                yield conn
        except sqlite3.Error as exc:
            raise _sqlite_unavailable(exc, self.path) from exc

    @contextmanager
    def _raw_transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            # IMMEDIATE takes the write lock up front, so two writers never both read "3 turns"
            # and then race; readers in WAL mode are never blocked by a writer.
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # a failed COMMIT may have rolled back
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
            columns = {row[1] for row in conn.execute("PRAGMA table_info(turns)")}
            if "assist" not in columns:  # a schema 1 file: its turns have no assisted reading
                conn.execute("ALTER TABLE turns ADD COLUMN assist TEXT")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        finally:
            conn.close()

    # the interface

    def get(self, session_id: str) -> StoredSession | None:
        now = self._clock()
        with self._transaction(write=False) as conn:
            row = conn.execute(
                "SELECT created_at, updated_at, turn_count FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            if row is None or self.limits.expired(row[1], row[2], now):
                return None
            turns = conn.execute(
                "SELECT turn, text, strict, verdict, report, created_at, assist FROM turns "
                "WHERE session_id = ? ORDER BY turn",
                (session_id,),
            ).fetchall()
        return StoredSession(
            session_id=session_id,
            created_at=row[0],
            updated_at=row[1],
            expires_at=self.limits.expires_at(row[1], len(turns)),
            turns=tuple(
                StoredTurn(
                    number=t[0],
                    text=t[1],
                    strict=bool(t[2]),
                    verdict=t[3],
                    report=json.loads(t[4]),
                    created_at=t[5],
                    assist=json.loads(t[6]) if t[6] else None,
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
        assist: dict[str, Any] | None = None,
    ) -> StoredTurn:
        if number < 1:
            raise ValueError("turn numbers start at 1")
        now = self._clock()
        payload = json.dumps(report, ensure_ascii=False, separators=(",", ":"))
        reading = None if assist is None else json.dumps(assist, ensure_ascii=False)
        with self._transaction(write=True) as conn:
            row = conn.execute(
                "SELECT updated_at, turn_count FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is not None and self.limits.expired(row[0], row[1], now):
                if number > 1:
                    raise SessionNotFound(session_id)  # purge_expired() will delete it
                self._delete(conn, [session_id])
                row = None
            if number == 1:
                if row is not None:
                    raise SessionConflict(f"session {session_id} already exists")
                self._make_room(conn, now)
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
                "INSERT INTO turns (session_id, turn, created_at, text, strict, verdict, report, "
                "assist) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, number, now, text, int(strict), verdict, payload, reading),
            )
            conn.execute(
                "UPDATE sessions SET updated_at = ?, turn_count = ?, "
                "text_chars = text_chars + ? WHERE id = ?",
                (now, number, len(text), session_id),
            )
        self._maybe_purge(now)
        return StoredTurn(
            number=number,
            text=text,
            strict=strict,
            verdict=verdict,
            report=report,
            created_at=now,
            assist=assist,
        )

    @staticmethod
    def _delete(conn: sqlite3.Connection, session_ids: Iterable[str]) -> int:
        ids = [(sid,) for sid in session_ids]
        conn.executemany("DELETE FROM turns WHERE session_id = ?", ids)
        conn.executemany("DELETE FROM sessions WHERE id = ?", ids)
        return len(ids)

    _EXPIRED = "updated_at < ? OR (turn_count <= 1 AND updated_at < ?)"

    def _purge(self, conn: sqlite3.Connection, now: float) -> int:
        if self.limits.ttl is None and self.limits.one_turn_ttl is None:
            return 0
        ids = conn.execute(
            f"SELECT id FROM sessions WHERE {self._EXPIRED}", self.limits.cutoffs(now)
        ).fetchall()
        return self._delete(conn, (r[0] for r in ids))

    def _make_room(self, conn: sqlite3.Connection, now: float) -> None:
        """Keep the store under `max_sessions` once one more is created."""
        cap = self.limits.max_sessions
        if cap is None:
            return
        count = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        if count < cap:
            return
        count -= self._purge(conn, now)
        if count >= cap:
            victims = conn.execute(
                "SELECT id FROM sessions ORDER BY turn_count > 1, updated_at LIMIT ?",
                (count - cap + 1,),
            ).fetchall()
            self._delete(conn, (r[0] for r in victims))

    def count(self) -> int:
        """How many sessions the store holds (expired ones not yet purged included)."""
        with self._transaction(write=False) as conn:
            return int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])

    def purge_expired(self) -> int:
        with self._transaction(write=True) as conn:
            return self._purge(conn, self._clock())

    def _maybe_purge(self, now: float) -> None:
        if self.limits.one_turn_ttl is None or now - self._last_purge < self.PURGE_INTERVAL:
            return
        with self._purge_lock:
            if now - self._last_purge < self.PURGE_INTERVAL:
                return
            self._last_purge = now
        with contextlib.suppress(StoreUnavailable):  # the turn is stored; purging can wait
            self.purge_expired()

    def close(self) -> None:
        # Nothing is held open between calls. Fold the WAL back into the main file so the
        # database is a single file again when the server stops (best effort: a full or
        # read-only store keeps its WAL, which SQLite reads back on the next open).
        with contextlib.suppress(sqlite3.Error):
            conn = self._connect()
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()


# --- memory -----------------------------------------------------------------------------------


class MemorySessionStore:
    """Sessions in a dict: for tests and servers that need no persistence."""

    def __init__(
        self,
        *,
        ttl: float | None = DEFAULT_TTL,
        one_turn_ttl: float | None = DEFAULT_ONE_TURN_TTL,
        max_sessions: int | None = DEFAULT_MAX_SESSIONS,
        clock: Clock = time.time,
    ) -> None:
        self.limits = Limits.of(ttl, one_turn_ttl, max_sessions)
        self.ttl = self.limits.ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[float, float, list[StoredTurn]]] = {}

    def _expired(self, entry: tuple[float, float, list[StoredTurn]], now: float) -> bool:
        return self.limits.expired(entry[1], len(entry[2]), now)

    def get(self, session_id: str) -> StoredSession | None:
        now = self._clock()
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is None or self._expired(entry, now):
                return None
            created, updated, turns = entry
            return StoredSession(
                session_id=session_id,
                created_at=created,
                updated_at=updated,
                expires_at=self.limits.expires_at(updated, len(turns)),
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
        assist: dict[str, Any] | None = None,
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
            assist=None if assist is None else json.loads(json.dumps(assist)),
        )
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is not None and self._expired(entry, now):
                if number > 1:
                    raise SessionNotFound(session_id)  # purge_expired() will delete it
                del self._sessions[session_id]
                entry = None
            if number == 1:
                if entry is not None:
                    raise SessionConflict(f"session {session_id} already exists")
                self._make_room(now)
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

    def _make_room(self, now: float) -> None:
        cap = self.limits.max_sessions
        if cap is None or len(self._sessions) < cap:
            return
        self._purge(now)
        excess = len(self._sessions) - cap + 1
        if excess > 0:
            order = sorted(self._sessions, key=lambda k: self._eviction_key(k))
            for key in order[:excess]:
                del self._sessions[key]

    def _eviction_key(self, key: str) -> tuple[bool, float]:
        _, updated, turns = self._sessions[key]
        return (len(turns) > 1, updated)

    def _purge(self, now: float) -> int:
        expired = [k for k, v in self._sessions.items() if self._expired(v, now)]
        for key in expired:
            del self._sessions[key]
        return len(expired)

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)

    def purge_expired(self) -> int:
        now = self._clock()
        with self._lock:
            return self._purge(now)

    def close(self) -> None:
        pass
