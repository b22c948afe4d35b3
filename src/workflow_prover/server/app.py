"""The MCP server: `validate_workflow_orchestration`, the `design_review` prompt, three resources.

`build_server(analyzer, store, settings)` returns a ready `MCPServer`; nothing here runs at
import time. `workflow_prover.server.main.serve` wires it to a transport.

A call analyses the whole review session (rubric section 5): the earlier turns come from the
store, the new text is appended, `Analyzer.analyze_turns` sees all of them, and the new turn is
stored only once the analysis succeeded (`review.Reviewer`; the analysis runs in the
`pool.AnalysisPool`, off the event loop and within a time budget). Every text is redacted
first, and the redacted text is what is analysed, stored and logged, so a session replays to
the same report after a restart and a secret never reaches the disk or the logs. (Evidence
offsets therefore refer to the stored turn text, shown in the session resource; it differs
from what was sent only where a secret was replaced by `[REDACTED:<kind>]`.)
"""

# No `from __future__ import annotations` here: the SDK reads the tool's annotations at
# registration, and they refer to `settings`, a local of `build_server`.

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Annotated, Any, Literal, Protocol

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import (
    ResourceError,
    ResourceNotFoundError,
    ToolError,
    UnexpectedToolError,
)
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import AnyHttpUrl, Field, ValidationError, WithJsonSchema

from workflow_prover import __version__
from workflow_prover.assist.request import DEFAULT_MAX_TOKENS
from workflow_prover.assist.sampling import Sampler
from workflow_prover.models import Acceptance, AssistMode, Report
from workflow_prover.rules.links import REPOSITORY
from workflow_prover.schemas import SCHEMA_URI, prover_schema_text
from workflow_prover.server.echo import NoEcho
from workflow_prover.server.icon import server_icon
from workflow_prover.server.pool import AnalysisPool, without_surrogates
from workflow_prover.server.prompt import design_review_prompt
from workflow_prover.server.review import SESSION_ID, TOOL_NAME, AssistCall, Limits, Reviewer
from workflow_prover.server.store import SessionStore, StoredSession, StoreUnavailable

logger = logging.getLogger("workflow_prover.server")

__all__ = ["RUBRIC_URI", "SESSION_URI_TEMPLATE", "TOOL_NAME", "ServerSettings", "build_server"]

RUBRIC_URI = "workflow-prover://rubric"
SESSION_URI_TEMPLATE = "workflow-prover://sessions/{session_id}"


