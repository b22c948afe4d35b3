"""The server under a slow analysis, a failing store and odd input (hardening faults 3, 5-9).

A deliberately slow analyzer (`Gated`: a description with GATE blocks until the test opens the
gate) shows that one slow call never holds up another client, ends at the time budget with one
line, and that a full pool says so. A store that fails like a full or read-only disk shows what
a session call and a new review get. The worker-process pool is tested with a stub analyzer
that spins forever (`spinning_analyzer`), since only a process can be stopped mid-analysis.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent

from pool_stubs import spinning_analyzer
from workflow_prover.analyzer import Analyzer
from workflow_prover.models import Report
from workflow_prover.server.app import TOOL_NAME, ServerSettings, build_server
from workflow_prover.server.pool import (
    AnalysisPool,
    AnalysisTimeout,
    PoolBusy,
    ProcessRunner,
    Review,
)
from workflow_prover.server.store import (
    MemorySessionStore,
    SqliteSessionStore,
    StoredSession,
    StoredTurn,
    StoreUnavailable,
)

HANG_GUARD = 120  # seconds: generous; a call that takes this long is a hang, not slowness

DESIGN = "Stripe webhooks trigger the flow; we insert the payment into the CRM."
FOLLOW_UP = "Errors go to a DLQ and we retry with exponential backoff."


class Gated:
    """The real analyzer, except that a text containing GATE waits for `gate` (at most a
    minute, so a failed test cannot leave a thread behind for long)."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.entered = threading.Event()

    def redact(self, text: str) -> str:
        return self.inner.redact(text)

    def analyze_turns(self, turns: Sequence[str], *, strict: bool = False) -> Report:
        if any("GATE" in t for t in turns):
            self.entered.set()
            self.gate.wait(timeout=60)
        return self.inner.analyze_turns(turns, strict=strict)


@pytest.fixture
def gated(analyzer: Analyzer) -> Iterator[Gated]:
    stub = Gated(analyzer)
    yield stub
    stub.gate.set()


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent)
    return result.content[0].text


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    data: dict[str, Any] = result.structured_content
    return data


async def call(client: Client, **arguments: Any) -> CallToolResult:
    return await client.call_tool(TOOL_NAME, arguments)


# --- fault 3: a slow analysis ----------------------------------------------------------------


@pytest.mark.anyio
async def test_a_slow_analysis_does_not_hold_up_another_clients_session(gated: Gated) -> None:
    server = build_server(gated, MemorySessionStore(), ServerSettings(analysis_workers=2))
    answered: list[str] = []
    slow: list[CallToolResult] = []
    with anyio.fail_after(HANG_GUARD):
        async with Client(server) as slow_client, Client(server) as other:

            async def slow_call() -> None:
                slow.append(await call(slow_client, description=f"{DESIGN} GATE"))

            async with anyio.create_task_group() as tg:
                tg.start_soon(slow_call)
                await anyio.to_thread.run_sync(gated.entered.wait)
                first = structured(await call(other, description=DESIGN))
                second = structured(
                    await call(other, description=FOLLOW_UP, session_id=first["session_id"])
                )
                answered += [first["verdict"], second["verdict"]]
                assert not slow, "the slow call answered first: it was not slow"
                gated.gate.set()
    assert len(answered) == 2 and second["turn"] == 2
    assert structured(slow[0])["turn"] == 1


@pytest.mark.anyio
async def test_an_analysis_over_the_budget_is_one_line_and_stores_nothing(gated: Gated) -> None:
    store = MemorySessionStore()
    settings = ServerSettings(analysis_budget=0.5)
    with anyio.fail_after(HANG_GUARD):
        async with Client(build_server(gated, store, settings)) as client:
            sid = structured(await call(client, description=DESIGN))["session_id"]
            late = await call(client, description=f"{FOLLOW_UP} GATE", session_id=sid)
            gated.gate.set()
            after = structured(await call(client, description=FOLLOW_UP, session_id=sid))
    assert late.is_error
    message = text_of(late)
    assert "longer than the server's limit of 0.5 s" in message and "nothing was stored" in message
    assert "\n" not in message
    assert after["turn"] == 2  # the slow turn was never stored


