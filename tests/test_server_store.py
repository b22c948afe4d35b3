"""The session stores behind the MCP server: one contract, two backends, plus SQLite specifics."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from workflow_prover.server.store import (
    MemorySessionStore,
    SessionConflict,
    SessionNotFound,
    SessionStore,
    SqliteSessionStore,
    StoreUnavailable,
)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


StoreFactory = Callable[..., SessionStore]


@pytest.fixture(params=["sqlite", "memory"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    def make(**kwargs: object) -> SessionStore:
        if request.param == "sqlite":
            return SqliteSessionStore(tmp_path / "state" / "sessions.sqlite3", **kwargs)  # type: ignore[arg-type]
        return MemorySessionStore(**kwargs)  # type: ignore[arg-type]

    return make


def append(store: SessionStore, sid: str, number: int, text: str = "Stripe -> CRM") -> None:
    store.append_turn(
        sid,
        number,
        text,
        strict=False,
        verdict="HAPPY_PATH_BIAS",
        report={"verdict": "HAPPY_PATH_BIAS", "turns": number, "text": text},
    )


def test_store_implements_the_protocol(make_store: StoreFactory) -> None:
    assert isinstance(make_store(), SessionStore)


def test_turns_are_appended_in_order(make_store: StoreFactory) -> None:
    clock = Clock()
    store = make_store(clock=clock)
    assert store.get("abcdefgh") is None
    append(store, "abcdefgh", 1, "first")
    clock.now += 5
    append(store, "abcdefgh", 2, "second")
    session = store.get("abcdefgh")
    assert session is not None
    assert [t.number for t in session.turns] == [1, 2]
    assert [t.text for t in session.turns] == ["first", "second"]
    assert session.turns[1].report == {"verdict": "HAPPY_PATH_BIAS", "turns": 2, "text": "second"}
    assert session.created_at == 1_000_000.0
    assert session.updated_at == 1_000_005.0
    assert session.expires_at == 1_000_005.0 + 7 * 24 * 3600
    assert session.text_chars == len("first") + len("second")


def test_turn_numbers_are_checked(make_store: StoreFactory) -> None:
    store = make_store()
    with pytest.raises(SessionNotFound):
        append(store, "unknown1", 2)
    append(store, "abcdefgh", 1)
    with pytest.raises(SessionConflict):
        append(store, "abcdefgh", 1)  # the session exists already
    with pytest.raises(SessionConflict):
        append(store, "abcdefgh", 3)  # turn 2 is missing
    append(store, "abcdefgh", 2)
    with pytest.raises(SessionConflict):
        append(store, "abcdefgh", 2)  # someone else wrote turn 2 first
    session = store.get("abcdefgh")
    assert session is not None and len(session.turns) == 2


def test_sessions_expire_after_their_idle_time(make_store: StoreFactory) -> None:
    clock = Clock()
    store = make_store(ttl=60.0, clock=clock)
    append(store, "old-session", 1)
    append(store, "busy-session", 1)
    clock.now += 50
    append(store, "busy-session", 2)  # a turn extends the life of its session
    clock.now += 11
    assert store.get("old-session") is None
    assert store.get("busy-session") is not None
    with pytest.raises(SessionNotFound):
        append(store, "old-session", 2)
    assert store.purge_expired() == 1
    assert store.purge_expired() == 0
    clock.now += 100
    assert store.purge_expired() == 1
    assert store.get("busy-session") is None


def test_reading_does_not_extend_a_session(make_store: StoreFactory) -> None:
    clock = Clock()
    store = make_store(ttl=60.0, clock=clock)
    append(store, "abcdefgh", 1)
    clock.now += 40
    assert store.get("abcdefgh") is not None
    clock.now += 40
    assert store.get("abcdefgh") is None


def test_a_zero_ttl_never_expires(make_store: StoreFactory) -> None:
    clock = Clock()
    store = make_store(ttl=0, one_turn_ttl=0, clock=clock)
    append(store, "abcdefgh", 1)
    clock.now += 10 * 365 * 86400
    session = store.get("abcdefgh")
    assert session is not None and session.expires_at is None
    assert store.purge_expired() == 0


def test_concurrent_appends_never_lose_or_duplicate_a_turn(make_store: StoreFactory) -> None:
    store = make_store()
    append(store, "shared-session", 1)
    written: list[int] = []
    lock = threading.Lock()

    def writer() -> None:
        for _ in range(20):
            while True:
                session = store.get("shared-session")
                assert session is not None
                number = len(session.turns) + 1
                try:
                    append(store, "shared-session", number)
                except SessionConflict:
                    continue
                with lock:
                    written.append(number)
                break

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session = store.get("shared-session")
    assert session is not None
    assert [t.number for t in session.turns] == list(range(1, 82))
    assert sorted(written) == list(range(2, 82))


# --- SQLite specifics -----------------------------------------------------------------------


def test_sqlite_file_is_private_in_wal_mode_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "sessions.sqlite3"
    store = SqliteSessionStore(path)
    append(store, "abcdefgh", 1, "first")
    store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sessions", "turns"} <= tables
        assert conn.execute("SELECT created_at, updated_at FROM sessions").fetchone()[0] > 0
    reopened = SqliteSessionStore(path)
    append(reopened, "abcdefgh", 2, "second")
    session = reopened.get("abcdefgh")
    assert session is not None and [t.text for t in session.turns] == ["first", "second"]


def test_sqlite_stores_a_turn_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = SqliteSessionStore(path)
    append(store, "abcdefgh", 1)
    with sqlite3.connect(path) as conn:  # make the second statement of the transaction fail
        conn.execute(
            "CREATE TRIGGER boom BEFORE UPDATE ON sessions "
            "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    with pytest.raises(StoreUnavailable, match="SQLITE_CONSTRAINT_TRIGGER"):
        append(store, "abcdefgh", 2)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM turns").fetchone()[0] == 1
    session = store.get("abcdefgh")
    assert session is not None and len(session.turns) == 1


def test_sqlite_refuses_memory_and_newer_schemas(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MemorySessionStore"):
        SqliteSessionStore(":memory:")
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(Exception, match="newer"):
        SqliteSessionStore(path)


def test_two_stores_on_one_file_see_each_others_turns(tmp_path: Path) -> None:
    """Two server processes sharing the file: the optimistic check works across them."""
    path = tmp_path / "sessions.sqlite3"
    first, second = SqliteSessionStore(path), SqliteSessionStore(path)
    append(first, "abcdefgh", 1)
    append(second, "abcdefgh", 2)
    with pytest.raises(SessionConflict):
        append(first, "abcdefgh", 2)
    session = first.get("abcdefgh")
    assert session is not None and len(session.turns) == 2


# --- bounds (hardening fault 5) --------------------------------------------------------------


def test_a_session_never_continued_expires_sooner(make_store: StoreFactory) -> None:
    clock = Clock()
    store = make_store(ttl=7 * 86400, one_turn_ttl=3600, clock=clock)
    append(store, "one-turn-session", 1)
    append(store, "continued-session", 1)
    append(store, "continued-session", 2)
    session = store.get("one-turn-session")
    assert session is not None and session.expires_at == clock.now + 3600
    clock.now += 3601
    assert store.get("one-turn-session") is None
    continued = store.get("continued-session")
    assert continued is not None and continued.expires_at == 1_000_000.0 + 7 * 86400
    assert store.purge_expired() == 1


def test_a_one_turn_ttl_of_zero_or_above_the_ttl_is_the_ttl(make_store: StoreFactory) -> None:
    clock = Clock()
    for one_turn_ttl in (0, 10 * 86400):
        store = make_store(ttl=60.0, one_turn_ttl=one_turn_ttl, clock=clock)
        append(store, f"session-{one_turn_ttl}", 1)
        session = store.get(f"session-{one_turn_ttl}")
        assert session is not None and session.expires_at == clock.now + 60


EVICTION_CASES = [
    # (sessions created in order with their turn counts, cap, the sessions left after one more)
    ([1, 1, 1], 3, ["s1", "s2", "new"]),  # the oldest goes
    ([2, 1, 1], 3, ["s0", "s2", "new"]),  # a never-continued session goes before a continued one
    ([2, 2, 2], 3, ["s1", "s2", "new"]),  # only continued ones: the least recently updated
    ([1, 1], 3, ["s0", "s1", "new"]),  # under the cap: nothing goes
]


@pytest.mark.parametrize(("turns", "cap", "left"), EVICTION_CASES)
def test_a_full_store_evicts_the_least_recently_used_sessions_first(
    make_store: StoreFactory, turns: list[int], cap: int, left: list[str]
) -> None:
    clock = Clock()
    store = make_store(max_sessions=cap, clock=clock)
    for n, count in enumerate(turns):
        for number in range(1, count + 1):
            clock.now += 1
            append(store, f"s{n}", number)
    clock.now += 1
    append(store, "new", 1)
    kept = [sid for sid in [*(f"s{n}" for n in range(len(turns))), "new"] if store.get(sid)]
    assert kept == left


def test_expired_sessions_make_room_before_any_is_evicted(make_store: StoreFactory) -> None:
    clock = Clock()
    store = make_store(ttl=100.0, one_turn_ttl=10.0, max_sessions=2, clock=clock)
    append(store, "expiring", 1)
    clock.now += 5
    append(store, "live-one", 1)
    append(store, "live-one", 2)
    clock.now += 20  # "expiring" is past its one-turn TTL, "live-one" is not past its TTL
    append(store, "new-session", 1)
    assert store.get("live-one") is not None and store.get("new-session") is not None


class _Failing(SqliteSessionStore):
    """A real SQLite store whose connections cannot grow the file, or cannot write at all."""

    pragma = ""

    def _connect(self) -> sqlite3.Connection:
        conn = super()._connect()
        if self.pragma:
            conn.execute(self.pragma)
        return conn


FAILURES = [
    # (the connection's restriction, the reason the store gives)
    ("PRAGMA query_only = ON", "read-only"),
    ("PRAGMA max_page_count = 1", "full"),
]


@pytest.mark.parametrize(("pragma", "reason"), FAILURES)
def test_a_store_that_cannot_write_says_why_and_keeps_what_it_had(
    tmp_path: Path, pragma: str, reason: str
) -> None:
    store = _Failing(tmp_path / "sessions.sqlite3")
    append(store, "abcdefgh", 1, "first")
    store.pragma = pragma
    with pytest.raises(StoreUnavailable) as failure:
        append(store, "abcdefgh", 2, "x" * 100_000)
    with pytest.raises(StoreUnavailable):
        append(store, "another-session", 1, "y" * 100_000)
    assert failure.value.reason == reason
    store.pragma = ""
    session = store.get("abcdefgh")
    assert session is not None and [t.text for t in session.turns] == ["first"]
    assert store.get("another-session") is None


def test_a_damaged_database_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    store = SqliteSessionStore(path)
    append(store, "abcdefgh", 1)
    store.close()
    path.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreUnavailable) as failure:
        store.get("abcdefgh")
    assert failure.value.reason == "damaged"


SQLITE_ERRORS = [
    # (SQLite's error name, free bytes on the disk, the reason a user is told)
    ("SQLITE_FULL", 10**9, "full"),
    ("SQLITE_IOERR_SHMSIZE", 0, "full"),  # WAL mode on a full disk: the -shm file cannot grow
    ("SQLITE_IOERR_WRITE", 4096, "full"),
    ("SQLITE_IOERR_WRITE", 10**9, "unavailable"),  # an I/O error with space left: not "full"
    ("SQLITE_READONLY_DBMOVED", 10**9, "read-only"),
    ("SQLITE_CANTOPEN", 10**9, "read-only"),
    ("SQLITE_BUSY", 10**9, "busy"),
    ("SQLITE_NOTADB", 10**9, "damaged"),
    ("SQLITE_CONSTRAINT_TRIGGER", 10**9, "unavailable"),
]


@pytest.mark.parametrize(("name", "free", "reason"), SQLITE_ERRORS)
def test_a_sqlite_error_is_told_as_what_it_means(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, free: int, reason: str
) -> None:
    from workflow_prover.server import store as store_module

    monkeypatch.setattr(store_module, "_free_bytes", lambda path: free)
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = name
    told = store_module._sqlite_unavailable(error, tmp_path / "sessions.sqlite3")
    assert told.reason == reason and name in str(told)