class ReviewAnalyzer(Protocol):
    """The part of `workflow_prover.analyzer.Analyzer` the server uses."""

    def analyze_turns(self, turns: Sequence[str], *, strict: bool = False) -> Report: ...

    def redact(self, text: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ServerSettings:
    max_description_chars: int = 20_000
    """Longest `description` accepted in one call."""
    max_turns: int = 50
    """Most turns one review session may have."""
    max_session_chars: int = 200_000
    """Most text (all turns together) one session may hold: every call re-reads all of it."""
    analysis_budget: float = 30.0
    """Seconds one call may take, waiting for a free analyzer included; then a tool error."""
    analysis_workers: int = 2
    """Analyses that run at once (the default in-process pool's threads)."""
    max_waiting: int = 64
    """Calls that may wait for a free analyzer; one more is told the server is busy."""
    assist: AssistMode = "auto"
    """The default of the tool's `assist`, and its ceiling (never < auto < always)."""
    assist_timeout: float = 30.0
    """Seconds the client's model has to answer; then the rules' report, with the reason."""
    assist_max_tokens: int = DEFAULT_MAX_TOKENS
    """The token bound of the request to the client's model."""


_ASSIST_ORDER: tuple[AssistMode, ...] = ("never", "auto", "always")


def assist_mode(requested: AssistMode, ceiling: AssistMode) -> AssistMode:
    """The mode a call gets: what it asked for, at most the server's ceiling."""
    return min(requested, ceiling, key=_ASSIST_ORDER.index)


class ReviewResult(Report):
    """The tool's structured output: the analyzer's Report plus where the review stands.

    Every field of `Report` (verdict, message, findings, checks, steps, services, claims,
    questions, redactions, strict, turns), then `session_id` and `turn`.
    """

    session_id: str = Field(
        description="Pass this back as `session_id` to continue the review (empty when the "
        "server could not store it: then it cannot be continued)."
    )
    turn: int = Field(description="The number of this call in the session (1 for a new one).")
    changes: dict[str, Any] | None = Field(
        default=None,
        description="What this turn changed: findings_resolved, findings_new, claims_added, "
        "claims_retracted, claims_overridden, each with the turn and the words that did it.",
    )
    answer: list[str] = Field(
        default_factory=list, description="The answer to a turn that only asks a question."
    )
    already_reviewed: int | None = Field(
        default=None, description="The turn this identical text was already reviewed as."
    )
    accepted: list[Acceptance] = Field(
        default_factory=list, description="The risks accepted in this session (`accept`)."
    )


# --- the tool's text for the agent --------------------------------------------------------------


def _paragraphs(*paragraphs: str) -> str:
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


TOOL_DESCRIPTION = _paragraphs(
    """Review an automation workflow design for production resilience, without running
    anything. Use it for integrations, syncs, ETL jobs, webhook handlers, scripts and
    n8n/Zapier/Airflow-style flows that call external systems (payment providers, CRMs, email
    APIs, databases, queues).""",
    """It checks every step that talks to an external service for four things: failure handling
    with a terminal path (a dead-letter queue or failed-records table, not just retries or
    try/catch), idempotent writes (idempotency keys or de-duplication on a stable ID), backoff
    or client-side rate limiting, and credentials loaded from a secret manager.""",
    """What to send: `description`, the workflow as prose, numbered steps, arrows
    ("Stripe -> CRM") or a schema. Name each step's service and what it does (read or write),
    and say what happens when a call fails. Only what the design states counts: planned ("we'll
    add a DLQ later"), hedged, negated and hypothetical mechanisms count as absent. Never paste
    real keys or passwords: they are redacted and force the verdict INSECURE_CREDENTIALS.""",
    """What comes back: `verdict`, the first that applies of INSECURE_CREDENTIALS (a secret in
    the text), UNDERSPECIFIED (no workflow found), NOT_APPLICABLE (nothing is written),
    HAPPY_PATH_BIAS, NON_IDEMPOTENT, MISSING_DLQ, NO_BACKOFF, INSECURE_CREDENTIALS,
    WORKFLOW_PROVEN; `message` (the verdict and the one thing to fix first); `findings` (code,
    check, severity blocker|warning, step, service, evidence quoting the user's words);
    `checks` (pass|fail|not_applicable per check); the `steps` (with the text's own `label`),
    `services` and `claims` read from the text; `questions` to ask the user; `changes` (what
    this turn resolved or opened, with the words that did it); and `session_id` and `turn`.
    The text content carries the same answer in short: what changed, the verdict, the steps
    as read, each check, the blockers and warnings, the questions and the session_id.""",
    """How to iterate: call again with the returned `session_id` and only what is new or
    changed ("Errors go to a DLQ; we retry with exponential backoff"). Earlier turns stay part of
    the design, claims accumulate, and a later statement about the same mechanism replaces an
    earlier one ("we removed the DLQ" retracts it). Confirm each fix with the user before
    sending it; do not invent mechanisms. A sentence about a step already read ("step 2 ...",
    "the Slack post ...", "it ...") adds to that step; say "add a step" for a new one. A turn
    that only asks ("why is step 2 still flagged?") is answered and changes nothing; the same
    text sent again is not stored twice. `accept` ({code, step or service, reason}) marks a
    risk the user accepts: it stays listed, no longer counts, and stays accepted in the
    session. Repeat until the verdict is WORKFLOW_PROVEN (warnings may remain). Omit
    `session_id` to review a new, unrelated design. `strict: true` treats every warning as a
    blocker.""",
    """Assisted reading: when the Prover's rules cannot read part of the design (sentences
    left unread, or no step found in a text that names a service), it may ask your model, once,
    through MCP sampling, to list the steps and resilience statements with exact quotes; your
    client may ask the user to approve that request. Only the redacted text is sent. The Prover
    keeps an item only when its quote is in the text and the rules read it the same way; the
    report's `assist` says what was accepted and rejected, and each evidence's `reader` says
    who read it. `assist`: "auto" (default), "always" or "never".""",
)

_DESCRIPTION_HELP = (
    "The workflow to review (or, with session_id, what is new or changed since the last call): "
    "prose, numbered steps, arrows such as 'Stripe -> CRM', or a schema as JSON/YAML text. "
    "Name the services and say what each step does and what happens when a call fails. "
    "Do not include real secrets."
)
_SESSION_HELP = (
    "Continue an iterative review: the session_id returned by an earlier call. Omit it (or "
    "send an empty string) to start a new review."
)
_STRICT_HELP = "Treat every warning as a blocker. Default false."
_ACCEPT_HELP = (
    "Risks the user accepts, explicitly: a list of {code, step or service, reason}. Matching "
    "findings stay in the report as accepted with the reason, do not count for the verdict, "
    "and stay accepted for the rest of the session. SECRET_IN_TEXT cannot be accepted; prose "
    "in the description never accepts a risk."
)
_ACCEPT_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": _ACCEPT_HELP,
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "The finding code, e.g. NO_TIMEOUT."},
            "step": {"type": "integer", "minimum": 1, "description": "The step's number."},
            "service": {"type": "string", "description": "The service, e.g. Slack."},
            "reason": {"type": "string", "minLength": 1, "description": "Why it is accepted."},
        },
        "required": ["code", "reason"],
        "additionalProperties": False,
    },
}
_ASSIST_HELP = (
    "Whether the Prover may ask your model (MCP sampling) to help read the design: 'auto' "
    "(when the rules' reading is uncertain), 'always', or 'never'. The server's setting is "
    "the default and the most a call can ask for."
)

