"""The MCP server as clients meet it: a real `serve` subprocess over stdio and streamable HTTP.

Each spawn loads the analyzer (a few seconds), so there are four: stdio twice (a restart in the
middle of a review), stdio once more for the assisted reading over the back-channel, and HTTP
once. Plus unit tests of the `serve` command's option handling.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, CreateMessageRequestParams, CreateMessageResult, TextContent

from workflow_prover.server.main import (
    add_serve_arguments,
    default_db_path,
    parse_ttl,
    serve,
    transport_security,
)

# How the tests start the server: the installed console script, as a user would.
SERVE_COMMAND = [str(Path(sys.executable).with_name("workflow-prover")), "serve"]

TOOL = "validate_workflow_orchestration"
SEED = [
    "I need a script that takes all new Stripe payments and inserts them into our CRM table "
    "via API.",
    "I defined a try/catch. If it fails, I just call the function that syncs the customer to the "
    "CRM again.",
    "The workflow uses webhooks. Errors go to a DLQ. We use Redis for idempotency keys to discard "
    "duplicate processing. We rate limit to 5 req/s on the CRM, and the OAuth token is in a Vault.",
]
STRIPE_KEY = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdef0123456789"
LEAKY = f"Stripe -> CRM. The Stripe key is {STRIPE_KEY}."
TOKEN = "test-token-0123456789abcdef"
HTTP_BUDGET = 5  # seconds per call for the HTTP server under test
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"},
    },
}


def server_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFLOW_PROVER_")}
    env.update(XDG_STATE_HOME=str(tmp / "xdg-state"), PYTHONUNBUFFERED="1", **extra)
    return env


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    data: dict[str, Any] = result.structured_content
    return data


def on_disk(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


# --- stdio ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_stdio_review_survives_a_server_restart(tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    log = tmp_path / "stderr.log"
    params = StdioServerParameters(
        command=SERVE_COMMAND[0],
        args=[*SERVE_COMMAND[1:], "--db", str(db), "--log-level", "debug"],
        env=server_env(tmp_path),
    )
    with log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = (await client.list_tools()).tools
            assert [t.name for t in tools] == [TOOL]
            assert tools[0].input_schema["required"] == ["description"]
            assert tools[0].output_schema is not None
            first = structured(await client.call_tool(TOOL, {"description": SEED[0]}))
            sid = first["session_id"]
            second = structured(
                await client.call_tool(TOOL, {"description": SEED[1], "session_id": sid})
            )
            bad = await client.call_tool(TOOL, {"description": ""})
            assert bad.is_error and isinstance(bad.content[0], TextContent)
            assert "'description' is empty" in bad.content[0].text
            leak = structured(await client.call_tool(TOOL, {"description": LEAKY}))
            # A secret pasted as the session id or into a resource URI is never echoed.
            echo = await client.call_tool(TOOL, {"description": SEED[0], "session_id": STRIPE_KEY})
            assert echo.is_error and isinstance(echo.content[0], TextContent)
            assert "[REDACTED:stripe_key]" in echo.content[0].text
            with pytest.raises(MCPError):
                await client.read_resource(f"workflow-prover://sessions/{STRIPE_KEY}")
        # The server is gone with its stdin; a new one continues the same review from the file.
        async with Client(stdio_client(params, errlog=errlog)) as client:
            third = structured(
                await client.call_tool(TOOL, {"description": SEED[2], "session_id": sid})
            )
            state = await client.read_resource(f"workflow-prover://sessions/{sid}")
    assert [first["verdict"], second["verdict"], third["verdict"]] == [
        "HAPPY_PATH_BIAS",
        "NON_IDEMPOTENT",
        "WORKFLOW_PROVEN",
    ]
    assert third["turn"] == 3 and third["session_id"] == sid
    assert json.loads(getattr(state.contents[0], "text", ""))["turn_count"] == 3
    assert leak["verdict"] == "INSECURE_CREDENTIALS"
    assert STRIPE_KEY not in json.dumps(leak)
    logs = log.read_text()
    assert "serving MCP over stdio" in logs
    assert "[REDACTED:stripe_key]" in logs  # the debug log shows the redacted text ...
    assert STRIPE_KEY not in logs  # ... and never the secret
    assert STRIPE_KEY.encode() not in on_disk(db) and b"[REDACTED:stripe_key]" in on_disk(db)


MISSED = (
    "We pull new orders from Shopify every hour. Each order ends up in NetSuite as a sales "
    "order. Errors go to a DLQ."
)
NETSUITE = {"quote": "Each order ends up in NetSuite", "action": "write", "service": "NetSuite"}


class Model:
    """A client's model for the assisted reading: it proposes the step the rules miss."""

    def __init__(self) -> None:
        self.requests: list[CreateMessageRequestParams] = []

    async def __call__(self, context: Any, params: CreateMessageRequestParams) -> Any:
        self.requests.append(params)
        text = json.dumps({"steps": [NETSUITE], "claims": []})
        content = TextContent(type="text", text=text)
        return CreateMessageResult(role="assistant", content=content, model="transport-model")


