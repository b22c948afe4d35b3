"""The sampling request: the system prompt, the numbered (redacted) turns, and the bounds.

Built from the turns alone, so the same session always gives the same request, byte for byte:
`workflow-prover assist-prompt` prints it, the server sends it, and its `key` (the SHA-256 of the
redacted turns) finds a recorded answer in an answers file. The texts are the redacted ones: a
secret is `[REDACTED:<kind>]` before the request is built, and nothing else (no file name, no
session id, no earlier report) goes into it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from workflow_prover.graph.kinds import kind_table

__all__ = ["DEFAULT_MAX_TOKENS", "AssistRequest", "answer_key", "build_request", "kinds"]

DEFAULT_MAX_TOKENS = 4096
_SEPARATOR = "\x1e"  # between the turns hashed for `answer_key` (the ASCII record separator)


@dataclass(frozen=True, slots=True)
class AssistRequest:
    """One `sampling/createMessage` request (`includeContext: "none"`, temperature 0)."""

    system: str
    user: str
    max_tokens: int
    key: str  # `answer_key` of the turns the request is about
    temperature: float = 0.0
    include_context: str = "none"

    def messages(self) -> list[dict[str, Any]]:
        return [{"role": "user", "content": {"type": "text", "text": self.user}}]

    def to_json(self) -> dict[str, Any]:
        """What `assist-prompt` prints: the request's fields, and the answers-file key."""
        return {
            "system": self.system,
            "messages": self.messages(),
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "include_context": self.include_context,
            "sha256": self.key,
        }

    def digest(self) -> str:
        """Pins an answer to the exact request it answers (the session may change between)."""
        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


def answer_key(turns: Sequence[str]) -> str:
    """SHA-256 of the redacted turns (one text: of that text), as an answers file records it."""
    return hashlib.sha256(_SEPARATOR.join(turns).encode("utf-8")).hexdigest()


def build_request(turns: Sequence[str], max_tokens: int = DEFAULT_MAX_TOKENS) -> AssistRequest:
    """The request for these redacted turns."""
    if not turns:
        raise ValueError("a request needs at least one turn")
    env = _environment()
    system = env.get_template("system.j2").render(kinds=kinds().items()).strip()
    user = env.get_template("user.j2").render(turns=list(turns)).strip()
    return AssistRequest(system, user, max_tokens, answer_key(turns))


def kinds() -> dict[str, str]:
    """Every claim kind the model may name, with the meaning the prompt gives it (the claim
    kinds' table, `graph/kinds.jsonl`, which has one row per `ClaimKind`)."""
    return kind_table().meanings()


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("workflow_prover.assist", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