INSTRUCTIONS = (
    "The Workflow Orchestrator Prover reviews automation workflow designs (no code is run) for "
    "failure handling, idempotency, rate limiting and credential storage. Call "
    f"{TOOL_NAME} with the design, explain the verdict and its blockers to the user, ask them "
    "how each blocker is handled, and call again with the returned session_id and their "
    "answers until the verdict is WORKFLOW_PROVEN. The rubric is the resource "
    f"{RUBRIC_URI}; a session's state is {SESSION_URI_TEMPLATE}."
)


# --- argument errors as one actionable line ------------------------------------------------------


def _type_name(value: object) -> str:
    return {
        dict: "an object",
        list: "an array",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
        str: "a string",
    }.get(type(value), "a value")


def _unknown_arguments(names: Sequence[str], known: Sequence[str]) -> str:
    listed = ", ".join(f"'{n}'" for n in names)
    word = "argument" if len(names) == 1 else "arguments"
    return f"unknown {word} {listed}: the arguments are {', '.join(known)}"


def _argument_error(
    exc: ValidationError | None, settings: ServerSettings, unknown: str | None = None
) -> str:
    """One line per problem, joined: what is wrong with which argument and what to send."""
    problems: list[str] = [unknown] if unknown else []
    for err in exc.errors() if exc is not None else []:
        field = str(err["loc"][0]) if err["loc"] else "arguments"
        kind = err["type"]
        value = err.get("input")
        if field == "description":
            if kind == "missing":
                problems.append(
                    "missing required argument 'description': send the workflow to review as text"
                )
            elif kind == "string_too_short":
                problems.append("'description' is empty: send the workflow to review as text")
            elif kind == "string_too_long":
                size = len(value) if isinstance(value, str) else 0
                problems.append(
                    f"'description' is {size:,} characters, over the limit of "
                    f"{settings.max_description_chars:,}: send a shorter summary of the design, "
                    "or send it in parts in one session (pass the returned session_id back)"
                )
            elif kind == "string_unicode":
                problems.append(
                    "'description' is not valid Unicode text (it holds a lone surrogate, "
                    "such as \\ud800): send the workflow as UTF-8 text"
                )
            elif kind == "string_type":
                problems.append(
                    f"'description' must be a string, not {_type_name(value)}: send "
                    "the workflow as text (a schema as its JSON or YAML text)"
                )
            else:
                problems.append(f"invalid 'description': {err['msg']}")
        elif field == "strict":
            problems.append(f"'strict' must be true or false, not {_type_name(value)}")
        elif field == "assist":
            problems.append('\'assist\' must be one of "auto", "always" or "never"')
        elif field == "accept":
            problems.append(
                "'accept' must be a list of {code, step or service, reason} objects "
                "(reason required)"
            )
        elif field == "session_id":
            problems.append(
                f"'session_id' must be a string returned by an earlier call, not "
                f"{_type_name(value)}; omit it to start a new review"
            )
        else:
            problems.append(f"invalid argument '{field}': {err['msg']}")
    return "Invalid arguments: " + "; ".join(problems) + "."


