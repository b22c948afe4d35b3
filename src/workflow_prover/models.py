"""The Prover's data: what the NLP layer produces, what checks read, what the Report says.

Everything here is plain pydantic, so checks, verdicts and rendering are testable without
spaCy. The Report's JSON shape is the public contract (documented in the README); the claim
graph types are internal but stable enough for tests to build graphs by hand.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workflow_prover import __version__

Severity = Literal["blocker", "warning"]
CheckStatus = Literal["pass", "fail", "not_applicable"]
Modality = Literal["asserted", "negated", "planned", "question", "hypothetical", "historical"]
ActionKind = Literal["read", "write"]
Reader = Literal["rules", "assist"]
AssistMode = Literal["never", "auto", "always"]
BaselineState = Literal["new", "unchanged"]
# The version of the Report's JSON shape: bumped when a field changes meaning or goes away.
REPORT_SCHEMA_VERSION = "1"
# the rule of every step and claim the client's model proposed (`assist.step`, `assist.vault`)
ASSIST_RULE = "assist."


class CheckId(StrEnum):
    FAILURE_HANDLING = "failure_handling"
    IDEMPOTENCY = "idempotency"
    RATE_LIMITING = "rate_limiting"
    CREDENTIALS = "credentials"


class Verdict(StrEnum):
    INSECURE_CREDENTIALS = "INSECURE_CREDENTIALS"
    UNDERSPECIFIED = "UNDERSPECIFIED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    HAPPY_PATH_BIAS = "HAPPY_PATH_BIAS"
    NON_IDEMPOTENT = "NON_IDEMPOTENT"
    MISSING_DLQ = "MISSING_DLQ"
    NO_BACKOFF = "NO_BACKOFF"
    WORKFLOW_PROVEN = "WORKFLOW_PROVEN"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cue(_Frozen):
    """The negation, hedge, question or hypothetical trigger that changed a mention's modality.

    Kept so a user can ask "why was my DLQ ignored?" and see "'might' (hedge.might) at 120".
    """

    rule: str
    text: str
    start: int
    end: int
    turn: int = 1
    modality: Modality


class Evidence(_Frozen):
    """A span of the user's (redacted) words that supports a finding or a claim.

    `start`/`end` are character offsets into the original input of turn `turn` (1-based);
    `text` is the redacted text of that span, so it never carries a secret. `pointer` is the
    JSON pointer of the element when the span is inside a JSON/YAML schema (`/States/Charge`).
    `reader` says who read it: the rules, or the client's model (`assist`), whose items are
    kept only once the rules have checked their quote against the text.
    """

    text: str
    start: int
    end: int
    rule: str
    turn: int = 1
    cue: Cue | None = None
    pointer: str | None = None
    reader: Reader = "rules"
    # the named heuristics that decided, beyond `rule` (presidio's analysis explanation): a
    # step's clause frame ("frame.verb.noun_compound"), a claim's scope ("scope.services")
    via: tuple[str, ...] = ()  # a tuple: evidence is hashed (findings dedupe on it)
    # 1-based, in code points; the end is the character after the span (see report.positions)
    line: int | None = Field(default=None, ge=1)
    column: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)
    end_column: int | None = Field(default=None, ge=1)


# --- claim graph (internal, built by the NLP layer, read by the checks) -------------------


class ClaimKind(StrEnum):
    """Every resilience mechanism the analyzer recognises, by name; what each is (its check,
    rival group, priority, meaning) is its row in `graph/kinds.jsonl`."""

    # failure_handling
    TERMINAL_PATH = "terminal_path"  # DLQ/DLX, failure queue, parking lot, failed-records table
    COMPENSATION = "compensation"  # saga rollback, compensating action, reconciliation
    SWALLOW = "swallow"  # log and skip, continue on error, ignore, drop
    RETRY = "retry"  # retries exist (policy unspecified)
    TRY_CATCH = "try_catch"
    LOGGING = "logging"
    ALERTING = "alerting"
    ERROR_HANDLING = "error_handling"  # a generic mention: "error handling"
    NO_HANDLING = "no_handling"  # "assume the API is always up", "a failure fails the run"
    TIMEOUT = "timeout"
    REPLAY = "replay"  # redrive / replay plan for a DLQ
    # rate_limiting
    BACKOFF_EXPONENTIAL = "backoff_exponential"
    RETRY_FIXED = "retry_fixed"  # fixed interval, linear backoff
    RETRY_IMMEDIATE = "retry_immediate"  # immediately, tight loop, until it works
    JITTER = "jitter"
    THROTTLE_RATE = "throttle_rate"  # N req/s, token bucket, pacing through a queue
    THROTTLE_CONCURRENCY = "throttle_concurrency"
    RETRY_AFTER = "retry_after"
    RATE_LIMIT_ERRORS = "rate_limit_errors"  # 429/503 handling is mentioned
    MAX_ATTEMPTS = "max_attempts"
    UNBOUNDED = "unbounded"  # "forever", "until it works"
    # idempotency
    IDEMPOTENCY = "idempotency"  # keys, dedupe on stable ids, upsert, unique constraint
    IDEMPOTENCY_STORE = "idempotency_store"  # processed-events table/set: keys are stored
    UNSTABLE_KEY = "unstable_key"
    KEY_RETENTION = "key_retention"
    # credentials
    VAULT = "vault"
    WORKLOAD_IDENTITY = "workload_identity"
    HARDCODED = "hardcoded"
    ENV_VAR = "env_var"
    ROTATION = "rotation"
    REVOKED = "revoked"  # the leaked credential was revoked or rotated
    NO_CREDENTIAL = "no_credential"  # the call needs none: a public, unauthenticated read
    # structure
    WEBHOOK = "webhook"  # "the workflow uses webhooks": an inbound trigger


class ScopeTarget(StrEnum):
    ALL = "all"
    STEPS = "steps"
    SERVICES = "services"


class Scope(_Frozen):
    """Which steps or services a claim covers.

    `all` covers everything, including steps added in later turns. Otherwise a claim covers a
    step when the step is listed, or one of its services is named, or its service's category
    or vendor is named ("both databases", "AWS calls"), filtered by `action` ("every write").
    """

    target: ScopeTarget = ScopeTarget.ALL
    steps: tuple[int, ...] = ()
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    action: ActionKind | None = None
    api_only: bool = False
    # "all APIs but Mailgun", "every step except step 3": what the claim leaves out
    excluded_services: tuple[str, ...] = ()
    excluded_steps: tuple[int, ...] = ()
    # "the MySQL password and both API tokens": named services covered besides the filtered ones
    also_services: tuple[str, ...] = ()
    # "Refunds carry an Idempotency-Key": only the steps of these verbs (by the rule that made
    # the step, or a word of its text: a schema's `adyen.refund`)
    verbs: tuple[str, ...] = ()


class ServiceNode(_Frozen):
    name: str
    category: str
    role: Literal["api", "datastore"] = "api"
    external: bool = True
    needs_rate_limit: bool = True
    vendor: str | None = None
    generic: bool = False


class StepNode(_Frozen):
    index: int
    text: str
    action: ActionKind
    services: tuple[str, ...]
    inbound: bool = False
    turn: int = 1
    label: int | None = None  # the user's own number ("3." in a numbered list)
    evidence: Evidence


class ClaimNode(_Frozen):
    kind: ClaimKind
    modality: Modality
    scope: Scope
    evidence: Evidence
    turn: int = 1
    position: int = 0  # order within the whole conversation (turn-major)
    clause: int = 0  # the clause it was found in (claims in one clause share it)
    value: float | None = None  # a number the rule carried (attempts, req/s, coefficient)


class SecretNode(_Frozen):
    kind: str  # e.g. "stripe_key", "aws_access_key", "jwt"
    evidence: Evidence


class Unread(_Frozen):
    """A sentence that names a system or an action, but yielded no step and no claim."""

    text: str
    start: int
    end: int
    turn: int = 1
    reason: Literal["names_service", "has_action"]


class ClaimGraph(_Frozen):
    """Steps, services and claims of one design (one text, or a whole session)."""

    steps: tuple[StepNode, ...] = ()
    services: tuple[ServiceNode, ...] = ()
    claims: tuple[ClaimNode, ...] = ()
    secrets: tuple[SecretNode, ...] = ()
    turns: int = 1
    unread: tuple[Unread, ...] = ()

    def service(self, name: str) -> ServiceNode | None:
        return next((s for s in self.services if s.name == name), None)


# --- findings and the report ------------------------------------------------------------


class Finding(_Frozen):
    code: str
    check: CheckId
    severity: Severity
    step: int | None = None
    service: str | None = None
    message: str
    evidence: tuple[Evidence, ...] = ()
    suppressed: bool = False
    suppression_reason: str | None = None
    # with the CLI's `--baseline`: "unchanged" (recorded in the baseline: it does not fail) or
    # "new"; None when no baseline was given
    baseline_state: BaselineState | None = None
    accepted: str | None = None  # the user's reason for accepting the risk (the `accept` argument)


class Acceptance(_Frozen):
    """A risk the user accepts (the tool's `accept`): findings of `code` on that step (the
    text's own number for it) or service stay in the report, marked, and do not count."""

    code: str = Field(min_length=1, max_length=64)
    step: int | None = Field(default=None, ge=1, le=10_000)
    service: str | None = Field(default=None, min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=500)


class Note(_Frozen):
    """Something about the document itself rather than the design: a JSON/YAML block that does
    not parse (it was read as prose), a schema value that was not understood, an ignore
    marker without a reason. Notes never change the verdict."""

    code: str
    message: str
    evidence: tuple[Evidence, ...] = ()


class StepOut(_Frozen):
    index: int
    text: str
    action: ActionKind
    services: list[str]
    inbound: bool = False
    turn: int = 1
    label: int | None = None  # the text's own number for the step ("4." in a numbered list)


class ServiceOut(_Frozen):
    name: str
    category: str
    external: bool


class ScopeOut(_Frozen):
    target: ScopeTarget
    steps: list[int] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)