@pytest.mark.anyio
async def test_a_full_pool_says_the_server_is_busy(gated: Gated) -> None:
    settings = ServerSettings(analysis_workers=1, max_waiting=0)
    server = build_server(gated, MemorySessionStore(), settings)
    with anyio.fail_after(HANG_GUARD):
        async with Client(server) as first, Client(server) as second:
            results: list[CallToolResult] = []

            async def slow_call() -> None:
                results.append(await call(first, description=f"{DESIGN} GATE"))

            async with anyio.create_task_group() as tg:
                tg.start_soon(slow_call)
                await anyio.to_thread.run_sync(gated.entered.wait)
                busy = await call(second, description=DESIGN)
                gated.gate.set()
            later = structured(await call(second, description=DESIGN))
    assert busy.is_error and "The server is busy" in text_of(busy)
    assert "\n" not in text_of(busy)
    assert structured(results[0])["turn"] == 1 and later["turn"] == 1


# --- fault 3: worker processes -----------------------------------------------------------------


@pytest.fixture
def process_pool() -> Iterator[AnalysisPool]:
    pool = AnalysisPool.in_processes(spinning_analyzer, workers=2, budget=3.0, max_waiting=8)
    pool.wait_ready()
    yield pool
    pool.close()


@pytest.mark.anyio
async def test_a_worker_stuck_past_the_budget_is_replaced_while_the_other_answers(
    process_pool: AnalysisPool,
) -> None:
    outcome: list[BaseException] = []

    async def stuck() -> None:
        try:
            await process_pool.review(Review((), "SPIN", False))
        except AnalysisTimeout as exc:
            outcome.append(exc)

    with anyio.fail_after(HANG_GUARD):
        async with anyio.create_task_group() as tg:
            tg.start_soon(stuck)
            answers = [
                (await process_pool.review(Review((), f"call {n}", False))).report["message"]
                for n in range(3)
            ]
            assert not outcome, "the spinning call ended before the others answered"
        after = await process_pool.review(Review((), "after", False))
    assert answers == ["call 0", "call 1", "call 2"]
    assert len(outcome) == 1 and outcome[0].budget == 3.0  # type: ignore[attr-defined]
    assert after.report["message"] == "after"


def test_a_killed_worker_leaves_no_process_behind() -> None:
    runner = ProcessRunner(spinning_analyzer)
    first = runner.run(Review((), "hello", False))
    pid = runner.pid
    assert first.report["message"] == "hello" and pid is not None
    runner.interrupt()
    again = runner.run(Review((), "again", False))
    assert again.report["message"] == "again" and runner.pid != pid
    runner.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.anyio
async def test_the_pool_refuses_at_once_when_its_line_is_full() -> None:
    pool = AnalysisPool.in_processes(spinning_analyzer, workers=1, budget=5.0, max_waiting=0)
    try:
        pool.wait_ready()
        with anyio.fail_after(HANG_GUARD):
            async with anyio.create_task_group() as tg:
                tg.start_soon(pool.review, Review((), "SPIN", False))
                await anyio.sleep(0.2)
                with pytest.raises(PoolBusy):
                    await pool.review(Review((), "one more", False))
                tg.cancel_scope.cancel()
    finally:
        pool.close()


# --- fault 5: a store that cannot write --------------------------------------------------------


class Breakable:
    """A memory store that fails like a broken disk once `reason` is set."""

    def __init__(self) -> None:
        self.inner = MemorySessionStore()
        self.ttl = self.inner.ttl
        self.reason: str | None = None

    def _check(self) -> None:
        if self.reason:
            raise StoreUnavailable(self.reason, "test")

    def get(self, session_id: str) -> StoredSession | None:
        if self.reason == "damaged":
            self._check()
        return self.inner.get(session_id)

    def append_turn(self, session_id: str, number: int, text: str, **kw: Any) -> StoredTurn:
        self._check()
        return self.inner.append_turn(session_id, number, text, **kw)

    def purge_expired(self) -> int:
        return self.inner.purge_expired()

    def close(self) -> None:
        pass