def _review_tool(
    fn: Any, settings: ServerSettings, shown: Callable[[str], str], **kwargs: Any
) -> Tool:
    """The tool, with schema violations reported as one actionable line.

    The SDK reports a schema violation with pydantic's multi-line text, which also echoes the
    rejected value back, silently drops arguments it does not know, and prefixes the tool's own
    errors with "Error executing tool <name>: "; this subclass validates first and raises a
    `ToolError` with a short reason instead, naming unknown arguments (redacted and cut by
    `shown`: they are client input), and passes the tool's own reasons on unprefixed. The SDK
    still logs only field names.
    """

    class ReviewTool(Tool):
        async def run(
            self,
            arguments: dict[str, Any],
            context: Context[Any, Any],
            convert_result: bool = False,
        ) -> Any:
            known = list(self.parameters.get("properties", {}))
            extra = sorted(shown(str(k))[:40] for k in arguments if k not in known)
            unknown = _unknown_arguments(extra[:5], known) if extra else None
            try:
                self.fn_metadata.validate_arguments(arguments)
            except ValidationError as exc:
                raise ToolError(_argument_error(exc, settings, unknown)) from exc
            if unknown:
                raise ToolError(_argument_error(None, settings, unknown))
            try:
                return await super().run(arguments, context, convert_result=convert_result)
            except UnexpectedToolError:
                raise  # a crash: the SDK's generic line, the reason stays on the server
            except ToolError as exc:
                # The SDK prefixes "Error executing tool <name>: ": one style for every
                # error means the agent gets the reason itself, as argument errors do.
                reason = exc.__cause__
                if isinstance(reason, ToolError) and not isinstance(reason, UnexpectedToolError):
                    raise ToolError(str(reason)) from reason
                raise

    return ReviewTool.from_function(fn, **kwargs)


# --- the server ------------------------------------------------------------------------------


class StaticTokenVerifier:
    """Accepts exactly one bearer token (compared in constant time)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the bearer token must not be empty")
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if secrets.compare_digest(token.encode(), self._token):
            return AccessToken(token="bearer", client_id="workflow-prover-client", scopes=[])
        return None


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return (
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def session_state(session: StoredSession) -> dict[str, Any]:
    """The session resource: its turns and the design as the latest turn's report saw it."""
    latest = session.latest.report if session.latest else {}
    return {
        "session_id": session.session_id,
        "created_at": _iso(session.created_at),
        "updated_at": _iso(session.updated_at),
        "expires_at": _iso(session.expires_at),
        "turn_count": len(session.turns),
        "verdict": latest.get("verdict"),
        "message": latest.get("message"),
        "turns": [
            {
                "turn": t.number,
                "text": t.text,
                "strict": t.strict,
                "verdict": t.verdict,
                "created_at": _iso(t.created_at),
                "assist": t.assist,
            }
            for t in session.turns
        ],
        "steps": latest.get("steps", []),
        "services": latest.get("services", []),
        "claims": latest.get("claims", []),
        "findings": latest.get("findings", []),
        "checks": latest.get("checks", {}),
        "questions": latest.get("questions", []),
        "accepted": latest.get("accepted", []),
    }


def rubric_text() -> str:
    return resources.files("workflow_prover.server").joinpath("rubric.md").read_text("utf-8")


