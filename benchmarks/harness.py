"""What `load.py` and `faults.py` share: a real `serve` process on loopback, SDK clients for it,
the designs they send, and a check of the session database against what was acknowledged.

Nothing here runs at import; the scripts call it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOOL = "validate_workflow_orchestration"
TOKEN = "load-test-token-5f0c1e2d"

SINGLE = [
    "Stripe webhooks trigger the flow; we insert each payment into the CRM via its API.",
    "Every night we pull orders from Shopify and upsert them into Postgres. Failed rows go to a "
    "failed-records table that we replay; we retry with exponential backoff and jitter, upserts "
    "are keyed on the order ID, and the API key is in AWS Secrets Manager.",
    "1. Receive the Typeform webhook\n2. Create the HubSpot contact\n3. Send a welcome email "
    "with SendGrid\nNo retries, no DLQ.",
    "Salesforce -> NetSuite -> Slack",
]
SESSION = [
    "I need a script that takes all new Stripe payments and inserts them into our CRM table "
    "via API.",
    "I defined a try/catch. If it fails, I just call the function that syncs the customer to "
    "the CRM again.",
    "The workflow uses webhooks. Errors go to a DLQ. We use Redis for idempotency keys to "
    "discard duplicate processing. We rate limit to 5 req/s on the CRM, and the OAuth token is "
    "in a Vault.",
    "We also post a summary to Slack after each insert; Slack calls retry with backoff too.",
    "The DLQ has an alert in PagerDuty and a weekly redrive job.",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A `workflow-prover serve --transport http` process."""

    db: Path
    log: Path
    args: Sequence[str] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def start(self, timeout: float = 120.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFLOW_PROVER_")}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
        )
        env["WORKFLOW_PROVER_TOKEN"] = TOKEN
        command = [sys.executable, "-m", "workflow_prover.server", "--transport", "http"]
        command += ["--port", str(self.port), "--db", str(self.db), *self.args]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        self._wait_until_serving(timeout)

    def _wait_until_serving(self, timeout: float) -> None:
        """Until the port takes connections (uvicorn binds it once the analyzers are loaded)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start in {timeout:.0f}s") from None
                time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The analysis worker processes (children of the server)."""
        if self.process is None:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid), "-f", "spawn_main"],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(p) for p in out.stdout.split()]

    def kill(self) -> None:
        """SIGKILL, as an OOM killer or a power cut would: no shutdown code runs."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])


@asynccontextmanager
async def client(url: str, read_timeout: float = 120.0) -> AsyncIterator[Any]:
    """An SDK client over streamable HTTP with the bearer token."""
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {TOKEN}"}
    timeout = httpx2.Timeout(30, read=read_timeout)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(url, http_client=http)) as mcp_client,
    ):
        yield mcp_client


def text_of(result: Any) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


# --- the database, checked ---------------------------------------------------------------------


def integrity(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def stored_sessions(db: Path) -> dict[str, list[tuple[int, str, dict[str, Any]]]]:
    """Every session's turns, in order: (number, text, report)."""
    out: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for sid, number, text, report in conn.execute(
            "SELECT session_id, turn, text, report FROM turns ORDER BY session_id, turn"
        ):
            out.setdefault(sid, []).append((number, text, json.loads(report)))
    return out


def whole_sessions(db: Path) -> list[str]:
    """Problems with the sessions table against the turns: a half-written turn shows here."""
    problems: list[str] = []
    turns = stored_sessions(db)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT id, turn_count, text_chars FROM sessions").fetchall()
    for sid, count, chars in rows:
        got = turns.get(sid, [])
        if [n for n, _, _ in got] != list(range(1, count + 1)):
            problems.append(f"{sid[:6]}: turns {[n for n, _, _ in got]} but turn_count {count}")
        if sum(len(t) for _, t, _ in got) != chars:
            problems.append(f"{sid[:6]}: text_chars {chars} does not match its turns")
        problems += [
            f"{sid[:6]}: turn {n} report says turns={r.get('turns')}"
            for n, _, r in got
            if r.get("turns") != n
        ]
    orphans = set(turns) - {r[0] for r in rows}
    problems += [f"{sid[:6]}: turns without a session row" for sid in orphans]
    return problems


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