STORE_FAILURES = [
    # (the store's reason, how the client is told)
    ("full", "session store is full (no space left for new turns)"),
    ("read-only", "session store is read-only"),
    ("busy", "session store is locked by another process"),
    ("damaged", "session store is damaged"),
]


@pytest.mark.parametrize(("reason", "told"), STORE_FAILURES)
@pytest.mark.anyio
async def test_a_broken_store_refuses_session_turns_and_still_answers_new_reviews(
    analyzer: Analyzer, reason: str, told: str
) -> None:
    store = Breakable()
    async with Client(build_server(analyzer, store)) as client:
        sid = structured(await call(client, description=DESIGN))["session_id"]
        store.reason = reason
        refused = await call(client, description=FOLLOW_UP, session_id=sid)
        fresh = await call(client, description=DESIGN)
    assert refused.is_error
    message = text_of(refused)
    assert told in message and "nothing was stored" in message and "\n" not in message
    assert "without session_id" in message
    data = structured(fresh)
    assert data["session_id"] == "" and data["turn"] == 1 and data["verdict"]
    assert "not stored" in text_of(fresh) and "cannot be continued" in text_of(fresh)
    store.reason = None
    session = store.get(sid)
    assert session is not None and len(session.turns) == 1


class _ReadOnlySqlite(SqliteSessionStore):
    read_only = False

    def _connect(self) -> sqlite3.Connection:
        conn = super()._connect()
        if self.read_only:
            conn.execute("PRAGMA query_only = ON")
        return conn


@pytest.mark.anyio
async def test_a_read_only_database_while_serving(analyzer: Analyzer, tmp_path: Path) -> None:
    store = _ReadOnlySqlite(tmp_path / "sessions.sqlite3")
    async with Client(build_server(analyzer, store)) as client:
        sid = structured(await call(client, description=DESIGN))["session_id"]
        store.read_only = True
        refused = await call(client, description=FOLLOW_UP, session_id=sid)
        fresh = structured(await call(client, description=DESIGN))
        state = await client.read_resource(f"workflow-prover://sessions/{sid}")
    assert refused.is_error and "session store is read-only" in text_of(refused)
    assert fresh["session_id"] == ""
    assert json.loads(getattr(state.contents[0], "text", ""))["turn_count"] == 1


@pytest.mark.anyio
async def test_an_unreadable_store_is_a_resource_error_not_a_crash(analyzer: Analyzer) -> None:
    store = Breakable()
    async with Client(build_server(analyzer, store)) as client:
        sid = structured(await call(client, description=DESIGN))["session_id"]
        store.reason = "damaged"
        with pytest.raises(MCPError, match="session store is damaged"):
            await client.read_resource(f"workflow-prover://sessions/{sid}")


# --- fault 8: text no encoder takes ------------------------------------------------------------


@pytest.mark.anyio
async def test_a_lone_surrogate_in_a_call_is_a_one_line_error(analyzer: Analyzer) -> None:
    async with Client(build_server(analyzer, MemorySessionStore())) as client:
        refused = await call(client, description=f"{DESIGN} \ud800 then \udfff.")
        after = structured(await call(client, description=DESIGN))
    assert refused.is_error and "not valid Unicode text" in text_of(refused)
    assert "\n" not in text_of(refused) and after["turn"] == 1


def test_a_lone_surrogate_that_reaches_the_pool_is_replaced(analyzer: Analyzer) -> None:
    """Defence in depth, should a transport ever pass one through validation."""
    from workflow_prover.server.pool import review

    done = review(analyzer, Review((), f"{DESIGN} \ud800 then \udfff.", False))
    assert "\ufffd then \ufffd" in done.text
    json.dumps(done.report).encode("utf-8")  # no lone surrogate left anywhere


