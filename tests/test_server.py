"""The MCP server, driven in memory through the SDK's own client (`mcp.Client(server)`).

The transports (stdio and streamable HTTP, real subprocesses) are in test_server_transports.py.
Fake secrets are written in two pieces so this file does not itself look like a leak.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent

from workflow_prover.analyzer import Analyzer
from workflow_prover.codes import CODES
from workflow_prover.models import CheckId, Verdict
from workflow_prover.schemas import SCHEMA_URI, prover_json_schema
from workflow_prover.server.app import (
    RUBRIC_URI,
    TOOL_NAME,
    ServerSettings,
    build_server,
)
from workflow_prover.server.logs import RedactingFilter
from workflow_prover.server.review import SESSION_FIELDS
from workflow_prover.server.store import MemorySessionStore, SessionStore, SqliteSessionStore

# The rubric's seed conversation (section 6), verbatim.
SEED = [
    "I need a script that takes all new Stripe payments and inserts them into our CRM table "
    "via API.",
    "I defined a try/catch. If it fails, I just call the function that syncs the customer to the "
    "CRM again.",
    "The workflow uses webhooks. Errors go to a DLQ. We use Redis for idempotency keys to discard "
    "duplicate processing. We rate limit to 5 req/s on the CRM, and the OAuth token is in a Vault.",
]
SEED_VERDICTS = ["HAPPY_PATH_BIAS", "NON_IDEMPOTENT", "WORKFLOW_PROVEN"]

STRIPE_KEY = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdef0123456789"
PASSWORD = "hunter2"
LEAKY = (
    f"Stripe webhooks trigger the flow, we insert the payment into the CRM. "
    f"The Stripe key is {STRIPE_KEY} and the CRM password is {PASSWORD}."
)


# `analyzer` (one per test session) and `anyio_backend` come from conftest.py.


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "sessions.sqlite3"


@pytest.fixture
def store(db_path: Path) -> SessionStore:
    return SqliteSessionStore(db_path)


@pytest.fixture
def server(analyzer: Analyzer, store: SessionStore) -> Any:
    return build_server(analyzer, store)


async def call(client: Client, **arguments: Any) -> CallToolResult:
    return await client.call_tool(TOOL_NAME, arguments)


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent)
    return result.content[0].text


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    data: dict[str, Any] = result.structured_content
    return data


def file_bytes(path: Path) -> bytes:
    """The database with its WAL and shared-memory files, as they are on disk."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


