"""The MCP side of the assisted reading: one request to the client's model, in bounded time.

Imported by the server only (it imports the MCP SDK). The request goes the way the connection
allows:

- a connection with a back-channel (protocol 2025-11-25 and earlier, stateful): the server sends
  `sampling/createMessage` in the middle of the call and waits at most `timeout` seconds;
- otherwise (2026-07-28 and later): the call returns an `InputRequiredResult` holding the
  request; the client has its model answer and calls again with the answer, and the server
  uses it only if it came within `timeout` seconds of the request (the time it was asked rides
  in the sealed `request_state`) and answers the very request that was made (its digest).

The SDK's own `Resolve`/`Sample` does the same plumbing, but a failed or refused answer then
ends the call with a tool error, and nothing bounds the wait; here every failure (a timeout, a
refusal, an error, an answer that is not text) is a reason in the report's `assist`, and the
report is the rules' (MCP sampling itself is deprecated as of 2026-07-28, SEP-2577; it is what
clients offer today).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPError
from mcp.shared.message import ServerMessageMetadata
from mcp.types import (
    CreateMessageRequest,
    CreateMessageRequestParams,
    CreateMessageResult,
    InputRequiredResult,
    SamplingMessage,
    TextContent,
)
from mcp_types.version import is_version_at_least
from pydantic import ValidationError

from workflow_prover.assist.request import AssistRequest
from workflow_prover.assist.session import ModelAnswer

__all__ = ["KEY", "Asked", "Sampler", "create_message_params"]

KEY = "workflow_prover_assist"  # the request's key in an InputRequiredResult
_STATE_VERSION = 1
_INPUT_REQUIRED_VERSION = "2026-07-28"


@dataclass(frozen=True, slots=True)
class Asked:
    """What asking gave: an answer, why there is none, or a round trip to make first."""

    answer: ModelAnswer | None = None
    failure: str | None = None
    digest: str | None = None  # the request `answer` answers (a round trip's)
    pending: InputRequiredResult | None = None


def create_message_params(request: AssistRequest) -> CreateMessageRequestParams:
    return CreateMessageRequestParams(
        messages=[
            SamplingMessage(role="user", content=TextContent(type="text", text=request.user))
        ],
        system_prompt=request.system,
        max_tokens=request.max_tokens,
        temperature=request.temperature,
        include_context="none",
    )


class Sampler:
    """Asks the model of the client of one call."""

    def __init__(self, ctx: Context[Any, Any], timeout: float, shown: Callable[[str], str]) -> None:
        self._ctx = ctx
        self._timeout = timeout
        self._shown = shown

    @classmethod
    def for_call(
        cls, ctx: Context[Any, Any], timeout: float, shown: Callable[[str], str]
    ) -> Sampler | None:
        """A sampler for this call, or None when the client did not declare sampling."""
        capabilities = ctx.client_capabilities
        if capabilities is None or capabilities.sampling is None:
            return None
        return cls(ctx, timeout, shown)

    def answered(self) -> Asked | None:
        """The client's answer to the request of the previous round, if this call is the
        round that brings it."""
        responses = self._ctx.input_responses or {}
        if KEY not in responses:
            return None
        state = _state(self._ctx.request_state)
        if state is None:
            return Asked(failure="the model's answer came without the request it answers")
        elapsed = max(0.0, time.time() - state["asked_at"])
        if elapsed > self._timeout:
            return Asked(failure=self._late())
        return self._read(responses[KEY], elapsed, str(state["digest"]))

    async def ask(self, request: AssistRequest) -> Asked:
        session = self._ctx.session
        if session.can_send_request:
            return await self._ask_now(request)
        if is_version_at_least(session.protocol_version, _INPUT_REQUIRED_VERSION):
            state = {"v": _STATE_VERSION, "asked_at": time.time(), "digest": request.digest()}
            pending = InputRequiredResult(
                input_requests={KEY: CreateMessageRequest(params=create_message_params(request))},
                request_state=json.dumps(state),
            )
            return Asked(pending=pending)
        return Asked(failure="this connection cannot carry a request to the client's model")

    async def _ask_now(self, request: AssistRequest) -> Asked:
        started = time.monotonic()
        try:
            with anyio.fail_after(self._timeout):
                result = await self._ctx.session.send_request(
                    CreateMessageRequest(params=create_message_params(request)),
                    CreateMessageResult,
                    metadata=ServerMessageMetadata(related_request_id=self._ctx.request_id),
                )
        except TimeoutError:
            return Asked(failure=self._late())
        except MCPError as exc:
            reason = self._shown(" ".join(str(exc.error.message).split())[:120])
            return Asked(failure=f"the client refused or failed the request ({reason})")
        except ValidationError:
            return Asked(failure="the client's answer was not a sampling result")
        except Exception as exc:  # the connection went away, has no back-channel...
            return Asked(failure=f"the request could not be made ({type(exc).__name__})")
        return self._read(result, time.monotonic() - started, None)

    def _read(self, result: object, seconds: float, digest: str | None) -> Asked:
        if not isinstance(result, CreateMessageResult):
            return Asked(failure="the client's answer was not a sampling result")
        if not isinstance(result.content, TextContent):
            return Asked(failure="the model's answer was not text")
        answer = ModelAnswer(text=result.content.text, model=result.model, ms=round(seconds * 1000))
        return Asked(answer=answer, digest=digest)

    def _late(self) -> str:
        return f"the model did not answer within {self._timeout:g} s: the rules' reading stands"


def _state(raw: str | None) -> dict[str, Any] | None:
    try:
        state = json.loads(raw or "")
    except ValueError:
        return None
    if (
        not isinstance(state, dict)
        or state.get("v") != _STATE_VERSION
        or not isinstance(state.get("asked_at"), (int, float))
        or not isinstance(state.get("digest"), str)
    ):
        return None
    return state