def assisted_step(report: dict[str, Any]) -> dict[str, Any]:
    assert report["assist"]["used"] is True, report["assist"]
    return next(s for s in report["steps"] if s["services"] == ["NetSuite"])


@pytest.mark.anyio
async def test_stdio_assisted_reading_over_the_back_channel_in_a_worker_process(
    tmp_path: Path,
) -> None:
    params = StdioServerParameters(
        command=SERVE_COMMAND[0],
        args=[*SERVE_COMMAND[1:], "--db", str(tmp_path / "s.sqlite3"), "--workers", "1"],
        env=server_env(tmp_path),
    )
    model = Model()
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(
            stdio_client(params, errlog=errlog), sampling_callback=model, mode="legacy"
        ) as client:
            report = structured(await client.call_tool(TOOL, {"description": MISSED}))
    assert assisted_step(report)["text"] == NETSUITE["quote"]
    assert report["verdict"] == "NON_IDEMPOTENT" and len(model.requests) == 1


# --- streamable HTTP -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("http")
    port = free_port()
    db = tmp / "sessions.sqlite3"
    log = (tmp / "stderr.log").open("w")
    out = (tmp / "stdout.log").open("w")
    process = subprocess.Popen(
        [
            *SERVE_COMMAND,
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db),
            "--analysis-timeout",
            f"{HTTP_BUDGET}s",
        ],
        env=server_env(tmp, WORKFLOW_PROVER_TOKEN=TOKEN),  # the token from the environment
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(tmp / 'stderr.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield {
            "url": f"http://127.0.0.1:{port}/mcp",
            "port": port,
            "db": db,
            "log": tmp / "stderr.log",
            "stdout": tmp / "stdout.log",
            "process": process,
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        out.close()


def post(url: str, headers: dict[str, str]) -> httpx2.Response:
    base = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    with httpx2.Client(timeout=10) as client:
        return client.post(url, headers={**base, **headers}, content=json.dumps(INITIALIZE))


def test_http_requires_the_token_and_checks_host_and_origin(http_server: dict[str, Any]) -> None:
    url = http_server["url"]
    good = {"authorization": f"Bearer {TOKEN}"}
    assert post(url, {}).status_code == 401
    assert post(url, {"authorization": "Bearer wrong"}).status_code == 401
    assert post(url, {"authorization": TOKEN}).status_code == 401  # not a bearer header
    # DNS-rebinding protection: a foreign Host is refused (421), a foreign Origin too (403).
    assert post(url, {**good, "host": "attacker.example"}).status_code == 421
    assert post(url, {**good, "host": f"attacker.example:{http_server['port']}"}).status_code == 421
    assert post(url, {**good, "origin": "http://attacker.example"}).status_code == 403
    assert (
        post(url, {**good, "origin": f"http://localhost:{http_server['port']}"}).status_code == 200
    )
    assert post(url, {**good, "host": f"localhost:{http_server['port']}"}).status_code == 200
    assert post(url, good).status_code == 200


@pytest.mark.anyio
async def test_http_runs_the_seed_conversation_with_the_sdk_client(
    http_server: dict[str, Any],
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    timeout = httpx2.Timeout(30, read=300)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(http_server["url"], http_client=http)) as client,
    ):
        tools = (await client.list_tools()).tools
        assert [t.name for t in tools] == [TOOL]
        assert tools[0].annotations is not None
        assert tools[0].annotations.read_only_hint is True  # the session is the Prover's own state
        sid = None
        verdicts = []
        for text in SEED:
            args: dict[str, Any] = {"description": text}
            if sid:
                args["session_id"] = sid
            data = structured(await client.call_tool(TOOL, args))
            sid = data["session_id"]
            verdicts.append(data["verdict"])
        unknown = await client.call_tool(
            TOOL, {"description": "Stripe -> CRM", "session_id": "not-a-real-session"}
        )
        leak = structured(await client.call_tool(TOOL, {"description": LEAKY}))
        rubric = await client.read_resource("workflow-prover://rubric")
    assert verdicts == ["HAPPY_PATH_BIAS", "NON_IDEMPOTENT", "WORKFLOW_PROVEN"]
    assert unknown.is_error
    assert leak["verdict"] == "INSECURE_CREDENTIALS"
    assert "WORKFLOW_PROVEN" in getattr(rubric.contents[0], "text", "")
    assert STRIPE_KEY.encode() not in on_disk(http_server["db"])
    logs = http_server["log"].read_text()
    assert "bearer token required" in logs and TOKEN not in logs and STRIPE_KEY not in logs
    assert http_server["process"].poll() is None  # still serving
    assert http_server["stdout"].read_text() == ""  # logs go to stderr only


