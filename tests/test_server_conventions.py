"""MCP conventions: strict arguments, one documented error style, the prompt's protocol errors,
the prompt worded for the text content, annotations and the server's identity."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, TextContent

from workflow_prover.analyzer import Analyzer
from workflow_prover.rules.links import REPOSITORY
from workflow_prover.server.app import TOOL_NAME, build_server
from workflow_prover.server.prompt import review_instructions
from workflow_prover.server.store import MemorySessionStore

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
STRIPE = "Stripe webhooks trigger the flow; we insert each payment into the CRM."


@pytest.fixture
def server(analyzer: Analyzer) -> Any:
    return build_server(analyzer, MemorySessionStore())


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent)
    return result.content[0].text


# Each case: the arguments, the reason the agent gets, and the words of the README's error table
# that document it (so the table cannot drift from what the server says).
TOOL_ERRORS = [
    pytest.param(
        {"description": STRIPE, "strict": "true"},
        "'strict' must be true or false, not a string",
        "'strict' must be true or false, not a string",
        id="strict-string",
    ),
    pytest.param(
        {"description": STRIPE, "strict": 1},
        "'strict' must be true or false, not a number",
        "`not a number`",
        id="strict-number",
    ),
    pytest.param(
        {"description": STRIPE, "strict": None},
        "'strict' must be true or false, not null",
        "`not null`",
        id="strict-null",
    ),
    pytest.param(
        {"description": STRIPE, "strictt": True},
        "unknown argument 'strictt': the arguments are description, session_id, strict, "
        "assist, accept",
        "unknown argument 'strictt': the arguments are description, session_id, strict, "
        "assist, accept",
        id="unknown",
    ),
    pytest.param(
        {"workflow": STRIPE},
        "unknown argument 'workflow': the arguments are description, session_id, strict, "
        "assist, accept; missing required argument 'description'",
        "a misnamed `description`, such as `workflow`, also gives the missing-argument reason",
        id="unknown-and-missing",
    ),
    pytest.param(
        {"description": STRIPE, "session_id": 7},
        "'session_id' must be a string returned by an earlier call, not a number",
        "'session_id' must be a string returned by an earlier call, not a number",
        id="session-id-type",
    ),
    pytest.param(
        {"description": ""},
        "'description' is empty: send the workflow to review as text",
        "'description' is empty: send the workflow to review as text",
        id="empty",
    ),
    pytest.param(
        {"description": " \n "},
        "'description' is blank: send the workflow to review as text",
        "'description' is blank",
        id="blank",
    ),
    pytest.param(
        {},
        "missing required argument 'description': send the workflow to review as text",
        "missing required argument 'description': send the workflow to review as text",
        id="missing",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("arguments", "reason", "documented"), TOOL_ERRORS)
async def test_when_an_argument_is_wrong_then_the_tool_error_is_one_documented_line(
    server: Any, arguments: dict[str, Any], reason: str, documented: str
) -> None:
    async with Client(server) as client:
        result = await client.call_tool(TOOL_NAME, arguments)
    message = text_of(result)
    assert result.is_error and result.structured_content is None
    assert message.startswith("Invalid arguments: ") and message.endswith(".")
    assert reason in message and "\n" not in message
    assert documented in README  # the README's error table lists the case


@pytest.mark.anyio
@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"description": STRIPE, "strict": True}, id="strict-true"),
        pytest.param({"description": STRIPE, "session_id": None}, id="session-id-null"),
    ],
)
async def test_when_arguments_are_as_the_schema_says_then_the_review_starts(
    server: Any, arguments: dict[str, Any]
) -> None:
    async with Client(server) as client:
        result = await client.call_tool(TOOL_NAME, arguments)
    assert not result.is_error
    assert result.structured_content and result.structured_content["turn"] == 1


# --- the prompt ------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        pytest.param(None, "missing required argument 'workflow'", id="no-arguments"),
        pytest.param({}, "missing required argument 'workflow'", id="empty-arguments"),
        pytest.param({"workflow": "  "}, "'workflow' is empty", id="blank"),
        pytest.param({"workflow": "x" * 20_001}, "over the limit of 20,000", id="too-long"),
        pytest.param({"workflow": STRIPE, "extra": "1"}, "unknown argument 'extra'", id="unknown"),
    ],
)
async def test_when_the_prompt_is_asked_for_badly_then_it_is_an_invalid_params_error(
    server: Any,
    arguments: dict[str, str] | None,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("WARNING")
    async with Client(server) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("design_review", arguments)
    assert raised.value.code == INVALID_PARAMS
    assert reason in raised.value.message and "\n" not in raised.value.message
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert "Traceback" not in caplog.text


STRUCTURED_ONLY = ("findings", "evidence", "questions", "checks", "claims", "steps", "report")


@pytest.mark.anyio
async def test_when_the_prompt_is_followed_then_it_refers_only_to_what_the_text_content_shows(
    server: Any,
) -> None:
    async with Client(server) as client:
        prompt = await client.get_prompt("design_review", {"workflow": STRIPE})
        text = text_of(await client.call_tool(TOOL_NAME, {"description": STRIPE}))
    content = prompt.messages[0].content
    assert isinstance(content, TextContent) and content.text.startswith(
        review_instructions(TOOL_NAME)
    )
    instructions = review_instructions(TOOL_NAME).lower()
    assert not [word for word in STRUCTURED_ONLY if re.search(rf"\b{word}\b", instructions)]
    shown = [q for q in re.findall(r"`([^`]+)`", review_instructions(TOOL_NAME))]
    arguments = {"description"}
    assert shown and all(q in arguments or q in text for q in shown), (shown, text)


# --- annotations and identity ------------------------------------------------------------------


@pytest.mark.anyio
async def test_when_a_client_connects_then_the_server_names_its_website_and_an_inline_icon(
    server: Any,
) -> None:
    async with Client(server) as client:
        info = client.server_info
        tool = (await client.list_tools()).tools[0]
    assert info is not None and info.website_url == REPOSITORY
    assert info.icons and info.icons[0].src.startswith("data:image/svg+xml;base64,")
    assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert "readOnlyHint: true" in README


@pytest.mark.anyio
async def test_when_the_review_itself_refuses_then_the_reason_is_the_whole_line(
    server: Any,
) -> None:
    async with Client(server) as client:
        result = await client.call_tool(
            TOOL_NAME, {"description": STRIPE, "session_id": "no-such-session"}
        )
    message = text_of(result)
    assert result.is_error
    assert message.startswith("Unknown or expired session_id 'no-such-session': call again")
    assert "Error executing tool" not in message and "\n" not in message
