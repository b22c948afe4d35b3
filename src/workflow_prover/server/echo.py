"""Errors the SDK builds from client input, redacted before they are sent (hardening fault 6).

The server's own messages repeat client input only through `shown` (redacted, cut to 128
characters), but the SDK writes some errors itself, with the input in them:
`Unknown resource: <the URI the client sent>` (and the URI again in the error's `data`),
`Unknown tool: <the name the client sent>`, `Unknown prompt: <the name>` (older protocols send
an exception's text as is), and the `data.uri` of every failed resource read.
A client that pastes a key where a URI or a tool name goes would get it back, and whatever
relays or records the response (a proxy, a client's log) would keep it.

`NoEcho` is middleware on the MCP server: every error raised by a request, and every string
of a tool result that is an error (the wire form: `isError`), goes through the secret scanner
before it is sent. The
server's own, already redacted, messages pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

__all__ = ["NoEcho"]


class NoEcho:
    """Middleware: no request's error, nor a tool's error result, repeats a secret."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        self._redact = redact

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        try:
            result = await call_next(ctx)
        except MCPError as err:
            raise MCPError(err.code, self._redact(err.message), self._data(err.data)) from None
        except ValidationError:
            raise  # sent as "Invalid request parameters", without the input
        except Exception as exc:
            raise self._same_kind(exc) from None
        if isinstance(result, dict) and result.get("isError") is True:
            return {**result, "content": self._data(result.get("content", []))}
        return result

    def _same_kind(self, exc: Exception) -> Exception:
        """The exception again with its text redacted (older protocols send `str(exc)`:
        `Unknown prompt: <the name the client sent>`), of its own class when it takes one
        message, else a RuntimeError."""
        text = self._redact(str(exc))
        try:
            return type(exc)(text)
        except Exception:
            return RuntimeError(text)

    def _data(self, data: Any) -> Any:
        if isinstance(data, str):
            return self._redact(data)
        if isinstance(data, dict):
            return {key: self._data(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self._data(value) for value in data]
        return data