# --- fault 6: the SDK's own errors ------------------------------------------------------------

GITHUB_TOKEN = "ghp_" + "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio"
ECHO_REQUESTS = [
    # (what the client sends, with a key where a name or URI goes)
    ("a resource URI no template matches", "resource", f"workflow-prover://x/{GITHUB_TOKEN}"),
    ("a resource URI of another scheme", "resource", f"file:///{GITHUB_TOKEN}"),
    ("a session resource", "resource", f"workflow-prover://sessions/{GITHUB_TOKEN}"),
    ("a tool name", "tool", GITHUB_TOKEN),
    ("a prompt name", "prompt", GITHUB_TOKEN),
]


async def _request(client: Client, kind: str, value: str) -> str:
    """Everything the client gets back: the result, or the error with its data."""
    try:
        if kind == "resource":
            return repr(await client.read_resource(value))
        if kind == "tool":
            return repr(await client.call_tool(value, {"description": DESIGN}))
        return repr(await client.get_prompt(value, {"workflow": DESIGN}))
    except MCPError as err:
        return f"{err.message} {err.data!r}"


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # older protocols send exception text
@pytest.mark.parametrize(
    ("where", "kind", "value"), ECHO_REQUESTS, ids=[r[0] for r in ECHO_REQUESTS]
)
@pytest.mark.anyio
async def test_a_secret_sent_as_a_name_or_uri_is_not_echoed_by_the_sdks_errors(
    analyzer: Analyzer, where: str, kind: str, value: str, mode: str
) -> None:
    async with Client(build_server(analyzer, MemorySessionStore()), mode=mode) as client:
        answer = await _request(client, kind, value)
        still = structured(await call(client, description=DESIGN))
    assert answer and "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio" not in answer, (where, answer)
    assert still["verdict"]


# --- fault 9: a session id is a bearer capability ----------------------------------------------


@pytest.mark.anyio
async def test_whoever_holds_a_session_id_can_read_and_extend_the_session(
    analyzer: Analyzer,
) -> None:
    """Documented in SECURITY.md: the id is the only key (there is one token identity)."""
    server = build_server(analyzer, MemorySessionStore())
    async with Client(server) as owner, Client(server) as holder:
        sid = structured(await call(owner, description=DESIGN))["session_id"]
        listed = [str(r.uri) for r in (await holder.list_resources()).resources]
        state = await holder.read_resource(f"workflow-prover://sessions/{sid}")
        extended = structured(await call(holder, description=FOLLOW_UP, session_id=sid))
    assert not any(sid in uri for uri in listed)  # never listed: it must be known
    assert json.loads(getattr(state.contents[0], "text", ""))["turns"][0]["text"] == DESIGN
    assert extended["turn"] == 2
    assert len(sid) >= 24  # 18 random bytes: 144 bits, not guessable


# --- fault 7: access lines without query strings -----------------------------------------------

ACCESS_LINES = [
    # (the request target uvicorn logs, what the line keeps)
    ("/mcp?api_key=plain-value&session_id=abcdefgh123", "/mcp"),
    ("/mcp?", "/mcp"),
    ("http%3A//127.0.0.1%3A8000/mcp?session_id=abcdefgh123", "http%3A//127.0.0.1%3A8000/mcp"),
    ("mcp?api_key=plain-value", "mcp"),
    ("/mcp", "/mcp"),
    ("/", "/"),
]


@pytest.mark.parametrize(("target", "kept"), ACCESS_LINES)
def test_an_access_line_keeps_the_path_and_drops_the_query(target: str, kept: str) -> None:
    import logging

    from workflow_prover.server.logs import AccessLogFilter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", target, "1.1", 200),
        None,
    )
    assert AccessLogFilter().filter(record)
    assert record.getMessage() == f'127.0.0.1:5000 - "POST {kept} HTTP/1.1" 200'