@pytest.mark.anyio
async def test_http_assisted_reading_round_trips_through_the_client(
    http_server: dict[str, Any],
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    model = Model()
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as http,
        Client(
            streamable_http_client(http_server["url"], http_client=http), sampling_callback=model
        ) as client,
    ):
        report = structured(await client.call_tool(TOOL, {"description": MISSED}))
    assert assisted_step(report)["text"] == NETSUITE["quote"]
    assert len(model.requests) == 1 and report["assist"]["model"] == "transport-model"


def test_http_access_log_has_no_query_strings(http_server: dict[str, Any]) -> None:
    """Clients put tokens and ids in query strings; the access log keeps the path only."""
    query = "?api_key=plain-value-41f3&session_id=abcdefgh12345678"
    good = {"authorization": f"Bearer {TOKEN}"}
    assert post(http_server["url"] + query, good).status_code == 200
    assert post(http_server["url"] + query, {}).status_code == 401
    deadline = time.monotonic() + 10
    while '"POST /mcp HTTP/1.1" 401' not in http_server["log"].read_text():
        assert time.monotonic() < deadline, "no access line for the refused request"
        time.sleep(0.1)
    for target in (f"http://127.0.0.1:{http_server['port']}/mcp{query}", f"mcp{query}"):
        raw_request(http_server["port"], f"GET {target} HTTP/1.1")  # no slash first: still cut
    deadline = time.monotonic() + 10
    while '"GET mcp' not in http_server["log"].read_text():
        assert time.monotonic() < deadline, "no access line for the raw requests"
        time.sleep(0.1)
    logs = http_server["log"].read_text()
    access = [line for line in logs.splitlines() if "uvicorn.access" in line]
    assert any('"POST /mcp HTTP/1.1" 200' in line for line in access)
    assert not any("?" in line for line in access)
    assert "plain-value-41f3" not in logs and "abcdefgh12345678" not in logs