def build_server(
    analyzer: ReviewAnalyzer,
    store: SessionStore,
    settings: ServerSettings | None = None,
    *,
    token: str | None = None,
    pool: AnalysisPool | None = None,
) -> MCPServer[Any]:
    """The MCP server over one analyzer and one session store.

    `token`, when set, is the bearer token every HTTP request must carry (stdio ignores it).
    `pool` runs the analyses (`serve` gives one of worker processes); by default a pool of
    `settings.analysis_workers` threads over `analyzer`. The caller closes the pool it gave.
    """
    settings = settings or ServerSettings()
    if pool is None:
        pool = AnalysisPool.in_threads(
            analyzer,
            workers=settings.analysis_workers,
            budget=settings.analysis_budget,
            max_waiting=settings.max_waiting,
        )

    def shown(value: str) -> str:
        """Client input as an error may repeat it: secrets redacted, then cut to 128 chars."""
        return analyzer.redact(value[:128])[:128]

    limits = Limits(settings.max_turns, settings.max_session_chars)
    reviewer = Reviewer(store, pool, limits, shown, redact=analyzer.redact)

    async def review(
        ctx: Context,
        description: Annotated[
            str,
            Field(
                description=_DESCRIPTION_HELP,
                min_length=1,
                max_length=settings.max_description_chars,
            ),
        ],
        session_id: Annotated[
            str | None,
            Field(description=_SESSION_HELP),
            # string | null as anyOf branches of one type each: a `type` list is legal JSON
            # Schema, but clients that map schemas onto a single-type dialect reject it
            WithJsonSchema(
                {
                    "anyOf": [{"type": "string"}, {"type": "null"}],
                    "default": None,
                    "description": _SESSION_HELP,
                }
            ),
        ] = None,
        strict: Annotated[bool, Field(description=_STRICT_HELP, strict=True)] = False,
        assist: Annotated[
            Literal["auto", "always", "never"], Field(description=_ASSIST_HELP)
        ] = settings.assist,
        accept: Annotated[
            list[Acceptance] | None,
            Field(description=_ACCEPT_HELP),
            WithJsonSchema(_ACCEPT_SCHEMA),
        ] = None,
    ) -> Annotated[CallToolResult, ReviewResult]:
        # Async: the analysis runs in the pool and the store in worker threads, so the event
        # loop only waits (see `review.Reviewer`).
        if not description.strip():
            raise ToolError(
                "Invalid arguments: 'description' is blank: send the workflow to review as text."
            )
        sid = (session_id or "").strip() or None
        mode = assist_mode(assist, settings.assist)
        sampler = None
        if mode != "never":
            sampler = Sampler.for_call(ctx, settings.assist_timeout, shown)
        call = AssistCall(mode, sampler, settings.assist_max_tokens)
        risks = tuple(accept or ())
        outcome = await reviewer(without_surrogates(description), sid, strict, call, risks)
        # A round trip to the client's model (protocol 2026-07-28): the SDK sends it as is.
        return outcome  # type: ignore[return-value]

    # Annotations say what the tool does to the client's world: nothing (read_only_hint=True).
    # It reads the design and executes or contacts nothing (open_world_hint=False). A call
    # does append a turn to the review session, but the session is the Prover's own state,
    # not the user's environment: nothing the user owns is modified, so clients may run it
    # without asking for confirmation. It never deletes or rewrites stored turns
    # (destructive_hint=False); repeating a call appends another turn (idempotent_hint=False).
    tool = _review_tool(
        review,
        settings,
        shown,
        name=TOOL_NAME,
        title="Validate workflow orchestration",
        description=TOOL_DESCRIPTION,
        annotations=ToolAnnotations(
            title="Validate workflow orchestration",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=False,
        ),
    )

    auth: dict[str, Any] = {}
    if token:
        # A static bearer token, checked on every HTTP request. issuer_url is required by the
        # settings model but unused: no OAuth routes and no protected-resource metadata are
        # served (resource_server_url=None), so clients are not sent on an OAuth discovery.
        auth = {
            "token_verifier": StaticTokenVerifier(token),
            "auth": AuthSettings(
                issuer_url=AnyHttpUrl("http://127.0.0.1"), resource_server_url=None
            ),
        }

    server: MCPServer[Any] = MCPServer(
        "workflow-prover",
        title="Workflow Orchestrator Prover",
        description="Proves or refutes the resilience of automation workflow designs.",
        instructions=INSTRUCTIONS,
        website_url=REPOSITORY,
        icons=[server_icon()],
        version=__version__,
        tools=[tool],
        middleware=[NoEcho(analyzer.redact)],  # the SDK's own errors repeat client input
        **auth,
    )

    server.add_prompt(
        design_review_prompt(TOOL_NAME, analyzer.redact, settings.max_description_chars, shown)
    )

    @server.resource(
        RUBRIC_URI,
        name="rubric",
        title="The Prover's rubric",
        description="The four checks, what satisfies each, the finding codes and "
        "the verdict order the server applies.",
        mime_type="text/markdown",
    )
    def rubric() -> str:
        return rubric_text()

    server.resource(
        SCHEMA_URI,
        name="workflow-schema",
        title="The Prover's workflow schema",
        description="JSON Schema of the Prover's own workflow definition format.",
        mime_type="application/schema+json",
    )(prover_schema_text)  # a plain function: the SDK rejects a cached wrapper

    @server.resource(
        SESSION_URI_TEMPLATE,
        name="session",
        title="A review session",
        description="A review session's current state: its turns (redacted text), "
        "the steps, services and claims read so far, and the latest "
        "verdict and findings.",
        mime_type="application/json",
    )
    def session_resource(session_id: str) -> str:
        if not SESSION_ID.fullmatch(session_id):
            raise ResourceNotFoundError("Unknown or expired session (not an id this server issues)")
        try:
            session = store.get(session_id)
        except StoreUnavailable as exc:
            raise ResourceError(
                f"Session {shown(session_id)} cannot be read now: the server's session store "
                f"is {exc.reason}."
            ) from None
        if session is None:
            raise ResourceNotFoundError(f"Unknown or expired session: {shown(session_id)}")
        return json.dumps(session_state(session), indent=2, ensure_ascii=False)

    return server