# --- discovery ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_tool_is_listed_with_plain_schemas_and_truthful_annotations(server: Any) -> None:
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    assert [t.name for t in tools] == [TOOL_NAME]
    tool = tools[0]
    assert tool.title == "Validate workflow orchestration"
    assert tool.description and "session_id" in tool.description
    assert "WORKFLOW_PROVEN" in tool.description

    schema = tool.input_schema
    assert schema["type"] == "object"
    assert schema["required"] == ["description"]
    props = schema["properties"]
    assert set(props) == {"description", "session_id", "strict", "assist", "accept"}
    assert props["accept"]["type"] == "array"  # no anyOf/null: a plain optional list
    assert props["accept"]["items"]["required"] == ["code", "reason"]
    assert props["description"]["type"] == "string"
    assert props["description"]["minLength"] == 1
    assert props["description"]["maxLength"] == 20_000
    assert props["session_id"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert props["strict"] == {
        "default": False,
        "description": props["strict"]["description"],
        "title": "Strict",
        "type": "boolean",
    }
    assert props["assist"]["enum"] == ["auto", "always", "never"]
    assert props["assist"]["default"] == "auto"
    assert all(p.get("description") for p in props.values())

    out = tool.output_schema
    assert out is not None and out["type"] == "object"
    for field in (
        "session_id",
        "turn",
        "verdict",
        "message",
        "findings",
        "checks",
        "steps",
        "services",
        "claims",
        "questions",
    ):
        assert field in out["properties"], field
        assert field in out["required"], field

    notes = tool.annotations
    assert notes is not None
    assert (
        notes.read_only_hint,
        notes.destructive_hint,
        notes.idempotent_hint,
        notes.open_world_hint,
    ) == (True, False, False, False)


@pytest.mark.anyio
async def test_prompt_and_resources_are_listed(server: Any) -> None:
    async with Client(server) as client:
        prompts = (await client.list_prompts()).prompts
        resources = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        prompt = await client.get_prompt("design_review", {"workflow": "Stripe -> CRM"})
    assert [p.name for p in prompts] == ["design_review"]
    assert prompts[0].arguments and prompts[0].arguments[0].name == "workflow"
    assert prompts[0].arguments[0].required
    message = prompt.messages[0]
    assert message.role == "user" and isinstance(message.content, TextContent)
    assert TOOL_NAME in message.content.text and "session_id" in message.content.text
    assert "Stripe -> CRM" in message.content.text
    # Sessions are not listed (their ids are capabilities); they are reachable by template.
    assert [str(r.uri) for r in resources] == [RUBRIC_URI, SCHEMA_URI]
    assert [t.uri_template for t in templates] == ["workflow-prover://sessions/{session_id}"]


@pytest.mark.anyio
async def test_the_schema_resource_is_the_json_schema_the_cli_prints(server: Any) -> None:
    async with Client(server) as client:
        result = await client.read_resource(SCHEMA_URI)
    content = result.contents[0]
    assert content.mime_type == "application/schema+json"
    schema = json.loads(getattr(content, "text", ""))
    assert schema == prover_json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")


@pytest.mark.anyio
async def test_the_rubric_resource_names_every_check_code_and_verdict(server: Any) -> None:
    async with Client(server) as client:
        result = await client.read_resource(RUBRIC_URI)
    content = result.contents[0]
    assert content.mime_type == "text/markdown"
    text = getattr(content, "text", "")
    for name in [*CODES, *(c.value for c in CheckId), *(v.value for v in Verdict)]:
        assert name in text, name
    # The verdict order is the rubric's.
    order = [
        text.index(f"`{v.value}`", text.index("## 3."))
        for v in (
            Verdict.UNDERSPECIFIED,
            Verdict.NOT_APPLICABLE,
            Verdict.HAPPY_PATH_BIAS,
            Verdict.NON_IDEMPOTENT,
            Verdict.MISSING_DLQ,
            Verdict.NO_BACKOFF,
            Verdict.WORKFLOW_PROVEN,
        )
    ]
    assert order == sorted(order)


# --- the tool ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_call_returns_the_report_as_structured_content_and_the_message_as_text(
    server: Any, analyzer: Analyzer
) -> None:
    async with Client(server) as client:
        tool = (await client.list_tools()).tools[0]
        result = await call(client, description=SEED[0])
    data = structured(result)
    jsonschema.validate(data, tool.output_schema or {})
    expected = analyzer.analyze(SEED[0]).model_dump(mode="json")
    assert {k: v for k, v in data.items() if k not in SESSION_FIELDS} == expected
    assert data["turn"] == 1 and len(data["session_id"]) >= 20
    text = text_of(result)
    assert text.startswith(expected["message"])
    assert f"session_id: {data['session_id']} (turn 1)" in text


@pytest.mark.anyio
async def test_the_seed_conversation_in_one_session(server: Any) -> None:
    verdicts, turns = [], []
    async with Client(server) as client:
        session_id = None
        for text in SEED:
            args: dict[str, Any] = {"description": text}
            if session_id:
                args["session_id"] = session_id
            data = structured(await client.call_tool(TOOL_NAME, args))
            session_id = data["session_id"]
            verdicts.append(data["verdict"])
            turns.append((data["turn"], data["turns"]))
            if data["turn"] == 3:
                final = data
        alone = structured(await call(client, description=SEED[2]))
    assert verdicts == SEED_VERDICTS
    assert turns == [(1, 1), (2, 2), (3, 3)]
    # Steps from turn 1 stay: the CRM write is still there in turn 3.
    assert any("CRM" in step["services"] for step in final["steps"])
    assert alone["verdict"] == "WORKFLOW_PROVEN"
    assert alone["turn"] == 1 and alone["session_id"] != session_id


@pytest.mark.anyio
async def test_sessions_are_independent_and_strict_applies_per_call(server: Any) -> None:
    async with Client(server) as client:
        first = structured(await call(client, description=SEED[0]))
        other = structured(await call(client, description=SEED[2]))
        continued = structured(
            await call(client, description=SEED[1], session_id=first["session_id"])
        )
        strict = structured(
            await call(
                client, description="We log errors.", session_id=other["session_id"], strict=True
            )
        )
    assert first["session_id"] != other["session_id"]
    assert continued["verdict"] == "NON_IDEMPOTENT" and continued["turn"] == 2
    # Turn 3's design had warnings only; strict makes them blockers.
    assert strict["strict"] is True and strict["verdict"] != "WORKFLOW_PROVEN"
    assert any(f["severity"] == "blocker" for f in strict["findings"])


