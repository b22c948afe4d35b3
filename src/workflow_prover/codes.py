"""Every finding code of the rubric (its check, default severity, title and help text), and the
codes of notes about the document itself (a block that does not parse, an ignore marker
without a reason). Both tables are the rules of the SARIF output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workflow_prover.models import CheckId, Severity

NoteLevel = Literal["warning", "note"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    check: CheckId
    severity: Severity
    title: str
    help: str


_F, _I, _R, _C = (
    CheckId.FAILURE_HANDLING,
    CheckId.IDEMPOTENCY,
    CheckId.RATE_LIMITING,
    CheckId.CREDENTIALS,
)

CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code(
            "NO_FAILURE_HANDLING",
            _F,
            "blocker",
            "The design has no failure handling",
            "Say what happens when a call fails: retries with backoff, and a terminal path "
            "(a dead-letter queue or a failed-records table) for what still fails.",
        ),
        Code(
            "STEP_WITHOUT_FAILURE_PATH",
            _F,
            "blocker",
            "A step has no terminal failure path",
            "Retries alone are not terminal: say where the failed item goes once they run out "
            "(a DLQ, a parking-lot table, a compensating action).",
        ),
        Code(
            "ERRORS_SWALLOWED",
            _F,
            "blocker",
            "Failures are logged and dropped",
            "Persist the failed item (a DLQ or a failed-records table) instead of skipping it.",
        ),
        Code(
            "DLQ_UNMONITORED",
            _F,
            "warning",
            "The dead-letter queue has no alert or replay plan",
            "Alert when the DLQ is not empty and document how its items are replayed.",
        ),
        Code(
            "NO_TIMEOUT",
            _F,
            "warning",
            "External calls have no timeout",
            "Give every external call a timeout so a hung call fails and is retried.",
        ),
        Code(
            "NO_COMPENSATION",
            _F,
            "warning",
            "Writes to several systems have no rollback",
            "When a later write fails, undo or reconcile the earlier ones (a saga, a compensating "
            "action, a reconciliation job).",
        ),
        Code(
            "WRITE_WITHOUT_IDEMPOTENCY",
            _I,
            "blocker",
            "A write is not idempotent",
            "Give the write an idempotency key derived from a stable identifier, or de-duplicate "
            "on one (an upsert on an external ID, a unique constraint, a processed-events table).",
        ),
        Code(
            "UNSTABLE_IDEMPOTENCY_KEY",
            _I,
            "blocker",
            "The idempotency key changes between attempts",
            "Derive the key from the record (order ID, event ID), not from a fresh UUID or the "
            "clock, so a retry carries the same key.",
        ),
        Code(
            "KEY_WITHOUT_RETENTION",
            _I,
            "warning",
            "Stored keys have no retention window",
            "Keep de-duplication keys at least as long as retries and DLQ replays can happen.",
        ),
        Code(
            "NO_RATE_LIMIT_HANDLING",
            _R,
            "blocker",
            "An external API call neither backs off nor throttles",
            "Retry with exponential backoff and jitter, honour Retry-After, or throttle the calls "
            "client-side (a token bucket, N requests per second).",
        ),
        Code(
            "NON_EXPONENTIAL_RETRY",
            _R,
            "blocker",
            "Retries are immediate or at a fixed interval",
            "Back off exponentially between attempts (1s, 2s, 4s...) with jitter, or pace the "
            "calls with a rate limit.",
        ),
        Code(
            "NO_JITTER",
            _R,
            "warning",
            "Exponential backoff without jitter",
            "Add jitter so that clients that failed together do not retry together.",
        ),
        Code(
            "UNBOUNDED_RETRIES",
            _R,
            "warning",
            "Retries have no limit",
            "Cap the attempts or set a deadline, then hand the item to the terminal path.",
        ),
        Code(
            "RETRY_AFTER_IGNORED",
            _R,
            "warning",
            "429/503 handling ignores Retry-After",
            "When the API says how long to wait (Retry-After), wait that long.",
        ),
        Code(
            "NO_VAULT_REFERENCE",
            _C,
            "blocker",
            "A service's credentials do not come from a vault",
            "Load the credential from a secret manager (Vault, AWS Secrets Manager, GCP Secret "
            "Manager, Azure Key Vault...) or use workload identity; an env var is not a vault.",
        ),
        Code(
            "HARDCODED_CREDENTIAL",
            _C,
            "blocker",
            "A credential is hard-coded",
            "Remove the credential from code, config files and documents; rotate it and load it "
            "from a vault.",
        ),
        Code(
            "SECRET_IN_TEXT",
            _C,
            "blocker",
            "The description contains a literal secret",
            "Revoke or rotate this secret now: it has been shared in plain text.",
        ),
        Code(
            "NO_ROTATION",
            _C,
            "warning",
            "No rotation or expiry for credentials",
            "Rotate credentials on a schedule, or use short-lived tokens or workload identity.",
        ),
    )
}

# A few words per code for the "Also missing: ..." summary of a message.
SHORT: dict[str, str] = {
    "NO_FAILURE_HANDLING": "failure handling",
    "STEP_WITHOUT_FAILURE_PATH": "a terminal failure path",
    "ERRORS_SWALLOWED": "a terminal path instead of dropping failures",
    "DLQ_UNMONITORED": "an alert or replay plan for the DLQ",
    "NO_TIMEOUT": "timeouts",
    "NO_COMPENSATION": "a rollback across systems",
    "WRITE_WITHOUT_IDEMPOTENCY": "an idempotency key",
    "UNSTABLE_IDEMPOTENCY_KEY": "a stable idempotency key",
    "KEY_WITHOUT_RETENTION": "a retention window for stored keys",
    "NO_RATE_LIMIT_HANDLING": "backoff or throttling",
    "NON_EXPONENTIAL_RETRY": "exponential backoff instead of fixed retries",
    "NO_JITTER": "jitter on the backoff",
    "UNBOUNDED_RETRIES": "a cap on retries",
    "RETRY_AFTER_IGNORED": "honouring Retry-After",
    "NO_VAULT_REFERENCE": "a vault for credentials",
    "HARDCODED_CREDENTIAL": "credentials out of code and files",
    "SECRET_IN_TEXT": "rotating the pasted secret",
    "NO_ROTATION": "credential rotation",
}


@dataclass(frozen=True, slots=True)
class NoteCode:
    code: str
    level: NoteLevel
    title: str
    help: str


NOTES: dict[str, NoteCode] = {
    n.code: n
    for n in (
        NoteCode(
            "SCHEMA_PARSE_ERROR",
            "warning",
            "A JSON or YAML block does not parse",
            "Fix the syntax at the line and column given. Until then the block is read as prose, "
            "so its retry policies, error paths and credentials may be missed.",
        ),
        NoteCode(
            "SCHEMA_VALUE_IGNORED",
            "note",
            "A schema value was not understood",
            "Use a value the format allows (see `workflow-prover schema` for the Prover's own "
            "format); the element was read as if it were absent.",
        ),
        NoteCode(
            "SCHEMA_KEY_UNREAD",
            "warning",
            "A key of the document is not part of its format",
            "The Prover's schema does not consume this key. What its name says (a retry, an "
            "error path, a key, a secret) was read leniently where it could be; state it with "
            "the schema's own fields (`workflow-prover schema`) to have it read exactly.",
        ),
        NoteCode(
            "SCHEMA_GRAPH_INCOMPLETE",
            "note",
            "The workflow's connections are empty or broken",
            "The export's connections are empty or name nodes that do not exist, so the order "
            "of the steps and what follows what are not known: the nodes were read as steps in "
            "the order they are listed, and no relation between them was assumed.",
        ),
        NoteCode(
            "SCHEMA_SEVERAL_WORKFLOWS",
            "note",
            "The text defines several workflows",
            "A template with several state machines defines several workflows; analysed in one "
            "call they are read together. Check the template with the command line to have "
            "each reported on its own.",
        ),
        NoteCode(
            "IGNORE_WITHOUT_REASON",
            "warning",
            "An ignore marker gives no reason",
            "Say why the finding does not apply: <!-- prover: ignore CODE -- the reason -->. "
            "A marker without a reason suppresses nothing.",
        ),
        NoteCode(
            "IGNORE_INVALID",
            "warning",
            "An ignore marker names no finding that can be ignored",
            "Name a finding code (e.g. NO_ROTATION). SECRET_IN_TEXT cannot be ignored: remove the "
            "secret from the document and rotate it.",
        ),
    )
}

# A leaked secret cannot be waved through: it must be removed and rotated.
UNSUPPRESSIBLE = frozenset({"SECRET_IN_TEXT"})
