"""`make faults`: the session store when the server dies or its disk fails.

1. SIGKILL: 8 clients stream session turns; the server is SIGKILLed (three times, at a random
   moment once at least 20 turns of the round are acknowledged) and restarted on the same
   file. After each kill: `PRAGMA integrity_check` is ok, every acknowledged turn is there
   with its text and number, and no turn is half-written (each session's turns are 1..n,
   match its counts, and each report is the one of its turn).
   The analysis workers die with the server (no orphan keeps the file open).
2. A full disk: the database on a small tmpfs, filled up while serving. A call that continues
   a session gets the one-line "session store is full" error; a new review still answers,
   unstored (empty session_id). Once space is freed, the session continues.
3. A read-only store: the tmpfs remounted read-only while serving: the same, with
   "read-only"; remounted read-write, the session continues.

2 and 3 mount a tmpfs, so they need root (they are skipped, and say so, otherwise).

    python benchmarks/faults.py
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import harness

KILLS = 3
CLIENTS = 8
MIN_ACKED = 20  # turns acknowledged in a round before its kill may come (a loaded machine is slow)
STREAM_START = 180.0  # seconds the stream may take to reach MIN_ACKED


# --- 1. SIGKILL ------------------------------------------------------------------------------


async def stream(url: str, acked: dict[str, list[str]], stop: anyio.Event, n: int) -> None:
    """Send session turns until the server dies; record every acknowledged one."""
    try:
        async with harness.client(url, read_timeout=30) as client:
            while not stop.is_set():
                sid: str | None = None
                for turn, text in enumerate(harness.SESSION, start=1):
                    args: dict[str, Any] = {"description": f"{text} (client {n}, turn {turn})"}
                    if sid:
                        args["session_id"] = sid
                    result = await client.call_tool(harness.TOOL, args)
                    if result.is_error:
                        raise RuntimeError(harness.text_of(result))
                    sid = result.structured_content["session_id"]
                    acked.setdefault(sid, []).append(args["description"])
    except Exception:
        return  # the server went away mid-call: that turn was never acknowledged


async def kill_during_stream(server: harness.Server, acked: dict[str, list[str]]) -> int:
    stop = anyio.Event()
    before = sum(len(t) for t in acked.values())
    async with anyio.create_task_group() as tg:
        for n in range(CLIENTS):
            tg.start_soon(stream, server.url, acked, stop, n)
        # At a random moment once turns are flowing: a fixed delay could end before the first
        # turn on a busy machine, and kill nothing worth checking.
        with anyio.move_on_after(STREAM_START):
            while sum(len(t) for t in acked.values()) - before < MIN_ACKED:
                await anyio.sleep(0.05)
        await anyio.sleep(random.uniform(0, 4))
        workers = server.worker_pids()
        server.kill()
        stop.set()
    for _ in range(100):  # the kernel kills them with the server (PR_SET_PDEATHSIG)
        alive = [pid for pid in workers if _alive(pid)]
        if not alive:
            break
        await anyio.sleep(0.1)
    else:
        raise SystemExit(f"FAIL: analysis workers {alive} outlived the killed server by 10 s")
    return sum(len(t) for t in acked.values()) - before


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped by init) holds no file open.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def check_acknowledged(db: Path, acked: dict[str, list[str]]) -> list[str]:
    problems = [] if harness.integrity(db) == "ok" else ["PRAGMA integrity_check failed"]
    stored = harness.stored_sessions(db)
    for sid, texts in acked.items():
        got = [(n, t) for n, t, _ in stored.get(sid, [])]
        want = list(enumerate(texts, start=1))
        if got[: len(want)] != want:
            problems.append(f"session {sid[:6]}: acknowledged {len(want)} turns, stored {got[:3]}…")
    return problems + harness.whole_sessions(db)


def sigkill(tmp: Path) -> bool:
    server = harness.Server(
        tmp / "sessions.sqlite3", tmp / "server.log", ["--log-level", "warning"]
    )
    acked: dict[str, list[str]] = {}
    ok = True
    for round_ in range(1, KILLS + 1):
        server.start()
        turns = anyio.run(kill_during_stream, server, acked)
        problems = check_acknowledged(server.db, acked)
        total = sum(len(t) for t in acked.values())
        print(
            f"kill {round_}: SIGKILL after {turns} acknowledged turns ({total} in all, "
            f"{len(acked)} sessions); integrity_check {harness.integrity(server.db)}; "
            f"{'every acknowledged turn stored, none half-written' if not problems else 'FAIL'}"
        )
        if turns < MIN_ACKED:
            problems.append(f"only {turns} turns were acknowledged before the kill")
        for problem in problems[:10]:
            print(f"FAIL: {problem}")
        ok = ok and not problems
    server.start()  # and a review continues after the last restart
    sid, texts = next(iter(acked.items()))
    continued = anyio.run(_continue, server.url, sid)
    server.stop()
    print(f"after restart: session {sid[:6]}… continues at turn {continued} (had {len(texts)})")
    return ok and continued == len(harness.stored_sessions(server.db)[sid])


async def _continue(url: str, sid: str) -> int:
    async with harness.client(url) as client:
        args = {"description": "We also alert on-call.", "session_id": sid}
        result = await client.call_tool(harness.TOOL, args)
        if result.is_error:
            raise SystemExit(f"FAIL: {harness.text_of(result)}")
        return int(result.structured_content["turn"])


# --- 2, 3. a full disk and a read-only store --------------------------------------------------


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[bool]:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    try:
        yield mounted.returncode == 0
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", "-l", str(path)], check=False)


async def store_fault(url: str, break_it: Any, mend_it: Any, reason: str) -> list[str]:
    problems: list[str] = []
    async with harness.client(url) as client:
        first = await client.call_tool(harness.TOOL, {"description": harness.SESSION[0]})
        sid = first.structured_content["session_id"]
        break_it()
        refused = await client.call_tool(
            harness.TOOL, {"description": harness.SESSION[1], "session_id": sid}
        )
        fresh = await client.call_tool(harness.TOOL, {"description": harness.SINGLE[0]})
        mend_it()
        later = await client.call_tool(
            harness.TOOL, {"description": harness.SESSION[1], "session_id": sid}
        )
    told = harness.text_of(refused)
    print(f"  session call: {told}")
    print(
        f"  new review:   session_id {fresh.structured_content['session_id']!r}; "
        f"{harness.text_of(fresh).splitlines()[-1]}"
    )
    print(f"  after repair: the session continues at turn {later.structured_content['turn']}")
    if not (refused.is_error and f"session store is {reason}" in told and "\n" not in told):
        problems.append(f"the session call did not get the {reason} error")
    if fresh.is_error or fresh.structured_content["session_id"] != "":
        problems.append("a new review did not answer unstored")
    if later.is_error or later.structured_content["turn"] != 2:
        problems.append("the session did not continue once the store was repaired")
    return problems


def full_disk(tmp: Path) -> bool | None:
    with tmpfs(tmp / "small-disk", "8m") as mounted:
        if not mounted:
            return None
        disk = tmp / "small-disk"
        server = harness.Server(
            disk / "sessions.sqlite3", tmp / "full.log", ["--log-level", "warning"]
        )
        server.start()
        filler = disk / "filler"

        def fill() -> None:
            with filler.open("wb") as out, contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()

        try:
            problems = anyio.run(store_fault, server.url, fill, filler.unlink, "full")
        finally:
            server.stop()
    for problem in problems:
        print(f"FAIL: {problem}")
    return not problems


def read_only(tmp: Path) -> bool | None:
    with tmpfs(tmp / "ro-disk", "64m") as mounted:
        if not mounted:
            return None
        disk = tmp / "ro-disk"
        server = harness.Server(
            disk / "sessions.sqlite3", tmp / "ro.log", ["--log-level", "warning"]
        )
        server.start()

        def remount(mode: str) -> None:
            subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)

        try:
            problems = anyio.run(
                store_fault, server.url, lambda: remount("ro"), lambda: remount("rw"), "read-only"
            )
        finally:
            server.stop()
    for problem in problems:
        print(f"FAIL: {problem}")
    return not problems


def main() -> int:
    random.seed(7)
    results: dict[str, bool | None] = {}
    with tempfile.TemporaryDirectory(prefix="prover-faults-") as name:
        tmp = Path(name)
        print("1. SIGKILL during a stream of session turns")
        results["sigkill"] = sigkill(tmp)
        print("2. the disk fills up while serving")
        results["full disk"] = full_disk(tmp)
        print("3. the store becomes read-only while serving")
        results["read-only"] = read_only(tmp)
    for name_, ok in results.items():
        shown = "SKIPPED (needs root to mount a tmpfs)" if ok is None else "FAILED"
        print(f"{name_}: {'passed' if ok else shown}")
    return 0 if all(ok is not False for ok in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