@pytest.mark.anyio
async def test_the_session_resource_shows_the_current_state(server: Any) -> None:
    async with Client(server) as client:
        first = structured(await call(client, description=SEED[0]))
        sid = first["session_id"]
        uri = f"workflow-prover://sessions/{sid}"
        before = json.loads(getattr((await client.read_resource(uri)).contents[0], "text", ""))
        await call(client, description=SEED[1], session_id=sid)
        result = await client.read_resource(uri)
        with pytest.raises(MCPError, match="Unknown or expired session"):
            await client.read_resource("workflow-prover://sessions/no-such-session")
    assert result.contents[0].mime_type == "application/json"
    state = json.loads(getattr(result.contents[0], "text", ""))
    assert before["turn_count"] == 1 and before["verdict"] == "HAPPY_PATH_BIAS"
    assert state["session_id"] == sid and state["turn_count"] == 2
    assert state["verdict"] == "NON_IDEMPOTENT"
    assert [(t["turn"], t["text"], t["verdict"]) for t in state["turns"]] == [
        (1, SEED[0], "HAPPY_PATH_BIAS"),
        (2, SEED[1], "NON_IDEMPOTENT"),
    ]
    assert {s["name"] for s in state["services"]} >= {"Stripe", "CRM"}
    assert state["steps"] and state["claims"] and state["findings"]
    for stamp in ("created_at", "updated_at", "expires_at"):
        assert state[stamp].endswith("Z")


@pytest.mark.anyio
async def test_a_new_server_on_the_same_database_continues_the_session(
    analyzer: Analyzer, db_path: Path
) -> None:
    async with Client(build_server(analyzer, SqliteSessionStore(db_path))) as client:
        sid = structured(await call(client, description=SEED[0]))["session_id"]
        structured(await call(client, description=SEED[1], session_id=sid))
    async with Client(build_server(analyzer, SqliteSessionStore(db_path))) as client:
        data = structured(await call(client, description=SEED[2], session_id=sid))
    assert (data["verdict"], data["turn"]) == ("WORKFLOW_PROVEN", 3)


@pytest.mark.anyio
async def test_concurrent_calls_on_one_session_all_land(server: Any, store: SessionStore) -> None:
    async with Client(server) as client:
        sid = structured(await call(client, description=SEED[0]))["session_id"]
        results: list[dict[str, Any]] = []

        async def add(text: str) -> None:
            results.append(structured(await call(client, description=text, session_id=sid)))

        async with anyio.create_task_group() as tg:
            for n in range(6):
                tg.start_soon(add, f"Step {n}: we send a Slack message about the payment.")
    assert sorted(r["turn"] for r in results) == [2, 3, 4, 5, 6, 7]
    session = store.get(sid)
    assert session is not None and [t.number for t in session.turns] == list(range(1, 8))


# --- bad input ------------------------------------------------------------------------------

BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"description": ""}, "'description' is empty"),
    ({"description": " \n\t "}, "'description' is blank"),
    ({"description": "x" * 20_001}, "20,001 characters, over the limit of 20,000"),
    ({"description": 42}, "'description' must be a string, not a number"),
    (
        {"description": {"steps": ["Stripe -> CRM"]}},
        "'description' must be a string, not an object",
    ),
    ({}, "missing required argument 'description'"),
    ({"workflow": "Stripe -> CRM"}, "missing required argument 'description'"),
    ({"description": "Stripe -> CRM", "strict": "very"}, "'strict' must be true or false"),
    ({"description": "Stripe -> CRM", "session_id": 7}, "'session_id' must be a string"),
    (
        {"description": "Stripe -> CRM", "session_id": "no-such-session"},
        "Unknown or expired session_id 'no-such-session'",
    ),
    (
        {"description": "Stripe -> CRM", "session_id": "../../etc/passwd"},
        "Unknown or expired session_id",
    ),
]


@pytest.mark.anyio
async def test_bad_input_is_a_one_line_tool_error_and_the_server_keeps_serving(server: Any) -> None:
    async with Client(server) as client:
        for arguments, reason in BAD_INPUTS:
            result = await client.call_tool(TOOL_NAME, arguments)
            assert result.is_error, arguments
            message = text_of(result)
            assert reason in message, (arguments, message)
            assert "\n" not in message, message
            assert "input_value" not in message and "pydantic" not in message
            assert result.structured_content is None
        # Still serving, and no session was created by the failures.
        data = structured(await call(client, description=SEED[0]))
    assert data["turn"] == 1


@pytest.mark.anyio
async def test_an_empty_session_id_starts_a_new_review(server: Any) -> None:
    async with Client(server) as client:
        data = structured(await call(client, description=SEED[0], session_id=""))
    assert data["turn"] == 1


