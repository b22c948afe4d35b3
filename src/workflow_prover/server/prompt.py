"""The `design_review` prompt: an iterative review, worded for what the agent will see.

The prompt refers only to the tool's text content (the message, which starts with `Verdict:`,
names what to fix first and what else is missing, then the `session_id:` line), never to
fields of the structured content: a text-only client never sees those.

A `prompts/get` with a missing, empty, too long or unknown argument is a protocol error
(invalid params) with a one-line reason, not an internal error: the SDK would call the
function anyway and report its exception as an internal error, with a traceback on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.prompts.base import Message, Prompt
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from pydantic import Field

from workflow_prover.server.pool import without_surrogates

PROMPT_NAME = "design_review"
ARGUMENT = "workflow"


def review_instructions(tool: str) -> str:
    """The steps the agent follows; each names something the tool's text content shows."""
    return (
        f"Review the resilience of the automation workflow below with the {tool} tool, "
        "iteratively:\n"
        f"1. Call {tool} with the workflow as `description`.\n"
        "2. The reply starts with `Verdict:` and says what to fix first and what else is "
        "missing. Tell me the verdict and those points in plain words.\n"
        "3. Ask me how each point is handled, or propose a concrete fix and ask me to confirm "
        "it. Do not assume mechanisms I have not confirmed.\n"
        f"4. The reply ends with a `session_id:` line: call {tool} again with that session_id "
        "and only my new answers. (If it says the review was not stored, send the whole "
        "design again instead.)\n"
        "5. Repeat until the verdict is WORKFLOW_PROVEN, then tell me what the last reply says "
        "is still worth doing.\n"
        "Never send real keys, tokens or passwords to the tool."
    )


def argument_problem(
    arguments: dict[str, Any] | None, max_chars: int, shown: Callable[[str], str]
) -> str | None:
    """What is wrong with the prompt's arguments, in one line, or None (`shown` redacts and
    cuts what the client sent before the line repeats it)."""
    given = dict(arguments or {})
    unknown = sorted(str(k) for k in given if k != ARGUMENT)
    if unknown:
        names = ", ".join(repr(shown(k)[:40]) for k in unknown[:5])
        return f"unknown argument {names}: design_review takes only '{ARGUMENT}'"
    value = given.get(ARGUMENT)
    if value is None:
        return f"missing required argument '{ARGUMENT}': send the workflow design to review"
    if not isinstance(value, str):
        return f"'{ARGUMENT}' must be a string: send the workflow design as text"
    if not value.strip():
        return f"'{ARGUMENT}' is empty: send the workflow design to review"
    if len(value) > max_chars:
        return (
            f"'{ARGUMENT}' is {len(value):,} characters, over the limit of {max_chars:,}: "
            "send a shorter summary of the design"
        )
    return None


class ReviewPrompt(Prompt):
    """A prompt whose arguments are checked before rendering (see the module's docstring)."""

    max_chars: int = 20_000
    shown: Callable[[str], str] = Field(exclude=True)

    async def render(
        self, arguments: dict[str, Any] | None, context: Context[Any, Any]
    ) -> list[Message] | Any:
        problem = argument_problem(arguments, self.max_chars, self.shown)
        if problem is not None:
            raise MCPError(code=INVALID_PARAMS, message=f"Invalid arguments: {problem}.")
        return await super().render(arguments, context)


def design_review_prompt(
    tool: str, redact: Callable[[str], str], max_chars: int, shown: Callable[[str], str]
) -> Prompt:
    """The prompt, over the server's redaction (the workflow is shown redacted)."""

    def design_review(workflow: str) -> str:
        """Start an iterative resilience review of a workflow design with the Prover."""
        text = redact(without_surrogates(workflow))
        return f"{review_instructions(tool)}\n\n<workflow>\n{text}\n</workflow>"

    base = Prompt.from_function(
        design_review, name=PROMPT_NAME, title="Design review of a workflow"
    )
    for argument in base.arguments or []:
        argument.description = "The workflow design to review, in any form."
    return ReviewPrompt(
        name=base.name,
        title=base.title,
        description=base.description,
        arguments=base.arguments,
        fn=base.fn,
        context_kwarg=base.context_kwarg,
        max_chars=max_chars,
        shown=shown,
    )