def raw_request(port: int, line: str) -> None:
    """One request as a client could write it, whatever its target's form."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{line}\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        sock.recv(1024)


@pytest.mark.anyio
async def test_http_a_hostile_input_never_stalls_another_client(
    http_server: dict[str, Any],
) -> None:
    """'[' * 10000 + ']' * 10000 held spaCy's tokenizer for minutes (hardening fault 3). In a
    worker process, it ends at the time budget with one line (or, once the tokenizer bounds its
    work, in a report) while another client's review is answered meanwhile."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    timeout = httpx2.Timeout(30, read=120)
    hostile: list[CallToolResult] = []
    order: list[str] = []
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http_a,
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http_b,
        Client(streamable_http_client(http_server["url"], http_client=http_a)) as attacker,
        Client(streamable_http_client(http_server["url"], http_client=http_b)) as user,
    ):

        async def attack() -> None:
            result = await attacker.call_tool(TOOL, {"description": "[" * 10000 + "]" * 10000})
            hostile.append(result)
            order.append("hostile")

        async with anyio.create_task_group() as tg:
            tg.start_soon(attack)
            await anyio.sleep(0.5)
            sid = None
            for text in SEED:
                args: dict[str, Any] = {"description": text}
                if sid:
                    args["session_id"] = sid
                sid = structured(await user.call_tool(TOOL, args))["session_id"]
            order.append("user")
    assert len(hostile) == 1
    if hostile[0].is_error:
        assert order == ["user", "hostile"]
        message = getattr(hostile[0].content[0], "text", "")
        assert f"longer than the server's limit of {HTTP_BUDGET} s" in message
        assert "\n" not in message
    else:
        assert hostile[0].structured_content is not None
    assert http_server["process"].poll() is None


# --- the command's options -----------------------------------------------------------------


def test_ttl_durations() -> None:
    assert parse_ttl("3600") == 3600
    assert parse_ttl("90m") == 5400
    assert parse_ttl("24h") == 86400
    assert parse_ttl("7d") == 7 * 86400
    assert parse_ttl("0") is None
    with pytest.raises(Exception, match="invalid duration"):
        parse_ttl("a week")


def test_default_database_is_under_the_state_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "workflow-prover" / "sessions.sqlite3"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert default_db_path() == (
        Path.home() / ".local" / "state" / "workflow-prover" / "sessions.sqlite3"
    )


def test_dns_rebinding_protection_is_always_on() -> None:
    local = transport_security("127.0.0.1", [])
    assert local.enable_dns_rebinding_protection
    assert "127.0.0.1:*" in local.allowed_hosts and "localhost:*" in local.allowed_hosts
    assert "http://localhost:*" in local.allowed_origins
    assert not any("0.0.0.0" in h for h in transport_security("0.0.0.0", []).allowed_hosts)
    proxied = transport_security("0.0.0.0", ["prover.internal", "gw.example:443"])
    assert proxied.enable_dns_rebinding_protection
    assert {"prover.internal", "prover.internal:*", "gw.example:443"} <= set(proxied.allowed_hosts)
    assert "https://gw.example:443" in proxied.allowed_origins


def test_serve_help_and_usage_errors_return_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve(["--help"]) == 0
    assert "--transport" in capsys.readouterr().out
    assert serve(["--transport", "carrier-pigeon"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert serve(["--session-ttl", "soon"]) == 2
    assert "invalid duration" in capsys.readouterr().err


def test_the_options_plug_into_another_parser() -> None:
    """How the CLI registers `workflow-prover serve` (handler: workflow_prover.server.main.run)."""
    cli = argparse.ArgumentParser(prog="workflow-prover")
    sub = cli.add_subparsers(dest="command")
    add_serve_arguments(sub.add_parser("serve"))
    args = cli.parse_args(
        [
            "serve",
            "--transport",
            "http",
            "--port",
            "9000",
            "--db=/tmp/x.db",
            "--allowed-host",
            "proxy.internal",
            "--log-level",
            "debug",
        ]
    )
    assert (args.transport, args.port, args.db, args.allowed_host, args.log_level) == (
        "http",
        9000,
        "/tmp/x.db",
        ["proxy.internal"],
        "DEBUG",
    )
    assert cli.parse_args(["serve"]).transport == "stdio"