@pytest.mark.anyio
async def test_the_limits_are_configurable_and_explained(analyzer: Analyzer) -> None:
    settings = ServerSettings(max_description_chars=200, max_turns=2, max_session_chars=300)
    server = build_server(analyzer, MemorySessionStore(), settings)
    async with Client(server) as client:
        schema = (await client.list_tools()).tools[0].input_schema
        too_long = await call(client, description="y" * 201)
        sid = structured(await call(client, description=SEED[0]))["session_id"]
        structured(await call(client, description=SEED[1], session_id=sid))
        third = await call(client, description=SEED[2], session_id=sid)
        other = structured(await call(client, description="z " * 100))["session_id"]
        oversize = await call(client, description="z " * 60, session_id=other)
    assert schema["properties"]["description"]["maxLength"] == 200
    assert too_long.is_error and "over the limit of 200" in text_of(too_long)
    assert third.is_error and "limit of 2 turns" in text_of(third)
    assert "without session_id" in text_of(third)
    assert oversize.is_error and "would exceed 300 characters" in text_of(oversize)


@pytest.mark.anyio
async def test_an_expired_session_is_refused(analyzer: Analyzer, db_path: Path) -> None:
    now = [1_000_000.0]
    store = SqliteSessionStore(db_path, ttl=3600, clock=lambda: now[0])
    async with Client(build_server(analyzer, store)) as client:
        sid = structured(await call(client, description=SEED[0]))["session_id"]
        now[0] += 3000
        structured(await call(client, description=SEED[1], session_id=sid))
        now[0] += 3601
        result = await call(client, description=SEED[2], session_id=sid)
    assert result.is_error and "Unknown or expired session_id" in text_of(result)


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_secret_never_reaches_the_output_the_store_or_the_logs(
    server: Any, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    async with Client(server) as client:
        first = await call(client, description=LEAKY)
        data = structured(first)
        sid = data["session_id"]
        later = structured(await call(client, description=SEED[2], session_id=sid))
        state = (await client.read_resource(f"workflow-prover://sessions/{sid}")).contents[0]
    assert data["verdict"] == "INSECURE_CREDENTIALS"
    assert any(f["code"] == "SECRET_IN_TEXT" for f in data["findings"])
    assert data["redactions"] >= 2
    # The leak is remembered by the session: the stored redacted text still reports it.
    assert later["verdict"] == "INSECURE_CREDENTIALS"
    everything = [
        json.dumps(data),
        text_of(first),
        json.dumps(later),
        getattr(state, "text", ""),
        caplog.text,
    ]
    for blob in everything:
        assert STRIPE_KEY not in blob and "51HqLyjWDarjtT1zdp7dc" not in blob
        assert PASSWORD not in blob
    assert "[REDACTED:" in getattr(state, "text", "")
    assert "[REDACTED:" in caplog.text  # the debug log has the (redacted) text
    on_disk = file_bytes(db_path)
    assert b"[REDACTED:" in on_disk
    assert STRIPE_KEY.encode() not in on_disk and PASSWORD.encode() not in on_disk


GITHUB_TOKEN = "ghp_" + "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio"


@pytest.mark.anyio
async def test_a_secret_sent_where_an_id_or_argument_goes_is_never_echoed(
    server: Any, analyzer: Analyzer, caplog: pytest.LogCaptureFixture
) -> None:
    """A client may paste a key anywhere: as the session_id, in a resource URI, as the
    prompt's argument. Errors, prompts and logs say what is wrong without repeating it.

    The SDK logs a failed resource's URI itself: `serve` puts the redacting filter on its log
    handler (checked through a real server in test_server_transports), as done here."""
    caplog.set_level("DEBUG")
    caplog.handler.addFilter(RedactingFilter(analyzer.redact))
    async with Client(server) as client:
        tool_error = await call(client, description=SEED[0], session_id=GITHUB_TOKEN)
        with pytest.raises(MCPError) as resource_error:
            await client.read_resource(f"workflow-prover://sessions/{GITHUB_TOKEN}")
        prompt = await client.get_prompt("design_review", {"workflow": LEAKY})
    assert tool_error.is_error and "Unknown or expired session_id" in text_of(tool_error)
    assert "[REDACTED:github_token]" in text_of(tool_error)
    prompt_text = prompt.messages[0].content.text  # type: ignore[union-attr]
    assert "Stripe webhooks trigger the flow" in prompt_text
    for blob in (text_of(tool_error), str(resource_error.value), prompt_text, caplog.text):
        assert "NLqiXZ1VCrvsKz8LSvnZmMxSBuN7cZeWClio" not in blob
        assert STRIPE_KEY not in blob and PASSWORD not in blob


def test_importing_the_server_package_loads_neither_the_sdk_nor_spacy() -> None:
    code = (
        "import sys, workflow_prover.server, workflow_prover.server.main; "
        "print(sorted(m for m in ('mcp', 'spacy', 'workflow_prover.analyzer') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