class ClaimOut(_Frozen):
    kind: ClaimKind
    modality: Modality
    scope: ScopeOut
    evidence: list[Evidence]


class AssistInfo(_Frozen):
    """How the client's model took part in a report (see `workflow_prover.assist`).

    `used`: the report includes items of an assisted reading (this call's answer, or one stored
    with an earlier turn of the session). `accepted` / `rejected`: the items that passed the
    Prover's grounding and those it refused; `reasons`: why each was refused, why the model was
    not asked or its answer not used (a fallback), and which stored readings were replayed.
    `ms`: how long the model took to answer (0 for a stored or recorded answer).
    """

    used: bool
    mode: AssistMode
    model: str | None = None
    accepted: int = 0
    rejected: int = 0
    reasons: list[str] = Field(default_factory=list)
    ms: int = 0


class Report(_Frozen):
    """The Prover's answer. Its JSON shape is stable and documented in the README."""

    verdict: Verdict
    message: str
    findings: list[Finding]
    checks: dict[CheckId, CheckStatus]
    steps: list[StepOut]
    services: list[ServiceOut]
    claims: list[ClaimOut]
    questions: list[str]
    redactions: int
    strict: bool = False
    turns: int = 1
    notes: list[Note] = Field(default_factory=list)
    # sentences that name a system or an action but were not understood (see extract.unread)
    unread: list[Unread] = Field(default_factory=list)
    # how the client's model took part, or None when it was not asked (see `AssistInfo`)
    assist: AssistInfo | None = None
    version: str = Field(default=__version__, description="The Prover's version.")
    schema_version: str = Field(
        default=REPORT_SCHEMA_VERSION, description="The version of this JSON shape."
    )
